"""The desired state of a proxy deployment, from the command's options and the definitions. Pure."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sfnxr import policy
from sfnxr.deploy.models import (
    ALIAS,
    PERMISSION_PREFIX,
    Code,
    DeployError,
    Desired,
    RoleSpec,
    Settings,
)
from sfnxr.deploy.package import HANDLER, Package

# When this is "1", the handler creates the allowlisted clients while Lambda initialises it, so that a
# SnapStart snapshot holds them (lambda_src/sfnxr_proxy/warmup.py).
WARM_ENV = "SFNXR_WARM_CLIENTS"
DESCRIPTION = "sfnxr cross-region proxy for Step Functions aws-sdk tasks"
DEFAULT_FUNCTION_NAME = "sfnxr-proxy"
DEFAULT_RUNTIME = "python3.13"
DEFAULT_MEMORY = 256  # MB; CPU grows with memory, and a cold start is mostly CPU (import boto3, read models)
DEFAULT_TIMEOUT = 60  # s; the proxy's own read timeout is the remaining time less one second
DEFAULT_ARCHITECTURE = "arm64"
ARCHITECTURES = ("arm64", "x86_64")
# Python SnapStart: python3.12 and later (AWS Lambda developer guide, "Improving startup performance with
# Lambda SnapStart"), not in ap-southeast-6 (Auckland) nor ap-east-2 (Taipei) at the time of writing.
SNAPSTART_MIN_PYTHON = (3, 12)
_RUNTIME = re.compile(r"^python(\d+)\.(\d+)$")
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ROLE_NAME_LIMIT = 64
INLINE_POLICY_LIMIT = 10_240  # IAM: a role's inline policies together, whitespace not counted


@dataclass(frozen=True)
class DeployOptions:
    region: str
    function_name: str = DEFAULT_FUNCTION_NAME
    role_arn: str | None = None
    allow_invoke_from: tuple[str, ...] = ()
    assume_roles: tuple[str, ...] = ()
    memory: int = DEFAULT_MEMORY
    timeout: int = DEFAULT_TIMEOUT
    architecture: str = DEFAULT_ARCHITECTURE
    runtime: str = DEFAULT_RUNTIME
    snapstart: bool = False


def check_options(options: DeployOptions) -> None:
    """Raise DeployError for options no deployment could satisfy (before any AWS call)."""
    if not _FUNCTION_NAME.match(options.function_name):
        raise DeployError(
            f"--function-name {options.function_name!r}: use 1-64 letters, digits, hyphens or underscores"
        )
    runtime = _RUNTIME.match(options.runtime)
    if runtime is None:
        raise DeployError(f"--runtime {options.runtime!r}: the proxy is Python; use python3.12 or later")
    version = (int(runtime[1]), int(runtime[2]))
    if version < (3, 12):
        raise DeployError(f"--runtime {options.runtime}: the proxy needs python3.12 or later")
    if options.snapstart and version < SNAPSTART_MIN_PYTHON:
        raise DeployError(f"--snapstart needs python3.12 or later, not {options.runtime}")
    if options.architecture not in ARCHITECTURES:
        raise DeployError(f"--architecture must be one of {', '.join(ARCHITECTURES)}")
    if not 128 <= options.memory <= 10240:
        raise DeployError(f"--memory {options.memory}: Lambda takes 128 to 10240 MB")
    if not 1 <= options.timeout <= 900:
        raise DeployError(f"--timeout {options.timeout}: Lambda takes 1 to 900 seconds")
    for role in (*([options.role_arn] if options.role_arn else []), *options.allow_invoke_from):
        if not policy.is_role_arn(role):
            raise DeployError(f"{role!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
    for role in options.assume_roles:
        if not policy.is_role_arn(role):
            raise DeployError(f"--assume-role {role!r} is not an IAM role ARN")


def check_policy_size(document: Mapping[str, Any]) -> None:
    size = len(json.dumps(document, separators=(",", ":")))
    if size > INLINE_POLICY_LIMIT:
        raise DeployError(
            f"the proxy role's policy would be {size} characters, over IAM's limit of "
            f"{INLINE_POLICY_LIMIT} for a role's inline policies: deploy a proxy per group of state "
            "machines, or pass --role-arn with a role whose policies you manage (`sfnxr policy` prints "
            "what it needs)"
        )


def role_name(function_name: str, region: str) -> str:
    """The role sfnxr manages for a proxy: one per function and region (IAM is global, the proxy is not)."""
    name = f"{function_name}-{region}"
    if len(name) <= _ROLE_NAME_LIMIT:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: _ROLE_NAME_LIMIT - 9]}-{digest}"


def permission_id(principal: str) -> str:
    """A statement id for `principal` in the alias's resource policy (stable, and only sfnxr's)."""
    return PERMISSION_PREFIX + hashlib.sha256(principal.encode()).hexdigest()[:16]


def environment(options: DeployOptions) -> dict[str, str]:
    return {WARM_ENV: "1"} if options.snapstart else {}


def settings_for(options: DeployOptions, role_arn: str) -> Settings:
    return Settings(
        runtime=options.runtime,
        handler=HANDLER,
        role_arn=role_arn,
        memory=options.memory,
        timeout=options.timeout,
        environment=environment(options),
        snapstart=options.snapstart,
        description=DESCRIPTION,
    )


def desired_state(
    options: DeployOptions,
    *,
    account: str,
    partition: str,
    needs: policy.Needs,
    package: Package,
) -> Desired:
    managed_role = None
    role_arn = options.role_arn
    if role_arn is None:
        target = policy.ProxyTarget(partition, options.region, account, options.function_name)
        name = role_name(options.function_name, options.region)
        managed_role = RoleSpec(
            name=name,
            trust_policy=policy.TRUST_POLICY,
            policy_name=policy.INLINE_POLICY_NAME,
            policy=policy.role_policy(needs, target),
        )
        role_arn = f"arn:{partition}:iam::{account}:role/{name}"
        check_policy_size(managed_role.policy)
    return Desired(
        region=options.region,
        account=account,
        partition=partition,
        function_name=options.function_name,
        role_arn=role_arn,
        role=managed_role,
        code=Code(package.code_sha256, options.architecture),
        settings=settings_for(options, role_arn),
        zip_bytes=package.data,
        invokers=invokers_of(options.allow_invoke_from),
        alias=ALIAS,
    )


def invokers_of(roles: Sequence[str]) -> dict[str, str]:
    return {permission_id(role): role for role in sorted(set(roles))}
