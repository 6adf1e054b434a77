"""S3 through the proxy, against the moto server: bodies, timestamps, the exact GetObject shape, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sfnxr_proxy.errors import ProxyError

from .conftest import TARGET_REGION, Proxy, unique

ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z\Z")


@pytest.fixture
def bucket(proxy: Proxy) -> str:
    name = unique("bucket")
    proxy.client("s3").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": TARGET_REGION}
    )
    return name


def _stored(proxy: Proxy, bucket: str, key: str) -> dict[str, Any]:
    return dict(proxy.client("s3").get_object(Bucket=bucket, Key=key))


def test_put_object_with_a_string_body_stores_its_json(proxy: Proxy, bucket: str) -> None:
    result = proxy.call("s3", "putObject", {"Bucket": bucket, "Key": "k", "Body": "text data"})
    assert set(result) == {"ETag"}
    stored = _stored(proxy, bucket, "k")
    assert stored["Body"].read() == b'"text data"'  # 11 bytes, quotes included, as Step Functions stores it
    assert stored["ContentType"] == "text/plain; charset=UTF-8"


def test_put_object_with_an_object_body(proxy: Proxy, bucket: str) -> None:
    body = {"id": 1, "tags": ["a", "é"], "ok": True}
    proxy.call(
        "s3",
        "putObject",
        {"Bucket": bucket, "Key": "o.json", "Body": body, "ContentType": "application/json"},
    )
    stored = _stored(proxy, bucket, "o.json")
    assert stored["Body"].read() == '{"id":1,"tags":["a","é"],"ok":true}'.encode()
    assert stored["ContentType"] == "application/json"


def test_get_object_returns_the_body_as_a_string_and_exactly_the_documented_fields(
    proxy: Proxy, bucket: str
) -> None:
    proxy.client("s3").put_object(Bucket=bucket, Key="card.json", Body=b'{"name": "card"}')
    result = proxy.call("s3", "getObject", {"Bucket": bucket, "Key": "card.json"})
    assert result["Body"] == '{"name": "card"}'
    assert result["Metadata"] == {}
    assert result["ContentLength"] == 16
    assert ISO_INSTANT.match(result["LastModified"])
    documented = {"AcceptRanges", "ContentLength", "ContentType", "ETag", "LastModified", "Metadata", "Body"}
    assert set(result) - {"ServerSideEncryption"} == documented  # no checksum fields, no ResponseMetadata


def test_get_object_of_an_empty_object(proxy: Proxy, bucket: str) -> None:
    proxy.client("s3").put_object(Bucket=bucket, Key="empty", Body=b"")
    assert proxy.call("s3", "getObject", {"Bucket": bucket, "Key": "empty"})["Body"] == ""


def test_list_objects_v2_timestamps(proxy: Proxy, bucket: str) -> None:
    for key in ("a.txt", "b/c d.txt"):
        proxy.client("s3").put_object(Bucket=bucket, Key=key, Body=b"x")
    result = proxy.call("s3", "listObjectsV2", {"Bucket": bucket})
    assert [item["Key"] for item in result["Contents"]] == ["a.txt", "b/c d.txt"]
    assert all(ISO_INSTANT.match(item["LastModified"]) for item in result["Contents"])
    assert result["KeyCount"] == 2
    assert result["Name"] == bucket
    assert "EncodingType" not in result  # botocore asks for it, the Java SDK does not
    assert "ResponseMetadata" not in result


def test_head_object(proxy: Proxy, bucket: str) -> None:
    proxy.client("s3").put_object(Bucket=bucket, Key="h", Body=b"abc", Metadata={"owner": "me"})
    result = proxy.call("s3", "headObject", {"Bucket": bucket, "Key": "h"})
    assert result["ContentLength"] == 3
    assert result["Metadata"] == {"owner": "me"}
    assert "Body" not in result


def test_missing_key_and_missing_bucket_are_caught_by_name(proxy: Proxy, bucket: str) -> None:
    with pytest.raises(ProxyError) as missing_key:
        proxy.call("s3", "getObject", {"Bucket": bucket, "Key": "nope"})
    assert type(missing_key.value).__name__ == "S3.NoSuchKeyException"
    assert "(Service: S3, Status Code: 404, Request ID: " in str(missing_key.value)

    with pytest.raises(ProxyError) as missing_bucket:
        proxy.call("s3", "getObject", {"Bucket": unique("no-such-bucket"), "Key": "k"})
    assert type(missing_bucket.value).__name__ == "S3.NoSuchBucketException"

    # HEAD has no error body: the Java SDK turns a 404 into NoSuchKey (ExceptionTranslationInterceptor)
    with pytest.raises(ProxyError) as head:
        proxy.call("s3", "headObject", {"Bucket": bucket, "Key": "nope"})
    assert type(head.value).__name__ == "S3.NoSuchKeyException"
    assert str(head.value).startswith("The specified key does not exist. (Service: S3, Status Code: 404")

    with pytest.raises(ProxyError) as head_bucket:
        proxy.call("s3", "headBucket", {"Bucket": unique("no-such-bucket")})
    assert type(head_bucket.value).__name__ == "S3.NoSuchBucketException"
