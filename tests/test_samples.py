"""Golden tests over samples/: each case in samples/cases.toml, byte for byte, and back."""

from __future__ import annotations

import json
import os
import re
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
    if path.suffix == ".tpl":
        from sfnxr.containers import load

        return json.loads(json.dumps(load(str(path)).sites[0].definition))
    return json.loads(json.dumps(read_document(str(path)).data, default=str))


def masked(text: str, case: dict[str, Any]) -> str:
    for pattern in case.get("volatile", []):
        text = re.sub(pattern, "<volatile>", text)
    return text


def case_id(case: dict[str, Any]) -> str:
    return case["input"] + (" " + " ".join(case["args"]) if "--add-proxy" in case["args"] else "")


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_transform_matches_the_expected_file(case: dict[str, Any], tmp_path: Path) -> None:
    cwd = SAMPLES / case.get("cwd", ".")
    source = os.path.relpath(SAMPLES / case["input"], cwd)
    expected = SAMPLES / case["expected"]
    out = tmp_path / "out" / expected.name
    run = sfnxr("transform", *case["args"], "-o", str(out), source, cwd=cwd)
    assert run.exit_code == 0, run.stderr
    assert masked(out.read_text(), case) == masked(expected.read_text(), case)
    for linked in case.get("linked", []):
        assert (out.parent / linked).read_text() == (expected.parent / linked).read_text(), linked
    if "--add-proxy" in case["args"]:
        assert len(list(out.parent.glob("sfnxr-proxy-*.zip"))) == 1, "the proxy's zip is written beside"

    again = sfnxr("transform", *case["args"], "--check", "-o", str(out), str(out), cwd=cwd)
    assert again.exit_code == 0, "transforming the output again must change nothing"

    back = tmp_path / "back" / ("restored-" + out.name)
    run = sfnxr("restore", "-o", str(back), str(out), cwd=cwd)
    assert run.exit_code == 0, run.stderr
    if "restored" in case:
        assert back.read_text() == (SAMPLES / case["restored"]).read_text()
    else:
        assert plain(back) == plain(SAMPLES / case["input"])
    for linked in case.get("linked", []):
        original = (SAMPLES / case["input"]).parent / linked
        assert plain(back.parent / linked) == plain(original), linked


def test_every_sample_is_a_case() -> None:
    inputs = {case["input"] for case in CASES}
    linked = {str(Path(case["input"]).parent / name) for case in CASES for name in case.get("linked", [])}
    on_disk = {
        str(path.relative_to(SAMPLES))
        for path in SAMPLES.rglob("*")
        if path.suffix in (".json", ".yaml", ".yml", ".tpl") and "expected" not in path.parts
    }
    assert on_disk == inputs | linked
    assert len(CASES) >= 6
    kinds = {Path(case["input"]).parts[0] for case in CASES}
    assert {"sam-app", "cloudformation", "cdk", "serverless", "terraform"} <= kinds


PROXY = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"


def substituted(definition: Any) -> Any:
    """What Step Functions receives once CloudFormation, Terraform or DefinitionSubstitutions filled in the
    placeholders: the proxy's ARN for the proxy, the partition for the partition."""

    def fill(value: Any, key: Any = None) -> Any:
        if getattr(value, "tag", None) is not None and getattr(value.tag, "value", None):
            return PROXY  # a YAML short-form intrinsic (!Ref SfnxrProxyAlias)
        if isinstance(value, dict):
            if len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt", "Fn::Sub"):
                return PROXY  # an intrinsic function naming the proxy's alias
            return {k: fill(item, k) for k, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, str):
            if key in HOLES and re.fullmatch(r"\$\{[^}]*\}", value):
                return HOLES[key]  # an unquoted template placeholder, as the template fills it in
            for placeholder in ("${SfnxrProxyArn}", "${!SfnxrProxyArn}", "${SfnxrProxyAlias}"):
                value = value.replace(placeholder, PROXY)
            return value.replace("${AWS::Partition}", "aws").replace("${AWS..Partition}", "aws")
        return value

    return json.loads(json.dumps(fill(definition)))


HOLES: dict[str, Any] = {"Retry": [], "Catch": [], "TimeoutSeconds": 30, "HeartbeatSeconds": 30}


def definitions(path: Path) -> list[Any]:
    """The definitions in a sample (a template's too, and those of the files it links to)."""
    from sfnxr.containers import load

    container = load(str(path))
    found = [substituted(site.definition) for site in container.sites]
    for link in container.links:
        found.extend(definitions(Path(link.path)))
    return found


@pytest.mark.oracle
def test_expected_outputs_pass_both_validators() -> None:
    outputs = [d for case in CASES for d in definitions(SAMPLES / case["expected"])]
    inputs = [d for case in CASES for d in definitions(SAMPLES / case["input"])]
    assert all(errors == [] for errors in asl_validator(inputs))
    assert asl_validator(outputs) == [[] for _ in outputs]
    for output in outputs:
        assert statelint(output) == [], output
