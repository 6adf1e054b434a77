"""Walking an Amazon States Language definition: every state, at any depth, with its path.

Pure functions over plain data (dicts and lists as json or ruamel.yaml load them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Keys = tuple[str | int, ...]
QueryLanguage = Literal["JSONPath", "JSONata"]

QUERY_LANGUAGES: tuple[QueryLanguage, ...] = ("JSONPath", "JSONata")
NESTED_MACHINE_FIELDS = ("Branches", "ItemProcessor", "Iterator")  # Parallel, Map, legacy Map


@dataclass(frozen=True)
class StateRef:
    """One state of a definition: where it sits and which query language applies to it."""

    keys: Keys  # from the definition's root to the state object, e.g. ("States", "Fan", "Branches", 1, ...)
    name: str
    state: Mapping[str, Any]
    query_language: QueryLanguage


class NotAStateMachine(ValueError):
    """The data is not an ASL state machine; `keys` points at the offending part."""

    def __init__(self, message: str, keys: Keys = ()) -> None:
        super().__init__(message)
        self.keys = keys


def path_text(keys: Keys) -> str:
    """A readable path: ("States", "Fan", "Branches", 1, "States", "X") -> States.Fan.Branches[1].States.X"""
    out: list[str] = []
    for key in keys:
        if isinstance(key, int):
            out.append(f"[{key}]")
        else:
            out.append(key if not out else f".{key}")
    return "".join(out)


def top_query_language(definition: Mapping[str, Any]) -> QueryLanguage:
    value = definition.get("QueryLanguage", "JSONPath")
    return "JSONata" if value == "JSONata" else "JSONPath"


def check_state_machine(definition: Any) -> None:
    """Raise NotAStateMachine unless `definition` is shaped like a state machine, nested ones included."""
    if not isinstance(definition, Mapping):
        raise NotAStateMachine("not an ASL state machine: the top level is not an object")
    _check_machine(definition, ())
    language = definition.get("QueryLanguage")
    if language is not None and language not in QUERY_LANGUAGES:
        raise NotAStateMachine(
            f"QueryLanguage must be JSONPath or JSONata, not {language!r}", ("QueryLanguage",)
        )


def _check_machine(machine: Mapping[str, Any], keys: Keys) -> None:
    where = f" at {path_text(keys)}" if keys else ""
    states = machine.get("States")
    if "StartAt" not in machine or not isinstance(states, Mapping):
        missing = "States" if not isinstance(states, Mapping) else "StartAt"
        raise NotAStateMachine(
            f"not an ASL state machine{where}: it has no {missing!r}"
            + (" object" if missing == "States" else ""),
            keys,
        )
    for name, state in states.items():
        state_keys = (*keys, "States", name)
        if not isinstance(state, Mapping) or not isinstance(state.get("Type"), str):
            raise NotAStateMachine(f"state {name!r} must be an object with a Type", state_keys)
        for child_keys, child in _nested_machines(state, state_keys):
            if not isinstance(child, Mapping):
                raise NotAStateMachine(
                    f"{path_text(child_keys)} must be an object with StartAt and States", child_keys
                )
            _check_machine(child, child_keys)


def _nested_machines(state: Mapping[str, Any], keys: Keys) -> Iterator[tuple[Keys, Any]]:
    state_type = state.get("Type")
    if state_type == "Parallel":
        branches = state.get("Branches")
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                yield (*keys, "Branches", index), branch
    elif state_type == "Map":
        for field in ("ItemProcessor", "Iterator"):
            if field in state:
                yield (*keys, field), state[field]


def iter_states(definition: Mapping[str, Any], base: Keys = ()) -> Iterator[StateRef]:
    """Every state of the definition, depth first in document order, nested machines included.

    `base` is prepended to each path: the keys from a document's root to this definition.
    """
    top = top_query_language(definition)
    yield from _walk(definition, base, top)


def _walk(machine: Mapping[str, Any], keys: Keys, top: QueryLanguage) -> Iterator[StateRef]:
    states = machine.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        state_keys = (*keys, "States", name)
        language: QueryLanguage = "JSONata" if state.get("QueryLanguage", top) == "JSONata" else "JSONPath"
        yield StateRef(state_keys, str(name), state, language)
        for child_keys, child in _nested_machines(state, state_keys):
            if isinstance(child, Mapping):
                yield from _walk(child, child_keys, top)


def own_fields(state: Mapping[str, Any]) -> dict[str, Any]:
    """A state without the machines nested in it (their states are states of their own)."""
    return {key: value for key, value in state.items() if key not in NESTED_MACHINE_FIELDS}


def get_in(data: Any, keys: Keys) -> Any:
    for key in keys:
        data = data[key]
    return data


def with_replacements(data: Any, changes: Iterable[tuple[Keys, Any]]) -> Any:
    """A copy of `data` with the value at each keys replaced (copying only along the changed paths)."""
    for keys, value in changes:
        data = _replace(data, keys, value)
    return data


def _replace(data: Any, keys: Keys, value: Any) -> Any:
    if not keys:
        return value
    head, rest = keys[0], keys[1:]
    if isinstance(data, list):
        assert isinstance(head, int)
        copy_list = list(data)
        copy_list[head] = _replace(data[head], rest, value)
        return copy_list
    copy = dict(data)
    copy[head] = _replace(data[head], rest, value)
    return copy
