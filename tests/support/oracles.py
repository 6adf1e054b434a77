"""The ASL validators used as test oracles: npm asl-validator (one Node process per batch) and statelint."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ORACLES = Path(__file__).resolve().parents[1] / "oracles"


def asl_validator(definitions: list[Any], processes: int = 2) -> list[list[str]]:
    """For each definition, the errors asl-validator reports ([] when valid).

    asl-validator compiles its JSON schemas on every call (about 0.1 s), so large batches are split
    across `processes` Node processes running at once.
    """
    node = shutil.which("node")
    if node is None or not (ORACLES / "node_modules" / "asl-validator").is_dir():
        raise RuntimeError("asl-validator is not installed: run `npm ci --prefix tests/oracles`")
    size = max(1, -(-len(definitions) // processes))
    chunks = [definitions[start : start + size] for start in range(0, len(definitions), size)]
    running = [
        subprocess.Popen(
            [node, str(ORACLES / "validate.js")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in chunks
    ]
    for process, chunk in zip(running, chunks, strict=True):
        assert process.stdin is not None
        process.stdin.write(json.dumps(chunk))  # validate.js reads all of stdin before it answers
        process.stdin.close()
    results: list[list[str]] = []
    for process in running:
        assert process.stdout is not None and process.stderr is not None
        out, err = process.stdout.read(), process.stderr.read()
        process.wait(timeout=300)
        if process.returncode != 0:
            raise RuntimeError(f"asl-validator failed: {err}")
        results.extend(json.loads(out))
    return results


def statelint(definition: Any) -> list[str]:
    from statelint.linter import Linter

    problems: list[str] = Linter.validate(json.loads(json.dumps(definition)))
    return problems
