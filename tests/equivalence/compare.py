"""What is compared, and how volatile values are normalised (the same rules on both sides).

Compared: the execution's status, its error name, its output, its Cause (see below) and, where a case asks,
what the run left in the services (``observe``). Normalised, because two runs cannot agree on them:

- request ids (``Request ID: ...`` in a Cause, ``RequestId`` members) and UUIDs anywhere;
- the ARNs of the harness's own state machines and executions (they carry the region the machine ran in);
- timestamps the runs made (within two days of now; a case's own data, such as 2024-01-02, is kept):
  replaced by their *form*, so ``...T03:04:05Z`` and ``...T08:09:10.120Z`` both become ``<timestamp>``
  (Java ``Instant.toString`` form) while any other form (``+00:00``, a space) shows as
  ``<timestamp 9999-99-99 99:99:99+00:00>`` and makes the comparison fail;
- ``ETag`` and ``LastModified`` values by form too (an S3 ETag must stay a quoted hex digest);
- a case's own ``volatile`` keys.

Causes differ by design: a failed proxy call's Cause is Lambda's error JSON around the text Step Functions
would have shown (the README, "The proxy" / "Errors"); the text itself is compared (``errorMessage`` taken out of the
JSON). moto's own Causes lack the `` (SDK Attempt Count: N)`` suffix that recent AWS recordings show
(research notes); it is removed on both sides.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# The harness's own state machines (runner.run names them equivalence-<12 hex>) and their executions: they
# carry the region the machine ran in. Other Step Functions ARNs (a case's resources) are data.
_SFN_ARN = re.compile(
    r"arn:aws:states:[a-z0-9-]+:\d{12}:(?:execution|stateMachine|express|mapRun):equivalence-[0-9a-f]{12}"
    r"[^\s\"',)]*"
)
_REQUEST_ID = re.compile(r"((?:Extended )?Request ID: )[^,)]*")
_ATTEMPTS = re.compile(r" \(SDK Attempt Count: \d+\)")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(?:\d{3})+)?Z$")
_TIMESTAMPISH = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_EMBEDDED_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_ETAG = re.compile(r'^"[0-9a-f]{32}(?:-\d+)?"$')
_AWS_ID = re.compile(r"\b(vol|snap|i|sg|subnet|vpc|ami|eni)-[0-9a-f]{8,17}\b")
_BACKUP_ID = re.compile(r"/backup/\d{17}-[0-9a-f]{8}")

VOLATILE_KEYS = frozenset({"RequestId", "requestId"})


RECENT = timedelta(days=2)


def _recent(text: str) -> bool:
    """A timestamp made by the run (within two days of now), not one a case wrote as data."""
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        return True
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return abs(datetime.now(UTC) - moment) < RECENT


def _form(text: str) -> str:
    return re.sub(r"\d", "9", text)


def normalise_cause(cause: str) -> str:
    try:
        wrapped = json.loads(cause)
    except ValueError:
        wrapped = None
    if isinstance(wrapped, dict) and {"errorMessage", "errorType"} <= set(wrapped):
        cause = str(wrapped["errorMessage"])
    cause = _ATTEMPTS.sub("", cause)
    return _REQUEST_ID.sub(r"\1<id>", cause)


def _timestamp(text: str) -> str:
    return "<timestamp>" if _INSTANT.match(text) else f"<timestamp {_form(text)}>"


def normalise_string(text: str) -> str:
    if _TIMESTAMPISH.match(text):
        return _timestamp(text) if _recent(text) else text
    # timestamps inside a longer text (a Cause quoting a state's input)
    text = _EMBEDDED_TIMESTAMP.sub(
        lambda m: _timestamp(m.group(0)) if _recent(m.group(0)) else m.group(0), text
    )
    text = _SFN_ARN.sub("<sfn-arn>", text)
    text = _UUID.sub("<uuid>", text)
    text = _BACKUP_ID.sub("/backup/<id>", text)
    return _AWS_ID.sub(lambda m: f"<{m.group(1)}-id>", text)


def normalise(value: Any, volatile: Iterable[str] = ()) -> Any:
    """``value`` with every volatile part replaced (see the module docstring)."""
    keys = VOLATILE_KEYS | set(volatile)

    def walk(item: Any, key: str | None) -> Any:
        if isinstance(item, dict):
            return {k: walk(v, k) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v, None) for v in item]
        if key in keys:
            return "<volatile>"
        if isinstance(item, str):
            if key in ("Cause", "cause"):
                return normalise_string(normalise_cause(item))
            if key == "ETag":
                return "<etag>" if _ETAG.match(item) else f"<etag in another form: {item}>"
            if key == "LastModified" and not _INSTANT.match(item):
                return f"<timestamp {_form(item)}>"
            return normalise_string(item)
        return item

    return walk(value, None)


def as_text(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def diff(reference: Any, candidate: Any, *, names: tuple[str, str] = ("reference", "candidate")) -> str:
    """A unified diff of the two sides' JSON, or "" when they are equal."""
    if reference == candidate:
        return ""
    lines = difflib.unified_diff(
        as_text(reference).splitlines(),
        as_text(candidate).splitlines(),
        fromfile=names[0],
        tofile=names[1],
        lineterm="",
    )
    return "\n".join(lines)


def error_names(value: Any) -> set[str]:
    """Every error name in ``value``: ``Error`` members (what Catch puts in the output) and ``error``."""
    found: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            for k, v in item.items():
                if k in ("Error", "error") and isinstance(v, str):
                    found.add(v)
                walk(v)
        elif isinstance(item, list):
            for v in item:
                walk(v)

    walk(value)
    return found
