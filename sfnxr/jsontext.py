"""JSON text: parsing (duplicate keys, NaN and out-of-range numbers refused, with their lines) and
rendering by splicing.

`json.loads` parses; `jsonspans` finds where values sit, lazily, only for the values that are
replaced or asked about. A new value is written in the file's style (indent unit, spacing, escaping,
line endings, one line where the old value was on one line), and every part of it equal to a part of
the old value keeps that part's text.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sfnxr import jsonspans
from sfnxr.docbase import BOM, PLAIN, DocumentError, apply_edits, kind_of, match_items, same
from sfnxr.jsonspans import JsonIndex, Keys, Member

# A value that was written on one line stays on one line while it fits in this many columns
# (in a minified file, always).
COMPACT_WIDTH = 100


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


def parse_json(source: str, body: str) -> Any:
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
            f"the top level must be a JSON object, not {kind_of(data)}",
        )
    return data


class JsonState:
    """What rendering and line lookups need, built from the text when first asked for."""

    def __init__(self, text: str) -> None:
        self.bom = BOM if text.startswith(BOM) else ""
        self.body = text.removeprefix(BOM)
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


def render_json(source: str, original: str, state: JsonState, changes: Sequence[tuple[Keys, Any]]) -> str:
    """`original` (whose parts `state` indexes) with the value at each `keys` replaced."""
    writer = _JsonWriter(state)
    edits: list[tuple[int, int, str]] = []
    for keys, value in changes:
        member = state.index.locate(keys)
        if member is None:
            raise ValueError(f"no value at {keys!r} in {source}")
        text = writer.replace(member, value)
        if text is not None:
            edits.append((member.value_start, member.value_end, text))
    if not edits:
        return original
    return state.bom + apply_edits(state.body, edits)


class _Old(NamedTuple):
    """An old value and where its text is."""

    member: Member
    data: Any


class _JsonWriter:
    """Writes a new value in the file's style; the parts equal to an old value keep that value's text.

    Old values are read from the text, never from `Document.data`, which the caller may have changed.
    """

    def __init__(self, state: JsonState) -> None:
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
        if same(value, old.data):
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
                if old is not None and same(value, old.data):
                    return self.body[old.member.value_start : old.member.value_end]
                return self._scalar(value)
            value = dict(value)
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        if isinstance(value, dict) and (old is None or not same(value, old.data)):
            # A value that was elsewhere before (restore lifts `parameters` back into `Parameters`)
            # keeps the text it had there.
            old = self._moved(value) or old
        inner, close = base + self.style.unit, base
        if old is not None:
            reused = self._reuse(old, base) if same(value, old.data) else None
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
        places = match_items(value, old.data if old is not None and olds else [])
        parts = [
            self._item(item, None if place is None else olds[place], inner, compact)
            for item, place in zip(value, places, strict=True)
        ]
        return self._container("[", parts, "]", inner, close, compact)

    def _item(self, value: Any, old: _Old | None, base: str, compact: _Spacing | None) -> str:
        """`write`, with its two commonest cases inlined: an unchanged value, and a new scalar."""
        if old is not None and same(value, old.data):
            reused = self._reuse(old, base)
            if reused is not None:
                return reused
        elif old is None and type(value) in PLAIN:
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
            if same(value, data):
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
