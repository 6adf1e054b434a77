"""What the proxy may do, derived from the routed tasks: its allowlist, its role's policy, the policies of the
roles it assumes, and the statement a state machine's role needs to invoke it. Pure: plain data in and out.

- A call's IAM actions are the annotation's ``iam-action=`` when given, else what ``sfnxr.iam`` derives.
- Its resources are ``iam-resources=``, else ``*``; a static region scopes the statement with an
  ``aws:RequestedRegion`` condition, a region chosen at run time (a JSONPath or JSONata expression) cannot.
- A call made with ``role=`` (or ``Credentials``) runs with that role's credentials: the proxy's role only
  needs ``sts:AssumeRole`` on it, and the call's actions belong in the assumed role's own policy.
- A role chosen at run time cannot be listed: the roles it may take must be named (``--assume-role``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sfnxr.iam import iam_actions as derived_iam_actions
from sfnxr.transform import RoutedTask

POLICY_VERSION = "2012-10-17"
REGION_KEY = "aws:RequestedRegion"
ANY_REGION = "*"  # the allowlist's "region chosen at run time"
INLINE_POLICY_NAME = "sfnxr-proxy"
TRUST_POLICY: dict[str, Any] = {
    "Version": POLICY_VERSION,
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_FUNCTION_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9_$-]{1,128})?$"
)


def is_role_arn(text: str) -> bool:
    return bool(_ROLE_ARN.match(text))


def static_region(task: RoutedTask) -> str | None:
    """The task's region, or None when it is chosen at run time."""
    return task.region if _REGION.match(task.region) else None


def static_role(task: RoutedTask) -> str | None:
    """The task's role ARN when it is written out; None when there is no role or it is an expression."""
    return task.role if task.role is not None and is_role_arn(task.role) else None


def task_actions(task: RoutedTask) -> tuple[str, ...]:
    return task.iam_actions or derived_iam_actions(task.service, task.action)


@dataclass(frozen=True)
class ProxyTarget:
    """Where the proxy runs; ``*`` for what is not known (a policy printed before any deploy)."""

    partition: str = "aws"
    region: str = "*"
    account: str = "*"
    function_name: str = "sfnxr-proxy"

    @classmethod
    def from_arn(cls, arn: str | None, default_name: str = "sfnxr-proxy") -> ProxyTarget:
        """From a Lambda function ARN (an alias or version qualifier is dropped); wildcards otherwise."""
        match = _FUNCTION_ARN.match(arn or "")
        if match is None:
            return cls(function_name=default_name)
        return cls(match["partition"], match["region"], match["account"], match["name"])

    @property
    def function_arn(self) -> str:
        return f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:{self.function_name}"

    @property
    def log_group_arn(self) -> str:
        return (
            f"arn:{self.partition}:logs:{self.region}:{self.account}:"
            f"log-group:/aws/lambda/{self.function_name}"
        )


@dataclass(frozen=True)
class Grant:
    """One statement: these actions on these resources, in these regions (None: any region)."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    regions: tuple[str, ...] | None


@dataclass(frozen=True)
class Needs:
    """Everything the proxy needs, in a canonical order (equal tasks give equal documents)."""

    calls: tuple[str, ...] = ()  # SERVICE:ACTION:REGION, region "*" when chosen at run time
    endpoints: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()  # roles the proxy may assume
    own: tuple[Grant, ...] = ()  # what the proxy's own role needs for the calls it makes itself
    assumed: Mapping[str, tuple[Grant, ...]] = field(default_factory=dict)  # role ARN -> its needs


class DynamicRoleError(ValueError):
    """A task's role is chosen at run time and no role was named for it."""

    def __init__(self, task: RoutedTask) -> None:
        super().__init__(
            f"{task.name}: the role is chosen at run time ({task.role}); name the roles it may take "
            "with --assume-role ARN (the proxy assumes only roles in its allowlist)"
        )
        self.task = task


def needs(tasks: Iterable[RoutedTask], assume_roles: Sequence[str] = ()) -> Needs:
    """The proxy's needs for `tasks`. `assume_roles` are the roles a run-time role may name.

    Raises DynamicRoleError for a run-time role when `assume_roles` is empty."""
    tasks = list(tasks)
    calls: set[str] = set()
    endpoints: set[str] = set()
    roles: set[str] = set(assume_roles)
    own: list[tuple[RoutedTask, tuple[str, ...]]] = []
    by_role: dict[str, list[tuple[RoutedTask, tuple[str, ...]]]] = {}
    for task in tasks:
        region = static_region(task)
        calls.add(f"{task.service}:{task.action}:{region or ANY_REGION}")
        if task.endpoint is not None:
            endpoints.add(task.endpoint)
        actions = task_actions(task)
        if task.role is None:
            own.append((task, actions))
            continue
        role = static_role(task)
        if role is not None:
            roles.add(role)
            by_role.setdefault(role, []).append((task, actions))
            continue
        if not assume_roles:
            raise DynamicRoleError(task)
        for named in assume_roles:
            by_role.setdefault(named, []).append((task, actions))
    return Needs(
        calls=tuple(sorted(calls)),
        endpoints=tuple(sorted(endpoints)),
        roles=tuple(sorted(roles)),
        own=_grouped(own),
        assumed={role: _grouped(entries) for role, entries in sorted(by_role.items())},
    )


def _grouped(entries: Iterable[tuple[RoutedTask, tuple[str, ...]]]) -> tuple[Grant, ...]:
    """One statement per (resources, regions): actions that share both share a statement. An action needed
    in a run-time region needs no region condition, so it leaves the region-scoped statements."""
    regions: dict[tuple[str, tuple[str, ...]], set[str] | None] = {}
    for task, actions in entries:
        resources = tuple(sorted(set(task.iam_resources))) or ("*",)
        if "*" in resources:
            resources = ("*",)
        region = static_region(task)
        for action in actions:
            key = (action, resources)
            if region is None:
                regions[key] = None
            elif key not in regions:
                regions[key] = {region}
            else:
                known = regions[key]
                if known is not None:
                    known.add(region)
    statements: dict[tuple[tuple[str, ...], tuple[str, ...] | None], set[str]] = {}
    for (action, resources), found in regions.items():
        scope = None if found is None else tuple(sorted(found))
        statements.setdefault((resources, scope), set()).add(action)
    ordered = sorted(statements.items(), key=lambda item: (item[0][1] is None, item[0][1] or (), item[0][0]))
    return tuple(Grant(tuple(sorted(actions)), resources, scope) for (resources, scope), actions in ordered)


def _statement(sid: str, grant: Grant) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(grant.actions),
        "Resource": "*" if grant.resources == ("*",) else list(grant.resources),
    }
    if grant.regions is not None:
        statement["Condition"] = {"StringEquals": {REGION_KEY: list(grant.regions)}}
    return statement


def allowlist_document(found: Needs) -> dict[str, Any]:
    """The proxy's allowlist.json (lambda_src/sfnxr_proxy/allowlist.py reads it)."""
    return {
        "v": 1,
        "calls": list(found.calls),
        "endpoints": list(found.endpoints),
        "roles": list(found.roles),
    }


def allowlist_text(found: Needs) -> str:
    return json.dumps(allowlist_document(found), indent=1, sort_keys=True) + "\n"


def logs_statement(target: ProxyTarget) -> dict[str, Any]:
    """Lambda's basic logging, for the function's own log group only."""
    group = target.log_group_arn
    return {
        "Sid": "Logs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [group, f"{group}:*"],
    }


def role_policy(found: Needs, target: ProxyTarget) -> dict[str, Any]:
    """The proxy role's inline policy: the calls it makes itself, the roles it assumes, its logs."""
    statements = [_statement(f"Calls{index}", grant) for index, grant in enumerate(found.own, start=1)]
    if found.roles:
        statements.append(
            {
                "Sid": "AssumeRoles",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": list(found.roles),
            }
        )
    statements.append(logs_statement(target))
    return {"Version": POLICY_VERSION, "Statement": statements}


def assumed_role_policies(found: Needs) -> dict[str, dict[str, Any]]:
    """For each role the proxy assumes: the policy it needs for the calls made with it (its trust policy must
    also let the proxy's role assume it)."""
    return {
        role: {
            "Version": POLICY_VERSION,
            "Statement": [_statement(f"Calls{index}", grant) for index, grant in enumerate(grants, start=1)],
        }
        for role, grants in found.assumed.items()
    }


def invoke_statement(target: ProxyTarget) -> dict[str, Any]:
    """What a state machine's role needs: lambda:InvokeFunction on the proxy, its versions and aliases."""
    arn = target.function_arn
    return {
        "Sid": "InvokeSfnxrProxy",
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Resource": [arn, f"{arn}:*"],
    }


def canonical(document: Any) -> Any:
    """A policy document in a form where equal meaning compares equal: one-element lists are their element,
    lists of strings are sorted, statements are ordered. For comparing what AWS has with what is wanted."""
    if isinstance(document, Mapping):
        return {key: canonical(value) for key, value in document.items()}
    if isinstance(document, list):
        items = [canonical(item) for item in document]
        if len(items) == 1:
            return items[0]
        if all(isinstance(item, str) for item in items):
            return sorted(items)
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return document


def same_policy(left: Any, right: Any) -> bool:
    return bool(canonical(left) == canonical(right))
