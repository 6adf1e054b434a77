"""Fixtures: one moto server process on 127.0.0.1 and the Lambda's environment for the whole of tests/proxy
(package scope, so nothing leaks into other tests), and a proxy caller.

Resources live in us-west-2 (the target region); the proxy's Lambda context pretends to run in us-east-1.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from sfnxr_proxy import allowlist, handler
from tests.support.moto_server import moto_server

TARGET_REGION = "us-west-2"
HOME_REGION = "us-east-1"

# The Lambda runtime's environment, with dummy credentials; nothing from the developer's own AWS setup.
_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": HOME_REGION,
    "AWS_DEFAULT_REGION": HOME_REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_LAMBDA_FUNCTION_NAME": "sfnxr-proxy",
}
_UNSET = ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SECURITY_TOKEN", "SFNXR_ALLOW", "AWS_MAX_ATTEMPTS")


@dataclass
class LambdaContext:
    """The parts of Lambda's context object the proxy reads."""

    remaining_ms: int = 30_000
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = f"arn:aws:lambda:{HOME_REGION}:123456789012:function:sfnxr-proxy"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture(scope="package")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="package")
def lambda_env(moto_endpoint: str) -> Iterator[str]:
    """The Lambda's environment for the whole session; boto3 reaches moto through AWS_ENDPOINT_URL."""
    saved = {key: os.environ.get(key) for key in (*_ENV, *_UNSET, "AWS_ENDPOINT_URL")}
    os.environ.update(_ENV, AWS_ENDPOINT_URL=moto_endpoint)
    for key in _UNSET:
        os.environ.pop(key, None)
    handler.reset_caches()
    yield moto_endpoint
    handler.reset_caches()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


class Proxy:
    """Calls the handler as Lambda would, and makes boto3 clients in the target region for test setup."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.context = LambdaContext()

    def event(self, service: str, action: str, parameters: Any = None, **extra: Any) -> dict[str, Any]:
        event: dict[str, Any] = {
            "sfnxr": {"v": 1, "resource": f"arn:aws:states:::aws-sdk:{service}:{action}"},
            "region": TARGET_REGION,
            "service": service,
            "action": action,
        }
        if parameters is not None:
            event["parameters"] = parameters
        event.update(extra)
        return event

    def invoke(self, event: Any) -> Any:
        return handler.handler(event, self.context)

    def call(self, service: str, action: str, parameters: Any = None, **extra: Any) -> Any:
        return self.invoke(self.event(service, action, parameters, **extra))

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=TARGET_REGION, endpoint_url=self.endpoint)


@pytest.fixture
def proxy(lambda_env: str, monkeypatch: pytest.MonkeyPatch) -> Proxy:
    """A caller with every call allowed (SFNXR_ALLOW=*); tests of the allowlist change that."""
    monkeypatch.setenv(allowlist.ENV_VAR, "*")
    return Proxy(lambda_env)


def unique(prefix: str) -> str:
    """A resource name no other test uses (one moto server serves the whole session)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
