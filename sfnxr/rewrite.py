"""The rewrite: an aws-sdk Task state -> a Task that invokes the cross-region proxy, and back.

Pure functions on plain dicts. The proxy's input is the payload described in DESIGN.md section 3; the
`sfnxr` member of that payload carries exactly what `restore_state` needs to give the original back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfnxr.annotations import SdkResource
from sfnxr.asl import QueryLanguage

PROTOCOL_VERSION = 1
META = "sfnxr"

# AWS's recommended retrier for Lambda tasks, plus throttling. BackoffRate is written as a float
# because statelint 3.1.0 rejects an integer there (Step Functions accepts both).
LAMBDA_RETRY: dict[str, Any] = {
    "ErrorEquals": [
        "Lambda.ClientExecutionTimeoutException",
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    ],
    "IntervalSeconds": 2,
    "MaxAttempts": 6,
    "BackoffRate": 2.0,
}


@dataclass(frozen=True)
class CrossRegionCall:
    """A Task state to reroute, and everything the rewritten state needs to know about the call."""

    resource: SdkResource
    region: str  # a region name, a JSONPath ("$.target.region"), or a JSONata expression ("{% ... %}")
    endpoint: str | None = None
    role: str | None = None  # from the directive or a config rule; Credentials.RoleArn is read here
    iam_actions: tuple[str, ...] = ()
    iam_resources: tuple[str, ...] = ()
    new_comment: str | None = None  # the Comment with the directive taken out; None: Comment untouched

    @property
    def region_is_path(self) -> bool:
        return self.region.startswith("$")


def rewrite_state(
    state: Mapping[str, Any],
    call: CrossRegionCall,
    *,
    proxy_arn: str,
    query_language: QueryLanguage,
    lambda_retry: bool = True,
) -> dict[str, Any]:
    """The Task state that asks the proxy to make `call`; every field not named below is kept as it is."""
    jsonata = query_language == "JSONata"
    args_key = "Arguments" if jsonata else "Parameters"
    meta: dict[str, Any] = {"v": PROTOCOL_VERSION, "resource": state["Resource"]}

    payload: dict[str, Any] = {META: meta}
    if jsonata or not call.region_is_path:
        payload["region"] = call.region
    else:
        payload["region.$"] = call.region
    payload["service"] = call.resource.service
    payload["action"] = call.resource.action
    if call.endpoint is not None:
        payload["endpoint"] = call.endpoint
    role_key, role_value = _role(state, call, jsonata)
    if role_key is not None:
        payload[role_key] = role_value
    if "Credentials" in state:
        meta["credentials"] = True
    if args_key in state:
        payload["parameters"] = state[args_key]
    else:
        meta["no-args"] = True
        if jsonata:
            payload["parameters"] = "{% $states.input %}"
        else:
            payload["parameters.$"] = "$"
    if call.new_comment is not None:
        meta["comment"] = state.get("Comment")
    if call.iam_actions:
        meta["iam-action"] = list(call.iam_actions)
    if call.iam_resources:
        meta["iam-resources"] = list(call.iam_resources)

    if call.resource.pattern == "waitForTaskToken":
        resource = f"arn:{call.resource.partition}:states:::lambda:invoke.waitForTaskToken"
        arguments: Any = {"FunctionName": proxy_arn, "Payload": payload}
    else:
        resource = proxy_arn
        arguments = payload

    out: dict[str, Any] = {}
    for key, value in state.items():
        if key == "Resource":
            out["Resource"] = resource
            if args_key not in state:
                out[args_key] = arguments
        elif key == args_key:
            out[args_key] = arguments
        elif key == "Credentials":
            continue
        elif key == "Comment" and call.new_comment is not None:
            if call.new_comment:
                out["Comment"] = call.new_comment
        elif key == "Retry" and lambda_retry:
            out["Retry"] = [dict(LAMBDA_RETRY), *value]
            meta["retry"] = "prepended"
        else:
            out[key] = value
    if lambda_retry and "Retry" not in state:
        out["Retry"] = [dict(LAMBDA_RETRY)]
        meta["retry"] = "added"
    removed = {key: index for index, key in enumerate(state) if key not in out}
    if removed:
        meta["at"] = removed  # where restore puts the fields back, so the original order returns
    return out


def _role(state: Mapping[str, Any], call: CrossRegionCall, jsonata: bool) -> tuple[str | None, Any]:
    credentials = state.get("Credentials")
    if isinstance(credentials, Mapping):
        if "RoleArn.$" in credentials:
            return "role.$", credentials["RoleArn.$"]
        if "RoleArn" in credentials:
            return "role", credentials["RoleArn"]
    if call.role is not None:
        if not jsonata and call.role.startswith("$"):
            return "role.$", call.role
        return "role", call.role
    return None, None


def find_payload(state: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    """(the Parameters/Arguments key, the proxy payload) of a state that sfnxr rewrote, else None."""
    for args_key in ("Parameters", "Arguments"):
        arguments = state.get(args_key)
        if not isinstance(arguments, Mapping):
            continue
        candidate = arguments.get("Payload") if "FunctionName" in arguments else arguments
        if isinstance(candidate, Mapping):
            meta = candidate.get(META)
            if isinstance(meta, Mapping) and "v" in meta and "resource" in meta:
                return args_key, candidate
    return None


def is_rewritten(state: Mapping[str, Any]) -> bool:
    return find_payload(state) is not None


class UnknownProtocol(ValueError):
    pass


def restore_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """The exact inverse of rewrite_state. The state must be one that `is_rewritten`."""
    found = find_payload(state)
    if found is None:
        raise ValueError("restore_state: not a state rewritten by sfnxr")
    args_key, payload = found
    meta = payload[META]
    if meta.get("v") != PROTOCOL_VERSION:
        raise UnknownProtocol(
            f"written by an sfnxr with payload protocol v{meta.get('v')};"
            f" this sfnxr reads v{PROTOCOL_VERSION}"
        )

    values: dict[str, Any] = {}
    for key, value in state.items():
        if key == "Resource":
            values["Resource"] = meta["resource"]
        elif key == args_key:
            if not meta.get("no-args"):
                values[args_key] = payload["parameters"]
        elif key == "Retry":
            retry = meta.get("retry")
            if retry == "prepended":
                values["Retry"] = list(value[1:])
            elif retry != "added":
                values["Retry"] = value
        elif key == "Comment" and "comment" in meta:
            continue
        else:
            values[key] = value
    if "comment" in meta and meta["comment"] is not None:
        values["Comment"] = meta["comment"]
    if meta.get("credentials"):
        if "role.$" in payload:
            values["Credentials"] = {"RoleArn.$": payload["role.$"]}
        else:
            values["Credentials"] = {"RoleArn": payload.get("role")}

    order = [key for key in state if key in values]
    positions = meta.get("at", {})
    for key in sorted(positions, key=positions.__getitem__):
        if key in values:
            order.insert(positions[key], key)
    for key in values:
        if key not in order:
            order.append(key)
    return {key: values[key] for key in order}


def recorded_call(state: Mapping[str, Any]) -> CrossRegionCall | None:
    """The call a rewritten state makes, as recorded in its payload (None if it is not rewritten)."""
    from sfnxr.annotations import parse_sdk_resource

    found = find_payload(state)
    if found is None:
        return None
    _, payload = found
    meta = payload[META]
    sdk = parse_sdk_resource(meta["resource"])
    if sdk is None:
        return None
    role = None if meta.get("credentials") else payload.get("role", payload.get("role.$"))
    return CrossRegionCall(
        resource=sdk,
        region=str(payload.get("region", payload.get("region.$"))),
        endpoint=payload.get("endpoint"),
        role=role,
        iam_actions=tuple(meta.get("iam-action", ())),
        iam_resources=tuple(meta.get("iam-resources", ())),
    )


def payload_summary(state: Mapping[str, Any]) -> dict[str, Any] | None:
    """The routing facts of a rewritten state (for explain and policy): region, service, action, ..."""
    found = find_payload(state)
    if found is None:
        return None
    _, payload = found
    meta = payload[META]
    region = payload.get("region", payload.get("region.$"))
    return {
        "region": region,
        "service": payload.get("service"),
        "action": payload.get("action"),
        "endpoint": payload.get("endpoint"),
        "role": payload.get("role", payload.get("role.$")),
        "iam_actions": list(meta.get("iam-action", [])),
        "iam_resources": list(meta.get("iam-resources", [])),
        "resource": meta["resource"],
    }
