"""The 80 real public definitions in ../shared/corpus/realworld: every standalone definition loads,
every aws-sdk task in it can be annotated, transformed and restored, and the outputs validate.

Templates (CloudFormation, SAM, CDK, Serverless) and Terraform templatefiles are containers: their state
machines are found (counted per file in CONTAINERS), every aws-sdk task is annotated, the file is
transformed, transformed again (no change), restored and compared, and every line outside the rerouted
states stays byte for byte; output templates pass cfn-lint wherever the input did. Files that cannot be
handled are refused with the reason the table states.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sfnxr.annotations import parse_sdk_resource
from sfnxr.asl import get_in, iter_states, own_fields, with_replacements
from sfnxr.documents import DocumentError, read_document
from sfnxr.routes import RouteOptions
from sfnxr.transform import TransformOptions, restore_definition, transform_definition
from tests.support.oracles import asl_validator, statelint

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld"
PROXY = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"
STANDALONE = ("asl-json", "asl-json5", "asl-yaml")
CONTAINER_FORMATS = (
    "cdk-synth-json",
    "cfn-json",
    "cfn-yaml",
    "sam-yaml",
    "serverless-yaml",
    "terraform-templatefile-json",
)
SKIPPED_FORMATS: dict[str, str] = {}  # every format is read now
BROKEN_AS_PUBLISHED = {
    # "Messages": "Messages.$": "$.Messages" -- invalid JSON in the upstream repository.
    "aws-samples__step-functions-workflows-collection__sfn-iot-data-analytics-dataset.asl.json": 10,
}


def manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def standalone() -> list[str]:
    return [row["file"] for row in manifest() if row["format"] in STANDALONE]


def test_every_corpus_file_is_either_handled_or_skipped_with_a_reason() -> None:
    rows = manifest()
    assert len(rows) == 80
    for row in rows:
        assert row["format"] in STANDALONE or row["format"] in CONTAINER_FORMATS, row
    assert {row["file"] for row in rows if row["format"] in CONTAINER_FORMATS} == set(CONTAINERS)


def annotate(definition: dict[str, Any], region: str = "us-west-2") -> tuple[dict[str, Any], set[str]]:
    """Put `region` into the Resource ARN of every aws-sdk Task (annotation form 1)."""
    annotated = copy.deepcopy(definition)
    names = set()
    changes = []
    for ref in iter_states(annotated):
        sdk = parse_sdk_resource(ref.state.get("Resource"))
        if sdk is None or ref.state.get("Type") != "Task":
            continue
        state = dict(ref.state)
        state["Resource"] = state["Resource"].replace(":states:::aws-sdk:", f":states:{region}::aws-sdk:")
        changes.append((ref.keys, state))
        names.add(ref.name)
    return with_replacements(annotated, changes), names


def plain(document_data: Any) -> Any:
    return json.loads(json.dumps(document_data))


@pytest.mark.parametrize("name", standalone())
def test_corpus_definition_round_trips(name: str) -> None:
    path = CORPUS / name
    if name in BROKEN_AS_PUBLISHED:
        with pytest.raises(DocumentError) as caught:
            read_document(str(path))
        assert caught.value.line == BROKEN_AS_PUBLISHED[name]
        return
    document = read_document(str(path))
    original = plain(document.data)
    options = TransformOptions(proxy_arn=PROXY, routes=RouteOptions())

    untouched = transform_definition(original, options)
    assert not untouched.problems and not untouched.changes, "an unannotated definition must not change"

    annotated, names = annotate(original)
    result = transform_definition(annotated, options)
    assert [p.message for p in result.problems] == []
    assert {keys[-1] for keys, _ in result.changes} == names
    transformed = with_replacements(annotated, result.changes)
    for ref in iter_states(transformed):
        if ref.name not in names:
            assert own_fields(ref.state) == own_fields(get_in(annotated, ref.keys)), ref.name

    again = transform_definition(transformed, options)
    assert again.changes == [] and again.problems == []
    restored = restore_definition(transformed)
    assert with_replacements(transformed, restored.changes) == annotated

    rendered = document.render(result.changes) if names else document.text
    assert plain(read_document_text(name, rendered)) == plain(
        with_replacements(document.data, result.changes)
    )


def read_document_text(name: str, text: str) -> Any:
    from sfnxr.documents import parse_document

    return parse_document(name, text.encode("utf-8")).data


@pytest.mark.oracle
def test_corpus_outputs_pass_the_validators_wherever_the_inputs_did() -> None:
    inputs: list[Any] = []
    outputs: list[Any] = []
    names: list[str] = []
    options = TransformOptions(proxy_arn=PROXY, routes=RouteOptions())
    for name in standalone():
        if name in BROKEN_AS_PUBLISHED:
            continue
        annotated, _ = annotate(plain(read_document(str(CORPUS / name)).data))
        result = transform_definition(annotated, options)
        inputs.append(annotated)
        outputs.append(with_replacements(annotated, result.changes))
        names.append(name)
    before = asl_validator(inputs)
    after = asl_validator(outputs)
    regressions = []
    for name, source, output, errors_before, errors_after in zip(
        names, inputs, outputs, before, after, strict=True
    ):
        if not errors_before and errors_after:
            regressions.append(f"{name}: asl-validator: {errors_after}")
        lint_before, lint_after = statelint(source), statelint(output)
        if not lint_before and lint_after:
            regressions.append(f"{name}: statelint: {lint_after}")
    assert regressions == []
    assert sum(1 for errors in before if not errors) >= len(names) // 2, (
        "the oracle should accept most inputs"
    )


# --- containers: templates, serverless.yml, Terraform templatefiles -------------------------------------


@dataclass(frozen=True)
class Expect:
    machines: int  # state machines found in the file (inline, in strings, and in linked files)
    sdk_tasks: int  # aws-sdk tasks annotated and rerouted (linked files included)
    refused: tuple[tuple[int, str], ...] = ()  # (line, message part): the file is refused with these errors
    skip_lines: tuple[int, ...] = ()  # Resource lines left unannotated (see `errors_if_annotated`)
    errors_if_annotated: tuple[tuple[int, str], ...] = ()  # what annotating those lines too is refused with
    lambda_retry: bool = True
    errors_with_lambda_retry: tuple[tuple[int, str], ...] = ()


NOT_IN_CORPUS = "no such file"  # a DefinitionUri file the corpus did not collect
CONTAINERS: dict[str, Expect] = {
    "aws-samples__step-functions-workflows-collection__bedrock-evaluations-sam-template.yaml": Expect(1, 12),
    "aws-samples__step-functions-workflows-collection__ec2-instance-isolation-sam-template.yaml": Expect(
        1, 12
    ),
    # Broken as published: the template says statemachines/, the repository has statemachine/.
    "aws-samples__step-functions-workflows-collection__account-vending-machine-template.yaml": Expect(
        1,
        0,
        refused=(
            (
                43,
                "AccountVendingStateMachine: DefinitionUri statemachines/statemachine.asl.json: no such file",
            ),
        ),
    ),
    "aws-samples__step-functions-workflows-collection__s3-glacier-multi-file-restore-sam-template.yaml": Expect(
        1, 1
    ),
    "aws-samples__aws-stepfunctions-examples__dmap-data-processing-template.yaml": Expect(
        3,
        0,
        refused=(
            (
                178,
                f"NOAAWeatherStateMachine: DefinitionUri statemachines/dmap-temperatures.asl.json: {NOT_IN_CORPUS}",
            ),
            (
                246,
                f"DeleteNOAADataStateMachine: DefinitionUri statemachines/delete-s3-data.asl.json: {NOT_IN_CORPUS}",
            ),
        ),
    ),
    "aws-samples__aws-stepfunctions-examples__meeting-summarization-template.yaml": Expect(
        5,
        0,
        refused=(
            (
                323,
                f"StateMachineUtilAquireLock: DefinitionUri statemachines/aquire-lock.asl.yaml: {NOT_IN_CORPUS}",
            ),
            (
                341,
                f"StateMachineUtilReleaseLock: DefinitionUri statemachines/release-lock.asl.yaml: {NOT_IN_CORPUS}",
            ),
        ),
    ),
    "aws-samples__aws-stepfunctions-examples__manage-glue-crawlers-template.yaml": Expect(3, 6),
    "aws-samples__aws-stepfunctions-examples__forecast-service-integration-template.yaml": Expect(1, 15),
    "aws-samples__aws-stepfunctions-examples__video-transcription-template.yml": Expect(1, 5),
    "aws-samples__aws-stepfunctions-examples__monte-carlo-simulation-fargate-cfn.yml": Expect(2, 2),
    "aws-samples__serverless-patterns__sfn-s3-template.yaml": Expect(1, 1),
    "aws-samples__serverless-patterns__lambda-sfn-sls-serverless.yml": Expect(1, 0),
    "aws-samples__aws-control-tower-account-setup-using-step-functions__template.yml": Expect(1, 6),
    "awslabs__aws-deployment-framework__adf-pipeline-management.yml": Expect(2, 2),
    "aws-solutions__aws-control-tower-customizations__customizations-for-control-tower.template": Expect(
        3, 0
    ),
    "aws-solutions-library-samples__guidance-for-media2cloud-on-aws__media2cloud-backend-stack.yaml": Expect(
        21, 0
    ),
    # Two ResultSelectors read "$.Reservations[0].Instances[0]InstanceId" (a dot missing upstream): sfnxr
    # refuses to reroute those states; the other eight go through.
    "clowdhaus__terraform-aws-ebs-snapshot-builder__state-machine.json": Expect(
        1,
        8,
        skip_lines=(87, 237),
        errors_if_annotated=((92, "is not a valid JSONPath"), (242, "is not a valid JSONPath")),
    ),
    "ministryofjustice__terraform-rds-export__db-restore.asl.json.tpl": Expect(1, 4),
    "ministryofjustice__terraform-rds-export__db-export.asl.json.tpl": Expect(1, 1),
    # "Retry": ${retry_statement}: the Lambda retrier cannot go in front of an interpolation.
    "nationalarchives__dr2-terraform-environments__ingest-sfn-definition.json.tpl": Expect(
        1,
        1,
        lambda_retry=False,
        errors_with_lambda_retry=((307, "the Retry is the template placeholder ${retry_statement}"),),
    ),
    "serverless-operations__serverless-step-functions__fixture-basic-state-machine.yml": Expect(2, 0),
    "aws__aws-cdk__integ-call-aws-service.template.json": Expect(1, 3),
    "aws__aws-cdk__integ-call-aws-service-jsonata.template.json": Expect(1, 3),
}
TEMPLATE_FORMATS = ("cdk-synth-json", "cfn-json", "cfn-yaml", "sam-yaml")
ANNOTATION = (":states:::aws-sdk:", ":states:us-west-2::aws-sdk:")


def container_rows() -> list[dict[str, str]]:
    return [row for row in manifest() if row["format"] in CONTAINER_FORMATS]


@pytest.fixture(scope="module")
def corpus_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every corpus file at its path in its repository, so that DefinitionUri and ${file(...)} resolve."""
    root = tmp_path_factory.mktemp("corpus")
    for row in manifest():
        target = root / row["repo"] / row["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / row["file"], target)
    return root


def annotate_text(text: str, skip_lines: tuple[int, ...] = ()) -> tuple[str, int]:
    """Annotation form 1 in the text itself (whatever holds the definition): a region in every aws-sdk ARN."""
    lines = text.split("\n")
    count = 0
    for index, line in enumerate(lines):
        if index + 1 not in skip_lines and ANNOTATION[0] in line:
            count += line.count(ANNOTATION[0])
            lines[index] = line.replace(*ANNOTATION)
    return "\n".join(lines), count


@dataclass
class ContainerRun:
    name: str
    source: Path
    outputs: dict[Path, Path] = field(default_factory=dict)  # annotated input -> output
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    annotated: int = 0
    routed: int = 0


def run_container(
    name: str, tree: Path, work: Path, skip: bool = True, lambda_retry: bool | None = None
) -> ContainerRun:
    """Annotate a copy of the file (and of the definitions it links to), transform it, write the outputs."""
    from sfnxr.containers import load
    from sfnxr.engine import TransformPipeline, process_group

    expect = CONTAINERS[name]
    row = next(row for row in manifest() if row["file"] == name)
    original = tree / row["repo"] / row["path"]
    source_dir = work / "in"
    shutil.copytree(original.parent, source_dir)
    source = source_dir / original.name
    run = ContainerRun(name, source)
    files = [source]
    container = load(str(original))
    files += [source_dir / os.path.relpath(link.path, original.parent) for link in container.links]
    for file in files:
        if file.exists():
            text, count = annotate_text(file.read_text(encoding="utf-8"), expect.skip_lines if skip else ())
            file.write_text(text, encoding="utf-8")
            run.annotated += count
    retry = expect.lambda_retry if lambda_retry is None else lambda_retry
    options = TransformOptions(proxy_arn=PROXY, lambda_retry=retry, routes=RouteOptions())
    output = work / "out" / source.name
    outcomes = process_group(str(source), str(output), TransformPipeline(options))
    for outcome in outcomes:
        run.errors.extend((message.line, message.text) for message in outcome.errors)
        run.routed += len(outcome.routed)
    if not run.errors:
        for outcome in outcomes:
            assert outcome.target is not None and outcome.new_text is not None
            target = Path(outcome.target)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(outcome.new_text, encoding="utf-8")
            run.outputs[Path(outcome.source)] = target
    return run


@pytest.fixture(scope="module")
def container_runs(corpus_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ContainerRun]:
    runs = {}
    for name in CONTAINERS:
        runs[name] = run_container(name, corpus_tree, tmp_path_factory.mktemp("run"))
    return runs


def test_the_corpus_table_counts_every_state_machine(corpus_tree: Path) -> None:
    from sfnxr.containers import load

    found = {}
    for row in container_rows():
        container = load(str(corpus_tree / row["repo"] / row["path"]))
        found[row["file"]] = len(container.sites) + len(container.links) + len(container.refusals)
    assert found == {name: expect.machines for name, expect in CONTAINERS.items()}


@pytest.mark.parametrize("name", list(CONTAINERS))
def test_corpus_container_round_trips(
    name: str, container_runs: dict[str, ContainerRun], tmp_path: Path
) -> None:
    from sfnxr.engine import RestorePipeline, TransformPipeline, process_group

    expect = CONTAINERS[name]
    run = container_runs[name]
    if expect.refused:
        assert [(line, any(part in text for _, part in expect.refused)) for line, text in run.errors] == [
            (line, True) for line, _ in expect.refused
        ], run.errors
        return
    assert run.errors == []
    assert run.annotated == expect.sdk_tasks == run.routed, "every annotated aws-sdk task is rerouted"

    for source, output in run.outputs.items():
        assert_untouched_outside_states(source, output)

    options = TransformOptions(proxy_arn=PROXY, lambda_retry=expect.lambda_retry, routes=RouteOptions())
    main_output = run.outputs[run.source]
    for outcome in process_group(str(main_output), str(main_output), TransformPipeline(options)):
        assert outcome.errors == [] and not outcome.changed, f"transforming {outcome.source} again changed it"

    back = tmp_path / "back" / run.source.name
    back.parent.mkdir()
    restored = process_group(str(main_output), str(back), RestorePipeline())
    for outcome in restored:
        assert outcome.errors == [] and outcome.target is not None and outcome.new_text is not None
        Path(outcome.target).parent.mkdir(parents=True, exist_ok=True)
        Path(outcome.target).write_text(outcome.new_text, encoding="utf-8")
    for source in run.outputs:
        relative = source.relative_to(run.source.parent)
        assert comparable(back.parent / relative) == comparable(source), f"restore gives back {relative}"


def test_corpus_refusals_and_their_reasons(corpus_tree: Path, tmp_path: Path) -> None:
    """What the table keeps out of the round trip is refused with a stated reason, at the right line."""
    for name, expect in CONTAINERS.items():
        if expect.errors_if_annotated:
            run = run_container(name, corpus_tree, tmp_path / "all" / name[:20], skip=False)
            assert [
                (line, part in text)
                for (line, text), (_, part) in zip(run.errors, expect.errors_if_annotated, strict=True)
            ] == [(line, True) for line, _ in expect.errors_if_annotated]
        if expect.errors_with_lambda_retry:
            run = run_container(name, corpus_tree, tmp_path / "retry" / name[:20], lambda_retry=True)
            assert [
                (line, part in text)
                for (line, text), (_, part) in zip(run.errors, expect.errors_with_lambda_retry, strict=True)
            ] == [(line, True) for line, _ in expect.errors_with_lambda_retry]


def test_corpus_output_templates_pass_cfn_lint_wherever_the_inputs_did(
    container_runs: dict[str, ContainerRun],
) -> None:
    pairs = [
        (source, output)
        for row in container_rows()
        if row["format"] in TEMPLATE_FORMATS
        for source, output in container_runs[row["file"]].outputs.items()
        if source == container_runs[row["file"]].source
    ]
    assert len(pairs) >= 12
    before = cfn_lint([source for source, _ in pairs])
    after = cfn_lint([output for _, output in pairs])
    regressions = {
        str(source): sorted(after.get(str(output), set()) - before.get(str(source), set()))
        for source, output in pairs
        if after.get(str(output), set()) - before.get(str(source), set())
    }
    assert regressions == {}
    assert sum(1 for source, _ in pairs if not before.get(str(source))) >= 5, (
        "cfn-lint should accept most inputs"
    )


def cfn_lint(paths: list[Path]) -> dict[str, set[str]]:
    """The cfn-lint rules each file breaks (one cfn-lint process for the batch: it is slow to start)."""
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--format", "parseable", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 2, 4, 6, 8, 10, 12, 14), completed.stderr
    found: dict[str, set[str]] = {}
    for line in completed.stdout.splitlines():
        parts = line.split(":")
        if len(parts) >= 6:
            found.setdefault(parts[0], set()).add(parts[5])
    return found


def comparable(path: Path) -> Any:
    """A file's data for comparing a restore with its input: definitions kept in strings are compared
    as data (a restored state's text may be laid out anew), the rest of the document as it is."""
    from sfnxr.containers import load
    from sfnxr.containers.cfn import EmbeddedSite, JoinSite
    from sfnxr.containers.terraform import TemplateFileSite

    container = load(str(path))
    data: Any = yaml_plain(container.document.data) if container.document is not None else None
    for site in container.sites:
        if isinstance(site, (EmbeddedSite, JoinSite)):
            definition = site.embedded.tokens.restore_value(site.definition)
            data = set_in(data, site.keys, {"definition": definition})
        elif isinstance(site, TemplateFileSite):
            data = site.embedded.tokens.restore_value(site.definition)
    return data


def set_in(data: Any, keys: tuple[Any, ...], value: Any) -> Any:
    from sfnxr.containers import set_in as set_value

    return set_value(data, keys, value)


def yaml_plain(value: Any) -> Any:
    """Plain data from ruamel values, short-form tags kept as {tag: value}."""
    tag = getattr(getattr(value, "tag", None), "value", None)
    if isinstance(tag, str) and tag.startswith("!"):
        inner = value.value if hasattr(value, "value") and not isinstance(value, (dict, list)) else None
        if inner is None:
            inner = (
                [yaml_plain(item) for item in value]
                if isinstance(value, list)
                else {str(k): yaml_plain(v) for k, v in value.items()}
            )
        return {tag: inner}
    if isinstance(value, dict):
        return {str(key): yaml_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [yaml_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def assert_untouched_outside_states(source: Path, output: Path) -> None:
    """Every line of the input outside the rerouted states is in the output, unchanged and in order."""
    import difflib

    from sfnxr.containers import load

    container = load(str(output))
    spans: list[tuple[int, int]] = []
    for site in container.sites:
        from sfnxr.transform import routed_tasks

        for task in routed_tasks(site.definition):
            lines = [line for line in _lines_under(site, task.keys) if line is not None]
            if lines:
                spans.append((min(lines), max(lines)))
    before = source.read_text(encoding="utf-8").split("\n")
    after = output.read_text(encoding="utf-8").split("\n")
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # The changed output lines [j1, j2) must be inside the rerouted states (with their closing lines).
        first, last = j1 + 1, max(j1 + 1, j2)
        assert any(start - 1 <= first and last <= end + 3 for start, end in spans), (
            f"{output.name}: lines {first}-{last} changed outside the rerouted states: "
            f"{before[i1:i2]!r} -> {after[j1:j2]!r}"
        )


def _lines_under(site: Any, keys: tuple[Any, ...]) -> list[int | None]:
    from sfnxr.asl import get_in

    lines = [site.line_of(keys)]
    stack = [(keys, get_in(site.definition, keys))]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                lines.append(site.line_of((*path, key)))
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                lines.append(site.line_of((*path, index)))
                stack.append(((*path, index), item))
    return lines
