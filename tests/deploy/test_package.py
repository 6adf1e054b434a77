"""The zip: byte-identical across builds, whatever the files' times and modes; the proxy runs from it."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from sfnxr.deploy import package as packaging

ALLOWLIST = '{"v": 1, "calls": ["s3:getObject:us-west-2"], "endpoints": [], "roles": []}\n'


def copy_of_source(target: Path) -> Path:
    shutil.copytree(
        packaging.source_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "allowlist.json")
    )
    return target


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = packaging.build(ALLOWLIST)
    second = packaging.build(ALLOWLIST)
    assert first.data == second.data
    assert (
        first.code_sha256
        == second.code_sha256
        == base64.b64encode(hashlib.sha256(first.data).digest()).decode()
    )

    # Another checkout: other times, other modes, CRLF line endings, a stray allowlist.json.
    other = copy_of_source(tmp_path / "sfnxr_proxy")
    for index, path in enumerate(sorted(other.iterdir())):
        os.utime(path, (1_000_000 + index, 2_000_000_000 - index))
        path.chmod(0o600 if index % 2 else 0o755)
    handler = other / "handler.py"
    handler.write_bytes(handler.read_bytes().replace(b"\n", b"\r\n"))
    (other / "allowlist.json").write_text('{"v": 1, "calls": ["*"]}', encoding="utf-8")
    assert packaging.build(ALLOWLIST, other).data == first.data


def test_the_zip_layout(tmp_path: Path) -> None:
    package = packaging.build(ALLOWLIST)
    archive = zipfile.ZipFile(io.BytesIO(package.data))
    names = archive.namelist()
    assert names == sorted(names)
    expected = sorted(
        [f"sfnxr_proxy/{p.name}" for p in packaging.source_dir().glob("*.py")]
        + ["sfnxr_proxy/_names.json", "sfnxr_proxy/allowlist.json"]
    )
    assert names == expected
    for info in archive.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.compress_type == zipfile.ZIP_STORED
    assert archive.read("sfnxr_proxy/allowlist.json").decode() == ALLOWLIST


def test_another_allowlist_or_code_changes_the_hash(tmp_path: Path) -> None:
    base = packaging.build(ALLOWLIST)
    assert packaging.build(ALLOWLIST.replace("us-west-2", "eu-west-1")).code_sha256 != base.code_sha256
    other = copy_of_source(tmp_path / "sfnxr_proxy")
    (other / "handler.py").write_text((other / "handler.py").read_text() + "# changed\n")
    assert packaging.build(ALLOWLIST, other).code_sha256 != base.code_sha256


def test_the_proxy_runs_from_the_zip_and_reads_its_allowlist(tmp_path: Path) -> None:
    """Unpacked as Lambda does, the handler imports and its allowlist refuses what is not listed."""
    zipfile.ZipFile(io.BytesIO(packaging.build(ALLOWLIST).data)).extractall(tmp_path)
    code = (
        "from sfnxr_proxy import allowlist, handler\n"
        "rules = allowlist.current()\n"
        "assert rules.problem is None, rules.problem\n"
        "assert rules.refusal('s3', 'getObject', 'us-west-2', None, None) is None\n"
        "assert 'not in the proxy' in rules.refusal('s3', 'putObject', 'us-west-2', None, None)\n"
        "print(handler.__file__)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "SFNXR_ALLOW"}
    env["PYTHONPATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "sfnxr_proxy" / "handler.py")
