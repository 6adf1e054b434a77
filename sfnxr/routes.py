"""Which Task states to reroute, and where: annotations and config rules -> CrossRegionCall.

Pure: a StateRef and the options in, a decision or a list of problems out. Service and action names
are checked against the naming catalog that the proxy itself uses (sfnxr_proxy.catalog).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sfnxr import regions
from sfnxr.annotations import (
    AnnotationError,
    SdkResource,
    has_directive,
    looks_like_sdk_resource,
    parse_directive,
    parse_sdk_resource,
    split_list,
)
from sfnxr.asl import Keys, StateRef
from sfnxr.config import Rule
from sfnxr.paths import check_path, check_path_value
from sfnxr.rewrite import CrossRegionCall
from sfnxr_proxy import catalog, models

_ROLE_ARN = re.compile(r"^arn:[a-z0-9-]+:iam::\d{12}:role/[\w+=,.@/-]+$")
_IAM_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*]+$")


@dataclass(frozen=True)
class Problem:
    keys: Keys  # where in the document; the CLI turns it into file:line
    message: str


@dataclass(frozen=True)
class RouteOptions:
    home_region: str | None = None
    rules: tuple[Rule, ...] = ()
    relative_file: str | None = None  # the file relative to the config, for rules' `files` globs


@dataclass(frozen=True)
class Reroute:
    call: CrossRegionCall


@dataclass(frozen=True)
class StayNative:
    """The annotation targets the home region: the state stays native, its annotation removed."""

    state: dict[str, Any]


Decision = Reroute | StayNative | None


def decide(ref: StateRef, options: RouteOptions) -> tuple[Decision, list[Problem]]:
    """What to do with one state (which must not be an sfnxr-rewritten one: restore those first)."""
    state = ref.state
    resource_value = state.get("Resource")
    sdk = parse_sdk_resource(resource_value)
    comment = state.get("Comment")
    directive_present = has_directive(comment)
    arn_region = sdk.region if sdk else ""

    if not directive_present and not arn_region:
        if sdk is None or state.get("Type") != "Task":
            return None, []
        rule = _matching_rule(ref, sdk, options)
        if rule is None:
            return None, []
        return _route(ref, sdk, _RouteRequest.from_rule(rule, options.home_region))

    where = "the @sfnxr directive in Comment" if directive_present else "the region in the Resource ARN"
    if state.get("Type") != "Task":
        return None, [Problem(ref.keys, f"{where} is on a {state.get('Type')} state, not an aws-sdk Task")]
    if sdk is None:
        if looks_like_sdk_resource(resource_value):
            return None, [Problem((*ref.keys, "Resource"), f"malformed aws-sdk Resource {resource_value!r}")]
        return None, [
            Problem(
                ref.keys,
                f"{where} is on a Task whose Resource is not an aws-sdk integration ({resource_value!r})",
            )
        ]

    options_from_directive: dict[str, str] = {}
    new_comment: str | None = None
    if directive_present:
        assert isinstance(comment, str)
        try:
            directive = parse_directive(comment)
        except AnnotationError as error:
            return None, [Problem((*ref.keys, "Comment"), str(error))]
        assert directive is not None
        options_from_directive = directive.options
        new_comment = directive.remaining_comment
    region = options_from_directive.get("region")
    if arn_region and region and arn_region != region:
        return None, [
            Problem(
                ref.keys,
                f"two target regions: {arn_region!r} in the Resource ARN and {region!r} in the Comment",
            )
        ]
    region = region or arn_region
    if not region:
        return None, [Problem((*ref.keys, "Comment"), "@sfnxr: region= is required")]
    request = _RouteRequest(
        region=region,
        endpoint=options_from_directive.get("endpoint"),
        role=options_from_directive.get("role"),
        iam_actions=split_list(options_from_directive.get("iam-action", "")),
        iam_resources=split_list(options_from_directive.get("iam-resources", "")),
        new_comment=new_comment,
        home_region=options.home_region,
        origin_keys=(*ref.keys, "Comment") if directive_present else (*ref.keys, "Resource"),
    )
    return _route(ref, sdk, request)


@dataclass(frozen=True)
class _RouteRequest:
    region: str
    endpoint: str | None
    role: str | None
    iam_actions: tuple[str, ...]
    iam_resources: tuple[str, ...]
    new_comment: str | None
    home_region: str | None
    origin_keys: Keys | None  # where the annotation is written; None for a config rule
    rule: Rule | None = None

    @classmethod
    def from_rule(cls, rule: Rule, home_region: str | None) -> _RouteRequest:
        return cls(
            region=rule.region,
            endpoint=rule.endpoint,
            role=rule.role,
            iam_actions=rule.iam_actions,
            iam_resources=rule.iam_resources,
            new_comment=None,
            home_region=home_region,
            origin_keys=None,
            rule=rule,
        )

    def problem(self, keys: Keys, message: str) -> Problem:
        if self.rule is not None:
            message = f"{message} (from the rule at {self.rule.source}:{self.rule.line})"
        return Problem(self.origin_keys or keys, message)


def _matching_rule(ref: StateRef, sdk: SdkResource, options: RouteOptions) -> Rule | None:
    label = f"aws-sdk:{sdk.service}:{sdk.action}"
    for rule in options.rules:
        if rule.matches(options.relative_file, ref.name, label):
            return rule
    return None


def _route(ref: StateRef, sdk: SdkResource, request: _RouteRequest) -> tuple[Decision, list[Problem]]:
    state = ref.state
    jsonata = ref.query_language == "JSONata"
    problems: list[Problem] = []

    problems.extend(_check_region(ref, sdk, request, jsonata))
    problems.extend(_check_service_action(ref, sdk))
    if sdk.pattern == "sync" or sdk.pattern.startswith("sync:"):
        problems.append(Problem((*ref.keys, "Resource"), ".sync is not available for aws-sdk integrations"))
    elif sdk.pattern not in ("", "waitForTaskToken"):
        problems.append(Problem((*ref.keys, "Resource"), f"unknown integration pattern .{sdk.pattern}"))
    if jsonata and "Parameters" in state:
        problems.append(Problem((*ref.keys, "Parameters"), "a JSONata state takes Arguments, not Parameters"))
    if not jsonata and "Arguments" in state:
        problems.append(Problem((*ref.keys, "Arguments"), "a JSONPath state takes Parameters, not Arguments"))
    if request.endpoint is not None:
        problems.extend(_check_endpoint(ref, request))
    if request.role is not None:
        if "Credentials" in state:
            problems.append(
                request.problem(ref.keys, "role= and Credentials both set the role: keep one of them")
            )
        problems.extend(_check_role(ref, request, jsonata))
    for action in request.iam_actions:
        if not _IAM_ACTION.match(action):
            problems.append(request.problem(ref.keys, f"iam-action {action!r} must look like s3:GetObject"))
    if not problems:
        problems.extend(_check_parameters(ref, sdk))
    if not jsonata:
        problems.extend(_check_paths(ref))
    if problems:
        return None, problems

    if request.home_region is not None and request.region == request.home_region:
        native = dict(state)
        native["Resource"] = sdk.without_region()
        if request.new_comment is not None:
            if request.new_comment:
                native["Comment"] = request.new_comment
            else:
                del native["Comment"]
        if native == dict(state):
            return None, []
        return StayNative(native), []
    call = CrossRegionCall(
        resource=sdk,
        region=request.region,
        endpoint=request.endpoint,
        role=request.role,
        iam_actions=request.iam_actions,
        iam_resources=request.iam_resources,
        new_comment=request.new_comment,
    )
    return Reroute(call), []


def _check_region(ref: StateRef, sdk: SdkResource, request: _RouteRequest, jsonata: bool) -> list[Problem]:
    region = request.region
    if region.startswith("{%"):
        if not jsonata:
            return [request.problem(ref.keys, f"region {region!r} is JSONata, but this state uses JSONPath")]
        if not region.endswith("%}"):
            return [request.problem(ref.keys, f"region {region!r}: a JSONata expression must end with '%}}'")]
        return []
    if region.startswith("$"):
        if jsonata:
            return [
                request.problem(
                    ref.keys,
                    f"region {region!r} is a JSONPath, but this state uses JSONata: write {{% ... %}}",
                )
            ]
        problem = check_path(region)
        return [request.problem(ref.keys, f"region: {problem}")] if problem else []
    partition = regions.partition_of_region(region)
    if partition is None:
        close = difflib.get_close_matches(region, regions.all_regions(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return [request.problem(ref.keys, f"unknown region {region!r}{hint}")]
    if regions.is_partition(sdk.partition) and partition.id != sdk.partition:
        return [
            request.problem(
                ref.keys,
                f"region {region!r} is in partition {partition.id!r}, "
                f"but the Resource is in partition {sdk.partition!r}",
            )
        ]
    return []


def _check_service_action(ref: StateRef, sdk: SdkResource) -> list[Problem]:
    keys = (*ref.keys, "Resource")
    service = catalog.service_by_sfn_id(sdk.service)
    if service is None:
        close = catalog.suggest(sdk.service, catalog.sfn_ids())
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        return [Problem(keys, f"unknown aws-sdk service {sdk.service!r}{hint}")]
    if catalog.operation_for_action(service, sdk.action) is None:
        actions = [catalog.action_name(op) for op in service.operations]
        close = catalog.suggest(sdk.action, actions)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        return [Problem(keys, f"unknown action {sdk.action!r} for aws-sdk service {sdk.service!r}{hint}")]
    reason = catalog.unsupported_reason(sdk.service, sdk.action)
    if reason:
        return [
            Problem(keys, f"aws-sdk:{sdk.service}:{sdk.action} is not supported by Step Functions: {reason}")
        ]
    return []


def _check_parameters(ref: StateRef, sdk: SdkResource) -> list[Problem]:
    args_key = "Arguments" if ref.query_language == "JSONata" else "Parameters"
    arguments = ref.state.get(args_key)
    if not isinstance(arguments, Mapping):
        return []
    service = catalog.service_by_sfn_id(sdk.service)
    assert service is not None
    operation = catalog.operation_for_action(service, sdk.action)
    assert operation is not None
    members = models.input_members(service.boto3_name, operation)
    accepted = set(members) | set(members.values())
    problems = []
    for key in arguments:
        name = key[:-2] if args_key == "Parameters" and key.endswith(".$") else key
        if name in accepted:
            continue
        close = catalog.suggest(name, members)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(
            Problem(
                (*ref.keys, args_key, key),
                f"{args_key} field {name!r} is not an input of {sdk.service}:{sdk.action}{hint}",
            )
        )
    return problems


def _check_endpoint(ref: StateRef, request: _RouteRequest) -> list[Problem]:
    endpoint = request.endpoint or ""
    if endpoint.startswith(("$", "{%")):
        return [
            request.problem(
                ref.keys, "endpoint= must be a fixed URL: an endpoint taken from the input is not allowed"
            )
        ]
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return [request.problem(ref.keys, f"endpoint {endpoint!r} must be an https:// URL")]
    return []


def _check_role(ref: StateRef, request: _RouteRequest, jsonata: bool) -> list[Problem]:
    role = request.role or ""
    if role.startswith("$"):
        if jsonata:
            return [request.problem(ref.keys, f"role {role!r} is a JSONPath, but this state uses JSONata")]
        problem = check_path(role)
        return [request.problem(ref.keys, f"role: {problem}")] if problem else []
    if role.startswith("{%"):
        if not jsonata:
            return [request.problem(ref.keys, f"role {role!r} is JSONata, but this state uses JSONPath")]
        return []
    if not _ROLE_ARN.match(role) and not role.startswith("${"):
        return [request.problem(ref.keys, f"role {role!r} is not an IAM role ARN")]
    return []


def _check_paths(ref: StateRef) -> list[Problem]:
    problems = []
    for keys, value in _path_fields(ref.state, ref.keys):
        problem = check_path_value(value)
        if problem:
            problems.append(Problem(keys, f"{keys[-1]}: {problem}"))
    for field in ("InputPath", "OutputPath", "ResultPath"):
        value = ref.state.get(field)
        if isinstance(value, str):
            problem = check_path(value)
            if problem:
                problems.append(Problem((*ref.keys, field), f"{field}: {problem}"))
    return problems


def _path_fields(value: Any, keys: Keys) -> Iterator[tuple[Keys, Any]]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            child_keys = (*keys, key)
            if isinstance(key, str) and key.endswith(".$"):
                yield child_keys, child
            else:
                yield from _path_fields(child, child_keys)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _path_fields(child, (*keys, index))
