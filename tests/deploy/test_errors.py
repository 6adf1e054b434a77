"""Mistakes end as one `sfnxr: ...` line and exit 2, never a traceback; nothing is deployed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.deploy.conftest import REGION, REPO, SAMPLES, Deployer, unique
from tests.support.cli import sfnxr
from tests.support.moto_server import configure, free_port, moto_server

BEDROCK = str(SAMPLES / "bedrock-ingestion.asl.json")


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert "Traceback" not in stderr
    return lines[-1]


def test_missing_credentials(moto_endpoint: str, no_credentials: None) -> None:
    result = sfnxr(
        "deploy-proxy", "--region", REGION, "--endpoint-url", moto_endpoint, "--definitions", BEDROCK
    )
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith("sfnxr: no AWS credentials found: pass --profile")
    assert result.stdout == ""


def test_unknown_profile(moto_endpoint: str, aws_env: None) -> None:
    result = sfnxr("deploy-proxy", "--region", REGION, "--profile", "nope", "--endpoint-url", moto_endpoint)
    assert result.exit_code == 2
    assert one_line(result.stderr) == "sfnxr: --profile: The config profile (nope) could not be found"


def test_a_region_that_does_not_exist(aws_env: None) -> None:
    result = sfnxr("deploy-proxy", "--region", "us-wets-2", "--definitions", BEDROCK)
    assert result.exit_code == 2
    assert (
        one_line(result.stderr) == "sfnxr: --region: unknown region 'us-wets-2' (did you mean 'us-west-2'?)"
    )


def test_an_endpoint_that_does_not_answer(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    url = f"http://127.0.0.1:{free_port()}"
    result = sfnxr("deploy-proxy", "--region", REGION, "--endpoint-url", url, "--definitions", BEDROCK)
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert line.startswith(f"sfnxr: cannot reach AWS in {REGION} (Could not connect to the endpoint URL")
    assert line.endswith("check the region, the network, and --endpoint-url")


def test_a_bad_definition_is_reported_with_its_line(deployer: Deployer, tmp_path: Path) -> None:
    definition = tmp_path / "broken.asl.json"
    definition.write_text(
        json.dumps(
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Comment": "@sfnxr region=us-wets-2",
             "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "End": True}}},
            indent=2,
        ),
        encoding="utf-8",
    )  # fmt: skip
    result = deployer.run("--definitions", str(definition))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(f"{definition}:6: ")
    assert "us-wets-2" in result.stderr
    assert deployer.calls == []  # nothing was asked of AWS


def test_a_role_chosen_at_run_time_needs_assume_role(deployer: Deployer) -> None:
    result = deployer.run("--definitions", str(SAMPLES / "global-certificate.asl.json"))
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith(
        f"sfnxr: {SAMPLES / 'global-certificate.asl.json'}:13: RequestCertificate: the role is chosen at run time"
    )
    assert deployer.calls == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runtime", "python3.11"], "sfnxr: --runtime python3.11: the proxy needs python3.12 or later"),
        (
            ["--runtime", "nodejs22.x"],
            "sfnxr: --runtime 'nodejs22.x': the proxy is Python; use python3.12 or later",
        ),
        (["--memory", "64"], "sfnxr: --memory 64: Lambda takes 128 to 10240 MB"),
        (["--timeout", "901"], "sfnxr: --timeout 901: Lambda takes 1 to 900 seconds"),
        (
            ["--function-name", "a b"],
            "sfnxr: --function-name 'a b': use 1-64 letters, digits, hyphens or underscores",
        ),
        (
            ["--role-arn", "my-role"],
            "sfnxr: 'my-role' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)",
        ),
        (
            ["--allow-invoke-from", "123456789012"],
            "sfnxr: '123456789012' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)",
        ),
        (
            ["--assume-role", "arn:aws:iam::123:role/x"],
            "sfnxr: --assume-role 'arn:aws:iam::123:role/x' is not an IAM role ARN",
        ),
    ],
)
def test_bad_options(aws_env: None, args: list[str], message: str) -> None:
    result = sfnxr("deploy-proxy", "--region", REGION, *args)
    assert result.exit_code == 2
    assert one_line(result.stderr) == message


def test_plan_and_template_together_is_a_usage_error(aws_env: None, tmp_path: Path) -> None:
    result = sfnxr("deploy-proxy", "--region", REGION, "--plan", "--template", str(tmp_path))
    assert result.exit_code == 2
    assert "choose one of --plan and --template" in result.stderr


def test_missing_permissions() -> None:
    """moto enforces IAM after its first requests: a deployer allowed to read but not to create roles."""
    with moto_server(
        env={"INITIAL_NO_AUTH_ACTION_COUNT": "3"}, patches=["tests.deploy.moto_patches:lenient_signatures"]
    ) as endpoint:
        configure(endpoint, {"lambda": {"use_docker": False}})
        iam = boto3.client(
            "iam", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="a", aws_secret_access_key="b"
        )
        user = unique("deployer")
        iam.create_user(UserName=user)
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*",
                  "Action": ["sts:GetCallerIdentity", "iam:GetRole", "iam:GetRolePolicy", "lambda:Get*"]}]}  # fmt: skip
        iam.put_user_policy(UserName=user, PolicyName="read-only", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        env = {
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "PATH": "/usr/bin:/bin",
        }
        command = [
            sys.executable,
            "-m",
            "sfnxr",
            "deploy-proxy",
            "--region",
            REGION,
            "--endpoint-url",
            endpoint,
        ]
        result = subprocess.run(
            [*command, "--definitions", BEDROCK],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    assert one_line(result.stderr) == (
        f"sfnxr: create role sfnxr-proxy-{REGION} (trusted by lambda.amazonaws.com): AWS refused iam:CreateRole "
        f"(User: arn:aws:iam::123456789012:user/{user} is not authorized to perform: iam:CreateRole): allow it "
        "to the identity running deploy-proxy "
        "(the README's 'What the identity running deploy-proxy needs' lists every action it calls) "
        "(run again to finish)"
    )


def test_importing_the_commands_does_not_import_boto3() -> None:
    code = (
        "import sys, sfnxr.cli_deploy, sfnxr.cli, sfnxr.policy\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_policy_does_not_import_boto3() -> None:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom sfnxr.cli import main\n"
        f"result = CliRunner().invoke(main, ['policy', {BEDROCK!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
