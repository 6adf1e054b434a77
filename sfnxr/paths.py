"""Checking the JSONPath values of a state: reference paths, context paths, variables, intrinsic functions.

`check_path_value` returns an error message or None. jsonpath-ng parses the paths; it is imported only
when a path is actually checked, so definitions without paths never pay for it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

INTRINSICS = frozenset(
    {
        "States.Format",
        "States.StringToJson",
        "States.JsonToString",
        "States.Array",
        "States.ArrayPartition",
        "States.ArrayContains",
        "States.ArrayRange",
        "States.ArrayGetItem",
        "States.ArrayLength",
        "States.ArrayUnique",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.JsonMerge",
        "States.MathRandom",
        "States.MathAdd",
        "States.StringSplit",
        "States.UUID",
    }
)

# "$myVar" and "$myVar.field" read workflow variables (Step Functions variables, 2024).
_VARIABLE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)")


def check_path_value(value: Any) -> str | None:
    """Check the value of a `.$` field: a JSONPath, a `$$` context path, a variable, or an intrinsic call."""
    if not isinstance(value, str):
        return f"must be a string path, not {type(value).__name__}"
    text = value.strip()
    if text.startswith("States."):
        return _check_intrinsic(text)
    return check_path(text)


def check_path(path: str) -> str | None:
    if not path.startswith("$"):
        return f"{path!r} is not a JSONPath (it must start with '$')"
    if path.startswith("$$"):
        body = path[1:]
    else:
        variable = _VARIABLE.match(path)
        body = "$" + path[variable.end() :] if variable else path
    if _parses(body):
        return None
    return f"{path!r} is not a valid JSONPath"


# Most paths are plain member/index chains; they are checked here, and only the rest (filters, slices,
# recursive descent...) go to jsonpath-ng, whose parser tables take tens of milliseconds to build.
_PLAIN_PATH = re.compile(r"\$(?:\.[A-Za-z_][\w-]*|\.\*|\[\d+\]|\[\*\]|\['[^'\\]*'\]|\[\"[^\"\\]*\"\])*")


@cache
def _parses(path: str) -> bool:
    if _PLAIN_PATH.fullmatch(path):
        return True
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext.parser import parse

    try:
        parse(path)
    except (JsonPathParserError, JsonPathLexerError, ValueError, TypeError, AttributeError):
        return False
    return True


_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<literal>true|false|null)"
    r"|(?P<name>States\.[A-Za-z0-9]+)(?=\s*\()|(?P<open>\()|(?P<close>\))|(?P<comma>,)"
    r"|(?P<path>\$[^,()]*))"
)


def _check_intrinsic(text: str) -> str | None:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                break
            return f"intrinsic function {text!r}: cannot read {text[position:]!r}"
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind).strip()))
        position = match.end()
    try:
        end, problem = _parse_call(tokens, 0)
    except IndexError:
        return f"intrinsic function {text!r}: unbalanced parentheses"
    if problem:
        return f"intrinsic function {text!r}: {problem}"
    if end != len(tokens):
        return f"intrinsic function {text!r}: unexpected text after the call"
    return None


def _parse_call(tokens: list[tuple[str, str]], index: int) -> tuple[int, str | None]:
    kind, name = tokens[index]
    if kind != "name":
        return index, "expected a States.* function"
    if name not in INTRINSICS:
        return index, f"unknown function {name}"
    if tokens[index + 1][0] != "open":
        return index, f"{name} must be followed by '('"
    index += 2
    if tokens[index][0] == "close":
        return index + 1, None
    while True:
        kind, value = tokens[index]
        if kind == "name":
            index, problem = _parse_call(tokens, index)
            if problem:
                return index, problem
        elif kind == "path":
            problem = check_path(value)
            if problem:
                return index, problem
            index += 1
        elif kind in ("string", "number", "literal"):
            index += 1
        else:
            return index, f"unexpected {value!r} in the arguments of {name}"
        kind, value = tokens[index]
        if kind == "close":
            return index + 1, None
        if kind != "comma":
            return index, f"expected ',' or ')' in the arguments of {name}, found {value!r}"
        index += 1
