from __future__ import annotations

from typing import Any

import pytest

from sfnxr.asl import StateRef
from sfnxr.config import Rule
from sfnxr.routes import Reroute, RouteOptions, StayNative, decide


def ref(state: dict[str, Any], language: str = "JSONPath", name: str = "S") -> StateRef:
    return StateRef(("States", name), name, state, language)  # type: ignore[arg-type]


def task(resource: str, comment: str | None = None, **fields: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task"}
    if comment is not None:
        state["Comment"] = comment
    state["Resource"] = resource
    state.update(fields)
    state.setdefault("End", True)
    return state


S3_GET = "arn:aws:states:::aws-sdk:s3:getObject"


def problems(state: dict[str, Any], language: str = "JSONPath", **options: Any) -> list[str]:
    decision, found = decide(ref(state, language), RouteOptions(**options))
    assert decision is None or not found
    return [p.message for p in found]


def test_unannotated_tasks_are_left_alone() -> None:
    assert decide(ref(task(S3_GET)), RouteOptions()) == (None, [])
    assert decide(ref({"Type": "Pass", "End": True}), RouteOptions()) == (None, [])


def test_three_annotation_forms() -> None:
    by_arn, _ = decide(ref(task("arn:aws:states:us-west-2::aws-sdk:s3:getObject")), RouteOptions())
    assert isinstance(by_arn, Reroute) and by_arn.call.region == "us-west-2"
    assert by_arn.call.new_comment is None

    by_comment, _ = decide(ref(task(S3_GET, "Read it. @sfnxr region=eu-west-1")), RouteOptions())
    assert isinstance(by_comment, Reroute) and by_comment.call.region == "eu-west-1"
    assert by_comment.call.new_comment == "Read it."

    rule = Rule(region="ap-south-1", resources=("aws-sdk:s3:*",), states=("S",))
    by_rule, _ = decide(ref(task(S3_GET)), RouteOptions(rules=(rule,)))
    assert isinstance(by_rule, Reroute) and by_rule.call.region == "ap-south-1"
    other, _ = decide(ref(task(S3_GET), name="T"), RouteOptions(rules=(rule,)))
    assert other is None


def test_dynamic_regions() -> None:
    path, _ = decide(ref(task(S3_GET, "@sfnxr region=$$.Execution.Input.region")), RouteOptions())
    assert isinstance(path, Reroute) and path.call.region_is_path
    jsonata_state = task(S3_GET, "@sfnxr region={% $states.input.r %}", Arguments={"Bucket": "b", "Key": "k"})
    jsonata, found = decide(ref(jsonata_state, "JSONata"), RouteOptions())
    assert found == [] and isinstance(jsonata, Reroute)


def test_home_region_stays_native_without_its_annotation() -> None:
    decision, _ = decide(
        ref(task("arn:aws:states:us-east-1::aws-sdk:s3:getObject", "Keep. @sfnxr region=us-east-1")),
        RouteOptions(home_region="us-east-1"),
    )
    assert isinstance(decision, StayNative)
    assert decision.state["Resource"] == S3_GET and decision.state["Comment"] == "Keep."


@pytest.mark.parametrize(
    ("state", "language", "message"),
    [
        (
            task(S3_GET, "@sfnxr region=us-west-9"),
            "JSONPath",
            "unknown region 'us-west-9' (did you mean 'us-west-2'?)",
        ),
        (
            task(S3_GET, "@sfnxr region=cn-north-1"),
            "JSONPath",
            "is in partition 'aws-cn', but the Resource is in partition 'aws'",
        ),
        (
            {"Type": "Pass", "Comment": "@sfnxr region=us-west-2", "End": True},
            "JSONPath",
            "is on a Pass state, not an aws-sdk Task",
        ),
        (
            task("arn:aws:states:::lambda:invoke", "@sfnxr region=us-west-2"),
            "JSONPath",
            "Resource is not an aws-sdk integration",
        ),
        (
            task("arn:aws:states:::aws-sdk:dynamodbb:getItem", "@sfnxr region=us-west-2"),
            "JSONPath",
            "unknown aws-sdk service 'dynamodbb' (did you mean 'dynamodb'",
        ),
        (
            task("arn:aws:states:::aws-sdk:s3:getObjekt", "@sfnxr region=us-west-2"),
            "JSONPath",
            "unknown action 'getObjekt' for aws-sdk service 's3' (did you mean 'getObject'",
        ),
        (
            task("arn:aws:states:::aws-sdk:s3:selectObjectContent", "@sfnxr region=us-west-2"),
            "JSONPath",
            "not supported by Step Functions",
        ),
        (
            task("arn:aws:states:us-west-2::aws-sdk:s3:getObject.sync"),
            "JSONPath",
            ".sync is not available for aws-sdk integrations",
        ),
        (
            task(S3_GET, "@sfnxr region=us-west-2", Parameters={"Bucket": "b", "Keyy": "k"}),
            "JSONPath",
            "Parameters field 'Keyy' is not an input of s3:getObject (did you mean 'Key'?)",
        ),
        (
            task(S3_GET, "@sfnxr region=us-west-2", Parameters={"Bucket.$": "$.a.", "Key": "k"}),
            "JSONPath",
            "Bucket.$: '$.a.' is not a valid JSONPath",
        ),
        (
            task(S3_GET, "@sfnxr region=$.a[", Parameters={"Bucket": "b", "Key": "k"}),
            "JSONPath",
            "region: '$.a[' is not a valid JSONPath",
        ),
        (task(S3_GET, "@sfnxr region={% $x %}"), "JSONPath", "is JSONata, but this state uses JSONPath"),
        (task(S3_GET, "@sfnxr region=$.r"), "JSONata", "is a JSONPath, but this state uses JSONata"),
        (
            task(S3_GET, "@sfnxr region=us-west-2 endpoint=$.url"),
            "JSONPath",
            "endpoint taken from the input is not allowed",
        ),
        (task(S3_GET, "@sfnxr region=us-west-2 endpoint=ftp://x"), "JSONPath", "must be an https:// URL"),
        (task(S3_GET, "@sfnxr region=us-west-2 role=admin"), "JSONPath", "is not an IAM role ARN"),
        (
            task(
                S3_GET,
                "@sfnxr region=us-west-2 role=arn:aws:iam::123456789012:role/a",
                Credentials={"RoleArn": "arn:aws:iam::123456789012:role/b"},
            ),
            "JSONPath",
            "role= and Credentials both set the role",
        ),
        (
            task(S3_GET, "@sfnxr region=us-west-2 iam-action=GetObject"),
            "JSONPath",
            "iam-action 'GetObject' must look like s3:GetObject",
        ),
        (
            task("arn:aws:states:us-west-2::aws-sdk:s3:getObject", "@sfnxr region=eu-west-1"),
            "JSONPath",
            "two target regions",
        ),
        (task(S3_GET, "@sfnxr endpoint=https://x.example"), "JSONPath", "region= is required"),
        (
            task(S3_GET, "@sfnxr region=us-west-2", Parameters={"Bucket": "b"}),
            "JSONata",
            "a JSONata state takes Arguments, not Parameters",
        ),
        (
            task(S3_GET, "@sfnxr region=us-west-2", ResultPath="$.x."),
            "JSONPath",
            "ResultPath: '$.x.' is not a valid JSONPath",
        ),
    ],
)
def test_mistakes(state: dict[str, Any], language: str, message: str) -> None:
    found = problems(state, language)
    assert any(message in text for text in found), found


def test_model_spelling_and_sfn_spelling_are_both_accepted() -> None:
    sfn = task(
        "arn:aws:states:::aws-sdk:rds:describeDBInstances",
        "@sfnxr region=us-west-2",
        Parameters={"DbInstanceIdentifier": "db"},
    )
    model = task(
        "arn:aws:states:::aws-sdk:rds:describeDBInstances",
        "@sfnxr region=us-west-2",
        Parameters={"DBInstanceIdentifier": "db"},
    )
    assert problems(sfn) == [] and problems(model) == []


def test_rule_problems_name_the_rule() -> None:
    rule = Rule(region="mars-1", source=".sfnxr.toml", line=4)
    found = problems(task(S3_GET), rules=(rule,))
    assert found == ["unknown region 'mars-1' (from the rule at .sfnxr.toml:4)"]
