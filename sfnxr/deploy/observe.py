"""What AWS has for a proxy deployment: read calls only (Get*), so `--plan` and a no-op run write nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sfnxr.deploy.aws import Clients, error_code
from sfnxr.deploy.models import (
    PERMISSION_PREFIX,
    SNAPSTART_ON,
    Code,
    Desired,
    Observed,
    ObservedFunction,
    ObservedRole,
    Settings,
)

_NOT_FOUND = frozenset({"ResourceNotFoundException", "NoSuchEntity", "NoSuchEntityException"})


def _missing(error: Exception) -> bool:
    return error_code(error) in _NOT_FOUND


def observe(aws: Clients, desired: Desired) -> Observed:
    role = _role(aws, desired) if desired.role is not None else None
    latest = _function(aws, desired.function_name, None)
    if latest is None:
        return Observed(role=role)
    alias_version = _alias_version(aws, desired)
    alias_function = None
    if alias_version is not None:
        alias_function = (
            latest
            if alias_version == latest.version
            else _function(aws, desired.function_name, alias_version)
        )
    invokers = _invokers(aws, desired) if alias_version is not None else {}
    return Observed(
        role=role,
        latest=latest,
        alias_version=alias_version,
        alias_function=alias_function,
        invokers=invokers,
    )


def _policy_document(value: Any) -> Mapping[str, Any] | None:
    """IAM documents arrive decoded by botocore; a string (URL-decoded JSON) is parsed here."""
    if value is None or isinstance(value, Mapping):
        return value
    from urllib.parse import unquote

    parsed: Mapping[str, Any] = json.loads(unquote(str(value)))
    return parsed


def _role(aws: Clients, desired: Desired) -> ObservedRole | None:
    assert desired.role is not None
    try:
        role = aws.iam.get_role(RoleName=desired.role.name)["Role"]
    except Exception as error:
        if _missing(error):
            return None
        raise
    try:
        answer = aws.iam.get_role_policy(RoleName=desired.role.name, PolicyName=desired.role.policy_name)
        policy = _policy_document(answer.get("PolicyDocument"))
    except Exception as error:
        if not _missing(error):
            raise
        policy = None
    return ObservedRole(
        arn=str(role["Arn"]),
        trust_policy=_policy_document(role.get("AssumeRolePolicyDocument")),
        policy=policy,
    )


def observed_function(config: Mapping[str, Any]) -> ObservedFunction:
    """GetFunctionConfiguration's answer as plain data."""
    architectures = config.get("Architectures") or ["x86_64"]
    snapstart = (config.get("SnapStart") or {}).get("ApplyOn") == SNAPSTART_ON
    return ObservedFunction(
        version=str(config.get("Version", "$LATEST")),
        code=Code(str(config.get("CodeSha256", "")), str(architectures[0])),
        settings=Settings(
            runtime=str(config.get("Runtime", "")),
            handler=str(config.get("Handler", "")),
            role_arn=str(config.get("Role", "")),
            memory=int(config.get("MemorySize", 0)),
            timeout=int(config.get("Timeout", 0)),
            environment=dict((config.get("Environment") or {}).get("Variables") or {}),
            snapstart=snapstart,
            description=str(config.get("Description", "")),
        ),
        state=str(config.get("State", "Active")),
        last_update_status=str(config.get("LastUpdateStatus", "Successful")),
    )


def _function(aws: Clients, name: str, qualifier: str | None) -> ObservedFunction | None:
    arguments = (
        {"FunctionName": name} if qualifier is None else {"FunctionName": name, "Qualifier": qualifier}
    )
    try:
        config = aws.lambda_.get_function_configuration(**arguments)
    except Exception as error:
        if _missing(error):
            return None
        raise
    return observed_function(config)


def _alias_version(aws: Clients, desired: Desired) -> str | None:
    try:
        alias = aws.lambda_.get_alias(FunctionName=desired.function_name, Name=desired.alias)
    except Exception as error:
        if _missing(error):
            return None
        raise
    return str(alias["FunctionVersion"])


def principal_of(statement: Mapping[str, Any]) -> str | None:
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        principal = principal.get("AWS", principal.get("Service"))
    if isinstance(principal, list) and len(principal) == 1:
        principal = principal[0]
    return principal if isinstance(principal, str) else None


def _invokers(aws: Clients, desired: Desired) -> dict[str, str]:
    try:
        answer = aws.lambda_.get_policy(FunctionName=desired.function_name, Qualifier=desired.alias)
    except Exception as error:
        if _missing(error):
            return {}
        raise
    document = json.loads(answer["Policy"]) if isinstance(answer.get("Policy"), str) else {}
    found: dict[str, str] = {}
    for statement in document.get("Statement", []):
        sid = str(statement.get("Sid", ""))
        if sid.startswith(PERMISSION_PREFIX):
            found[sid] = principal_of(statement) or ""
    return found
