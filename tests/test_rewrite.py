from __future__ import annotations

from typing import Any

from sfnxr.annotations import parse_sdk_resource
from sfnxr.rewrite import LAMBDA_RETRY, CrossRegionCall, is_rewritten, restore_state, rewrite_state

PROXY = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"


def call(resource: str, region: str = "us-west-2", **kwargs: Any) -> CrossRegionCall:
    sdk = parse_sdk_resource(resource)
    assert sdk is not None
    return CrossRegionCall(resource=sdk, region=region, **kwargs)


def test_jsonpath_request_response() -> None:
    state = {
        "Type": "Task",
        "Comment": "Load the card. @sfnxr region=us-west-2",
        "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
        "Parameters": {"Bucket": "b", "Key.$": "$.key"},
        "ResultSelector": {"Body.$": "$.Body"},
        "ResultPath": "$.card",
        "Next": "X",
    }
    new = rewrite_state(
        state,
        call(state["Resource"], new_comment="Load the card."),
        proxy_arn=PROXY,
        query_language="JSONPath",
    )
    assert new == {
        "Type": "Task",
        "Comment": "Load the card.",
        "Resource": PROXY,
        "Parameters": {
            "sfnxr": {
                "v": 1,
                "resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "comment": "Load the card. @sfnxr region=us-west-2",
                "retry": "added",
            },
            "region": "us-west-2",
            "service": "s3",
            "action": "getObject",
            "parameters": {"Bucket": "b", "Key.$": "$.key"},
        },
        "ResultSelector": {"Body.$": "$.Body"},
        "ResultPath": "$.card",
        "Next": "X",
        "Retry": [LAMBDA_RETRY],
    }
    assert list(new) == [
        "Type",
        "Comment",
        "Resource",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Next",
        "Retry",
    ]
    assert is_rewritten(new)
    restored = restore_state(new)
    assert restored == state and list(restored) == list(state)


def test_no_parameters_dynamic_region_and_credentials() -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sts:getCallerIdentity",
        "Credentials": {"RoleArn.$": "$.role"},
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
        "End": True,
    }
    new = rewrite_state(
        state, call(state["Resource"], "$.target"), proxy_arn=PROXY, query_language="JSONPath"
    )
    payload = new["Parameters"]
    assert payload["region.$"] == "$.target"
    assert payload["role.$"] == "$.role"
    assert payload["parameters.$"] == "$"
    assert "Credentials" not in new
    assert new["Retry"] == [LAMBDA_RETRY, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]
    assert list(new) == ["Type", "Resource", "Parameters", "Retry", "End"]
    restored = restore_state(new)
    assert restored == state and list(restored) == list(state)


def test_jsonata_arguments_and_missing_arguments() -> None:
    state = {
        "Type": "Task",
        "Comment": "@sfnxr region={% $states.input.r %}",
        "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
        "Arguments": {"TableName": "t", "Key": {"pk": {"S": "{% $states.input.id %}"}}},
        "Output": "{% $states.result.Item %}",
        "End": True,
    }
    new = rewrite_state(
        state,
        call(state["Resource"], "{% $states.input.r %}", new_comment=""),
        proxy_arn=PROXY,
        query_language="JSONata",
        lambda_retry=False,
    )
    assert "Comment" not in new and "Retry" not in new
    assert new["Arguments"]["region"] == "{% $states.input.r %}"
    assert new["Arguments"]["parameters"] == state["Arguments"]
    restored = restore_state(new)
    assert restored == state and list(restored) == list(state)

    bare = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sts:getCallerIdentity", "End": True}
    new = rewrite_state(bare, call(bare["Resource"]), proxy_arn=PROXY, query_language="JSONata")
    assert new["Arguments"]["parameters"] == "{% $states.input %}"
    assert restore_state(new) == bare


def test_wait_for_task_token_goes_through_lambda_invoke() -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws-us-gov:states:us-gov-east-1::aws-sdk:sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
        "End": True,
    }
    new = rewrite_state(
        state, call(state["Resource"], "us-gov-east-1"), proxy_arn=PROXY, query_language="JSONPath"
    )
    assert new["Resource"] == "arn:aws-us-gov:states:::lambda:invoke.waitForTaskToken"
    assert new["Parameters"]["FunctionName"] == PROXY
    assert new["Parameters"]["Payload"]["action"] == "sendMessage"
    assert restore_state(new) == state


def test_directive_endpoint_role_and_iam_hints_travel_in_the_payload() -> None:
    state = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets", "End": True}
    new = rewrite_state(
        state,
        call(
            state["Resource"],
            endpoint="https://example.com",
            role="arn:aws:iam::123456789012:role/r",
            iam_actions=("s3:ListAllMyBuckets",),
            iam_resources=("*",),
        ),
        proxy_arn=PROXY,
        query_language="JSONPath",
    )
    payload = new["Parameters"]
    assert payload["endpoint"] == "https://example.com"
    assert payload["role"] == "arn:aws:iam::123456789012:role/r"
    assert payload["sfnxr"]["iam-action"] == ["s3:ListAllMyBuckets"]
    assert restore_state(new) == state
