#!/usr/bin/env python3
"""Benchmark of the proxy against a local moto server: ratios to plain boto3, measured in the same run.

    .venv/bin/python bench/bench_proxy.py [--calls 400] [--cold-runs 9]

- warm: the handler's time per call (event in, Step Functions' result out, its log line included) divided by
  the same call made with a cached boto3 client (aim: at most 1.10);
- cold: a new process importing the handler and making its first call, divided by a new process importing
  boto3 and making the same call (aim: at most 1.3). Both times are taken inside the process, from before
  the first import to the end of the first call, so the interpreter's own start-up is not counted.

The call is S3 GetObject of a small JSON object, and DynamoDB GetItem, in us-west-2 through the proxy's
cross-region path. Medians of interleaved rounds; a loaded machine widens the spread, not the median much.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lambda_src"))

from tests.support.moto_server import moto_server  # noqa: E402

REGION = "us-west-2"
BUCKET = "sfnxr-bench"
KEY = "card.json"
TABLE = "sfnxr-bench"
BODY = json.dumps({"id": 1, "name": "card", "tags": ["a", "b"]}).encode()

ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "SFNXR_ALLOW": "*",
}

CALLS: dict[str, tuple[dict[str, Any], str]] = {
    # name: (proxy event, the same call in plain boto3 for the cold-start script)
    "s3 getObject": (
        {"service": "s3", "action": "getObject", "parameters": {"Bucket": BUCKET, "Key": KEY}},
        f"boto3.client('s3', region_name='{REGION}')"
        f".get_object(Bucket='{BUCKET}', Key='{KEY}')['Body'].read()",
    ),
    "dynamodb getItem": (
        {
            "service": "dynamodb",
            "action": "getItem",
            "parameters": {"TableName": TABLE, "Key": {"pk": {"S": "a"}}},
        },
        f"boto3.client('dynamodb', region_name='{REGION}')"
        f".get_item(TableName='{TABLE}', Key={{'pk': {{'S': 'a'}}}})",
    ),
}


def _event(call: dict[str, Any]) -> dict[str, Any]:
    return {"sfnxr": {"v": 1}, "region": REGION, **call}


def _setup(endpoint: str) -> None:
    import boto3

    s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=BODY)
    dynamodb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "n": {"N": "1"}, "ok": {"BOOL": True}})


def _raw_call(client: Any, service: str, parameters: dict[str, Any]) -> Callable[[], Any]:
    """The same call in plain boto3, reading the body as the handler does."""
    if service != "s3":
        return functools.partial(client.get_item, **parameters)

    def get_object() -> bytes:
        body: bytes = client.get_object(**parameters)["Body"].read()
        return body

    return get_object


def _alternating(
    first: Callable[[], Any], second: Callable[[], Any], calls: int
) -> tuple[list[float], list[float]]:
    """Per-call times of two functions called in turn (ABAB...), so drift in the server hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(calls):
        for function, bucket in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            function()
            bucket.append(time.perf_counter() - started)
    return times


def warm(calls: int) -> dict[str, tuple[float, float]]:
    """Median seconds per call: (handler, raw boto3 with a cached client), interleaved in rounds."""
    import boto3

    from sfnxr_proxy.handler import handler

    results = {}
    for name, (call, _) in CALLS.items():
        event = _event(call)
        service, parameters = call["service"], call["parameters"]
        client = boto3.client(service, region_name=REGION)
        method = _raw_call(client, service, parameters)
        with (
            open(os.devnull, "w") as sink,
            contextlib.redirect_stdout(sink),
        ):  # log lines written, as in Lambda
            proxy = functools.partial(handler, event, None)
            _alternating(proxy, method, 20)  # warm both clients and connections
            proxy_times, raw_times = _alternating(proxy, method, calls)
        results[name] = (statistics.median(proxy_times), statistics.median(raw_times))
    return results


def _cold_once(code: str, env: dict[str, str]) -> float:
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return float(output.strip().splitlines()[-1])


def cold(runs: int, endpoint: str) -> dict[str, tuple[float, float]]:
    """Median seconds from the first import to the end of the first call, in new processes."""
    env = {**os.environ, **ENV, "AWS_ENDPOINT_URL": endpoint}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "lambda_src"), env.get("PYTHONPATH", "")])
    results = {}
    for name, (call, raw_call) in CALLS.items():
        proxy_code = (
            "import time, os, sys\nstarted = time.perf_counter()\n"
            "from sfnxr_proxy.handler import handler\n"
            "sys.stdout = open(os.devnull, 'w')\n"
            f"handler({_event(call)!r}, None)\nsys.stdout = sys.__stdout__\n"
            "print(time.perf_counter() - started)\n"
        )
        raw_code = (
            f"import time\nstarted = time.perf_counter()\nimport boto3\n{raw_call}\n"
            "print(time.perf_counter() - started)\n"
        )
        proxy_times, raw_times = [], []
        for _ in range(runs):
            proxy_times.append(_cold_once(proxy_code, env))
            raw_times.append(_cold_once(raw_code, env))
        results[name] = (statistics.median(proxy_times), statistics.median(raw_times))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="proxy vs plain boto3, against a local moto server")
    parser.add_argument("--calls", type=int, default=400, help="warm calls per side and call type")
    parser.add_argument("--cold-runs", type=int, default=11, help="new processes per side and call type")
    args = parser.parse_args(argv)
    with moto_server() as endpoint:
        os.environ.update(ENV, AWS_ENDPOINT_URL=endpoint)
        _setup(endpoint)
        warm_results = warm(args.calls)
        cold_results = cold(args.cold_runs, endpoint)
    header = ("call", "warm proxy", "warm boto3", "ratio", "cold proxy", "cold boto3", "ratio")
    print("{:<18} {:>11} {:>11} {:>6}   {:>11} {:>11} {:>6}".format(*header))
    worst_warm = worst_cold = 0.0
    for name in CALLS:
        (wp, wr), (cp, cr) = warm_results[name], cold_results[name]
        worst_warm, worst_cold = max(worst_warm, wp / wr), max(worst_cold, cp / cr)
        print(
            f"{name:<18} {wp * 1e3:>9.3f}ms {wr * 1e3:>9.3f}ms {wp / wr:>6.3f}   "
            f"{cp * 1e3:>9.1f}ms {cr * 1e3:>9.1f}ms {cp / cr:>6.3f}"
        )
    print(f"worst warm ratio {worst_warm:.3f} (aim <= 1.10); worst cold ratio {worst_cold:.3f} (aim <= 1.3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
