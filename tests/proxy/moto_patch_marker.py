"""A patch for tests.support.moto_entry: proves patches run inside the server process, before it serves."""

from __future__ import annotations

import os
from pathlib import Path


def write_marker() -> None:
    Path(os.environ["SFNXR_TEST_MARKER"]).write_text(str(os.getpid()))
