"""The event protocol, the allowlist, endpoints, roles, client caching, timeouts and logging of the handler."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from sfnxr_proxy import allowlist, catalog, handler
from sfnxr_proxy.errors import ProxyError
from tests.support.moto_server import free_port

from .conftest import TARGET_REGION, LambdaContext, Proxy, unique


def _refused(proxy: Proxy, event: Any) -> ProxyError:
    with pytest.raises(ProxyError) as info:
        proxy.invoke(event)
    return info.value


def _use_allowlist(monkeypatch: pytest.MonkeyPatch, path: Path, content: dict[str, Any]) -> None:
    path.write_text(json.dumps(content))
    monkeypatch.setattr(allowlist, "ALLOWLIST_FILE", path)
    monkeypatch.delenv(allowlist.ENV_VAR, raising=False)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ([], "must be a JSON object"),
        ({"region": "us-west-2", "service": "s3", "action": "listBuckets"}, '"sfnxr"'),
        ({"sfnxr": {}, "region": "us-west-2", "service": "s3", "action": "listBuckets"}, '"sfnxr"'),
        ({"sfnxr": {"v": 2}, "region": "us-west-2", "service": "s3", "action": "listBuckets"}, "version 2"),
        (
            {"sfnxr": {"v": "1"}, "region": "us-west-2", "service": "s3", "action": "listBuckets"},
            "version '1'",
        ),
        (
            {"sfnxr": {"v": True}, "region": "us-west-2", "service": "s3", "action": "listBuckets"},
            "version True",
        ),
        ({"sfnxr": {"v": 1}, "service": "s3", "action": "listBuckets"}, '"region"'),
        ({"sfnxr": {"v": 1}, "region": "us-west-2", "service": 3, "action": "listBuckets"}, '"service"'),
        ({"sfnxr": {"v": 1}, "region": "us-west-2", "service": "s3", "action": ""}, '"action"'),
        (
            {"sfnxr": {"v": 1}, "region": "us-west-2", "service": "s3", "action": "a", "parameters": []},
            "parameters",
        ),
        (
            {"sfnxr": {"v": 1}, "region": "us-west-2", "service": "s3", "action": "a", "endpoint": 1},
            "endpoint",
        ),
        ({"sfnxr": {"v": 1}, "region": "us-west-2", "service": "s3", "action": "a", "role": ""}, "role"),
        (
            {"sfnxr": {"v": 1}, "region": "us-west-2", "service": "s3", "action": "a", "Parameters": {}},
            "Parameters",
        ),
    ],
)
def test_malformed_events(proxy: Proxy, event: Any, message: str) -> None:
    error = _refused(proxy, event)
    assert type(error).__name__ == "Sfnxr.InvalidRequest"
    assert message in str(error)


def test_parameters_may_be_absent_or_null(proxy: Proxy) -> None:
    assert "Buckets" in proxy.call("s3", "listBuckets")
    assert "Buckets" in proxy.invoke({**proxy.event("s3", "listBuckets"), "parameters": None})


def test_extra_keys_under_sfnxr_are_ignored(proxy: Proxy) -> None:
    event = proxy.event("s3", "listBuckets")
    event["sfnxr"].update({"state": "Load", "result_selector": {"a": 1}})
    assert "Buckets" in proxy.invoke(event)


@pytest.mark.parametrize(
    ("service", "action", "message"),
    [
        ("dynamodbb", "getItem", "did you mean dynamodb"),
        ("stepfunctions", "startExecution", "unknown service 'stepfunctions'; did you mean sfn?"),
        ("s3", "getobject", "did you mean getObject"),
        ("s3", "selectObjectContent", "does not support"),
        ("bedrockruntime", "converseStream", "streams events"),
    ],
)
def test_unknown_and_unsupported_calls(proxy: Proxy, service: str, action: str, message: str) -> None:
    error = _refused(proxy, proxy.event(service, action, {}))
    assert type(error).__name__ == "Sfnxr.InvalidRequest"
    assert message in str(error)


def test_bad_region_names_are_refused_even_when_everything_is_allowed(proxy: Proxy) -> None:
    for region in ("us-west-2\u200b", "evil.example.com#", "US-WEST-2"):
        error = _refused(proxy, {**proxy.event("s3", "listBuckets"), "region": region})
        assert type(error).__name__ == "Sfnxr.InvalidRequest"


def test_allowlist_file_allows_and_refuses(
    proxy: Proxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _use_allowlist(
        monkeypatch, tmp_path / "allowlist.json", {"v": 1, "calls": [f"s3:listBuckets:{TARGET_REGION}"]}
    )
    assert "Buckets" in proxy.call("s3", "listBuckets")
    for service, action, region in [
        ("s3", "listBuckets", "us-east-2"),
        ("s3", "headBucket", TARGET_REGION),
        ("S3", "listBuckets", TARGET_REGION),
        ("s3\u200b", "listBuckets", TARGET_REGION),
        ("\u0455" + "3", "listBuckets", TARGET_REGION),  # Cyrillic dze
        ("s3", "ListBuckets", TARGET_REGION),
        ("s3", "list\u0412uckets", TARGET_REGION),  # Cyrillic Ve
    ]:
        error = _refused(proxy, {**proxy.event(service, action), "region": region})
        assert type(error).__name__ == "Sfnxr.NotAllowed", (service, action, region)


def test_wildcard_region(proxy: Proxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _use_allowlist(monkeypatch, tmp_path / "allowlist.json", {"v": 1, "calls": ["s3:listBuckets:*"]})
    assert "Buckets" in proxy.call("s3", "listBuckets")
    assert "Buckets" in proxy.invoke({**proxy.event("s3", "listBuckets"), "region": "eu-west-1"})
    assert type(_refused(proxy, proxy.event("sqs", "listQueues"))).__name__ == "Sfnxr.NotAllowed"


def test_nothing_is_allowed_without_allowlist(
    proxy: Proxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(allowlist, "ALLOWLIST_FILE", tmp_path / "absent.json")
    monkeypatch.delenv(allowlist.ENV_VAR, raising=False)
    error = _refused(proxy, proxy.event("s3", "listBuckets"))
    assert type(error).__name__ == "Sfnxr.NotAllowed"
    assert "no allowlist" in str(error)


def test_endpoints(proxy: Proxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _use_allowlist(
        monkeypatch,
        tmp_path / "allowlist.json",
        {"v": 1, "calls": [f"s3:listBuckets:{TARGET_REGION}"], "endpoints": [proxy.endpoint]},
    )
    assert "Buckets" in proxy.call("s3", "listBuckets", endpoint=proxy.endpoint)
    for endpoint in (
        proxy.endpoint + "/",
        "http://169.254.169.254",
        proxy.endpoint.replace("127.0.0.1", "localhost"),
    ):
        error = _refused(proxy, proxy.event("s3", "listBuckets", endpoint=endpoint))
        assert type(error).__name__ == "Sfnxr.NotAllowed"
        assert "endpoint" in str(error)


def test_connection_failure_is_sdk_client_exception(proxy: Proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    handler.reset_caches()
    try:
        error = _refused(proxy, proxy.event("s3", "listBuckets", endpoint=f"http://127.0.0.1:{free_port()}"))
    finally:
        handler.reset_caches()
    assert type(error).__name__ == "S3.SdkClientException"
    assert "Unable to execute HTTP request" in str(error)


def test_role_is_assumed_once_and_refreshed_before_expiry(proxy: Proxy) -> None:
    role = proxy.client("iam").create_role(RoleName=unique("role"), AssumeRolePolicyDocument="{}")["Role"][
        "Arn"
    ]
    identity = proxy.call("sts", "getCallerIdentity", role=role)
    assert identity["Arn"].endswith(f":assumed-role/{role.split('/')[-1]}/sfnxr-proxy")
    credentials, expiry = handler._role_credentials[role]
    client = handler._clients[("sts", TARGET_REGION, None, role)][0]
    proxy.call("sts", "getCallerIdentity", role=role)
    assert handler._role_credentials[role][0] is credentials  # cached, not assumed again
    assert handler._clients[("sts", TARGET_REGION, None, role)][0] is client
    # shortly before expiry both the credentials and the client are renewed
    handler._role_credentials[role] = (credentials, datetime.now(UTC) + timedelta(minutes=1))
    handler._clients[("sts", TARGET_REGION, None, role)] = (client, datetime.now(UTC) + timedelta(minutes=1))
    assert proxy.call("sts", "getCallerIdentity", role=role)["Arn"] == identity["Arn"]
    assert handler._role_credentials[role][0] is not credentials
    assert handler._clients[("sts", TARGET_REGION, None, role)][0] is not client
    assert handler._role_credentials[role][1] > datetime.now(UTC) + timedelta(minutes=10)
    assert expiry > datetime.now(UTC)


def test_roles_must_be_allowed(proxy: Proxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    allowed = "arn:aws:iam::123456789012:role/allowed"
    _use_allowlist(
        monkeypatch,
        tmp_path / "allowlist.json",
        {"v": 1, "calls": [f"sts:getCallerIdentity:{TARGET_REGION}"], "roles": [allowed]},
    )
    assert "assumed-role/allowed/" in proxy.call("sts", "getCallerIdentity", role=allowed)["Arn"]
    error = _refused(
        proxy, proxy.event("sts", "getCallerIdentity", role="arn:aws:iam::123456789012:role/other")
    )
    assert type(error).__name__ == "Sfnxr.NotAllowed"


def test_clients_are_cached_per_service_region_endpoint_role(proxy: Proxy) -> None:
    handler.reset_caches()
    proxy.call("s3", "listBuckets")
    proxy.call("s3", "listBuckets")
    proxy.invoke({**proxy.event("s3", "listBuckets"), "region": "eu-west-1"})
    proxy.call("s3", "listBuckets", endpoint=proxy.endpoint)
    assert set(handler._clients) == {
        ("s3", TARGET_REGION, None, None),
        ("s3", "eu-west-1", None, None),
        ("s3", TARGET_REGION, proxy.endpoint, None),
    }


def test_timeouts_end_before_the_function(proxy: Proxy) -> None:
    handler.reset_caches()
    proxy.context = LambdaContext(remaining_ms=6_000)
    proxy.call("s3", "listBuckets")
    config = handler._clients[("s3", TARGET_REGION, None, None)][0].meta.config
    assert config.read_timeout == pytest.approx(5.0)
    assert config.connect_timeout <= 5.0
    assert config.retries["mode"] == "standard"
    handler.reset_caches()
    assert handler._timeouts(None) == (10.0, 60.0)
    assert handler._timeouts(LambdaContext(remaining_ms=900_000)) == (10.0, 60.0)
    assert handler._timeouts(LambdaContext(remaining_ms=500)) == (1.0, 1.0)


def test_one_log_line_per_call_without_values(proxy: Proxy, capsys: pytest.CaptureFixture[str]) -> None:
    bucket = unique("log-bucket")
    proxy.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": TARGET_REGION}
    )
    capsys.readouterr()
    proxy.call("s3", "putObject", {"Bucket": bucket, "Key": "k", "Body": "private-value"})
    with pytest.raises(ProxyError):
        proxy.call("s3", "getObject", {"Bucket": bucket, "Key": "private-key"})
    with pytest.raises(ProxyError):
        proxy.invoke({"sfnxr": {"v": 9}})
    out, err = capsys.readouterr()
    assert "private" not in out + err
    assert bucket not in out
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 3
    ok, missing, malformed = records
    fields = {"sfnxr", "service", "action", "region", "duration_ms", "request_id", "aws_request_id", "error"}
    assert set(ok) == fields
    assert (ok["service"], ok["action"], ok["region"], ok["error"]) == (
        "s3",
        "putObject",
        TARGET_REGION,
        None,
    )
    assert ok["request_id"] == proxy.context.aws_request_id
    assert ok["aws_request_id"] and ok["duration_ms"] > 0
    assert missing["error"] == "S3.NoSuchKeyException"
    assert malformed["error"] == "Sfnxr.InvalidRequest" and malformed["service"] is None


def test_a_refused_assume_role_is_an_sts_error(proxy: Proxy) -> None:
    handler.reset_caches()
    sts = handler._client("sts", "us-east-1", None, None, None)  # the function's own region
    with Stubber(sts) as stubber:
        stubber.add_client_error("assume_role", "AccessDenied", "not authorized", http_status_code=403)
        stubber.add_client_error("assume_role", "RegionDisabledException", "disabled", http_status_code=403)
        role = "arn:aws:iam::123456789012:role/" + unique("denied")
        denied = _refused(proxy, proxy.event("s3", "listBuckets", role=role))
        disabled = _refused(proxy, proxy.event("s3", "listBuckets", role=role))
    assert type(denied).__name__ == "Sts.StsException"
    assert str(denied).startswith("not authorized (Service: Sts, Status Code: 403")
    assert type(disabled).__name__ == "Sts.RegionDisabledException"
    assert role not in handler._role_credentials


def test_services_and_operations_unknown_to_the_runtime_botocore(
    proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the catalog may be newer than the botocore the Lambda runtime ships
    newer = catalog.ServiceInfo("futureservice", "future-service", "FutureService", "future", ("GetThing",))
    known = catalog.service_by_sfn_id
    monkeypatch.setattr(
        catalog, "service_by_sfn_id", lambda sfn_id: newer if sfn_id == "futureservice" else known(sfn_id)
    )
    error = _refused(proxy, proxy.event("futureservice", "getThing"))
    assert type(error).__name__ == "Sfnxr.InvalidRequest"
    assert "does not know the service futureservice" in str(error)
    s3 = known("s3")
    assert s3 is not None
    newer_s3 = catalog.ServiceInfo("s3", "s3", "S3", "s3", (*s3.operations, "TeleportObject"))
    monkeypatch.setattr(
        catalog, "service_by_sfn_id", lambda sfn_id: newer_s3 if sfn_id == "s3" else known(sfn_id)
    )
    error = _refused(proxy, proxy.event("s3", "teleportObject"))
    assert type(error).__name__ == "Sfnxr.InvalidRequest"
    assert "does not know s3:teleportObject" in str(error)
