"""Terraform templatefile sources: `definition.asl.json.tpl` (or a `.json` that is JSON only once
rendered), read with `templatefile()` and passed to `aws_sfn_state_machine.definition`.

`${...}` interpolations, inside strings (`"arn:aws:lambda:${region}:..."`) or in place of values
(`"Retry": ${retry_statement}`, `${jsonencode(x)}`), survive byte for byte (text.py). `%{...}`
directives are refused. A definition written in HCL with `jsonencode({...})` is out of scope: sfnxr does
not read .tf files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sfnxr.asl import Keys
from sfnxr.containers import Changes, Container, DefinitionSite, LinkContext, ProxyForm, explain_placeholders
from sfnxr.containers.cfn import hole_retry_problems
from sfnxr.containers.text import EmbeddedJson, check_embedded
from sfnxr.routes import Problem

HCL_REFUSAL = (
    "a Terraform configuration file: sfnxr does not read HCL, so a definition written with "
    "jsonencode({...}) is out of scope. Keep the definition in a templatefile source (for example "
    "definition.asl.json.tpl, passed to templatefile()) and run sfnxr on that file"
)


class TemplateFileSite(DefinitionSite):
    def __init__(self, embedded: EmbeddedJson, label: str | None, context: LinkContext | None) -> None:
        self.embedded = embedded
        self.label = label
        self.context = context
        self.definition = embedded.data

    def line_of(self, keys: Keys) -> int | None:
        return self.embedded.line_of(keys)

    def changes(self, changes: Sequence[tuple[Keys, Any]], proxy: ProxyForm | None = None) -> Changes:
        return list(changes)

    def problems(self) -> list[Problem]:
        from sfnxr.containers import unreadable_resources

        tokens = self.embedded.tokens
        substitutions = self.context.substitutions if self.context is not None else {}

        def why(resource: Any) -> str | None:
            if not isinstance(resource, str):
                return None
            if tokens.is_hole(resource):
                return f"the interpolation {tokens.hole_text(resource)}"
            text = tokens.restore(resource)
            if self.context is not None:
                return explain_placeholders(text, substitutions, "DefinitionSubstitutions")
            return explain_placeholders(text, {}, "", syntax="terraform")

        return unreadable_resources(self.definition, why)

    def check(self, changes: Sequence[tuple[Keys, Any]]) -> list[Problem]:
        return hole_retry_problems(self.embedded, self.definition, changes)

    def message(self, text: str) -> str:
        return self.embedded.message(text)


def load_templatefile(source: str, text: str, context: LinkContext | None = None) -> Container:
    embedded = EmbeddedJson(source, text, "terraform", lambda line: line)
    check_embedded(embedded)
    site = TemplateFileSite(embedded, context.label if context is not None else None, context)
    return Container("templatefile", source, text, None, [site], renderer=embedded.render)
