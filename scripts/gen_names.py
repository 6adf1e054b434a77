#!/usr/bin/env python3
"""Regenerate lambda_src/sfnxr_proxy/_names.json, the naming catalog, from botocore's service models.

    python scripts/gen_names.py            # rewrite the committed file
    python scripts/gen_names.py -o FILE    # write elsewhere (the test compares the two)

For every boto3 service (botocore's newest API version, sdk-extras merged, as botocore itself loads it):

- ``id`` (the SERVICE in arn:aws:states:::aws-sdk:SERVICE:ACTION) and ``error`` (the error-name prefix):
  the AWS SDK for Java v2 service name, ``DefaultNamingStrategy.getServiceName(metadata.serviceId)``, and its
  lowercase form. Source: Step Functions' docs ("Both the service name and error name are in Pascal case.
  You can also see the service name, in lowercase, in the Task state's Resource field"; AcmPca / acmpca),
  aws-sdk-java-v2 codegen (naming.DefaultNamingStrategy, utils.internal.CodegenNamingUtils). The rule gives
  every id the docs and the research notes list (sfn, cloudwatchlogs, cognitoidentityprovider,
  elasticloadbalancingv2, bedrockagent, ssoadmin, emrserverless, redshiftdata, ...).
- ``iam``: the IAM action prefix: the model's ``signingName``, else its ``endpointPrefix`` (SigV4 signs with
  the IAM service namespace), except the services in IAM_PREFIX_EXCEPTIONS below. Source: the Service
  Authorization Reference.
- ``operations``: botocore's operation names, sorted; the action is Java v2's method name
  (``unCapitalize``), so it is not stored. ``eventstream``: operations with an event-stream input or
  output, which the Java v2 synchronous client does not generate and Step Functions does not offer (the
  documented unsupported S3 SelectObjectContent, Kinesis SubscribeToShard and Lex Runtime V2
  StartConversation are all event-stream operations).

Output is deterministic: keys sorted, one service per line, so a botocore upgrade shows as a readable diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lambda_src"))

from sfnxr_proxy.models import botocore_version, load_service_model, service_names  # noqa: E402
from sfnxr_proxy.naming import java_service_name  # noqa: E402

DEFAULT_OUTPUT = ROOT / "lambda_src" / "sfnxr_proxy" / "_names.json"
FORMAT_VERSION = 1

# IAM action prefixes that differ from the model's signing name (Service Authorization Reference).
IAM_PREFIX_EXCEPTIONS = {
    "cloudwatch": "cloudwatch",  # signs as "monitoring" (endpointPrefix); actions are cloudwatch:*
    "iot-data": "iot",  # signs as "iotdata"; actions are iot:Publish, iot:GetThingShadow...
    "iot-jobs-data": "iotjobsdata",  # signs as "iot-jobs-data"
    "iotsecuretunneling": "iot",  # signs as "IoTSecuredTunneling"; actions are iot:OpenTunnel...
    "mturk": "mechanicalturk",  # signs as "mturk-requester"
    "resourcegroupstaggingapi": "tag",  # signs as "tagging"; actions are tag:GetResources...
}

# Two boto3 services with the same Java v2 service name (both "Pinpoint SMS Voice"): Step Functions has one
# "pinpointsmsvoice". The value is the boto3 name the id maps to; the key becomes an alias of that id.
DUPLICATE_IDS = {"sms-voice": "pinpoint-sms-voice"}


def _has_event_stream(model: dict[str, Any], shape_ref: dict[str, Any] | None) -> bool:
    if not shape_ref:
        return False
    shapes = model["shapes"]
    members = shapes[shape_ref["shape"]].get("members", {})
    return any(shapes[m["shape"]].get("eventstream") for m in members.values())


def service_entry(boto3_name: str) -> tuple[str, dict[str, Any]]:
    """(Step Functions id, catalog entry) for one boto3 service."""
    model = load_service_model(boto3_name)
    metadata = model["metadata"]
    java_name = java_service_name(metadata["serviceId"])
    iam = IAM_PREFIX_EXCEPTIONS.get(boto3_name) or metadata.get("signingName") or metadata["endpointPrefix"]
    operations = sorted(model["operations"])
    entry: dict[str, Any] = {"boto3": boto3_name, "error": java_name, "iam": iam, "operations": operations}
    streaming = [
        op
        for op in operations
        if _has_event_stream(model, model["operations"][op].get("input"))
        or _has_event_stream(model, model["operations"][op].get("output"))
    ]
    if streaming:
        entry["eventstream"] = streaming
    return java_name.lower(), entry


def build() -> dict[str, Any]:
    services: dict[str, dict[str, Any]] = {}
    aliases: dict[str, str] = {}
    for boto3_name in service_names():
        sfn_id, entry = service_entry(boto3_name)
        if boto3_name in DUPLICATE_IDS:
            aliases[boto3_name] = sfn_id
            continue
        if sfn_id in services:
            raise SystemExit(
                f"two boto3 services map to the Step Functions id {sfn_id!r}: "
                f"{services[sfn_id]['boto3']} and {boto3_name}; add one to DUPLICATE_IDS"
            )
        services[sfn_id] = entry
    for alias, sfn_id in aliases.items():
        if services.get(sfn_id, {}).get("boto3") != DUPLICATE_IDS[alias]:
            raise SystemExit(f"alias {alias} -> {sfn_id} does not point at {DUPLICATE_IDS[alias]}")
    return {
        "v": FORMAT_VERSION,
        "botocore": botocore_version(),
        "aliases": dict(sorted(aliases.items())),
        "services": dict(sorted(services.items())),
    }


def render(catalog: dict[str, Any]) -> str:
    """One service per line; the whole text is valid JSON."""

    def dump(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=True)

    head = {k: v for k, v in catalog.items() if k != "services"}
    lines = ["{" + ",".join(f"{dump(k)}:{dump(v)}" for k, v in head.items()) + ',"services":{']
    items = list(catalog["services"].items())
    for index, (sfn_id, entry) in enumerate(items):
        lines.append(f"{dump(sfn_id)}:{dump(entry)}" + ("," if index < len(items) - 1 else ""))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="file to write")
    args = parser.parse_args(argv)
    text = render(build())
    json.loads(text)  # the rendering is JSON
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
