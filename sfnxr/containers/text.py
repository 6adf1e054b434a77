"""JSON text with template placeholders: a definition inside a string (CloudFormation `Fn::Sub`,
`Fn::Join`, a plain `DefinitionString`) or a Terraform templatefile.

The text is not JSON until the placeholders are filled in. To read it, each placeholder that would
not survive a JSON parse is swapped for a token:

- inside a JSON string, a placeholder stays as it is (`"arn:aws:lambda:${Region}:..."` is a string
  with `${Region}` in it), unless it holds a colon (`${AWS::Partition}`: an ARN's parts are split at
  colons), a quote, a backslash or a control character; those become `${AWS..Partition}`-like tokens;
- outside strings (`"Retry": ${retry_statement}`), a placeholder becomes a JSON string token:
  `"${retry_statement}"`, or `"${sfnxr.N}"` where that string is already in the text.

The tokenized text is parsed with the documents API, so a change renders in the text's own style;
the tokens are then swapped back, so every placeholder survives byte for byte.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sfnxr.asl import Keys, NotAStateMachine, check_state_machine
from sfnxr.documents import Document, DocumentError, innermost_line, parse_document

Syntax = Literal["sub", "terraform"]

_SPECIAL = re.compile(r'["\\$%]')
_UNSAFE_IN_STRING = re.compile(r'["\\\x00-\x1f:]')


class TemplateError(ValueError):
    """The text cannot be read as a template of JSON; `offset` is where in the text, when known."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Placeholder:
    start: int
    end: int
    in_string: bool

    def text(self, source: str) -> str:
        return source[self.start : self.end]


def find_placeholders(text: str, syntax: Syntax) -> list[Placeholder]:
    """Every `${...}` in `text`, knowing whether it sits inside a JSON string.

    Terraform: `$${` and `%%{` are escapes, `${...}` may nest braces and hold HCL strings, and a
    `%{...}` directive is refused. Fn::Sub: `${...}` ends at the first `}` (`${!Literal}` included).
    """
    found: list[Placeholder] = []
    in_string = False
    position = 0
    length = len(text)
    while True:
        match = _SPECIAL.search(text, position)
        if match is None:
            break
        i = match.start()
        char = text[i]
        if char == '"':
            in_string = not in_string
            position = i + 1
        elif char == "\\":
            position = i + 2 if in_string else i + 1
        elif char == "$":
            if syntax == "terraform" and text.startswith("$${", i):
                position = i + 3
            elif text.startswith("${", i):
                end = _placeholder_end(text, i, syntax)
                found.append(Placeholder(i, end, in_string))
                position = end
            else:
                position = i + 1
        elif syntax == "terraform" and text.startswith("%%{", i):  # "%"
            position = i + 3
        elif syntax == "terraform" and text.startswith("%{", i):
            raise TemplateError(
                "a Terraform template directive (%{ ... }) is not supported: sfnxr reads templates "
                "whose only template syntax is ${...} interpolation",
                i,
            )
        else:
            position = i + 1
        if position > length:
            break
    return found


def _placeholder_end(text: str, start: int, syntax: Syntax) -> int:
    if syntax == "sub":
        end = text.find("}", start + 2)
        if end < 0:
            raise TemplateError("a ${ placeholder has no closing }", start)
        return end + 1
    depth = 0
    i = start + 1
    length = len(text)
    while i < length:
        char = text[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif char == '"':  # an HCL string inside the interpolation
            i += 1
            while i < length and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                elif text.startswith("${", i):
                    i = _placeholder_end(text, i, syntax) - 1
                i += 1
        i += 1
    raise TemplateError("a ${ interpolation has no closing }", start)


@dataclass(frozen=True)
class _Swap:
    start: int  # in the original text
    end: int
    token: str  # what stands in the tokenized text


class Tokenized:
    """A template text with its placeholders swapped for tokens, and the way back."""

    def __init__(self, text: str, syntax: Syntax) -> None:
        self.original = text
        self.placeholders = find_placeholders(text, syntax)
        self.tokens: dict[str, str] = {}  # token as it stands in the text -> the placeholder's text
        names: dict[tuple[str, bool], str] = {}
        swaps: list[_Swap] = []
        counter = 0
        for placeholder in self.placeholders:
            original = placeholder.text(text)
            if placeholder.in_string and not _UNSAFE_IN_STRING.search(original[2:-1]):
                continue
            key = (original, placeholder.in_string)
            token = names.get(key)
            if token is None:
                token, counter = self._new_token(original, placeholder.in_string, counter)
                names[key] = token
                self.tokens[token] = original
            swaps.append(_Swap(placeholder.start, placeholder.end, token))
        self._swaps = swaps
        parts: list[str] = []
        position = 0
        for swap in swaps:
            parts.append(text[position : swap.start])
            parts.append(swap.token)
            position = swap.end
        parts.append(text[position:])
        self.text = "".join(parts)
        self._pattern = (
            re.compile("|".join(re.escape(token) for token in sorted(self.tokens, key=len, reverse=True)))
            if self.tokens
            else None
        )
        self._line_shifts = self._shifts()

    def _new_token(self, original: str, in_string: bool, counter: int) -> tuple[str, int]:
        readable: str | None = None
        if in_string:
            stand_in = original.replace("::", "..")
            if not _UNSAFE_IN_STRING.search(stand_in[2:-1]):
                readable = stand_in
        elif not re.search(r'["\\\x00-\x1f]', original):
            readable = f'"{original}"'
        candidates = [readable] if readable else []
        while True:
            for candidate in candidates:
                if candidate not in self.original and candidate not in self.tokens:
                    return candidate, counter
            counter += 1
            plain = f"${{sfnxr.{counter}}}"
            candidates = [f'"{plain}"' if not in_string else plain]

    def _shifts(self) -> list[tuple[int, int]]:
        """(tokenized line where a multi-line placeholder starts, lines lost after it so far)."""
        shifts: list[tuple[int, int]] = []
        lost = 0
        tokenized_offset = 0
        position = 0
        for swap in self._swaps:
            tokenized_offset += swap.start - position
            lines = self.original.count("\n", swap.start, swap.end)
            if lines:
                lost += lines
                shifts.append((self.text.count("\n", 0, tokenized_offset) + 1, lost))
            tokenized_offset += len(swap.token)
            position = swap.end
        return shifts

    def original_offset(self, offset: int) -> int:
        """The offset in the original text of an offset in the tokenized text (a token's start for any
        offset inside it)."""
        shift = 0
        tokenized = 0
        position = 0
        for swap in self._swaps:
            token_start = tokenized + (swap.start - position)
            if offset < token_start:
                break
            if offset < token_start + len(swap.token):
                return swap.start
            shift += (swap.end - swap.start) - len(swap.token)
            tokenized = token_start + len(swap.token)
            position = swap.end
        return offset + shift

    def original_line(self, line: int) -> int:
        """The line of the original text for a line of the tokenized text."""
        if not self._line_shifts:
            return line
        index = bisect.bisect_left(self._line_shifts, (line, -1))  # shifts on lines before `line`
        return line + (self._line_shifts[index - 1][1] if index else 0)

    def restore(self, text: str) -> str:
        """A tokenized text (rendered, perhaps changed) with the placeholders back in place of tokens."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self.tokens[match.group()], text)

    def restore_value(self, value: Any) -> Any:
        """A value read from the tokenized text, with its tokens swapped back (for messages and checks)."""
        if isinstance(value, str):
            if self._pattern is None:
                return value
            quoted = self.tokens.get(f'"{value}"')
            return quoted if quoted is not None else self.restore(value)
        if isinstance(value, Mapping):
            return {self.restore_value(key): self.restore_value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.restore_value(item) for item in value]
        return value

    def is_hole(self, value: Any) -> bool:
        """Whether `value` is a token that stands for a placeholder outside any string."""
        return isinstance(value, str) and f'"{value}"' in self.tokens

    def hole_text(self, value: str) -> str:
        return self.tokens[f'"{value}"']


LineMap = Callable[[int], "int | None"]


class EmbeddedJson:
    """A JSON definition inside a template text, read through the documents API.

    `line_map` turns a line of the (original) text into a line of the file it sits in.
    """

    def __init__(self, source: str, text: str, syntax: Syntax, line_map: LineMap) -> None:
        self.source = source
        self.line_map = line_map
        try:
            self.tokens = Tokenized(text, syntax)
        except TemplateError as error:
            line = None if error.offset is None else text.count("\n", 0, error.offset) + 1
            raise DocumentError(source, self._file_line(line), str(error)) from None
        try:
            self.document: Document = parse_document(
                source, self.tokens.text.encode("utf-8"), format_hint="json"
            )
        except DocumentError as error:
            line = None if error.line is None else self.tokens.original_line(error.line)
            raise DocumentError(source, self._file_line(line), error.message) from None

    @property
    def data(self) -> Any:
        return self.document.data

    def _file_line(self, line: int | None) -> int | None:
        return None if line is None else self.line_map(line)

    def line_of(self, keys: Keys) -> int | None:
        line = self.document.line_of(keys)
        return None if line is None else self._file_line(self.tokens.original_line(line))

    def render(self, changes: Sequence[tuple[Keys, Any]]) -> str:
        """The original text with the changes made (placeholders byte for byte as they were)."""
        if not changes:
            return self.tokens.original
        return self.tokens.restore(self.document.render(changes))

    def message(self, text: str) -> str:
        return self.tokens.restore(text)


def check_embedded(embedded: EmbeddedJson) -> None:
    """Raise DocumentError, at the file's line, unless the text holds a state machine."""
    try:
        check_state_machine(embedded.data)
    except NotAStateMachine as error:
        raise DocumentError(
            embedded.source, innermost_line(embedded.line_of, error.keys), str(error)
        ) from None


def json_offset(text: str, keys: Keys) -> int | None:
    """Where the value at `keys` starts in a JSON text (for an object member: its key), or None.

    A small scanner for texts the documents API does not place by offset (a `Fn::Join`'s pieces).
    """
    position = _skip_ws(text, 0)
    member_start = position
    for key in keys:
        if position >= len(text):
            return None
        opener = text[position]
        if opener == "{" and isinstance(key, str):
            found = _find_member(text, position, key)
        elif opener == "[" and isinstance(key, int):
            found = _find_item(text, position, key)
        else:
            return None
        if found is None:
            return None
        member_start, position = found
    return member_start


def _skip_ws(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _skip_string(text: str, position: int) -> int:
    """`position` at an opening quote; returns the position after the closing one."""
    i = position + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == '"':
            return i + 1
        i += 1
    return len(text)


def _skip_value(text: str, position: int) -> int:
    position = _skip_ws(text, position)
    if position >= len(text):
        return position
    char = text[position]
    if char == '"':
        return _skip_string(text, position)
    if char in "{[":
        depth = 0
        i = position
        while i < len(text):
            c = text[i]
            if c == '"':
                i = _skip_string(text, i)
                continue
            if c in "{[":
                depth += 1
            elif c in "}]":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return len(text)
    i = position
    while i < len(text) and text[i] not in ",}] \t\r\n":
        i += 1
    return i


def _find_member(text: str, position: int, key: str) -> tuple[int, int] | None:
    import json

    i = _skip_ws(text, position + 1)
    while i < len(text) and text[i] == '"':
        key_end = _skip_string(text, i)
        try:
            name = json.loads(text[i:key_end])
        except ValueError:
            return None
        colon = _skip_ws(text, key_end)
        if colon >= len(text) or text[colon] != ":":
            return None
        value = _skip_ws(text, colon + 1)
        if name == key:
            return i, value
        i = _skip_ws(text, _skip_value(text, value))
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
    return None


def _find_item(text: str, position: int, index: int) -> tuple[int, int] | None:
    i = _skip_ws(text, position + 1)
    current = 0
    while i < len(text) and text[i] != "]":
        if current == index:
            return i, i
        i = _skip_ws(text, _skip_value(text, i))
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
        current += 1
    return None
