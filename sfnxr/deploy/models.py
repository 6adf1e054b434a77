"""Plain data for deploy-proxy: what is wanted, what AWS has, and the steps from one to the other.

No I/O here. ``desired.py`` builds a `Desired`, ``observe.py`` reads an `Observed`, ``plan.py`` diffs them
into `Step`s, ``apply.py`` carries the steps out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

ALIAS = "live"
PERMISSION_PREFIX = "sfnxr-invoke-"  # statement ids sfnxr owns in the alias's resource policy
SNAPSTART_ON = "PublishedVersions"


class DeployError(Exception):
    """A problem worded for the user (no traceback): missing credentials, a refused call, a bad option."""


@dataclass(frozen=True)
class Settings:
    """What Lambda's UpdateFunctionConfiguration sets (compared as a whole)."""

    runtime: str
    handler: str
    role_arn: str
    memory: int
    timeout: int
    environment: Mapping[str, str]
    snapstart: bool
    description: str


@dataclass(frozen=True)
class Code:
    """What Lambda's UpdateFunctionCode sets: the zip (by its hash) and the architecture."""

    sha256: str  # base64, as Lambda reports CodeSha256
    architecture: str


@dataclass(frozen=True)
class RoleSpec:
    name: str
    trust_policy: Mapping[str, Any]
    policy_name: str
    policy: Mapping[str, Any]
    description: str = "sfnxr cross-region proxy: the calls its state machines reroute, nothing more"


@dataclass(frozen=True)
class Desired:
    region: str
    account: str
    partition: str
    function_name: str
    role_arn: str
    role: RoleSpec | None  # None: the role is given (--role-arn) and sfnxr does not manage it
    code: Code
    settings: Settings
    zip_bytes: bytes = field(repr=False)
    invokers: Mapping[str, str] = field(default_factory=dict)  # statement id -> principal (a role ARN)
    alias: str = ALIAS

    @property
    def function_arn(self) -> str:
        return f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:{self.function_name}"

    @property
    def alias_arn(self) -> str:
        return f"{self.function_arn}:{self.alias}"


@dataclass(frozen=True)
class ObservedRole:
    arn: str
    trust_policy: Mapping[str, Any] | None
    policy: Mapping[str, Any] | None  # the inline policy sfnxr writes; None when absent


@dataclass(frozen=True)
class ObservedFunction:
    """One version of the function as GetFunctionConfiguration shows it."""

    version: str  # "$LATEST" or a number
    code: Code
    settings: Settings
    state: str = "Active"
    last_update_status: str = "Successful"

    @property
    def usable(self) -> bool:
        return self.state == "Active" and self.last_update_status == "Successful"


@dataclass(frozen=True)
class Observed:
    role: ObservedRole | None = None
    latest: ObservedFunction | None = None
    alias_version: str | None = None  # the version the alias points at; None: no alias
    alias_function: ObservedFunction | None = None  # that version's configuration
    invokers: Mapping[str, str] = field(default_factory=dict)  # sfnxr's statement id -> principal


# Steps. `change` groups them for reports ("role", "policy", "code", ...); `describe` reads as a plan line.


@dataclass(frozen=True)
class Step:
    change: ClassVar[str] = ""

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class CreateRole(Step):
    change: ClassVar[str] = "role"
    role: RoleSpec

    def describe(self) -> str:
        return f"create role {self.role.name} (trusted by lambda.amazonaws.com)"


@dataclass(frozen=True)
class UpdateTrustPolicy(Step):
    change: ClassVar[str] = "role"
    role: RoleSpec

    def describe(self) -> str:
        return f"update the trust policy of role {self.role.name} (trusted by lambda.amazonaws.com)"


@dataclass(frozen=True)
class PutRolePolicy(Step):
    change: ClassVar[str] = "policy"
    role: RoleSpec

    def describe(self) -> str:
        statements = len(self.role.policy.get("Statement", []))
        return f"put inline policy {self.role.policy_name} on role {self.role.name} ({statements} statements)"


@dataclass(frozen=True)
class CreateFunction(Step):
    change: ClassVar[str] = "function"
    name: str
    code: Code
    settings: Settings

    def describe(self) -> str:
        return f"create function {self.name} ({_summary(self.code, self.settings)})"


@dataclass(frozen=True)
class UpdateCode(Step):
    change: ClassVar[str] = "code"
    name: str
    code: Code

    def describe(self) -> str:
        return f"update the code of {self.name} (CodeSha256 {self.code.sha256}, {self.code.architecture})"


@dataclass(frozen=True)
class UpdateConfiguration(Step):
    change: ClassVar[str] = "configuration"
    name: str
    settings: Settings
    fields: tuple[str, ...]  # what differs, for the plan

    def describe(self) -> str:
        return f"update the configuration of {self.name} ({', '.join(self.fields)})"


@dataclass(frozen=True)
class PublishVersion(Step):
    change: ClassVar[str] = "version"
    name: str
    code_sha256: str
    snapstart: bool

    def describe(self) -> str:
        with_snapshot = " and wait for its SnapStart snapshot" if self.snapstart else ""
        return f"publish a version of {self.name}{with_snapshot}"


@dataclass(frozen=True)
class CreateAlias(Step):
    change: ClassVar[str] = "alias"
    name: str
    alias: str

    def describe(self) -> str:
        return f"create alias {self.name}:{self.alias} -> the published version"


@dataclass(frozen=True)
class UpdateAlias(Step):
    change: ClassVar[str] = "alias"
    name: str
    alias: str
    previous: str

    def describe(self) -> str:
        return f"move alias {self.name}:{self.alias} from version {self.previous} to the published version"


@dataclass(frozen=True)
class AddPermission(Step):
    change: ClassVar[str] = "permission"
    name: str
    alias: str
    statement_id: str
    principal: str

    def describe(self) -> str:
        return f"let {self.principal} invoke {self.name}:{self.alias}"


@dataclass(frozen=True)
class RemovePermission(Step):
    change: ClassVar[str] = "permission"
    name: str
    alias: str
    statement_id: str
    principal: str

    def describe(self) -> str:
        return f"stop letting {self.principal} invoke {self.name}:{self.alias}"


def _summary(code: Code, settings: Settings) -> str:
    snapstart = ", SnapStart" if settings.snapstart else ""
    return (
        f"{settings.runtime}, {code.architecture}, {settings.memory} MB, {settings.timeout} s{snapstart}, "
        f"CodeSha256 {code.sha256}"
    )
