"""DynamoDB, Step Functions, camelCase-model services, SSM, Secrets Manager, Lambda and error names, through
the proxy against the moto server."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest

from sfnxr_proxy.errors import ProxyError
from tests.support.moto_server import configure

from .conftest import Proxy, unique

ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z\Z")


def _error_name(proxy: Proxy, service: str, action: str, parameters: dict[str, Any]) -> str:
    with pytest.raises(ProxyError) as info:
        proxy.call(service, action, parameters)
    return type(info.value).__name__


@pytest.fixture
def role(proxy: Proxy) -> str:
    arn: str = proxy.client("iam").create_role(RoleName=unique("role"), AssumeRolePolicyDocument="{}")[
        "Role"
    ]["Arn"]
    return arn


@pytest.fixture
def table(proxy: Proxy) -> str:
    name = unique("table")
    proxy.call(
        "dynamodb",
        "createTable",
        {
            "TableName": name,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    return name


def test_dynamodb_put_get_query(proxy: Proxy, table: str) -> None:
    item = {
        "pk": {"S": "user#1"},
        "sk": {"N": "1"},
        "active": {"Bool": True},
        "gone": {"Nul": True},
        "tags": {"Ss": ["a", "b"]},
        "profile": {"M": {"age": {"N": "42"}, "admin": {"BOOL": False}}},
    }
    assert proxy.call("dynamodb", "putItem", {"TableName": table, "Item": item}) == {}
    got = proxy.call(
        "dynamodb", "getItem", {"TableName": table, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "1"}}}
    )
    expected = {**item, "profile": {"M": {"age": {"N": "42"}, "admin": {"Bool": False}}}}
    assert got == {"Item": expected}
    query = proxy.call(
        "dynamodb",
        "query",
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": "user#1"}},
        },
    )
    assert query["Count"] == 1
    assert query["Items"] == [expected]


def test_dynamodb_errors(proxy: Proxy, table: str) -> None:
    assert (
        _error_name(proxy, "dynamodb", "getItem", {"TableName": unique("missing"), "Key": {"pk": {"S": "x"}}})
        == "DynamoDb.ResourceNotFoundException"
    )
    key = {"pk": {"S": "once"}, "sk": {"N": "1"}}
    proxy.call("dynamodb", "putItem", {"TableName": table, "Item": key})
    condition = {"TableName": table, "Item": key, "ConditionExpression": "attribute_not_exists(pk)"}
    assert _error_name(proxy, "dynamodb", "putItem", condition) == "DynamoDb.ConditionalCheckFailedException"
    # a validation error: DynamoDB does not model ValidationException, so Java raises its base exception
    bad = {
        "TableName": table,
        "KeyConditionExpression": "pk = = :v",
        "ExpressionAttributeValues": {":v": {"S": "x"}},
    }
    assert _error_name(proxy, "dynamodb", "query", bad) == "DynamoDb.DynamoDbException"


def test_sfn_start_and_describe_execution(proxy: Proxy, role: str) -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    machine = proxy.call(
        "sfn", "createStateMachine", {"Name": unique("m"), "Definition": definition, "RoleArn": role}
    )
    assert ISO_INSTANT.match(machine["CreationDate"])
    started = proxy.call(
        "sfn", "startExecution", {"StateMachineArn": machine["StateMachineArn"], "Input": {"key": "value"}}
    )
    assert set(started) == {"ExecutionArn", "StartDate"}
    described = proxy.call("sfn", "describeExecution", {"ExecutionArn": started["ExecutionArn"]})
    assert described["Input"] == '{"key":"value"}'
    assert described["StateMachineArn"] == machine["StateMachineArn"]
    assert described["StartDate"] == started["StartDate"]
    missing = {"ExecutionArn": started["ExecutionArn"] + "-nope"}
    assert _error_name(proxy, "sfn", "describeExecution", missing) == "Sfn.ExecutionDoesNotExistException"


def test_apigateway_camel_case_model(proxy: Proxy) -> None:
    name = unique("api")
    created = proxy.call("apigateway", "createRestApi", {"Name": name, "Description": "d"})
    assert created["Name"] == name and "Id" in created
    apis = proxy.call("apigateway", "getRestApis", {"Limit": 500})
    mine = [api for api in apis["Items"] if api["Name"] == name]
    assert len(mine) == 1
    assert ISO_INSTANT.match(mine[0]["CreatedDate"])
    assert all(key[0].isupper() for key in mine[0])


def test_ecs_camel_case_model(proxy: Proxy) -> None:
    name = unique("cluster")
    created = proxy.call("ecs", "createCluster", {"ClusterName": name, "Tags": [{"Key": "k", "Value": "v"}]})
    assert created["Cluster"]["ClusterName"] == name
    assert created["Cluster"]["Status"] == "ACTIVE"
    # the model's own spelling (clusters) is accepted too
    described = proxy.call("ecs", "describeClusters", {"clusters": [name], "Include": ["TAGS"]})
    assert described["Clusters"][0]["ClusterArn"] == created["Cluster"]["ClusterArn"]
    assert described["Clusters"][0]["Tags"] == [{"Key": "k", "Value": "v"}]
    assert described["Failures"] == []


def test_ssm_get_parameter(proxy: Proxy) -> None:
    name = "/" + unique("param")
    proxy.client("ssm").put_parameter(Name=name, Value="v1", Type="String")
    result = proxy.call("ssm", "getParameter", {"Name": name})
    assert result["Parameter"]["Value"] == "v1"
    assert ISO_INSTANT.match(result["Parameter"]["LastModifiedDate"])
    assert _error_name(proxy, "ssm", "getParameter", {"Name": name + "x"}) == "Ssm.ParameterNotFoundException"


def test_secrets_manager_value_never_reaches_the_log(
    proxy: Proxy, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "s3cr3t-" + unique("value")
    name = unique("secret")
    proxy.client("secretsmanager").create_secret(Name=name, SecretString=secret)
    capsys.readouterr()
    result = proxy.call("secretsmanager", "getSecretValue", {"SecretId": name})
    assert result["SecretString"] == secret
    proxy.call("secretsmanager", "putSecretValue", {"SecretId": name, "SecretString": secret + "2"})
    with pytest.raises(ProxyError):
        proxy.call("secretsmanager", "getSecretValue", {"SecretId": name, "VersionId": secret})
    out, err = capsys.readouterr()
    assert secret not in out + err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["action"] for line in lines] == ["getSecretValue", "putSecretValue", "getSecretValue"]
    assert lines[0]["error"] is None and lines[2]["error"].startswith("SecretsManager.")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def test_lambda_invoke_payload(proxy: Proxy, role: str) -> None:
    configure(proxy.endpoint, {"lambda": {"use_docker": False}})  # moto then echoes the payload
    name = unique("fn")
    proxy.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler", Code={"ZipFile": _zip()}
    )
    result = proxy.call("lambda", "invoke", {"FunctionName": name, "Payload": {"hello": "world"}})
    assert result["StatusCode"] == 200
    assert isinstance(result["Payload"], str)
    assert json.loads(result["Payload"]) == {"hello": "world"}


def test_modeled_and_unmodeled_errors_of_other_protocols(proxy: Proxy) -> None:
    # query protocol with Fault shapes, JSON with awsQueryCompatible, EC2 (models no errors), KMS
    assert _error_name(proxy, "rds", "describeDBInstances", {"DbInstanceIdentifier": unique("db")}) == (
        "Rds.DbInstanceNotFoundException"
    )
    assert (
        _error_name(proxy, "sqs", "getQueueUrl", {"QueueName": unique("q")})
        == "Sqs.QueueDoesNotExistException"
    )
    assert (
        _error_name(proxy, "ec2", "describeVolumes", {"VolumeIds": ["vol-0123456789abcdef0"]})
        == "Ec2.Ec2Exception"
    )
    assert (
        _error_name(proxy, "kms", "describeKey", {"KeyId": "alias/" + unique("nope")})
        == "Kms.NotFoundException"
    )


def test_operation_without_input(proxy: Proxy) -> None:
    identity = proxy.call("sts", "getCallerIdentity")
    assert set(identity) == {"UserId", "Account", "Arn"}
    with pytest.raises(ProxyError, match='"Nope" is not supported'):
        proxy.call("iam", "deleteAccountPasswordPolicy", {"Nope": 1})
