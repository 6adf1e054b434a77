"""Entry point of the moto server process: apply optional patches, then run moto's server.

    python -m tests.support.moto_entry --port 5123 [--host 127.0.0.1] [--patch package.module:function ...]

Each ``--patch`` names a function that takes no argument; it runs in this process before the server starts,
so it can replace moto internals (for example route Lambda invocations to a Python handler). Keep patches
small and documented: they pin the moto version they were written for.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable


def load_patch(spec: str) -> Callable[[], object]:
    """The function named by ``module:function``."""
    module_name, sep, function_name = spec.partition(":")
    if not sep or not module_name or not function_name:
        raise SystemExit(f"--patch wants module:function, got {spec!r}")
    function = getattr(importlib.import_module(module_name), function_name)
    if not callable(function):
        raise SystemExit(f"{spec} is not callable")
    return function  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto server with optional patches")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--patch", action="append", default=[], metavar="MODULE:FUNCTION")
    args = parser.parse_args(argv)
    for spec in args.patch:
        load_patch(spec)()
    from moto.server import main as moto_main

    moto_main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
