"""serverless.yml (Serverless Framework with the serverless-step-functions plugin).

`stepFunctions.stateMachines.NAME.definition` is an object (rewritten at deeper keys) or
`${file(path)}`, a definition kept in a file of its own (a Link, read as a bare definition). A
`${file(...)}` that points outside the service's directory, takes a part of a file
(`${file(x.yml):key}`), or any other variable is refused with the reason. CloudFormation state machines
under `resources.Resources` are read as in a template.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from sfnxr.asl import Keys, NotAStateMachine
from sfnxr.containers import Container, Link, Refusal, cfn
from sfnxr.documents import Document

_FILE = re.compile(r"\$\{file\(\s*([^),]+?)\s*\)(:[^}]*)?\}")


def is_serverless(data: Any) -> bool:
    return isinstance(data, Mapping) and (
        "stepFunctions" in data or ("service" in data and ("provider" in data or "functions" in data))
    )


def load(document: Document) -> Container:
    data = document.data
    container = Container("serverless", document.source, document.text, document)
    step_functions = data.get("stepFunctions")
    machines = step_functions.get("stateMachines") if isinstance(step_functions, Mapping) else None
    found = 0
    if isinstance(machines, Mapping):
        for name, machine in machines.items():
            found += 1
            keys: Keys = ("stepFunctions", "stateMachines", name)
            _read_machine(container, document, str(name), keys, machine)
    resources = data.get("resources")
    if isinstance(resources, Mapping) and isinstance(resources.get("Resources"), Mapping):
        template = cfn.read_template(document, ("resources",))
        container.template = template
        cfn.add_machines(container, template)
        found += len(template.machines)
    if not found:
        raise NotAStateMachine(
            "a serverless.yml without a state machine (stepFunctions.stateMachines)", ("stepFunctions",)
        )
    return container


def _read_machine(container: Container, document: Document, name: str, keys: Keys, machine: Any) -> None:
    line = document.line_of(keys)
    if not isinstance(machine, Mapping) or "definition" not in machine:
        container.refusals.append(Refusal(name, line, f"{name}: the state machine has no definition"))
        return
    definition = machine["definition"]
    definition_keys: Keys = (*keys, "definition")
    line = document.line_of(definition_keys)
    if isinstance(definition, Mapping):
        try:
            site = cfn.object_site(document, definition_keys, name, definition, {}, None)
        except NotAStateMachine as error:
            where = document.line_of((*definition_keys, *error.keys)) or line
            container.refusals.append(Refusal(name, where, f"{name}: {error}"))
            return
        container.sites.append(site)
        return
    text = str(definition).strip() if isinstance(definition, str) else None
    match = _FILE.fullmatch(text) if text is not None else None
    if match is None:
        shown = text if text is not None else type(definition).__name__
        container.refusals.append(
            Refusal(
                name,
                line,
                f"{name}: the definition is {shown!r}, which sfnxr cannot read: write it in serverless.yml "
                "or keep it in a file named with ${file(path)}",
            )
        )
        return
    reference = match.group(1).strip("'\"")
    if match.group(2):
        container.refusals.append(
            Refusal(
                name,
                line,
                f"{name}: definition {text} takes a part of {reference}; sfnxr rewrites a definition whose "
                "${file(...)} names a whole file",
            )
        )
        return
    directory = os.path.dirname(document.source) if document.source != "<stdin>" else ""
    path = os.path.normpath(os.path.join(directory, reference))
    if _outside(path, directory):
        container.refusals.append(
            Refusal(
                name,
                line,
                f"{name}: definition {text} points outside the service's directory "
                f"({os.path.abspath(directory or '.')}); sfnxr rewrites linked definitions inside it only: "
                "move the file there, or transform it on its own",
            )
        )
        return
    container.links.append(
        Link(
            label=name,
            keys=definition_keys,
            reference=reference,
            path=path,
            line=line,
            pattern="${{file(" + ("./" if reference.startswith("./") else "") + "{})}}",
        )
    )


def _outside(path: str, directory: str) -> bool:
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(directory or "."))
    return relative == os.pardir or relative.startswith(os.pardir + os.sep)
