"""--snapstart: the handler's init makes the allowlisted clients (lambda_src/sfnxr_proxy/warmup.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from botocore.credentials import Credentials, RefreshableCredentials

from sfnxr_proxy import handler, warmup
from tests.deploy.conftest import REPO

ALLOW = json.dumps(
    {
        "v": 1,
        "calls": [
            "s3:getObject:us-west-2",
            "s3:putObject:us-west-2",
            "dynamodb:getItem:*",
            "nosuch:thing:us-west-2",
        ],
    }
)


@pytest.fixture
def lambda_like(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("SFNXR_ALLOW", ALLOW)
    handler.reset_caches()
    yield
    handler.reset_caches()


def test_prime_makes_one_client_per_service_and_region(lambda_like: None) -> None:
    assert warmup.prime() == [("dynamodb", "eu-west-1"), ("s3", "us-west-2")]
    assert sorted((name, region) for name, region, _, _ in handler._clients) == [
        ("dynamodb", "eu-west-1"),
        ("s3", "us-west-2"),
    ]


def test_nothing_to_prime_for_allow_all_or_a_broken_allowlist(
    lambda_like: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SFNXR_ALLOW", "*")
    assert warmup.prime() == []
    monkeypatch.setenv("SFNXR_ALLOW", "{")
    assert warmup.prime() == []


def test_after_restore_keeps_self_refreshing_credentials(lambda_like: None) -> None:
    warmup.prime()
    session = handler._sessions[0]._session
    session._credentials = RefreshableCredentials(
        "a", "b", "c", expiry_time=None, refresh_using=lambda: {}, method="container-role"
    )
    warmup.after_restore()
    assert handler._clients


def test_after_restore_forgets_static_credentials_and_clients(lambda_like: None) -> None:
    warmup.prime()
    session = handler._sessions[0]._session
    session._credentials = Credentials("a", "b", "c")
    warmup.after_restore()
    assert handler._clients == {}
    assert session._credentials is None
    warmup.after_restore()  # nothing left to forget: still fine


def test_install_does_nothing_unless_asked(lambda_like: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(warmup.ENV_VAR, raising=False)
    warmup.install()
    assert handler._clients == {}
    monkeypatch.setenv(warmup.ENV_VAR, "1")
    warmup.install()  # no snapshot_restore_py outside Lambda: primes, registers nothing
    assert len(handler._clients) == 2


def test_importing_the_handler_with_the_variable_set_primes(aws_env: None) -> None:
    """What Lambda does at init once the handler imports warmup (in a fresh process)."""
    code = "from sfnxr_proxy import handler, warmup\nprint(sorted(key[:2] for key in handler._clients))\n"
    env = dict(os.environ, SFNXR_WARM_CLIENTS="1", SFNXR_ALLOW=ALLOW, AWS_REGION="eu-west-1")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[('dynamodb', 'eu-west-1'), ('s3', 'us-west-2')]"
