"""Fixtures: one moto server on 127.0.0.1 for tests/deploy (package scope), dummy credentials, and a deployer
that runs `sfnxr deploy-proxy` in-process against it while recording every AWS call the CLI makes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from sfnxr.deploy import aws
from tests.support.cli import Run, sfnxr
from tests.support.moto_server import configure, moto_server

REGION = "eu-west-1"
ACCOUNT = "123456789012"
REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
READ_PREFIXES = ("Get", "List", "Describe", "Head")
_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
_UNSET = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


@pytest.fixture(scope="package")
def moto_endpoint() -> Iterator[str]:
    with moto_server(patches=["tests.deploy.moto_patches:snapstart"]) as endpoint:
        configure(endpoint, {"lambda": {"use_docker": False}})
        yield endpoint


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing from the developer's own AWS setup, and no credentials at all."""
    for key in (*_UNSET, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws_env(no_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in _CREDENTIALS.items():
        monkeypatch.setenv(key, value)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Deployer:
    """Runs deploy-proxy against the moto server for one function name, recording the calls made."""

    endpoint: str
    function: str
    calls: list[tuple[str, str]] = field(default_factory=list)  # (service, operation), every run
    fail_on: set[str] = field(default_factory=set)  # operations that fail with AccessDenied

    def run(self, *args: str, cwd: Path | None = None) -> Run:
        self.calls.clear()
        return sfnxr(
            "deploy-proxy",
            "--region",
            REGION,
            "--endpoint-url",
            self.endpoint,
            "--function-name",
            self.function,
            *args,
            cwd=cwd or REPO,
        )

    @property
    def writes(self) -> list[str]:
        return [operation for _, operation in self.calls if not operation.startswith(READ_PREFIXES)]

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint)

    @property
    def role_name(self) -> str:
        return f"{self.function}-{REGION}"

    @property
    def alias_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function}:live"


@pytest.fixture
def deployer(moto_endpoint: str, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Deployer:
    deployer = Deployer(moto_endpoint, unique("proxy"))
    original = aws.new_session

    def before_call(model: Any, **_: Any) -> None:
        deployer.calls.append((model.service_model.service_name, model.name))
        if model.name in deployer.fail_on:
            from botocore.exceptions import ClientError

            error = {"Error": {"Code": "AccessDenied", "Message": f"not allowed to {model.name} (injected)"}}
            raise ClientError(error, model.name)

    def recording_session(profile: str | None) -> Any:
        session = original(profile)
        session.events.register("before-call", before_call)
        return session

    monkeypatch.setattr(aws, "new_session", recording_session)
    return deployer
