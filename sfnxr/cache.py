"""Remembering clean `sfnxr check` results, so an unchanged repository is checked in a blink.

A result is remembered as a fingerprint of everything it depends on: sfnxr's and botocore's versions,
the settings (proxy, home region, retry, rules), the input's path and bytes, and the output's bytes.
Any change to any of them is a miss, and the file is checked again. Only clean results are kept.
The cache lives in $SFNXR_CACHE_DIR, else $XDG_CACHE_HOME/sfnxr, else ~/.cache/sfnxr; a cache that
cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

MAX_ENTRIES = 20_000


def cache_dir() -> Path:
    explicit = os.environ.get("SFNXR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sfnxr"


class CheckCache:
    def __init__(self, context: str) -> None:
        self.context = context.encode("utf-8")
        self.path = cache_dir() / f"check-{hashlib.sha256(self.context).hexdigest()[:20]}.json"
        self.known: set[str] = set()
        self.added: set[str] = set()
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(entries, list):
                self.known = {entry for entry in entries if isinstance(entry, str)}
        except (OSError, ValueError):
            pass

    def fingerprint(self, source: str, source_bytes: bytes, output_bytes: bytes | None) -> str:
        digest = hashlib.sha256(self.context)
        for part in (source.encode("utf-8"), source_bytes, b"-" if output_bytes is None else output_bytes):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def __contains__(self, fingerprint: str) -> bool:
        return fingerprint in self.known

    def add(self, fingerprint: str) -> None:
        if fingerprint not in self.known:
            self.added.add(fingerprint)

    def save(self) -> None:
        if not self.added:
            return
        import tempfile

        entries = sorted(self.known | self.added)[-MAX_ENTRIES:]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".check-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entries, stream)
            os.replace(temporary, self.path)
        except OSError:
            pass


def code_stamp() -> str:
    """sfnxr's own code and catalog as installed (sizes and mtimes): a new build is a new cache."""
    import sfnxr
    import sfnxr_proxy

    parts = []
    for package in (sfnxr, sfnxr_proxy):
        for directory in package.__path__:
            for path in sorted(Path(directory).rglob("*")):
                if path.suffix in (".py", ".json"):
                    stat = path.stat()
                    parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def read_bytes(path: str | None) -> bytes | None:
    if path is None or path == "-":
        return None
    try:
        return Path(path).read_bytes()
    except OSError:
        return None
