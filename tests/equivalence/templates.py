"""The state machine definition a CloudFormation or SAM template deploys, as CloudFormation would resolve it.

Only what the bundled samples use. CloudFormation: ``Definition`` (SAM), ``DefinitionString`` (a string, ``Fn::Sub`` with
or without a variable map, ``Fn::Join``), ``DefinitionUri`` (a file beside the template) and
``DefinitionSubstitutions``; ``Ref`` (template parameters' defaults, pseudo parameters, resources by the
physical names a case gives), ``Fn::GetAtt`` and ``Fn::ImportValue`` (from the case's values). The YAML
short forms (``!Sub``, ``!Ref``...) are read as their long forms. serverless.yml: a machine's inline
``definition`` or its ``${file(...)}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template(text: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=_CfnLoader)
    assert isinstance(data, dict)
    return data


class _Resolver:
    def __init__(self, template: Mapping[str, Any], values: Mapping[str, str], region: str) -> None:
        self.template = template
        self.values = {
            "AWS::Partition": "aws",
            "AWS::Region": region,
            "AWS::AccountId": "123456789012",
            **values,
        }

    def ref(self, name: str) -> str:
        if name in self.values:
            return self.values[name]
        parameter = self.template.get("Parameters", {}).get(name)
        if parameter is not None and "Default" in parameter:
            return str(parameter["Default"])
        raise KeyError(f"the case gives no value for Ref {name}")

    def sub(self, text: str, variables: Mapping[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and name not in self.values:
                return self.values[name]  # Fn::GetAtt shorthand, from the case
            return self.ref(name)

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, value), *_ = node.items()
            if key == "Ref":
                return self.ref(value)
            if key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
                return self.sub(text, variables)
            if key == "Fn::Join":
                return str(value[0]).join(str(self.resolve(part)) for part in value[1])
            if key == "Fn::GetAtt":
                return self.values[".".join(value)]
            if key == "Fn::ImportValue":
                return self.values[f"ImportValue:{self.resolve(value)}"]
        return {key: self.resolve(value) for key, value in node.items()}


def definition_text(
    template_text: str, machine: str, *, values: Mapping[str, str], region: str, linked: Callable[[str], str]
) -> str:
    """The definition the resource ``machine`` deploys in ``region`` (``linked`` reads a DefinitionUri)."""
    template = load_template(template_text)
    resource = template["Resources"][machine]
    assert resource["Type"] in MACHINE_TYPES, resource["Type"]
    properties = resource["Properties"]
    resolver = _Resolver(template, values, region)
    if "Definition" in properties:
        text = json.dumps(resolver.resolve(properties["Definition"]))
    elif "DefinitionString" in properties:
        text = str(resolver.resolve(properties["DefinitionString"]))
    else:
        text = linked(properties["DefinitionUri"])
    for name, value in (properties.get("DefinitionSubstitutions") or {}).items():
        if "${" + name + "}" in text:
            text = text.replace("${" + name + "}", str(resolver.resolve(value)))
    return text


def serverless_definition(text: str, machine: str, linked: Callable[[str], str]) -> str:
    """The definition of ``stepFunctions.stateMachines.<machine>`` in a serverless.yml (inline, or
    ``${file(path)}``), as JSON text; Serverless variables are left for the case's substitutions."""
    config = yaml.safe_load(text)
    definition = config["stepFunctions"]["stateMachines"][machine]["definition"]
    if isinstance(definition, str):
        match = re.fullmatch(r"\$\{file\((.+)\)\}", definition.strip())
        assert match is not None, definition
        definition = yaml.safe_load(linked(match.group(1)))
    return json.dumps(definition)
