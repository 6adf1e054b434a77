"""Every equivalence case: the bundled samples, the feature cases, the real-world adaptations."""

from __future__ import annotations

from tests.equivalence.cases import features, realworld, samples
from tests.equivalence.harness import Case

CASES: tuple[Case, ...] = (*samples.CASES, *features.CASES, *realworld.CASES)
BY_NAME = {case.name: case for case in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"
