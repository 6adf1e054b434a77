"""Errors named the way Step Functions names them.

Lambda's Python runtime reports an unhandled exception's ``type(e).__name__`` as the task's Error, so each
error is a class whose name is exactly Step Functions' error name (``S3.NoSuchKeyException``), and the
message is Step Functions' Cause text: ``<message> (Service: S3, Status Code: 404, Request ID: ...)``.
"""

from __future__ import annotations

from typing import Any

from . import quirks
from .naming import error_name

INVALID_REQUEST = "Sfnxr.InvalidRequest"
NOT_ALLOWED = "Sfnxr.NotAllowed"


class ProxyError(Exception):
    """Base of every error the proxy raises: ``error`` is Step Functions' error name, ``cause`` the text."""

    error: str = "Sfnxr.Error"

    def __init__(self, cause: str, request_id: str | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.request_id = request_id  # the service's request id, when the service answered


_CLASSES: dict[str, type[ProxyError]] = {}


def error_class(name: str) -> type[ProxyError]:
    """The exception class named ``name`` (one class per name, so ``except`` and ``isinstance`` work)."""
    cls = _CLASSES.get(name)
    if cls is None:
        cls = type(name, (ProxyError,), {"error": name, "__module__": __name__})
        _CLASSES[name] = cls
    return cls


def make_error(name: str, cause: str, request_id: str | None = None) -> ProxyError:
    return error_class(name)(cause, request_id)


def invalid_request(cause: str) -> ProxyError:
    return make_error(INVALID_REQUEST, cause)


def not_allowed(cause: str) -> ProxyError:
    return make_error(NOT_ALLOWED, cause)


_MODELED: dict[tuple[str, str], dict[str, str]] = {}


def _modeled_errors(service_model: Any) -> dict[str, str]:
    """Error code -> error shape name for every error the service declares (the Java SDK registers them all,
    whichever operation failed). A shape's code is its ``error.code`` trait, else its name; the name itself
    is accepted too."""
    key = (service_model.service_name, service_model.api_version)
    table = _MODELED.get(key)
    if table is None:
        table = {}
        for shape in service_model.error_shapes:
            table[shape.metadata.get("error", {}).get("code") or shape.name] = shape.name
        for shape in service_model.error_shapes:
            table.setdefault(shape.name, shape.name)
        _MODELED[key] = table
    return table


def service_error(
    *, prefix: str, boto3_name: str, operation: str, service_model: Any, response: dict[str, Any]
) -> ProxyError:
    """The error Step Functions would raise for a failed call, from botocore's ``ClientError.response``."""
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    status = meta.get("HTTPStatusCode")
    code = str(error.get("Code") or "")
    message = error.get("Message") or ""
    # awsQueryCompatible JSON services (SQS...): botocore puts the query code in Code, the shape's in
    # QueryErrorCode.
    candidates = [c for c in (error.get("QueryErrorCode"), code) if c]
    translated = quirks.translate_error(boto3_name, operation, status)
    if translated is not None:
        code, message = translated
        candidates = [code]
    modeled = _modeled_errors(service_model)
    shape_name = next((modeled[c] for c in candidates if c in modeled), None)
    name = error_name(prefix, shape_name or code, modeled=shape_name is not None)
    request_id = meta.get("RequestId") or None
    details = f"Service: {prefix}, Status Code: {status}, Request ID: {request_id or 'null'}"
    if meta.get("HostId"):
        details += f", Extended Request ID: {meta['HostId']}"
    attempts = int(meta.get("RetryAttempts") or 0) + 1
    return make_error(name, f"{message or 'null'} ({details}) (SDK Attempt Count: {attempts})", request_id)


def client_error(prefix: str, exc: BaseException) -> ProxyError:
    """A failure before any answer from the service (connection, timeout, serialisation):
    ``<Prefix>.SdkClientException``, as the Java SDK raises."""
    return make_error(f"{prefix}.SdkClientException", f"Unable to execute HTTP request: {exc}")
