"""Request and response conversion over botocore's shapes, without a server."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

import botocore.session
import pytest
from botocore.response import StreamingBody

from sfnxr_proxy.errors import ProxyError
from sfnxr_proxy.shapes import blob_text, from_response, instant_text, json_text, to_request


@cache
def _model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def _input(service: str, operation: str) -> Any:
    return _model(service).operation_model(operation).input_shape


def _output(service: str, operation: str) -> Any:
    return _model(service).operation_model(operation).output_shape


def test_members_take_step_functions_spelling_and_the_models_own() -> None:
    shape = _input("rds", "DescribeDBInstances")
    assert to_request("rds", shape, {"DbInstanceIdentifier": "db1"}) == {"DBInstanceIdentifier": "db1"}
    assert to_request("rds", shape, {"DBInstanceIdentifier": "db1"}) == {"DBInstanceIdentifier": "db1"}
    shape = _input("bedrock-agent", "StartIngestionJob")
    request = to_request("bedrock-agent", shape, {"KnowledgeBaseId": "kb", "DataSourceId": "ds"})
    assert request == {"knowledgeBaseId": "kb", "dataSourceId": "ds"}


def test_unknown_member_is_refused_naming_the_field() -> None:
    with pytest.raises(ProxyError) as info:
        to_request("s3", _input("s3", "GetObject"), {"Bucket": "b", "Key": "k", "Foo": 1})
    assert type(info.value).__name__ == "Sfnxr.InvalidRequest"
    assert '"Foo"' in str(info.value)
    item = {"pk": {"S": "a"}, "n": {"Number": "1"}}
    with pytest.raises(ProxyError, match=r'"Item\["n"\]\.Number"'):
        to_request("dynamodb", _input("dynamodb", "PutItem"), {"TableName": "t", "Item": item})
    with pytest.raises(ProxyError, match=r'"IpPermissions\[0\]\.Nope"'):
        to_request(
            "ec2",
            _input("ec2", "AuthorizeSecurityGroupIngress"),
            {"GroupId": "sg", "IpPermissions": [{"Nope": 1}]},
        )


def test_both_spellings_of_one_member_are_refused() -> None:
    with pytest.raises(ProxyError, match="twice"):
        to_request(
            "rds",
            _input("rds", "DescribeDBInstances"),
            {"DbInstanceIdentifier": "a", "DBInstanceIdentifier": "b"},
        )


def test_dynamodb_attribute_values_and_map_keys() -> None:
    item = {
        "Nul": {"Nul": True},  # a map key: user data, stays as it is
        "b": {"Bool": True},
        "B2": {"BOOL": False},  # the model's spelling is accepted too
        "ss": {"Ss": ["x"]},
        "m": {"M": {"inner": {"NULL": True}}},
    }
    request = to_request("dynamodb", _input("dynamodb", "PutItem"), {"TableName": "t", "Item": item})
    assert request["Item"] == {
        "Nul": {"NULL": True},
        "b": {"BOOL": True},
        "B2": {"BOOL": False},
        "ss": {"SS": ["x"]},
        "m": {"M": {"inner": {"NULL": True}}},
    }
    response = {"Item": request["Item"], "ResponseMetadata": {"RequestId": "x"}}
    assert from_response("dynamodb", _output("dynamodb", "GetItem"), response) == {
        "Item": {
            "Nul": {"Nul": True},
            "b": {"Bool": True},
            "B2": {"Bool": False},
            "ss": {"Ss": ["x"]},
            "m": {"M": {"inner": {"Nul": True}}},
        }
    }


def test_blobs_get_compact_json_strings_included() -> None:
    shape = _input("s3", "PutObject")
    assert to_request("s3", shape, {"Bucket": "b", "Key": "k", "Body": "text data"})["Body"] == b'"text data"'
    assert (
        to_request("s3", shape, {"Bucket": "b", "Key": "k", "Body": {"a": [1, True]}})["Body"]
        == b'{"a":[1,true]}'
    )
    assert to_request("s3", shape, {"Bucket": "b", "Key": "k", "Body": "é"})["Body"] == '"é"'.encode()
    invoke = _input("lambda", "Invoke")
    assert to_request("lambda", invoke, {"FunctionName": "f", "Payload": {"x": 1}})["Payload"] == b'{"x":1}'


def test_strings_given_json_get_its_text() -> None:
    shape = _input("stepfunctions", "StartExecution")
    request = to_request(
        "stepfunctions", shape, {"StateMachineArn": "arn", "Input": {"key": "value", "n": 1.5}}
    )
    assert request["input"] == '{"key":"value","n":1.5}'
    assert to_request("stepfunctions", shape, {"StateMachineArn": "arn", "Input": True})["input"] == "true"
    assert to_request("stepfunctions", shape, {"StateMachineArn": "arn", "Input": 3})["input"] == "3"


def test_scalars_are_coerced_as_the_java_sdk_does() -> None:
    # ec2-instance-isolation (AWS sample) passes DisableApiTermination: {"Value": "true"}
    shape = _input("ec2", "ModifyInstanceAttribute")
    request = to_request("ec2", shape, {"InstanceId": "i-1", "DisableApiTermination": {"Value": "true"}})
    assert request["DisableApiTermination"] == {"Value": True}
    shape = _input("s3", "ListObjectsV2")
    assert to_request("s3", shape, {"Bucket": "b", "MaxKeys": "10"})["MaxKeys"] == 10
    assert to_request("s3", shape, {"Bucket": "b", "MaxKeys": 10.0})["MaxKeys"] == 10
    with pytest.raises(ProxyError, match='"MaxKeys" must be an integer, not a string'):
        to_request("s3", shape, {"Bucket": "b", "MaxKeys": "ten"})
    with pytest.raises(ProxyError, match="must be an object"):
        to_request("s3", shape, ["not", "an", "object"])
    with pytest.raises(ProxyError, match="must be an array"):
        to_request("ec2", _input("ec2", "DescribeVolumes"), {"VolumeIds": "vol-1"})
    with pytest.raises(ProxyError, match="must be a boolean"):
        to_request(
            "ec2", _input("ec2", "ModifyInstanceAttribute"), {"DisableApiTermination": {"Value": "yes"}}
        )
    metric = _input("cloudwatch", "PutMetricData")
    datum = to_request(
        "cloudwatch", metric, {"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": "2.5"}]}
    )
    assert datum["MetricData"][0]["Value"] == 2.5


def test_null_leaves_a_member_unset() -> None:
    shape = _input("s3", "GetObject")
    assert to_request("s3", shape, {"Bucket": "b", "Key": "k", "VersionId": None}) == {
        "Bucket": "b",
        "Key": "k",
    }


def test_documents_are_data() -> None:
    shape = _input("bedrock-runtime", "Converse")
    tool = {"toolSpec": {"name": "t", "inputSchema": {"json": {"ARN": 1, "static": [None]}}}}
    request = to_request("bedrock-runtime", shape, {"ModelId": "m", "ToolConfig": {"Tools": [tool]}})
    assert request["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"] == {
        "ARN": 1,
        "static": [None],
    }


def test_response_names_values_and_metadata() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    response = {
        "items": [{"id": "a", "name": "api", "createdDate": when, "tags": {"ARN": "x"}}],
        "ResponseMetadata": {"RequestId": "r"},
    }
    assert from_response("apigateway", _output("apigateway", "GetRestApis"), response) == {
        "Items": [{"Id": "a", "Name": "api", "CreatedDate": "2024-01-02T03:04:05Z", "Tags": {"ARN": "x"}}]
    }


def test_response_bodies_and_blobs_become_text() -> None:
    body = StreamingBody(io.BytesIO(b'{"ok":true}'), len(b'{"ok":true}'))
    result = from_response("lambda", _output("lambda", "Invoke"), {"StatusCode": 200, "Payload": body})
    assert result == {"StatusCode": 200, "Payload": '{"ok":true}'}
    empty = StreamingBody(io.BytesIO(b""), 0)
    assert from_response("s3", _output("s3", "GetObject"), {"Body": empty}) == {"Body": ""}
    assert from_response("kms", _output("kms", "Encrypt"), {"CiphertextBlob": b"abc\xff"}) == {
        "CiphertextBlob": "abc\ufffd"
    }
    assert blob_text(bytearray(b"x")) == "x"


def test_response_drops_absent_and_undeclared_members() -> None:
    shape = _output("s3", "GetObject")
    response = {"ETag": '"e"', "VersionId": None, "ExpiresString": "x", "ResponseMetadata": {}}
    assert from_response("s3", shape, response) == {"ETag": '"e"'}


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC), "2024-05-01T12:00:00Z"),
        (datetime(2024, 5, 1, 12, 0, 0, 120000, tzinfo=UTC), "2024-05-01T12:00:00.120Z"),
        (datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC), "2024-05-01T12:00:00.123456Z"),
        (datetime(2024, 5, 1, 14, 0, 0, tzinfo=timezone(timedelta(hours=2))), "2024-05-01T12:00:00Z"),
    ],
)
def test_instant_text(when: datetime, text: str) -> None:
    assert instant_text(when) == text


def test_json_text_is_compact_and_keeps_unicode() -> None:
    assert json_text({"a": [1, "é"]}) == '{"a":[1,"é"]}'
