"""`sfnxr deploy-proxy` and `sfnxr policy`: put the proxy into an account, and say what it may do.

Registered on the main group at the end of sfnxr/cli.py. boto3 is imported only inside deploy-proxy's AWS
path (sfnxr.deploy.aws), never when this module is imported.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from sfnxr import policy as policy_module
    from sfnxr.deploy.desired import DeployOptions
    from sfnxr.deploy.models import Desired, Step
    from sfnxr.deploy.package import Package
    from sfnxr.transform import RoutedTask

F = TypeVar("F", bound=Callable[..., Any])
_PLACEHOLDER_PROXY = "${SfnxrProxyArn}"  # reading definitions writes nothing; any proxy reference will do


def _guarded(command: F) -> F:
    """sfnxr.cli's `_guard` (looked up at run time, so this module imports without sfnxr.cli)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sfnxr.cli import _guard

        return _guard(command)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _fail(message: str) -> click.ClickException:
    from sfnxr.cli import UserError

    return UserError(message)


_reading_options = [
    click.option(
        "--assume-role",
        "assume_roles",
        multiple=True,
        metavar="ROLE_ARN",
        help="A role the proxy may assume for tasks whose role is chosen at run time "
        "(role=$.path, Credentials.RoleArn.$). Repeatable.",
    ),
    click.option(
        "--home-region",
        metavar="REGION",
        help="The state machines' own region: tasks annotated with it stay native and need no proxy.",
    ),
    click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, exists=True),
        help="Configuration file (default: .sfnxr.toml, or pyproject.toml with [tool.sfnxr], "
        "searched upwards).",
    ),
]


def _with(options: list[Callable[[F], F]]) -> Callable[[F], F]:
    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


# Reading definitions


def _routed_tasks(
    paths: Sequence[str], home_region: str | None, config_path: str | None
) -> tuple[list[tuple[str, RoutedTask]], Any]:
    """Every task the definitions route through the proxy, with its file; exit 2 on errors in them."""
    from sfnxr.engine import explain_pipeline, run_all
    from sfnxr.settings import load_settings

    settings = load_settings(config_path, _PLACEHOLDER_PROXY, home_region, False)
    outcomes = run_all(((path, None) for path in paths), lambda s: explain_pipeline(settings.options_for(s)))
    errors = [message for outcome in outcomes for message in outcome.errors]
    if errors:
        for message in errors:
            click.echo(str(message), err=True)
        click.echo(f"sfnxr: {len(errors)} error(s) in the definitions", err=True)
        sys.exit(2)
    tasks = [(outcome.source, task) for outcome in outcomes for _, task in outcome.routed]
    return tasks, settings


def _where(source: str, task: RoutedTask) -> str:
    from sfnxr.documents import read_document

    try:
        document = read_document(source)
    except Exception:
        return source
    for end in range(len(task.keys), -1, -1):
        line = document.line_of(task.keys[:end])
        if line is not None:
            return f"{source}:{line}"
    return source


def _needs(tasks: list[tuple[str, RoutedTask]], assume_roles: Sequence[str]) -> policy_module.Needs:
    from sfnxr import policy

    for role in assume_roles:
        if not policy.is_role_arn(role):
            raise _fail(
                f"--assume-role {role!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)"
            )
    try:
        return policy.needs((task for _, task in tasks), assume_roles)
    except policy.DynamicRoleError as error:
        source = next(source for source, task in tasks if task is error.task)
        raise _fail(f"{_where(source, error.task)}: {error}") from None


# sfnxr policy


@click.command("policy")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--proxy-arn",
    metavar="ARN",
    help="The proxy's function or alias ARN (default: proxy-arn from the configuration); without it the "
    "ARNs have * for region and account.",
)
@_with(_reading_options)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Documents with a comment line each, or one JSON object.",
)
@_guarded
def policy(
    paths: tuple[str, ...],
    proxy_arn: str | None,
    assume_roles: tuple[str, ...],
    home_region: str | None,
    config_path: str | None,
    output_format: str,
) -> None:
    """Print the IAM the proxy needs for these definitions.

    \b
    - the proxy role's policy: the rerouted calls' IAM actions (from iam-action= or derived from the
      call), on iam-resources= or *, scoped by aws:RequestedRegion where the region is fixed;
      sts:AssumeRole on the roles named by role=; the function's own log group
    - the statement the state machine's role needs: lambda:InvokeFunction on the proxy and its versions
    - for each role the proxy assumes: the policy that role needs for the calls made with it

    deploy-proxy puts exactly this policy on the role it manages.
    """
    from sfnxr import policy as p
    from sfnxr.settings import proxy_arn_problem

    tasks, settings = _routed_tasks(paths, home_region, config_path)
    arn = proxy_arn if proxy_arn is not None else settings.config.proxy_arn
    if arn is not None and proxy_arn_problem(arn):
        raise _fail(f"--proxy-arn: {proxy_arn_problem(arn)}")
    target = p.ProxyTarget.from_arn(arn)
    found = _needs(tasks, assume_roles)
    if target.account == "*":
        click.echo(
            "sfnxr: no --proxy-arn (or a ${Placeholder}): the ARNs below have * for region and account",
            err=True,
        )
    if not tasks:
        click.echo("sfnxr: no task goes through the proxy: its role needs only its logs", err=True)
    role_policy = p.role_policy(found, target)
    invoke = p.invoke_statement(target)
    assumed = p.assumed_role_policies(found)
    if output_format == "json":
        document = {
            "proxy_role_policy": role_policy,
            "state_machine_statement": invoke,
            "assumed_roles": assumed,
            "allowlist": p.allowlist_document(found),
        }
        click.echo(json.dumps(document, indent=2))
        return
    click.echo("# The proxy role's policy (deploy-proxy puts it on the role it manages):")
    click.echo(json.dumps(role_policy, indent=2))
    click.echo("\n# The state machine's role needs this statement to invoke the proxy:")
    click.echo(json.dumps(invoke, indent=2))
    for role, document in assumed.items():
        click.echo(
            f"\n# {role} (assumed by the proxy) needs this policy, and a trust policy that lets "
            "the proxy's role assume it:"
        )
        click.echo(json.dumps(document, indent=2))


# sfnxr deploy-proxy


@click.command("deploy-proxy")
@click.argument(
    "more_definitions", nargs=-1, metavar="[PATH]...", type=click.Path(dir_okay=False, allow_dash=True)
)
@click.option(
    "--region", required=True, metavar="REGION", help="Where the proxy runs: the state machines' region."
)
@click.option(
    "--function-name", default="sfnxr-proxy", show_default=True, metavar="NAME", help="The Lambda function."
)
@click.option(
    "--definitions",
    multiple=True,
    metavar="PATH",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Definitions whose rerouted calls the proxy may make (its allowlist and its role's policy). "
    "Repeatable; PATHs after the options count too, so a shell glob works.",
)
@click.option(
    "--role-arn",
    metavar="ARN",
    help="Run as this existing role; sfnxr then neither creates nor changes a role (see `sfnxr policy`).",
)
@click.option(
    "--allow-invoke-from",
    multiple=True,
    metavar="ROLE_ARN",
    help="A state machine role allowed to invoke the proxy by its resource policy (needed across "
    "accounts; in the same account the role's own policy is enough). Repeatable.",
)
@_with(_reading_options)
@click.option("--memory", type=int, default=256, show_default=True, metavar="MB")
@click.option("--timeout", type=int, default=60, show_default=True, metavar="S")
@click.option("--architecture", type=click.Choice(["arm64", "x86_64"]), default="arm64", show_default=True)
@click.option("--runtime", default="python3.13", show_default=True, help="python3.12 or later.")
@click.option(
    "--snapstart",
    is_flag=True,
    help="Lambda SnapStart on published versions: the handler creates the allowlisted clients during "
    "init, so they are in the snapshot (faster cold starts; SnapStart for Python is billed per cache and "
    "restore). See the README, 'Deploying the proxy'.",
)
@click.option("--plan", "plan_only", is_flag=True, help="Print what would change; change nothing.")
@click.option(
    "--template",
    "template_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Call no AWS API: write a CloudFormation template and the zip into DIR instead.",
)
@click.option(
    "--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--endpoint-url", metavar="URL", help="Another endpoint for IAM, Lambda and STS (tests, LocalStack)."
)
@click.option("--profile", metavar="NAME", help="The AWS profile to use.")
@_guarded
def deploy_proxy(
    more_definitions: tuple[str, ...],
    region: str,
    function_name: str,
    definitions: tuple[str, ...],
    role_arn: str | None,
    allow_invoke_from: tuple[str, ...],
    assume_roles: tuple[str, ...],
    home_region: str | None,
    config_path: str | None,
    memory: int,
    timeout: int,
    architecture: str,
    runtime: str,
    snapstart: bool,
    plan_only: bool,
    template_dir: str | None,
    output_format: str,
    endpoint_url: str | None,
    profile: str | None,
) -> None:
    """Deploy the proxy: role, policy, function, version, alias `live`, invoke permissions.

    Idempotent: what is already as wanted is not touched, and a run with nothing changed makes no write
    call. A run that stopped half-way is finished by the next one. Prints the alias ARN, for
    `sfnxr transform --proxy-arn`.

    \b
    Examples:
      sfnxr deploy-proxy --region us-east-1 --definitions statemachines/*.asl.json
      sfnxr deploy-proxy --region us-east-1 --definitions ingest.asl.json --plan
      sfnxr deploy-proxy --region us-east-1 --definitions ingest.asl.json --template build/proxy
    """
    from sfnxr import policy as p
    from sfnxr.deploy import package as packaging
    from sfnxr.deploy.desired import DeployOptions, check_options
    from sfnxr.deploy.models import DeployError

    if plan_only and template_dir is not None:
        raise click.UsageError("choose one of --plan and --template")
    options = DeployOptions(
        region=region,
        function_name=function_name,
        role_arn=role_arn,
        allow_invoke_from=allow_invoke_from,
        assume_roles=assume_roles,
        memory=memory,
        timeout=timeout,
        architecture=architecture,
        runtime=runtime,
        snapstart=snapstart,
    )
    try:
        check_options(options)
    except DeployError as error:
        raise _fail(str(error)) from None
    partition = _region_partition(region)
    paths = [*definitions, *more_definitions]
    tasks, _ = _routed_tasks(paths, home_region, config_path) if paths else ([], None)
    if not paths:
        click.echo(
            "sfnxr: no --definitions: the proxy's allowlist is empty, so it refuses every call", err=True
        )
    found = _needs(tasks, assume_roles)
    package = packaging.build(p.allowlist_text(found))
    if template_dir is not None:
        _write_template(Path(template_dir), options, found, package, output_format)
        return
    _deploy(options, partition, found, package, plan_only, output_format, endpoint_url, profile)


def _region_partition(region: str) -> str:
    import difflib

    from sfnxr.regions import all_regions, partition_of_region

    partition = partition_of_region(region)
    if partition is None:
        close = difflib.get_close_matches(region, all_regions(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise _fail(f"--region: unknown region {region!r}{hint}")
    return partition.id


def _write_template(
    directory: Path,
    options: DeployOptions,
    found: policy_module.Needs,
    package: Package,
    output_format: str,
) -> None:
    from sfnxr.deploy import template as templating
    from sfnxr.deploy.models import DeployError
    from sfnxr.documents import write_atomic

    try:
        document = templating.template(options, found, package)
    except DeployError as error:
        raise _fail(str(error)) from None
    template_path = directory / templating.template_name(options)
    zip_path = directory / templating.zip_name(options, package)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(str(template_path), templating.render(document))
        zip_path.write_bytes(package.data)
    except OSError as error:
        raise _fail(f"{directory}: cannot write: {error.strerror or error}") from error
    if output_format == "json":
        summary = {"template": str(template_path), "zip": str(zip_path), "code_sha256": package.code_sha256}
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(str(template_path))
    click.echo(str(zip_path))
    click.echo(
        f"sfnxr: upload {zip_path.name} to an S3 bucket in {options.region}, then deploy the template with "
        "CodeS3Bucket=<bucket>; its ProxyAliasArn output is the --proxy-arn for sfnxr transform",
        err=True,
    )


def _deploy(
    options: DeployOptions,
    partition: str,
    found: policy_module.Needs,
    package: Package,
    plan_only: bool,
    output_format: str,
    endpoint_url: str | None,
    profile: str | None,
) -> None:
    from sfnxr.deploy import aws
    from sfnxr.deploy.apply import StepFailed, apply
    from sfnxr.deploy.desired import desired_state
    from sfnxr.deploy.models import DeployError
    from sfnxr.deploy.observe import observe
    from sfnxr.deploy.plan import changes, plan, render

    try:
        session = aws.new_session(profile)
        clients = aws.clients(session, options.region, endpoint_url)
        account, credentials_partition = aws.identity(clients)
        if credentials_partition != partition:
            raise DeployError(
                f"--region {options.region} is in partition {partition}, "
                f"but the credentials are for {credentials_partition}"
            )
        desired = desired_state(options, account=account, partition=partition, needs=found, package=package)
        observed = observe(clients, desired)
        steps = plan(desired, observed)
        if plan_only:
            _print_plan(desired, steps, output_format, render(desired, steps))
            return
        applied = apply(clients, desired, observed, steps, on_done=_progress)
    except DeployError as error:
        raise _fail(str(error)) from None
    except StepFailed as failure:
        cause = (
            aws.describe(failure.cause, options.region) or f"{type(failure.cause).__name__}: {failure.cause}"
        )
        done = f"{len(failure.done)} step(s) done before it; " if failure.done else ""
        raise _fail(f"{failure.step.describe()}: {cause} ({done}run again to finish)") from None
    except Exception as error:
        described = aws.describe(error, options.region)
        if described is None:
            raise
        raise _fail(described) from None
    version = applied.version or "?"
    changed = changes(applied.done)
    if output_format == "json":
        _print_json(desired, version, changed, [step.describe() for step in applied.done])
        return
    if changed:
        click.echo(
            f"sfnxr: {desired.alias_arn} -> version {version} (changed: {', '.join(changed)})", err=True
        )
    else:
        click.echo(f"sfnxr: nothing to change: {desired.alias_arn} is version {version}", err=True)
    click.echo(desired.alias_arn)


def _progress(step: Step) -> None:
    click.echo(f"sfnxr: done: {step.describe()}", err=True)


def _print_plan(desired: Desired, steps: list[Step], output_format: str, text: str) -> None:
    from sfnxr.deploy.plan import changes

    if output_format == "json":
        document = {
            "function": desired.function_arn,
            "alias": desired.alias_arn,
            "role": desired.role_arn,
            "region": desired.region,
            "code_sha256": desired.code.sha256,
            "changes": changes(steps),
            "plan": [{"change": step.change, "step": step.describe()} for step in steps],
        }
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(text, nl=False)


def _print_json(desired: Desired, version: str, changed: list[str], steps: list[str]) -> None:
    document = {
        "function": desired.function_arn,
        "alias": desired.alias_arn,
        "version": version,
        "version_arn": f"{desired.function_arn}:{version}",
        "role": desired.role_arn,
        "region": desired.region,
        "code_sha256": desired.code.sha256,
        "changed": changed,
        "steps": steps,
    }
    click.echo(json.dumps(document, indent=2))
