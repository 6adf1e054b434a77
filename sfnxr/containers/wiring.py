"""`sfnxr transform --add-proxy`: put the proxy into the CloudFormation or SAM template itself.

The resources are those `sfnxr deploy-proxy --template` builds (sfnxr/deploy/template.py: a role with the
least-privilege policy derived from the template's routed tasks, the function, a version and the alias
`live`), under logical ids starting with `SfnxrProxy`, with two changes for living inside someone else's
stack: no fixed FunctionName (two stacks of one template in one region must not collide), so the function
logs into a log group of the template (`SfnxrProxyLogGroup`) and the role may write there only; and the code
is the zip sfnxr writes beside the template (`Code: sfnxr-proxy-HASH.zip`, uploaded by `sam deploy`/`sam
package`) in a SAM template, or S3 parameters (`SfnxrProxyCodeS3Bucket`, `SfnxrProxyCodeS3Key`) in a plain
CloudFormation template, as deploy-proxy's template has them.

Each state machine with a rerouted task names the proxy's alias in the style its definition allows:
- a `Definition` object without DefinitionSubstitutions: `!Ref SfnxrProxyAlias` (`{"Ref": ...}` in JSON);
- an `Fn::Sub` DefinitionString: `${SfnxrProxyAlias}`; an `Fn::Join` one: a `{"Ref": "SfnxrProxyAlias"}`
  piece;
- a Definition with DefinitionSubstitutions, a plain DefinitionString, a DefinitionUri file:
  `${SfnxrProxyArn}`, with `SfnxrProxyArn: !Ref SfnxrProxyAlias` added to DefinitionSubstitutions.
and its role gets `lambda:InvokeFunction` on the proxy: SAM `Policies` (`LambdaInvokePolicy`), or a policy
`sfnxr-invoke-proxy` on the role when the role is in the template; otherwise a note says what to add.

Running it again on its own output changes nothing; new routed tasks update the policy and the code.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sfnxr.asl import Keys
from sfnxr.containers import Container, DefinitionSite, ProxyForm
from sfnxr.containers.cfn import SAM_STATE_MACHINE, Machine, Template, intrinsic
from sfnxr.transform import RoutedTask

PROXY_PLACEHOLDER = "${SfnxrProxyArn}"  # what the pipeline writes; each definition's form replaces it
SUBSTITUTION = "SfnxrProxyArn"
PREFIX = "SfnxrProxy"
ROLE = "SfnxrProxyRole"
FUNCTION = "SfnxrProxyFunction"
ALIAS = "SfnxrProxyAlias"
LOG_GROUP = "SfnxrProxyLogGroup"
VERSION_PREFIX = "SfnxrProxyVersion"
CODE_BUCKET = "SfnxrProxyCodeS3Bucket"
CODE_KEY = "SfnxrProxyCodeS3Key"
INVOKE_POLICY_NAME = "sfnxr-invoke-proxy"
_RENAMES = {
    "ProxyRole": ROLE,
    "ProxyFunction": FUNCTION,
    "ProxyAlias": ALIAS,
    "CodeS3Bucket": CODE_BUCKET,
    "CodeS3Key": CODE_KEY,
}


@dataclass
class Wiring:
    """--add-proxy for one command: the plans of the templates it meets, the zips to write, the notes."""

    assume_roles: tuple[str, ...] = ()
    artifacts: dict[str, bytes] = field(default_factory=dict)  # path -> the proxy's zip
    notes: list[str] = field(default_factory=list)

    def plan(self, container: Container) -> Plan:
        return Plan(self, container)

    def write_artifacts(self) -> list[str]:
        """Write the zips that are missing or differ; returns the paths written."""
        written = []
        for path, data in sorted(self.artifacts.items()):
            try:
                with open(path, "rb") as handle:
                    if handle.read() == data:
                        continue
            except OSError:
                pass
            directory = os.path.dirname(path) or "."
            os.makedirs(directory, exist_ok=True)
            temporary = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
            try:
                with open(temporary, "wb") as handle:
                    handle.write(data)
                os.replace(temporary, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
            written.append(path)
        return written


class Plan:
    """--add-proxy for one file: how each state machine names the proxy, and what the template gains."""

    def __init__(self, wiring: Wiring, container: Container) -> None:
        self.wiring = wiring
        self.container = container
        self.problems: list[tuple[int | None, str]] = []
        template = container.template if container.kind in ("cloudformation", "sam") else None
        self.template: Template | None = template
        if template is None:
            what = {
                "definition": "a bare definition",
                "templatefile": "a Terraform templatefile",
                "serverless": "a serverless.yml",
            }.get(container.kind, container.kind)
            self.problems.append(
                (
                    None,
                    f"--add-proxy adds the proxy to a CloudFormation or SAM template, and this is {what}: "
                    "deploy the proxy with `sfnxr deploy-proxy` and pass its ARN with --proxy-arn",
                )
            )
            return
        self.machines = {
            id(machine.site): machine for machine in template.machines if machine.site is not None
        }
        self.by_label = {machine.logical_id: machine for machine in template.machines}

    def _substituted(self, machine: Machine) -> bool:
        properties = _get(self.container.document.data if self.container.document else {}, machine.properties)
        has = isinstance(properties, Mapping) and isinstance(
            properties.get("DefinitionSubstitutions"), Mapping
        )
        return machine.form in ("string", "link") or (machine.form == "object" and has)

    def proxy_form(self, site: DefinitionSite) -> ProxyForm | None:
        if self.template is None:
            return None
        machine = self.machines.get(id(site))
        if machine is None or self._substituted(machine):
            return None  # ${SfnxrProxyArn} stays, for DefinitionSubstitutions
        if machine.form == "object":
            return ProxyForm(PROXY_PLACEHOLDER, object_value=self.template.ref(ALIAS))
        piece = self.template.ref(ALIAS) if self.template.short_tags else {"Ref": ALIAS}
        return ProxyForm(PROXY_PLACEHOLDER, text_value="${" + ALIAS + "}", join_piece=piece)

    def template_changes(
        self, routed: Sequence[tuple[str | None, RoutedTask]], target: str | None
    ) -> tuple[list[tuple[Keys, Any]], list[tuple[int | None, str]]]:
        """The template's new resources, substitutions and grants for the tasks routed in it."""
        from sfnxr import policy
        from sfnxr.deploy import package as packaging
        from sfnxr.deploy import template as deploy_template
        from sfnxr.deploy.desired import DeployOptions

        template = self.template
        if template is None or not routed:
            return [], []
        document = template.document
        try:
            needs = policy.needs((task for _, task in routed), self.wiring.assume_roles)
        except policy.DynamicRoleError as error:
            return [], [(None, f"--add-proxy: {error}")]
        package = packaging.build(policy.allowlist_text(needs))
        options = DeployOptions(region="${AWS::Region}", assume_roles=self.wiring.assume_roles)
        built = deploy_template.template(options, needs, package)
        zip_name = deploy_template.zip_name(options, package)
        resources = adapt(built, template.sam, zip_name)
        if template.short_tags:
            resources = {key: short_form(value, template) for key, value in resources.items()}

        source = self.container.source
        where = os.path.dirname(target) if target not in (None, "-") else os.path.dirname(source)
        if target is not None and source != "<stdin>":
            self.wiring.artifacts[os.path.join(where, zip_name)] = package.data
            if target == "-":
                self.wiring.notes.append(
                    f"{source}: the proxy's code is {os.path.join(where, zip_name)}; "
                    "keep it beside the template"
                )
        prefix = (*template.prefix, "Resources")
        changes: list[tuple[Keys, Any]] = []
        old_resources = template.resources
        stale = [
            key
            for key in old_resources
            if isinstance(key, str) and key.startswith(VERSION_PREFIX) and key not in resources
        ]
        if stale:
            kept = {key: value for key, value in old_resources.items() if key not in stale}
            changes.append((prefix, kept))
        for logical_id, resource in resources.items():
            changes.append(((*prefix, logical_id), resource))
        if not template.sam:
            parameters = {
                _RENAMES.get(name, name): dict(spec, Default=zip_name) if name == "CodeS3Key" else spec
                for name, spec in built["Parameters"].items()
            }
            root = document.data
            if not template.prefix and isinstance(root, Mapping) and "Parameters" not in root:
                # A new Parameters section goes where templates have it: before Resources.
                reordered: dict[str, Any] = {}
                for key, value in root.items():
                    if key == "Resources":
                        reordered["Parameters"] = parameters
                    reordered[key] = value
                changes.append(((), reordered))
            else:
                for name, spec in parameters.items():
                    changes.append(((*template.prefix, "Parameters", name), spec))
            self.wiring.notes.append(
                f"{source}: upload {zip_name} to an S3 bucket in the stack's region and pass the bucket as "
                f"the {CODE_BUCKET} parameter"
            )

        labels = {label for label, _ in routed}
        granted: set[str] = set()
        for machine in template.machines:
            if machine.logical_id not in labels:
                continue
            if self._substituted(machine):
                changes.append(
                    ((*machine.properties, "DefinitionSubstitutions", SUBSTITUTION), template.ref(ALIAS))
                )
            changes.extend(self._grant(machine, granted))
        return changes, []

    def _grant(self, machine: Machine, granted: set[str]) -> list[tuple[Keys, Any]]:
        """lambda:InvokeFunction on the proxy for the machine's role."""
        template = self.template
        assert template is not None and self.container.document is not None
        data = self.container.document.data
        properties = _get(data, machine.properties)
        properties = properties if isinstance(properties, Mapping) else {}
        sam = machine.type == SAM_STATE_MACHINE
        role_key = "Role" if sam else "RoleArn"
        role_value = properties.get(role_key)
        if sam and role_value is None:
            policies = properties.get("Policies")
            entry = {"LambdaInvokePolicy": {"FunctionName": template.ref(FUNCTION)}}
            if policies is None:
                return [((*machine.properties, "Policies"), [entry])]
            items = list(policies) if isinstance(policies, list) else [policies]
            if any(_is_invoke_entry(item) for item in items):
                return []
            return [((*machine.properties, "Policies"), [*items, entry])]
        role_id = _role_id(role_value)
        role = template.resources.get(role_id) if role_id is not None else None
        if role_id is None or not isinstance(role, Mapping) or role.get("Type") != "AWS::IAM::Role":
            statement = {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": ["<the SfnxrProxyFunction's ARN>", "<the SfnxrProxyFunction's ARN>:*"],
            }
            self.wiring.notes.append(
                f"{self.container.source}: {machine.logical_id}'s role ({role_key}: "
                f"{_describe(role_value)}) is not in this template: give it this statement so that it may "
                "invoke the proxy: " + json.dumps(statement)
            )
            return []
        if role_id in granted:
            return []
        granted.add(role_id)
        role_properties = role.get("Properties")
        role_properties = role_properties if isinstance(role_properties, Mapping) else {}
        policies = role_properties.get("Policies")
        items = list(policies) if isinstance(policies, list) else []
        document = {
            "PolicyName": INVOKE_POLICY_NAME,
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "lambda:InvokeFunction",
                        "Resource": [
                            template.get_att(FUNCTION, "Arn"),
                            template.sub("${" + FUNCTION + ".Arn}:*"),
                        ],
                    }
                ],
            },
        }
        at = next(
            (
                index
                for index, item in enumerate(items)
                if isinstance(item, Mapping) and item.get("PolicyName") == INVOKE_POLICY_NAME
            ),
            None,
        )
        if at is None:
            items.append(document)
        else:
            items[at] = document
        role_keys = (*template.prefix, "Resources", role_id, "Properties", "Policies")
        return [(role_keys, items)]


def unwire_changes(container: Container) -> list[tuple[Keys, Any]]:
    """What `sfnxr restore` takes out of a template that --add-proxy wired: the SfnxrProxy resources and
    parameters, the SfnxrProxyArn substitutions, the grants (and the mappings and lists left empty)."""
    template = container.template if container.kind in ("cloudformation", "sam") else None
    if template is None or container.document is None:
        return []
    data = container.document.data
    root_keys = template.prefix
    root = _get(data, root_keys) if root_keys else data
    changes: list[tuple[Keys, Any]] = []
    resources = template.resources
    ours = [key for key in resources if isinstance(key, str) and key.startswith(PREFIX)]
    if not ours:
        return []
    kept_resources = {key: value for key, value in resources.items() if key not in ours}
    new_root = dict(root)
    new_root["Resources"] = kept_resources
    parameters = root.get("Parameters") if isinstance(root, Mapping) else None
    if isinstance(parameters, Mapping) and any(name in parameters for name in (CODE_BUCKET, CODE_KEY)):
        kept = {key: value for key, value in parameters.items() if key not in (CODE_BUCKET, CODE_KEY)}
        if kept:
            new_root["Parameters"] = kept
        else:
            del new_root["Parameters"]
    for machine in template.machines:
        properties = kept_resources[machine.logical_id].get("Properties")
        if not isinstance(properties, Mapping):
            continue
        new_properties = dict(properties)
        substitutions = properties.get("DefinitionSubstitutions")
        if isinstance(substitutions, Mapping) and SUBSTITUTION in substitutions:
            rest = {key: value for key, value in substitutions.items() if key != SUBSTITUTION}
            if rest:
                new_properties["DefinitionSubstitutions"] = rest
            else:
                del new_properties["DefinitionSubstitutions"]
        policies = properties.get("Policies")
        if machine.type == SAM_STATE_MACHINE and isinstance(policies, list):
            rest_policies = [item for item in policies if not _is_invoke_entry(item)]
            if len(rest_policies) != len(policies):
                if rest_policies:
                    new_properties["Policies"] = rest_policies
                else:
                    del new_properties["Policies"]
        if new_properties != dict(properties):
            kept_resources[machine.logical_id] = dict(
                kept_resources[machine.logical_id], Properties=new_properties
            )
    for logical_id, resource in list(kept_resources.items()):
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::IAM::Role":
            continue
        properties = resource.get("Properties")
        policies = properties.get("Policies") if isinstance(properties, Mapping) else None
        if not isinstance(policies, list):
            continue
        rest_policies = [
            item
            for item in policies
            if not (isinstance(item, Mapping) and item.get("PolicyName") == INVOKE_POLICY_NAME)
        ]
        if len(rest_policies) == len(policies):
            continue
        assert isinstance(properties, Mapping)
        new_properties = dict(properties)
        if rest_policies:
            new_properties["Policies"] = rest_policies
        else:
            del new_properties["Policies"]
        kept_resources[logical_id] = dict(resource, Properties=new_properties)
    changes.append((root_keys, new_root))
    return changes


def adapt(built: Mapping[str, Any], sam: bool, zip_name: str) -> dict[str, Any]:
    """deploy-proxy's template resources, renamed and made to live in another template (see the module)."""
    resources: dict[str, Any] = {}
    renames = dict(_RENAMES)
    for logical_id in built["Resources"]:
        if logical_id.startswith("ProxyVersion"):
            renames[logical_id] = VERSION_PREFIX + logical_id.removeprefix("ProxyVersion")
    for logical_id, resource in built["Resources"].items():
        if logical_id.startswith("ProxyInvokePermission"):
            continue  # the state machines' roles are granted by IAM policy in the same account
        resources[renames.get(logical_id, logical_id)] = _renamed(resource, renames)
    function = resources[FUNCTION]["Properties"]
    function.pop("FunctionName", None)
    function["LoggingConfig"] = {"LogGroup": {"Ref": LOG_GROUP}}
    if sam:
        function["Code"] = zip_name  # sam deploy (or sam package) uploads it
    role = resources.get(ROLE)
    if role is not None:
        for inline in role["Properties"]["Policies"]:
            statements = inline["PolicyDocument"]["Statement"]
            for index, statement in enumerate(statements):
                if statement.get("Sid") == "Logs":
                    statements[index] = {
                        "Sid": "Logs",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": {"Fn::GetAtt": [LOG_GROUP, "Arn"]},
                    }
    ordered: dict[str, Any] = {LOG_GROUP: {"Type": "AWS::Logs::LogGroup", "Properties": {}}}
    ordered.update(resources)
    _refingerprint(ordered)
    return ordered


def _refingerprint(resources: dict[str, Any]) -> None:
    """The version's logical id carries a hash of the code and the function's configuration (deploy-proxy's
    rule); the configuration changed here, so the hash is taken again over what is written."""
    import hashlib

    versions = [key for key in resources if key.startswith(VERSION_PREFIX)]
    if len(versions) != 1:
        return
    old = versions[0]
    version = resources.pop(old)
    fingerprint = hashlib.sha256(
        json.dumps([version["Properties"]["Description"], resources[FUNCTION]], sort_keys=True).encode()
    ).hexdigest()[:12]
    new = VERSION_PREFIX + fingerprint
    resources[new] = version
    alias = resources[ALIAS]
    alias["Properties"]["FunctionVersion"] = {"Fn::GetAtt": [new, "Version"]}
    items = list(resources.items())
    resources.clear()
    order = [LOG_GROUP, ROLE, FUNCTION, new, ALIAS]
    for key in order:
        for name, value in items:
            if name == key:
                resources[name] = value
    for name, value in items:
        if name not in resources:
            resources[name] = value


def short_form(value: Any, template: Template) -> Any:
    """Long-form Ref, Fn::GetAtt and Fn::Sub written as the YAML short forms the template uses."""
    if isinstance(value, Mapping):
        if len(value) == 1:
            key, item = next(iter(value.items()))
            if key == "Ref" and isinstance(item, str):
                return template.ref(item)
            if key == "Fn::GetAtt" and isinstance(item, list) and len(item) == 2:
                return template.get_att(str(item[0]), str(item[1]))
            if key == "Fn::Sub" and isinstance(item, str):
                return template.sub(item)
        return {key: short_form(item, template) for key, item in value.items()}
    if isinstance(value, list):
        return [short_form(item, template) for item in value]
    return value


def _renamed(value: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                out[key] = renames.get(item, item)
            elif key == "Fn::GetAtt" and isinstance(item, list) and item and isinstance(item[0], str):
                out[key] = [renames.get(item[0], item[0]), *item[1:]]
            else:
                out[key] = _renamed(item, renames)
        return out
    if isinstance(value, list):
        return [_renamed(item, renames) for item in value]
    return value


def _role_id(value: Any) -> str | None:
    """The logical id of a role named by `!GetAtt Role.Arn`, `{"Fn::GetAtt": ["Role", "Arn"]}` or
    `!Sub ${Role.Arn}`."""
    function = intrinsic(value)
    if function is None:
        return None
    name, argument = function
    if name == "Fn::GetAtt":
        if isinstance(argument, str) and argument.endswith(".Arn"):
            return argument.removesuffix(".Arn")
        if isinstance(argument, list) and len(argument) == 2 and argument[1] == "Arn":
            return str(argument[0])
    if name == "Fn::Sub" and isinstance(argument, str):
        match = re.fullmatch(r"\$\{([A-Za-z0-9]+)\.Arn\}", argument)
        if match:
            return match.group(1)
    return None


def _is_invoke_entry(item: Any) -> bool:
    if not isinstance(item, Mapping) or "LambdaInvokePolicy" not in item:
        return False
    spec = item["LambdaInvokePolicy"]
    name = spec.get("FunctionName") if isinstance(spec, Mapping) else None
    function = intrinsic(name)
    return function is not None and function[1] == FUNCTION


def _describe(value: Any) -> str:
    from sfnxr.containers import describe

    return "absent" if value is None else describe(value)


def _get(data: Any, keys: Keys) -> Any:
    for key in keys:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


__all__ = ["PROXY_PLACEHOLDER", "Plan", "Wiring", "adapt", "short_form", "unwire_changes"]
