"""Running the real CLI in-process (click's runner) with a chosen working directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from sfnxr.cli import main


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def sfnxr(*args: str, cwd: Path | None = None, stdin: str | bytes | None = None) -> Run:
    runner = CliRunner()
    with working_directory(cwd or Path.cwd()):
        result = runner.invoke(main, list(args), input=stdin, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)
