"""One moto server for the whole harness, with the test-only patches of moto_patches.py applied inside it,
Step Functions' interpreter switched on and Lambda without Docker (issue 4, point 1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.equivalence import runner
from tests.support.moto_server import configure, moto_server

MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


@pytest.fixture(scope="session")
def equivalence_server() -> Iterator[str]:
    with moto_server(patches=["tests.equivalence.moto_patches:apply"]) as endpoint:
        configure(endpoint, MOTO_CONFIG)
        runner.use(endpoint)
        yield endpoint
