"""The allowlist's format and matching, without a server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfnxr_proxy import allowlist

ROLE = "arn:aws:iam::123456789012:role/reader"
ENDPOINT = "https://cluster.example.com"
LIST = json.dumps(
    {
        "v": 1,
        "calls": ["s3:getObject:us-west-2", "bedrockagent:startIngestionJob:*"],
        "endpoints": [ENDPOINT],
        "roles": [ROLE],
    }
)


def test_allowed_calls() -> None:
    rules = allowlist.parse(LIST)
    assert rules.refusal("s3", "getObject", "us-west-2", None, None) is None
    assert rules.refusal("s3", "getObject", "us-west-2", ENDPOINT, ROLE) is None
    assert rules.refusal("bedrockagent", "startIngestionJob", "eu-central-1", None, None) is None


@pytest.mark.parametrize(
    ("service", "action", "region"),
    [
        ("s3", "getObject", "us-east-1"),  # another region
        ("s3", "putObject", "us-west-2"),  # another action
        ("S3", "getObject", "us-west-2"),  # case
        ("s3", "GetObject", "us-west-2"),
        ("s3\u200b", "getObject", "us-west-2"),  # zero-width space
        ("\u0455" + "3", "getObject", "us-west-2"),  # Cyrillic dze looks like s
        ("s3", "getObj\u0435ct", "us-west-2"),  # Cyrillic e
        ("s3", "getObject ", "us-west-2"),
        ("s3", "getObject", "us-west-2 "),
        ("s3", "getObject", "*"),  # a wildcard in the event is just a string
        ("s3:getObject", "us-west-2", "x"),
        ("dynamodb", "getItem", "us-west-2"),
    ],
)
def test_refused_calls(service: str, action: str, region: str) -> None:
    reason = allowlist.parse(LIST).refusal(service, action, region, None, None)
    assert reason is not None and "not in the proxy's allowlist" in reason


def test_endpoints_and_roles_must_be_listed() -> None:
    rules = allowlist.parse(LIST)
    assert "endpoint" in (
        rules.refusal("s3", "getObject", "us-west-2", "https://evil.example.com", None) or ""
    )
    assert "endpoint" in (rules.refusal("s3", "getObject", "us-west-2", ENDPOINT + "/", None) or "")
    assert "role" in (rules.refusal("s3", "getObject", "us-west-2", None, ROLE + "x") or "")


def test_star_allows_everything() -> None:
    rules = allowlist.parse("*")
    assert rules.refusal("anything", "at", "all", "http://x", "arn:role") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"calls": []}',  # no version
        '{"v": 2, "calls": []}',
        '{"v": 1, "calls": "s3:getObject:us-west-2"}',
        '{"v": 1, "calls": ["s3:getObject"]}',
        '{"v": 1, "calls": ["s3:getObject:us-west-2:x"]}',
        '{"v": 1, "calls": ["S3:getObject:us-west-2"]}',
        '{"v": 1, "calls": ["s3:getObject:us-*"]}',  # * only as the whole region
        '{"v": 1, "calls": ["s3:*:us-west-2"]}',
        '{"v": 1, "calls": [], "extra": 1}',
        '{"v": 1, "roles": [""]}',
        "{not json",
    ],
)
def test_malformed_allowlists_allow_nothing(text: str) -> None:
    rules = allowlist.parse(text)
    assert not rules.allow_all
    assert "malformed" in (rules.refusal("s3", "getObject", "us-west-2", None, None) or "")


def test_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "allowlist.json"
    path.write_text(LIST)
    monkeypatch.setattr(allowlist, "ALLOWLIST_FILE", path)
    monkeypatch.delenv(allowlist.ENV_VAR, raising=False)
    assert allowlist.current().refusal("s3", "getObject", "us-west-2", None, None) is None
    monkeypatch.setenv(allowlist.ENV_VAR, '{"v": 1, "calls": ["sqs:sendMessage:us-west-2"]}')
    assert allowlist.current().refusal("s3", "getObject", "us-west-2", None, None) is not None
    assert allowlist.current().refusal("sqs", "sendMessage", "us-west-2", None, None) is None


def test_nothing_is_allowed_without_an_allowlist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allowlist, "ALLOWLIST_FILE", tmp_path / "allowlist.json")
    monkeypatch.delenv(allowlist.ENV_VAR, raising=False)
    reason = allowlist.current().refusal("s3", "getObject", "us-west-2", None, None)
    assert reason is not None and "no allowlist" in reason


def test_region_names() -> None:
    assert allowlist.is_region("us-west-2")
    assert allowlist.is_region("us-gov-west-1")
    assert allowlist.is_region("ap-southeast-4")
    for bad in ("us-west-2\u200b", "US-WEST-2", "us-west-٢", "us_west_2", "", "*", "localhost"):
        assert not allowlist.is_region(bad)
