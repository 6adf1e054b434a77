"""`sfnxr check`, configured outputs, and the github/json report formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfnxr.config import ConfigError, expand_output, glob_match, load_config
from tests.support.cli import sfnxr
from tests.support.definitions import ANNOTATED, PROXY

CONFIG = f"""\
proxy-arn = "{PROXY}"

[outputs]
"src/**/*.asl.json" = "build/{{dir}}/{{stem}}.asl.json"
"""


def repo(tmp_path: Path, data: Any = ANNOTATED, name: str = "flow") -> Path:
    (tmp_path / ".sfnxr.toml").write_text(CONFIG)
    (tmp_path / "src" / "team").mkdir(parents=True, exist_ok=True)
    (tmp_path / "src" / "team" / f"{name}.asl.json").write_text(json.dumps(data, indent=2) + "\n")
    return tmp_path


def test_globs_and_output_templates() -> None:
    assert glob_match("src/*.asl.json", "src/a.asl.json")
    assert not glob_match("src/*.asl.json", "src/x/a.asl.json")
    assert glob_match("src/**/*.asl.json", "src/a.asl.json")
    assert glob_match("src/**/*.asl.json", "src/x/y/a.asl.json")
    assert expand_output("build/{dir}/{stem}.json", "src/x/a.asl.json") == "build/src/x/a.json"
    assert expand_output("out/{name}", "a.asl.yaml") == "out/a.asl.yaml"


def test_transform_without_paths_regenerates_every_configured_output(tmp_path: Path) -> None:
    repo(tmp_path)
    assert sfnxr("check", cwd=tmp_path).exit_code == 1  # the output does not exist yet
    run = sfnxr("transform", cwd=tmp_path)
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")
    output = tmp_path / "build" / "src" / "team" / "flow.asl.json"
    assert json.loads(output.read_text())["States"]["Get"]["Resource"] == PROXY
    assert sfnxr("check", cwd=tmp_path).exit_code == 0
    assert sfnxr("transform", "--check", cwd=tmp_path).exit_code == 0


def test_check_finds_a_stale_output(tmp_path: Path) -> None:
    repo(tmp_path)
    sfnxr("transform", cwd=tmp_path)
    source = tmp_path / "src" / "team" / "flow.asl.json"
    source.write_text(source.read_text().replace("us-west-2", "eu-west-1"))
    run = sfnxr("check", cwd=tmp_path)
    assert run.exit_code == 1
    assert "src/team/flow.asl.json: its output" in run.stderr and "is out of date" in run.stderr
    assert sfnxr("check", "src/team/flow.asl.json", cwd=tmp_path).exit_code == 1


def test_check_reports_errors_with_exit_2(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(ANNOTATED).replace("us-west-2", "us-west-9"))
    repo(tmp_path, bad)
    run = sfnxr("check", cwd=tmp_path)
    assert run.exit_code == 2
    assert "flow.asl.json:6: unknown region 'us-west-9'" in run.stderr


def test_check_validates_files_without_an_output_even_without_a_proxy(tmp_path: Path) -> None:
    source = tmp_path / "lone.asl.json"
    source.write_text(json.dumps(ANNOTATED))
    assert sfnxr("check", str(source), cwd=tmp_path).exit_code == 0


def test_github_format(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(ANNOTATED).replace("us-west-2", "us-west-9"))
    repo(tmp_path, bad)
    run = sfnxr("check", "--format", "github", cwd=tmp_path)
    assert run.exit_code == 2
    (line,) = run.stderr.splitlines()
    path = str(tmp_path / "src" / "team" / "flow.asl.json").replace(":", "%3A")
    assert line == (
        f"::error file={path},line=6,title=sfnxr::unknown region 'us-west-9' (did you mean 'us-west-2'?)"
    )
    repo(tmp_path)
    stale = sfnxr("check", "--format", "github", cwd=tmp_path)
    assert stale.exit_code == 1
    assert stale.stderr.startswith(f"::error file={path},title=sfnxr::") and "does not exist" in stale.stderr


def test_json_format(tmp_path: Path) -> None:
    repo(tmp_path)
    report = json.loads(sfnxr("check", "--format", "json", cwd=tmp_path).stdout)
    assert report["ok"] is False and report["errors"] == []
    assert report["stale"] == [
        {
            "input": str(tmp_path / "src" / "team" / "flow.asl.json"),
            "output": str(tmp_path / "build" / "src" / "team" / "flow.asl.json"),
        }
    ]
    written = json.loads(sfnxr("transform", "--format", "json", cwd=tmp_path).stdout)
    assert written["ok"] is True and written["written"] == [report["stale"][0]["output"]]
    bad = json.loads(json.dumps(ANNOTATED).replace('"Bucket"', '"Bukket"'))
    repo(tmp_path, bad, name="bad")
    errors = json.loads(sfnxr("transform", "--format", "json", cwd=tmp_path).stdout)
    (error,) = errors["errors"]
    assert error["state"] == "States.Get" and error["line"] == 9 and "'Bukket'" in error["message"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[outputs]\n"a/*.json" = "b/{nope}.json"\n', "unknown field"),
        ('[outputs]\n"*.json" = "{stem}.x.json"\n', "would also take its own output"),
        ('outputs = ["x"]\n', "outputs must be a table"),
    ],
)
def test_output_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ".sfnxr.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path)
    assert caught.value.line == 1


def test_no_paths_and_no_config_is_a_usage_error(tmp_path: Path) -> None:
    run = sfnxr("check", cwd=tmp_path)
    assert run.exit_code == 2 and "no PATH given" in run.stderr


def test_check_remembers_clean_results_and_notices_any_change(
    tmp_path: Path, private_check_cache: Path
) -> None:
    repo(tmp_path)
    sfnxr("transform", cwd=tmp_path)
    assert sfnxr("check", cwd=tmp_path).exit_code == 0
    assert list(private_check_cache.glob("check-*.json")), "a clean check is remembered"
    output = tmp_path / "build" / "src" / "team" / "flow.asl.json"
    output.write_text(output.read_text().replace("us-west-2", "eu-west-1"))
    assert sfnxr("check", cwd=tmp_path).exit_code == 1, "an edited output is a cache miss"
    sfnxr("transform", cwd=tmp_path)
    assert sfnxr("check", cwd=tmp_path).exit_code == 0
    assert sfnxr("check", "--home-region", "us-west-2", cwd=tmp_path).exit_code == 1, "new settings: a miss"
    assert sfnxr("check", "--no-cache", cwd=tmp_path).exit_code == 0
