"""The CLI end to end: outputs, exit codes, and one `file:line: message` per user mistake, with nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import sfnxr
from tests.support.definitions import PROXY
from tests.support.definitions import s3_get_definition as definition

ROOT = Path(__file__).resolve().parents[1]


ANNOTATED = definition(Comment="@sfnxr region=us-west-2", Parameters={"Bucket": "b", "Key.$": "$.key"})


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def test_transform_to_a_file_then_restore(tmp_path: Path) -> None:
    source = write(tmp_path / "in.asl.json", ANNOTATED)
    out = tmp_path / "out.asl.json"
    run = sfnxr("transform", "--proxy-arn", PROXY, "-o", str(out), str(source))
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")
    rewritten = json.loads(out.read_text())
    assert rewritten["States"]["Get"]["Resource"] == PROXY
    assert rewritten["States"]["Get"]["Parameters"]["region"] == "us-west-2"
    back = tmp_path / "back.asl.json"
    assert sfnxr("restore", "-o", str(back), str(out)).exit_code == 0
    assert json.loads(back.read_text()) == ANNOTATED


def test_stdin_to_stdout() -> None:
    run = sfnxr("transform", "--proxy-arn", PROXY, "-", stdin=json.dumps(ANNOTATED))
    assert run.exit_code == 0
    assert json.loads(run.stdout)["States"]["Get"]["Resource"] == PROXY


def test_check_and_diff_write_nothing(tmp_path: Path) -> None:
    source = write(tmp_path / "in.asl.json", ANNOTATED)
    before = source.read_text()
    check = sfnxr("transform", "--proxy-arn", PROXY, "--check", "--in-place", str(source))
    assert check.exit_code == 1
    assert f"{source}: would change; run sfnxr transform" in check.stderr
    diff = sfnxr("transform", "--proxy-arn", PROXY, "--diff", "--in-place", str(source))
    assert diff.exit_code == 0
    assert f"+++ b/{source}" in diff.stdout and '+      "Resource": "' + PROXY in diff.stdout
    assert source.read_text() == before
    assert sfnxr("transform", "--proxy-arn", PROXY, "--in-place", str(source)).exit_code == 0
    assert sfnxr("transform", "--proxy-arn", PROXY, "--check", "--in-place", str(source)).exit_code == 0


def test_out_dir_mirrors_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "flows" / "a").mkdir(parents=True)
    write(tmp_path / "flows" / "a" / "one.asl.json", ANNOTATED)
    write(tmp_path / "flows" / "two.asl.json", definition())
    run = sfnxr(
        "transform",
        "--proxy-arn",
        PROXY,
        "--out-dir",
        "build",
        "flows/a/one.asl.json",
        "flows/two.asl.json",
        cwd=tmp_path,
    )
    assert run.exit_code == 0, run.stderr
    assert (
        json.loads((tmp_path / "build/flows/a/one.asl.json").read_text())["States"]["Get"]["Resource"]
        == PROXY
    )
    assert json.loads((tmp_path / "build/flows/two.asl.json").read_text()) == definition()


def test_in_place_keeps_permissions_and_skips_unchanged_files(tmp_path: Path) -> None:
    source = write(tmp_path / "in.asl.json", ANNOTATED)
    os.chmod(source, 0o640)
    plain = write(tmp_path / "plain.asl.json", definition())
    mtime = plain.stat().st_mtime_ns
    assert sfnxr("transform", "--proxy-arn", PROXY, "--in-place", str(source), str(plain)).exit_code == 0
    assert source.stat().st_mode & 0o777 == 0o640
    assert plain.stat().st_mtime_ns == mtime


def test_explain_lists_routed_tasks(tmp_path: Path) -> None:
    source = write(tmp_path / "in.asl.json", ANNOTATED)
    run = sfnxr("explain", str(source))
    assert run.exit_code == 0
    header, row = run.stdout.splitlines()
    assert header.split() == ["FILE", "STATE", "CALL", "REGION", "IAM", "ACTION"]
    assert row.split() == [str(source), "States.Get", "s3:getObject", "us-west-2", "s3:GetObject"]
    out = tmp_path / "out.asl.json"
    sfnxr("transform", "--proxy-arn", PROXY, "-o", str(out), str(source))
    as_json = json.loads(sfnxr("explain", "--format", "json", str(out)).stdout)
    assert as_json[0]["call"] == "s3:getObject" and as_json[0]["region"] == "us-west-2"


BAD_DEFINITIONS: list[tuple[str, Any, int, str]] = [
    (
        "unknown region",
        definition(Comment="@sfnxr region=us-west-9"),
        7,
        "unknown region 'us-west-9' (did you mean 'us-west-2'?)",
    ),
    (
        "other partition",
        definition(Comment="@sfnxr region=cn-north-1"),
        7,
        "region 'cn-north-1' is in partition 'aws-cn', but the Resource is in partition 'aws'",
    ),
    (
        "not an aws-sdk task",
        {
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Comment": "@sfnxr region=us-west-2", "End": True}},
        },
        4,
        "the @sfnxr directive in Comment is on a Pass state, not an aws-sdk Task",
    ),
    (
        "unknown service",
        {
            "StartAt": "G",
            "States": {
                "G": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:us-west-2::aws-sdk:dynamodbb:getItem",
                    "End": True,
                }
            },
        },
        6,
        "unknown aws-sdk service 'dynamodbb' (did you mean 'dynamodb'",
    ),
    (
        "unknown action",
        {
            "StartAt": "G",
            "States": {
                "G": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:us-west-2::aws-sdk:s3:getObjects",
                    "End": True,
                }
            },
        },
        6,
        "unknown action 'getObjects' for aws-sdk service 's3' (did you mean 'getObject'",
    ),
    (
        "unknown parameter",
        definition(Comment="@sfnxr region=us-west-2", Parameters={"Bucket": "b", "Kee": "k"}),
        10,
        "Parameters field 'Kee' is not an input of s3:getObject (did you mean 'Key'?)",
    ),
    (
        ".sync",
        {
            "StartAt": "G",
            "States": {
                "G": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:us-west-2::aws-sdk:s3:getObject.sync",
                    "End": True,
                }
            },
        },
        6,
        ".sync is not available for aws-sdk integrations",
    ),
    (
        "bad JSONPath",
        definition(Comment="@sfnxr region=us-west-2", Parameters={"Bucket.$": "$.b[", "Key": "k"}),
        9,
        "Bucket.$: '$.b[' is not a valid JSONPath",
    ),
    (
        "malformed directive",
        definition(Comment="@sfnxr region us-west-2"),
        7,
        "@sfnxr: expected key=value, found 'region'",
    ),
    ("not a state machine", {"Resources": {}}, 1, "not an ASL state machine"),
]


@pytest.mark.parametrize(
    ("label", "data", "line", "message"), BAD_DEFINITIONS, ids=[c[0] for c in BAD_DEFINITIONS]
)
def test_bad_definitions(tmp_path: Path, label: str, data: Any, line: int, message: str) -> None:
    source = write(tmp_path / "bad.asl.json", data)
    out = tmp_path / "out.asl.json"
    run = sfnxr("transform", "--proxy-arn", PROXY, "-o", str(out), str(source))
    assert run.exit_code == 2
    first = run.stderr.splitlines()[0]
    assert first.startswith(f"{source}:{line}: "), run.stderr
    assert message in first
    assert "Traceback" not in run.stderr
    assert not out.exists()


def bomb() -> bytes:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for index in range(1, 10):
        previous = chr(ord("a") + index - 1)
        name = chr(ord("a") + index)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    lines.append("StartAt: x\nStates: {}\n")
    return "\n".join(lines).encode()


BAD_FILES: list[tuple[str, str, bytes, int | None, str]] = [
    (
        "duplicate key",
        "d.asl.json",
        b'{\n  "StartAt": "A",\n  "StartAt": "B",\n  "States": {}\n}\n',
        3,
        'duplicate key "StartAt" (first at line 2)',
    ),
    ("duplicate key yaml", "d.asl.yaml", b"StartAt: A\nStates: {}\nStartAt: B\n", 3, "duplicate key"),
    ("alias bomb", "b.asl.yaml", bomb(), None, "alias"),
    ("not utf-8", "u.asl.json", b'{\n  "StartAt": "\xff",\n  "States": {}\n}\n', 2, "UTF-8"),
    ("empty", "e.asl.json", b"  \n", None, "empty"),
    ("syntax", "s.asl.json", b'{\n  "StartAt": "A",\n  "States": {\n}\n', None, ""),
]


@pytest.mark.parametrize(
    ("label", "name", "content", "line", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_bad_files(
    tmp_path: Path, label: str, name: str, content: bytes, line: int | None, message: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    out = tmp_path / "out.json"
    run = sfnxr("transform", "--proxy-arn", PROXY, "-o", str(out), str(source))
    assert run.exit_code == 2
    first = run.stderr.splitlines()[0]
    assert first.startswith(f"{source}:{line}: " if line else f"{source}:"), run.stderr
    assert message.lower() in first.lower()
    assert not out.exists()


def test_oversized_file(tmp_path: Path) -> None:
    source = tmp_path / "big.asl.json"
    source.write_bytes(b" " * (10 * 1024 * 1024 + 1))
    run = sfnxr("transform", "--proxy-arn", PROXY, "-o", str(tmp_path / "out.json"), str(source))
    assert run.exit_code == 2
    assert "10 MiB" in run.stderr and "1 MiB" in run.stderr
    assert not (tmp_path / "out.json").exists()


def test_one_bad_file_means_nothing_is_written(tmp_path: Path) -> None:
    good = write(tmp_path / "good.asl.json", ANNOTATED)
    bad = write(tmp_path / "bad.asl.json", definition(Comment="@sfnxr region=nowhere-1"))
    before = good.read_text()
    run = sfnxr("transform", "--proxy-arn", PROXY, "--in-place", str(good), str(bad))
    assert run.exit_code == 2
    assert good.read_text() == before
    assert "1 error(s) in 1 file(s); nothing was written" in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.json", "a.json", "b.json"], "-o takes one input"),
        (["--in-place", "-o", "x.json", "a.json"], "choose one of -o, --out-dir and --in-place"),
        (["a.json", "b.json"], "with several inputs, use --out-dir or --in-place"),
        (["--in-place", "-"], "--in-place cannot rewrite standard input"),
        (["--proxy-arn", "not-an-arn", "a.json"], "is neither a Lambda function ARN"),
        (["--home-region", "moon-1", "a.json"], "unknown region 'moon-1'"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path / "a.json", ANNOTATED)
    write(tmp_path / "b.json", ANNOTATED)
    run = sfnxr("transform", *args, cwd=tmp_path)
    assert run.exit_code == 2
    assert message in run.stderr
    assert not (tmp_path / "x.json").exists()


def test_missing_proxy_arn_is_an_error_with_the_state(tmp_path: Path) -> None:
    source = write(tmp_path / "a.asl.json", ANNOTATED)
    run = sfnxr("transform", str(source), cwd=tmp_path)
    assert run.exit_code == 2
    assert run.stderr.startswith(f"{source}:4: no proxy ARN to route through")


def test_proxy_arn_and_home_region_from_config(tmp_path: Path) -> None:
    (tmp_path / ".sfnxr.toml").write_text(f'proxy-arn = "{PROXY}"\nhome-region = "us-west-2"\n')
    source = write(tmp_path / "a.asl.json", ANNOTATED)
    run = sfnxr("transform", str(source), cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    state = json.loads(run.stdout)["States"]["Get"]
    assert state["Resource"] == "arn:aws:states:::aws-sdk:s3:getObject"  # home region: stays native
    assert "Comment" not in state


def test_config_error_is_reported_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / ".sfnxr.toml").write_text('home-region = "us-west-2"\nproxy = "x"\n')
    write(tmp_path / "a.asl.json", ANNOTATED)
    run = sfnxr("transform", "a.asl.json", cwd=tmp_path)
    assert run.exit_code == 2
    assert f"{tmp_path / '.sfnxr.toml'}:2: unknown setting 'proxy'" in run.stderr


def test_version_and_help() -> None:
    assert sfnxr("--version").stdout.startswith("sfnxr, version ")
    helped = sfnxr("transform", "--help")
    assert helped.exit_code == 0 and "--proxy-arn" in helped.stdout and "Examples:" in helped.stdout


def test_console_script_runs_without_importing_boto3(tmp_path: Path) -> None:
    source = write(tmp_path / "a.asl.json", ANNOTATED)
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['sfnxr', 'transform', '--proxy-arn', {PROXY!r}, {str(source)!r}]\n"
        "try:\n    runpy.run_module('sfnxr', run_name='__main__')\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "LOADED []" in completed.stderr


def test_internal_errors_exit_3_in_one_line_and_debug_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sfnxr import engine

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "process", broken)
    source = write(tmp_path / "a.asl.json", ANNOTATED)
    run = sfnxr("transform", "--proxy-arn", PROXY, str(source))
    assert run.exit_code == 3
    assert run.stderr == "sfnxr: internal error: RuntimeError: boom (run with --debug for the traceback)\n"
    with pytest.raises(RuntimeError, match="boom"):
        sfnxr("--debug", "transform", "--proxy-arn", PROXY, str(source))
