"""Transform and restore one definition: the pure pipeline between reading and writing a document.

Each function returns the state replacements to make (keys from the document's root -> new state),
the problems found, and what was routed. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfnxr.asl import Keys, StateRef, iter_states
from sfnxr.rewrite import (
    UnknownProtocol,
    is_rewritten,
    payload_summary,
    recorded_call,
    restore_state,
    rewrite_state,
)
from sfnxr.routes import Problem, Reroute, RouteOptions, StayNative, decide


@dataclass(frozen=True)
class TransformOptions:
    proxy_arn: str | None = None
    lambda_retry: bool = True
    routes: RouteOptions = field(default_factory=RouteOptions)


@dataclass(frozen=True)
class RoutedTask:
    """A task that runs (or would run) through the proxy, for `explain` and `policy`."""

    keys: Keys
    name: str
    service: str
    action: str
    region: str
    endpoint: str | None = None
    role: str | None = None
    iam_actions: tuple[str, ...] = ()
    iam_resources: tuple[str, ...] = ()


@dataclass
class Result:
    changes: list[tuple[Keys, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    routed: list[RoutedTask] = field(default_factory=list)


def transform_definition(definition: Mapping[str, Any], options: TransformOptions, base: Keys = ()) -> Result:
    """Reroute every annotated or rule-matched aws-sdk Task. States sfnxr rewrote before are redone
    from their original (so a new proxy ARN or rule applies), and a second transform with the same
    settings changes nothing."""
    result = Result()
    for ref in iter_states(definition, base):
        original: Mapping[str, Any] = ref.state
        if is_rewritten(ref.state):
            try:
                original = restore_state(ref.state)
            except UnknownProtocol as error:
                result.problems.append(Problem(ref.keys, str(error)))
                continue
        source_ref = StateRef(ref.keys, ref.name, original, ref.query_language)
        decision, problems = decide(source_ref, options.routes)
        result.problems.extend(problems)
        if decision is None and not problems and original is not ref.state:
            # Rewritten before, matched by nothing now (a rule that does not see this file, say):
            # transform never un-routes a state, `restore` does. Redo it with today's proxy settings.
            call = recorded_call(ref.state)
            decision = Reroute(call) if call is not None else None
        new_state: dict[str, Any] | None = None
        if isinstance(decision, Reroute):
            if options.proxy_arn is None:
                result.problems.append(
                    Problem(
                        ref.keys,
                        "no proxy ARN to route through: pass --proxy-arn ARN (or a ${Placeholder}) "
                        "or set proxy-arn in [tool.sfnxr]",
                    )
                )
                continue
            new_state = rewrite_state(
                original,
                decision.call,
                proxy_arn=options.proxy_arn,
                query_language=ref.query_language,
                lambda_retry=options.lambda_retry,
            )
            task = _routed_task(ref, new_state)
            if task is not None:
                result.routed.append(task)
        elif isinstance(decision, StayNative):
            new_state = decision.state
        if new_state is not None and new_state != ref.state:
            result.changes.append((ref.keys, new_state))
    return result


def restore_definition(definition: Mapping[str, Any], base: Keys = ()) -> Result:
    result = Result()
    for ref in iter_states(definition, base):
        if not is_rewritten(ref.state):
            continue
        try:
            result.changes.append((ref.keys, restore_state(ref.state)))
        except UnknownProtocol as error:
            result.problems.append(Problem(ref.keys, str(error)))
    return result


def routed_tasks(definition: Mapping[str, Any], base: Keys = ()) -> list[RoutedTask]:
    """The tasks of an already rewritten definition that go through the proxy."""
    tasks = (_routed_task(ref, ref.state) for ref in iter_states(definition, base))
    return [task for task in tasks if task is not None]


def _routed_task(ref: StateRef, state: Mapping[str, Any]) -> RoutedTask | None:
    summary = payload_summary(state)
    if summary is None:
        return None
    return RoutedTask(
        keys=ref.keys,
        name=ref.name,
        service=str(summary["service"]),
        action=str(summary["action"]),
        region=str(summary["region"]),
        endpoint=summary["endpoint"],
        role=summary["role"],
        iam_actions=tuple(summary["iam_actions"]),
        iam_resources=tuple(summary["iam_resources"]),
    )
