"""--template: a CloudFormation template and the zip, no AWS call; the template passes cfn-lint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from sfnxr import policy
from sfnxr.deploy import template as templating
from sfnxr.deploy.desired import DeployOptions
from sfnxr.deploy.package import build
from tests.deploy.conftest import SAMPLES
from tests.support.cli import sfnxr

BEDROCK = str(SAMPLES / "bedrock-ingestion.asl.json")
REGION = "eu-west-1"
INVOKER = "arn:aws:iam::123456789012:role/ingest-state-machine"


def write(tmp_path: Path, *args: str) -> tuple[dict[str, Any], Path, Path]:
    result = sfnxr("deploy-proxy", "--region", REGION, "--template", str(tmp_path), "--output", "json", *args)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    template_path, zip_path = Path(report["template"]), Path(report["zip"])
    return json.loads(template_path.read_text(encoding="utf-8")), template_path, zip_path


@pytest.mark.parametrize(
    "args",
    [
        ["--definitions", BEDROCK],
        [
            "--definitions",
            BEDROCK,
            "--allow-invoke-from",
            INVOKER,
            "--allow-invoke-from",
            "arn:aws:iam::210987654321:role/other",
        ],
        ["--definitions", BEDROCK, "--snapstart", "--architecture", "x86_64", "--memory", "1024"],
        ["--definitions", BEDROCK, "--role-arn", "arn:aws:iam::123456789012:role/existing"],
        [
            "--definitions",
            str(SAMPLES / "global-certificate.asl.json"),
            "--assume-role",
            "arn:aws:iam::111111111111:role/dns",
        ],
        [],
    ],
    ids=["plain", "invokers", "snapstart", "given-role", "assumed-role", "no-definitions"],
)
def test_the_template_passes_cfn_lint(tmp_path: Path, args: list[str]) -> None:
    _, template_path, _ = write(tmp_path, *args)
    config = ManualArgs(regions=[REGION], include_checks=["I"])
    matches = lint(template_path.read_text(encoding="utf-8"), config=config)
    assert [str(match) for match in matches] == []


def test_the_template_and_the_zip(tmp_path: Path) -> None:
    document, template_path, zip_path = write(
        tmp_path, "--definitions", BEDROCK, "--allow-invoke-from", INVOKER
    )
    allowlist = json.dumps(
        {"calls": ["bedrockagent:getIngestionJob:us-west-2", "bedrockagent:startIngestionJob:us-west-2"],
         "endpoints": [], "roles": [], "v": 1}, indent=1, sort_keys=True) + "\n"  # fmt: skip
    package = build(allowlist)
    assert zip_path.read_bytes() == package.data
    assert zip_path.name == f"sfnxr-proxy-{package.hex_digest[:16]}.zip"
    assert template_path.name == "sfnxr-proxy.template.json"
    resources = document["Resources"]
    version = next(name for name in resources if name.startswith("ProxyVersion"))
    assert sorted(resources) == sorted(
        ["ProxyRole", "ProxyFunction", version, "ProxyAlias", "ProxyInvokePermission1"]
    )
    assert document["Parameters"]["CodeS3Key"]["Default"] == zip_path.name
    function = resources["ProxyFunction"]["Properties"]
    assert function["Handler"] == "sfnxr_proxy.handler.handler"
    assert function["Code"] == {"S3Bucket": {"Ref": "CodeS3Bucket"}, "S3Key": {"Ref": "CodeS3Key"}}
    assert resources["ProxyAlias"]["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version, "Version"]}
    assert resources["ProxyInvokePermission1"]["Properties"] == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Ref": "ProxyAlias"},
        "Principal": INVOKER,
    }
    [inline] = resources["ProxyRole"]["Properties"]["Policies"]
    statements = inline["PolicyDocument"]["Statement"]
    assert statements[0]["Action"] == ["bedrock:GetIngestionJob", "bedrock:StartIngestionJob"]
    assert statements[-1]["Resource"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/sfnxr-proxy"
        },
        {
            "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/sfnxr-proxy:*"
        },
    ]
    assert document["Outputs"]["ProxyAliasArn"]["Value"] == {"Ref": "ProxyAlias"}


def test_a_new_version_resource_for_new_code_or_configuration() -> None:
    found = policy.needs([])
    options = DeployOptions(region=REGION)

    def version_id(options: DeployOptions, allowlist: str) -> str:
        document = templating.template(options, found, build(allowlist))
        return next(name for name in document["Resources"] if name.startswith("ProxyVersion"))

    same = version_id(options, "{}")
    assert version_id(options, "{}") == same
    assert version_id(options, '{"v": 1}') != same
    assert version_id(DeployOptions(region=REGION, memory=512), "{}") != same


def test_template_writes_nothing_to_aws(tmp_path: Path, no_credentials: None) -> None:
    """No credentials are needed: no AWS API is called."""
    result = sfnxr("deploy-proxy", "--region", REGION, "--definitions", BEDROCK, "--template", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        str(tmp_path / "sfnxr-proxy.template.json"),
        str(next(tmp_path.glob("*.zip"))),
    ]
    assert "upload sfnxr-proxy-" in result.stderr
