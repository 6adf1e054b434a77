"""Reading what a user wrote: aws-sdk Resource ARNs and the `@sfnxr` directive in a state's Comment.

Pure string parsing; meaning (is the region real, does the action exist) is checked in `routes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIRECTIVE = "@sfnxr"
OPTION_NAMES = ("region", "endpoint", "role", "iam-action", "iam-resources")

_SDK_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):states:(?P<region>[^:]*):(?P<account>[^:]*):aws-sdk:"
    r"(?P<service>[^:.]+):(?P<action>[^:.]+)(?:\.(?P<pattern>[^:]+))?$"
)
_DIRECTIVE_START = re.compile(r"(?:^|(?<=\s))@sfnxr(?=\s|$)")


class AnnotationError(ValueError):
    pass


@dataclass(frozen=True)
class SdkResource:
    partition: str
    region: str  # "" unless the user put a target region in the ARN (annotation form 1)
    account: str
    service: str
    action: str
    pattern: str  # "" for request-response, else "waitForTaskToken", "sync", ...

    def without_region(self) -> str:
        suffix = f".{self.pattern}" if self.pattern else ""
        return f"arn:{self.partition}:states:::aws-sdk:{self.service}:{self.action}{suffix}"


def parse_sdk_resource(resource: object) -> SdkResource | None:
    """The parts of an aws-sdk integration ARN, or None when `resource` is not one."""
    if not isinstance(resource, str):
        return None
    match = _SDK_ARN.match(resource)
    if match is None:
        return None
    return SdkResource(
        partition=match["partition"],
        region=match["region"],
        account=match["account"],
        service=match["service"],
        action=match["action"],
        pattern=match["pattern"] or "",
    )


def looks_like_sdk_resource(resource: object) -> bool:
    return isinstance(resource, str) and ":aws-sdk:" in resource


@dataclass(frozen=True)
class Directive:
    options: dict[str, str]
    remaining_comment: str  # the Comment with the directive taken out ("" when nothing is left)


def has_directive(comment: object) -> bool:
    return isinstance(comment, str) and _DIRECTIVE_START.search(comment) is not None


def parse_directive(comment: str) -> Directive | None:
    """Parse `... @sfnxr key=value key=value`: the directive runs to the end of the Comment.

    Values are a bare word, a "double-quoted string", or a JSONata expression `{% ... %}` (which may
    contain spaces). Raises AnnotationError for anything else after `@sfnxr`.
    """
    match = _DIRECTIVE_START.search(comment)
    if match is None:
        return None
    before = comment[: match.start()].rstrip()
    text = comment[match.end() :]
    options: dict[str, str] = {}
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        key_match = re.compile(r"([A-Za-z][\w-]*)=").match(text, position)
        if key_match is None:
            word = text[position:].split(None, 1)[0]
            raise AnnotationError(f"{DIRECTIVE}: expected key=value, found {word!r}")
        key = key_match.group(1)
        position = key_match.end()
        value, position = _read_value(text, position, key)
        if key not in OPTION_NAMES:
            raise AnnotationError(f"{DIRECTIVE}: unknown option {key!r}{_did_you_mean(key, OPTION_NAMES)}")
        if key in options:
            raise AnnotationError(f"{DIRECTIVE}: option {key!r} is given twice")
        options[key] = value
    if not options:
        raise AnnotationError(f"{DIRECTIVE}: no options given (expected region=...)")
    return Directive(options, before)


def _read_value(text: str, position: int, key: str) -> tuple[str, int]:
    if text.startswith("{%", position):
        end = text.find("%}", position + 2)
        if end < 0:
            raise AnnotationError(f"{DIRECTIVE}: {key}= starts a JSONata expression '{{%' without '%}}'")
        return text[position : end + 2], end + 2
    if text.startswith('"', position):
        end = position + 1
        chars: list[str] = []
        while end < len(text) and text[end] != '"':
            if text[end] == "\\" and end + 1 < len(text):
                end += 1
            chars.append(text[end])
            end += 1
        if end >= len(text):
            raise AnnotationError(f"{DIRECTIVE}: {key}= has an unterminated quoted value")
        return "".join(chars), end + 1
    end = position
    while end < len(text) and not text[end].isspace():
        end += 1
    if end == position:
        raise AnnotationError(f"{DIRECTIVE}: {key}= has no value")
    return text[position:end], end


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(word.lower(), choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (expected one of: {', '.join(choices)})"


def split_list(value: str) -> tuple[str, ...]:
    """iam-action= and iam-resources= take comma-separated lists."""
    return tuple(item.strip() for item in value.split(",") if item.strip())
