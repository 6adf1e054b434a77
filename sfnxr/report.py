"""How results are told: plain `file:line: message` lines, GitHub Actions annotations, or one JSON object."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sfnxr.engine import FileOutcome, Message

Format = Literal["text", "github", "json"]
FORMATS: tuple[Format, ...] = ("text", "github", "json")


@dataclass(frozen=True)
class Report:
    """What one command found; `render` gives (stdout, stderr) text in the chosen format."""

    command: str
    outcomes: Sequence[FileOutcome]
    stale: Sequence[FileOutcome] = ()  # outputs that are (or would be) out of date
    written: Sequence[str] = ()
    total: int | None = None  # files looked at, when some were not run again (a check cache hit)

    @property
    def files(self) -> int:
        return len(self.outcomes) if self.total is None else self.total

    @property
    def errors(self) -> list[Message]:
        return [message for outcome in self.outcomes for message in outcome.errors]

    def render(self, output_format: Format) -> tuple[str, str]:
        if output_format == "json":
            return json.dumps(self._as_json(), indent=2) + "\n", ""
        if output_format == "github":
            return "", "".join(line + "\n" for line in self._github_lines())
        return "", "".join(line + "\n" for line in self._text_lines())

    def _text_lines(self) -> list[str]:
        lines = [str(message) for message in self.errors]
        if lines:
            files = sum(1 for outcome in self.outcomes if outcome.errors)
            lines.append(f"sfnxr: {len(lines)} error(s) in {files} file(s); nothing was written")
            return lines
        for outcome in self.stale:
            lines.append(f"{_stale_text(outcome)}")
        if self.stale:
            lines.append(f"sfnxr: {len(self.stale)} of {self.files} output(s) out of date")
        return lines

    def _github_lines(self) -> list[str]:
        lines = []
        for message in self.errors:
            properties = f"file={_property(message.source)}"
            if message.line:
                properties += f",line={message.line}"
            lines.append(f"::error {properties},title=sfnxr::{_data(message.text)}")
        if not lines:
            for outcome in self.stale:
                lines.append(
                    f"::error file={_property(outcome.source)},title=sfnxr::{_data(_stale_text(outcome))}"
                )
        return lines

    def _as_json(self) -> dict[str, object]:
        return {
            "command": self.command,
            "ok": not self.errors and not self.stale,
            "files": self.files,
            "errors": [
                {"file": m.source, "line": m.line, "state": m.state, "message": m.text} for m in self.errors
            ],
            "stale": [{"input": o.source, "output": o.target} for o in self.stale],
            "written": list(self.written),
        }


def _stale_text(outcome: FileOutcome) -> str:
    if outcome.target in (None, "-", outcome.source):
        return f"{outcome.source}: would change; run sfnxr transform"
    state = "does not exist" if outcome.old_text is None else "is out of date"
    return f"{outcome.source}: its output {outcome.target} {state}; run sfnxr transform"


def _data(text: str) -> str:
    """GitHub workflow-command escaping for the message part."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
