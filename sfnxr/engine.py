"""Running a command over files: read each document, find its definitions, apply the pure pipeline,
and say what each output would be. Nothing is written here: the CLI writes once every file is known
to be good, so a mistake in one file leaves every output untouched."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfnxr.asl import Keys, NotAStateMachine, path_text
from sfnxr.containers import find_definitions
from sfnxr.documents import Document, DocumentError, read_document
from sfnxr.routes import Problem
from sfnxr.transform import (
    Result,
    RoutedTask,
    TransformOptions,
    restore_definition,
    routed_tasks,
    transform_definition,
)

STDIO = "-"


@dataclass(frozen=True)
class Message:
    source: str
    line: int | None
    text: str
    state: str | None = None  # readable state path, when the message is about a state

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.text}" if self.line else f"{self.source}: {self.text}"


@dataclass
class FileOutcome:
    source: str  # the input as the user named it ("-" for stdin)
    target: str | None = None  # where the output goes ("-" for stdout); None: nowhere (explain)
    old_text: str | None = None  # the target's current content; None when it does not exist
    new_text: str | None = None
    errors: list[Message] = field(default_factory=list)
    routed: list[tuple[str | None, RoutedTask]] = field(default_factory=list)  # (definition label, task)

    @property
    def changed(self) -> bool:
        return self.new_text is not None and self.new_text != self.old_text


Pipeline = Callable[[Mapping[str, Any], Keys], Result]


def transform_pipeline(options: TransformOptions) -> Pipeline:
    return lambda definition, base: transform_definition(definition, options, base)


def restore_pipeline() -> Pipeline:
    return restore_definition


def explain_pipeline(options: TransformOptions) -> Pipeline:
    """What transform would route; for a file that is already rewritten, what it routes now."""

    def run(definition: Mapping[str, Any], base: Keys) -> Result:
        result = transform_definition(definition, options, base)
        if not result.routed and not result.problems:
            result.routed = routed_tasks(definition, base)
        return result

    return run


def process(source: str, target: str | None, pipeline: Pipeline) -> FileOutcome:
    outcome = FileOutcome(source=source, target=target)
    try:
        document = read_document(source)
    except DocumentError as error:
        outcome.errors.append(Message(error.source, error.line, error.message))
        return outcome
    except OSError as error:
        outcome.errors.append(Message(_display(source), None, f"cannot read: {error.strerror or error}"))
        return outcome
    try:
        sites = find_definitions(document.data)
    except NotAStateMachine as error:
        outcome.errors.append(Message(document.source, _line(document, error.keys), str(error)))
        return outcome

    changes: list[tuple[Keys, Any]] = []
    for site in sites:
        result = pipeline(site.definition, site.keys)
        for problem in result.problems:
            outcome.errors.append(_message(document, problem))
        changes.extend(result.changes)
        outcome.routed.extend((site.label, task) for task in result.routed)
    if outcome.errors:
        return outcome
    outcome.new_text = document.render(changes) if changes else document.text
    if target is not None:
        outcome.old_text = document.text if target in (source, STDIO) else _read_existing(target)
    return outcome


def _message(document: Document, problem: Problem) -> Message:
    state = _state_path(problem.keys)
    return Message(document.source, _line(document, problem.keys), problem.message, state)


def _state_path(keys: Keys) -> str | None:
    for index in range(len(keys) - 1, 0, -1):
        if keys[index - 1] == "States" and isinstance(keys[index], str):
            return path_text(keys[: index + 1])
    return None


def _line(document: Document, keys: Keys) -> int | None:
    """The line of the innermost part of `keys` that the document can place."""
    for end in range(len(keys), -1, -1):
        line = document.line_of(keys[:end])
        if line is not None:
            return line
    return None


def _read_existing(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError):
        return ""  # unreadable as text: treat as different, the write will say what is wrong


def _display(source: str) -> str:
    return "<stdin>" if source == STDIO else source


def mirrored_target(source: str, out_dir: str) -> str:
    """--out-dir keeps each input's path relative to the working directory."""
    relative = os.path.relpath(os.path.abspath(source))
    if relative.startswith(os.pardir + os.sep) or relative == os.pardir or os.path.isabs(relative):
        raise ValueError(
            f"{source}: --out-dir mirrors paths below the working directory, and this input is outside it"
        )
    return os.path.join(out_dir, relative)


def run_all(
    pairs: Iterable[tuple[str, str | None]], pipeline_for: Callable[[str], Pipeline]
) -> list[FileOutcome]:
    """`pipeline_for(source)` gives each file its pipeline (config rules can depend on the file's path)."""
    return [process(source, target, pipeline_for(source)) for source, target in pairs]
