"""botocore's service models, read as data with the standard library only.

Importing ``botocore.loaders`` or ``botocore.session`` costs the CLI over 100 ms, so this module finds
botocore's ``data`` directory with ``importlib.util.find_spec`` (which does not import the package) and reads
``<service>/<newest api version>/service-2.json[.gz]`` the way botocore's loader does: the newest API version
that has a service model, with ``service-2.sdk-extras.json`` merged in. Custom model paths
(``AWS_DATA_PATH``, ``~/.aws/models``) are not consulted.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .naming import sfn_member_name

_MODEL_FILES = ("service-2.json.gz", "service-2.json")


@lru_cache(maxsize=1)
def botocore_data_dir() -> Path:
    """botocore's ``data`` directory (the installed botocore, located without importing it)."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("botocore is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def botocore_version() -> str:
    """The installed botocore's version, read from its ``__init__.py`` without importing it."""
    text = (botocore_data_dir().parent / "__init__.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("'\"")
    raise RuntimeError("botocore's version not found")


def _model_file(version_dir: Path) -> Path | None:
    for name in _MODEL_FILES:
        path = version_dir / name
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=1)
def service_names() -> tuple[str, ...]:
    """Every boto3 service name that has a service model, sorted."""
    root = botocore_data_dir()
    names = [
        entry.name
        for entry in root.iterdir()
        if entry.is_dir() and any(_model_file(v) for v in entry.iterdir() if v.is_dir())
    ]
    return tuple(sorted(names))


def _read_json(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return json.loads(raw)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    """botocore.utils.merge_dicts: nested dicts merge, anything else replaces."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


@lru_cache(maxsize=64)
def load_service_model(boto3_name: str) -> dict[str, Any]:
    """botocore's service model for ``boto3_name`` (newest API version, sdk-extras merged), cached.

    Raises ``KeyError`` for a name that has no model. Treat the result as read-only: it is shared.
    """
    service_dir = botocore_data_dir() / boto3_name
    if "/" in boto3_name or boto3_name.startswith(".") or not service_dir.is_dir():
        raise KeyError(boto3_name)
    for version_dir in sorted((v for v in service_dir.iterdir() if v.is_dir()), reverse=True):
        model_file = _model_file(version_dir)
        if model_file is None:
            continue
        model: dict[str, Any] = _read_json(model_file)
        extras = version_dir / "service-2.sdk-extras.json"
        if extras.is_file():
            _merge(model, _read_json(extras).get("merge", {}))
        return model
    raise KeyError(boto3_name)


def input_members(boto3_name: str, operation: str) -> dict[str, str]:
    """The top-level members of ``operation``'s input: Step Functions' spelling -> model member name.

    ``{}`` when the operation takes no input. Raises ``KeyError`` for an unknown service or operation.
    """
    return dict(_input_members(boto3_name, operation))


@lru_cache(maxsize=1024)
def _input_members(boto3_name: str, operation: str) -> tuple[tuple[str, str], ...]:
    model = load_service_model(boto3_name)
    input_ref = model["operations"][operation].get("input")
    if not input_ref:
        return ()
    shape_name = input_ref["shape"]
    members = model["shapes"][shape_name].get("members", {})
    return tuple((sfn_member_name(m, service=boto3_name, shape=shape_name), m) for m in members)
