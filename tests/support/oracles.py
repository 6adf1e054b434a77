"""The ASL validators used as test oracles: npm asl-validator (one Node process per batch) and statelint."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ORACLES = Path(__file__).resolve().parents[1] / "oracles"


def asl_validator(definitions: list[Any]) -> list[list[str]]:
    """For each definition, the errors asl-validator reports ([] when valid)."""
    node = shutil.which("node")
    if node is None or not (ORACLES / "node_modules" / "asl-validator").is_dir():
        raise RuntimeError("asl-validator is not installed: run `npm ci --prefix tests/oracles`")
    completed = subprocess.run(
        [node, str(ORACLES / "validate.js")],
        input=json.dumps(definitions),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    results: list[list[str]] = json.loads(completed.stdout)
    return results


def statelint(definition: Any) -> list[str]:
    from statelint.linter import Linter

    problems: list[str] = Linter.validate(json.loads(json.dumps(definition)))
    return problems
