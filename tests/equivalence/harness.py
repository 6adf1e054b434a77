"""The three runs of a case, and what each is compared on.

- reference: the ORIGINAL definition without its annotations, run in the target region with the resources
  there (what Step Functions would do if the machine lived where the resources are);
- candidate: ``sfnxr transform``'s output (the real CLI), run in the home region, its rerouted tasks going
  through the proxy Lambda (the real handler) to the target region;
- native: the original without annotations run in the home region: it must NOT give the reference's
  result, which shows that the resources are really out of its reach and the candidate really crossed.

Before each run the server is reset and the case's ``setup`` recreates its resources, so the three start
from the same state.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.equivalence import compare, runner, templates
from tests.equivalence.moto_patches import PROXY_FUNCTION
from tests.support.cli import sfnxr

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
TARGET = "us-west-2"
HOME = "us-east-1"
PROXY_ALIAS = "live"


@dataclass(frozen=True)
class Env:
    """Where a run's resources go: ``target`` for what the rerouted tasks use, ``home`` for what the
    machine's native tasks use (the reference runs in the target region, so there home == target)."""

    target: str
    home: str

    def client(self, service: str, region: str | None = None) -> Any:
        return runner.client(service, region or self.target)


Setup = Callable[[Env], None]
Observe = Callable[[Env], Any]
Callback = Callable[[Env, str, str], bool]  # (env, execution ARN, execution region) -> done
Reference = Callable[["Case", Env], dict[str, Any]]  # a reference composed from native runs


@dataclass(frozen=True)
class Case:
    """One equivalence case. ``definition`` is what the user writes (annotated); ``source`` instead names
    a file under samples/ that the CLI transforms where it lies (its configuration found from ``cwd``)."""

    name: str
    about: str
    definition: Mapping[str, Any] | None = None
    source: str | None = None
    cwd: str | None = None
    # a template (CloudFormation, SAM, CDK) or serverless.yml source: which state machine to run (its logical
    # id, or its key under stepFunctions.stateMachines), and the values of the template's Refs, GetAtts
    # (name.Attr) and ImportValues (ImportValue:name) that it does not give itself
    machine: str | None = None
    template_values: Mapping[str, str] = field(default_factory=dict)
    # ${...} placeholders left for deployment (DefinitionSubstitutions, Terraform templatefile variables,
    # Serverless variables): "OrdersTable" -> "orders", "jsonencode(tags)" -> "[...]", "sls:stage" -> "dev";
    # "{home}" in a value is the region the machine is deployed in
    substitutions: Mapping[str, str] = field(default_factory=dict)
    input: Any = field(default_factory=dict)
    setup: Setup | None = None
    observe: Observe | None = None
    callback: Callback | None = None
    target: str = TARGET
    home: str = HOME
    transform_args: tuple[str, ...] = ()
    execution_name: str = "equivalence-run-0001"
    expect_status: str = "SUCCEEDED"
    # error names the reference must show (caught in the output, or the execution's error): proof that the
    # case exercises what it is about
    expect_errors: tuple[str, ...] = ()
    volatile: tuple[str, ...] = ()
    # why the original run in the home region is not checked (None: it is checked)
    native_unchecked: str | None = None
    # where moto's reference differs from Step Functions' documented behaviour, and what is normalised
    moto_deviation: str = ""
    reference: Reference | None = None

    def original(self, region: str) -> dict[str, Any]:
        """The definition as written (annotations included), deployed in ``region``."""
        if self.definition is not None:
            return copy.deepcopy(dict(self.definition))
        assert self.source is not None
        return self.deployed(SAMPLES, region)

    def deployed(self, root: Path, region: str) -> dict[str, Any]:
        """The definition that the case's file under ``root`` (samples/, or the transform's --out-dir)
        deploys; files it links to are read from ``root`` when the transform wrote them, else from
        samples/."""
        assert self.source is not None
        path = root / self.source
        if not path.exists():
            path = SAMPLES / self.source

        def linked(relative: str) -> str:
            name = os.path.normpath(Path(self.source or "").parent / relative)
            written = root / name
            return (written if written.exists() else SAMPLES / name).read_text()

        text = path.read_text()
        if self.machine is not None and path.name == "serverless.yml":
            text = templates.serverless_definition(text, self.machine, linked)
        elif self.machine is not None:
            text = templates.definition_text(
                text, self.machine, values=self.template_values, region=region, linked=linked
            )
        for name, value in self.substitutions.items():
            text = text.replace("${" + name + "}", value.replace("{home}", region))
        data = yaml.safe_load(text)  # JSON, or YAML
        assert isinstance(data, dict)
        return data


# ---------------------------------------------------------------------------------------------- definitions

_DIRECTIVE = re.compile(r"(?:^|\s)@sfnxr(?=\s|$)")
_SDK_REGION = re.compile(r"^(arn:[^:]+:states:)[a-z0-9-]+(::aws-sdk:)")


def _states(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in definition.get("States", {}).values():
        yield state
        for branch in state.get("Branches", []):
            yield from _states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from _states(state[key])


def strip_annotations(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The original definition as Step Functions would run it: the ``@sfnxr`` directive cut from each
    Comment (the Comment dropped when nothing is left) and the region taken out of aws-sdk Resource ARNs.
    Written here, not taken from sfnxr, so that the reference does not depend on the code under test."""
    result = copy.deepcopy(dict(definition))
    for state in _states(result):
        comment = state.get("Comment")
        if isinstance(comment, str) and _DIRECTIVE.search(comment):
            kept = comment[: _DIRECTIVE.search(comment).start()].rstrip()  # type: ignore[union-attr]
            if kept:
                state["Comment"] = kept
            else:
                del state["Comment"]
        resource = state.get("Resource")
        if isinstance(resource, str):
            state["Resource"] = _SDK_REGION.sub(r"\1\2", resource)
    return result


def proxy_arn(region: str, function: str = PROXY_FUNCTION) -> str:
    return f"arn:aws:lambda:{region}:{runner.ACCOUNT}:function:{function}:{PROXY_ALIAS}"


def transform(case: Case, function: str = PROXY_FUNCTION) -> dict[str, Any]:
    """``sfnxr transform --proxy-arn ARN [case args] FILE``: the real CLI's output for the case (a sample is
    transformed where it lies, into a temporary --out-dir; a template's machine is then deployed from it)."""
    args = ["transform", "--proxy-arn", proxy_arn(case.home, function), *case.transform_args]
    if case.source is None:
        result = sfnxr(*args, "-", stdin=json.dumps(case.original(case.home), indent=2))
        assert result.exit_code == 0, f"sfnxr transform failed ({result.exit_code}):\n{result.stderr}"
        data = json.loads(result.stdout)
        assert isinstance(data, dict)
        return data
    cwd = SAMPLES / (case.cwd or "")
    relative = (SAMPLES / case.source).relative_to(cwd)
    with tempfile.TemporaryDirectory() as out:
        # --out-dir mirrors paths relative to the working directory: aim it so that out/<source> is written
        result = sfnxr(*args, "--out-dir", str(Path(out) / cwd.relative_to(SAMPLES)), str(relative), cwd=cwd)
        assert result.exit_code == 0, f"sfnxr transform failed ({result.exit_code}):\n{result.stderr}"
        return case.deployed(Path(out), case.home)


# ---------------------------------------------------------------------------------------------- runs


def code_zip() -> bytes:
    # The code moto stores; the harness's patch runs sfnxr_proxy.handler in its place.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sfnxr_proxy/handler.py", "# replaced by the harness\n")
    return buffer.getvalue()


def deploy_proxy(region: str, function: str = PROXY_FUNCTION) -> None:
    """The proxy as a deployment has it: a function, a published version, the alias the ARN names."""
    iam = runner.client("iam", region)
    role = iam.create_role(RoleName=f"{function}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = runner.client("lambda", region)
    lam.create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=role,
        Handler="sfnxr_proxy.handler.handler",
        Code={"ZipFile": code_zip()},
        Timeout=60,
    )
    version = lam.publish_version(FunctionName=function)["Version"]
    lam.create_alias(FunctionName=function, Name=PROXY_ALIAS, FunctionVersion=version)


def execute(case: Case, definition: Mapping[str, Any], env: Env, region: str) -> dict[str, Any]:
    """Reset, set up, run ``definition`` in ``region``; the run and what it left, normalised."""
    runner.reset()
    if case.setup is not None:
        case.setup(env)
    return _finish(case, env, definition, region)


def _finish(
    case: Case, env: Env, definition: Mapping[str, Any], region: str, *, proxied: bool = False
) -> dict[str, Any]:
    callback = case.callback

    def while_running(arn: str, execution_region: str) -> bool:
        assert callback is not None
        return callback(env, arn, execution_region)

    run = runner.run(
        definition,
        case.input,
        region,
        name=case.execution_name,
        while_running=while_running if callback is not None else None,
    )
    if proxied:
        assert run.lambda_calls > 0, f"{case.name}: the rewritten machine never invoked the proxy"
    outcome: dict[str, Any] = {
        "status": run.status,
        "error": run.error,
        "cause": run.cause,
        "output": run.output,
        "failed task attempts": run.task_errors,
    }
    if case.observe is not None:
        outcome["left in the services"] = case.observe(env)
    return outcome


def reference(case: Case) -> dict[str, Any]:
    env = Env(case.target, case.target)
    if case.reference is not None:
        return case.reference(case, env)
    return execute(case, strip_annotations(case.original(case.target)), env, case.target)


def candidate(case: Case, function: str = PROXY_FUNCTION) -> dict[str, Any]:
    definition = transform(case, function)
    env = Env(case.target, case.home)
    runner.reset()
    if case.setup is not None:
        case.setup(env)
    deploy_proxy(case.home, function)
    return _finish(case, env, definition, case.home, proxied=True)


def native_in_home(case: Case) -> dict[str, Any]:
    return execute(case, strip_annotations(case.original(case.home)), Env(case.target, case.home), case.home)


def comparable(case: Case, outcome: Mapping[str, Any]) -> dict[str, Any]:
    return dict(compare.normalise(dict(outcome), case.volatile))
