"""Where values sit in JSON text: a small scanner for error lines and for splicing new values in.

`json.loads` does the parsing; this module only finds positions, and only when they are needed, one
container at a time. It assumes text that `json.loads` has accepted. A compiled regex reads a key
(a whole string in one match) with its colon, the C scanner of the json module skips the value, so
Python code runs once per member of the containers looked into, never per character or token.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right, insort
from typing import NamedTuple

Keys = tuple[str | int, ...]

_STRING_BODY = r'"[^"\\]*(?:\\.[^"\\]*)*+"'
_WS = re.compile(r"[ \t\r\n]*+")
_STRING = re.compile(_STRING_BODY, re.DOTALL)
# A key with its colon and the blanks around it (group 1: the key), and what separates two members.
_KEY = re.compile(f"({_STRING_BODY})" + r"[ \t\r\n]*+:[ \t\r\n]*+", re.DOTALL)
_SEPARATOR = re.compile(r"[ \t\r\n]*+,?[ \t\r\n]*+")
# Values are skipped by the json module's C scanner: twice as fast as any regex tried (and the text
# is known to be valid JSON, since json.loads accepted it).
_skip_value = json.JSONDecoder().raw_decode


class Member(NamedTuple):
    """One member of an object (or item of an array): where its key and its value are."""

    key: str | int
    key_start: int  # for array items: same as value_start
    value_start: int
    value_end: int


def skip_ws(text: str, pos: int) -> int:
    m = _WS.match(text, pos)
    assert m is not None  # the pattern matches the empty string
    return m.end()


def value_end(text: str, pos: int) -> int:
    """The end of the JSON value that starts at `pos`."""
    return int(_skip_value(text, pos)[1])


def members(text: str, start: int) -> list[Member]:
    """The direct members of the object or array that starts at `start`, in text order."""
    is_object = text[start] == "{"
    out: list[Member] = []
    pos = skip_ws(text, start + 1)
    index = 0
    while text[pos] not in "}]":
        key: str | int
        if is_object:
            m = _KEY.match(text, pos)
            if m is None:
                raise ValueError(f"no JSON key at offset {pos}")
            raw = m.group(1)
            key = json.loads(raw) if "\\" in raw else raw[1:-1]
            value_start = m.end()
        else:
            key = index
            index += 1
            value_start = pos
        end = int(_skip_value(text, value_start)[1])
        out.append(Member(key, pos, value_start, end))
        sep = _SEPARATOR.match(text, end)
        assert sep is not None
        pos = sep.end()
    return out


class JsonIndex:
    """Positions of values, found lazily: each container's members are scanned once, when first needed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.root_start = skip_ws(text, 0)
        self._tables: dict[int, dict[str | int, Member]] = {}
        self._known_lines: list[tuple[int, int]] = [(0, 1)]  # (offset, line) pairs already counted

    def children(self, start: int) -> dict[str | int, Member]:
        """The members of the container whose value starts at `start`, by key (empty for a scalar)."""
        table = self._tables.get(start)
        if table is None:
            found = members(self.text, start) if self.text[start] in "{[" else []
            table = self._tables[start] = {m.key: m for m in found}
        return table

    def locate(self, keys: Keys) -> Member | None:
        """The member at `keys` (the whole document for `()`), or None when there is none."""
        if not keys:
            return Member("", self.root_start, self.root_start, value_end(self.text, self.root_start))
        start = self.root_start
        member: Member | None = None
        for key in keys:
            member = self.children(start).get(key)
            # An int never names an object member, nor a str an array item.
            if member is None or isinstance(key, int) != isinstance(member.key, int):
                return None
            start = member.value_start
        return member

    def line(self, pos: int) -> int:
        """The 1-based line of offset `pos`: newlines are counted from the nearest offset already known."""
        known = self._known_lines
        start, line = known[bisect_right(known, (pos, 0)) - 1]
        line += self.text.count("\n", start, pos)
        insort(known, (pos, line))
        return line


def line_of_offset(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def find_duplicate_key(text: str) -> tuple[str, int, int] | None:
    """The first key (by position) that repeats a key of the same object: the key and both offsets."""
    best: tuple[str, int, int] | None = None
    stack = [skip_ws(text, 0)]
    while stack:
        start = stack.pop()
        seen: dict[str | int, int] = {}
        for member in members(text, start):
            first = seen.setdefault(member.key, member.key_start)
            if first != member.key_start and (best is None or member.key_start < best[2]):
                best = (str(member.key), first, member.key_start)
            if text[member.value_start] in "{[":
                stack.append(member.value_start)
    return best


def find_outside_strings(text: str, token: str) -> int | None:
    """The offset of the first bare `token` (such as NaN or 1e999) that is not inside a string."""
    pattern = re.compile(_STRING_BODY + r"|(?<![\w.+-])(" + re.escape(token) + r")(?![\w.])", re.DOTALL)
    for m in pattern.finditer(text):
        if m.group(1):
            return m.start(1)
    return None


def without_strings(text: str) -> str:
    """`text` with every string replaced by "" (to look at punctuation and spacing only)."""
    return _STRING.sub('""', text)
