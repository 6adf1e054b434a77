"""What the document modules share: the error they raise for bad input, and the pieces both splice
renderers are built on (strict comparison of values, pairing of list items, applying text edits).

`documents` is the public API; `jsontext`, `yamltext` and `yamlsplice` do the work for each format.
They all raise `DocumentError`, which lives here so that none of them has to import `documents`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

BOM = "\ufeff"


class DocumentError(Exception):
    """A problem with an input file, worded for the user, with the line where it is when known."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        super().__init__(f"{source}:{line}: {message}" if line is not None else f"{source}: {message}")


def kind_of(value: Any, array: str = "an array") -> str:
    if isinstance(value, list):
        return array
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "null" if value is None else type(value).__name__


def tag_of(value: Any) -> str | None:
    tag = getattr(value, "tag", None)
    text = getattr(tag, "value", tag)
    return text if isinstance(text, str) else None


PLAIN = frozenset({str, int, float, bool, type(None)})


def same(a: Any, b: Any) -> bool:
    """Equal and of the same kinds all the way down (True is not 1, 1 is not 1.0, key order counts)."""
    if a is b:
        return True
    kind = type(a)
    if kind is type(b):
        if kind in PLAIN:
            return bool(a == b)
        if kind is dict:
            return len(a) == len(b) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
        if kind is list:
            return len(a) == len(b) and all(map(same, a, b))
    if tag_of(a) != tag_of(b):
        return False
    if isinstance(a, Mapping):
        return (
            isinstance(b, Mapping)
            and len(a) == len(b)
            and list(a) == list(b)
            and all(same(a[k], b[k]) for k in a)
        )
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(b, (Mapping, list, tuple)):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return isinstance(a, float) == isinstance(b, float) and a == b
    if tag_of(a) is not None:
        return same(getattr(a, "value", None), getattr(b, "value", None))
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return type(a) is type(b) and bool(a == b)


def match_items(new: Sequence[Any], old: Sequence[Any]) -> list[int | None]:
    """For each new item, the index of the old item it reuses: an equal one if there is one left,
    else the one at the same index if that is not taken, else None."""
    unused = set(range(len(old)))
    places: list[int | None] = [None] * len(new)
    if len(new) * len(old) <= 10_000:
        for i, item in enumerate(new):
            found = next((j for j in sorted(unused) if same(item, old[j])), None)
            if found is not None:
                unused.discard(found)
                places[i] = found
    for i in range(len(new)):
        if places[i] is None and i in unused:
            unused.discard(i)
            places[i] = i
    return places


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end, replacement in sorted(edits):
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)
