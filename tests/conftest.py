from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_check_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Each test gets its own `sfnxr check` cache, so no test sees another's remembered results."""
    directory = tmp_path_factory.mktemp("sfnxr-cache")
    monkeypatch.setenv("SFNXR_CACHE_DIR", str(directory))
    yield directory
