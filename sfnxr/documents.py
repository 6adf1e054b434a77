"""Reading and writing definitions: JSON or YAML text to data and back, untouched parts unchanged.

`parse_document` turns bytes into a `Document` (format, text, data); `Document.render` gives the text
with some values replaced. Both formats render by splicing: only the text of what changed is
rewritten, every other byte stays as it was (comments, blank lines, odd indentation, quoting).

- JSON: `json.loads` parses; `jsonspans` finds where values sit, lazily, only for the values that
  are replaced or asked about. A new value is written in the file's style (indent unit, spacing,
  escaping, line endings, one line where the old value was on one line), and every part of it equal
  to a part of the old value keeps that part's text.
- YAML: ruamel.yaml's round-trip mode, imported only for YAML input. A changed mapping keeps the
  text of its unchanged entries, gets new entries inserted and removed ones deleted, and is edited
  the same way down to the values that really changed; those are dumped by ruamel with the file's
  indentation, reusing the old nodes where the new value equals them (so their comments and quoting
  survive). The result is parsed again and compared with what was asked for; where that fails, or a
  splice cannot be done safely (a document in flow style, a change to an anchored value), the whole
  document is dumped by ruamel instead.

Render compares new values with the data as the text holds it, not with `Document.data`, which its
user may have changed in place. File I/O is in `read_document` and `write_atomic`; all else is pure.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import math
import os
import re
import stat
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from sfnxr import jsonspans
from sfnxr.jsonspans import JsonIndex, Keys, Member

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

# A value that was written on one line stays on one line while it fits in this many columns
# (in a minified file, always).
COMPACT_WIDTH = 100
MAX_BYTES = 10 * 1024 * 1024
# A YAML document whose aliases would expand to more nodes than this (beyond its own) is refused.
ALIAS_EXPANSION_LIMIT = 100_000
# Deeper YAML nesting is refused (ruamel's composer recurses; an ASL definition is far shallower).
MAX_YAML_DEPTH = 200

_BOM = "\ufeff"
_JSON_EXTENSIONS = (".json", ".json5")
_YAML_EXTENSIONS = (".yaml", ".yml")


class DocumentError(Exception):
    """A problem with an input file, worded for the user, with the line where it is when known."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        super().__init__(f"{source}:{line}: {message}" if line is not None else f"{source}: {message}")


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
        return _yaml_line_of(self.data, keys)

    def render(self, changes: Sequence[tuple[Keys, Any]]) -> str:
        """The text with the value at each `keys` replaced by the given plain value."""
        _check_changes(changes)
        if self.format == "json":
            return _render_json(self, changes)
        return _render_yaml(self, changes)

    def _json(self) -> _JsonState:
        if self._cache is None:
            self._cache = _JsonState(self.text)
        assert isinstance(self._cache, _JsonState)
        return self._cache


# --- reading ---------------------------------------------------------------------------------------


def detect_format(path: str, text: str) -> Format:
    """Return "json" or "yaml": from the file name's extension, else from the first character of the text."""
    name = path.lower()
    if name.endswith(_JSON_EXTENSIONS):
        return "json"
    if name.endswith(_YAML_EXTENSIONS):
        return "yaml"
    stripped = text.lstrip(_BOM + " \t\r\n")
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
    if not text.lstrip(_BOM).strip():
        raise DocumentError(source, None, "the file is empty")
    fmt = format_hint or detect_format("" if source == "<stdin>" else source, text)
    body = text.removeprefix(_BOM)
    try:
        if fmt == "json":
            data = _parse_json(source, body)
            doc = Document(source, fmt, text, data)
        else:
            state = _parse_yaml(source, body)
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


# --- JSON ------------------------------------------------------------------------------------------


class _DuplicateKey(Exception):
    pass


class _BadNumber(Exception):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateKey
    return obj


def _reject_constant(token: str) -> Any:
    raise _BadNumber(token)


def _parse_float(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _BadNumber(token)
    return value


def _parse_json(source: str, body: str) -> Any:
    try:
        data = json.loads(
            body, object_pairs_hook=_pairs, parse_constant=_reject_constant, parse_float=_parse_float
        )
    except json.JSONDecodeError as e:
        hint = " (sfnxr reads JSON5 files only when they are plain JSON)" if source.endswith(".json5") else ""
        raise DocumentError(source, e.lineno, f"invalid JSON: {e.msg} at column {e.colno}{hint}") from None
    except _DuplicateKey:
        found = jsonspans.find_duplicate_key(body)
        assert found is not None
        key, first, second = found
        raise DocumentError(
            source,
            jsonspans.line_of_offset(body, second),
            f"duplicate key {json.dumps(key, ensure_ascii=False)}"
            f" (first at line {jsonspans.line_of_offset(body, first)})",
        ) from None
    except _BadNumber as e:
        pos = jsonspans.find_outside_strings(body, e.token)
        line = None if pos is None else jsonspans.line_of_offset(body, pos)
        what = "is not a JSON number" if e.token in ("NaN", "Infinity", "-Infinity") else "is out of range"
        raise DocumentError(source, line, f"{e.token} {what}") from None
    if not isinstance(data, dict):
        raise DocumentError(
            source,
            jsonspans.line_of_offset(body, jsonspans.skip_ws(body, 0)),
            f"the top level must be a JSON object, not {_kind(data)}",
        )
    return data


def _kind(value: Any, array: str = "an array") -> str:
    if isinstance(value, list):
        return array
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "null" if value is None else type(value).__name__


class _JsonState:
    """What rendering and line lookups need, built from the text when first asked for."""

    def __init__(self, text: str) -> None:
        self.bom = _BOM if text.startswith(_BOM) else ""
        self.body = text.removeprefix(_BOM)
        self.index = JsonIndex(self.body)

    @functools.cached_property
    def style(self) -> _JsonStyle:
        return _JsonStyle.detect(self.body)


# Indentation after a line that opens an object or array.
_OPENER = re.compile(r"^([ \t]*)[^\n]*[\[{][ \t]*\r?\n([ \t]*)(?=\S)", re.MULTILINE)
_KEY_SEP = re.compile(r'""( *):( *)(?=\S)')
_ITEM_SEP = re.compile(r",( *)(?=[^\s])")
_PAD = re.compile(r"([\[{])( *)(?=[^\s\]}])")
_INDENT = re.compile(r"[ \t]*")
_NON_ASCII_ESCAPE = re.compile(r"\\u(?:00[89a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]|[1-9a-fA-F][0-9a-fA-F]{2})")
_STYLE_SAMPLE = 64 * 1024


class _Spacing(NamedTuple):
    key_sep: str  # ": " or ":" or " : "
    item_sep: str  # between items written on one line: ", " or ","
    pad: str  # inside brackets written on one line: "" or " "


def _find_spacing(text: str, first: bool = False) -> tuple[str | None, str | None, str | None]:
    """The commonest (or, with `first`, the first) key separator, item separator and bracket padding
    in `text`, whose strings are emptied; None for those it has no example of."""
    pick = (lambda found: found[0] if found else None) if first else _most_common
    return (
        pick([f"{a}:{b}" for a, b in _KEY_SEP.findall(text)]),
        pick([f",{s}" for s in _ITEM_SEP.findall(text)]),
        pick([s for _, s in _PAD.findall(text)]),
    )


@dataclass(frozen=True)
class _JsonStyle:
    unit: str  # one level of indentation: "  ", "    ", "\t"...
    newline: str
    ensure_ascii: bool
    spacing: _Spacing

    @staticmethod
    def detect(body: str) -> _JsonStyle:
        units: Counter[str] = Counter()
        for m in _OPENER.finditer(body, 0, _STYLE_SAMPLE):
            outer, inner = m.group(1), m.group(2)
            if len(inner) > len(outer) and inner.startswith(outer):
                units[inner[len(outer) :]] += 1
                if sum(units.values()) >= 50:
                    break
        first_newline = body.find("\n")
        key_sep, item_sep, pad = _find_spacing(jsonspans.without_strings(body[:_STYLE_SAMPLE]))
        return _JsonStyle(
            unit=units.most_common(1)[0][0] if units else "  ",
            newline="\r\n" if first_newline > 0 and body[first_newline - 1] == "\r" else "\n",
            ensure_ascii=body.isascii() and bool(_NON_ASCII_ESCAPE.search(body)),
            # json.dumps's spacing where the file shows none.
            spacing=_Spacing(key_sep or ": ", item_sep or ", ", pad or ""),
        )


def _most_common(values: Iterable[str]) -> str | None:
    counts = Counter(values)
    return counts.most_common(1)[0][0] if counts else None


def _line_indent(text: str, pos: int) -> str:
    m = _INDENT.match(text, text.rfind("\n", 0, pos) + 1)
    assert m is not None
    return m.group()


def _render_json(doc: Document, changes: Sequence[tuple[Keys, Any]]) -> str:
    state = doc._json()
    writer = _JsonWriter(state)
    edits: list[tuple[int, int, str]] = []
    for keys, value in changes:
        member = state.index.locate(keys)
        if member is None:
            raise ValueError(f"no value at {keys!r} in {doc.source}")
        text = writer.replace(member, value)
        if text is not None:
            edits.append((member.value_start, member.value_end, text))
    if not edits:
        return doc.text
    return state.bom + _apply_edits(state.body, edits)


class _Old(NamedTuple):
    """An old value and where its text is."""

    member: Member
    data: Any


class _JsonWriter:
    """Writes a new value in the file's style; the parts equal to an old value keep that value's text.

    Old values are read from the text, never from `Document.data`, which the caller may have changed.
    """

    def __init__(self, state: _JsonState) -> None:
        self.body = state.body
        self.index = state.index
        self.style = state.style
        # The old objects inside the value being replaced, by length: their paths and data.
        self._objects: dict[int, list[tuple[Keys, Any]]] | None = None
        self._old: _Old | None = None

    def replace(self, member: Member, value: Any) -> str | None:
        """The text for `value` in place of `member`'s value; None when the value is unchanged."""
        text = self.body[member.value_start : member.value_end]
        old = _Old(member, json.loads(text))
        if _same(value, old.data):
            return None
        self._old, self._objects = old, None
        compact = None if "\n" in text else self._spacing(text)
        return self.write(value, old, _line_indent(self.body, member.value_start), compact)

    def write(self, value: Any, old: _Old | None, base: str, compact: _Spacing | None) -> str:
        """`value` for the place of `old` (None: a new place), on a line indented `base`.

        `compact`: write on one line, spaced so (None: one member per line).
        """
        if not isinstance(value, (dict, list, tuple)):
            if not isinstance(value, Mapping):
                if old is not None and _same(value, old.data):
                    return self.body[old.member.value_start : old.member.value_end]
                return self._scalar(value)
            value = dict(value)
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        if isinstance(value, dict) and (old is None or not _same(value, old.data)):
            # A value that was elsewhere before (restore lifts `parameters` back into `Parameters`)
            # keeps the text it had there.
            old = self._moved(value) or old
        inner, close = base + self.style.unit, base
        if old is not None:
            reused = self._reuse(old, base) if _same(value, old.data) else None
            if reused is not None:
                return reused
            if isinstance(old.data, (dict, list)) and old.data:
                start, end = old.member.value_start, old.member.value_end
                if self.body.find("\n", start, end) < 0:
                    compact = self._spacing(self.body[start:end])
                elif _line_indent(self.body, start) == base:
                    inner, close = self._old_indents(old.member, inner, close)
        olds = self._children(old, value) if old is not None else {}
        if compact is not None:
            one_line = self._members(value, olds, old, inner, close, compact)
            if len(base) + len(one_line) <= COMPACT_WIDTH or "\n" not in self.body:
                return one_line
            compact = None  # it grew too long for one line (in a file that is not minified)
        return self._members(value, olds, old, inner, close, compact)

    def _members(
        self,
        value: dict[str, Any] | list[Any] | tuple[Any, ...],
        olds: dict[str | int, _Old],
        old: _Old | None,
        inner: str,
        close: str,
        compact: _Spacing | None,
    ) -> str:
        if isinstance(value, dict):
            key_sep = (compact or self.style.spacing).key_sep
            parts = []
            for key, item in value.items():
                if not isinstance(key, str):
                    raise TypeError(f"JSON object keys must be strings, not {key!r}")
                parts.append(self._string(key) + key_sep + self._item(item, olds.get(key), inner, compact))
            return self._container("{", parts, "}", inner, close, compact)
        places = _match_items(value, old.data if old is not None and olds else [])
        parts = [
            self._item(item, None if place is None else olds[place], inner, compact)
            for item, place in zip(value, places, strict=True)
        ]
        return self._container("[", parts, "]", inner, close, compact)

    def _item(self, value: Any, old: _Old | None, base: str, compact: _Spacing | None) -> str:
        """`write`, with its two commonest cases inlined: an unchanged value, and a new scalar."""
        if old is not None and _same(value, old.data):
            reused = self._reuse(old, base)
            if reused is not None:
                return reused
        elif old is None and type(value) in _PLAIN:
            return self._scalar(value)
        return self.write(value, old, base, compact)

    def _reuse(self, old: _Old, base: str) -> str | None:
        """The old value's text, for a line indented `base`; None if it cannot be moved there."""
        start, end = old.member.value_start, old.member.value_end
        text = self.body[start:end]
        return _reindent(text, _line_indent(self.body, start), base) if "\n" in text else text

    def _scalar(self, value: Any) -> str:
        if isinstance(value, str):
            return self._string(value)
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return int.__repr__(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError(f"{value!r} cannot be written as JSON")
            return float.__repr__(value)
        raise TypeError(f"{type(value).__name__} cannot be written as JSON: {value!r}")

    def _string(self, value: str) -> str:
        return self._encode_ascii(value) if self.style.ensure_ascii else self._encode(value)

    _encode_ascii = staticmethod(json.encoder.encode_basestring_ascii)
    _encode = staticmethod(json.encoder.encode_basestring)

    def _children(self, old: _Old, value: Any) -> dict[str | int, _Old]:
        """The members of an old container that `value` (of the same kind) may reuse."""
        data = old.data
        if isinstance(value, dict):
            if not isinstance(data, dict) or not any(key in data for key in value):
                return {}
        elif not isinstance(data, list) or not data:
            return {}
        table = self.index.children(old.member.value_start)
        return {key: _Old(member, data[key]) for key, member in table.items()}

    def _moved(self, value: dict[str, Any]) -> _Old | None:
        """An old object equal to `value` elsewhere in the value being replaced (moved, not changed):
        the Parameters that a rewrite nests one level deeper, for instance."""
        assert self._old is not None
        if self._objects is None:
            self._objects = {}
            stack: list[tuple[Keys, Any]] = [((), self._old.data)]
            while stack:
                path, data = stack.pop()
                if isinstance(data, dict) and data:
                    self._objects.setdefault(len(data), []).append((path, data))
                if isinstance(data, (dict, list)):
                    items = data.items() if isinstance(data, dict) else enumerate(data)
                    stack.extend(((*path, key), item) for key, item in items)
        for path, data in self._objects.get(len(value), []):
            if _same(value, data):
                member = self._old.member
                for key in path:
                    member = self.index.children(member.value_start)[key]
                return _Old(member, data)
        return None

    def _old_indents(self, member: Member, inner: str, close: str) -> tuple[str, str]:
        """The indentation of the members and of the closing bracket of an old container."""
        body = self.body
        first = jsonspans.skip_ws(body, member.value_start + 1)
        if body.find("\n", member.value_start, first) >= 0:
            inner = _line_indent(body, first)
        closing = member.value_end - 1
        if not body[body.rfind("\n", 0, closing) + 1 : closing].strip():
            close = _line_indent(body, closing)
        return inner, close

    def _container(
        self, open_: str, parts: list[str], close_: str, inner: str, close: str, compact: _Spacing | None
    ) -> str:
        if compact is not None:
            return open_ + compact.pad + compact.item_sep.join(parts) + compact.pad + close_
        separator = self.style.newline + inner
        return open_ + separator + ("," + separator).join(parts) + self.style.newline + close + close_

    def _spacing(self, text: str) -> _Spacing:
        """The spacing of a value written on one line (the file's usual spacing where it has none)."""
        key_sep, item_sep, pad = _find_spacing(jsonspans.without_strings(text), first=True)
        usual = self.style.spacing
        return _Spacing(
            usual.key_sep if key_sep is None else key_sep,
            usual.item_sep if item_sep is None else item_sep,
            usual.pad if pad is None else pad,
        )


def _reindent(text: str, old_base: str, new_base: str) -> str | None:
    """Multi-line JSON text moved from a line indented `old_base` to one indented `new_base`."""
    if "\n" not in text or old_base == new_base:
        return text
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if not lines[i].startswith(old_base):
            return None
        lines[i] = new_base + lines[i][len(old_base) :]
    return "\n".join(lines)


def _match_items(new: Sequence[Any], old: Sequence[Any]) -> list[int | None]:
    """For each new item, the index of the old item it reuses: an equal one if there is one left,
    else the one at the same index if that is not taken, else None."""
    unused = set(range(len(old)))
    places: list[int | None] = [None] * len(new)
    if len(new) * len(old) <= 10_000:
        for i, item in enumerate(new):
            found = next((j for j in sorted(unused) if _same(item, old[j])), None)
            if found is not None:
                unused.discard(found)
                places[i] = found
    for i in range(len(new)):
        if places[i] is None and i in unused:
            unused.discard(i)
            places[i] = i
    return places


# --- YAML ------------------------------------------------------------------------------------------


@functools.cache
def _ruamel() -> Any:
    """ruamel.yaml's classes, specialised for sfnxr. Imported on first use: only YAML input pays for it."""
    from types import SimpleNamespace

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
    from ruamel.yaml.composer import Composer, MaxDepthExceededError
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.error import CommentMark, MarkedYAMLError, YAMLError
    from ruamel.yaml.events import AliasEvent
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
    from ruamel.yaml.reader import ReaderError
    from ruamel.yaml.representer import RoundTripRepresenter
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )
    from ruamel.yaml.tokens import CommentToken

    class AliasRecordingComposer(Composer):
        """Remembers where each alias is used (ruamel's composer keeps only the anchored node)."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.parser.check_event(AliasEvent):
                event = self.parser.peek_event()
                node = self.anchors.get(event.anchor)
                if node is not None:
                    self.__dict__.setdefault("sfnxr_aliases", []).append((node, event.start_mark))
            return super().compose_node(parent, index)

    class Constructor(RoundTripConstructor):
        """Timestamps stay strings: ASL is JSON data, where `2024-01-01T00:00:00Z` is a string."""

    Constructor.add_constructor("tag:yaml.org,2002:timestamp", Constructor.construct_yaml_str)

    class Representer(RoundTripRepresenter):
        """Writes None as `null` (ruamel writes nothing at all, which means null too, but less plainly),
        and quotes the strings that ruamel would leave plain inside a flow collection although they
        are not plain there (`[: a]` does not parse; `[? x]` is a list holding a mapping)."""

    def represent_null(self: Any, data: Any) -> Any:
        return self.represent_scalar("tag:yaml.org,2002:null", "null")

    def represent_str(self: Any, data: Any) -> Any:
        if type(data) is str and _INDICATOR_FIRST.match(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style="'")
        return RoundTripRepresenter.represent_str(self, data)

    Representer.add_representer(type(None), represent_null)
    Representer.add_representer(str, represent_str)

    return SimpleNamespace(
        YAML=YAML,
        Composer=AliasRecordingComposer,
        Constructor=Constructor,
        Representer=Representer,
        CommentedMap=CommentedMap,
        CommentedSeq=CommentedSeq,
        TaggedScalar=TaggedScalar,
        CommentMark=CommentMark,
        CommentToken=CommentToken,
        MarkedYAMLError=MarkedYAMLError,
        MaxDepthExceededError=MaxDepthExceededError,
        YAMLError=YAMLError,
        ReaderError=ReaderError,
        MappingNode=MappingNode,
        ScalarNode=ScalarNode,
        SequenceNode=SequenceNode,
        styled=(DoubleQuotedScalarString, SingleQuotedScalarString, LiteralScalarString),
    )


@dataclass
class _YamlState:
    """What rendering YAML needs: the text, its node tree, and the data as parsed."""

    bom: str
    body: str
    data: Any  # not the Document's data (which its user may change): a copy, or a second parse
    root: Any  # ruamel's node tree, with marks into `body`
    shared: set[int]  # ids of nodes used more than once (anchors with aliases)


def _parse_yaml(source: str, body: str) -> _YamlState:
    r = _ruamel()
    yaml = r.YAML(typ="rt")
    yaml.Composer = r.Composer
    yaml.Constructor = r.Constructor
    yaml.preserve_quotes = True
    yaml.max_depth = MAX_YAML_DEPTH
    parser = None
    try:
        constructor, parser = yaml.get_constructor_parser(body)  # the reader checks characters here
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a reused anchor name is valid YAML
            root = constructor.composer.get_single_node()
            if root is None:
                raise DocumentError(source, None, "the document is empty (only comments)")
            shared = _check_yaml_nodes(source, root, constructor.composer.__dict__.get("sfnxr_aliases", []))
            data = constructor.construct_document(root)
    except r.MaxDepthExceededError as e:
        raise DocumentError(source, e.problem_mark.line + 1, "the document is nested too deeply") from None
    except r.MarkedYAMLError as e:
        raise DocumentError(source, *_yaml_error(e)) from None
    except r.ReaderError as e:
        line = body.count("\n", 0, e.position) + 1
        char = e.character if isinstance(e.character, int) else ord(e.character)
        raise DocumentError(source, line, f"invalid YAML: character U+{char:04X} is not allowed") from None
    except r.YAMLError as e:
        raise DocumentError(source, None, f"invalid YAML: {e}") from None
    finally:
        if parser is not None:
            parser.dispose()
    if not isinstance(data, dict):
        raise DocumentError(
            source, root.start_mark.line + 1, f"the top level must be a mapping, not {_kind(data, 'a list')}"
        )
    return _YamlState("", body, data, root, shared)


def _yaml_error(e: Any) -> tuple[int | None, str]:
    mark = e.problem_mark or e.context_mark
    problem = e.problem or e.context or "syntax error"
    context = f" ({e.context})" if e.context and e.problem else ""
    where = f" at column {mark.column + 1}" if mark is not None else ""
    return (None if mark is None else mark.line + 1), f"invalid YAML: {problem}{context}{where}"


def _check_yaml_nodes(source: str, root: Any, aliases: list[tuple[Any, Any]]) -> set[int]:
    """Refuse duplicate keys, recursive aliases and alias bombs, without expanding aliases.

    Returns the ids of the nodes that are used more than once.
    """
    r = _ruamel()
    sizes: dict[int, int] = {}  # expanded size of each node seen
    uses: Counter[int] = Counter()
    in_progress: set[int] = set()

    def size(node: Any) -> int:
        key = id(node)
        uses[key] += 1
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise DocumentError(source, node.start_mark.line + 1, "a YAML alias refers to its own anchor")
        total = 1
        if isinstance(node, r.MappingNode):
            in_progress.add(key)
            seen: dict[tuple[str, str], Any] = {}
            for knode, vnode in node.value:
                if isinstance(knode, r.ScalarNode) and knode.tag != "tag:yaml.org,2002:merge":
                    first = seen.setdefault((str(knode.tag), knode.value), knode)
                    if first is not knode:
                        raise DocumentError(
                            source,
                            knode.start_mark.line + 1,
                            f'duplicate key "{knode.value}" (first at line {first.start_mark.line + 1})',
                        )
                total += size(knode) + size(vnode)
            in_progress.discard(key)
        elif isinstance(node, r.SequenceNode):
            in_progress.add(key)
            total += sum(size(item) for item in node.value)
            in_progress.discard(key)
        sizes[key] = total
        return total

    expanded = size(root)
    if expanded - len(sizes) > ALIAS_EXPANSION_LIMIT:
        running = 0
        line: int | None = None
        for node, mark in aliases:
            running += sizes.get(id(node), 1)
            if running > ALIAS_EXPANSION_LIMIT:
                line = mark.line + 1
                break
        raise DocumentError(
            source,
            line,
            f"YAML aliases would expand to {expanded:,} nodes (more than {ALIAS_EXPANSION_LIMIT:,} beyond"
            " the document's own); refusing a possible alias bomb",
        )
    return {key for key, count in uses.items() if count > 1}


def _yaml_line_of(data: Any, keys: Keys) -> int | None:
    node = data
    line = _lc_line(data)
    for key in keys:
        try:
            child = node[key]
        except (KeyError, IndexError, TypeError):
            return None
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, Mapping):
                line = lc.key(key)[0] + 1 if lc is not None else line
            else:
                line = lc.item(key)[0] + 1 if lc is not None else line
        except (KeyError, IndexError, TypeError, AttributeError):
            pass  # a key that came from a merge: keep the parent's line
        node = child
    return line


def _lc_line(data: Any) -> int | None:
    lc = getattr(data, "lc", None)
    line = getattr(lc, "line", None)
    return None if line is None else int(line) + 1


@dataclass(frozen=True)
class _YamlStyle:
    mapping: int
    sequence: int
    offset: int
    newline: str


def _detect_yaml_style(state: _YamlState) -> _YamlStyle:
    """The indentation the file uses most, read from its node marks."""
    r = _ruamel()
    maps: Counter[int] = Counter()
    seqs: Counter[tuple[int, int]] = Counter()
    for node in _iter_nodes(state.root):
        if not isinstance(node, r.MappingNode) or node.flow_style:
            continue
        for knode, vnode in node.value:
            kline, kcol = knode.start_mark.line, knode.start_mark.column
            if getattr(vnode, "flow_style", True) or vnode.start_mark.line <= kline:
                continue
            if isinstance(vnode, r.MappingNode):
                maps[vnode.start_mark.column - kcol] += 1
            elif isinstance(vnode, r.SequenceNode) and vnode.value:
                first = vnode.value[0]
                if first.start_mark.line == vnode.start_mark.line:
                    seqs[(first.start_mark.column - kcol, vnode.start_mark.column - kcol)] += 1
    mapping = maps.most_common(1)[0][0] if maps else 2
    sequence, offset = seqs.most_common(1)[0][0] if seqs else (mapping + 2, mapping)
    body = state.body
    first_newline = body.find("\n")
    return _YamlStyle(
        mapping=max(mapping, 1),
        sequence=max(sequence, offset + 2),
        offset=max(offset, 0),
        newline="\r\n" if first_newline > 0 and body[first_newline - 1] == "\r" else "\n",
    )


def _iter_nodes(root: Any) -> Iterator[Any]:
    r = _ruamel()
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, r.MappingNode):
            for knode, vnode in node.value:
                stack.extend((knode, vnode))
        elif isinstance(node, r.SequenceNode):
            stack.extend(node.value)


def _yaml_state(doc: Document) -> _YamlState:
    if not isinstance(doc._cache, _YamlState):
        doc._cache = _parse_yaml(doc.source, doc.text.removeprefix(_BOM))
    doc._cache.bom = _BOM if doc.text.startswith(_BOM) else ""
    return doc._cache


def _render_yaml(doc: Document, changes: Sequence[tuple[Keys, Any]]) -> str:
    state = _yaml_state(doc)
    changes = [
        (keys, value) for keys, value in changes if not _same(value, _old_value(doc, state.data, keys))
    ]
    if not changes:
        return doc.text
    dumper = _YamlDumper(_detect_yaml_style(state))
    edits: list[tuple[int, int, str]] = []
    for keys, value in _lift_out_of_flow(state, changes):
        found = _yaml_edits(state, dumper, keys, value, _get(state.data, keys))
        if found is None:
            return _render_yaml_whole(doc.source, state, dumper, changes)
        edits.extend(found)
    out = _apply_edits(state.body, edits)
    if not _yaml_result_ok(doc.source, state, out, changes):
        return _render_yaml_whole(doc.source, state, dumper, changes)
    return state.bom + out


def _yaml_edits(
    state: _YamlState, dumper: _YamlDumper, keys: Keys, new: Any, old: Any
) -> list[tuple[int, int, str]] | None:
    """The edits that turn the value at `keys` into `new`, touching as little text as they can.

    A block mapping keeps the text of its entries whose values are unchanged, gets new entries
    inserted and removed ones deleted, and its changed values are edited the same way, recursively;
    a block sequence likewise. Anything else is replaced whole by `_yaml_splice`. None: not possible.
    """
    if _same(new, old):
        return []
    node = _locate_node(state, keys)
    if node is not None and _tag_of(new) is None and _tag_of(old) is None:
        r = _ruamel()
        edits: list[tuple[int, int, str]] | None = None
        if isinstance(new, Mapping) and isinstance(old, Mapping) and isinstance(node, r.MappingNode):
            edits = _yaml_mapping_edits(state, dumper, keys, new, old, node)
        elif isinstance(new, (list, tuple)) and isinstance(old, list) and isinstance(node, r.SequenceNode):
            edits = _yaml_sequence_edits(state, dumper, keys, new, old, node)
        if edits is not None:
            return edits
    edit = _yaml_splice(state, dumper, keys, new, old)
    return None if edit is None else [edit]


def _locate_node(state: _YamlState, keys: Keys) -> Any:
    """The node of the value at `keys` when its text can be edited in place (not shared, not in flow)."""
    node = state.root
    for key in keys:
        if getattr(node, "flow_style", False):
            return None
        found = _child_node(node, key)
        if found is None or id(found[1]) in state.shared:
            return None
        node = found[1]
    return node


def _entry_starts(body: str, marks: list[int]) -> list[int | None]:
    """The start of the line of each mark; None where something else comes first on that line."""
    starts: list[int | None] = []
    for mark in marks:
        start = body.rfind("\n", 0, mark) + 1
        starts.append(None if body[start:mark].strip(" \t") else start)
    return starts


def _yaml_mapping_edits(
    state: _YamlState,
    dumper: _YamlDumper,
    keys: Keys,
    new: Mapping[Any, Any],
    old: Mapping[Any, Any],
    node: Any,
) -> list[tuple[int, int, str]] | None:
    if node.flow_style or not node.value or not new:
        return None
    r = _ruamel()
    old_keys = list(old)
    knodes = [knode for knode, _ in node.value]
    if [k.value if isinstance(k, r.ScalarNode) and k.tag == _STR_TAG else None for k in knodes] != old_keys:
        return None  # keys that are not plain strings, or that came from a merge
    kept = [key for key in new if key in old]
    if kept != [key for key in old_keys if key in new]:
        return None  # reordered: replace the whole mapping
    edits: list[tuple[int, int, str]] = []
    for key in kept:
        found = _yaml_edits(state, dumper, (*keys, key), new[key], old[key])
        if found is None:
            return None
        edits.extend(found)
    if len(kept) == len(old) == len(new):
        return edits
    body = state.body
    starts = _entry_starts(body, [knode.start_mark.index for knode in knodes])
    ends = [_entry_end(body, knode, vnode) for knode, vnode in node.value]
    column = knodes[0].start_mark.column

    def entry(key: Any) -> list[str] | None:
        wrapper = _ruamel().CommentedMap()
        value = _build_yaml(new[key], _NO_OLD)
        wrapper[key] = _fragment_copy(
            value, dumper.style, _wrapped_column(dumper.style, value, False), column
        )
        return _shift_lines(dumper.dump(wrapper).removesuffix("\n").split("\n"), column)

    return _splice_entries(body, dumper, edits, old_keys, new, starts, ends, entry)


def _yaml_sequence_edits(
    state: _YamlState, dumper: _YamlDumper, keys: Keys, new: Sequence[Any], old: list[Any], node: Any
) -> list[tuple[int, int, str]] | None:
    if node.flow_style or not node.value or len(node.value) != len(old) or not new:
        return None
    if len(new) == len(old):
        edits: list[tuple[int, int, str]] = []
        for i, item in enumerate(new):
            found = _yaml_edits(state, dumper, (*keys, i), item, old[i])
            if found is None:
                return None
            edits.extend(found)
        return edits
    # Items are matched by equality: unmatched old items are deleted, unmatched new ones inserted.
    places = _match_items(new, old)
    matched = [
        place
        for place, item in zip(places, new, strict=True)
        if place is not None and _same(item, old[place])
    ]
    if matched != sorted(matched):
        return None
    body = state.body
    dashes = _item_dashes(body, node)
    if dashes is None:
        return None
    starts = _entry_starts(body, dashes)
    ends = [_item_end(body, item, dash) for item, dash in zip(node.value, dashes, strict=True)]
    shift = dashes[0] - (body.rfind("\n", 0, dashes[0]) + 1) - dumper.style.offset
    old_ids = list(range(len(old)))
    new_ids: dict[Any, Any] = {}
    for i, place in enumerate(places):
        kept = place is not None and _same(new[i], old[place])
        new_ids[place if kept else ("new", i)] = new[i]

    def entry(key: Any) -> list[str] | None:
        wrapper = _ruamel().CommentedSeq()
        value = _build_yaml(new_ids[key], _NO_OLD)
        wrapper.append(_fragment_copy(value, dumper.style, _wrapped_column(dumper.style, value, True), shift))
        return _shift_lines(dumper.dump(wrapper).removesuffix("\n").split("\n"), shift)

    return _splice_entries(body, dumper, [], old_ids, new_ids, starts, ends, entry)


def _splice_entries(
    body: str,
    dumper: _YamlDumper,
    edits: list[tuple[int, int, str]],
    old_keys: list[Any],
    new: Mapping[Any, Any],
    starts: list[int | None],
    ends: list[int | None],
    entry: Callable[[Any], list[str] | None],
) -> list[tuple[int, int, str]] | None:
    """Add edits deleting the entries of `old_keys` not in `new` and inserting those of `new` not in it.

    Entry i starts its line at `starts[i]`; its value's text ends at `ends[i]`. A deleted entry takes
    its lines with it (a comment on its last line too), not the comment lines after it. `entry(key)`
    gives a new entry's lines, in place (None: it cannot be written there).
    """
    newline = dumper.style.newline
    index = {key: i for i, key in enumerate(old_keys)}
    for i, key in enumerate(old_keys):
        if key not in new:
            start, end = starts[i], ends[i]
            if start is None or end is None:
                return None
            line_end = body.find("\n", end)
            stop = len(body) if line_end < 0 else line_end + 1
            following = starts[i + 1] if i + 1 < len(starts) else None
            while (
                following is not None
                and stop < following
                and not body[stop : body.find("\n", stop) + 1].strip()
            ):
                stop = body.find("\n", stop) + 1  # the blank lines before the next entry go too
            edits.append((start, stop, ""))
    # New entries go before the next entry kept; those after the last one kept, after it.
    kept = [i for i, key in enumerate(old_keys) if key in new]
    pending: list[str] = []
    for key in new:
        if key not in index:
            lines = entry(key)
            if lines is None:
                return None
            pending.append(newline.join(lines))
        elif pending:
            start = starts[index[key]]
            if start is None:
                return None
            edits.append((start, start, "".join(text + newline for text in pending)))
            pending = []
    if pending:
        end = ends[kept[-1]] if kept else None
        if end is None:
            return None
        line_end = body.find("\n", end)  # after the last entry kept, and the comment on its line
        if line_end < 0:
            edits.append((len(body), len(body), "".join(newline + text for text in pending)))
        else:
            edits.append((line_end + 1, line_end + 1, "".join(text + newline for text in pending)))
    return edits


def _render_yaml_whole(
    source: str, state: _YamlState, dumper: _YamlDumper, changes: Sequence[tuple[Keys, Any]]
) -> str:
    """The fallback: the whole document dumped by ruamel (comments and order survive, layout may not)."""
    root = copy.deepcopy(state.data)
    for keys, value in changes:
        if not keys:
            root = _build_yaml(value, root)
        else:
            parent = _get(root, keys[:-1])
            parent[keys[-1]] = _build_yaml(value, parent[keys[-1]])
    out = dumper.dump(root).replace("\n", dumper.style.newline)
    if not _yaml_result_ok(source, state, out, changes):
        raise DocumentError(source, None, "sfnxr cannot write this YAML so that it reads back the same")
    return state.bom + out


def _lift_out_of_flow(state: _YamlState, changes: Sequence[tuple[Keys, Any]]) -> list[tuple[Keys, Any]]:
    """A change inside a flow collection (`{a: 1}`, `[1, 2]`) becomes a change of the outermost one."""
    lifted: dict[Keys, Any] = {}
    for keys, value in changes:
        node = state.root
        top: int | None = None
        for depth, key in enumerate(keys):
            if getattr(node, "flow_style", False):
                top = depth
                break
            found = _child_node(node, key)
            if found is None:
                break
            node = found[1]
        if not top:  # None, or a flow root: no splice will be tried
            lifted[keys] = value
            continue
        outer = keys[:top]
        if outer not in lifted:
            lifted[outer] = copy.deepcopy(_get(state.data, outer))
        _get(lifted[outer], keys[top:-1])[keys[-1]] = value
    return list(lifted.items())


def _child_node(node: Any, key: str | int) -> tuple[Any, Any] | None:
    """(key node or None, value node) of `node`'s child at `key`, from the node tree."""
    r = _ruamel()
    if isinstance(node, r.MappingNode) and isinstance(key, str):
        for knode, vnode in node.value:
            if isinstance(knode, r.ScalarNode) and knode.value == key and knode.tag == _STR_TAG:
                return knode, vnode
        return None
    if isinstance(node, r.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return None, node.value[key]
    return None


_STR_TAG = "tag:yaml.org,2002:str"
_INDICATOR_FIRST = re.compile(r"[-?:](?:[ \t]|$)")
_SPACES = re.compile(r"[ \t]*")
_ALIAS = re.compile(r"[ \t]*\*[^\s,\[\]{}]+")


class _YamlDumper:
    def __init__(self, style: _YamlStyle) -> None:
        r = _ruamel()
        self.style = style
        self.yaml = r.YAML(typ="rt")
        self.yaml.Representer = r.Representer
        self.yaml.width = 1 << 30  # never wrap long strings
        self.yaml.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)

    def dump(self, value: Any) -> str:
        stream = io.StringIO()
        self.yaml.dump(value, stream)
        return stream.getvalue()


def _yaml_splice(
    state: _YamlState, dumper: _YamlDumper, keys: Keys, value: Any, old: Any
) -> tuple[int, int, str] | None:
    """The edit (start, end, text) that replaces the value at `keys`, or None when a splice is unsafe."""
    r = _ruamel()
    body = state.body
    newline = dumper.style.newline
    parent = _locate_node(state, keys[:-1]) if keys else None
    knode: Any = None
    node = state.root
    if keys:
        found = _child_node(parent, keys[-1])
        if parent is None or parent.flow_style or found is None or id(found[1]) in state.shared:
            return None
        knode, node = found
    fragment = _build_yaml(value, old)
    if parent is None:  # the whole document
        end = _node_end(body, node)
        if end is None:
            return None
        text = dumper.dump(_fragment_copy(fragment, dumper.style, 0, 0)).removesuffix("\n")
        return node.start_mark.index, end, text.replace("\n", newline)

    # Dump the new value under a one-entry mapping ("k: ...") or sequence ("- ..."), take what follows
    # the indicator, and move the lines below the first one to where the old value's lines were.
    if isinstance(parent, r.MappingNode):
        if knode.start_mark.line != knode.end_mark.line:
            return None
        indicator = _find_indicator(body, knode.end_mark.index, ":")
        shift = knode.start_mark.column
        wrapper: Any = r.CommentedMap()
        key_text_len = len("k:")
    else:
        dashes = _item_dashes(body, parent)
        if dashes is None:
            return None
        indicator = dashes[int(keys[-1])]
        shift = indicator - (body.rfind("\n", 0, indicator) + 1) - dumper.style.offset
        wrapper = r.CommentedSeq()
        key_text_len = dumper.style.offset + len("-")
    if indicator is None:
        return None
    empty = _is_empty(node)
    old_is_block = not empty and getattr(node, "flow_style", None) is False
    old_is_block = old_is_block and node.start_mark.line > body.count("\n", 0, indicator)
    column = _wrapped_column(dumper.style, fragment, isinstance(wrapper, list))
    copied = _fragment_copy(fragment, dumper.style, column, shift, leading=old_is_block)
    if isinstance(wrapper, list):
        wrapper.append(copied)
    else:
        wrapper["k"] = copied
    lines = dumper.dump(wrapper).removesuffix("\n")[key_text_len:].split("\n")
    below = _shift_lines(lines[1:], shift)
    end = indicator + 1 if empty else _node_end(body, node)
    if below is None or end is None:
        return None
    new_is_block = lines[0].strip() == ""
    if new_is_block and old_is_block:
        # Replace the lines after the key's line: the old block's, and the comments above it.
        return body.find("\n", indicator) + 1, end, newline.join(below)
    if isinstance(parent, r.MappingNode) and not (new_is_block or old_is_block or empty or below):
        return node.start_mark.index, end, lines[0].lstrip(" ")  # one line: keep the spacing after the colon
    # Every line moved by the same amount, the first one too (it follows the indicator as in the dump).
    return indicator + 1, end, lines[0].rstrip() + "".join(newline + line for line in below)


def _find_indicator(body: str, pos: int, char: str) -> int | None:
    at = _SPACES.match(body, pos)
    assert at is not None
    return at.end() if body.startswith(char, at.end()) else None


def _is_empty(node: Any) -> bool:
    """A plain empty scalar (`key:` and nothing): ruamel's marks for it point at the next token."""
    r = _ruamel()
    return (
        isinstance(node, r.ScalarNode)
        and node.value == ""
        and not node.style
        and node.start_mark.index == node.end_mark.index
    )


def _node_end(body: str, node: Any) -> int | None:
    """Where the text of `node` ends (before trailing comments and blank lines), or None if unknown."""
    r = _ruamel()
    if isinstance(node, r.ScalarNode):
        end = int(node.end_mark.index)
        if node.style in ("|", ">"):  # a block scalar's mark is past its trailing blank lines
            while end > 0 and body[end - 1] in " \t\r\n":
                end -= 1
        return end
    if getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    if isinstance(node, r.MappingNode):
        return _entry_end(body, *node.value[-1])
    dashes = _item_dashes(body, node)
    return None if dashes is None else _item_end(body, node.value[-1], dashes[-1])


def _entry_end(body: str, knode: Any, vnode: Any) -> int | None:
    """Where the text of a mapping entry's value ends."""
    if _is_empty(vnode) or vnode.start_mark.index < knode.end_mark.index:
        colon = _find_indicator(body, knode.end_mark.index, ":")
        if colon is None or _is_empty(vnode):
            return None if colon is None else colon + 1
        alias = _ALIAS.match(body, colon + 1)  # the value is an alias of an earlier anchor
        return None if alias is None else alias.end()
    return _node_end(body, vnode)


def _item_end(body: str, item: Any, dash: int) -> int | None:
    """Where the text of a block sequence's item (whose dash is at `dash`) ends."""
    return dash + 1 if _is_empty(item) else _node_end(body, item)


def _item_dashes(body: str, node: Any) -> list[int] | None:
    """Where the dash of each item of a block sequence is; None when an item is an alias (its marks
    are its anchor's) or the text is not laid out as expected."""
    column = node.start_mark.column
    pos = int(node.start_mark.index)
    dashes: list[int] = []
    for i, item in enumerate(node.value):
        if i == 0:
            dash: int | None = pos if body.startswith("-", pos) else None
        else:
            dash = _next_dash(body, pos, column)
        if dash is None or (not _is_empty(item) and item.start_mark.index < dash):
            return None
        end = _item_end(body, item, dash)
        if end is None:
            return None
        dashes.append(dash)
        pos = end
    return dashes


def _next_dash(body: str, pos: int, column: int) -> int | None:
    """The dash at `column` that begins the first line after `pos` that is not blank or a comment."""
    line = body.find("\n", pos) + 1
    while 0 < line < len(body):
        text = body[line : body.find("\n", line) if body.find("\n", line) >= 0 else len(body)]
        content = text.lstrip(" ")
        if content.strip() and not content.startswith("#"):
            indent = len(text) - len(content)
            return line + indent if indent == column and content.startswith("-") else None
        line = body.find("\n", line) + 1
    return None


def _shift_lines(lines: list[str], shift: int) -> list[str] | None:
    """`lines` moved right by `shift` columns (left if negative); blank lines stay empty."""
    if shift >= 0:
        pad = " " * shift
        return [pad + line if line.strip() else line for line in lines]
    out = []
    for line in lines:
        if line.strip() and not line.startswith(" " * -shift):
            return None
        out.append(line[-shift:] if line.strip() else line)
    return out


_NO_OLD: Any = object()  # for _build_yaml: there is no old value to reuse


def _build_yaml(new: Any, old: Any) -> Any:
    """A ruamel value for `new` that reuses the parts of `old` (nodes, comments, quoting) equal to it."""
    r = _ruamel()
    if old is not _NO_OLD and (new is old or _same(new, old)):
        return old
    if _tag_of(new) is not None or (old is _NO_OLD and isinstance(new, (r.CommentedMap, r.CommentedSeq))):
        return new  # a ruamel value given back by the caller (tagged, or moved): keep it as it is
    if isinstance(new, Mapping):
        out = r.CommentedMap()
        old_map = old if isinstance(old, r.CommentedMap) else None
        if old_map is not None:
            out._yaml_set_line_col(old_map.lc.line, old_map.lc.col)  # where its comments were
            if old_map.fa.flow_style():
                out.fa.set_flow_style()
            if new and old_map and next(iter(new)) == next(iter(old_map)):
                out.ca.comment = old_map.ca.comment  # the comments above its first key
        for key, item in new.items():
            previous = old_map[key] if old_map is not None and key in old_map else _NO_OLD
            out[key] = _build_yaml(item, previous)
            comment = old_map.ca.items.get(key) if old_map is not None else None
            if comment is not None and (out[key] is previous or not isinstance(item, (Mapping, list, tuple))):
                out.ca.items[key] = comment
        return out
    if isinstance(new, (list, tuple)):
        seq = r.CommentedSeq()
        old_seq = old if isinstance(old, r.CommentedSeq) else None
        if old_seq is not None:
            seq._yaml_set_line_col(old_seq.lc.line, old_seq.lc.col)
            if old_seq.fa.flow_style():
                seq.fa.set_flow_style()
        places = _match_items(new, old_seq if old_seq is not None else [])
        for i, (item, place) in enumerate(zip(new, places, strict=True)):
            previous = old_seq[place] if old_seq is not None and place is not None else _NO_OLD
            seq.append(_build_yaml(item, previous))
            if old_seq is not None and seq[i] is previous and place in old_seq.ca.items:
                seq.ca.items[i] = old_seq.ca.items[place]
        return seq
    if type(new) is str and isinstance(old, r.styled):
        return type(old)(new)  # keep the old value's quotes or block style
    return new


def _fragment_copy(fragment: Any, style: _YamlStyle, column: int, shift: int, leading: bool = False) -> Any:
    """A copy of `fragment`, ready to be dumped where a block value starts at `column` and then moved
    `shift` columns right (ruamel writes comments at the columns they were read at).

    Its comments move with the containers they belong to, so that once dumped they sit where they
    were relative to those. Comments after the value's last line are dropped: they are outside the
    spliced text, which keeps them; so are those before its first line unless `leading` (when the
    splice replaces those lines).
    """
    r = _ruamel()
    out = copy.deepcopy(fragment)
    _place_comments(out, style, column, shift, set())
    if isinstance(out, (r.CommentedMap, r.CommentedSeq)) and not leading:
        out.ca.comment = None
    node = out
    while isinstance(node, (r.CommentedMap, r.CommentedSeq)) and len(node):
        is_map = isinstance(node, r.CommentedMap)
        last = next(reversed(node)) if is_map else len(node) - 1
        item = node.ca.items.get(last)
        if item is not None:
            item = list(item)
            item[2 if is_map else 0] = None
            node.ca.items[last] = item
        if getattr(node.ca, "end", None):
            node.ca.end = None
        node = node[last]
    return out


def _wrapped_column(style: _YamlStyle, value: Any, in_sequence: bool) -> int:
    """Where a block `value` starts (keys, or dashes) when dumped as the value of a top-level
    key at column 0 ("k: ..."), or as the item of a top-level sequence ("- ...")."""
    if in_sequence:
        return style.sequence
    return style.offset if isinstance(value, list) else style.mapping


def _place_comments(value: Any, style: _YamlStyle, column: int, shift: int, seen: set[int]) -> None:
    """Move the comments of `value`, a block container that will start at `column`, and of its children.

    `column` is where its keys (or dashes) go in the dump; `lc.col` is where they were in the file.
    """
    r = _ruamel()
    if not isinstance(value, (r.CommentedMap, r.CommentedSeq)) or value.fa.flow_style() or id(value) in seen:
        return
    seen.add(id(value))
    was = getattr(value.lc, "col", None)
    delta = column - was if isinstance(was, int) else -shift
    ca = value.ca
    if delta:
        ca.comment = _move_comments(ca.comment, delta)
        for key in list(ca.items):
            ca.items[key] = _move_comments(ca.items[key], delta)
        if getattr(ca, "end", None):
            ca.end = _move_comments(ca.end, delta)
    if isinstance(value, r.CommentedMap):
        for item in value.values():
            inner = column + (style.offset if isinstance(item, list) else style.mapping)
            _place_comments(item, style, inner, shift, seen)
    else:
        content = column - style.offset + style.sequence
        for item in value:
            _place_comments(item, style, content, shift, seen)


def _move_comments(item: Any, delta: int) -> Any:
    """Comment tokens (in ruamel's nested lists) moved `delta` columns, the lines they carry too."""
    r = _ruamel()
    if isinstance(item, list):
        return [_move_comments(x, delta) for x in item]
    if isinstance(item, r.CommentToken):
        first, *rest = item.value.split("\n")
        moved = _shift_lines(rest, delta)
        if moved is None:
            moved = [line.lstrip(" ") for line in rest]
        column = getattr(item.start_mark, "column", 0)
        return r.CommentToken("\n".join([first, *moved]), r.CommentMark(max(column + delta, 0)))
    return item


def _yaml_result_ok(source: str, state: _YamlState, out: str, changes: Sequence[tuple[Keys, Any]]) -> bool:
    """Whether the spliced text parses to the data with the changes applied."""
    try:
        parsed = _parse_yaml(source, out)
    except DocumentError:
        return False
    return bool(_canon(parsed.data) == _canon(state.data, dict(changes)))


def _canon(value: Any, overrides: Mapping[Keys, Any] | None = None, keys: Keys = ()) -> Any:
    """A comparable form of YAML data: order, types and tags included; `overrides` replace values at keys."""
    if overrides and keys in overrides:
        return _canon(overrides[keys])
    tag = _tag_of(value)
    if isinstance(value, Mapping):
        return ("map", tag, tuple((_canon(k), _canon(v, overrides, (*keys, k))) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("seq", tag, tuple(_canon(v, overrides, (*keys, i)) for i, v in enumerate(value)))
    if tag is not None:
        return ("tagged", tag, _canon(getattr(value, "value", None)))
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", int(value))
    if isinstance(value, float):
        return ("float", float(value))
    if isinstance(value, str):
        return ("str", str(value))
    return ("other", repr(value))


# --- shared ----------------------------------------------------------------------------------------


def _tag_of(value: Any) -> str | None:
    tag = getattr(value, "tag", None)
    text = getattr(tag, "value", tag)
    return text if isinstance(text, str) else None


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same kinds all the way down (True is not 1, 1 is not 1.0, key order counts)."""
    if a is b:
        return True
    kind = type(a)
    if kind is type(b):
        if kind in _PLAIN:
            return bool(a == b)
        if kind is dict:
            return len(a) == len(b) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
        if kind is list:
            return len(a) == len(b) and all(map(_same, a, b))
    if _tag_of(a) != _tag_of(b):
        return False
    if isinstance(a, Mapping):
        return (
            isinstance(b, Mapping)
            and len(a) == len(b)
            and list(a) == list(b)
            and all(_same(a[k], b[k]) for k in a)
        )
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(b, (Mapping, list, tuple)):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return isinstance(a, float) == isinstance(b, float) and a == b
    if _tag_of(a) is not None:
        return _same(getattr(a, "value", None), getattr(b, "value", None))
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return type(a) is type(b) and bool(a == b)


def _get(data: Any, keys: Keys) -> Any:
    for key in keys:
        data = data[key]
    return data


def _old_value(doc: Document, data: Any, keys: Keys) -> Any:
    try:
        return _get(data, keys)
    except (KeyError, IndexError, TypeError):
        raise ValueError(f"no value at {keys!r} in {doc.source}") from None


def _check_changes(changes: Sequence[tuple[Keys, Any]]) -> None:
    seen = {keys for keys, _ in changes}
    if len(seen) != len(changes):
        raise ValueError("two changes replace the same value")
    for keys in seen:
        for depth in range(len(keys)):
            if keys[:depth] in seen:
                raise ValueError(f"the change at {keys!r} is inside the change at {keys[:depth]!r}")


def _apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end, replacement in sorted(edits):
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


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
