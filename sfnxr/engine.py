"""Running a command over files: read each document, find its definitions (sfnxr.containers: a bare
definition, the state machines of a template, a serverless.yml, a Terraform templatefile), apply the pure
pipeline to each, and say what each output would be. A definition a template keeps in a file of its own
(DefinitionUri, ${file(...)}) is processed as a file of its own, its output placed beside the template's.
Nothing is written here: the CLI writes once every file is known to be good, so a mistake in one file
leaves every output untouched."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfnxr.asl import Keys, path_text
from sfnxr.containers import Container, DefinitionSite, Link, LinkContext, load
from sfnxr.documents import DocumentError
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


@dataclass(frozen=True)
class TransformPipeline:
    """The transform pipeline. Containers read its proxy ARN (to write it in each one's style) and, for
    --add-proxy, its wiring."""

    options: TransformOptions
    wiring: Any = None  # sfnxr.containers.wiring.Wiring

    def __call__(self, definition: Mapping[str, Any], base: Keys) -> Result:
        return transform_definition(definition, self.options, base)

    @property
    def proxy_arn(self) -> str | None:
        return self.options.proxy_arn


def transform_pipeline(options: TransformOptions, wiring: Any = None) -> Pipeline:
    return TransformPipeline(options, wiring)


@dataclass(frozen=True)
class RestorePipeline:
    """The restore pipeline; in a template, what --add-proxy added is taken out too (`unwire`)."""

    unwire: bool = True

    def __call__(self, definition: Mapping[str, Any], base: Keys) -> Result:
        return restore_definition(definition, base)


def restore_pipeline() -> Pipeline:
    return RestorePipeline()


def explain_pipeline(options: TransformOptions) -> Pipeline:
    """What transform would route; for a file that is already rewritten, what it routes now."""

    def run(definition: Mapping[str, Any], base: Keys) -> Result:
        result = transform_definition(definition, options, base)
        if not result.routed and not result.problems:
            result.routed = routed_tasks(definition, base)
        return result

    return run


@dataclass
class _Linked:
    """What `run_groups` hands `process` without changing its signature: how to make the pipeline of a
    linked definition, and (back) the outcomes of the linked definitions."""

    pipeline_for: Callable[[str], Pipeline] | None
    outcomes: list[FileOutcome] = field(default_factory=list)


_LINKED: ContextVar[_Linked | None] = ContextVar("sfnxr_linked", default=None)


def process(source: str, target: str | None, pipeline: Pipeline) -> FileOutcome:
    """One file. The definition files it links to are processed too (see `process_group`); under
    `run_groups` their outcomes go to the group, else they are dropped."""
    linked = _LINKED.get()
    group = process_group(source, target, pipeline, linked.pipeline_for if linked is not None else None)
    if linked is not None:
        linked.outcomes = group[1:]
    return group[0]


def process_group(
    source: str,
    target: str | None,
    pipeline: Pipeline,
    pipeline_for: Callable[[str], Pipeline] | None = None,
    context: LinkContext | None = None,
) -> list[FileOutcome]:
    """The file's outcome, followed by those of the definition files it links to (SAM DefinitionUri,
    Serverless ${file(...)}): each is rewritten through the same pipeline, into the place beside the
    file's own output (see `linked_target`)."""
    outcome = FileOutcome(source=source, target=target)
    try:
        container = load(source, context)
    except DocumentError as error:
        outcome.errors.append(Message(error.source, error.line, error.message))
        return [outcome]
    except OSError as error:
        outcome.errors.append(Message(_display(source), None, f"cannot read: {error.strerror or error}"))
        return [outcome]
    for refusal in container.refusals:
        outcome.errors.append(Message(container.source, refusal.line, refusal.message))

    wiring = getattr(pipeline, "wiring", None) if context is None else None
    plan = wiring.plan(container) if wiring is not None else None
    if plan is not None:
        outcome.errors.extend(Message(container.source, line, text) for line, text in plan.problems)
    proxy = getattr(pipeline, "proxy_arn", None)
    changes: list[tuple[Keys, Any]] = []
    for site in container.sites:
        form = plan.proxy_form(site) if plan is not None else _proxy_form(site, proxy)
        changes.extend(_run_site(container, site, pipeline, outcome, form))

    if getattr(pipeline, "unwire", False) and context is None:
        from sfnxr.containers.wiring import unwire_changes

        changes.extend(unwire_changes(container))
    group = [outcome]
    for link in container.links:
        group.extend(_run_link(container, link, source, target, pipeline, pipeline_for, outcome, changes))
    if plan is not None and not any(member.errors for member in group):
        routed = [pair for member in group for pair in member.routed]
        template_changes, problems = plan.template_changes(routed, target)
        outcome.errors.extend(Message(container.source, line, text) for line, text in problems)
        changes.extend(template_changes)
    if any(member.errors for member in group):
        return group
    outcome.new_text = container.render(changes) if changes else container.text
    if target is not None:
        outcome.old_text = container.text if target in (source, STDIO) else _read_existing(target)
    return group


def _proxy_form(site: DefinitionSite, proxy: str | None) -> Any:
    make = getattr(site, "proxy_form", None)
    return make(proxy) if make is not None and proxy is not None else None


def _run_site(
    container: Container, site: DefinitionSite, pipeline: Pipeline, outcome: FileOutcome, form: Any
) -> list[tuple[Keys, Any]]:
    problems = site.problems()
    refused = [problem.keys[:-1] for problem in problems]
    result = pipeline(site.definition, ())
    problems.extend(
        problem
        for problem in result.problems
        if not any(problem.keys[: len(keys)] == keys for keys in refused)
    )
    problems.extend(site.check(result.changes))
    for problem in problems:
        outcome.errors.append(
            Message(
                container.source,
                site.placeable_line(problem.keys),
                _labelled(site.label, site.message(problem.message)),
                _state_path(problem.keys),
            )
        )
    outcome.routed.extend((site.label, task) for task in result.routed)
    return site.changes(result.changes, form) if not problems else []


def _labelled(label: str | None, text: str) -> str:
    return f"{label}: {text}" if label else text


def _run_link(
    container: Container,
    link: Link,
    source: str,
    target: str | None,
    pipeline: Pipeline,
    pipeline_for: Callable[[str], Pipeline] | None,
    outcome: FileOutcome,
    changes: list[tuple[Keys, Any]],
) -> list[FileOutcome]:
    what = "DefinitionUri" if link.pattern == "{}" else "definition"
    if not os.path.isfile(link.path):
        outcome.errors.append(
            Message(
                container.source,
                link.line,
                f"{link.label}: {what} {link.reference}: no such file ({link.path})",
            )
        )
        return []
    link_target, to_stdout = linked_target(source, target, link.path)
    context = LinkContext(link.label, container.source, link.substitutions)
    link_pipeline = pipeline_for(link.path) if pipeline_for is not None else pipeline
    group = process_group(link.path, link_target, link_pipeline, pipeline_for, context)
    if to_stdout and group[0].changed:
        outcome.errors.append(
            Message(
                container.source,
                link.line,
                f"{link.label}: the definition is in {link.path} ({what}), which sfnxr writes beside this "
                "file's output: write the output with -o, --out-dir or --in-place",
            )
        )
    if link_target is not None and target not in (None, STDIO) and link_target != link.path:
        reference = _relative_reference(link_target, os.path.dirname(str(target)))
        if os.path.normpath(reference) != os.path.normpath(link.reference):
            changes.append((link.keys, link.written(reference)))
    return group


def linked_target(source: str, target: str | None, linked: str) -> tuple[str | None, bool]:
    """Where a linked definition's output goes, and whether the container's own output is stdout.

    In place (or compared with itself) when the container is; else at the same place relative to the
    container's output as the definition is to the container, with `.sfnxr` in its name where that place
    is the definition itself (an output written beside its input)."""
    if target is None:
        return None, False
    if target == STDIO:
        return linked, True
    if source != STDIO and _same_path(target, source):
        return linked, False
    relative = os.path.relpath(linked, os.path.dirname(source) or ".") if source != STDIO else linked
    candidate = os.path.normpath(os.path.join(os.path.dirname(target), relative))
    if _same_path(candidate, linked):
        directory, name = os.path.split(candidate)
        stem, dot, rest = name.partition(".")
        candidate = os.path.join(directory, f"{stem}.sfnxr{dot}{rest}")
    return candidate, False


def _same_path(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _relative_reference(path: str, directory: str) -> str:
    """`path` relative to `directory`, with forward slashes, as templates write paths."""
    return posixpath.join(*os.path.relpath(path, directory or ".").split(os.sep))


def _state_path(keys: Keys) -> str | None:
    for index in range(len(keys) - 1, 0, -1):
        if keys[index - 1] == "States" and isinstance(keys[index], str):
            return path_text(keys[: index + 1])
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


def run_groups(
    pairs: Iterable[tuple[str, str | None]], pipeline_for: Callable[[str], Pipeline]
) -> list[list[FileOutcome]]:
    """Each file's outcome followed by those of the definition files it links to."""
    groups = []
    for source, target in pairs:
        linked = _Linked(pipeline_for)
        token = _LINKED.set(linked)
        try:
            outcome = process(source, target, pipeline_for(source))
        finally:
            _LINKED.reset(token)
        groups.append([outcome, *linked.outcomes])
    return groups


def flatten(groups: Iterable[list[FileOutcome]]) -> list[FileOutcome]:
    """The outcomes of `run_groups`, a linked definition met twice (two templates naming it, or also given
    itself) once."""
    outcomes: list[FileOutcome] = []
    seen: set[tuple[str, str | None]] = set()
    for group in groups:
        for outcome in group:
            key = (_key(outcome.source), None if outcome.target is None else _key(outcome.target))
            if key not in seen:
                seen.add(key)
                outcomes.append(outcome)
    return outcomes


def _key(path: str) -> str:
    return path if path == STDIO else os.path.realpath(path)


def run_all(
    pairs: Iterable[tuple[str, str | None]], pipeline_for: Callable[[str], Pipeline]
) -> list[FileOutcome]:
    """`pipeline_for(source)` gives each file its pipeline (config rules can depend on the file's path)."""
    return flatten(run_groups(pairs, pipeline_for))
