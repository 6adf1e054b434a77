"""Configuration: `.sfnxr.toml`, or `[tool.sfnxr]` in pyproject.toml, found by walking up from a directory.

```toml
[tool.sfnxr]
proxy-arn = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"
home-region = "us-east-1"
lambda-retry = true

[tool.sfnxr.outputs]              # input glob = output path; `sfnxr transform` with no PATH does them all
"statemachines/*.asl.json" = "build/{stem}.asl.json"

[[tool.sfnxr.rules]]              # route states without editing the definitions
files = ["statemachines/*.asl.json"]   # optional, globs relative to the config file
states = ["Start*"]                    # optional, state-name globs
resource = ["aws-sdk:bedrockagent:*"]  # optional, aws-sdk:SERVICE:ACTION globs
region = "us-west-2"                   # required; also endpoint, role, iam-action, iam-resources
```
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

CONFIG_FILE = ".sfnxr.toml"
PYPROJECT = "pyproject.toml"

_TOP_KEYS = ("proxy-arn", "home-region", "lambda-retry", "rules", "outputs")
_RULE_KEYS = ("files", "states", "resource", "region", "endpoint", "role", "iam-action", "iam-resources")


class ConfigError(ValueError):
    def __init__(self, source: str, line: int | None, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}" if line else f"{source}: {message}")
        self.source = source
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Rule:
    region: str
    files: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    endpoint: str | None = None
    role: str | None = None
    iam_actions: tuple[str, ...] = ()
    iam_resources: tuple[str, ...] = ()
    source: str = ""
    line: int | None = None

    def matches(self, relative_file: str | None, state_name: str, sdk_resource: str) -> bool:
        """`sdk_resource` is "aws-sdk:SERVICE:ACTION"; `relative_file` is posix, relative to the config."""
        if self.files and not any(glob_match(g, relative_file or "\0") for g in self.files):
            return False
        if self.states and not any(fnmatchcase(state_name, g) for g in self.states):
            return False
        return not self.resources or any(fnmatchcase(sdk_resource, g) for g in self.resources)


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the file it came from; None: no configuration file
    proxy_arn: str | None = None
    home_region: str | None = None
    lambda_retry: bool = True
    rules: tuple[Rule, ...] = ()
    outputs: dict[str, str] = field(default_factory=dict)

    def output_for(self, file: str) -> str | None:
        """The configured output path of `file` (absolute), or None when no outputs glob takes it."""
        relative = self.relative(file)
        if relative is None or self.path is None:
            return None
        for pattern, template in self.outputs.items():
            if glob_match(pattern, relative):
                return str(self.path.parent / expand_output(template, relative))
        return None

    def configured_inputs(self) -> list[str]:
        """Every file below the configuration's directory that an outputs glob takes, sorted."""
        if self.path is None or not self.outputs:
            return []
        base = self.path.parent
        found = []
        for candidate in sorted(base.rglob("*")):
            relative_parts = candidate.relative_to(base).parts
            if not candidate.is_file() or any(part.startswith(".") for part in relative_parts):
                continue
            relative = "/".join(relative_parts)
            if any(glob_match(pattern, relative) for pattern in self.outputs):
                found.append(str(candidate))
        return found

    def relative(self, file: str) -> str | None:
        """`file` relative to the configuration's directory (posix), or None when it lies outside."""
        if self.path is None or file == "-":
            return None
        try:
            return PurePosixPath(Path(file).resolve().relative_to(self.path.parent.resolve())).as_posix()
        except ValueError:
            return None


def glob_match(pattern: str, relative_path: str) -> bool:
    """Path globs: `*` and `?` stay within one directory, `**/` spans any number of them."""
    return _glob_regex(pattern).fullmatch(relative_path) is not None


@cache
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:[^/]+/)*")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out))


_OUTPUT_FIELDS = ("path", "dir", "name", "stem", "suffix")


def expand_output(template: str, relative_path: str) -> str:
    """`{dir}/{stem}{suffix}` and friends for an input path relative to the configuration."""
    posix = PurePosixPath(relative_path)
    name = posix.name
    suffix = next((s for s in (".asl.json", ".asl.yaml", ".asl.yml") if name.endswith(s)), posix.suffix)
    fields = {
        "path": relative_path,
        "dir": posix.parent.as_posix(),
        "name": name,
        "stem": name[: len(name) - len(suffix)] if suffix else name,
        "suffix": suffix,
    }
    return template.format(**fields)


def find_config(start: Path) -> Path | None:
    """The nearest `.sfnxr.toml`, or pyproject.toml with a [tool.sfnxr] table, at or above `start`."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and re.search(
            r"^\s*\[\[?\s*tool\.sfnxr\b", pyproject.read_text(encoding="utf-8", errors="replace"), re.M
        ):
            return pyproject
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(source, None, f"cannot read the configuration: {error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise ConfigError(source, int(match.group(1)) if match else None, f"invalid TOML: {error}") from error
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get("sfnxr", {})
        prefix = "tool.sfnxr."
    else:
        table = data
        prefix = ""
    return parse_config(table, path=path, text=text, prefix=prefix)


def parse_config(table: Mapping[str, Any], *, path: Path, text: str, prefix: str = "") -> Config:
    source = str(path)

    def fail(message: str, key: str | None = None, occurrence: int = 0) -> ConfigError:
        return ConfigError(source, _line_of(text, key, occurrence) if key else None, message)

    if not isinstance(table, Mapping):
        raise fail(f"[{prefix.rstrip('.') or 'sfnxr'}] must be a table")
    for key in table:
        if key not in _TOP_KEYS:
            raise fail(f"unknown setting {prefix}{key!r}{_suggest(key, _TOP_KEYS)}", key)
    proxy_arn = _optional_str(table, "proxy-arn", fail)
    home_region = _optional_str(table, "home-region", fail)
    lambda_retry = table.get("lambda-retry", True)
    if not isinstance(lambda_retry, bool):
        raise fail(f"{prefix}lambda-retry must be true or false", "lambda-retry")
    outputs = table.get("outputs", {})
    if not isinstance(outputs, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in outputs.items()
    ):
        raise fail(f"{prefix}outputs must be a table of input glob = output path strings", "outputs")
    for pattern, template in outputs.items():
        try:
            expanded = expand_output(template, "dir/example.asl.json")
        except (KeyError, IndexError, ValueError) as error:
            raise fail(
                f"{prefix}outputs: {template!r} uses an unknown field {error}; "
                f"fields: {', '.join('{' + f + '}' for f in _OUTPUT_FIELDS)}",
                "outputs",
            ) from error
        if glob_match(pattern, expanded):
            raise fail(f"{prefix}outputs: {pattern!r} would also take its own output {template!r}", "outputs")
    raw_rules = table.get("rules", [])
    if not isinstance(raw_rules, list):
        raise fail(f"{prefix}rules must be an array of tables ([[{prefix}rules]])", "rules")
    rules = []
    for index, raw in enumerate(raw_rules):
        line = _line_of(text, "rules", index)
        if not isinstance(raw, Mapping):
            raise ConfigError(source, line, f"{prefix}rules[{index}] must be a table")
        rules.append(_parse_rule(raw, source=source, line=line, where=f"{prefix}rules[{index}]"))
    return Config(
        path=path,
        proxy_arn=proxy_arn,
        home_region=home_region,
        lambda_retry=lambda_retry,
        rules=tuple(rules),
        outputs=dict(outputs),
    )


def _parse_rule(raw: Mapping[str, Any], *, source: str, line: int | None, where: str) -> Rule:
    for key in raw:
        if key not in _RULE_KEYS:
            raise ConfigError(source, line, f"{where}: unknown key {key!r}{_suggest(key, _RULE_KEYS)}")
    region = raw.get("region")
    if not isinstance(region, str) or not region:
        raise ConfigError(source, line, f"{where}: region is required (a region name or a JSONPath)")

    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(source, line, f"{where}: {key} must be a string or a list of strings")
        return tuple(value)

    def optional(key: str) -> str | None:
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(source, line, f"{where}: {key} must be a string")
        return value

    resources = strings("resource")
    for pattern in resources:
        if not pattern.startswith("aws-sdk:"):
            raise ConfigError(
                source, line, f"{where}: resource {pattern!r} must look like aws-sdk:SERVICE:ACTION"
            )
    return Rule(
        region=region,
        files=strings("files"),
        states=strings("states"),
        resources=resources,
        endpoint=optional("endpoint"),
        role=optional("role"),
        iam_actions=strings("iam-action"),
        iam_resources=strings("iam-resources"),
        source=source,
        line=line,
    )


def _optional_str(table: Mapping[str, Any], key: str, fail: Any) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise fail(f"{key} must be a non-empty string", key)
    return value


def _line_of(text: str, key: str | None, occurrence: int = 0) -> int | None:
    """tomllib gives no positions; find the line that sets `key` (or its n-th [[...rules]] table)."""
    if key is None:
        return None
    if key == "rules":
        pattern = re.compile(r"^[ \t]*\[\[\s*(?:tool\.sfnxr\.)?rules\s*\]\]|^[ \t]*rules\s*=", re.M)
    else:
        name = re.escape(key)
        pattern = re.compile(
            rf"^[ \t]*(?:tool\.sfnxr\.)?[\"']?{name}[\"']?\s*="
            rf"|^[ \t]*\[\s*(?:tool\.sfnxr\.)?{name}\s*\]",
            re.M,
        )
    matches = list(pattern.finditer(text))
    if len(matches) <= occurrence:
        return None
    return text.count("\n", 0, matches[occurrence].start()) + 1


def _suggest(word: str, choices: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
