"""deploy-proxy against a moto server: first deploy, no-op redeploy, changes, --plan, interrupted runs."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from sfnxr.deploy import package as packaging
from tests.deploy.conftest import ACCOUNT, REGION, SAMPLES, Deployer
from tests.support.cli import sfnxr

BEDROCK = str(SAMPLES / "bedrock-ingestion.asl.json")
FAILOVER = str(SAMPLES / "failover-runbook.asl.yaml")
CALLBACK = str(SAMPLES / "callback-approval.asl.json")
INVOKER = f"arn:aws:iam::{ACCOUNT}:role/ingest-state-machine"
OTHER_INVOKER = "arn:aws:iam::210987654321:role/reporting-state-machine"


def test_first_deploy_creates_everything_and_a_second_changes_nothing(deployer: Deployer) -> None:
    first = deployer.run("--definitions", BEDROCK, "--allow-invoke-from", INVOKER)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == f"{deployer.alias_arn}\n"
    assert deployer.writes == [
        "CreateRole",
        "PutRolePolicy",
        "CreateFunction",
        "PublishVersion",
        "CreateAlias",
        "AddPermission",
    ]
    assert f"{deployer.alias_arn} -> version 1" in first.stderr

    iam, lam = deployer.client("iam"), deployer.client("lambda")
    role = iam.get_role(RoleName=deployer.role_name)["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }
    policy = iam.get_role_policy(RoleName=deployer.role_name, PolicyName="sfnxr-proxy")["PolicyDocument"]
    printed = sfnxr("policy", BEDROCK, "--proxy-arn", deployer.alias_arn, "--format", "json")
    assert policy == json.loads(printed.stdout)["proxy_role_policy"]  # deploy puts what `policy` prints

    config = lam.get_function_configuration(FunctionName=deployer.function, Qualifier="live")
    assert config["Version"] == "1"
    assert config["Runtime"] == "python3.13"
    assert config["Handler"] == "sfnxr_proxy.handler.handler"
    assert config["Architectures"] == ["arm64"]
    assert (config["MemorySize"], config["Timeout"]) == (256, 60)
    assert config["Role"] == role["Arn"]
    expected = packaging.build(
        json.dumps(
            {"calls": ["bedrockagent:getIngestionJob:us-west-2", "bedrockagent:startIngestionJob:us-west-2"],
             "endpoints": [], "roles": [], "v": 1}, indent=1, sort_keys=True) + "\n"
    )  # fmt: skip
    assert config["CodeSha256"] == expected.code_sha256
    assert lam.get_alias(FunctionName=deployer.function, Name="live")["FunctionVersion"] == "1"
    statements = json.loads(lam.get_policy(FunctionName=deployer.function, Qualifier="live")["Policy"])
    [statement] = statements["Statement"]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Principal"] in (INVOKER, {"AWS": INVOKER})

    second = deployer.run("--definitions", BEDROCK, "--allow-invoke-from", INVOKER)
    assert second.exit_code == 0, second.stderr
    assert second.stdout == f"{deployer.alias_arn}\n"
    assert deployer.writes == []  # reads only
    assert deployer.calls  # it did look
    assert second.stderr == f"sfnxr: nothing to change: {deployer.alias_arn} is version 1\n"


def test_a_changed_definition_updates_only_the_policy_and_the_allowlist(deployer: Deployer) -> None:
    assert deployer.run("--definitions", BEDROCK).exit_code == 0
    lam = deployer.client("lambda")
    before = lam.get_function_configuration(FunctionName=deployer.function)

    changed = deployer.run("--definitions", BEDROCK, "--definitions", CALLBACK, "--output", "json")
    assert changed.exit_code == 0, changed.stderr
    assert deployer.writes == ["PutRolePolicy", "UpdateFunctionCode", "PublishVersion", "UpdateAlias"]
    report = json.loads(changed.stdout)
    assert report["changed"] == ["policy", "code", "version", "alias"]
    assert report["version"] == "2"
    assert report["alias"] == deployer.alias_arn

    after = lam.get_function_configuration(FunctionName=deployer.function, Qualifier="live")
    assert after["CodeSha256"] != before["CodeSha256"]
    assert {key: after[key] for key in ("MemorySize", "Timeout", "Role", "Runtime")} == {
        key: before[key] for key in ("MemorySize", "Timeout", "Role", "Runtime")
    }
    policy = deployer.client("iam").get_role_policy(RoleName=deployer.role_name, PolicyName="sfnxr-proxy")
    actions = {
        a for s in policy["PolicyDocument"]["Statement"] for a in s["Action"] if isinstance(s["Action"], list)
    }
    assert "sqs:SendMessage" in actions


def test_a_code_change_publishes_a_new_version_and_moves_the_alias(
    deployer: Deployer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert deployer.run("--definitions", BEDROCK).exit_code == 0
    source = tmp_path / "sfnxr_proxy"
    shutil.copytree(packaging.source_dir(), source, ignore=shutil.ignore_patterns("__pycache__"))
    handler = source / "handler.py"
    handler.write_text(
        handler.read_text(encoding="utf-8") + "\n# a new release of the proxy\n", encoding="utf-8"
    )
    monkeypatch.setattr(packaging, "source_dir", lambda: source)

    result = deployer.run("--definitions", BEDROCK)
    assert result.exit_code == 0, result.stderr
    assert deployer.writes == ["UpdateFunctionCode", "PublishVersion", "UpdateAlias"]
    lam = deployer.client("lambda")
    assert lam.get_alias(FunctionName=deployer.function, Name="live")["FunctionVersion"] == "2"
    assert (
        lam.get_function_configuration(FunctionName=deployer.function, Qualifier="1")["CodeSha256"]
        != (lam.get_function_configuration(FunctionName=deployer.function, Qualifier="2")["CodeSha256"])
    )
    assert deployer.run("--definitions", BEDROCK).stderr.startswith("sfnxr: nothing to change")


def test_a_configuration_change_updates_the_configuration_only(deployer: Deployer) -> None:
    assert deployer.run("--definitions", BEDROCK).exit_code == 0
    result = deployer.run("--definitions", BEDROCK, "--memory", "512", "--timeout", "30")
    assert result.exit_code == 0, result.stderr
    assert deployer.writes == ["UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias"]
    config = deployer.client("lambda").get_function_configuration(
        FunctionName=deployer.function, Qualifier="live"
    )
    assert (config["MemorySize"], config["Timeout"], config["Version"]) == (512, 30, "2")


def test_plan_writes_nothing(deployer: Deployer) -> None:
    result = deployer.run("--definitions", BEDROCK, "--allow-invoke-from", INVOKER, "--plan")
    assert result.exit_code == 0, result.stderr
    assert deployer.writes == []
    assert result.stdout.splitlines() == [
        f"Plan for {deployer.function} in {REGION} (account {ACCOUNT}):",
        f"  + create role {deployer.role_name} (trusted by lambda.amazonaws.com)",
        f"  + put inline policy sfnxr-proxy on role {deployer.role_name} (2 statements)",
        f"  + create function {deployer.function} (python3.13, arm64, 256 MB, 60 s, CodeSha256 "
        f"{result.stdout.split('CodeSha256 ')[1].split(')')[0]})",
        f"  + publish a version of {deployer.function}",
        f"  + create alias {deployer.function}:live -> the published version",
        f"  + let {INVOKER} invoke {deployer.function}:live",
    ]
    lam = deployer.client("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_configuration(FunctionName=deployer.function)

    assert deployer.run("--definitions", BEDROCK, "--allow-invoke-from", INVOKER).exit_code == 0
    up_to_date = deployer.run(
        "--definitions", BEDROCK, "--allow-invoke-from", INVOKER, "--plan", "--output", "json"
    )
    assert deployer.writes == []
    assert json.loads(up_to_date.stdout)["plan"] == []
    changed = deployer.run("--definitions", BEDROCK, "--plan", "--output", "json")
    assert [step["change"] for step in json.loads(changed.stdout)["plan"]] == ["permission"]
    assert deployer.writes == []


def test_a_run_interrupted_after_the_role_was_created_completes_on_the_next_run(deployer: Deployer) -> None:
    deployer.fail_on = {"CreateFunction"}
    failed = deployer.run("--definitions", BEDROCK)
    assert failed.exit_code == 2
    assert failed.stdout == ""
    assert "Traceback" not in failed.stderr
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith(f"sfnxr: create function {deployer.function} (")
    assert "AWS refused lambda:CreateFunction (not allowed to CreateFunction (injected))" in last
    assert last.endswith("(2 step(s) done before it; run again to finish)")
    deployer.client("iam").get_role(RoleName=deployer.role_name)  # the role is there

    deployer.fail_on = set()
    finished = deployer.run("--definitions", BEDROCK)
    assert finished.exit_code == 0, finished.stderr
    assert deployer.writes == ["CreateFunction", "PublishVersion", "CreateAlias"]
    assert finished.stdout == f"{deployer.alias_arn}\n"


def test_a_run_interrupted_after_publishing_points_the_alias_on_the_next_run(deployer: Deployer) -> None:
    assert deployer.run("--definitions", BEDROCK).exit_code == 0
    deployer.fail_on = {"UpdateAlias"}
    assert deployer.run("--definitions", BEDROCK, "--definitions", CALLBACK).exit_code == 2
    deployer.fail_on = set()
    finished = deployer.run("--definitions", BEDROCK, "--definitions", CALLBACK)
    assert finished.exit_code == 0, finished.stderr
    # The code and policy are in place and version 2 exists: publishing again returns it, the alias moves.
    assert deployer.writes == ["PublishVersion", "UpdateAlias"]
    lam = deployer.client("lambda")
    assert lam.get_alias(FunctionName=deployer.function, Name="live")["FunctionVersion"] == "2"


def test_invoke_permissions_follow_the_options(deployer: Deployer) -> None:
    assert deployer.run("--definitions", BEDROCK, "--allow-invoke-from", INVOKER).exit_code == 0
    swapped = deployer.run("--definitions", BEDROCK, "--allow-invoke-from", OTHER_INVOKER)
    assert swapped.exit_code == 0, swapped.stderr
    assert deployer.writes == ["RemovePermission", "AddPermission"]
    policy = json.loads(
        deployer.client("lambda").get_policy(FunctionName=deployer.function, Qualifier="live")["Policy"]
    )
    assert [s["Principal"] for s in policy["Statement"]] in ([OTHER_INVOKER], [{"AWS": OTHER_INVOKER}])


def test_a_given_role_is_used_and_not_touched(deployer: Deployer) -> None:
    iam = deployer.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}  # fmt: skip
    arn = iam.create_role(RoleName=f"{deployer.function}-own", AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]["Arn"]
    result = deployer.run("--definitions", BEDROCK, "--role-arn", arn, "--output", "json")
    assert result.exit_code == 0, result.stderr
    assert [op for service, op in deployer.calls if service == "iam"] == []
    assert json.loads(result.stdout)["role"] == arn
    config = deployer.client("lambda").get_function_configuration(FunctionName=deployer.function)
    assert config["Role"] == arn
    assert deployer.run("--definitions", BEDROCK, "--role-arn", arn).stderr.startswith(
        "sfnxr: nothing to change"
    )


def test_snapstart_sets_the_warm_up_and_stays_idempotent(deployer: Deployer) -> None:
    first = deployer.run("--definitions", BEDROCK, "--snapstart", "--runtime", "python3.12")
    assert first.exit_code == 0, first.stderr
    config = deployer.client("lambda").get_function_configuration(
        FunctionName=deployer.function, Qualifier="live"
    )
    assert config["SnapStart"]["ApplyOn"] == "PublishedVersions"
    assert config["Environment"]["Variables"] == {"SFNXR_WARM_CLIENTS": "1"}
    assert config["Runtime"] == "python3.12"
    again = deployer.run("--definitions", BEDROCK, "--snapstart", "--runtime", "python3.12")
    assert deployer.writes == [], again.stderr
    off = deployer.run("--definitions", BEDROCK, "--runtime", "python3.12")
    assert off.exit_code == 0, off.stderr
    assert deployer.writes == ["UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias"]
    config = deployer.client("lambda").get_function_configuration(
        FunctionName=deployer.function, Qualifier="live"
    )
    assert config["SnapStart"]["ApplyOn"] == "None"
    assert not config.get("Environment", {}).get("Variables")


def test_json_output_of_a_first_deploy(deployer: Deployer) -> None:
    result = deployer.run("--definitions", FAILOVER, "--output", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{deployer.function}"
    assert report == {
        "function": function_arn,
        "alias": f"{function_arn}:live",
        "version": "1",
        "version_arn": f"{function_arn}:1",
        "role": f"arn:aws:iam::{ACCOUNT}:role/{deployer.role_name}",
        "region": REGION,
        "code_sha256": report["code_sha256"],
        "changed": ["role", "policy", "function", "version", "alias"],
        "steps": report["steps"],
    }
    assert len(report["steps"]) == 5
    assert base64.b64decode(report["code_sha256"]) and len(base64.b64decode(report["code_sha256"])) == 32


def test_the_deployed_alias_arn_feeds_transform(deployer: Deployer, tmp_path: Path) -> None:
    arn = deployer.run("--definitions", BEDROCK).stdout.strip()
    result = sfnxr("transform", "--proxy-arn", arn, BEDROCK)
    assert result.exit_code == 0, result.stderr
    assert f'"Resource": "{arn}"' in result.stdout


def test_no_definitions_deploys_a_proxy_that_allows_nothing(deployer: Deployer) -> None:
    result = deployer.run()
    assert result.exit_code == 0, result.stderr
    assert "allowlist is empty" in result.stderr
    policy = deployer.client("iam").get_role_policy(RoleName=deployer.role_name, PolicyName="sfnxr-proxy")
    assert [s["Sid"] for s in policy["PolicyDocument"]["Statement"]] == ["Logs"]


def test_zip_in_lambda_matches_the_package(deployer: Deployer) -> None:
    assert deployer.run("--definitions", BEDROCK).exit_code == 0
    code = deployer.client("lambda").get_function(FunctionName=deployer.function)
    sha = code["Configuration"]["CodeSha256"]
    allowlist = json.dumps({"calls": ["bedrockagent:getIngestionJob:us-west-2", "bedrockagent:startIngestionJob:us-west-2"], "endpoints": [], "roles": [], "v": 1}, indent=1, sort_keys=True) + "\n"  # fmt: skip
    data = packaging.build(allowlist).data
    assert sha == base64.b64encode(hashlib.sha256(data).digest()).decode()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "sfnxr_proxy/allowlist.json" in names and "sfnxr_proxy/handler.py" in names
