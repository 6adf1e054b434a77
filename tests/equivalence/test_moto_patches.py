"""The patched test server itself: what each patch in moto_patches.py promises, checked directly."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.equivalence import harness, runner
from tests.equivalence.moto_patches import PROXY_FUNCTION, TIME_SCALE

REGION = "us-east-1"


@pytest.fixture
def server(equivalence_server: str) -> str:
    runner.reset()
    return equivalence_server


def _invoke(function: str, event: Any) -> tuple[str | None, Any]:
    answer = runner.client("lambda", REGION).invoke(FunctionName=function, Payload=json.dumps(event).encode())
    return answer.get("FunctionError"), json.loads(answer["Payload"].read())


def test_the_proxy_function_runs_the_real_handler(server: str) -> None:
    runner.client("ssm", "us-west-2").put_parameter(Name="/p", Value="v", Type="String")
    harness.deploy_proxy(REGION)
    event = {
        "sfnxr": {"v": 1},
        "region": "us-west-2",
        "service": "ssm",
        "action": "getParameter",
        "parameters": {"Name": "/p"},
    }
    error, payload = _invoke(f"{PROXY_FUNCTION}:{harness.PROXY_ALIAS}", event)
    assert error is None
    assert payload["Parameter"]["Value"] == "v"
    error, payload = _invoke(PROXY_FUNCTION, {"sfnxr": {"v": 2}})
    assert error == "Unhandled"
    assert payload["errorType"] == "Sfnxr.InvalidRequest"
    assert set(payload) == {"errorMessage", "errorType", "requestId", "stackTrace"}


def test_an_unknown_function_is_not_found(server: str) -> None:
    with pytest.raises(ClientError) as raised:
        _invoke("no-such-function", {})
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_failed_jsonata_parse_does_not_break_later_jsonpath_parses(server: str) -> None:
    broken = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"a": 1}, "End": True}},  # Parameters: JSONPath only
    }
    sfn = runner.client("stepfunctions", REGION)
    with pytest.raises(ClientError):
        sfn.create_state_machine(name="broken", definition=json.dumps(broken), roleArn=runner.ROLE)
    jsonpath = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "$.v"}, "End": True}}}
    assert tuple(runner.run(jsonpath, {"v": 1}, REGION))[:2] == ("SUCCEEDED", {"x": 1})


def test_jsonata_is_evaluated_with_awkward_strings(server: str) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Output": {
                    "text": "{% $states.input.text & '!' %}",
                    "parsed": "{% $parse($states.input.json) %}",
                },
                "End": True,
            }
        },
    }
    text = 'quote " backslash \\ newline \n'
    status, output, _, _ = runner.run(definition, {"text": text, "json": '{"a": [1, "b\\"c"]}'}, REGION)
    assert (status, output) == ("SUCCEEDED", {"text": text + "!", "parsed": {"a": [1, 'b"c']}})


def test_waits_are_scaled(server: str) -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    started = time.monotonic()
    assert runner.run(definition, {}, REGION).status == "SUCCEEDED"
    assert time.monotonic() - started < 600 * TIME_SCALE + 5


def test_sdk_results_are_step_functions_json(server: str) -> None:
    """A StreamingBody and datetimes in an aws-sdk result: converted, so DescribeExecution answers."""
    s3 = runner.client("s3", REGION)
    s3.create_bucket(Bucket="sfnxr-patch-check")
    s3.put_object(Bucket="sfnxr-patch-check", Key="k", Body=b"body")
    definition = {
        "StartAt": "G",
        "States": {
            "G": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "sfnxr-patch-check", "Key": "k"},
                "End": True,
            }
        },
    }
    status, output, _, _ = runner.run(definition, {}, REGION)
    assert status == "SUCCEEDED"
    assert output["Body"] == "body"
    assert output["LastModified"].endswith("Z")
    assert not [key for key in output if key.startswith("Checksum")]


def test_sdk_error_names_use_the_java_service_name(server: str) -> None:
    definition = {
        "StartAt": "G",
        "States": {
            "G": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "Parameters": {"TableName": "missing", "Key": {"id": {"S": "x"}}},
                "End": True,
            }
        },
    }
    status, _, error, cause = runner.run(definition, {}, REGION)
    assert (status, error) == ("FAILED", "DynamoDb.ResourceNotFoundException")
    assert cause is not None and "(Service: DynamoDb, Status Code: 400, Request ID: " in cause
