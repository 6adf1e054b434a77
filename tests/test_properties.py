"""Properties over generated state machines (tests/support/generate.py):
unannotated states come out identical, restore(transform(x)) == x, transform is idempotent, and every
output is valid ASL for both oracles."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfnxr.asl import iter_states, own_fields, with_replacements
from sfnxr.routes import RouteOptions
from sfnxr.transform import TransformOptions, restore_definition, transform_definition
from tests.support.generate import annotated_task_names, machine
from tests.support.oracles import asl_validator, statelint

PROXY = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"
machines = st.builds(machine, st.randoms(use_true_random=False))


def transform(definition: dict[str, Any], **options: Any) -> dict[str, Any]:
    result = transform_definition(definition, TransformOptions(proxy_arn=PROXY, **options))
    assert [p.message for p in result.problems] == []
    return with_replacements(definition, result.changes)  # type: ignore[no-any-return]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(machines, st.booleans())
def test_transform_properties(definition: dict[str, Any], lambda_retry: bool) -> None:
    output = transform(definition, lambda_retry=lambda_retry)
    annotated = annotated_task_names(definition)

    before = {ref.keys: own_fields(ref.state) for ref in iter_states(definition)}
    for ref in iter_states(output):
        if ref.name not in annotated:
            assert own_fields(ref.state) == before[ref.keys], ref.name
        else:
            assert own_fields(ref.state) != before[ref.keys]

    assert transform(output, lambda_retry=lambda_retry) == output
    restored = restore_definition(output)
    restored_definition = with_replacements(output, restored.changes)
    assert json.dumps(restored_definition) == json.dumps(definition), "restore keeps fields and their order"
    assert statelint(output) == []


@settings(max_examples=60, deadline=None)
@given(machines)
def test_home_region_leaves_its_tasks_native(definition: dict[str, Any]) -> None:
    options = {"routes": RouteOptions(home_region="us-west-2")}
    output = transform(definition, **options)
    for ref in iter_states(output):
        payload = ref.state.get("Parameters") or ref.state.get("Arguments")
        if isinstance(payload, dict) and "sfnxr" in payload:
            assert payload.get("region") != "us-west-2"


@pytest.mark.oracle
def test_generated_outputs_pass_asl_validator() -> None:
    inputs = [machine(random.Random(seed)) for seed in range(100)]
    outputs = [transform(definition) for definition in inputs]
    assert asl_validator(inputs) == [[] for _ in inputs], "the generator must make valid machines"
    assert asl_validator(outputs) == [[] for _ in outputs]
