"""Carry a plan out with boto3, in order, waiting where Lambda needs it.

Every step is safe to repeat: a run that stops anywhere (a refused call, a lost connection, Ctrl-C) leaves a
state that the next run's plan reads and finishes. IAM is eventually consistent: a role created seconds ago
may not yet be assumable by Lambda, so function creation and role changes are retried for a while.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sfnxr.deploy.aws import Clients, error_code
from sfnxr.deploy.models import (
    SNAPSTART_ON,
    AddPermission,
    CreateAlias,
    CreateFunction,
    CreateRole,
    Desired,
    Observed,
    PublishVersion,
    PutRolePolicy,
    RemovePermission,
    Settings,
    Step,
    UpdateAlias,
    UpdateCode,
    UpdateConfiguration,
    UpdateTrustPolicy,
)

TAGS = {"managed-by": "sfnxr"}
# Lambda answers InvalidParameterValueException ("The role defined for the function cannot be assumed by
# Lambda.") while a new role or its trust policy propagates; AWS documents no bound, ten-odd seconds is usual.
ROLE_PROPAGATION_SECONDS = 120.0
_WAIT = {"Delay": 2, "MaxAttempts": 450}  # Lambda states: up to 15 minutes (SnapStart snapshots take minutes)


class StepFailed(Exception):
    def __init__(self, step: Step, done: list[Step], cause: BaseException) -> None:
        super().__init__(f"{step.describe()}: {cause}")
        self.step = step
        self.done = done
        self.cause = cause


@dataclass
class Applied:
    done: list[Step] = field(default_factory=list)
    version: str | None = None  # the version the alias points at after the run


@dataclass
class Executor:
    aws: Clients
    desired: Desired
    observed: Observed
    on_done: Callable[[Step], None] = lambda step: None
    sleep: Callable[[float], None] = time.sleep
    result: Applied = field(default_factory=Applied)

    def run(self, steps: list[Step]) -> Applied:
        self.result.version = self.observed.alias_version
        for step in steps:
            try:
                performed = self._do(step)
            except BaseException as error:
                raise StepFailed(step, list(self.result.done), error) from error
            if performed:
                self.result.done.append(step)
                self.on_done(step)
        return self.result

    def _do(self, step: Step) -> bool:
        """Carry out one step; False when it turned out to need no write."""
        iam, lam = self.aws.iam, self.aws.lambda_
        match step:
            case CreateRole(role=role):
                iam.create_role(
                    RoleName=role.name,
                    AssumeRolePolicyDocument=json.dumps(role.trust_policy),
                    Description=role.description,
                    Tags=[{"Key": key, "Value": value} for key, value in TAGS.items()],
                )
            case UpdateTrustPolicy(role=role):
                iam.update_assume_role_policy(
                    RoleName=role.name, PolicyDocument=json.dumps(role.trust_policy)
                )
            case PutRolePolicy(role=role):
                iam.put_role_policy(
                    RoleName=role.name, PolicyName=role.policy_name, PolicyDocument=json.dumps(role.policy)
                )
            case CreateFunction(name=name, code=code, settings=settings):
                self._retry_role(
                    lambda: lam.create_function(
                        FunctionName=name,
                        Code={"ZipFile": self.desired.zip_bytes},
                        Architectures=[code.architecture],
                        Publish=False,
                        Tags=dict(TAGS),
                        **configuration(settings, settings.snapstart),
                    )
                )
                lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=_WAIT)
            case UpdateCode(name=name, code=code):
                self._wait_updated(name)
                lam.update_function_code(
                    FunctionName=name, ZipFile=self.desired.zip_bytes, Architectures=[code.architecture]
                )
                self._wait_updated(name)
            case UpdateConfiguration(name=name, settings=settings, fields=changed):
                self._wait_updated(name)
                snapstart = settings.snapstart or "SnapStart" in changed
                self._retry_role(
                    lambda: lam.update_function_configuration(
                        FunctionName=name, **configuration(settings, snapstart)
                    )
                )
                self._wait_updated(name)
            case PublishVersion(name=name, code_sha256=sha256):
                self._wait_updated(name)
                version = str(lam.publish_version(FunctionName=name, CodeSha256=sha256)["Version"])
                # A SnapStart version is Pending until its snapshot is made; the alias waits for it.
                lam.get_waiter("function_active_v2").wait(
                    FunctionName=name, Qualifier=version, WaiterConfig=_WAIT
                )
                performed = version != self.observed.alias_version
                self.result.version = version
                return performed
            case CreateAlias(name=name, alias=alias):
                lam.create_alias(
                    FunctionName=name,
                    Name=alias,
                    FunctionVersion=self._published(),
                    Description="what sfnxr-rewritten state machines call",
                )
            case UpdateAlias(name=name, alias=alias, previous=previous):
                version = self._published()
                if version == previous:
                    return False
                lam.update_alias(FunctionName=name, Name=alias, FunctionVersion=version)
            case AddPermission(name=name, alias=alias, statement_id=sid, principal=principal):
                lam.add_permission(
                    FunctionName=name,
                    Qualifier=alias,
                    StatementId=sid,
                    Action="lambda:InvokeFunction",
                    Principal=principal,
                )
            case RemovePermission(name=name, alias=alias, statement_id=sid):
                try:
                    lam.remove_permission(FunctionName=name, Qualifier=alias, StatementId=sid)
                except Exception as error:
                    if error_code(error) != "ResourceNotFoundException":
                        raise
            case _:
                raise TypeError(f"unknown step {step!r}")
        return True

    def _published(self) -> str:
        if self.result.version is None:
            raise RuntimeError("no version was published before the alias step")
        return self.result.version

    def _wait_updated(self, name: str) -> None:
        self.aws.lambda_.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=_WAIT)

    def _retry_role(self, call: Callable[[], Any]) -> Any:
        """Retry while a role sfnxr manages propagates; a role given with --role-arn fails at once."""
        if self.desired.role is None:
            return call()
        waited = 0.0
        delay = 1.0
        while True:
            try:
                return call()
            except Exception as error:
                propagating = error_code(error) == "InvalidParameterValueException" and "role" in str(error)
                if not propagating or waited >= ROLE_PROPAGATION_SECONDS:
                    raise
            self.sleep(delay)
            waited += delay
            delay = min(delay * 2, 10.0)


def configuration(settings: Settings, snapstart: bool) -> dict[str, Any]:
    """The keyword arguments CreateFunction and UpdateFunctionConfiguration share. SnapStart is sent only to
    turn it on or off (Lambda in a region without SnapStart need not hear of it)."""
    arguments: dict[str, Any] = {
        "Runtime": settings.runtime,
        "Handler": settings.handler,
        "Role": settings.role_arn,
        "MemorySize": settings.memory,
        "Timeout": settings.timeout,
        "Description": settings.description,
        "Environment": {"Variables": dict(settings.environment)},
    }
    if snapstart:
        arguments["SnapStart"] = {"ApplyOn": SNAPSTART_ON if settings.snapstart else "None"}
    return arguments


def apply(
    aws: Clients,
    desired: Desired,
    observed: Observed,
    steps: list[Step],
    on_done: Callable[[Step], None] = lambda step: None,
    sleep: Callable[[float], None] = time.sleep,
) -> Applied:
    return Executor(aws, desired, observed, on_done=on_done, sleep=sleep).run(steps)
