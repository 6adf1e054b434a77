"""The Lambda entry point: make one aws-sdk call in another region and answer as Step Functions would.

Event (DESIGN.md section 3; other keys under "sfnxr" belong to the CLI's restore and are ignored):

    {"sfnxr": {"v": 1, ...}, "region": "us-west-2", "service": "s3", "action": "getObject",
     "parameters": {...}, "endpoint": "https://... (optional)",
     "role": "arn:aws:iam::123456789012:role/x (optional)"}

Returns the call's result in Step Functions' shape, or raises an exception whose class name is Step Functions'
error name. Logs one JSON line per call: never a parameter value or a result.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError, UnknownServiceError
from botocore.model import OperationNotFoundError

from . import allowlist, catalog, quirks
from .errors import ProxyError, client_error, invalid_request, not_allowed, service_error
from .shapes import from_response, to_request

PROTOCOL_VERSION = 1
_EVENT_KEYS = frozenset({"sfnxr", "region", "service", "action", "parameters", "endpoint", "role"})
# Refresh assumed-role credentials this long before they expire.
_CREDENTIAL_MARGIN = timedelta(minutes=5)
_ROLE_SESSION_NAME = "sfnxr-proxy"
_STS_PREFIX = "Sts"  # the Java SDK's name for STS: a refused AssumeRole is Sts.<Error>Exception

# (boto3 name, region, endpoint, role) -> (client, credentials expiry or None); for the container's life.
_clients: dict[tuple[str, str, str | None, str | None], tuple[Any, datetime | None]] = {}
# role ARN -> (credentials, expiry)
_role_credentials: dict[str, tuple[dict[str, str], datetime]] = {}
_sessions: list[boto3.session.Session] = []  # at most one, made on first use
_method_names: dict[str, str] = {}  # operation -> boto3 method name


def reset_caches() -> None:
    """Forget every cached client and credential (tests; a new container starts this way)."""
    _sessions.clear()
    _clients.clear()
    _role_credentials.clear()


def _boto3_session() -> boto3.session.Session:
    if not _sessions:
        _sessions.append(boto3.session.Session())
    return _sessions[0]


def _timeouts(context: Any) -> tuple[float, float]:
    """(connect, read) timeouts that end before the function does: botocore's defaults (60 s read) when
    there is time, less when the function's remaining time is shorter."""
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if remaining_ms is None:
        return 10.0, 60.0
    budget = max(1.0, remaining_ms() / 1000.0 - 1.0)
    return min(10.0, max(1.0, budget / 4)), min(60.0, budget)


def _config(context: Any) -> Config:
    connect, read = _timeouts(context)
    options: dict[str, Any] = {
        "retries": {"mode": "standard"},
        "connect_timeout": connect,
        "read_timeout": read,
        "user_agent_extra": "sfnxr-proxy",
        # As the Java SDK does, leave required-member and type checks to the service, so a missing member
        # fails with the service's own error (DynamoDb.DynamoDbException...), not a client-side one.
        "parameter_validation": False,
    }
    try:  # botocore >= 1.36: no checksums unless the operation requires them or the caller asks
        return Config(
            **options,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
    except TypeError:
        return Config(**options)


def _assumed_credentials(role: str, context: Any) -> tuple[dict[str, str], datetime]:
    cached = _role_credentials.get(role)
    now = datetime.now(UTC)
    if cached is not None and cached[1] - _CREDENTIAL_MARGIN > now:
        return cached
    # STS in the function's own region (a regional endpoint, always enabled there)
    home_region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    sts = _client("sts", home_region, None, None, context)
    try:
        answer = sts.assume_role(RoleArn=role, RoleSessionName=_ROLE_SESSION_NAME)["Credentials"]
    except ClientError as exc:
        raise service_error(
            prefix=_STS_PREFIX,
            boto3_name="sts",
            operation="AssumeRole",
            service_model=sts.meta.service_model,
            response=exc.response,
        ) from None
    expiration = answer["Expiration"]
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=UTC)
    credentials = {
        "aws_access_key_id": answer["AccessKeyId"],
        "aws_secret_access_key": answer["SecretAccessKey"],
        "aws_session_token": answer["SessionToken"],
    }
    _role_credentials[role] = (credentials, expiration)
    return credentials, expiration


def _client(boto3_name: str, region: str, endpoint: str | None, role: str | None, context: Any) -> Any:
    key = (boto3_name, region, endpoint, role)
    cached = _clients.get(key)
    if cached is not None and (cached[1] is None or cached[1] - _CREDENTIAL_MARGIN > datetime.now(UTC)):
        return cached[0]
    credentials: dict[str, str] = {}
    expiry = None
    if role is not None:
        credentials, expiry = _assumed_credentials(role, context)
    client = _boto3_session().client(
        boto3_name, region_name=region, endpoint_url=endpoint, config=_config(context), **credentials
    )
    _clients[key] = (client, expiry)
    return client


def _optional_string(event: dict[str, Any], key: str) -> str | None:
    value = event.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise invalid_request(f'"{key}" must be a non-empty string when given')
    return value


def _parse_event(event: Any) -> tuple[str, str, str, dict[str, Any], str | None, str | None]:
    if not isinstance(event, dict):
        raise invalid_request("the event must be a JSON object")
    marker = event.get("sfnxr")
    if not isinstance(marker, dict) or "v" not in marker:
        raise invalid_request('the event has no "sfnxr" object with the protocol version "v"')
    version = marker["v"]
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise invalid_request(
            f"protocol version {version!r} is not supported (this proxy speaks {PROTOCOL_VERSION})"
        )
    unknown = set(event) - _EVENT_KEYS
    if unknown:
        raise invalid_request(f"unknown event keys: {', '.join(sorted(map(str, unknown)))}")
    fields = []
    for key in ("region", "service", "action"):
        value = event.get(key)
        if not isinstance(value, str) or not value:
            raise invalid_request(f'"{key}" must be a non-empty string')
        fields.append(value)
    parameters = event.get("parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise invalid_request('"parameters" must be a JSON object')
    region, service, action = fields
    return (
        region,
        service,
        action,
        parameters,
        _optional_string(event, "endpoint"),
        _optional_string(event, "role"),
    )


def _resolve(service: str, action: str) -> tuple[catalog.ServiceInfo, str]:
    info = catalog.service_by_sfn_id(service)
    if info is None:
        boto3_named = catalog.service_by_boto3_name(service)  # "stepfunctions" is boto3's name for "sfn"
        hint = [boto3_named.sfn_id] if boto3_named else catalog.suggest(service, catalog.sfn_ids())
        raise invalid_request(
            f"unknown service {service!r}" + (f"; did you mean {', '.join(hint)}?" if hint else "")
        )
    operation = catalog.operation_for_action(info, action)
    if operation is None:
        hint = catalog.suggest(action, [catalog.action_name(op) for op in info.operations])
        raise invalid_request(
            f"unknown action {service}:{action}" + (f"; did you mean {', '.join(hint)}?" if hint else "")
        )
    reason = catalog.unsupported_reason(service, action)
    if reason:
        raise invalid_request(reason)
    return info, operation


def _method_name(operation: str) -> str:
    name = _method_names.get(operation)
    if name is None:
        name = _method_names[operation] = xform_name(operation)
    return name


def _call(
    info: catalog.ServiceInfo, operation: str, parameters: dict[str, Any], client: Any
) -> tuple[dict[str, Any], str | None]:
    """Make the call; return Step Functions' result and the service's request id."""
    service_model = client.meta.service_model
    try:
        operation_model = service_model.operation_model(operation)
    except OperationNotFoundError as exc:  # the runtime's botocore is older than the catalog
        raise invalid_request(
            f"the botocore in this runtime does not know {info.sfn_id}:{catalog.action_name(operation)}"
        ) from exc
    input_shape = operation_model.input_shape
    if input_shape is None:
        if parameters:
            raise invalid_request(f'The field "{next(iter(parameters))}" is not supported by Step Functions')
        request: dict[str, Any] = {}
    else:
        request = to_request(info.boto3_name, input_shape, parameters)
    quirks.adjust_request(info.boto3_name, operation, request)
    try:
        response: dict[str, Any] = getattr(client, _method_name(operation))(**request)
    except ClientError as exc:
        raise service_error(
            prefix=info.error_prefix,
            boto3_name=info.boto3_name,
            operation=operation,
            service_model=service_model,
            response=exc.response,
        ) from None
    except Exception as exc:  # connection, timeout, serialisation: the Java SDK's SdkClientException
        raise client_error(info.error_prefix, exc) from None
    quirks.adjust_response(info.boto3_name, operation, request, response)
    request_id = (response.get("ResponseMetadata") or {}).get("RequestId")
    output_shape = operation_model.output_shape
    if output_shape is None:
        return {}, request_id
    result: dict[str, Any] = from_response(info.boto3_name, output_shape, response)
    return result, request_id


def _log(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    """Lambda handler: see the module docstring."""
    started = time.perf_counter()
    record: dict[str, Any] = dict.fromkeys(("service", "action", "region", "aws_request_id", "error"))
    record["sfnxr"] = "call"
    try:
        region, service, action, parameters, endpoint, role = _parse_event(event)
        record.update(service=service, action=action, region=region)
        refusal = allowlist.current().refusal(service, action, region, endpoint, role)
        if refusal:
            raise not_allowed(refusal)
        if not allowlist.is_region(region):
            raise invalid_request(f"{region!r} is not a region name")
        info, operation = _resolve(service, action)
        try:
            client = _client(info.boto3_name, region, endpoint, role, context)
        except ProxyError:
            raise
        except UnknownServiceError:
            raise invalid_request(
                f"the botocore in this runtime does not know the service {service}"
            ) from None
        except Exception as exc:  # STS unreachable...
            raise client_error(info.error_prefix, exc) from None
        result, record["aws_request_id"] = _call(info, operation, parameters, client)
        return result
    except ProxyError as exc:
        record["error"] = exc.error
        record["aws_request_id"] = exc.request_id
        raise
    except Exception as exc:
        record["error"] = type(exc).__name__
        raise
    finally:
        record["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        record["request_id"] = getattr(context, "aws_request_id", None)
        _log(record)


from . import warmup  # noqa: E402,F401  (SnapStart: SFNXR_WARM_CLIENTS=1 makes the allowlisted clients at init)
