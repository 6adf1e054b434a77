"""The planner: a pure function from desired and observed state to steps."""

from __future__ import annotations

from dataclasses import replace

from sfnxr import policy
from sfnxr.deploy import plan as planning
from sfnxr.deploy.desired import DeployOptions, desired_state, permission_id, role_name
from sfnxr.deploy.models import (
    AddPermission,
    CreateAlias,
    CreateFunction,
    CreateRole,
    Desired,
    Observed,
    ObservedFunction,
    ObservedRole,
    PublishVersion,
    PutRolePolicy,
    RemovePermission,
    UpdateAlias,
    UpdateCode,
    UpdateConfiguration,
    UpdateTrustPolicy,
)
from sfnxr.deploy.package import build
from sfnxr.transform import RoutedTask

INVOKER = "arn:aws:iam::123456789012:role/sm"


def desired(**options: object) -> Desired:
    found = policy.needs([RoutedTask(("States", "A"), "A", "s3", "getObject", "us-west-2")])
    settings = {"region": "eu-west-1", "allow_invoke_from": (INVOKER,), **options}
    return desired_state(
        DeployOptions(**settings),  # type: ignore[arg-type]
        account="123456789012",
        partition="aws",
        needs=found,
        package=build(policy.allowlist_text(found)),
    )


def up_to_date(want: Desired, version: str = "3") -> Observed:
    assert want.role is not None
    latest = ObservedFunction("$LATEST", want.code, want.settings)
    published = replace(latest, version=version)
    return Observed(
        role=ObservedRole(
            f"arn:aws:iam::123456789012:role/{want.role.name}", want.role.trust_policy, want.role.policy
        ),
        latest=latest,
        alias_version=version,
        alias_function=published,
        invokers=dict(want.invokers),
    )


def kinds(steps: list[object]) -> list[str]:
    return [type(step).__name__ for step in steps]


def test_nothing_there_plans_everything() -> None:
    want = desired()
    steps = planning.plan(want, Observed())
    assert kinds(steps) == [
        "CreateRole",
        "PutRolePolicy",
        "CreateFunction",
        "PublishVersion",
        "CreateAlias",
        "AddPermission",
    ]
    assert planning.changes(steps) == ["role", "policy", "function", "version", "alias", "permission"]


def test_everything_in_place_plans_nothing() -> None:
    want = desired()
    assert planning.plan(want, up_to_date(want)) == []
    assert planning.render(want, []).endswith(f"nothing to do: {want.alias_arn} is up to date\n")


def test_drift_in_the_policy_or_the_trust_policy() -> None:
    want = desired()
    have = up_to_date(want)
    assert have.role is not None
    drifted = replace(have, role=replace(have.role, policy={"Version": "2012-10-17", "Statement": []}))
    assert planning.plan(want, drifted) == [PutRolePolicy(want.role)]  # type: ignore[arg-type]
    untrusted = replace(have, role=replace(have.role, trust_policy={"Statement": []}, policy=None))
    assert kinds(planning.plan(want, untrusted)) == ["UpdateTrustPolicy", "PutRolePolicy"]


def test_latest_updated_but_never_published() -> None:
    """A run stopped after UpdateFunctionCode: publish and move the alias, nothing else."""
    want = desired()
    have = up_to_date(want)
    assert have.alias_function is not None
    old = replace(have.alias_function, code=replace(want.code, sha256="old"))
    steps = planning.plan(want, replace(have, alias_function=old))
    assert steps == [
        PublishVersion(want.function_name, want.code.sha256, False),
        UpdateAlias(want.function_name, "live", "3"),
    ]


def test_a_failed_update_is_redone() -> None:
    want = desired()
    have = up_to_date(want)
    assert have.latest is not None
    failed = replace(have, latest=replace(have.latest, last_update_status="Failed"))
    assert kinds(planning.plan(want, failed)) == ["UpdateCode", "PublishVersion", "UpdateAlias"]


def test_configuration_fields_are_named() -> None:
    want = desired(memory=1024, snapstart=True)
    base = desired()
    steps = planning.plan(want, up_to_date(base))
    update = next(step for step in steps if isinstance(step, UpdateConfiguration))
    assert update.fields == ("memory", "environment", "SnapStart")
    assert (
        update.describe()
        == f"update the configuration of {want.function_name} (memory, environment, SnapStart)"
    )
    assert isinstance(steps[-2], PublishVersion) and steps[-2].snapstart
    assert "wait for its SnapStart snapshot" in steps[-2].describe()


def test_architecture_is_code() -> None:
    want = desired(architecture="x86_64")
    steps = planning.plan(want, up_to_date(desired()))
    assert kinds(steps) == ["UpdateCode", "PublishVersion", "UpdateAlias"]


def test_permissions_are_added_and_removed() -> None:
    want = desired(allow_invoke_from=("arn:aws:iam::123456789012:role/new",))
    have = up_to_date(desired())
    steps = planning.plan(want, have)
    assert steps == [
        RemovePermission(want.function_name, "live", permission_id(INVOKER), INVOKER),
        AddPermission(want.function_name, "live", permission_id("arn:aws:iam::123456789012:role/new"), "arn:aws:iam::123456789012:role/new"),
    ]  # fmt: skip
    changed_principal = replace(have, invokers={permission_id(INVOKER): "AROAEXAMPLE"})
    assert kinds(planning.plan(desired(), changed_principal)) == ["RemovePermission", "AddPermission"]


def test_a_given_role_is_not_managed() -> None:
    want = desired(role_arn="arn:aws:iam::123456789012:role/mine")
    assert want.role is None
    steps = planning.plan(want, Observed())
    assert not any(isinstance(step, CreateRole | PutRolePolicy | UpdateTrustPolicy) for step in steps)
    assert (
        isinstance(steps[0], CreateFunction)
        and steps[0].settings.role_arn == "arn:aws:iam::123456789012:role/mine"
    )


def test_missing_alias_is_created() -> None:
    want = desired()
    have = replace(up_to_date(want), alias_version=None, alias_function=None, invokers={})
    assert planning.plan(want, have) == [
        PublishVersion(want.function_name, want.code.sha256, False),
        CreateAlias(want.function_name, "live"),
        AddPermission(want.function_name, "live", permission_id(INVOKER), INVOKER),
    ]


def test_code_change_is_update_code() -> None:
    want = desired()
    have = up_to_date(want)
    assert have.latest is not None
    stale = replace(have, latest=replace(have.latest, code=replace(want.code, sha256="old")))
    assert planning.plan(want, stale) == [
        UpdateCode(want.function_name, want.code),
        PublishVersion(want.function_name, want.code.sha256, False),
        UpdateAlias(want.function_name, "live", "3"),
    ]


def test_role_names_fit_iam() -> None:
    assert role_name("sfnxr-proxy", "eu-west-1") == "sfnxr-proxy-eu-west-1"
    long = role_name("p" * 64, "ap-southeast-1")
    assert len(long) == 64 and long.startswith("p" * 55 + "-")
    assert long == role_name("p" * 64, "ap-southeast-1")
