"""Where the ASL definitions sit inside a file, and how a change to a definition becomes a change to the file.

`load(path)` reads a file and finds its state machines (DESIGN.md section 1):

    bare definition      the document itself                          (this module)
    CloudFormation, SAM  AWS::StepFunctions::StateMachine and          cfn.py
                         AWS::Serverless::StateMachine resources
    serverless.yml       stepFunctions.stateMachines.*.definition      serverless.py
    Terraform            a templatefile source (.json.tpl)             terraform.py

Each state machine is a `DefinitionSite`: its definition as plain data (what the pure pipeline reads),
where a key of it is in the file (`line_of`), and how the pipeline's changes become the file's changes
(`changes`): a change inside an object is a change at deeper keys; a change inside a definition kept in a
string (`DefinitionString`, `Fn::Sub`, `Fn::Join`, a templatefile) is a new text for that string, written
in the string's own style with its placeholders kept byte for byte. A definition kept in a file of its own
(SAM `DefinitionUri`, Serverless `${file(...)}`) is a `Link`: the engine reads that file as a bare
definition. What cannot be rewritten (a definition in S3, a link to a missing file) is a `Refusal`.
"""

from __future__ import annotations

import copy
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sfnxr.annotations import has_directive, parse_sdk_resource
from sfnxr.asl import Keys, NotAStateMachine, check_state_machine, iter_states
from sfnxr.documents import MAX_BYTES, Document, DocumentError, innermost_line, parse_document, read_document
from sfnxr.routes import Problem

__all__ = [
    "Container",
    "ContainerError",
    "DefinitionSite",
    "Link",
    "LinkContext",
    "ObjectSite",
    "Refusal",
    "load",
    "merge_changes",
]

Changes = list[tuple[Keys, Any]]


class ContainerError(DocumentError):
    """A file sfnxr will not read as a whole (a Terraform .tf file, say), with the reason."""


@dataclass(frozen=True)
class Refusal:
    """A state machine that cannot be rewritten, and why (reported as an error at `line`)."""

    label: str | None
    line: int | None
    message: str


@dataclass(frozen=True)
class LinkContext:
    """What a linked definition file knows of the template that names it."""

    label: str
    template: str  # the template's path
    substitutions: Mapping[str, Any] = field(default_factory=dict)  # DefinitionSubstitutions


@dataclass(frozen=True)
class Link:
    """A definition kept in a file of its own: SAM `DefinitionUri`, Serverless `definition: ${file(...)}`."""

    label: str
    keys: Keys  # where the reference is written in the container
    reference: str  # the path as written, relative to the container's directory
    path: str  # the file, as the engine opens it (joined to the container's directory)
    line: int | None
    pattern: str = "{}"  # how a reference is written: "{}" or "${{file({})}}"
    substitutions: Mapping[str, Any] = field(default_factory=dict)

    def written(self, reference: str) -> str:
        return self.pattern.format(reference)


class DefinitionSite(ABC):
    """One state machine's definition inside a container.

    Keys given to and returned by a site are relative to the definition (as the pipeline sees it).
    """

    label: str | None  # a template's logical id, a serverless state machine's name; None for a bare file
    definition: Mapping[str, Any]
    base: Keys = ()  # keys from the document's root to the definition, where it is an object in it

    @abstractmethod
    def line_of(self, keys: Keys) -> int | None:
        """The file line of the value at `keys` (None when it cannot be placed)."""

    @abstractmethod
    def changes(self, changes: Sequence[tuple[Keys, Any]], proxy: ProxyForm | None = None) -> Changes:
        """The document's changes for the definition's `changes` (whose keys are relative to it)."""

    def problems(self) -> list[Problem]:
        """What is wrong before the pipeline runs (a Resource sfnxr cannot read statically)."""
        return []

    def check(self, changes: Sequence[tuple[Keys, Any]]) -> list[Problem]:
        """What is wrong with the pipeline's changes once made here (a Retry that is a placeholder)."""
        return []

    def message(self, text: str) -> str:
        """A problem's text as the user wrote the values it quotes (placeholders, not tokens)."""
        return text

    def placeable_line(self, keys: Keys) -> int | None:
        """The line of the innermost part of `keys` that can be placed."""
        return innermost_line(self.line_of, keys)


@dataclass(frozen=True)
class ProxyForm:
    """How the rewritten tasks of one state machine name the proxy.

    `value` is what the pipeline wrote (the proxy ARN option, or a `${Placeholder}`); `object_value` is
    what to write instead in an object definition (a `{"Ref": ...}`, a `!Ref`); `text_value` in a
    definition kept in a string (`${SfnxrProxyAlias}` in an Fn::Sub, `${!Name}` to keep a placeholder
    for DefinitionSubstitutions); `join_piece` the piece an Fn::Join gets for `text_value`.
    """

    value: str
    object_value: Any = None
    text_value: str | None = None
    join_piece: Any = None


def replace_strings(value: Any, table: Mapping[str, Any]) -> Any:
    """`value` with every string equal to a key of `table` replaced (copying only what changes)."""
    if not table or getattr(getattr(value, "tag", None), "value", None) is not None:
        return value  # nothing to replace, or a YAML-tagged value (an intrinsic function): kept as it is
    if isinstance(value, str):
        return table.get(value, value)
    if isinstance(value, Mapping):
        changed = {key: replace_strings(item, table) for key, item in value.items()}
        return value if all(changed[key] is value[key] for key in value) else changed
    if isinstance(value, list):
        items = [replace_strings(item, table) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def literal_values(mapping: Mapping[str, Any]) -> dict[str, str]:
    """The entries of DefinitionSubstitutions (or of an Fn::Sub's variables) whose value is written out."""
    values = {}
    for key, value in mapping.items():
        if getattr(getattr(value, "tag", None), "value", None) is not None or isinstance(value, bool):
            continue
        if isinstance(value, (str, int, float)):
            values[str(key)] = str(value)
    return values


_PLACEHOLDER = re.compile(r"\$\{([^}!][^}]*)\}")


def resolve_arns(definition: Any, values: Mapping[str, str]) -> tuple[Any, dict[str, str]]:
    """The definition with each aws-sdk ARN built from placeholders that `values` fill in written out
    (`arn:aws:states:${Region}::aws-sdk:s3:getObject` with Region us-west-2), so that the pipeline can
    read it; and the table that turns those strings back into what was written."""
    back: dict[str, str] = {}
    if not values:
        return definition, back

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            if "${" not in value:
                return value
            filled = _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group()), value)
            if filled != value and parse_sdk_resource(filled) is not None:
                back.setdefault(filled, value)
                return filled
            return value
        if getattr(getattr(value, "tag", None), "value", None) is not None:
            return value
        if isinstance(value, Mapping):
            items = {key: walk(item) for key, item in value.items()}
            return value if all(items[key] is value[key] for key in value) else items
        if isinstance(value, list):
            listed = [walk(item) for item in value]
            return value if all(a is b for a, b in zip(listed, value, strict=True)) else listed
        return value

    return walk(definition), back


class ObjectSite(DefinitionSite):
    """A definition that is an object in the document: a bare file, a template's `Definition`."""

    def __init__(
        self,
        document: Document,
        keys: Keys,
        label: str | None,
        definition: Mapping[str, Any] | None = None,
        unreadable: Callable[[Any], str | None] | None = None,
        decode: Callable[[Any], Any] | None = None,
        message: Callable[[str], str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
    ) -> None:
        self.document = document
        self.base = keys
        self.label = label
        self.definition, self._written = resolve_arns(
            definition if definition is not None else _get(document.data, keys),
            literal_values(substitutions or {}),
        )
        self._unreadable = unreadable
        self._decode = decode
        self._message = message

    def line_of(self, keys: Keys) -> int | None:
        return self.document.line_of(self.base + keys)

    def changes(self, changes: Sequence[tuple[Keys, Any]], proxy: ProxyForm | None = None) -> Changes:
        table: dict[str, Any] = dict(self._written)
        if proxy is not None and proxy.object_value is not None:
            table[proxy.value] = proxy.object_value
        out: Changes = []
        for keys, value in changes:
            new = replace_strings(value, table)
            out.append((self.base + keys, self._decode(new) if self._decode is not None else new))
        return out

    def problems(self) -> list[Problem]:
        if self._unreadable is None:
            return []
        return unreadable_resources(self.definition, self._unreadable)

    def message(self, text: str) -> str:
        return self._message(text) if self._message is not None else text


def unreadable_resources(definition: Mapping[str, Any], why: Callable[[Any], str | None]) -> list[Problem]:
    """A Problem for each annotated Task whose Resource sfnxr cannot read statically.

    `why(resource)` says what the Resource is built from, or None when it can be read.
    """
    problems = []
    for ref in iter_states(definition):
        state = ref.state
        if state.get("Type") != "Task" or "Resource" not in state:
            continue
        resource = state["Resource"]
        sdk = parse_sdk_resource(resource)
        if not has_directive(state.get("Comment")) and not (sdk is not None and sdk.region):
            continue
        reason = why(resource)
        if reason is not None:
            problems.append(
                Problem(
                    (*ref.keys, "Resource"),
                    f"the Resource is built from {reason}, which sfnxr cannot resolve statically: "
                    "write the aws-sdk ARN out in the definition "
                    "(arn:aws:states:::aws-sdk:SERVICE:ACTION; a ${AWS::Partition} placeholder is fine)",
                )
            )
    return problems


@dataclass
class Container:
    """A file and the state machines found in it."""

    kind: str  # "definition", "cloudformation", "sam", "serverless", "templatefile"
    source: str
    text: str
    document: Document | None
    sites: list[DefinitionSite] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    renderer: Callable[[Changes], str] | None = None
    template: Any = None  # cfn.Template, for a CloudFormation or SAM template (or serverless.yml resources)

    def render(self, changes: Changes) -> str:
        if not changes:
            return self.text
        if self.renderer is not None:
            return self.renderer(changes)
        assert self.document is not None
        data = self.document.data
        return self.document.render(merge_changes(data, changes))


# --- reading ---------------------------------------------------------------------------------------------


_TEMPLATEFILE_SUFFIXES = (".tpl", ".tftpl")


def load(source: str, context: LinkContext | None = None) -> Container:
    """Read `source` ("-" for stdin) and find its state machines (`context`: the template that names it).

    Raises DocumentError for a file that cannot be read or holds no state machine (ContainerError for
    a file sfnxr does not read at all).
    """
    from sfnxr.containers import cfn, serverless, terraform

    name = source.lower()
    if name.endswith((".tf", ".tf.json")):
        raise ContainerError(source, None, terraform.HCL_REFUSAL)
    if name.endswith(_TEMPLATEFILE_SUFFIXES):
        return terraform.load_templatefile(source, _read_text(source), context)
    try:
        document = read_document(source)
    except DocumentError as error:
        if source != "-" and name.endswith(".json") and os.path.exists(source):
            text = _read_text(source)
            if "${" in text:
                try:
                    return terraform.load_templatefile(source, text, context)
                except DocumentError:
                    pass
        raise error from None
    data = document.data
    try:
        if isinstance(data, Mapping) and ("States" in data or "StartAt" in data):
            return bare(document, context)
        if context is None and cfn.is_template(data):
            return cfn.load(document)
        if context is None and serverless.is_serverless(data):
            return serverless.load(document)
        return bare(document, context)
    except NotAStateMachine as error:
        line = innermost_line(document.line_of, error.keys)
        what = str(error)
        if context is not None:
            what = f"{what} (the definition of {context.label} in {context.template})"
        raise DocumentError(document.source, line, what) from None


def _read_text(source: str) -> str:
    try:
        with open(source, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise DocumentError(source, None, f"cannot read the file: {error.strerror or error}") from error
    if len(raw) > MAX_BYTES:
        parse_document(source, raw)  # raises the documents API's own message
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        parse_document(source, raw)  # raises the documents API's own message for bad bytes
        raise


def bare(document: Document, context: LinkContext | None = None) -> Container:
    check_state_machine(document.data)
    site = ObjectSite(
        document,
        (),
        context.label if context is not None else None,
        unreadable=placeholder_reason(context.substitutions, "DefinitionSubstitutions")
        if context is not None
        else None,
        substitutions=context.substitutions if context is not None else None,
    )
    return Container("definition", document.source, document.text, document, [site])


def placeholder_reason(substitutions: Mapping[str, Any], where: str) -> Callable[[Any], str | None]:
    """For `unreadable_resources`: what a Resource is built from, when sfnxr cannot read it."""

    def why(resource: Any) -> str | None:
        if not isinstance(resource, str):
            return f"an intrinsic function ({describe(resource)})"
        return explain_placeholders(resource, substitutions, where)

    return why


PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)


def explain_placeholders(
    resource: str,
    substitutions: Mapping[str, Any],
    where: str,
    names: frozenset[str] = frozenset(),
    sub: bool = False,
    syntax: str = "sub",
) -> str | None:
    """What the `${...}` placeholders of a Resource outside its partition stand for; None when it has none.

    `substitutions`: DefinitionSubstitutions (or, with `sub`, an Fn::Sub's variables); `names`: what else an
    Fn::Sub can name (parameters, resources).
    """
    from sfnxr.containers.text import TemplateError, find_placeholders

    if "${" not in resource:
        return None
    try:
        placeholders = find_placeholders(resource, "terraform" if syntax == "terraform" else "sub")
    except TemplateError:
        return None
    for placeholder in placeholders:
        text = placeholder.text(resource)
        if (
            placeholder.start == 4
            and resource.startswith("arn:")
            and resource[placeholder.end :].startswith(":")
        ):
            continue  # the partition (arn:${AWS::Partition}:states:::aws-sdk:...) is fine
        if syntax == "terraform":
            return f"the Terraform interpolation {text}"
        name = text[2:-1]
        if name in substitutions:
            kind = "Fn::Sub variable" if sub else f"{where} entry"
            return f"the {kind} {name} ({describe(substitutions[name])})"
        if sub and name in PSEUDO_PARAMETERS:
            return f"the pseudo parameter {name}"
        if sub and name.split(".")[0] in names:
            kind = "template parameter" if "." not in name else "resource attribute"
            return f"the {kind} {name}"
        return f"the placeholder {text}"
    return None


def describe(value: Any) -> str:
    """A short readable form of a template value: `!Ref Param`, `Fn::GetAtt Res.Arn`, `"text"`."""
    tag = getattr(getattr(value, "tag", None), "value", None) or getattr(value, "tag", None)
    if isinstance(tag, str) and tag.startswith("!"):
        inner = getattr(value, "value", None)
        if isinstance(inner, str):
            return f"{tag} {inner}"
        if isinstance(value, list):
            return f"{tag} {_short(list(value))}"
        return tag
    if isinstance(value, Mapping) and len(value) == 1:
        ((key, inner),) = value.items()
        if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
            if key == "Fn::GetAtt" and isinstance(inner, list):
                return f"Fn::GetAtt {'.'.join(str(part) for part in inner)}"
            return f"{key} {_short(inner)}"
    return _short(value)


def _short(value: Any) -> str:
    import json

    if isinstance(value, str):
        return value if len(value) <= 60 else value[:57] + "..."
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- changes ---------------------------------------------------------------------------------------------


def _get(data: Any, keys: Keys) -> Any:
    for key in keys:
        data = data[key]
    return data


def _exists(data: Any, keys: Keys) -> bool:
    for key in keys:
        if isinstance(data, Mapping):
            found = not isinstance(key, int) and key in data
        else:
            found = isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        if not found:
            return False
        data = data[key]
    return True


def set_in(container: Any, keys: Keys, value: Any) -> Any:
    """A copy of `container` with `value` at `keys` (copying only along the path; missing maps made)."""
    if not keys:
        return value
    head, rest = keys[0], keys[1:]
    tagged = getattr(getattr(container, "tag", None), "value", None) is not None
    if isinstance(container, list):
        assert isinstance(head, int)
        items = copy.copy(container) if tagged else list(container)  # a YAML !Sub [...] keeps its tag
        if head == len(items):
            items.append(set_in({}, rest, value))
        else:
            items[head] = set_in(items[head], rest, value)
        return items
    copied: Any = {}
    if isinstance(container, Mapping):
        copied = copy.copy(container) if tagged else dict(container)
    copied[head] = set_in(copied.get(head, {}), rest, value)
    return copied


def merge_changes(data: Any, changes: Sequence[tuple[Keys, Any]]) -> Changes:
    """Changes the documents API can render: a change to a key that does not exist yet becomes a change
    of the nearest mapping that does, and a change inside another change is folded into it."""
    result: dict[Keys, Any] = {}
    for keys, value in sorted(changes, key=lambda change: len(change[0])):
        target = keys
        while target and not _exists(data, target):
            target = target[:-1]
        outer = next((target[:end] for end in range(len(target) + 1) if target[:end] in result), None)
        if outer is not None:
            result[outer] = set_in(result[outer], keys[len(outer) :], value)
            continue
        new = set_in(_get(data, target), keys[len(target) :], value) if target != keys else value
        if target != keys:
            # Shortened to an existing parent: earlier (longer-targeted) changes may lie inside it.
            # Otherwise changes come shortest first, so nothing recorded can lie inside `target`.
            for inner in [known for known in result if known[: len(target)] == target]:
                new = set_in(new, inner[len(target) :], result.pop(inner))
        result[target] = new
    return list(result.items())


__all__ += [
    "PSEUDO_PARAMETERS",
    "NotAStateMachine",
    "ProxyForm",
    "bare",
    "describe",
    "explain_placeholders",
    "placeholder_reason",
    "set_in",
]
