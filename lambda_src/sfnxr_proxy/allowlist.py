"""The allowlist: which service:action:region calls, endpoints and roles the proxy may use.

Read from the environment variable ``SFNXR_ALLOW`` when it is set, else from ``allowlist.json`` next to this
module (what deploy-proxy packages). With neither, nothing is allowed. The format:

    {"v": 1,
     "calls": ["s3:getObject:us-west-2", "bedrockagent:startIngestionJob:*"],
     "endpoints": ["https://cluster.example.com"],
     "roles": ["arn:aws:iam::123456789012:role/reader"]}

``calls`` use Step Functions' canonical names (the service id and action of ``arn:aws:states:::aws-sdk:``);
``*`` may stand only for the whole region (a region chosen at run time). Matching is exact string equality,
so ``S3``, ``s3\\u200b`` or look-alike letters never match ``s3``. ``SFNXR_ALLOW=*`` allows everything,
endpoints and roles included: for development and tests only.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

ENV_VAR = "SFNXR_ALLOW"
ALLOWLIST_FILE = Path(__file__).with_name("allowlist.json")

_SERVICE = re.compile(r"[a-z0-9]+\Z")
_ACTION = re.compile(r"[a-z][A-Za-z0-9]*\Z")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+\Z")


@dataclass(frozen=True)
class Allowlist:
    allow_all: bool = False
    calls: frozenset[tuple[str, str, str]] = frozenset()
    endpoints: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    problem: str | None = None  # why nothing is allowed (no allowlist, a malformed one)

    def refusal(
        self, service: str, action: str, region: str, endpoint: str | None, role: str | None
    ) -> str | None:
        """Why the call is refused, or None when it is allowed."""
        if self.allow_all:
            return None
        if self.problem:
            return self.problem
        call = f"{service}:{action}:{region}"
        if (service, action, region) not in self.calls and (service, action, "*") not in self.calls:
            return f"the call {call!r} is not in the proxy's allowlist"
        if endpoint is not None and endpoint not in self.endpoints:
            return f"the endpoint {endpoint!r} is not in the proxy's allowlist"
        if role is not None and role not in self.roles:
            return f"the role {role!r} is not in the proxy's allowlist"
        return None


def _strings(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f'"{key}" must be a list of non-empty strings')
    return value


def parse(text: str) -> Allowlist:
    """Parse the allowlist JSON (or ``*``). A malformed allowlist allows nothing and says why."""
    if text.strip() == "*":
        return Allowlist(allow_all=True)
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("the allowlist must be a JSON object")
        if data.get("v") != 1:
            raise ValueError('"v" must be 1')
        unknown = set(data) - {"v", "calls", "endpoints", "roles"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        calls = set()
        for entry in _strings(data, "calls"):
            parts = entry.split(":")
            if len(parts) != 3:
                raise ValueError(f"call {entry!r} is not SERVICE:ACTION:REGION")
            service, action, region = parts
            if not (
                _SERVICE.match(service) and _ACTION.match(action) and (region == "*" or _REGION.match(region))
            ):
                raise ValueError(f"call {entry!r} is not SERVICE:ACTION:REGION in canonical names")
            calls.add((service, action, region))
        return Allowlist(
            calls=frozenset(calls),
            endpoints=frozenset(_strings(data, "endpoints")),
            roles=frozenset(_strings(data, "roles")),
        )
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        return Allowlist(problem=f"the proxy's allowlist is malformed, so nothing is allowed: {exc}")


@lru_cache(maxsize=8)
def _parse_cached(text: str) -> Allowlist:
    return parse(text)


@lru_cache(maxsize=4)
def _from_file(path: Path) -> Allowlist:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Allowlist(
            problem=f"no allowlist: {path.name} is not packaged with the proxy and {ENV_VAR} is not set"
        )
    return parse(text)


def current() -> Allowlist:
    """The allowlist in force: ``SFNXR_ALLOW`` if set, else the packaged file (read once per container)."""
    env = os.environ.get(ENV_VAR)
    if env is not None:
        return _parse_cached(env)
    return _from_file(ALLOWLIST_FILE)


def is_region(text: str) -> bool:
    """A syntactically valid AWS region name (ASCII letters, digits and dashes only)."""
    return bool(_REGION.match(text))
