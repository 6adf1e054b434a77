"""Definitions adapted from ../shared/corpus/realworld/ (public workflows; see its MANIFEST.tsv).

Each keeps its file's structure: its states, their order, paths, selectors, Retry and Catch. What changes
is listed in the case's ``adapted`` note: placeholders filled in, an ``@sfnxr`` annotation on the aws-sdk
tasks, an optimized integration (``arn:aws:states:::dynamodb:putItem``) written as the equivalent aws-sdk
task (sfnxr reroutes aws-sdk tasks only), and what moto cannot serve (a user's Lambda function, Athena,
a Distributed Map over an S3 listing) replaced by a Pass state of the same name.
"""

from __future__ import annotations

import json
from typing import Any

from tests.equivalence import runner
from tests.equivalence.cases.aws import (
    at,
    bucket,
    crawls_finish_after,
    decoys,
    echo_function,
    queue,
    scan,
    send_task_result,
    table,
)
from tests.equivalence.cases.features import S3_GLOBAL
from tests.equivalence.harness import REPO, TARGET, Case, Env

CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
ANNOTATION = at(TARGET)


def corpus(name: str) -> dict[str, Any]:
    data = json.loads((CORPUS / name).read_text())
    assert isinstance(data, dict)
    return data


def substitute(definition: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """Fill ``${Name}`` placeholders (DefinitionSubstitutions) in every string."""
    text = json.dumps(definition)
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    result = json.loads(text)
    assert isinstance(result, dict)
    return result


def states(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state by name, at any depth (names are unique in these files)."""
    found: dict[str, dict[str, Any]] = {}

    def walk(machine: dict[str, Any]) -> None:
        for name, state in machine.get("States", {}).items():
            found[name] = state
            for branch in state.get("Branches", []):
                walk(branch)
            for key in ("Iterator", "ItemProcessor"):
                if key in state:
                    walk(state[key])

    walk(definition)
    return found


def annotate(definition: dict[str, Any], *names: str) -> None:
    """Send these states to the target region with a Comment directive; an optimized DynamoDB
    integration becomes the aws-sdk one (same Parameters, same result shape)."""
    by_name = states(definition)
    for name in names:
        state = by_name[name]
        resource = state["Resource"]
        if resource.startswith("arn:aws:states:::dynamodb:"):
            state["Resource"] = resource.replace(":::dynamodb:", ":::aws-sdk:dynamodb:")
        comment = state.get("Comment")
        state["Comment"] = f"{comment} {ANNOTATION}" if comment else ANNOTATION


def replace_with_pass(definition: dict[str, Any], name: str, **fields: Any) -> None:
    """Replace a state moto cannot serve with a Pass state keeping its name, transitions and paths."""
    state = states(definition)[name]
    kept: dict[str, Any] = {
        k: state[k] for k in ("Next", "End", "InputPath", "ResultPath", "OutputPath") if k in state
    }
    state.clear()
    state.update({"Type": "Pass", **fields, **kept})


# ---------------------------------------------------------------------------------------------- migrations

MIGRATE_TABLE = "migrate-items"


def _migrations() -> dict[str, Any]:
    definition = substitute(
        corpus("aws-samples__step-functions-workflows-collection__dynamodb-migrations.asl.json"),
        {"MigrateTableName": MIGRATE_TABLE, "MigrateFunctionArn": "migrate-record"},
    )
    states(definition)["Initial Scan"]["Parameters"]["Limit"] = 2  # page through six items
    annotate(
        definition, "Create DDB Backup", "Initial Scan", "Get the next set of records", "Update record in DDB"
    )
    return definition


def _migration_setup(env: Env) -> None:
    table(
        env,
        MIGRATE_TABLE,
        [{"id": {"S": f"r{i}"}, "v": {"N": str(i)}, "ok": {"BOOL": i % 2 == 0}} for i in range(6)],
    )
    # The user's migration function, in the machine's own region. moto's Lambda (no Docker) answers with its
    # payload: the migration is the identity, which is all the workflow's structure needs.
    echo_function(env, "migrate-record", env.home)


def _migration_observed(env: Env) -> Any:
    backups = env.client("dynamodb").list_backups(TableName=MIGRATE_TABLE)["BackupSummaries"]
    return {"items": scan(env, MIGRATE_TABLE), "backups": sorted(b["BackupName"] for b in backups)}


MIGRATIONS = Case(
    name="realworld-dynamodb-migrations",
    about="step-functions-workflows-collection dynamodb-migrations: createBackup, a paginated scan (Choice "
    "on $.LastEvaluatedKey IsPresent, ExclusiveStartKey.$), a legacy Iterator Map whose Lambda output is "
    "written back with putItem. Adapted: placeholders; Initial Scan Limit 2 (was 50) so that it pages; the "
    "optimized dynamodb:putItem as aws-sdk; the migration function is moto's echo.",
    definition=_migrations(),
    setup=_migration_setup,
    observe=_migration_observed,
    volatile=("BackupArn", "BackupCreationDateTime"),
)


# ---------------------------------------------------------------------------------------------- idempotency

IDEMPOTENCY_TABLE = "IdempotentStepfunctionsWorkflowStack-IdempotentStepfunctionsWorkflowIdempotencyTable276F57BD-VXO568YJ8PJ7"


def _idempotent() -> dict[str, Any]:
    definition = corpus("aws-samples__step-functions-workflows-collection__idempotent-workflow.asl.json")
    replace_with_pass(
        definition,
        "Create idempotency settings (key and ttl)",
        Parameters={
            "orderId.$": "$.orderId",
            "idempotencyConfig": {"idempotencyKey.$": "$.orderId", "ttl": "1893456000"},
        },
    )
    replace_with_pass(definition, "(which can fail occasionally)", Result={"statusCode": 200})
    annotate(
        definition,
        "Create and lock idempotency record",
        "Get idempotency record from DynamoDB",
        "Save execution results",
        "Save failure",
    )
    return definition


def _idempotency_table(env: Env, *items: dict[str, Any]) -> None:
    table(env, IDEMPOTENCY_TABLE, items)


IDEMPOTENT_FIRST_RUN = Case(
    name="realworld-idempotent-workflow-first-run",
    about="step-functions-workflows-collection idempotent-workflow, first run: transactWriteItems takes the "
    "lock (ConditionExpression), the Parallel workflow runs, updateItem saves the result. Adapted: the two "
    "Lambda functions are Pass states; the optimized dynamodb getItem/updateItem as aws-sdk.",
    definition=_idempotent(),
    input={"orderId": "order-1"},
    setup=_idempotency_table,
    observe=lambda env: scan(env, IDEMPOTENCY_TABLE),
)

IDEMPOTENT_REPLAY = Case(
    name="realworld-idempotent-workflow-replay",
    about="idempotent-workflow, a replay: the record says SUCCEEDED, transactWriteItems fails with "
    "DynamoDb.TransactionCanceledException, the Catch reads the record (getItem) and returns the saved "
    "result through States.StringToJson.",
    definition=_idempotent(),
    input={"orderId": "order-2"},
    setup=lambda env: _idempotency_table(
        env,
        {
            "id": {"S": "order-2"},
            "executionstatus": {"S": "SUCCEEDED"},
            "executionresult": {"S": '{"step1":{"result":"saved"}}'},
        },
    ),
    expect_errors=("DynamoDb.TransactionCanceledException",),
)


# ---------------------------------------------------------------------------------------------- LocalStack


def _no_such_key() -> dict[str, Any]:
    definition = corpus("localstack__localstack__errorhandling-aws-sdk-s3-no-such-key.json5")
    annotate(definition, "StartState")
    return definition


LOCALSTACK_NO_SUCH_KEY = Case(
    name="realworld-localstack-s3-no-such-key",
    about="LocalStack's aws_sdk_task_error_s3_no_such_key (JSONata): Catch S3.NoSuchKeyException with "
    "Output {% $states.errorOutput %} into a Fail state without Error.",
    definition=_no_such_key(),
    input={"Bucket": "sfnxr-localstack"},
    setup=lambda env: bucket(env, "sfnxr-localstack"),
    expect_status="FAILED",
    native_unchecked=S3_GLOBAL,
)


def _create_secret() -> dict[str, Any]:
    definition = corpus("localstack__localstack__errorhandling-aws-sdk-secretsmanager-create-secret.json5")
    annotate(definition, "CreateSecret")
    return definition


LOCALSTACK_CREATE_SECRET = Case(
    name="realworld-localstack-secretsmanager-create-secret",
    about="LocalStack's aws_sdk_task_error_secretsmanager_crate_secret: createSecret of a name that exists, "
    "Catch States.TaskFailed with ResultPath: SecretsManager.ResourceExistsException and its Cause.",
    definition=_create_secret(),
    input={"Name": "shared/api", "SecretString": "new value"},
    setup=lambda env: env.client("secretsmanager").create_secret(Name="shared/api", SecretString="old"),
    expect_errors=("SecretsManager.ResourceExistsException",),
)


# ---------------------------------------------------------------------------------------------- CRUD

CRUD_TABLE = "crud-items"


def _crud() -> dict[str, Any]:
    definition = substitute(
        corpus("aws-samples__serverless-patterns__apigw-sfn-crud.asl.json"), {"DDBTable": CRUD_TABLE}
    )
    annotate(definition, "Scan", "Create Item", "Get Item", "Update Item", "DynamoDB DeleteItem")
    return definition


def _crud_setup(env: Env) -> None:
    table(
        env,
        CRUD_TABLE,
        [
            {"id": {"S": "k1"}, "data": {"M": {"name": {"S": "one"}, "n": {"N": "1"}, "on": {"BOOL": True}}}},
            {
                "id": {"S": "k2"},
                "data": {"M": {"name": {"S": "two"}, "list": {"L": [{"S": "a"}, {"NULL": True}]}}},
            },
        ],
    )
    if decoys(env):
        table(env, CRUD_TABLE, [{"id": {"S": "k1"}, "data": {"M": {}}}], region=env.home)


CRUD_GET = Case(
    name="realworld-apigw-crud-get",
    about="serverless-patterns apigw-sfn-crud, GET /items/k2: Choice on $.pathParam, getItem with a nested "
    "M/L/NULL attribute (Nul). Adapted: ${DDBTable}; the optimized dynamodb tasks as aws-sdk.",
    definition=_crud(),
    input={"httpMethod": "GET", "pathParam": "k2"},
    setup=_crud_setup,
)

CRUD_SCAN = Case(
    name="realworld-apigw-crud-scan",
    about="apigw-sfn-crud, GET /items: the aws-sdk scan's whole result (Items, Count, ScannedCount).",
    definition=_crud(),
    input={"httpMethod": "GET"},
    setup=_crud_setup,
)

CRUD_CREATE = Case(
    name="realworld-apigw-crud-create",
    about="apigw-sfn-crud, POST: putItem with id States.UUID() and data M.$ from the input; ResultPath null.",
    definition=_crud(),
    input={"httpMethod": "POST", "data": {"name": {"S": "three"}, "tags": {"SS": ["x"]}}},
    setup=_crud_setup,
    observe=lambda env: [item for item in scan(env, CRUD_TABLE) if item["id"]["S"] not in ("k1", "k2")],
)


# ---------------------------------------------------------------------------------------------- Glue crawler

CRAWLER = "storm_events_data_crawler"


def _storm_events() -> dict[str, Any]:
    definition = corpus(
        "aws-samples__step-functions-workflows-collection__ingest-historical-storm-events.asl.json"
    )
    # A Distributed Map reading an S3 listing into a user's Lambda, and Athena .sync: not what this case is
    # about, and Athena's .sync is not in moto: Pass states of the same names.
    replace_with_pass(definition, "Ingest From S3", Result={"ingested": 0}, ResultPath=None)
    replace_with_pass(definition, "Query Storm Data", Parameters={"crawler.$": "$.Crawler"})
    annotate(definition, "Crawl Storm Data", "Get Crawler Status")
    return definition


def _crawler(env: Env) -> None:
    crawls_finish_after(0.5)
    env.client("glue").create_crawler(
        Name=CRAWLER,
        Role=f"arn:aws:iam::{runner.ACCOUNT}:role/glue-crawler",
        DatabaseName="storm_events_db",
        Targets={"S3Targets": [{"Path": "s3://storm-events/details/", "Exclusions": ["*.tmp"]}]},
        Tags={"team": "data"},
    )


STORM_EVENTS = Case(
    name="realworld-ingest-storm-events-crawler",
    about="step-functions-workflows-collection ingest-historical-storm-events: glue startCrawler with a "
    "Retry on Glue.CrawlerRunningException, then Wait / getCrawler / Choice on $.Crawler.State until READY; "
    "the Crawler (timestamps, nested targets) is the output. Adapted: the Distributed Map and the Athena "
    "query are Pass states.",
    definition=_storm_events(),
    setup=_crawler,
    volatile=("CrawlElapsedTime",),
)


# ---------------------------------------------------------------------------------------------- CDK integ


def _cdk() -> dict[str, Any]:
    template = corpus("aws__aws-cdk__integ-call-aws-service.template.json")
    machine = next(
        r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"
    )
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    refs = {"AWS::Partition": "aws", "Bucket83908E77": "sfnxr-cdk-integ"}
    text = "".join(part if isinstance(part, str) else refs[part["Ref"]] for part in parts)
    definition: dict[str, Any] = json.loads(text)
    annotate(definition, "PutObject", "GetObject", "DeleteObject")
    return definition


CDK_INTEG = Case(
    name="realworld-cdk-call-aws-service",
    about="aws-cdk's integ.call-aws-service snapshot: s3 putObject (Body.$ from the input), getObject, "
    "deleteObject with ResultPath null. Adapted: the CloudFormation Fn::Join resolved.",
    definition=_cdk(),
    input={"body": "hello from the harness"},
    setup=lambda env: bucket(env, "sfnxr-cdk-integ"),
    observe=lambda env: sorted(
        o["Key"] for o in env.client("s3").list_objects_v2(Bucket="sfnxr-cdk-integ").get("Contents", [])
    ),
    native_unchecked=S3_GLOBAL,
)


# ---------------------------------------------------------------------------------------------- monitor

MONITOR_TABLE = "workflow-monitor"
MONITOR_QUEUE = "workflow-monitor-events"


def _monitor() -> dict[str, Any]:
    original = corpus(
        "aws-samples__step-functions-workflows-collection__event-driven-workflow-monitor.asl.json"
    )
    text = json.dumps(original).replace("<TableName>", MONITOR_TABLE).replace("<EventBusARN>", "default")
    definition: dict[str, Any] = json.loads(text)
    states(definition)["YourWorkGoesHere"]["Seconds"] = 10  # a placeholder for the user's work (was 1000)
    annotate(definition, "StartWorkflowMonitoring")
    return definition


def _monitor_setup(env: Env) -> None:
    table(env, MONITOR_TABLE, key="workflowkey")
    # The optimized events:putEvents task stays native: its event goes to an SQS queue at home.
    url = queue(env, MONITOR_QUEUE, region=env.home)
    arn = env.client("sqs", env.home).get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    events = env.client("events", env.home)
    events.put_rule(Name="monitor", EventPattern=json.dumps({"source": ["workflow.sfn"]}))
    events.put_targets(Rule="monitor", Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}])


def _answer_both(env: Env, execution_arn: str, region: str) -> bool:
    """Answer the DynamoDB task's token (read from the item it wrote in the target region) and the
    EventBridge task's token (read from the event delivered to the queue at home)."""
    tokens = _tokens.setdefault(execution_arn, {})
    if "item" not in tokens:
        items = env.client("dynamodb").scan(TableName=MONITOR_TABLE)["Items"]
        if items:
            tokens["item"] = items[0]["tasktoken"]["S"]
    if "event" not in tokens:
        sqs = env.client("sqs", env.home)
        url = sqs.get_queue_url(QueueName=MONITOR_QUEUE)["QueueUrl"]
        messages = sqs.receive_message(QueueUrl=url).get("Messages", [])
        if messages:
            tokens["event"] = json.loads(messages[0]["Body"])["detail"]["tasktoken"]
    for which, answer in (("item", "started"), ("event", "stopped")):
        token = tokens.get(which)
        if token and send_task_result(region, token, output={"monitor": answer}):
            tokens[which] = ""  # answered
    return tokens == {"item": "", "event": ""}


_tokens: dict[str, dict[str, str]] = {}  # execution ARN -> token kind -> token ("" once answered)

MONITOR = Case(
    name="realworld-event-driven-workflow-monitor",
    about="step-functions-workflows-collection event-driven-workflow-monitor: a Parallel whose first branch "
    "is dynamodb putItem.waitForTaskToken (the token stored in an item) and whose second waits, then sends "
    "an EventBridge event with its own token; the harness answers both. Adapted: the placeholders, the Wait "
    "(1000 s -> 10 s).",
    definition=_monitor(),
    input={"workflowkey": "wf-42"},
    setup=_monitor_setup,
    callback=_answer_both,
    observe=lambda env: [
        {k: v for k, v in item.items() if k != "tasktoken"} for item in scan(env, MONITOR_TABLE)
    ],
)


CASES = (
    MIGRATIONS,
    IDEMPOTENT_FIRST_RUN,
    IDEMPOTENT_REPLAY,
    LOCALSTACK_NO_SUCH_KEY,
    LOCALSTACK_CREATE_SECRET,
    CRUD_GET,
    CRUD_SCAN,
    CRUD_CREATE,
    STORM_EVENTS,
    CDK_INTEG,
    MONITOR,
)
