"""Benchmark `sfnxr transform`, with every figure a ratio against a baseline measured in the same run.

    .venv/bin/python bench/bench_transform.py [--repeat N]

(a) CLI start-up: `sfnxr transform` on a small sample / `python -c "import json"`      (aim <= 4x)
(b) a generated 1 MiB definition, 2,000 states, half annotated: read + transform + render
    / json.load + json.dump of the same file                                              (aim <= 5x)
(c) 500 small files in one invocation / a Python process that json-loads and dumps them
Also checks that `sfnxr transform` does not import boto3 or botocore.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from timing import median_seconds

ROOT = Path(__file__).resolve().parents[1]
PROXY = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"
SAMPLE = ROOT / "samples" / "bedrock-ingestion.asl.json"


def run(args: list[str]) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)


def compile_bytecode(python: str) -> None:
    """An installed wheel has its bytecode compiled; an editable checkout may not (and this machine sets
    PYTHONDONTWRITEBYTECODE), so compile it once, as `pip install` would, before measuring start-up."""
    sources = [str(ROOT / "sfnxr"), str(ROOT / "lambda_src" / "sfnxr_proxy")]
    subprocess.run([python, "-m", "compileall", "-q", *sources], check=True, stdout=subprocess.DEVNULL)
    print("bytecode compiled for sfnxr and sfnxr_proxy (as a wheel install does)")


def big_definition(states: int) -> dict[str, Any]:
    """`states` Task states, every other one annotated, padded to about 1 MiB."""
    definition: dict[str, Any] = {"StartAt": "S0", "States": {}}
    for index in range(states):
        state: dict[str, Any] = {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": f"bucket-{index}", "Key.$": "$.key"},
            "ResultSelector": {"Body.$": "$.Body", "Meta.$": "$.Metadata"},
            "ResultPath": f"$.results.r{index}",
            "Comment": f"Fetch object {index} of the nightly batch; padding padding padding padding.",
        }
        if index % 2 == 0:
            state["Comment"] += " @sfnxr region=us-west-2"
        if index + 1 < states:
            state["Next"] = f"S{index + 1}"
        else:
            state["End"] = True
        definition["States"][f"S{index}"] = state
    return definition


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    python = sys.executable
    sfnxr = [python, "-m", "sfnxr"]
    compile_bytecode(python)

    probe = subprocess.run(
        [python, "-X", "importtime", "-m", "sfnxr", "transform", "--proxy-arn", PROXY, str(SAMPLE)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in probe.stderr.splitlines() if "|" in line}
    heavy = sorted(name for name in imported if name.split(".")[0] in ("boto3", "botocore"))
    print(f"modules of boto3/botocore imported by transform: {heavy or 'none'}")

    baseline = median_seconds(lambda: run([python, "-c", "import json"]), options.repeat)
    small = median_seconds(
        lambda: run([*sfnxr, "transform", "--proxy-arn", PROXY, str(SAMPLE)]), options.repeat
    )
    print(
        f"(a) CLI on a small sample: {small * 1000:.0f} ms;"
        f" python -c 'import json': {baseline * 1000:.0f} ms;"
        f" ratio {small / baseline:.2f}x (aim <= 4x)"
    )

    from sfnxr.engine import process, transform_pipeline
    from sfnxr.routes import RouteOptions
    from sfnxr.transform import TransformOptions

    with tempfile.TemporaryDirectory() as scratch:
        big = Path(scratch) / "big.asl.json"
        big.write_text(json.dumps(big_definition(2000), indent=2))
        size = big.stat().st_size
        pipeline = transform_pipeline(TransformOptions(proxy_arn=PROXY, routes=RouteOptions()))

        def json_round_trip() -> None:
            with big.open() as handle:
                data = json.load(handle)
            json.dumps(data, indent=2)

        def sfnxr_transform() -> None:
            outcome = process(str(big), "-", pipeline)
            assert not outcome.errors and outcome.new_text, outcome.errors

        sfnxr_transform()  # warm the catalog and model caches, as the one-file CLI run above measures cold
        floor = median_seconds(json_round_trip, options.repeat)
        ours = median_seconds(sfnxr_transform, options.repeat)
        print(
            f"(b) {size / 1048576:.2f} MiB, 2,000 states, 1,000 annotated: transform {ours * 1000:.0f} ms;"
            f" json.load + json.dump {floor * 1000:.0f} ms; ratio {ours / floor:.2f}x (aim <= 5x)"
        )

        many = Path(scratch) / "many"
        many.mkdir()
        for index in range(500):
            (many / f"m{index:03}.asl.json").write_text(SAMPLE.read_text())
        files = sorted(str(path.relative_to(scratch)) for path in many.iterdir())
        out = Path(scratch) / "out"
        loader = "import json,sys\nfor p in sys.argv[1:]:\n    json.dumps(json.load(open(p)), indent=2)\n"
        env = dict(os.environ)
        floor_many = median_seconds(
            lambda: subprocess.run([python, "-c", loader, *files], check=True, cwd=scratch, env=env), 5
        )
        ours_many = median_seconds(
            lambda: subprocess.run(
                [*sfnxr, "transform", "--proxy-arn", PROXY, "--out-dir", str(out), *files],
                check=True,
                cwd=scratch,
                env={**env, "PYTHONPATH": str(ROOT)},
            ),
            5,
        )
        print(
            f"(c) 500 small files in one invocation: {ours_many * 1000:.0f} ms"
            f" ({ours_many / 500 * 1000:.2f} ms a file); a Python process json-loading and dumping them:"
            f" {floor_many * 1000:.0f} ms; ratio {ours_many / floor_many:.2f}x"
        )


if __name__ == "__main__":
    main()
