from __future__ import annotations

import pytest

from sfnxr.paths import check_path_value


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
