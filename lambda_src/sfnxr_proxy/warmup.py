"""SnapStart: make the allowlisted clients while Lambda initialises the function, so the snapshot holds them.

Active only when ``SFNXR_WARM_CLIENTS=1`` (``sfnxr deploy-proxy --snapstart`` sets it): on-demand functions
pay for init on their first call, so making clients the call may not need would only slow it. With SnapStart,
init runs when a version is published, and a restored environment starts with boto3 imported, the service
models parsed and one client per allowlisted (service, region) made. A region chosen at run time (``*``)
primes the service's model with a client in the function's own region.

Credentials: a client keeps the credentials its session resolved when it was made. Lambda gives a SnapStart
function refreshable container credentials, which renew themselves after a restore; should the session hold
static credentials instead (environment keys captured in the snapshot), the after-restore hook forgets them
and the clients, which are then made again on first use from the models already loaded.

The handler imports this module last (``from . import warmup``); importing it does nothing unless asked.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from . import allowlist, catalog, handler

ENV_VAR = "SFNXR_WARM_CLIENTS"


def enabled() -> bool:
    return os.environ.get(ENV_VAR) == "1"


def prime() -> list[tuple[str, str]]:
    """Make a client for every allowlisted call, with its operation's model loaded; (boto3 name, region)
    of each client made. A call this runtime's botocore cannot serve is skipped: it fails when made."""
    rules = allowlist.current()
    if rules.allow_all or rules.problem:
        return []
    home = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    made: list[tuple[str, str]] = []
    for service, action, region in sorted(rules.calls):
        info = catalog.service_by_sfn_id(service)
        operation = catalog.operation_for_action(info, action) if info is not None else None
        if info is None or operation is None:
            continue
        target = home if region == "*" else region
        try:
            client = handler._client(info.boto3_name, target, None, None, None)
            client.meta.service_model.operation_model(operation)
        except Exception:
            continue
        if (info.boto3_name, target) not in made:
            made.append((info.boto3_name, target))
    return made


def after_restore() -> None:
    """Keep clients whose credentials renew themselves; otherwise forget credentials and clients."""
    if not handler._sessions:
        return
    botocore_session: Any = handler._sessions[0]._session
    credentials = getattr(botocore_session, "_credentials", None)
    if credentials is not None and hasattr(credentials, "refresh_needed"):
        return
    botocore_session._credentials = None
    handler._clients.clear()
    handler._role_credentials.clear()


def install() -> None:
    if not enabled():
        return
    prime()
    try:  # the runtime hooks library is part of Lambda's Python runtimes
        hooks: Any = importlib.import_module("snapshot_restore_py")
    except ImportError:
        return
    hooks.register_after_restore(after_restore)


install()
