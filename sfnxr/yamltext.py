"""YAML text: loading with ruamel.yaml's round-trip mode, and finding the line of a value.

ruamel.yaml is imported on first use (`ruamel_classes`): only YAML input pays for it. Loading refuses
duplicate keys, aliases that refer to their own anchor, alias bombs and too deep nesting, and keeps
timestamps as strings. Rendering is in `yamlsplice`.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfnxr.docbase import DocumentError, kind_of
from sfnxr.jsonspans import Keys

# A YAML document whose aliases would expand to more nodes than this (beyond its own) is refused.
ALIAS_EXPANSION_LIMIT = 100_000
# Deeper YAML nesting is refused (ruamel's composer recurses; an ASL definition is far shallower).
MAX_YAML_DEPTH = 200


_INDICATOR_FIRST = re.compile(r"[-?:](?:[ \t]|$)")


@functools.cache
def ruamel_classes() -> Any:
    """ruamel.yaml's classes, specialised for sfnxr. Imported on first use: only YAML input pays for it."""
    from types import SimpleNamespace

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
    from ruamel.yaml.composer import Composer, MaxDepthExceededError
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.error import CommentMark, MarkedYAMLError, YAMLError
    from ruamel.yaml.events import AliasEvent
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
    from ruamel.yaml.reader import ReaderError
    from ruamel.yaml.representer import RoundTripRepresenter
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )
    from ruamel.yaml.tokens import CommentToken

    class AliasRecordingComposer(Composer):
        """Remembers where each alias is used (ruamel's composer keeps only the anchored node)."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.parser.check_event(AliasEvent):
                event = self.parser.peek_event()
                node = self.anchors.get(event.anchor)
                if node is not None:
                    self.__dict__.setdefault("sfnxr_aliases", []).append((node, event.start_mark))
            return super().compose_node(parent, index)

    class Constructor(RoundTripConstructor):
        """Timestamps stay strings: ASL is JSON data, where `2024-01-01T00:00:00Z` is a string."""

    Constructor.add_constructor("tag:yaml.org,2002:timestamp", Constructor.construct_yaml_str)

    class Representer(RoundTripRepresenter):
        """Writes None as `null` (ruamel writes nothing at all, which means null too, but less plainly),
        and quotes the strings that ruamel would leave plain inside a flow collection although they
        are not plain there (`[: a]` does not parse; `[? x]` is a list holding a mapping)."""

    def represent_null(self: Any, data: Any) -> Any:
        return self.represent_scalar("tag:yaml.org,2002:null", "null")

    def represent_str(self: Any, data: Any) -> Any:
        if type(data) is str and _INDICATOR_FIRST.match(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style="'")
        return RoundTripRepresenter.represent_str(self, data)

    Representer.add_representer(type(None), represent_null)
    Representer.add_representer(str, represent_str)

    return SimpleNamespace(
        YAML=YAML,
        Composer=AliasRecordingComposer,
        Constructor=Constructor,
        Representer=Representer,
        CommentedMap=CommentedMap,
        CommentedSeq=CommentedSeq,
        TaggedScalar=TaggedScalar,
        CommentMark=CommentMark,
        CommentToken=CommentToken,
        MarkedYAMLError=MarkedYAMLError,
        MaxDepthExceededError=MaxDepthExceededError,
        YAMLError=YAMLError,
        ReaderError=ReaderError,
        MappingNode=MappingNode,
        ScalarNode=ScalarNode,
        SequenceNode=SequenceNode,
        styled=(DoubleQuotedScalarString, SingleQuotedScalarString, LiteralScalarString),
    )


@dataclass
class YamlState:
    """What rendering YAML needs: the text, its node tree, and the data as parsed."""

    bom: str
    body: str
    data: Any  # not the Document's data (which its user may change): a copy, or a second parse
    root: Any  # ruamel's node tree, with marks into `body`
    shared: set[int]  # ids of nodes used more than once (anchors with aliases)


def parse_yaml(source: str, body: str) -> YamlState:
    r = ruamel_classes()
    yaml = r.YAML(typ="rt")
    yaml.Composer = r.Composer
    yaml.Constructor = r.Constructor
    yaml.preserve_quotes = True
    yaml.max_depth = MAX_YAML_DEPTH
    parser = None
    try:
        constructor, parser = yaml.get_constructor_parser(body)  # the reader checks characters here
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a reused anchor name is valid YAML
            root = constructor.composer.get_single_node()
            if root is None:
                raise DocumentError(source, None, "the document is empty (only comments)")
            shared = _check_yaml_nodes(source, root, constructor.composer.__dict__.get("sfnxr_aliases", []))
            data = constructor.construct_document(root)
    except r.MaxDepthExceededError as e:
        raise DocumentError(source, e.problem_mark.line + 1, "the document is nested too deeply") from None
    except r.MarkedYAMLError as e:
        raise DocumentError(source, *_yaml_error(e)) from None
    except r.ReaderError as e:
        line = body.count("\n", 0, e.position) + 1
        char = e.character if isinstance(e.character, int) else ord(e.character)
        raise DocumentError(source, line, f"invalid YAML: character U+{char:04X} is not allowed") from None
    except r.YAMLError as e:
        raise DocumentError(source, None, f"invalid YAML: {e}") from None
    finally:
        if parser is not None:
            parser.dispose()
    if not isinstance(data, dict):
        raise DocumentError(
            source,
            root.start_mark.line + 1,
            f"the top level must be a mapping, not {kind_of(data, 'a list')}",
        )
    return YamlState("", body, data, root, shared)


def _yaml_error(e: Any) -> tuple[int | None, str]:
    mark = e.problem_mark or e.context_mark
    problem = e.problem or e.context or "syntax error"
    context = f" ({e.context})" if e.context and e.problem else ""
    where = f" at column {mark.column + 1}" if mark is not None else ""
    return (None if mark is None else mark.line + 1), f"invalid YAML: {problem}{context}{where}"


def _check_yaml_nodes(source: str, root: Any, aliases: list[tuple[Any, Any]]) -> set[int]:
    """Refuse duplicate keys, recursive aliases and alias bombs, without expanding aliases.

    Returns the ids of the nodes that are used more than once.
    """
    r = ruamel_classes()
    sizes: dict[int, int] = {}  # expanded size of each node seen
    uses: Counter[int] = Counter()
    in_progress: set[int] = set()

    def size(node: Any) -> int:
        key = id(node)
        uses[key] += 1
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise DocumentError(source, node.start_mark.line + 1, "a YAML alias refers to its own anchor")
        total = 1
        if isinstance(node, r.MappingNode):
            in_progress.add(key)
            seen: dict[tuple[str, str], Any] = {}
            for knode, vnode in node.value:
                if isinstance(knode, r.ScalarNode) and knode.tag != "tag:yaml.org,2002:merge":
                    first = seen.setdefault((str(knode.tag), knode.value), knode)
                    if first is not knode:
                        raise DocumentError(
                            source,
                            knode.start_mark.line + 1,
                            f'duplicate key "{knode.value}" (first at line {first.start_mark.line + 1})',
                        )
                total += size(knode) + size(vnode)
            in_progress.discard(key)
        elif isinstance(node, r.SequenceNode):
            in_progress.add(key)
            total += sum(size(item) for item in node.value)
            in_progress.discard(key)
        sizes[key] = total
        return total

    expanded = size(root)
    if expanded - len(sizes) > ALIAS_EXPANSION_LIMIT:
        running = 0
        line: int | None = None
        for node, mark in aliases:
            running += sizes.get(id(node), 1)
            if running > ALIAS_EXPANSION_LIMIT:
                line = mark.line + 1
                break
        raise DocumentError(
            source,
            line,
            f"YAML aliases would expand to {expanded:,} nodes (more than {ALIAS_EXPANSION_LIMIT:,} beyond"
            " the document's own); refusing a possible alias bomb",
        )
    return {key for key, count in uses.items() if count > 1}


def yaml_line_of(data: Any, keys: Keys) -> int | None:
    node = data
    line = _lc_line(data)
    for key in keys:
        try:
            child = node[key]
        except (KeyError, IndexError, TypeError):
            return None
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, Mapping):
                line = lc.key(key)[0] + 1 if lc is not None else line
            else:
                line = lc.item(key)[0] + 1 if lc is not None else line
        except (KeyError, IndexError, TypeError, AttributeError):
            pass  # a key that came from a merge: keep the parent's line
        node = child
    return line


def _lc_line(data: Any) -> int | None:
    lc = getattr(data, "lc", None)
    line = getattr(lc, "line", None)
    return None if line is None else int(line) + 1
