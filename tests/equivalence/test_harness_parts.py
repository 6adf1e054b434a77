"""The harness's own pure parts: the reference's hand-written naming, the comparison's normalisation, the
stripping of annotations, template resolution. No server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.equivalence import compare, harness, moto_patches, templates


@pytest.mark.parametrize(
    ("member", "java"),
    [  # the research notes' table, and members the cases meet
        ("DBInstanceIdentifier", "DbInstanceIdentifier"),
        ("DBInstances", "DbInstances"),
        ("BOOL", "Bool"),
        ("SS", "Ss"),
        ("ARN", "Arn"),
        ("SSEKMSKeyId", "SsekmsKeyId"),
        ("ETag", "ETag"),
        ("ChecksumCRC32", "ChecksumCRC32"),
        ("items", "Items"),
        ("createdDate", "CreatedDate"),
        ("MD5OfMessageBody", "Md5OfMessageBody"),
        ("IAMDatabaseAuthenticationEnabled", "IamDatabaseAuthenticationEnabled"),
        ("S3Targets", "S3Targets"),
        ("stateMachineArn", "StateMachineArn"),
    ],
)
def test_java_member_names(member: str, java: str) -> None:
    assert moto_patches.java_member_name(member) == java


@pytest.mark.parametrize(
    ("shape", "name"),
    [
        ("NoSuchKey", "NoSuchKeyException"),
        ("ConditionalCheckFailedException", "ConditionalCheckFailedException"),
        ("DBInstanceNotFoundFault", "DbInstanceNotFoundException"),
        ("QueueDoesNotExist", "QueueDoesNotExistException"),
    ],
)
def test_java_exception_names(shape: str, name: str) -> None:
    assert moto_patches.java_exception_name(shape) == name


def test_instant_form() -> None:
    assert moto_patches.instant(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05Z"
    assert (
        moto_patches.instant(datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)) == "2024-01-02T03:04:05.120Z"
    )
    assert moto_patches.instant(datetime(2024, 1, 2, 3, 4, 5, 123456)) == "2024-01-02T03:04:05.123456Z"


def test_runtime_error_is_what_lambdas_python_runtime_reports() -> None:
    error_class = type("S3.NoSuchKeyException", (Exception,), {})
    try:
        raise error_class("The specified key does not exist.")
    except Exception as exc:
        answer = moto_patches.runtime_error(exc, "req-1")
    assert answer["errorType"] == "S3.NoSuchKeyException"
    assert answer["errorMessage"] == "The specified key does not exist."
    assert answer["requestId"] == "req-1"
    assert isinstance(answer["stackTrace"], list)


def test_normalise_keeps_data_and_form_of_timestamps() -> None:
    now = datetime.now(UTC)
    value = {
        "made": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "madeOtherForm": now.isoformat(),
        "data": "2024-01-02T03:04:05Z",
        "ETag": '"0123456789abcdef0123456789abcdef"',
        "id": "6f1c1d9e-8f5e-4a53-9d1e-2f1f6b0b9a11",
        "arn": "arn:aws:states:us-east-1:123456789012:execution:equivalence-0123456789ab:run",
        "other": "arn:aws:states:us-west-2:123456789012:stateMachine:nightly-report",
    }
    normalised = compare.normalise(value)
    assert normalised["made"] == "<timestamp>"
    assert normalised["madeOtherForm"].startswith("<timestamp 9999-99-99T")
    assert normalised["data"] == "2024-01-02T03:04:05Z"
    assert normalised["ETag"] == "<etag>"
    assert normalised["id"] == "<uuid>"
    assert normalised["arn"] == "<sfn-arn>"
    assert normalised["other"] == value["other"]
    assert compare.normalise({"t": (now - timedelta(days=30)).isoformat()})["t"] != "<timestamp>"
    quoted = f'input \'{{"LastModified": "{value["made"]}", "day": "2024-01-02T00:00:00Z"}}\''
    assert (
        compare.normalise_string(quoted)
        == 'input \'{"LastModified": "<timestamp>", "day": "2024-01-02T00:00:00Z"}\''
    )


def test_normalise_takes_the_text_out_of_lambdas_error_json() -> None:
    text = "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ABC)"
    wrapped = json.dumps(
        {"errorMessage": text + " (SDK Attempt Count: 1)", "errorType": "S3.NoSuchKeyException"}
    )
    assert compare.normalise({"Cause": wrapped}) == compare.normalise({"Cause": text})


def test_diff_shows_both_sides() -> None:
    assert compare.diff({"a": 1}, {"a": 1}) == ""
    text = compare.diff({"a": 1}, {"a": 2})
    assert '-  "a": 1' in text
    assert '+  "a": 2' in text


def test_strip_annotations_gives_the_unannotated_original() -> None:
    annotated: dict[str, Any] = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Comment": "Keep this. @sfnxr region=us-west-2",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "B",
                    "States": {
                        "B": {
                            "Type": "Task",
                            "Comment": "@sfnxr region=$.region",
                            "Resource": "arn:aws:states:eu-west-1::aws-sdk:sqs:sendMessage.waitForTaskToken",
                            "End": True,
                        }
                    },
                },
                "End": True,
            },
        },
    }
    stripped = harness.strip_annotations(annotated)
    assert stripped["States"]["A"]["Comment"] == "Keep this."
    inner = stripped["States"]["M"]["ItemProcessor"]["States"]["B"]
    assert "Comment" not in inner
    assert inner["Resource"] == "arn:aws:states:::aws-sdk:sqs:sendMessage.waitForTaskToken"
    assert str(annotated["States"]["A"]["Comment"]).endswith("region=us-west-2")  # the input is left alone


def test_template_resolution(tmp_path: Path) -> None:
    (tmp_path / "machine.asl.json").write_text('{"StartAt": "${First}", "States": {}}')
    text = """
Parameters:
  Bucket: {Type: String, Default: reports}
Resources:
  Inline:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A: {Type: Task, Resource: !Sub "arn:${AWS::Partition}:states:::aws-sdk:s3:getObject",
              Parameters: {Bucket: !Ref Bucket, Note: !Sub "${!Literal} in ${AWS::Region}"}, End: true}
  Joined:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Join ["", ['{"StartAt": "', !GetAtt Role.Arn, '", "States": {}}']]
  Linked:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: machine.asl.json
      DefinitionSubstitutions: {First: !ImportValue shared-first}
"""

    def linked(name: str) -> str:
        return (tmp_path / name).read_text()

    values = {"Role.Arn": "arn:aws:iam::123456789012:role/r", "ImportValue:shared-first": "Go"}
    inline = json.loads(
        templates.definition_text(text, "Inline", values=values, region="eu-west-1", linked=linked)
    )
    task = inline["States"]["A"]
    assert task["Resource"] == "arn:aws:states:::aws-sdk:s3:getObject"
    assert task["Parameters"] == {"Bucket": "reports", "Note": "${Literal} in eu-west-1"}
    joined = templates.definition_text(text, "Joined", values=values, region="eu-west-1", linked=linked)
    assert json.loads(joined)["StartAt"] == "arn:aws:iam::123456789012:role/r"
    uri = templates.definition_text(text, "Linked", values=values, region="eu-west-1", linked=linked)
    assert json.loads(uri)["StartAt"] == "Go"
