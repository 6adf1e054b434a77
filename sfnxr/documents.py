"""Reading and writing definitions: JSON or YAML text to data and back, untouched parts unchanged.

`parse_document` turns bytes into a `Document` (format, text, data); `Document.render` gives the text
with some values replaced. Both formats render by splicing: only the text of what changed is
rewritten, every other byte stays as it was (comments, blank lines, odd indentation, quoting).

This module is the API; the work is done per format:

- `jsontext`: JSON parsing, and writing new values in the file's style, reusing the text of the
  parts of the old value they equal (`jsonspans` finds where values sit, only where needed).
- `yamltext` loads YAML with ruamel.yaml's round-trip mode (imported only for YAML input);
  `yamlsplice` edits the text around the changed nodes, or dumps the whole document when a splice
  is unsafe or does not read back as asked.
- `docbase`: what they share (`DocumentError`, strict comparison, list-item pairing, text edits).

Render compares new values with the data as the text holds it, not with `Document.data`, which its
user may have changed in place. File I/O is in `read_document` and `write_atomic`; all else is pure.
The YAML modules are imported where they are used: like ruamel, they load only for YAML input.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sfnxr.docbase import BOM, DocumentError
from sfnxr.jsonspans import Keys
from sfnxr.jsontext import JsonState, parse_json, render_json

if TYPE_CHECKING:
    from sfnxr.yamltext import YamlState

__all__ = [
    "MAX_BYTES",
    "Document",
    "DocumentError",
    "Keys",
    "detect_format",
    "parse_document",
    "read_document",
    "write_atomic",
]

Format = Literal["json", "yaml"]

MAX_BYTES = 10 * 1024 * 1024

_JSON_EXTENSIONS = (".json", ".json5")
_YAML_EXTENSIONS = (".yaml", ".yml")


@dataclass
class Document:
    """A parsed file: its text, its data, and what is needed to find and replace values in the text."""

    source: str  # the path as the user gave it, or "<stdin>"
    format: Format
    text: str
    data: Any  # JSON: plain values. YAML: ruamel round-trip objects (dict and list subclasses)
    _cache: Any = field(default=None, init=False, repr=False, compare=False)

    def line_of(self, keys: Keys) -> int | None:
        """The 1-based line where the value at `keys` starts (for an object member: its key's line)."""
        if self.format == "json":
            state = self._json()
            member = state.index.locate(keys)
            return None if member is None else state.index.line(member.key_start)
        from sfnxr.yamltext import yaml_line_of

        return yaml_line_of(self.data, keys)

    def render(self, changes: Sequence[tuple[Keys, Any]]) -> str:
        """The text with the value at each `keys` replaced by the given plain value."""
        _check_changes(changes)
        if self.format == "json":
            return render_json(self.source, self.text, self._json(), changes)
        from sfnxr.yamlsplice import render_yaml

        return render_yaml(self.source, self.text, self._yaml(), changes)

    def _json(self) -> JsonState:
        if self._cache is None:
            self._cache = JsonState(self.text)
        assert isinstance(self._cache, JsonState)
        return self._cache

    def _yaml(self) -> YamlState:
        from sfnxr.yamltext import YamlState, parse_yaml

        if not isinstance(self._cache, YamlState):
            self._cache = parse_yaml(self.source, self.text.removeprefix(BOM))
        self._cache.bom = BOM if self.text.startswith(BOM) else ""
        return self._cache


# --- reading ---------------------------------------------------------------------------------------


def innermost_line(line_of: Callable[[Keys], int | None], keys: Keys) -> int | None:
    """The line of the innermost part of `keys` that `line_of` can place (None: not even the root)."""
    for end in range(len(keys), -1, -1):
        line = line_of(keys[:end])
        if line is not None:
            return line
    return None


def detect_format(path: str, text: str) -> Format:
    """Return "json" or "yaml": from the file name's extension, else from the first character of the text."""
    name = path.lower()
    if name.endswith(_JSON_EXTENSIONS):
        return "json"
    if name.endswith(_YAML_EXTENSIONS):
        return "yaml"
    stripped = text.lstrip(BOM + " \t\r\n")
    return "json" if stripped[:1] in ("{", "[") else "yaml"


def read_document(path: str) -> Document:
    """Read and parse a file, or stdin for "-"."""
    if path == "-":
        return parse_document("<stdin>", sys.stdin.buffer.read(MAX_BYTES + 1))
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise DocumentError(path, None, _too_big(size))
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise DocumentError(path, None, f"cannot read the file: {e.strerror or e}") from e
    return parse_document(path, raw)


def parse_document(source: str, raw: bytes, *, format_hint: Format | None = None) -> Document:
    """Parse the bytes of a JSON or YAML file (pure)."""
    if len(raw) > MAX_BYTES:
        raise DocumentError(source, None, _too_big(len(raw)))
    text = _decode(source, raw)
    if not text.lstrip(BOM).strip():
        raise DocumentError(source, None, "the file is empty")
    fmt = format_hint or detect_format("" if source == "<stdin>" else source, text)
    body = text.removeprefix(BOM)
    try:
        if fmt == "json":
            data = parse_json(source, body)
            doc = Document(source, fmt, text, data)
        else:
            from sfnxr.yamltext import parse_yaml

            state = parse_yaml(source, body)
            doc = Document(source, fmt, text, state.data)
            # render compares with the data as parsed: keep a copy the caller cannot change.
            state.data = copy.deepcopy(state.data)
            doc._cache = state
    except RecursionError:
        raise DocumentError(source, None, "the document is nested too deeply") from None
    return doc


def _too_big(size: int) -> str:
    return (
        f"the file is {size:,} bytes, over sfnxr's limit of {MAX_BYTES // (1024 * 1024)} MiB"
        " (Step Functions itself accepts definitions up to 1 MiB)"
    )


def _decode(source: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise DocumentError(source, 1, "the file is UTF-16; save it as UTF-8") from None
        raise DocumentError(
            source, line, f"the file is not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start})"
        ) from None


def _check_changes(changes: Sequence[tuple[Keys, Any]]) -> None:
    seen = {keys for keys, _ in changes}
    if len(seen) != len(changes):
        raise ValueError("two changes replace the same value")
    for keys in seen:
        for depth in range(len(keys)):
            if keys[:depth] in seen:
                raise ValueError(f"the change at {keys!r} is inside the change at {keys[:depth]!r}")


# --- writing ---------------------------------------------------------------------------------------


def write_atomic(path: str, text: str) -> None:
    """Write `text` (UTF-8) to `path` through a temporary file and a rename; "-" writes to stdout.

    An existing file keeps its permission bits (and a symlink keeps pointing at the file it names).
    On any error the old file is left as it was, the temporary file is removed, and the error
    (an OSError for the file system's refusals) propagates.
    """
    data = text.encode("utf-8")
    if path == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = os.path.realpath(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    tmp: str | None = None
    try:
        tmp, fd = _create_temporary(target)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _create_temporary(target: str) -> tuple[str, int]:
    """A new file beside `target` (so that renaming it over `target` is atomic), open for writing."""
    directory, name = os.path.split(target)
    while True:
        tmp = os.path.join(directory, f".{name}.{os.urandom(4).hex()}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue


@functools.cache
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
