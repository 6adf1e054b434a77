from __future__ import annotations

import pytest

from sfnxr.asl import NotAStateMachine, check_state_machine, iter_states, path_text

NESTED = {
    "QueryLanguage": "JSONata",
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Loop",
                    "States": {
                        "Loop": {
                            "Type": "Map",
                            "ItemProcessor": {
                                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                "StartAt": "Copy",
                                "States": {
                                    "Copy": {
                                        "Type": "Task",
                                        "QueryLanguage": "JSONPath",
                                        "Resource": "x",
                                        "End": True,
                                    }
                                },
                            },
                            "End": True,
                        },
                        "Legacy": {
                            "Type": "Map",
                            "Iterator": {"StartAt": "Old", "States": {"Old": {"Type": "Pass", "End": True}}},
                            "End": True,
                        },
                    },
                },
            ],
            "End": True,
        }
    },
}


def test_walks_every_state_with_its_path_and_query_language() -> None:
    found = [(path_text(ref.keys), ref.query_language) for ref in iter_states(NESTED)]
    assert found == [
        ("States.Fan", "JSONata"),
        ("States.Fan.Branches[0].States.A", "JSONata"),
        ("States.Fan.Branches[1].States.Loop", "JSONata"),
        ("States.Fan.Branches[1].States.Loop.ItemProcessor.States.Copy", "JSONPath"),
        ("States.Fan.Branches[1].States.Legacy", "JSONata"),
        ("States.Fan.Branches[1].States.Legacy.Iterator.States.Old", "JSONata"),
    ]


def test_base_keys_are_prepended() -> None:
    refs = list(
        iter_states({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, ("Resources", "M"))
    )
    assert refs[0].keys == ("Resources", "M", "States", "A")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the top level is not an object"),
        ({"States": {}}, "no 'StartAt'"),
        ({"StartAt": "A"}, "no 'States' object"),
        ({"StartAt": "A", "States": {"A": {"End": True}}}, "state 'A' must be an object with a Type"),
        (
            {
                "StartAt": "P",
                "States": {"P": {"Type": "Parallel", "Branches": [{"States": {}}], "End": True}},
            },
            "at States.P.Branches[0]: it has no 'StartAt'",
        ),
        (
            {"StartAt": "A", "States": {}, "QueryLanguage": "XPath"},
            "QueryLanguage must be JSONPath or JSONata",
        ),
    ],
)
def test_rejects_what_is_not_a_state_machine(data: object, message: str) -> None:
    with pytest.raises(NotAStateMachine, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_state_machine(data)
