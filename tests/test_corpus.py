"""The 80 real public definitions in ../shared/corpus/realworld: every standalone definition loads,
every aws-sdk task in it can be annotated, transformed and restored, and the outputs validate.

Templates (CloudFormation, SAM, CDK, Serverless) and Terraform templatefiles are containers: a later
issue reads those; here they are listed as skipped with that reason (see SKIPPED_FORMATS).
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from sfnxr.annotations import parse_sdk_resource
from sfnxr.asl import get_in, iter_states, own_fields, with_replacements
from sfnxr.documents import DocumentError, read_document
from sfnxr.routes import RouteOptions
from sfnxr.transform import TransformOptions, restore_definition, transform_definition
from tests.support.oracles import asl_validator, statelint

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld"
PROXY = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"
STANDALONE = ("asl-json", "asl-json5", "asl-yaml")
SKIPPED_FORMATS = {
    "cdk-synth-json": "a CloudFormation template synthesized by CDK: definitions inside containers (issue 6)",
    "cfn-json": "a CloudFormation template: definitions inside containers (issue 6)",
    "cfn-yaml": "a CloudFormation template: definitions inside containers (issue 6)",
    "sam-yaml": "a SAM template: definitions inside containers (issue 6)",
    "serverless-yaml": "serverless.yml: definitions inside containers (issue 6)",
    "terraform-templatefile-json": "a Terraform templatefile, not JSON until rendered (issue 6)",
}
BROKEN_AS_PUBLISHED = {
    # "Messages": "Messages.$": "$.Messages" -- invalid JSON in the upstream repository.
    "aws-samples__step-functions-workflows-collection__sfn-iot-data-analytics-dataset.asl.json": 10,
}


def manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def standalone() -> list[str]:
    return [row["file"] for row in manifest() if row["format"] in STANDALONE]


def test_every_corpus_file_is_either_handled_or_skipped_with_a_reason() -> None:
    rows = manifest()
    assert len(rows) == 80
    for row in rows:
        assert row["format"] in STANDALONE or row["format"] in SKIPPED_FORMATS, row


def annotate(definition: dict[str, Any], region: str = "us-west-2") -> tuple[dict[str, Any], set[str]]:
    """Put `region` into the Resource ARN of every aws-sdk Task (annotation form 1)."""
    annotated = copy.deepcopy(definition)
    names = set()
    changes = []
    for ref in iter_states(annotated):
        sdk = parse_sdk_resource(ref.state.get("Resource"))
        if sdk is None or ref.state.get("Type") != "Task":
            continue
        state = dict(ref.state)
        state["Resource"] = state["Resource"].replace(":states:::aws-sdk:", f":states:{region}::aws-sdk:")
        changes.append((ref.keys, state))
        names.add(ref.name)
    return with_replacements(annotated, changes), names


def plain(document_data: Any) -> Any:
    return json.loads(json.dumps(document_data))


@pytest.mark.parametrize("name", standalone())
def test_corpus_definition_round_trips(name: str) -> None:
    path = CORPUS / name
    if name in BROKEN_AS_PUBLISHED:
        with pytest.raises(DocumentError) as caught:
            read_document(str(path))
        assert caught.value.line == BROKEN_AS_PUBLISHED[name]
        return
    document = read_document(str(path))
    original = plain(document.data)
    options = TransformOptions(proxy_arn=PROXY, routes=RouteOptions())

    untouched = transform_definition(original, options)
    assert not untouched.problems and not untouched.changes, "an unannotated definition must not change"

    annotated, names = annotate(original)
    result = transform_definition(annotated, options)
    assert [p.message for p in result.problems] == []
    assert {keys[-1] for keys, _ in result.changes} == names
    transformed = with_replacements(annotated, result.changes)
    for ref in iter_states(transformed):
        if ref.name not in names:
            assert own_fields(ref.state) == own_fields(get_in(annotated, ref.keys)), ref.name

    again = transform_definition(transformed, options)
    assert again.changes == [] and again.problems == []
    restored = restore_definition(transformed)
    assert with_replacements(transformed, restored.changes) == annotated

    rendered = document.render(result.changes) if names else document.text
    assert plain(read_document_text(name, rendered)) == plain(
        with_replacements(document.data, result.changes)
    )


def read_document_text(name: str, text: str) -> Any:
    from sfnxr.documents import parse_document

    return parse_document(name, text.encode("utf-8")).data


@pytest.mark.oracle
def test_corpus_outputs_pass_the_validators_wherever_the_inputs_did() -> None:
    inputs: list[Any] = []
    outputs: list[Any] = []
    names: list[str] = []
    options = TransformOptions(proxy_arn=PROXY, routes=RouteOptions())
    for name in standalone():
        if name in BROKEN_AS_PUBLISHED:
            continue
        annotated, _ = annotate(plain(read_document(str(CORPUS / name)).data))
        result = transform_definition(annotated, options)
        inputs.append(annotated)
        outputs.append(with_replacements(annotated, result.changes))
        names.append(name)
    before = asl_validator(inputs)
    after = asl_validator(outputs)
    regressions = []
    for name, source, output, errors_before, errors_after in zip(
        names, inputs, outputs, before, after, strict=True
    ):
        if not errors_before and errors_after:
            regressions.append(f"{name}: asl-validator: {errors_after}")
        lint_before, lint_after = statelint(source), statelint(output)
        if not lint_before and lint_after:
            regressions.append(f"{name}: statelint: {lint_after}")
    assert regressions == []
    assert sum(1 for errors in before if not errors) >= len(names) // 2, (
        "the oracle should accept most inputs"
    )
