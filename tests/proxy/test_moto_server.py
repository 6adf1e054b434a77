"""The moto server helper that later test layers (deploy, equivalence) reuse."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from tests.support import moto_entry
from tests.support.moto_server import api, configure, moto_server, reset


def test_patches_run_in_the_server_process(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    patch = "tests.proxy.moto_patch_marker:write_marker"
    with moto_server(patches=[patch], env={"SFNXR_TEST_MARKER": str(marker)}) as endpoint:
        assert endpoint.startswith("http://127.0.0.1:")
        assert marker.read_text().isdigit()
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="a",
            aws_secret_access_key="b",
        )
        s3.create_bucket(Bucket="helper-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["helper-bucket"]
        reset(endpoint)
        assert s3.list_buckets()["Buckets"] == []
        configure(endpoint, {"lambda": {"use_docker": False}})
        assert api(endpoint, "config")["lambda"]["use_docker"] is False
    with pytest.raises(OSError):
        api(endpoint, "config")  # terminated


def test_a_server_that_cannot_start_is_reported() -> None:
    with pytest.raises(RuntimeError, match="did not start"), moto_server(patches=["no.such.module:fn"]):
        pass


@pytest.mark.parametrize("spec", ["nocolon", ":fn", "module:"])
def test_patch_specs(spec: str) -> None:
    with pytest.raises(SystemExit):
        moto_entry.load_patch(spec)


def test_load_patch_finds_the_function() -> None:
    assert moto_entry.load_patch("tests.proxy.moto_patch_marker:write_marker").__name__ == "write_marker"
