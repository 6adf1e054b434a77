"""The naming catalog over every botocore service, the generator, and the model reader."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sfnxr_proxy import catalog, models
from sfnxr_proxy.naming import java_service_name

ROOT = Path(__file__).resolve().parents[2]
NAMES_FILE = ROOT / "lambda_src" / "sfnxr_proxy" / "_names.json"


def _gen_names() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_names", ROOT / "scripts" / "gen_names.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ALIASES = {"sms-voice": "pinpointsmsvoice"}


def test_every_botocore_service_has_one_id_and_back() -> None:
    ids = set()
    for boto3_name in models.service_names():
        info = catalog.service_by_boto3_name(boto3_name)
        assert info is not None, boto3_name
        if boto3_name in ALIASES:
            assert info.sfn_id == ALIASES[boto3_name]
            continue
        assert info.boto3_name == boto3_name
        assert info.sfn_id not in ids, info.sfn_id
        ids.add(info.sfn_id)
        assert catalog.service_by_sfn_id(info.sfn_id) == info
    assert ids == set(catalog.sfn_ids())
    assert catalog.sfn_ids() == sorted(catalog.sfn_ids())


def test_entries_follow_the_rules() -> None:
    for sfn_id in catalog.sfn_ids():
        info = catalog.service_by_sfn_id(sfn_id)
        assert info is not None
        model = models.load_service_model(info.boto3_name)
        assert info.error_prefix == java_service_name(model["metadata"]["serviceId"])
        assert info.sfn_id == info.error_prefix.lower()
        assert info.operations == tuple(sorted(model["operations"]))
        assert info.iam_prefix


def test_ids_that_differ_from_the_boto3_name_are_the_researched_23() -> None:
    differ = {
        info.boto3_name: info.sfn_id
        for info in map(catalog.service_by_sfn_id, catalog.sfn_ids())
        if info is not None and info.sfn_id != info.boto3_name.replace("-", "")
    }
    assert differ == {
        "ce": "costexplorer",
        "cognito-idp": "cognitoidentityprovider",
        "cur": "costandusagereport",
        "discovery": "applicationdiscovery",
        "dms": "databasemigration",
        "ds": "directory",
        "ds-data": "directoryservicedata",
        "elb": "elasticloadbalancing",
        "elbv2": "elasticloadbalancingv2",
        "es": "elasticsearch",
        "events": "eventbridge",
        "iot-data": "iotdataplane",
        "iot-jobs-data": "iotjobsdataplane",
        "lex-models": "lexmodelbuilding",
        "lexv2-models": "lexmodelsv2",
        "lexv2-runtime": "lexruntimev2",
        "logs": "cloudwatchlogs",
        "meteringmarketplace": "marketplacemetering",
        "mgh": "migrationhub",
        "sdb": "simpledb",
        "serverlessrepo": "serverlessapplicationrepository",
        "stepfunctions": "sfn",
    }
    # the 23rd of the research notes, sms-voice, shares "pinpointsmsvoice" with pinpoint-sms-voice
    assert catalog.service_by_boto3_name("sms-voice") == catalog.service_by_boto3_name("pinpoint-sms-voice")


@pytest.mark.parametrize(
    ("sfn_id", "boto3_name", "error_prefix", "iam_prefix"),
    [  # ids and error prefixes documented by AWS or recorded from Step Functions (research notes)
        ("s3", "s3", "S3", "s3"),
        ("sfn", "stepfunctions", "Sfn", "states"),
        ("cloudwatchlogs", "logs", "CloudWatchLogs", "logs"),
        ("cognitoidentityprovider", "cognito-idp", "CognitoIdentityProvider", "cognito-idp"),
        ("elasticloadbalancingv2", "elbv2", "ElasticLoadBalancingV2", "elasticloadbalancing"),
        ("bedrockagent", "bedrock-agent", "BedrockAgent", "bedrock"),
        ("ssoadmin", "sso-admin", "SsoAdmin", "sso"),
        ("emrserverless", "emr-serverless", "EmrServerless", "emr-serverless"),
        ("redshiftdata", "redshift-data", "RedshiftData", "redshift-data"),
        ("resourcegroupstaggingapi", "resourcegroupstaggingapi", "ResourceGroupsTaggingApi", "tag"),
        ("dynamodb", "dynamodb", "DynamoDb", "dynamodb"),
        ("acmpca", "acm-pca", "AcmPca", "acm-pca"),
        ("rds", "rds", "Rds", "rds"),
        ("ec2", "ec2", "Ec2", "ec2"),
        ("secretsmanager", "secretsmanager", "SecretsManager", "secretsmanager"),
        ("eventbridge", "events", "EventBridge", "events"),
        ("lambda", "lambda", "Lambda", "lambda"),
        ("sqs", "sqs", "Sqs", "sqs"),
        ("kms", "kms", "Kms", "kms"),
        ("cloudwatch", "cloudwatch", "CloudWatch", "cloudwatch"),
        ("apigateway", "apigateway", "ApiGateway", "apigateway"),
        ("databasemigration", "dms", "DatabaseMigration", "dms"),
    ],
)
def test_documented_services(sfn_id: str, boto3_name: str, error_prefix: str, iam_prefix: str) -> None:
    info = catalog.service_by_sfn_id(sfn_id)
    assert info is not None
    assert (info.boto3_name, info.error_prefix, info.iam_prefix) == (boto3_name, error_prefix, iam_prefix)
    assert catalog.service_by_boto3_name(boto3_name) == info


def test_stepfunctions_is_not_an_id() -> None:
    # AWS accepts only "sfn"; the CLI can still find the boto3 name to suggest it
    assert catalog.service_by_sfn_id("stepfunctions") is None
    assert catalog.service_by_boto3_name("stepfunctions") == catalog.service_by_sfn_id("sfn")


def test_every_action_in_the_corpus_resolves() -> None:
    corpus = ROOT.parent / "shared" / "corpus" / "realworld"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not here")
    import re

    found = set()
    for path in corpus.iterdir():
        if path.is_file():
            found |= set(re.findall(r"aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)", path.read_text(errors="replace")))
    assert len(found) > 150
    missing = set()
    for sfn_id, action in found:
        info = catalog.service_by_sfn_id(sfn_id)
        if info is None or catalog.operation_for_action(info, action) is None:
            missing.add((sfn_id, action))
    # IoT Analytics was retired: botocore no longer ships its model
    assert {sfn_id for sfn_id, _ in missing} == {"iotanalytics"}


def test_actions_match_exactly() -> None:
    s3 = catalog.service_by_sfn_id("s3")
    rds = catalog.service_by_sfn_id("rds")
    assert s3 is not None and rds is not None
    assert catalog.operation_for_action(s3, "getObject") == "GetObject"
    assert catalog.operation_for_action(s3, "listObjectsV2") == "ListObjectsV2"
    assert catalog.operation_for_action(rds, "describeDBInstances") == "DescribeDBInstances"
    for wrong in ("GetObject", "getobject", "getObject ", "get_object", "describeDbInstances"):
        assert catalog.operation_for_action(s3, wrong) is None
    assert catalog.operation_for_action(rds, "describeDbInstances") is None
    assert catalog.action_name("ListObjectsV2") == "listObjectsV2"


def test_suggest() -> None:
    s3 = catalog.service_by_sfn_id("s3")
    assert s3 is not None
    actions = [catalog.action_name(op) for op in s3.operations]
    assert catalog.suggest("getobject", actions)[0] == "getObject"
    assert catalog.suggest("GetObject", actions)[0] == "getObject"
    assert "getObject" in catalog.suggest("getObjekt", actions)
    assert catalog.suggest("dynamodbb", catalog.sfn_ids())[0] == "dynamodb"
    assert catalog.suggest("zzzzzzzz", catalog.sfn_ids()) == []
    assert len(catalog.suggest("list", actions, n=2)) <= 2


def test_unsupported_reason() -> None:
    assert catalog.unsupported_reason("s3", "selectObjectContent")
    assert catalog.unsupported_reason("lambda", "invokeAsync")
    assert catalog.unsupported_reason("emr", "describeJobFlows")
    assert "streams events" in (catalog.unsupported_reason("bedrockruntime", "converseStream") or "")
    assert catalog.unsupported_reason("s3", "getObject") is None
    assert catalog.unsupported_reason("nosuchservice", "getObject") is None


def test_input_members() -> None:
    members = models.input_members("rds", "DescribeDBInstances")
    assert members["DbInstanceIdentifier"] == "DBInstanceIdentifier"
    assert models.input_members("apigateway", "GetRestApis") == {"Position": "position", "Limit": "limit"}
    assert models.input_members("bedrock-agent", "GetIngestionJob") == {
        "KnowledgeBaseId": "knowledgeBaseId",
        "DataSourceId": "dataSourceId",
        "IngestionJobId": "ingestionJobId",
    }
    assert models.input_members("sts", "GetCallerIdentity") == {}
    assert models.input_members("iam", "DeleteAccountPasswordPolicy") == {}
    with pytest.raises(KeyError):
        models.input_members("s3", "NoSuchOperation")
    with pytest.raises(KeyError):
        models.input_members("no-such-service", "GetObject")


def test_models_are_read_as_botocore_reads_them() -> None:
    assert models.load_service_model("dynamodb")["metadata"]["apiVersion"] == "2012-08-10"  # newest of two
    # service-2.sdk-extras.json is merged
    assert "SourceRegion" in models.load_service_model("rds")["shapes"]["CopyDBSnapshotMessage"]["members"]
    for bad in ("../s3", ".", "s3/2006-03-01"):
        with pytest.raises(KeyError):
            models.load_service_model(bad)


def test_catalog_modules_never_import_botocore() -> None:
    code = (
        "import sys\n"
        "from sfnxr_proxy import catalog, models, naming\n"
        "info = catalog.service_by_sfn_id('rds')\n"
        "catalog.operation_for_action(info, 'describeDBInstances')\n"
        "models.input_members('rds', 'DescribeDBInstances')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_committed_names_file_is_what_the_generator_writes(tmp_path: Path) -> None:
    committed = NAMES_FILE.read_text(encoding="utf-8")
    generated_for = json.loads(committed)["botocore"]
    assert generated_for == models.botocore_version(), (
        f"_names.json was generated from botocore {generated_for}, this is {models.botocore_version()}: "
        "install the botocore that pyproject.toml's test extra pins, or run scripts/gen_names.py"
    )
    output = tmp_path / "names.json"
    assert _gen_names().main(["-o", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == committed
    lines = committed.splitlines()
    assert len(lines) == len(catalog.sfn_ids()) + 2  # one service per line, diff-friendly
