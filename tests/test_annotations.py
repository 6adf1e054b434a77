from __future__ import annotations

import pytest

from sfnxr.annotations import AnnotationError, parse_directive, parse_sdk_resource


def test_parses_sdk_resources() -> None:
    plain = parse_sdk_resource("arn:aws:states:::aws-sdk:s3:getObject")
    assert plain is not None
    assert (plain.partition, plain.region, plain.service, plain.action, plain.pattern) == (
        "aws",
        "",
        "s3",
        "getObject",
        "",
    )
    regional = parse_sdk_resource("arn:aws-cn:states:cn-north-1::aws-sdk:sqs:sendMessage.waitForTaskToken")
    assert regional is not None
    assert (regional.partition, regional.region, regional.pattern) == (
        "aws-cn",
        "cn-north-1",
        "waitForTaskToken",
    )
    assert regional.without_region() == "arn:aws-cn:states:::aws-sdk:sqs:sendMessage.waitForTaskToken"
    assert parse_sdk_resource("arn:aws:states:::lambda:invoke") is None
    assert parse_sdk_resource(None) is None


def test_directive_keeps_the_text_before_it() -> None:
    directive = parse_directive(
        "Load the card. @sfnxr region=us-west-2 role=arn:aws:iam::123456789012:role/r"
    )
    assert directive is not None
    assert directive.options == {"region": "us-west-2", "role": "arn:aws:iam::123456789012:role/r"}
    assert directive.remaining_comment == "Load the card."


def test_directive_values_quoted_and_jsonata() -> None:
    directive = parse_directive('@sfnxr region={% $states.input.r %} iam-resources="arn:x, arn:y"')
    assert directive is not None
    assert directive.options == {"region": "{% $states.input.r %}", "iam-resources": "arn:x, arn:y"}
    assert directive.remaining_comment == ""


def test_no_directive_in_plain_text_or_email() -> None:
    assert parse_directive("mail ops@sfnxr.example") is None
    assert parse_directive("nothing here") is None


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("@sfnxr", "no options given"),
        ("@sfnxr us-west-2", "expected key=value, found 'us-west-2'"),
        ("@sfnxr regoin=us-west-2", "unknown option 'regoin' (did you mean 'region'?)"),
        ("@sfnxr region=a region=b", "given twice"),
        ("@sfnxr region={% $x", "without '%}'"),
        ('@sfnxr region="us-west-2', "unterminated"),
        ("@sfnxr region=", "has no value"),
    ],
)
def test_malformed_directives(comment: str, message: str) -> None:
    with pytest.raises(
        AnnotationError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        parse_directive(comment)
