"""Benchmark `sfnxr check` over a repository of 200 definitions, none stale.

    .venv/bin/python bench/bench_check.py [--repeat N]

Prints its time divided by that of a Python process that only json-loads the same 200 files (the floor),
both measured in this run (aim: at most 3x).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_transform import compile_bytecode
from timing import median_seconds

ROOT = Path(__file__).resolve().parents[1]
PROXY = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"
SAMPLE = ROOT / "samples" / "bedrock-ingestion.asl.json"
COUNT = 200


def run_quietly(command: list[str], cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    python = sys.executable
    compile_bytecode(python)
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch)
        (repo / ".sfnxr.toml").write_text(
            f'proxy-arn = "{PROXY}"\n\n[outputs]\n"src/*.asl.json" = "build/{{name}}"\n'
        )
        (repo / "src").mkdir()
        for index in range(COUNT):
            (repo / "src" / f"flow{index:03}.asl.json").write_text(SAMPLE.read_text())
        subprocess.run([python, "-m", "sfnxr", "transform"], cwd=repo, check=True)
        subprocess.run([python, "-m", "sfnxr", "check"], cwd=repo, check=True)
        files = sorted(str(p.relative_to(repo)) for p in (repo / "src").iterdir())
        loader = "import json,sys\nfor p in sys.argv[1:]:\n    json.load(open(p))\n"
        floor = median_seconds(lambda: run_quietly([python, "-c", loader, *files], repo), options.repeat)
        ours = median_seconds(lambda: run_quietly([python, "-m", "sfnxr", "check"], repo), options.repeat)
    print(
        f"sfnxr check over {COUNT} definitions (none stale): {ours * 1000:.0f} ms;"
        f" a Python process json-loading them: {floor * 1000:.0f} ms; ratio {ours / floor:.2f}x (aim <= 3x)"
    )


if __name__ == "__main__":
    main()
