"""The `sfnxr` command line: a thin layer that parses options, runs the engine, writes, and reports.

Exit codes: 0 done; 1 outputs are (or would be) out of date; 2 bad input or usage; 3 internal error.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sfnxr import __version__

if TYPE_CHECKING:
    from sfnxr.config import Config
    from sfnxr.engine import FileOutcome, Pipeline
    from sfnxr.report import Format, Report

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
            from sfnxr.settings import ConfigError, SettingsError

            if isinstance(error, ConfigError | SettingsError):
                raise UserError(str(error)) from error
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
    epilog="Exit codes: 0 done, 1 outputs out of date (--check, check), 2 bad input or usage, "
    "3 internal error.",
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


_paths = click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
_config = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True),
    help="Configuration file (default: .sfnxr.toml, or pyproject.toml with [tool.sfnxr], searched upwards).",
)
_format = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="How to report: lines, GitHub Actions annotations, or one JSON object on stdout.",
)
_home_region = click.option(
    "--home-region",
    metavar="REGION",
    help="The state machine's own region: tasks annotated with it stay native (the annotation is removed).",
)


def _destination_options(command: F) -> F:
    options = [
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


_transform_settings = [
    click.option(
        "--proxy-arn",
        metavar="ARN",
        help="The proxy's Lambda ARN (an alias ARN is best), or a ${Placeholder} for "
        "DefinitionSubstitutions. Default: proxy-arn from the configuration.",
    ),
    _home_region,
    click.option("--no-lambda-retry", is_flag=True, help="Do not add the Retry for transient Lambda errors."),
    _config,
]


def _with(options: list[Callable[[F], F]]) -> Callable[[F], F]:
    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


@main.command()
@_paths
@_destination_options
@_with(_transform_settings)
@click.option(
    "--add-proxy",
    is_flag=True,
    help="Add the proxy (function, role, alias) to each CloudFormation/SAM template, point the rewritten "
    "tasks at it and let the state machines' roles invoke it; its zip is written beside the template.",
)
@_format
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
    add_proxy: bool,
    output_format: Format,
) -> None:
    """Rewrite annotated aws-sdk Task states to call the cross-region proxy.

    Everything else in the definition stays as it was; transforming a transformed file changes nothing.
    With no PATH, every input of the configuration's [outputs] table is transformed into its output.

    \b
    Examples:
      sfnxr transform --proxy-arn arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live \\
          -o build/ingest.asl.json statemachines/ingest.asl.json
      sfnxr transform --proxy-arn '${SfnxrProxyArn}' --out-dir build statemachines/*.asl.yaml
      sfnxr transform                   # every configured input -> its configured output
      sfnxr transform --check           # CI: exit 1 if any configured output is out of date
    """
    from sfnxr.engine import transform_pipeline
    from sfnxr.settings import load_settings

    wiring = None
    if add_proxy:
        if proxy_arn is not None:
            raise click.UsageError("--add-proxy names the proxy it adds: leave out --proxy-arn")
        from sfnxr.containers.wiring import PROXY_PLACEHOLDER, Wiring

        wiring, proxy_arn = Wiring(), PROXY_PLACEHOLDER
    settings = load_settings(config_path, proxy_arn, home_region, no_lambda_retry)
    sources = _inputs(paths, settings.config)
    destinations = _destinations(sources, output, out_dir, in_place, check or show_diff, settings.config)
    _run("transform", sources, destinations, check, show_diff, output_format,
         lambda source: transform_pipeline(settings.options_for(source), wiring))  # fmt: skip
    if wiring is not None:
        if not (check or show_diff):
            wiring.write_artifacts()
        for note in wiring.notes:
            click.echo(f"sfnxr: note: {note}", err=True)


@main.command()
@_paths
@_destination_options
@_format
@_guard
def restore(
    paths: tuple[str, ...],
    output: str | None,
    out_dir: str | None,
    in_place: bool,
    check: bool,
    show_diff: bool,
    output_format: Format,
) -> None:
    """Undo `sfnxr transform`: give every rerouted state back its original form."""
    from sfnxr.engine import restore_pipeline

    if not paths:
        raise click.UsageError("restore needs at least one PATH")
    destinations = _destinations(paths, output, out_dir, in_place, check or show_diff, None)
    _run("restore", paths, destinations, check, show_diff, output_format, lambda source: restore_pipeline())


@main.command()
@_paths
@_with(_transform_settings)
@_format
@click.option(
    "--no-cache", is_flag=True, help="Check every file again, even those unchanged since a clean check."
)
@_guard
def check(
    paths: tuple[str, ...],
    proxy_arn: str | None,
    home_region: str | None,
    no_lambda_retry: bool,
    config_path: str | None,
    output_format: Format,
    no_cache: bool,
) -> None:
    """Validate annotations and check that configured outputs are up to date; writes nothing.

    Every check `transform` makes, without writing. A PATH with a configured output (the
    configuration's [outputs] table) is also compared with that output. With no PATH, every
    configured input is checked. Clean results are remembered (see --no-cache), so a repository
    that has not changed is checked again in a blink.

    Exit codes: 0 all good, 1 an output is out of date or missing, 2 an error in a definition.
    """
    from sfnxr.cache import CheckCache, read_bytes
    from sfnxr.settings import load_settings

    settings = load_settings(config_path, proxy_arn, home_region, no_lambda_retry)
    sources = _inputs(paths, settings.config)
    targets = {source: settings.config.output_for(source) for source in sources}
    cache = None if no_cache else CheckCache(settings.fingerprint())
    fingerprints: dict[str, str] = {}
    pending: dict[str, str | None] = {}
    for source, target in targets.items():
        source_bytes = read_bytes(source)
        if cache is not None and source_bytes is not None:
            fingerprint = cache.fingerprint(str(Path(source).resolve()), source_bytes, read_bytes(target))
            if fingerprint in cache:
                continue
            fingerprints[source] = fingerprint
        pending[source] = target
    if not pending:
        if output_format == "json":
            _emit_json_ok("check", len(sources))
        return

    from sfnxr.engine import flatten, run_groups, transform_pipeline
    from sfnxr.report import Report

    def pipeline_for(source: str) -> Pipeline:
        options = settings.options_for(source)
        if targets.get(source) is None and options.proxy_arn is None:  # .get: linked definitions too
            # Only validating (nothing to compare with): any proxy reference will do.
            options = replace(options, proxy_arn=_EXPLAIN_PROXY)
        return transform_pipeline(options)

    groups = run_groups(pending.items(), pipeline_for)
    outcomes = flatten(groups)
    stale = [outcome for outcome in outcomes if outcome.target is not None and outcome.changed]
    if cache is not None:
        for group in groups:
            outcome = group[0]
            # A file linking to definition files is checked every time (its fingerprint does not cover them).
            clean = not outcome.errors and not outcome.changed
            if len(group) == 1 and clean and outcome.source in fingerprints:
                cache.add(fingerprints[outcome.source])
        cache.save()
    report = Report("check", outcomes, stale=stale, total=len(sources))
    _emit(report, output_format)
    if report.errors:
        sys.exit(EXIT_ERROR)
    if stale:
        sys.exit(EXIT_CHANGED)


def _emit_json_ok(command: str, files: int) -> None:
    import json

    report = {"command": command, "ok": True, "files": files, "errors": [], "stale": [], "written": []}
    click.echo(json.dumps(report, indent=2))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@_home_region
@_config
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
    from sfnxr.report import Report
    from sfnxr.settings import load_settings

    settings = load_settings(config_path, _EXPLAIN_PROXY, home_region, False)
    outcomes = run_all(((path, None) for path in paths), lambda s: explain_pipeline(settings.options_for(s)))
    report = Report("explain", outcomes)
    if report.errors:
        _emit(report, "text")
        sys.exit(EXIT_ERROR)
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
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        _print_table(rows)


_EXPLAIN_PROXY = "${SfnxrProxyArn}"  # explain never writes; any valid proxy reference will do


def _inputs(paths: Sequence[str], config: Config) -> list[str]:
    if paths:
        return list(paths)
    if config.path is None:
        raise click.UsageError(
            "no PATH given, and no configuration (.sfnxr.toml or [tool.sfnxr]) to take inputs from"
        )
    inputs = config.configured_inputs()
    if not config.outputs:
        raise click.UsageError(f"no PATH given, and {config.path} has no outputs table")
    if not inputs:
        raise click.UsageError(f"no PATH given, and no file matches the outputs globs of {config.path}")
    return inputs


def _destinations(
    paths: Sequence[str],
    output: str | None,
    out_dir: str | None,
    in_place: bool,
    dry: bool,
    config: Config | None,
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
    configured = [config.output_for(path) if config is not None else None for path in paths]
    if all(target is not None for target in configured):
        return [target for target in configured if target is not None]
    if dry:  # --check / --diff without a destination compare each input with its own result
        return list(paths)
    if len(paths) != 1:
        missing = next(path for path, target in zip(paths, configured, strict=True) if target is None)
        raise click.UsageError(
            f"{missing} has no configured output: with several inputs, use --out-dir or --in-place"
        )
    return [STDIO]


def _run(
    command: str,
    sources: Sequence[str],
    destinations: Sequence[str],
    check: bool,
    show_diff: bool,
    output_format: Format,
    pipeline_for: Callable[[str], Pipeline],
) -> None:
    from sfnxr.engine import STDIO, run_all
    from sfnxr.report import Report

    outcomes = run_all(zip(sources, destinations, strict=True), pipeline_for)
    changed = [outcome for outcome in outcomes if outcome.changed]
    if any(outcome.errors for outcome in outcomes):
        _emit(Report(command, outcomes), output_format)
        sys.exit(EXIT_ERROR)
    if show_diff:
        for outcome in changed:
            _print_diff(outcome)
    if check or show_diff:
        _emit(Report(command, outcomes, stale=changed if check else ()), output_format)
        if check and changed:
            sys.exit(EXIT_CHANGED)
        return

    from sfnxr.documents import write_atomic

    written = []
    for outcome in outcomes:
        assert outcome.target is not None and outcome.new_text is not None
        if outcome.target == STDIO:
            if output_format != "json":
                click.echo(outcome.new_text, nl=False)
        elif outcome.changed:
            try:
                Path(outcome.target).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(outcome.target, outcome.new_text)
            except OSError as error:
                raise UserError(f"{outcome.target}: cannot write: {error.strerror or error}") from error
            written.append(outcome.target)
    if output_format == "json":
        _emit(Report(command, outcomes, written=written), output_format)


def _emit(report: Report, output_format: Format) -> None:
    out, err = report.render(output_format)
    if out:
        click.echo(out, nl=False)
    if err:
        click.echo(err, nl=False, err=True)


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
    columns: tuple[str, ...] = ("file", "state", "call", "region", "iam_actions")
    headers: tuple[str, ...] = ("FILE", "STATE", "CALL", "REGION", "IAM ACTION")
    if any(row["state_machine"] for row in rows):  # templates: each state machine by its logical id
        columns = ("file", "state_machine", *columns[1:])
        headers = ("FILE", "STATE MACHINE", *headers[1:])
    cells = [
        [", ".join(row[c]) if isinstance(row[c], list) else str(row[c] or "-") for c in columns]
        for row in rows
    ]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    for line in [list(headers), *cells]:
        click.echo("  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)).rstrip())


from sfnxr.cli_deploy import deploy_proxy, policy  # noqa: E402  (registered last: no import cycle)

main.add_command(deploy_proxy)
main.add_command(policy)
