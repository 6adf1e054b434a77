"""CloudFormation and SAM templates, JSON or YAML: the state machines among their resources.

`AWS::StepFunctions::StateMachine`:
    Definition             an object: rewritten at deeper keys; `!Sub "arn:${AWS::Partition}:..."` values
                           are read as strings and written back as Fn::Sub
    DefinitionString       a string, `Fn::Sub` (with or without a variable map) or `Fn::Join` (as CDK
                           synthesizes it, intrinsic pieces inside ARNs): read as JSON text with the
                           placeholders kept (text.py), written back as a string of the same form and style
    DefinitionSubstitutions  names what `${Var}` placeholders stand for (for messages and --add-proxy)
    DefinitionS3Location   refused: the definition is not in the template
`AWS::Serverless::StateMachine`: `Definition` as above, `DefinitionUri` a local file (a Link) or S3 (refused).

YAML short-form tags (`!Sub`, `!Ref`, `!GetAtt`, `!Join`, ...) and comments survive: the documents API
keeps every untouched byte, and the values sfnxr writes reuse the ruamel objects it read.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sfnxr.asl import Keys, NotAStateMachine, check_state_machine, get_in
from sfnxr.containers import (
    PSEUDO_PARAMETERS,
    Changes,
    Container,
    DefinitionSite,
    Link,
    ObjectSite,
    ProxyForm,
    Refusal,
    describe,
    explain_placeholders,
    literal_values,
    replace_strings,
    resolve_arns,
    unreadable_resources,
)
from sfnxr.containers.text import EmbeddedJson, check_embedded, json_offset
from sfnxr.documents import Document, DocumentError
from sfnxr.routes import Problem

STATE_MACHINE = "AWS::StepFunctions::StateMachine"
SAM_STATE_MACHINE = "AWS::Serverless::StateMachine"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*\s*(?:#.*)?$")


# --- intrinsic functions ---------------------------------------------------------------------------------


def tag_of(value: Any) -> str | None:
    """A YAML short-form tag (`!Sub`), or None."""
    tag = getattr(value, "tag", None)
    text = getattr(tag, "value", tag)
    return text if isinstance(text, str) and text.startswith("!") else None


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """(function name in long form, argument) of an intrinsic function value, in either form."""
    tag = tag_of(value)
    if tag is not None:
        name = "Ref" if tag == "!Ref" else "Fn::" + tag[1:]
        if hasattr(value, "value") and not isinstance(value, (Mapping, list)):
            return name, value.value
        return name, value
    if isinstance(value, Mapping) and len(value) == 1:
        key = next(iter(value))
        if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::") or key == "Condition"):
            return key, value[key]
    return None


def is_template(data: Any) -> bool:
    if not isinstance(data, Mapping):
        return False
    resources = data.get("Resources")
    return isinstance(resources, Mapping) and any(
        isinstance(resource, Mapping) and isinstance(resource.get("Type"), str)
        for resource in resources.values()
    )


def is_sam(data: Mapping[str, Any]) -> bool:
    transform = data.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return any(isinstance(name, str) and name.startswith("AWS::Serverless") for name in names)


def uses_short_tags(document: Document) -> bool:
    return (
        document.format == "yaml"
        and re.search(r"(?:^|[\s\[{,:-])!(?:Ref|Sub|GetAtt|Join)\b", document.text) is not None
    )


# --- the template ---------------------------------------------------------------------------------------


@dataclass
class Machine:
    """One state machine resource and how its definition is kept (for --add-proxy)."""

    logical_id: str
    keys: Keys  # to the resource
    type: str
    form: str  # "object", "string", "sub", "join", "link", "s3", "none", "unknown"
    site: DefinitionSite | None = None
    link: Link | None = None

    @property
    def properties(self) -> Keys:
        return (*self.keys, "Properties")


@dataclass
class Template:
    """What --add-proxy and the messages need to know about a template."""

    document: Document
    prefix: Keys  # where the Resources mapping is ((), or ("resources",) in serverless.yml)
    sam: bool
    short_tags: bool
    parameters: frozenset[str]
    resources: Mapping[str, Any]
    machines: list[Machine] = field(default_factory=list)

    def names(self) -> frozenset[str]:
        """What `${Name}` can name in an Fn::Sub: parameters, resources (and attributes), pseudo ones."""
        return self.parameters | frozenset(self.resources) | PSEUDO_PARAMETERS

    def ref(self, logical_id: str) -> Any:
        return _short("!Ref", logical_id) if self.short_tags else {"Ref": logical_id}

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if self.short_tags:
            return _short("!GetAtt", f"{logical_id}.{attribute}")
        return {"Fn::GetAtt": [logical_id, attribute]}

    def sub(self, text: str) -> Any:
        return _short("!Sub", text) if self.short_tags else {"Fn::Sub": text}


def _short(tag: str, value: str) -> Any:
    from ruamel.yaml.comments import TaggedScalar

    return TaggedScalar(value=value, style=None, tag=tag)


def load(document: Document) -> Container:
    template = read_template(document, ())
    kind = "sam" if template.sam else "cloudformation"
    container = Container(kind, document.source, document.text, document, template=template)
    add_machines(container, template)
    if not template.machines:
        raise NotAStateMachine(
            f"a {'SAM' if template.sam else 'CloudFormation'} template without a state machine "
            f"({STATE_MACHINE} or {SAM_STATE_MACHINE})",
            ("Resources",),
        )
    return container


def read_template(document: Document, prefix: Keys) -> Template:
    root = get_in(document.data, prefix) if prefix else document.data
    resources = root.get("Resources") if isinstance(root, Mapping) else None
    parameters = root.get("Parameters") if isinstance(root, Mapping) else None
    return Template(
        document=document,
        prefix=prefix,
        sam=isinstance(document.data, Mapping) and is_sam(document.data),
        short_tags=uses_short_tags(document),
        parameters=frozenset(parameters) if isinstance(parameters, Mapping) else frozenset(),
        resources=resources if isinstance(resources, Mapping) else {},
    )


def add_machines(container: Container, template: Template) -> None:
    """Find the state machines among the template's resources: sites, links and refusals."""
    for logical_id, resource in template.resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") not in (
            STATE_MACHINE,
            SAM_STATE_MACHINE,
        ):
            continue
        keys: Keys = (*template.prefix, "Resources", logical_id)
        machine = Machine(str(logical_id), keys, str(resource["Type"]), "none")
        template.machines.append(machine)
        try:
            _read_machine(container, template, machine, resource)
        except NotAStateMachine as error:
            line = _placeable(
                template.document, (*machine.properties, *_definition_key(resource), *error.keys)
            )
            container.refusals.append(Refusal(machine.logical_id, line, f"{logical_id}: {error}"))
        except DocumentError as error:
            container.refusals.append(
                Refusal(machine.logical_id, error.line, f"{logical_id}: {error.message}")
            )


def _definition_key(resource: Mapping[str, Any]) -> Keys:
    properties = resource.get("Properties")
    if isinstance(properties, Mapping):
        for key in ("Definition", "DefinitionString"):
            if key in properties:
                return (key,)
    return ()


def _placeable(document: Document, keys: Keys) -> int | None:
    for end in range(len(keys), -1, -1):
        line = document.line_of(keys[:end])
        if line is not None:
            return line
    return None


def _refuse(container: Container, template: Template, machine: Machine, keys: Keys, message: str) -> None:
    line = _placeable(template.document, keys)
    container.refusals.append(Refusal(machine.logical_id, line, f"{machine.logical_id}: {message}"))


def _read_machine(
    container: Container, template: Template, machine: Machine, resource: Mapping[str, Any]
) -> None:
    document = template.document
    properties = resource.get("Properties")
    if not isinstance(properties, Mapping):
        machine.form = "none"
        _refuse(container, template, machine, machine.keys, "the state machine has no Properties")
        return
    sam = machine.type == SAM_STATE_MACHINE
    present = [
        key
        for key in ("Definition", "DefinitionString", "DefinitionS3Location", "DefinitionUri")
        if key in properties
    ]
    if len(present) > 1:
        _refuse(
            container,
            template,
            machine,
            (*machine.properties, present[1]),
            f"it has both {present[0]} and {present[1]}",
        )
        return
    substitutions = properties.get("DefinitionSubstitutions")
    substitutions = substitutions if isinstance(substitutions, Mapping) else {}
    if not present:
        _refuse(container, template, machine, machine.properties, "the state machine has no definition")
        return
    key = present[0]
    keys: Keys = (*machine.properties, key)
    value = properties[key]
    if key == "DefinitionS3Location" or (key == "DefinitionUri" and not _local_uri(value)):
        machine.form = "s3"
        where = describe(value)
        _refuse(
            container,
            template,
            machine,
            keys,
            f"the definition is in S3 ({key} {where}): sfnxr cannot rewrite it there; keep the definition in "
            "the template (Definition" + (", or DefinitionUri with a local file" if sam else "") + ") or "
            "transform the file before uploading it",
        )
        return
    if key == "DefinitionUri":
        machine.form = "link"
        reference = str(value)
        directory = os.path.dirname(document.source) if document.source != "<stdin>" else ""
        link = Link(
            label=machine.logical_id,
            keys=keys,
            reference=reference,
            path=os.path.normpath(os.path.join(directory, reference)),
            line=document.line_of(keys),
            substitutions=substitutions,
        )
        machine.link = link
        container.links.append(link)
        return
    if key == "Definition":
        function = intrinsic(value)
        if function is not None or not isinstance(value, Mapping):
            machine.form = "unknown"
            _refuse(
                container,
                template,
                machine,
                keys,
                f"Definition is {describe(value)}, not an object: sfnxr reads a definition written out "
                "in the template",
            )
            return
        machine.form = "object"
        site = object_site(document, keys, machine.logical_id, value, substitutions, template)
        machine.site = site
        container.sites.append(site)
        return
    # DefinitionString
    site_or_reason = string_site(document, keys, machine.logical_id, value, substitutions, template)
    if isinstance(site_or_reason, str):
        machine.form = "unknown"
        _refuse(container, template, machine, keys, site_or_reason)
        return
    machine.form = site_or_reason.form
    machine.site = site_or_reason
    container.sites.append(site_or_reason)


def _local_uri(value: Any) -> bool:
    return isinstance(value, str) and not value.startswith(("s3://", "https://", "http://"))


# --- Definition: an object -------------------------------------------------------------------------------


def object_site(
    document: Document,
    keys: Keys,
    label: str,
    value: Mapping[str, Any],
    substitutions: Mapping[str, Any],
    template: Template | None,
) -> ObjectSite:
    """A definition written as an object. Fn::Sub values whose placeholders hold a colon (`!Sub
    "arn:${AWS::Partition}:states:::aws-sdk:s3:getObject"`) are read as strings with a stand-in for those
    placeholders, and written back as Fn::Sub, so that annotations on them work."""
    check_state_machine(value)
    subs = _SubStrings(template)
    definition = subs.encode(value)
    names = template.names() if template is not None else frozenset()

    def why(resource: Any) -> str | None:
        if not isinstance(resource, str):
            return f"an intrinsic function ({describe(resource)})"
        return explain_placeholders(
            subs.decode_text(resource), substitutions, "DefinitionSubstitutions", names
        )

    return ObjectSite(
        document,
        keys,
        label,
        definition=definition,
        unreadable=why,
        decode=subs.decode if subs.tokens else None,
        message=subs.decode_text if subs.tokens else None,
        substitutions=substitutions,
    )


class _SubStrings:
    """Fn::Sub strings in an object definition, as strings with stand-ins for `${A::B}` placeholders."""

    def __init__(self, template: Template | None) -> None:
        self.template = template
        self.tokens: dict[str, str] = {}  # stand-in -> placeholder
        self.short = False

    def encode(self, value: Any) -> Any:
        function = intrinsic(value)
        if function is not None and function[0] == "Fn::Sub" and isinstance(function[1], str):
            text = function[1]
            if "::" in text and "${" in text:
                self.short = self.short or tag_of(value) is not None
                return re.sub(r"\$\{([A-Za-z0-9_]+)::([A-Za-z0-9_]+)\}", self._stand_in, text)
            return value
        if isinstance(value, Mapping) and function is None:
            encoded = {key: self.encode(item) for key, item in value.items()}
            return value if all(encoded[key] is value[key] for key in value) else encoded
        if isinstance(value, list) and function is None:
            items = [self.encode(item) for item in value]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        return value

    def _stand_in(self, match: re.Match[str]) -> str:
        token = "${" + match.group(1) + ".." + match.group(2) + "}"
        self.tokens[token] = match.group()
        return token

    def decode_text(self, text: str) -> str:
        for token, placeholder in self.tokens.items():
            text = text.replace(token, placeholder)
        return text

    def decode(self, value: Any) -> Any:
        if isinstance(value, str):
            if any(token in value for token in self.tokens):
                text = self.decode_text(value)
                if self.short:
                    return _short("!Sub", text)
                return {"Fn::Sub": text}
            return value
        if isinstance(value, Mapping) and intrinsic(value) is None:
            return {key: self.decode(item) for key, item in value.items()}
        if isinstance(value, list) and tag_of(value) is None:
            return [self.decode(item) for item in value]
        return value


# --- DefinitionString: a string, Fn::Sub, Fn::Join -------------------------------------------------------


def string_site(
    document: Document,
    keys: Keys,
    label: str,
    value: Any,
    substitutions: Mapping[str, Any],
    template: Template | None,
) -> EmbeddedSite | JoinSite | str:
    """A site for a DefinitionString, or the reason it cannot be read."""
    names = template.names() if template is not None else frozenset()
    if isinstance(value, str):
        return EmbeddedSite(document, keys, label, value, "string", substitutions, names, template)
    function = intrinsic(value)
    if function is None:
        return f"DefinitionString is {describe(value)}, not a string"
    name, argument = function
    tagged = tag_of(value) is not None
    if name == "Fn::Sub":
        if isinstance(argument, str):
            text_keys = keys if tagged else (*keys, "Fn::Sub")
            old = value if tagged else None  # a !Sub scalar is replaced whole, its tag and style kept
            return EmbeddedSite(
                document, text_keys, label, argument, "sub", substitutions, names, template, old
            )
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
            variables = argument[1] if isinstance(argument[1], Mapping) else {}
            text_keys = (*keys, 0) if tagged else (*keys, "Fn::Sub", 0)
            return EmbeddedSite(
                document,
                text_keys,
                label,
                argument[0],
                "sub",
                substitutions,
                names,
                template,
                None,
                variables,
            )
        return f"DefinitionString is an Fn::Sub sfnxr cannot read ({describe(value)})"
    if name == "Fn::Join":
        if (
            isinstance(argument, list)
            and len(argument) == 2
            and argument[0] == ""
            and isinstance(argument[1], list)
        ):
            pieces_keys = (*keys, 1) if tagged else (*keys, "Fn::Join", 1)
            return JoinSite(document, pieces_keys, label, list(argument[1]), substitutions, names, template)
        return (
            "DefinitionString is an Fn::Join sfnxr cannot read (it reads Fn::Join with an empty delimiter "
            f"over a list, as CDK writes it): {describe(value)}"
        )
    return (
        f"DefinitionString comes from {describe(value)}: its text is not in the template, so sfnxr cannot "
        "rewrite it"
    )


class EmbeddedSite(DefinitionSite):
    """A definition kept as JSON text in a string: a plain DefinitionString, or an Fn::Sub's text."""

    def __init__(
        self,
        document: Document,
        keys: Keys,
        label: str,
        text: str,
        form: str,
        substitutions: Mapping[str, Any],
        names: frozenset[str],
        template: Template | None,
        tagged: Any = None,
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        self.document = document
        self.keys = keys  # to the string
        self.label = label
        self.form = form
        self.substitutions = substitutions
        self.names = names
        self.template = template
        self.variables = variables or {}
        self.old = tagged if tagged is not None else get_in(document.data, keys)
        self.embedded = EmbeddedJson(document.source, text, "sub", string_line_map(document, keys, self.old))
        check_embedded(self.embedded)
        values = literal_values(self.variables if form == "sub" else substitutions)
        self.definition, self.written = resolve_arns(self.embedded.data, values)

    def line_of(self, keys: Keys) -> int | None:
        return self.embedded.line_of(keys)

    def proxy_form(self, proxy: str) -> ProxyForm | None:
        """A `${Name}` proxy placeholder inside Fn::Sub: Fn::Sub resolves a name it knows (a parameter, a
        resource, a variable); any other is written `${!Name}`, which Fn::Sub turns into `${Name}` for
        DefinitionSubstitutions."""
        if self.form != "sub" or not (proxy.startswith("${") and proxy.endswith("}")):
            return None
        name = proxy[2:-1]
        if name.split(".")[0] in self.names or name in self.variables:
            return None
        return ProxyForm(proxy, text_value="${!" + name + "}")

    def changes(self, changes: Sequence[tuple[Keys, Any]], proxy: ProxyForm | None = None) -> Changes:
        if not changes:
            return []
        table: dict[str, Any] = dict(self.written)
        if proxy is not None and proxy.text_value is not None:
            table[proxy.value] = proxy.text_value
        new_text = self.embedded.render([(keys, replace_strings(value, table)) for keys, value in changes])
        if new_text == self.embedded.tokens.original:
            return []
        return [(self.keys, restyled(self.old, new_text))]

    def problems(self) -> list[Problem]:
        tokens = self.embedded.tokens

        def why(resource: Any) -> str | None:
            if not isinstance(resource, str):
                return None
            if tokens.is_hole(resource):
                return f"the placeholder {tokens.hole_text(resource)}"
            text = tokens.restore(resource)
            if self.form == "sub":
                return explain_placeholders(text, self.variables, "Fn::Sub", self.names, sub=True)
            return explain_placeholders(text, self.substitutions, "DefinitionSubstitutions")

        return unreadable_resources(self.definition, why)

    def check(self, changes: Sequence[tuple[Keys, Any]]) -> list[Problem]:
        return hole_retry_problems(self.embedded, self.definition, changes)

    def message(self, text: str) -> str:
        return self.embedded.message(text)


def hole_retry_problems(
    embedded: EmbeddedJson, definition: Any, changes: Sequence[tuple[Keys, Any]]
) -> list[Problem]:
    """A rewritten Task whose Retry is a placeholder: the Lambda retrier cannot go in front of it."""
    problems = []
    tokens = embedded.tokens
    for keys, new in changes:
        try:
            old = get_in(definition, keys)
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            continue
        retry = old.get("Retry")
        if isinstance(retry, str) and tokens.is_hole(retry) and new.get("Retry") != retry:
            problems.append(
                Problem(
                    (*keys, "Retry"),
                    f"the Retry is the template placeholder {tokens.hole_text(retry)}: sfnxr cannot put the "
                    "retrier for Lambda errors in front of it; write the retriers out, or transform with "
                    "--no-lambda-retry",
                )
            )
    return problems


def restyled(old: Any, text: str) -> Any:
    """`text` as a string of the same YAML style (and tag) as `old`."""
    from ruamel.yaml.comments import TaggedScalar
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(old, TaggedScalar):
        return TaggedScalar(value=text, style=old.style, tag=old.tag.value)
    if isinstance(old, ScalarString):
        return type(old)(text)
    return text


def string_line_map(document: Document, keys: Keys, value: Any) -> Callable[[int], int | None]:
    """How a line of a string's text maps to a line of the file: a YAML literal block's lines are the
    file's lines below its header; any other string is placed at its own first line."""
    start = _placeable(document, keys)
    if start is None:
        return lambda line: None
    style = getattr(value, "style", None)
    if document.format != "yaml" or (
        style is None
        and type(value).__name__
        not in (
            "LiteralScalarString",
            "FoldedScalarString",
        )
    ):
        return lambda line: start
    literal = style == "|" or type(value).__name__ == "LiteralScalarString"
    lines = document.text.split("\n")
    header = None
    for index in range(start - 1, min(len(lines), start + 3)):
        if _BLOCK_HEADER.search(lines[index].rstrip()):
            header = index + 1
            break
    if header is None:
        return lambda line: start
    first_line = header
    if not literal:
        return lambda line: first_line + 1
    return lambda line: first_line + line


class JoinSite(DefinitionSite):
    """A DefinitionString built by Fn::Join from strings and intrinsic pieces, as CDK writes it.

    The pieces are read as one text in which each intrinsic piece is a placeholder: `{"Ref": "X"}` is
    `${X}`, `{"Fn::GetAtt": ["R", "A"]}` is `${R.A}` (so the partition of `"arn:", {"Ref":
    "AWS::Partition"}, ":states:::aws-sdk:s3:putObject"` reads as `arn:${AWS::Partition}:...`), and the
    new text is split back into the same kinds of pieces.
    """

    form = "join"

    def __init__(
        self,
        document: Document,
        keys: Keys,
        label: str,
        pieces: list[Any],
        substitutions: Mapping[str, Any],
        names: frozenset[str],
        template: Template | None,
    ) -> None:
        self.document = document
        self.keys = keys  # to the list of pieces
        self.label = label
        self.pieces = pieces
        self.substitutions = substitutions
        self.names = names
        self.template = template
        literal = "".join(piece for piece in pieces if isinstance(piece, str))
        natural = "${" not in literal
        self.markers: dict[str, Any] = {}  # placeholder text -> piece
        by_piece: dict[str, str] = {}
        texts: list[str] = []
        for piece in pieces:
            if isinstance(piece, str):
                texts.append(piece)
                continue
            key = _piece_key(piece)
            marker = by_piece.get(key)
            if marker is None:
                marker = _marker(piece, natural, len(by_piece), literal)
                by_piece[key] = marker
                self.markers[marker] = piece
            texts.append(marker)
        self.texts = texts
        self.starts: list[int] = []
        offset = 0
        for text in texts:
            self.starts.append(offset)
            offset += len(text)
        self.embedded = EmbeddedJson(document.source, "".join(texts), "sub", lambda line: None)
        self.definition = self.embedded.data
        try:
            check_state_machine(self.definition)
        except NotAStateMachine as error:
            raise DocumentError(document.source, self._placeable(error.keys), str(error)) from None

    def _placeable(self, keys: Keys) -> int | None:
        for end in range(len(keys), -1, -1):
            line = self.line_of(keys[:end])
            if line is not None:
                return line
        return None

    def line_of(self, keys: Keys) -> int | None:
        offset = json_offset(self.embedded.tokens.text, keys)
        if offset is None:
            return None
        original = self.embedded.tokens.original_offset(offset)
        index = max(0, _bisect_right(self.starts, original) - 1)
        return _placeable(self.document, (*self.keys, index))

    def changes(self, changes: Sequence[tuple[Keys, Any]], proxy: ProxyForm | None = None) -> Changes:
        if not changes:
            return []
        markers = dict(self.markers)
        table: dict[str, Any] = {}
        if proxy is not None and proxy.text_value is not None and proxy.join_piece is not None:
            table[proxy.value] = proxy.text_value
            markers[proxy.text_value] = proxy.join_piece
        text = self.embedded.render([(keys, replace_strings(value, table)) for keys, value in changes])
        if text == self.embedded.tokens.original:
            return []
        pattern = re.compile("|".join(re.escape(marker) for marker in sorted(markers, key=len, reverse=True)))
        pieces: list[Any] = []
        position = 0
        for match in pattern.finditer(text) if markers else ():
            if match.start() > position:
                pieces.append(text[position : match.start()])
            pieces.append(markers[match.group()])
            position = match.end()
        if position < len(text):
            pieces.append(text[position:])
        return [(self.keys, pieces)]

    def problems(self) -> list[Problem]:
        tokens = self.embedded.tokens

        def why(resource: Any) -> str | None:
            if not isinstance(resource, str):
                return None
            text = tokens.restore(resource)
            for marker, piece in self.markers.items():
                if marker in text and not text.startswith("arn:" + marker + ":"):
                    return f"the Fn::Join piece {describe(piece)}"
            return None

        return unreadable_resources(self.definition, why)

    def check(self, changes: Sequence[tuple[Keys, Any]]) -> list[Problem]:
        return hole_retry_problems(self.embedded, self.definition, changes)

    def message(self, text: str) -> str:
        return self.embedded.message(text)


def _bisect_right(values: list[int], value: int) -> int:
    import bisect

    return bisect.bisect_right(values, value)


def _piece_key(piece: Any) -> str:
    return json.dumps(_plain(piece), sort_keys=True)


def _plain(value: Any) -> Any:
    function = intrinsic(value)
    if function is not None and tag_of(value) is not None:
        name, argument = function
        return {name: _plain(argument)}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _marker(piece: Any, natural: bool, index: int, literal: str) -> str:
    if natural:
        function = intrinsic(piece)
        if function is not None:
            name, argument = function
            if name == "Ref" and isinstance(argument, str):
                return "${" + argument + "}"
            if name == "Fn::GetAtt":
                if (
                    isinstance(argument, list)
                    and len(argument) == 2
                    and all(isinstance(p, str) for p in argument)
                ):
                    return "${" + f"{argument[0]}.{argument[1]}" + "}"
                if isinstance(argument, str):
                    return "${" + argument + "}"
    while True:
        marker = f"${{sfnxr.join.{index}}}"
        if marker not in literal:
            return marker
        index += 1000


__all__ = [
    "SAM_STATE_MACHINE",
    "STATE_MACHINE",
    "EmbeddedSite",
    "JoinSite",
    "Machine",
    "Template",
    "add_machines",
    "intrinsic",
    "is_template",
    "load",
    "object_site",
    "read_template",
    "restyled",
    "string_site",
    "tag_of",
]
