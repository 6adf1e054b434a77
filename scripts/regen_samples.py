"""Regenerate samples/expected/ from samples/cases.toml. Read the diff before committing: the expected
files are the specification that tests/test_samples.py holds sfnxr to.

A case's `linked` definition files are written beside its expected file by sfnxr itself; the proxy's zip
that --add-proxy writes there is a build artifact and is removed."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def main() -> None:
    cases = tomllib.loads((SAMPLES / "cases.toml").read_text(encoding="utf-8"))["case"]
    for case in cases:
        cwd = SAMPLES / case.get("cwd", ".")
        source = os.path.relpath(SAMPLES / case["input"], cwd)
        target = SAMPLES / case["expected"]
        command = [sys.executable, "-m", "sfnxr", "transform", *case["args"], "-o", str(target), source]
        subprocess.run(command, cwd=cwd, check=True)
        print(f"wrote {target.relative_to(SAMPLES.parent)}")
        if "restored" in case:
            restored = SAMPLES / case["restored"]
            restore = [sys.executable, "-m", "sfnxr", "restore", "-o", str(restored), str(target)]
            subprocess.run(restore, cwd=cwd, check=True)
            print(f"wrote {restored.relative_to(SAMPLES.parent)}")
        for linked in case.get("linked", []):
            print(f"wrote {(target.parent / linked).relative_to(SAMPLES.parent)}")
        for artifact in target.parent.glob("sfnxr-proxy-*.zip"):
            artifact.unlink()


if __name__ == "__main__":
    main()
