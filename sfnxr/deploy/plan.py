"""Desired vs observed -> the steps that reach the desired state. Pure: no AWS, no clock.

The alias is what state machines call, so the plan is judged by it: it must point at a version with the
desired code and configuration. $LATEST is only the means to publish such a version. A run interrupted
anywhere leaves a state this planner reads like any other, so the next run finishes the job.
"""

from __future__ import annotations

from dataclasses import fields

from sfnxr.deploy.models import (
    AddPermission,
    CreateAlias,
    CreateFunction,
    CreateRole,
    Desired,
    Observed,
    ObservedFunction,
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
from sfnxr.policy import same_policy

_FIELD_LABELS = {
    "runtime": "runtime",
    "handler": "handler",
    "role_arn": "role",
    "memory": "memory",
    "timeout": "timeout",
    "environment": "environment",
    "snapstart": "SnapStart",
    "description": "description",
}


def changed_settings(have: Settings, want: Settings) -> tuple[str, ...]:
    return tuple(
        _FIELD_LABELS[item.name]
        for item in fields(Settings)
        if _comparable(getattr(have, item.name)) != _comparable(getattr(want, item.name))
    )


def _comparable(value: object) -> object:
    return dict(value) if isinstance(value, dict) else value


def matches(function: ObservedFunction | None, desired: Desired) -> bool:
    """Whether this version of the function is what `desired` asks for."""
    return (
        function is not None
        and function.usable
        and function.code == desired.code
        and not changed_settings(function.settings, desired.settings)
    )


def plan(desired: Desired, observed: Observed) -> list[Step]:
    steps: list[Step] = []
    role = desired.role
    if role is not None:
        if observed.role is None:
            steps.append(CreateRole(role))
        elif not same_policy(observed.role.trust_policy, role.trust_policy):
            steps.append(UpdateTrustPolicy(role))
        if observed.role is None or not same_policy(observed.role.policy, role.policy):
            steps.append(PutRolePolicy(role))

    name = desired.function_name
    latest = observed.latest
    if latest is None:
        steps.append(CreateFunction(name, desired.code, desired.settings))
    else:
        if latest.code != desired.code or latest.last_update_status == "Failed":
            steps.append(UpdateCode(name, desired.code))
        changed = changed_settings(latest.settings, desired.settings)
        if changed:
            steps.append(UpdateConfiguration(name, desired.settings, changed))

    function_changed = any(
        isinstance(step, CreateFunction | UpdateCode | UpdateConfiguration) for step in steps
    )
    if function_changed or not matches(observed.alias_function, desired):
        steps.append(PublishVersion(name, desired.code.sha256, desired.settings.snapstart))
        if observed.alias_version is None:
            steps.append(CreateAlias(name, desired.alias))
        else:
            steps.append(UpdateAlias(name, desired.alias, observed.alias_version))

    for statement_id, principal in sorted(observed.invokers.items()):
        if desired.invokers.get(statement_id) != principal:
            steps.append(RemovePermission(name, desired.alias, statement_id, principal))
    for statement_id, principal in sorted(desired.invokers.items()):
        if observed.invokers.get(statement_id) != principal:
            steps.append(AddPermission(name, desired.alias, statement_id, principal))
    return steps


def changes(steps: list[Step]) -> list[str]:
    """What a run changed (or would change), in plan order, each kind once."""
    seen: list[str] = []
    for step in steps:
        if step.change not in seen:
            seen.append(step.change)
    return seen


def render(desired: Desired, steps: list[Step]) -> str:
    """The plan as text, one step a line."""
    head = f"Plan for {desired.function_name} in {desired.region} (account {desired.account}):"
    if not steps:
        return f"{head}\n  nothing to do: {desired.alias_arn} is up to date\n"
    return head + "\n" + "".join(f"  + {step.describe()}\n" for step in steps)
