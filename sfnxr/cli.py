"""The `sfnxr` command line: a thin layer that parses options, runs the engine, writes, and reports.

Exit codes: 0 done; 1 `--check` found outputs that would change; 2 bad input or usage; 3 internal error.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from sfnxr import __version__

if TYPE_CHECKING:
    from sfnxr.engine import FileOutcome, Pipeline
    from sfnxr.transform import TransformOptions

EXIT_OK, EXIT_CHANGED, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"sfnxr: {self.format_message()}", err=True)


def _guard(command: F) -> F:
    """User mistakes end as one line and exit 2; anything else is an internal error (exit 3)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            click.echo(
                f"sfnxr: internal error: {type(error).__name__}: {error}"
                " (run with --debug for the traceback)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Exit codes: 0 done, 1 --check found changes, 2 bad input or usage, 3 internal error.",
)
@click.version_option(__version__, "--version", prog_name="sfnxr")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
def main(debug: bool) -> None:
    """Run Step Functions aws-sdk tasks in another region, through a Lambda proxy.

    Mark a Task state with a target region, in one of three ways:

    \b
      "Resource": "arn:aws:states:us-west-2::aws-sdk:bedrockagent:startIngestionJob"
      "Comment": "Start ingestion. @sfnxr region=us-west-2"
      [[tool.sfnxr.rules]] in pyproject.toml or .sfnxr.toml (region, states, resource, files)

    then `sfnxr transform` rewrites those states to call the proxy, and `sfnxr restore` undoes it.
    """


def _output_options(command: F) -> F:
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True)),
        click.option("-o", "--output", metavar="FILE", help="Write the result here (one input only)."),
        click.option(
            "--out-dir",
            metavar="DIR",
            type=click.Path(file_okay=False),
            help="Write each result under DIR, mirroring the input's path relative to the working directory.",
        ),
        click.option("--in-place", is_flag=True, help="Overwrite each input with its result."),
        click.option("--check", is_flag=True, help="Write nothing; exit 1 if any output would change."),
        click.option(
            "--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff instead."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@_output_options
@click.option(
    "--proxy-arn",
    metavar="ARN",
    help="The proxy's Lambda ARN (an alias ARN is best), or a ${Placeholder} for DefinitionSubstitutions. "
    "Default: proxy-arn from the configuration.",
)
@click.option(
    "--home-region",
    metavar="REGION",
    help="The state machine's own region: tasks annotated with it stay native (the annotation is removed).",
)
@click.option("--no-lambda-retry", is_flag=True, help="Do not add the Retry for transient Lambda errors.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True),
    help="Configuration file (default: .sfnxr.toml or pyproject.toml [tool.sfnxr], searched upwards).",
)
@_guard
def transform(
    paths: tuple[str, ...],
    output: str | None,
    out_dir: str | None,
    in_place: bool,
    check: bool,
    show_diff: bool,
    proxy_arn: str | None,
    home_region: str | None,
    no_lambda_retry: bool,
    config_path: str | None,
) -> None:
    """Rewrite annotated aws-sdk Task states to call the cross-region proxy.

    Everything else in the definition stays as it was; transforming a transformed file changes nothing.

    \b
    Examples:
      sfnxr transform --proxy-arn arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live \\
          -o build/ingest.asl.json statemachines/ingest.asl.json
      sfnxr transform --proxy-arn '${SfnxrProxyArn}' --out-dir build statemachines/*.asl.yaml
      sfnxr transform --check --in-place statemachines/*.asl.json     # CI: are the files up to date?
    """
    from sfnxr.engine import transform_pipeline

    options = _transform_options(config_path, proxy_arn, home_region, no_lambda_retry)
    _run(
        paths, output, out_dir, in_place, check, show_diff, lambda source: transform_pipeline(options(source))
    )


@main.command()
@_output_options
@_guard
def restore(
    paths: tuple[str, ...],
    output: str | None,
    out_dir: str | None,
    in_place: bool,
    check: bool,
    show_diff: bool,
) -> None:
    """Undo `sfnxr transform`: give every rerouted state back its original form."""
    from sfnxr.engine import restore_pipeline

    _run(paths, output, out_dir, in_place, check, show_diff, lambda source: restore_pipeline())


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--home-region", metavar="REGION", help="Tasks annotated with this region stay native.")
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, exists=True), help="Configuration file."
)
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@_guard
def explain(
    paths: tuple[str, ...], home_region: str | None, config_path: str | None, output_format: str
) -> None:
    """List every task that goes (or would go) through the proxy: file, state, call, region, IAM action.

    Works on annotated sources and on transformed outputs alike.
    """
    import json

    from sfnxr.asl import path_text
    from sfnxr.engine import explain_pipeline, run_all
    from sfnxr.iam import iam_actions

    options = _transform_options(config_path, _EXPLAIN_PROXY, home_region, False)
    outcomes = run_all(((path, None) for path in paths), lambda source: explain_pipeline(options(source)))
    rows = [
        {
            "file": outcome.source,
            "state_machine": label,
            "state": path_text(task.keys),
            "call": f"{task.service}:{task.action}",
            "region": task.region,
            "iam_actions": list(task.iam_actions or iam_actions(task.service, task.action)),
            "endpoint": task.endpoint,
            "role": task.role,
        }
        for outcome in outcomes
        for label, task in outcome.routed
    ]
    if _report_errors(outcomes):
        sys.exit(EXIT_ERROR)
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        _print_table(rows)


_EXPLAIN_PROXY = "${SfnxrProxyArn}"  # explain never writes; any valid proxy reference will do


def _transform_options(
    config_path: str | None, proxy_arn: str | None, home_region: str | None, no_lambda_retry: bool
) -> Callable[[str], TransformOptions]:
    """Options from the command line over the configuration; rules see each file's path."""
    from sfnxr.config import ConfigError, find_config, load_config
    from sfnxr.regions import partition_of_region
    from sfnxr.routes import RouteOptions
    from sfnxr.transform import TransformOptions, proxy_arn_problem

    try:
        config = load_config(Path(config_path) if config_path else find_config(Path.cwd()))
    except ConfigError as error:
        raise UserError(str(error)) from error
    proxy = proxy_arn if proxy_arn is not None else config.proxy_arn
    if proxy is not None:
        problem = proxy_arn_problem(proxy)
        if problem:
            where = "--proxy-arn" if proxy_arn is not None else f"{config.path}: proxy-arn"
            raise UserError(f"{where}: {problem}")
    home = home_region if home_region is not None else config.home_region
    if home is not None and partition_of_region(home) is None:
        raise UserError(f"--home-region: unknown region {home!r}")
    lambda_retry = config.lambda_retry and not no_lambda_retry

    def for_source(source: str) -> TransformOptions:
        routes = RouteOptions(home_region=home, rules=config.rules, relative_file=config.relative(source))
        return TransformOptions(proxy_arn=proxy, lambda_retry=lambda_retry, routes=routes)

    return for_source


def _run(
    paths: Sequence[str],
    output: str | None,
    out_dir: str | None,
    in_place: bool,
    check: bool,
    show_diff: bool,
    pipeline_for: Callable[[str], Pipeline],
) -> None:
    from sfnxr.engine import STDIO, run_all

    pairs = list(zip(paths, _targets(paths, output, out_dir, in_place, check or show_diff), strict=True))
    outcomes = run_all(pairs, pipeline_for)
    if _report_errors(outcomes):
        sys.exit(EXIT_ERROR)
    changed = [outcome for outcome in outcomes if outcome.changed]
    if show_diff:
        for outcome in changed:
            _print_diff(outcome)
    if check:
        for outcome in changed:
            click.echo(f"would change: {outcome.target}", err=True)
        if changed:
            click.echo(f"sfnxr: {len(changed)} of {len(outcomes)} output(s) would change", err=True)
            sys.exit(EXIT_CHANGED)
        return
    if show_diff:
        return
    from sfnxr.documents import write_atomic

    for outcome in outcomes:
        assert outcome.target is not None and outcome.new_text is not None
        if outcome.target == STDIO:
            click.echo(outcome.new_text, nl=False)
        elif outcome.changed:
            try:
                Path(outcome.target).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(outcome.target, outcome.new_text)
            except OSError as error:
                raise UserError(f"{outcome.target}: cannot write: {error.strerror or error}") from error


def _targets(
    paths: Sequence[str], output: str | None, out_dir: str | None, in_place: bool, dry: bool
) -> list[str]:
    from sfnxr.engine import STDIO, mirrored_target

    chosen = [name for name, on in (("-o", output), ("--out-dir", out_dir), ("--in-place", in_place)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one of -o, --out-dir and --in-place (got {' and '.join(chosen)})")
    if output is not None:
        if len(paths) != 1:
            raise click.UsageError("-o takes one input; use --out-dir or --in-place for several")
        return [output]
    if out_dir is not None:
        try:
            return [STDIO if path == STDIO else mirrored_target(path, out_dir) for path in paths]
        except ValueError as error:
            raise click.UsageError(str(error)) from error
    if in_place:
        if STDIO in paths:
            raise click.UsageError("--in-place cannot rewrite standard input")
        return list(paths)
    if dry:  # --check / --diff without a destination compare each input with its own result
        return [STDIO if path == STDIO else path for path in paths]
    if len(paths) != 1:
        raise click.UsageError("several inputs need --out-dir or --in-place (standard output takes one)")
    return [STDIO]


def _report_errors(outcomes: Sequence[FileOutcome]) -> bool:
    errors = [message for outcome in outcomes for message in outcome.errors]
    for message in errors:
        click.echo(str(message), err=True)
    if errors:
        files = sum(1 for outcome in outcomes if outcome.errors)
        click.echo(f"sfnxr: {len(errors)} error(s) in {files} file(s); nothing was written", err=True)
    return bool(errors)


def _print_diff(outcome: FileOutcome) -> None:
    old = (outcome.old_text or "").splitlines(keepends=True)
    new = (outcome.new_text or "").splitlines(keepends=True)
    target = outcome.target or outcome.source
    for line in difflib.unified_diff(old, new, f"a/{target}", f"b/{target}"):
        click.echo(line if line.endswith("\n") else line + "\n", nl=False)


def _print_table(rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        click.echo("no task goes through the proxy", err=True)
        return
    columns = ("file", "state", "call", "region", "iam_actions")
    headers = ("FILE", "STATE", "CALL", "REGION", "IAM ACTION")
    cells = [
        [", ".join(row[c]) if isinstance(row[c], list) else str(row[c]) for c in columns] for row in rows
    ]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    for line in [list(headers), *cells]:
        click.echo("  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)).rstrip())


def fail(message: str) -> NoReturn:
    raise UserError(message)
