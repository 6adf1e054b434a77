"""Golden tests over samples/: each case in samples/cases.toml, byte for byte, and back."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from sfnxr.documents import read_document
from tests.support.cli import sfnxr
from tests.support.oracles import asl_validator, statelint

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CASES: list[dict[str, Any]] = tomllib.loads((SAMPLES / "cases.toml").read_text())["case"]


def plain(path: Path) -> Any:
    return json.loads(json.dumps(read_document(str(path)).data))


@pytest.mark.parametrize("case", CASES, ids=[case["input"] for case in CASES])
def test_transform_matches_the_expected_file(case: dict[str, Any], tmp_path: Path) -> None:
    cwd = SAMPLES / case.get("cwd", ".")
    source = os.path.relpath(SAMPLES / case["input"], cwd)
    out = tmp_path / Path(case["expected"]).name
    run = sfnxr("transform", *case["args"], "-o", str(out), source, cwd=cwd)
    assert (run.exit_code, run.stderr) == (0, "")
    assert out.read_text() == (SAMPLES / case["expected"]).read_text()

    again = sfnxr("transform", *case["args"], "--check", "-o", str(out), str(out), cwd=cwd)
    assert again.exit_code == 0, "transforming the output again must change nothing"

    back = tmp_path / ("restored-" + out.name)
    run = sfnxr("restore", "-o", str(back), str(out), cwd=cwd)
    assert run.exit_code == 0
    if "restored" in case:
        assert back.read_text() == (SAMPLES / case["restored"]).read_text()
    else:
        assert plain(back) == plain(SAMPLES / case["input"])


def test_every_sample_is_a_case() -> None:
    inputs = {case["input"] for case in CASES}
    on_disk = {
        str(path.relative_to(SAMPLES))
        for path in SAMPLES.rglob("*")
        if path.suffix in (".json", ".yaml", ".yml") and "expected" not in path.parts
    }
    assert on_disk == inputs
    assert len(CASES) >= 6


def substituted(definition: Any) -> Any:
    """What Step Functions receives once DefinitionSubstitutions replaced the ${SfnxrProxyArn} placeholder."""
    arn = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"
    return json.loads(json.dumps(definition).replace("${SfnxrProxyArn}", arn))


@pytest.mark.oracle
def test_expected_outputs_pass_both_validators() -> None:
    outputs = [substituted(plain(SAMPLES / case["expected"])) for case in CASES]
    inputs = [plain(SAMPLES / case["input"]) for case in CASES]
    assert all(errors == [] for errors in asl_validator(inputs))
    assert asl_validator(outputs) == [[] for _ in outputs]
    for case, output in zip(CASES, outputs, strict=True):
        assert statelint(output) == [], case["expected"]
