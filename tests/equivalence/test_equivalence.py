"""The equivalence harness (issue 4): every case's rewritten machine, run in its home region through the real
proxy, must end exactly as the original does natively in the target region; the original run at home must
not; and a deliberately broken proxy must make cases fail. See README.md in this directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.equivalence import compare, harness
from tests.equivalence.cases import BY_NAME, CASES, samples
from tests.equivalence.harness import Case
from tests.equivalence.moto_patches import RAW_PROXY_FUNCTION

_references: dict[str, dict[str, Any]] = {}


def reference(case: Case) -> dict[str, Any]:
    """The case's reference run (once per session: the broken-proxy test reuses it)."""
    if case.name not in _references:
        outcome = harness.reference(case)
        assert outcome["status"] == case.expect_status, (
            f"{case.name}: the reference ended {outcome['status']}, the case expects {case.expect_status}:\n"
            + compare.as_text(outcome)
        )
        missing = (
            set(case.expect_errors) - compare.error_names(outcome) - set(outcome["failed task attempts"])
        )
        assert not missing, f"{case.name}: the reference never showed {sorted(missing)}:\n" + compare.as_text(
            outcome
        )
        _references[case.name] = outcome
    return _references[case.name]


def _mismatch(case: Case, candidate: dict[str, Any]) -> str:
    return compare.diff(
        harness.comparable(case, reference(case)),
        harness.comparable(case, candidate),
        names=(f"reference (original in {case.target})", f"candidate (sfnxr transform in {case.home})"),
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_rewritten_machine_matches_the_original(case: Case, equivalence_server: str) -> None:
    difference = _mismatch(case, harness.candidate(case))
    if difference:
        pytest.fail(f"{case.name}: {case.about}\n{difference}", pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_original_run_at_home_does_not_reach_the_target(case: Case, equivalence_server: str) -> None:
    if case.native_unchecked:
        pytest.skip(case.native_unchecked)
    native = harness.comparable(case, harness.native_in_home(case))
    assert native != harness.comparable(case, reference(case)), (
        f"{case.name}: the original definition run natively in {case.home} gave the reference's result, so the "
        "case does not show that the candidate crossed regions"
    )


# Cases whose results depend on Step Functions' member names or error names: a proxy that answers with
# boto3's raw casing and raw error names (s3.NoSuchKey) must fail every one of them.
BROKEN_PROXY_CASES = (
    "catch-s3-no-such-key",
    "catch-dynamodb-conditional-check-failed",
    "selectors-on-rerouted-task",
    "sqs-object-body-and-md5-members",
    "camelcase-model-sfn",
    "retry-until-it-exists",
)


def test_a_broken_proxy_fails_the_harness(equivalence_server: str) -> None:
    failed = {}
    for name in BROKEN_PROXY_CASES:
        case = BY_NAME[name]
        reference(case)
        difference = _mismatch(case, harness.candidate(case, RAW_PROXY_FUNCTION))
        if difference:
            failed[name] = difference
    assert set(failed) == set(BROKEN_PROXY_CASES), (
        f"a proxy with boto3's raw casing and error names passed {sorted(set(BROKEN_PROXY_CASES) - set(failed))}"
    )


def test_every_sample_is_run_or_says_why_not() -> None:
    sample_files = {
        str(path.relative_to(harness.SAMPLES))
        for path in harness.SAMPLES.rglob("*")
        if path.is_file() and "expected" not in path.parts and path.suffix != ".toml"
    }
    used = {case.source for case in CASES if case.source}
    assert used <= sample_files
    for source in list(used):  # files a used template links to (DefinitionUri, ${file(...)}) run with it
        text = (harness.SAMPLES / source).read_text()
        folder = Path(source).parent
        used |= {name for name in sample_files if os.path.relpath(name, folder) in text}
    assert sample_files == used | set(samples.NOT_SERVED), sorted(
        sample_files - used - set(samples.NOT_SERVED)
    )


def test_the_harness_has_the_cases_issue_4_asks_for() -> None:
    realworld = [case for case in CASES if case.name.startswith("realworld-")]
    feature = [case for case in CASES if not case.name.startswith(("realworld-", "sample-"))]
    sources = {Path(case.source).name for case in CASES if case.source}
    assert len(feature) >= 20
    assert len(realworld) >= 5
    assert len(sources) + len(samples.NOT_SERVED) == len({*sources, *samples.NOT_SERVED})
