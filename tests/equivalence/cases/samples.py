"""The bundled samples (samples/*.asl.*), transformed where they lie by the real CLI.

Each keeps its own regions: the target is where its annotations point, the home region is where
samples/cases.toml deploys its proxy. Samples moto 5.2.5 cannot serve are listed in ``NOT_SERVED``.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.equivalence import harness, runner
from tests.equivalence.cases.aws import (
    answer_task_from_queue,
    bucket,
    crawls_finish_after,
    echo_function,
    queue,
    s3_object,
    scan,
    table,
)
from tests.equivalence.cases.features import S3_GLOBAL
from tests.equivalence.harness import Case, Env

NOT_SERVED = {
    "bedrock-ingestion.asl.json": "moto 5.2.5 has no Bedrock Agent ingestion jobs "
    "(bedrockagent start/getIngestionJob are not implemented)",
    "failover-runbook.asl.yaml": "moto 5.2.5 implements neither the Route 53 ARC data plane "
    "(route53recoverycluster) nor RDS failoverGlobalCluster",
}


# ---------------------------------------------------------------------------------------------- callback


def _approvals(env: Env) -> None:
    queue(env, "approvals")


CALLBACK_APPROVED = Case(
    name="sample-callback-approval",
    about="samples/callback-approval.asl.json: SQS sendMessage.waitForTaskToken to eu-west-1 (the QueueUrl "
    "names it), answered with SendTaskSuccess {approved: true}.",
    source="callback-approval.asl.json",
    target="eu-west-1",
    input={"request": {"change": "CHG-1", "by": "ada"}},
    setup=_approvals,
    callback=answer_task_from_queue(
        "approvals", output=lambda message: {"approved": True, "request": message["request"]}
    ),
)

CALLBACK_REJECTED = Case(
    name="sample-callback-approval-rejected",
    about="samples/callback-approval.asl.json answered {approved: false}: the Choice goes to the Fail state.",
    source="callback-approval.asl.json",
    target="eu-west-1",
    input={"request": {"change": "CHG-2", "by": "bob"}},
    setup=_approvals,
    callback=answer_task_from_queue("approvals", output=lambda message: {"approved": False}),
    expect_status="FAILED",
    expect_errors=("Rejected",),
)


# ---------------------------------------------------------------------------------------------- certificate

DNS_ROLE = f"arn:aws:iam::{runner.ACCOUNT}:role/dns-certificates"


def _dns_role(env: Env) -> None:
    env.client("iam").create_role(RoleName="dns-certificates", AssumeRolePolicyDocument="{}")


GLOBAL_CERTIFICATE = Case(
    name="sample-global-certificate",
    about="samples/global-certificate.asl.json: a task without Parameters (sts getCallerIdentity with "
    "InputPath null) and acm requestCertificate with Credentials.RoleArn.$, both in us-east-1 from a machine "
    "in eu-west-1 (--no-lambda-retry).",
    source="global-certificate.asl.json",
    target="us-east-1",
    home="eu-west-1",
    transform_args=("--no-lambda-retry",),
    input={"domain": "www.example.com", "dnsAccountRoleArn": DNS_ROLE},
    execution_name="cert-0001-run",
    setup=_dns_role,
    moto_deviation="moto's interpreter ignores Credentials (its clients always use the default account), "
    "while the proxy really assumes the role; the role is in the same account, so both create the "
    "certificate there. Cross-account behaviour is not covered.",
)


# ---------------------------------------------------------------------------------------------- inventory


def _volumes(env: Env) -> None:
    for region, count in (("us-west-2", 2), ("eu-west-1", 1), ("us-east-1", 3)):
        ec2 = env.client("ec2", region)
        for _ in range(count):
            ec2.create_volume(AvailabilityZone=f"{region}a", Size=8)


def _inventory_reference(case: Case, env: Env) -> dict[str, Any]:
    """Composed: ListRegions runs natively at home (as it does in the candidate); then each iteration,
    without its annotation, runs natively in its region; the Map's output is the list of their outputs."""
    runner.reset()
    _volumes(env)
    original = harness.strip_annotations(case.original(case.home))
    list_regions = copy.deepcopy(original["States"]["ListRegions"])
    del list_regions["Next"]
    list_regions["End"] = True
    listed = runner.run(
        {"StartAt": "ListRegions", "States": {"ListRegions": list_regions}}, case.input, case.home
    )
    processor = original["States"]["EachRegion"]["ItemProcessor"]
    iteration = {"StartAt": processor["StartAt"], "States": processor["States"]}
    outputs = []
    for region in listed.output["Names"]:
        run = runner.run(iteration, {"region": region}, region)
        assert run.status == "SUCCEEDED", run
        outputs.append(run.output)
    return {
        "status": "SUCCEEDED",
        "error": None,
        "cause": None,
        "output": outputs,
        "failed task attempts": [],
    }


PER_REGION_INVENTORY = Case(
    name="sample-per-region-inventory",
    about="samples/per-region-inventory.asl.json: a Map over every region moto lists (38) with "
    "region=$.region; the reference is composed from native runs of the iteration in each region.",
    source="per-region-inventory.asl.json",
    target="us-west-2",
    setup=_volumes,
    reference=_inventory_reference,
)


# ---------------------------------------------------------------------------------------------- JSONata

REPORT_INPUT = {
    "sourceBucket": "sfnxr-reports-src",
    "targetBucket": "sfnxr-analytics-in",
    "day": "2024-01-02",
    "analyticsRegion": "eu-central-1",
}
REPORT = b'{"day": "2024-01-02", "rows": [{"k": "a\\"b", "v": 1.5}, {"k": "\\u00e9", "v": null}]}'


def _report_copy(env: Env, *, target_bucket: bool = True) -> None:
    bucket(env, "sfnxr-reports-src", {"reports/2024-01-02.json": REPORT}, region=env.home)
    if target_bucket:
        bucket(env, "sfnxr-analytics-in")
    table(env, "report-copies", key="day")


def _report_copy_observed(env: Env) -> Any:
    return {
        "object": s3_object(env, "sfnxr-analytics-in", "incoming/2024-01-02.json"),
        "items": scan(env, "report-copies"),
    }


REPORT_COPY = Case(
    name="sample-jsonata-report-copy",
    about="samples/jsonata-report-copy.asl.json: JSONata Arguments/Output/Assign, a JSONata region "
    "expression (putObject to eu-central-1) and a static region in the ARN (dynamodb putItem).",
    source="jsonata-report-copy.asl.json",
    target="eu-central-1",
    input=REPORT_INPUT,
    setup=_report_copy,
    observe=_report_copy_observed,
)

REPORT_COPY_NO_BUCKET = Case(
    name="sample-jsonata-report-copy-no-bucket",
    about="samples/jsonata-report-copy.asl.json without the target bucket: S3.NoSuchBucketException is "
    "caught and the Fail state ends the run.",
    source="jsonata-report-copy.asl.json",
    target="eu-central-1",
    input=REPORT_INPUT,
    setup=lambda env: _report_copy(env, target_bucket=False),
    expect_status="FAILED",
    expect_errors=("NoBucket",),
    native_unchecked=S3_GLOBAL,
)


# ---------------------------------------------------------------------------------------------- config rules


def _crawl(env: Env) -> None:
    crawls_finish_after(0.5)
    env.client("glue").create_crawler(
        Name="nightly",
        Role=f"arn:aws:iam::{runner.ACCOUNT}:role/glue",
        DatabaseName="lake",
        Targets={"S3Targets": [{"Path": "s3://lake/raw/"}]},
    )
    env.client("logs", env.home).create_log_group(logGroupName="/nightly/crawl")


def _streams(env: Env) -> Any:
    streams = env.client("logs", env.home).describe_log_streams(logGroupName="/nightly/crawl")["logStreams"]
    return sorted(stream["logStreamName"] for stream in streams)


NIGHTLY_CRAWL = Case(
    name="sample-nightly-crawl",
    about="samples/config-rules/nightly-crawl.asl.json: no annotation, .sfnxr.toml routes every Glue call to "
    "eu-west-1; the Log task (cloudwatchlogs, annotated with the home region) stays native; Wait and a "
    "polling Choice loop.",
    source="config-rules/nightly-crawl.asl.json",
    cwd="config-rules",
    target="eu-west-1",
    input={"crawler": "nightly"},
    setup=_crawl,
    observe=_streams,
)


# ---------------------------------------------------------------------------------------------- templates

PRICE_LISTS = "acme-price-lists-eu-west-1"  # the template parameter's default


def _price_lists(env: Env) -> None:
    bucket(env, PRICE_LISTS, {"spring.json": b'{"tea": 3.5, "coffee": {"small": 2, "large": 3.25}}'})


SAM_PRICE_CHECK = Case(
    name="sample-sam-price-check",
    about="samples/sam-app/template.yaml, PriceCheckStateMachine: an inline SAM Definition with !Sub and !Ref "
    "(the bucket is a template parameter); s3 getObject in eu-west-1, ResultSelector States.StringToJson($.Body).",
    source="sam-app/template.yaml",
    machine="PriceCheckStateMachine",
    target="eu-west-1",
    input={"catalog": "spring"},
    setup=_price_lists,
    native_unchecked=S3_GLOBAL,
)


def _orders(env: Env) -> None:
    table(env, "orders", key="orderId")
    if env.home != env.target:
        table(env, "orders", [{"orderId": {"S": "o-1"}}], region=env.home, key="orderId")


SAM_ORDER_INTAKE = Case(
    name="sample-sam-order-intake",
    about="samples/sam-app/template.yaml, OrderIntakeStateMachine: DefinitionUri (the transformed file is "
    "written beside the template) and DefinitionSubstitutions; dynamodb putItem in us-west-2 (region in the "
    "ARN) with States.Format into an N attribute.",
    source="sam-app/template.yaml",
    machine="OrderIntakeStateMachine",
    input={"orderId": "o-1", "total": 12.5},
    setup=_orders,
    observe=lambda env: scan(env, "orders"),
)

ORDER_INTAKE_FILE = Case(
    name="sample-order-intake-definition",
    about="samples/sam-app/statemachine/order-intake.asl.json on its own: a ${OrdersTable} placeholder left "
    "for DefinitionSubstitutions.",
    source="sam-app/statemachine/order-intake.asl.json",
    substitutions={"OrdersTable": "orders"},
    input={"orderId": "o-2", "total": 7},
    setup=_orders,
    observe=lambda env: scan(env, "orders"),
)

BACKUP_BUCKET = "sfnxr-report-backup"


def _report_backup(env: Env) -> None:
    bucket(env, "sfnxr-reports-home", {"2024/report.csv": b"a,b\n1,2\n"}, region=env.home)
    bucket(env, BACKUP_BUCKET)


def _backup_observed(env: Env) -> Any:
    s3 = env.client("s3")
    return {
        "object": s3_object(env, BACKUP_BUCKET, "2024/report.csv"),
        "tags": s3.get_object_tagging(Bucket=BACKUP_BUCKET, Key="2024/report.csv")["TagSet"],
    }


CDK_REPORT_BACKUP = Case(
    name="sample-cdk-report-backup",
    about="samples/cdk/report-backup.template.json: a CDK DefinitionString Fn::Join; s3 copyObject (Comment "
    "directive) and putObjectTagging (region in the ARN) in us-west-2; the copy keeps its input "
    "(ResultPath null) for the tagging step.",
    source="cdk/report-backup.template.json",
    machine="StateMachine2E01A3A5",
    template_values={"BackupBucket8E2B3C51": BACKUP_BUCKET},
    input={"bucket": "sfnxr-reports-home", "key": "2024/report.csv"},
    setup=_report_backup,
    observe=_backup_observed,
    native_unchecked=S3_GLOBAL,
)

REPLICA_BUCKET = "acme-replica-us-west-2"  # the template parameter's default


def _replica(env: Env) -> None:
    bucket(env, REPLICA_BUCKET, {"a.txt": b"replicated", "b.txt": b"kept"})


CFN_REPLICA_AUDIT = Case(
    name="sample-cfn-replica-audit",
    about="samples/cloudformation/replication-audit.template.json, ReplicaAudit: DefinitionString Fn::Sub "
    "without a variable map; s3 headObject in us-west-2.",
    source="cloudformation/replication-audit.template.json",
    machine="ReplicaAudit",
    input={"key": "a.txt"},
    setup=_replica,
    native_unchecked=S3_GLOBAL,
)

CFN_REPLICA_CLEANUP = Case(
    name="sample-cfn-replica-cleanup",
    about="samples/cloudformation/replication-audit.template.json, ReplicaCleanup: Fn::Sub with a variable "
    "map (TimeoutSeconds ${Timeout}); s3 deleteObject in us-west-2 (region in the ARN).",
    source="cloudformation/replication-audit.template.json",
    machine="ReplicaCleanup",
    input={"key": "a.txt"},
    setup=_replica,
    observe=lambda env: sorted(
        o["Key"] for o in env.client("s3").list_objects_v2(Bucket=REPLICA_BUCKET)["Contents"]
    ),
    native_unchecked=S3_GLOBAL,
)

_STACK = json.dumps({"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})


def _old_pipeline(env: Env) -> None:
    env.client("cloudformation").create_stack(StackName="old-pipeline", TemplateBody=_STACK)


def _stacks(env: Env) -> Any:
    stacks = env.client("cloudformation").list_stacks()["StackSummaries"]
    return sorted((stack["StackName"], stack["StackStatus"]) for stack in stacks)


CFN_PIPELINE_CLEANUP = Case(
    name="sample-cfn-pipeline-cleanup",
    about="samples/cloudformation/pipeline-cleanup.yaml: a YAML block scalar under !Sub, "
    "DefinitionSubstitutions from Fn::ImportValue; cloudformation deleteStack in eu-central-1.",
    source="cloudformation/pipeline-cleanup.yaml",
    machine="PipelineCleanup",
    target="eu-central-1",
    input={"stack_name": "old-pipeline"},
    setup=_old_pipeline,
    observe=_stacks,
)


# ---------------------------------------------------------------------------------------------- serverless

SLS = {"sls:stage": "dev", "aws:accountId": runner.ACCOUNT}


def _reports_topic(env: Env) -> None:
    arn = env.client("sns").create_topic(Name="reports-dev")["TopicArn"]
    url = queue(env, "reports-dev-copy")
    queue_arn = env.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    env.client("sns").subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])


def _published(env: Env) -> Any:
    sqs = env.client("sqs")
    url = sqs.get_queue_url(QueueName="reports-dev-copy")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"])["Message"] for message in messages]


SLS_PUBLISH = Case(
    name="sample-serverless-publish-report",
    about="samples/serverless/serverless.yml, publishReport: an inline definition with Serverless variables "
    "(${sls:stage}, ${aws:accountId}); sns publish in eu-west-1 (region in the ARN).",
    source="serverless/serverless.yml",
    machine="publishReport",
    substitutions=SLS,
    target="eu-west-1",
    input={"summary": "all reports published"},
    setup=_reports_topic,
    observe=_published,
)

METRICS_START = datetime(2024, 1, 1, tzinfo=UTC)


def _metrics(env: Env) -> None:
    env.client("cloudwatch").put_metric_data(
        Namespace="Reports",
        MetricData=[
            {"MetricName": "Generated", "Timestamp": METRICS_START + timedelta(hours=h), "Value": float(h)}
            for h in range(3)
        ],
    )


SLS_METRICS = Case(
    name="sample-serverless-collect-metrics",
    about="samples/serverless/serverless.yml, collectMetrics: a definition in ${file(...)}; cloudwatch "
    "getMetricData in ap-northeast-1, timestamps in the request (strings) and in the result (a list).",
    source="serverless/serverless.yml",
    machine="collectMetrics",
    substitutions=SLS,
    target="ap-northeast-1",
    input={
        "start": "2024-01-01T00:00:00Z",
        "end": "2024-01-02T00:00:00Z",
        "queries": [
            {
                "Id": "m1",
                "MetricStat": {
                    "Metric": {"Namespace": "Reports", "MetricName": "Generated"},
                    "Period": 3600,
                    "Stat": "Sum",
                },
                "ReturnData": True,
            }
        ],
    },
    setup=_metrics,
)


# ---------------------------------------------------------------------------------------------- terraform

TERRAFORM = {
    "description": "Nightly DR",
    "prefix": "dr",
    "dr_kms_key_arn": f"arn:aws:kms:eu-west-1:{runner.ACCOUNT}:alias/dr",
    "region": "{home}",  # the machine's own region: where the source snapshot and the function are
    "jsonencode(tags)": json.dumps([{"Key": "team", "Value": "dba"}]),
    "retry_statement": json.dumps([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]),
    "timeout_seconds": "30",
    "account_id": runner.ACCOUNT,
    "notify_function": "notify-dr",
}


def _snapshot(env: Env) -> None:
    rds = env.client("rds", "us-east-1")  # the source snapshot (the input names it)
    rds.create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="password1",
        AllocatedStorage=20,
    )
    rds.create_db_snapshot(DBInstanceIdentifier="orders-db", DBSnapshotIdentifier="nightly-2024-01-02")
    kms = env.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/dr", TargetKeyId=key)
    echo_function(env, "notify-dr", env.home)


TERRAFORM_SNAPSHOT_COPY = Case(
    name="sample-terraform-snapshot-copy",
    about="samples/terraform/snapshot-copy.asl.json.tpl: a templatefile with ${...} variables (a "
    "${jsonencode(tags)} in value position); rds copyDBSnapshot to eu-west-1 (the DB acronyms: "
    "DbSnapshot, DbSnapshotIdentifier, IamDatabaseAuthenticationEnabled), then a user's Lambda (moto's echo).",
    source="terraform/snapshot-copy.asl.json.tpl",
    substitutions=TERRAFORM,
    target="eu-west-1",
    input={
        "snapshotArn": f"arn:aws:rds:us-east-1:{runner.ACCOUNT}:snapshot:nightly-2024-01-02",
        "snapshotId": "2024-01-02",
    },
    setup=_snapshot,
    volatile=("DbiResourceId",),
)


CASES = (
    CALLBACK_APPROVED,
    CALLBACK_REJECTED,
    GLOBAL_CERTIFICATE,
    PER_REGION_INVENTORY,
    REPORT_COPY,
    REPORT_COPY_NO_BUCKET,
    NIGHTLY_CRAWL,
    SAM_PRICE_CHECK,
    SAM_ORDER_INTAKE,
    ORDER_INTAKE_FILE,
    CDK_REPORT_BACKUP,
    CFN_REPLICA_AUDIT,
    CFN_REPLICA_CLEANUP,
    CFN_PIPELINE_CLEANUP,
    SLS_PUBLISH,
    SLS_METRICS,
    TERRAFORM_SNAPSHOT_COPY,
)
