"""`sfnxr policy` and sfnxr.policy: the generated policies for the samples, asserted exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfnxr import policy
from sfnxr.transform import RoutedTask
from tests.deploy.conftest import SAMPLES
from tests.support.cli import sfnxr

PROXY = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"
DNS_ROLE = "arn:aws:iam::111111111111:role/dns-certificates"
LOGS = {
    "Sid": "Logs",
    "Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/sfnxr-proxy",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/sfnxr-proxy:*",
    ],
}
INVOKE = {
    "Sid": "InvokeSfnxrProxy",
    "Effect": "Allow",
    "Action": "lambda:InvokeFunction",
    "Resource": [
        "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy",
        "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:*",
    ],
}


def calls(sid: str, actions: list[str], region: str | None = None, resource: Any = "*") -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
    if region is not None:
        statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": [region]}}
    return statement


SAMPLE_POLICIES: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {
    "bedrock-ingestion.asl.json": (
        [calls("Calls1", ["bedrock:GetIngestionJob", "bedrock:StartIngestionJob"], "us-west-2")],
        {"calls": ["bedrockagent:getIngestionJob:us-west-2", "bedrockagent:startIngestionJob:us-west-2"],
         "endpoints": [], "roles": []},
    ),
    "callback-approval.asl.json": (
        [calls("Calls1", ["sqs:SendMessage"], "eu-west-1")],
        {"calls": ["sqs:sendMessage:eu-west-1"], "endpoints": [], "roles": []},
    ),
    "failover-runbook.asl.yaml": (
        [calls("Calls1", ["rds:FailoverGlobalCluster", "route53-recovery-cluster:UpdateRoutingControlState"], "us-west-2")],
        {"calls": ["rds:failoverGlobalCluster:us-west-2", "route53recoverycluster:updateRoutingControlState:us-west-2"],
         "endpoints": ["https://host-aaaaaa.us-west-2.example.route53-recovery-cluster.amazonaws.com/v1"], "roles": []},
    ),
    "per-region-inventory.asl.json": (  # region=$.region: any region, so no region condition
        [calls("Calls1", ["ec2:DescribeVolumes"])],
        {"calls": ["ec2:describeVolumes:*"], "endpoints": [], "roles": []},
    ),
    "jsonata-report-copy.asl.json": (
        [calls("Calls1", ["dynamodb:PutItem"], "eu-central-1"), calls("Calls2", ["s3:PutObject"])],
        {"calls": ["dynamodb:putItem:eu-central-1", "s3:putObject:*"], "endpoints": [], "roles": []},
    ),
}  # fmt: skip


def policy_json(*args: str) -> dict[str, Any]:
    result = sfnxr("policy", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize("name", sorted(SAMPLE_POLICIES))
def test_sample_policies(name: str) -> None:
    statements, allowlist = SAMPLE_POLICIES[name]
    document = policy_json(str(SAMPLES / name), "--proxy-arn", PROXY)
    assert document == {
        "proxy_role_policy": {"Version": "2012-10-17", "Statement": [*statements, LOGS]},
        "state_machine_statement": INVOKE,
        "assumed_roles": {},
        "allowlist": {"v": 1, **allowlist},
    }


def test_a_role_moves_the_call_to_the_assumed_role() -> None:
    """global-certificate: WhoAmI runs as the proxy; RequestCertificate runs as a role chosen at run time."""
    document = policy_json(
        str(SAMPLES / "global-certificate.asl.json"),
        "--assume-role",
        DNS_ROLE,
        "--proxy-arn",
        PROXY,
    )
    assert document["proxy_role_policy"]["Statement"] == [
        calls("Calls1", ["sts:GetCallerIdentity"], "us-east-1"),
        {"Sid": "AssumeRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [DNS_ROLE]},
        LOGS,
    ]
    assert document["assumed_roles"] == {
        DNS_ROLE: {
            "Version": "2012-10-17",
            "Statement": [calls("Calls1", ["acm:RequestCertificate"], "us-east-1")],
        }
    }
    assert document["allowlist"] == {
        "v": 1,
        "calls": ["acm:requestCertificate:us-east-1", "sts:getCallerIdentity:us-east-1"],
        "endpoints": [],
        "roles": [DNS_ROLE],
    }


def test_config_rules_and_the_configured_proxy_arn() -> None:
    """nightly-crawl: routed by .sfnxr.toml, whose proxy-arn names the function."""
    result = sfnxr("policy", "nightly-crawl.asl.json", "--format", "json", cwd=SAMPLES / "config-rules")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["proxy_role_policy"] == {
        "Version": "2012-10-17",
        "Statement": [calls("Calls1", ["glue:GetCrawler", "glue:StartCrawler"], "eu-west-1"), LOGS],
    }
    assert document["state_machine_statement"] == INVOKE


def test_text_output_and_a_transformed_file_give_the_same_policy() -> None:
    source = SAMPLES / "bedrock-ingestion.asl.json"
    transformed = SAMPLES / "expected" / "bedrock-ingestion.asl.json"
    assert policy_json(str(source), "--proxy-arn", PROXY) == policy_json(
        str(transformed), "--proxy-arn", PROXY
    )
    text = sfnxr("policy", str(source), "--proxy-arn", PROXY)
    assert text.exit_code == 0
    assert text.stdout.startswith(
        "# The proxy role's policy (deploy-proxy puts it on the role it manages):\n{\n"
    )
    assert "\n# The state machine's role needs this statement to invoke the proxy:\n" in text.stdout


def test_without_a_proxy_arn_the_arns_have_wildcards() -> None:
    result = sfnxr("policy", str(SAMPLES / "callback-approval.asl.json"), "--format", "json")
    assert result.exit_code == 0
    assert "the ARNs below have * for region and account" in result.stderr
    document = json.loads(result.stdout)
    assert document["state_machine_statement"]["Resource"] == [
        "arn:aws:lambda:*:*:function:sfnxr-proxy",
        "arn:aws:lambda:*:*:function:sfnxr-proxy:*",
    ]


def test_a_run_time_role_without_assume_role_is_an_error_with_its_line() -> None:
    path = SAMPLES / "global-certificate.asl.json"
    result = sfnxr("policy", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"sfnxr: {path}:13: RequestCertificate: the role is chosen at run time ($.dnsAccountRoleArn); name "
        "the roles it may take with --assume-role ARN (the proxy assumes only roles in its allowlist)"
    )


def test_errors_in_definitions_are_reported_like_transform(tmp_path: Any) -> None:
    bad = tmp_path / "bad.asl.json"
    bad.write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Task",\n "Resource": "arn:aws:states:eu-west-9::aws-sdk:s3:getObject", "End": true}}}'
    )
    result = sfnxr("policy", str(bad))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"{bad}:2: unknown region 'eu-west-9' (did you mean 'eu-west-3'?)"
    assert "Traceback" not in result.stderr


def task(service: str, action: str, region: str, **extra: Any) -> RoutedTask:
    return RoutedTask(
        keys=("States", action), name=action, service=service, action=action, region=region, **extra
    )


def test_grouping_regions_resources_and_overrides() -> None:
    found = policy.needs(
        [
            task("s3", "getObject", "us-west-2"),
            task("s3", "getObject", "eu-west-1"),
            task("s3", "headObject", "eu-west-1"),  # s3:GetObject too
            task("s3", "listObjectsV2", "$.region"),  # run-time region: no condition
            task("s3", "putObject", "us-west-2", iam_resources=("arn:aws:s3:::b/*", "arn:aws:s3:::a/*")),
            task("dynamodb", "getItem", "us-west-2", iam_actions=("dynamodb:GetItem", "dynamodb:Query")),
            task("sqs", "sendMessage", "us-west-2", role="arn:aws:iam::123456789012:role/sender"),
        ]
    )
    statements = policy.role_policy(found, policy.ProxyTarget.from_arn(PROXY))["Statement"]
    assert statements[:-1] == [
        calls("Calls1", ["s3:GetObject"], None, "*") | {"Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-west-2"]}}},
        calls("Calls2", ["dynamodb:GetItem", "dynamodb:Query"], "us-west-2"),
        calls("Calls3", ["s3:PutObject"], "us-west-2", ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]),
        calls("Calls4", ["s3:ListBucket"]),
        {"Sid": "AssumeRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ["arn:aws:iam::123456789012:role/sender"]},
    ]  # fmt: skip
    assert found.calls == (
        "dynamodb:getItem:us-west-2",
        "s3:getObject:eu-west-1",
        "s3:getObject:us-west-2",
        "s3:headObject:eu-west-1",
        "s3:listObjectsV2:*",
        "s3:putObject:us-west-2",
        "sqs:sendMessage:us-west-2",
    )
    assert policy.assumed_role_policies(found) == {
        "arn:aws:iam::123456789012:role/sender": {
            "Version": "2012-10-17",
            "Statement": [calls("Calls1", ["sqs:SendMessage"], "us-west-2")],
        }
    }


def test_an_action_in_a_run_time_region_drops_its_region_condition() -> None:
    found = policy.needs([task("s3", "getObject", "us-west-2"), task("s3", "getObject", "{% $r %}")])
    assert found.own == (policy.Grant(("s3:GetObject",), ("*",), None),)


def test_the_allowlist_is_what_the_proxy_reads() -> None:
    from sfnxr_proxy import allowlist

    found = policy.needs(
        [
            task("s3", "getObject", "us-west-2", endpoint="https://s3.example.com"),
            task("ec2", "describeVolumes", "$.region", role="arn:aws:iam::123456789012:role/r"),
        ]
    )
    parsed = allowlist.parse(policy.allowlist_text(found))
    assert parsed.problem is None
    assert parsed.refusal("s3", "getObject", "us-west-2", "https://s3.example.com", None) is None
    assert parsed.refusal("s3", "getObject", "eu-west-1", None, None) is not None
    assert (
        parsed.refusal("ec2", "describeVolumes", "ap-south-1", None, "arn:aws:iam::123456789012:role/r")
        is None
    )


def test_same_policy_ignores_order_and_one_element_lists() -> None:
    a = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:B", "s3:A"], "Resource": ["*"]}],
    }
    b = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": ["s3:A", "s3:B"], "Resource": "*"},
    }
    assert policy.same_policy(a, b)
    assert not policy.same_policy(a, {"Version": "2012-10-17", "Statement": []})
    assert not policy.same_policy(a, None)


def test_proxy_target_from_arns() -> None:
    assert policy.ProxyTarget.from_arn(
        "arn:aws-cn:lambda:cn-north-1:123456789012:function:p:7"
    ) == policy.ProxyTarget("aws-cn", "cn-north-1", "123456789012", "p")
    assert policy.ProxyTarget.from_arn("${SfnxrProxyArn}") == policy.ProxyTarget()
