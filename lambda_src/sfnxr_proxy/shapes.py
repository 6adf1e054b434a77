"""Request and response conversion over botocore shapes: Step Functions' values in, Step Functions' out.

Works on the shapes of the running botocore (``client.meta.service_model``), walking structure members only:
map keys and document values are user data and pass through unchanged.

Request (Step Functions' ``Parameters`` -> boto3 keyword arguments):
- a structure key is Step Functions' spelling of a member (``DbInstanceIdentifier``, ``IngestionJobId``)
  or the model's own (``DBInstanceIdentifier``, ``ingestionJobId``); anything else is refused, naming the
  field, as Step Functions refuses it; ``null`` leaves the member unset;
- blob members (streaming or not) get the compact JSON of the value, strings included: S3 PutObject with
  Body "text data" sends the 11 bytes ``"text data"``;
- string members given an object, array, number or boolean get its JSON text (``Input: {"a": 1}``);
- scalars are coerced the way the Java SDK's JSON binding coerces them: ``"true"`` for a boolean,
  ``"42"`` for an integer, ``"1.5"`` for a double.

Response (boto3's dict -> what Step Functions returns):
- members in Step Functions' spelling; members the shape does not declare (``ResponseMetadata``) and absent
  ones left out;
- timestamps as ISO-8601 strings in Java ``Instant.toString`` form (``2024-01-02T03:04:05Z``,
  ``...05.120Z``); streaming bodies read and blobs decoded into UTF-8 strings.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .errors import invalid_request
from .naming import sfn_member_name

# Caches keyed by (boto3 service name, structure shape name): shape names are unique within a model.
_INPUT_KEYS: dict[tuple[str, str], dict[str, str]] = {}
_OUTPUT_NAMES: dict[tuple[str, str], dict[str, str]] = {}

_INTEGER_TYPES = ("integer", "long")
_FLOAT_TYPES = ("float", "double")


def json_text(value: Any) -> str:
    """Compact JSON, non-ASCII kept as is (what the Java SDK's Jackson writes)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _is_document(shape: Any) -> bool:
    return bool(shape.metadata.get("document"))


def _input_keys(service: str, shape: Any) -> dict[str, str]:
    key = (service, shape.name)
    keys = _INPUT_KEYS.get(key)
    if keys is None:
        keys = {}
        for member in shape.members:
            keys[sfn_member_name(member, service=service, shape=shape.name)] = member
        for member in shape.members:  # the model's own spelling is accepted too
            keys.setdefault(member, member)
        _INPUT_KEYS[key] = keys
    return keys


def _output_names(service: str, shape: Any) -> dict[str, str]:
    key = (service, shape.name)
    names = _OUTPUT_NAMES.get(key)
    if names is None:
        names = {m: sfn_member_name(m, service=service, shape=shape.name) for m in shape.members}
        _OUTPUT_NAMES[key] = names
    return names


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _wrong_type(path: str, expected: str, value: Any) -> Exception:
    return invalid_request(f'The field "{path}" must be {expected}, not {_kind(value)}')


def to_request(service: str, shape: Any, value: Any, path: str = "") -> Any:
    """Convert Step Functions' value for ``shape`` into what boto3 takes."""
    type_name = shape.type_name
    if type_name == "structure" and not _is_document(shape):
        if not isinstance(value, dict):
            raise _wrong_type(path or "Parameters", "an object", value)
        keys = _input_keys(service, shape)
        members = shape.members
        result: dict[str, Any] = {}
        for key, item in value.items():
            member = keys.get(key)
            field = f"{path}.{key}" if path else key
            if member is None:
                raise invalid_request(f'The field "{field}" is not supported by Step Functions')
            if item is None:
                continue
            if member in result:
                raise invalid_request(
                    f'The field "{field}" is given twice (as {member} and in another spelling)'
                )
            result[member] = to_request(service, members[member], item, field)
        return result
    if type_name == "list":
        if not isinstance(value, list):
            raise _wrong_type(path, "an array", value)
        return [to_request(service, shape.member, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if type_name == "map":
        if not isinstance(value, dict):
            raise _wrong_type(path, "an object", value)
        return {k: to_request(service, shape.value, v, f"{path}[{json.dumps(k)}]") for k, v in value.items()}
    if type_name == "blob":
        return json_text(value).encode("utf-8")
    if type_name == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return json_text(value)
    if type_name == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _wrong_type(path, "a boolean", value)
    if type_name in _INTEGER_TYPES:
        return _to_int(value, path)
    if type_name in _FLOAT_TYPES:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise _wrong_type(path, "a number", value)
    # timestamp (ISO-8601 string or epoch seconds: botocore takes both), document, anything newer: as given
    return value


def _to_int(value: Any, path: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _wrong_type(path, "an integer", value)


def instant_text(value: datetime) -> str:
    """Java ``Instant.toString``: UTC, ``Z``, the fraction only when non-zero, in groups of three digits."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    micros = value.microsecond
    if micros:
        text += f".{micros // 1000:03d}" if micros % 1000 == 0 else f".{micros:06d}"
    return text + "Z"


def blob_text(value: Any) -> str:
    """A blob or streaming body as Step Functions shows it: its bytes decoded as UTF-8."""
    if hasattr(value, "read"):
        try:
            data = value.read()
        finally:
            close = getattr(value, "close", None)
            if close is not None:
                close()
    else:
        data = value
    if isinstance(data, (bytes, bytearray)):
        return bytes(data).decode("utf-8", errors="replace")
    return str(data)


def from_response(service: str, shape: Any, value: Any) -> Any:
    """Convert boto3's value for ``shape`` into what Step Functions returns."""
    if value is None:
        return None
    type_name = shape.type_name
    if type_name == "structure" and not _is_document(shape) and isinstance(value, dict):
        names = _output_names(service, shape)
        members = shape.members
        return {
            names[member]: from_response(service, members[member], item)
            for member, item in value.items()
            if member in names and item is not None
        }
    if type_name == "list" and isinstance(value, list):
        return [from_response(service, shape.member, item) for item in value]
    if type_name == "map" and isinstance(value, dict):
        return {k: from_response(service, shape.value, v) for k, v in value.items()}
    if isinstance(value, datetime):
        return instant_text(value)
    if type_name == "blob" or isinstance(value, (bytes, bytearray)) or hasattr(value, "read"):
        return blob_text(value)
    return value
