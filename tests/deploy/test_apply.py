"""The executor's own logic, with fake clients: role propagation retries, skipped alias moves, limits."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfnxr import policy
from sfnxr.deploy.apply import ROLE_PROPAGATION_SECONDS, Executor
from sfnxr.deploy.aws import Clients
from sfnxr.deploy.desired import DeployOptions, desired_state
from sfnxr.deploy.models import CreateFunction, DeployError, Observed, PublishVersion, UpdateAlias
from sfnxr.deploy.package import build
from sfnxr.transform import RoutedTask
from tests.deploy.conftest import Deployer


class FakeWaiter:
    def wait(self, **_: Any) -> None:
        pass


class FakeLambda:
    def __init__(self, failures: int, version: str = "4") -> None:
        self.failures = failures
        self.version = version
        self.calls: list[str] = []

    def get_waiter(self, name: str) -> FakeWaiter:
        return FakeWaiter()

    def create_function(self, **_: Any) -> dict[str, Any]:
        self.calls.append("CreateFunction")
        if self.failures:
            self.failures -= 1
            error = {
                "Code": "InvalidParameterValueException",
                "Message": "The role defined for the function cannot be assumed by Lambda.",
            }
            raise ClientError({"Error": error}, "CreateFunction")
        return {}

    def publish_version(self, **_: Any) -> dict[str, Any]:
        self.calls.append("PublishVersion")
        return {"Version": self.version}

    def update_alias(self, **_: Any) -> dict[str, Any]:
        self.calls.append("UpdateAlias")
        return {}


def desired(**options: Any) -> Any:
    found = policy.needs([RoutedTask(("States", "A"), "A", "s3", "getObject", "us-west-2")])
    return desired_state(
        DeployOptions(region="eu-west-1", **options),
        account="123456789012",
        partition="aws",
        needs=found,
        package=build(policy.allowlist_text(found)),
    )


def executor(lam: FakeLambda, want: Any, observed: Observed | None = None) -> tuple[Executor, list[float]]:
    slept: list[float] = []
    clients = Clients(iam=None, lambda_=lam, sts=None, region="eu-west-1")
    return Executor(clients, want, observed or Observed(), sleep=slept.append), slept


def test_a_new_role_is_waited_for() -> None:
    want = desired()
    lam = FakeLambda(failures=3)
    run, slept = executor(lam, want)
    run.run([CreateFunction(want.function_name, want.code, want.settings)])
    assert lam.calls == ["CreateFunction"] * 4
    assert slept == [1.0, 2.0, 4.0]


def test_waiting_for_a_role_gives_up() -> None:
    want = desired()
    run, slept = executor(FakeLambda(failures=1000), want)
    with pytest.raises(Exception, match="cannot be assumed"):
        run.run([CreateFunction(want.function_name, want.code, want.settings)])
    assert ROLE_PROPAGATION_SECONDS <= sum(slept) < ROLE_PROPAGATION_SECONDS + 10


def test_a_given_role_is_not_waited_for() -> None:
    want = desired(role_arn="arn:aws:iam::123456789012:role/mine")
    lam = FakeLambda(failures=1)
    run, slept = executor(lam, want)
    with pytest.raises(Exception, match="cannot be assumed"):
        run.run([CreateFunction(want.function_name, want.code, want.settings)])
    assert (lam.calls, slept) == (["CreateFunction"], [])


def test_publishing_the_version_the_alias_has_moves_nothing() -> None:
    want = desired()
    lam = FakeLambda(failures=0, version="3")
    run, _ = executor(lam, want, Observed(alias_version="3"))
    applied = run.run(
        [
            PublishVersion(want.function_name, want.code.sha256, False),
            UpdateAlias(want.function_name, "live", "3"),
        ]
    )
    assert lam.calls == ["PublishVersion"]
    assert applied.done == [] and applied.version == "3"


def test_a_policy_over_the_iam_limit_is_refused_before_any_call() -> None:
    tasks = [
        RoutedTask(
            ("States", f"S{n}"),
            f"S{n}",
            "s3",
            "getObject",
            "us-west-2",
            iam_resources=(f"arn:aws:s3:::bucket-{n:04}/*",),
        )
        for n in range(300)
    ]
    found = policy.needs(tasks)
    with pytest.raises(DeployError, match="over IAM's limit of 10240"):
        desired_state(
            DeployOptions(region="eu-west-1"),
            account="123456789012",
            partition="aws",
            needs=found,
            package=build("{}"),
        )


def test_a_given_role_that_lambda_cannot_assume_fails_at_once(deployer: Deployer) -> None:
    result = deployer.run("--role-arn", "arn:aws:iam::123456789012:role/does-not-exist")
    assert result.exit_code == 2
    assert "lambda:CreateFunction failed: InvalidParameterValueException" in result.stderr
    assert deployer.writes == ["CreateFunction"]
