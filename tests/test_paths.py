from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfnxr.paths import _PLAIN_PATH, check_path_value


@pytest.mark.parametrize(
    "value",
    [
        "$",
        "$.a.b",
        "$['a b'].c[0]",
        "$$.Execution.Input.region",
        "$$.Map.Item.Value",
        "$myVariable",
        "$myVariable.field[0]",
        "$.items[?(@.x == 1)]",
        "States.UUID()",
        "States.Format('{} and {}', $.a, $$.Execution.Name)",
        "States.ArrayGetItem(States.StringSplit($.s, ','), 0)",
        "States.JsonToString($.a)",
        "States.MathAdd($.n, -1)",
    ],
)
def test_valid(value: str) -> None:
    assert check_path_value(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a.b", "is not a JSONPath"),
        ("$.a.", "is not a valid JSONPath"),
        ("$[", "is not a valid JSONPath"),
        ("States.Nope($.a)", "unknown function States.Nope"),
        ("States.Format('x', $.a", "unbalanced"),
        ("States.Format('x' $.a)", "expected ',' or ')'"),
        ("States.JsonToString($.a.)", "is not a valid JSONPath"),
        (3, "must be a string path"),
    ],
)
def test_invalid(value: object, message: str) -> None:
    problem = check_path_value(value)
    assert problem is not None and message in problem


segments = st.one_of(
    st.from_regex(r"\.[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True),
    st.just(".*"),
    st.just("[*]"),
    st.integers(min_value=0, max_value=999).map(lambda n: f"[{n}]"),
    st.from_regex(r"\['[A-Za-z0-9 _.-]{0,8}'\]", fullmatch=True),
    st.from_regex(r'\["[A-Za-z0-9 _.-]{0,8}"\]', fullmatch=True),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(segments, max_size=6).map(lambda parts: "$" + "".join(parts)))
def test_the_plain_path_fast_path_agrees_with_jsonpath_ng(path: str) -> None:
    from jsonpath_ng.ext.parser import parse

    assert _PLAIN_PATH.fullmatch(path)
    parse(path)  # raises if jsonpath-ng disagrees
