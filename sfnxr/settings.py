"""Settings for one command: the command line over the configuration file, checked once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sfnxr.config import Config, ConfigError, find_config, load_config

if TYPE_CHECKING:
    from sfnxr.transform import TransformOptions

_LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]{1,128})?$"
)
_PLACEHOLDER = re.compile(r"^\$\{[A-Za-z0-9_.:-]+\}$")


def proxy_arn_problem(proxy_arn: str) -> str | None:
    """None when `proxy_arn` is a Lambda function ARN (with an optional alias/version) or a ${Placeholder}."""
    if _LAMBDA_ARN.match(proxy_arn) or _PLACEHOLDER.match(proxy_arn):
        return None
    return (
        f"proxy ARN {proxy_arn!r} is neither a Lambda function ARN "
        "(arn:aws:lambda:REGION:ACCOUNT:function:NAME[:ALIAS]) nor a ${Placeholder}"
    )


class SettingsError(ValueError):
    """A setting is wrong; the message names where it came from (an option or the config file)."""


@dataclass(frozen=True)
class Settings:
    config: Config
    proxy_arn: str | None
    home_region: str | None
    lambda_retry: bool

    def options_for(self, source: str) -> TransformOptions:
        """Rules see each file's path relative to the configuration."""
        from sfnxr.routes import RouteOptions
        from sfnxr.transform import TransformOptions

        routes = RouteOptions(
            home_region=self.home_region,
            rules=self.config.rules,
            relative_file=self.config.relative(source),
        )
        return TransformOptions(proxy_arn=self.proxy_arn, lambda_retry=self.lambda_retry, routes=routes)

    def fingerprint(self) -> str:
        """Everything besides the files themselves that a check's result depends on."""
        from sfnxr import __version__
        from sfnxr.cache import code_stamp
        from sfnxr_proxy.models import botocore_version

        return repr(
            (
                __version__,
                code_stamp(),
                botocore_version(),
                str(self.config.path),
                self.proxy_arn,
                self.home_region,
                self.lambda_retry,
                self.config.rules,
                sorted(self.config.outputs.items()),
            )
        )


def _unknown_region(region: str) -> bool:
    from sfnxr.regions import partition_of_region

    return partition_of_region(region) is None


def load_settings(
    config_path: str | None, proxy_arn: str | None, home_region: str | None, no_lambda_retry: bool
) -> Settings:
    """Raises SettingsError (or ConfigError, a SettingsError's sibling with file and line)."""
    config = load_config(Path(config_path) if config_path else find_config(Path.cwd()))
    proxy = proxy_arn if proxy_arn is not None else config.proxy_arn
    if proxy is not None:
        problem = proxy_arn_problem(proxy)
        if problem:
            where = "--proxy-arn" if proxy_arn is not None else f"{config.path}: proxy-arn"
            raise SettingsError(f"{where}: {problem}")
    home = home_region if home_region is not None else config.home_region
    if home is not None and _unknown_region(home):
        where = "--home-region" if home_region is not None else f"{config.path}: home-region"
        raise SettingsError(f"{where}: unknown region {home!r}")
    return Settings(config, proxy, home, config.lambda_retry and not no_lambda_retry)


__all__ = ["ConfigError", "Settings", "SettingsError", "load_settings"]
