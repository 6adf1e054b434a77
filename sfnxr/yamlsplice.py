"""YAML rendering by splicing around ruamel.yaml's round-trip nodes, untouched text unchanged.

A changed mapping keeps the text of its unchanged entries, gets new entries inserted and removed ones
deleted, and is edited the same way down to the values that really changed; those are dumped by
ruamel with the file's indentation, reusing the old nodes where the new value equals them (so their
comments and quoting survive). The result is parsed again and compared with what was asked for;
where that fails, or a splice cannot be done safely (a document in flow style, a change to an
anchored value), the whole document is dumped by ruamel instead.
"""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sfnxr.docbase import DocumentError, apply_edits, match_items, same, tag_of
from sfnxr.jsonspans import Keys
from sfnxr.yamltext import YamlState, parse_yaml, ruamel_classes


@dataclass(frozen=True)
class _YamlStyle:
    mapping: int
    sequence: int
    offset: int
    newline: str


def _detect_yaml_style(state: YamlState) -> _YamlStyle:
    """The indentation the file uses most, read from its node marks."""
    r = ruamel_classes()
    maps: Counter[int] = Counter()
    seqs: Counter[tuple[int, int]] = Counter()
    for node in _iter_nodes(state.root):
        if not isinstance(node, r.MappingNode) or node.flow_style:
            continue
        for knode, vnode in node.value:
            kline, kcol = knode.start_mark.line, knode.start_mark.column
            if getattr(vnode, "flow_style", True) or vnode.start_mark.line <= kline:
                continue
            if isinstance(vnode, r.MappingNode):
                maps[vnode.start_mark.column - kcol] += 1
            elif isinstance(vnode, r.SequenceNode) and vnode.value:
                first = vnode.value[0]
                if first.start_mark.line == vnode.start_mark.line:
                    seqs[(first.start_mark.column - kcol, vnode.start_mark.column - kcol)] += 1
    mapping = maps.most_common(1)[0][0] if maps else 2
    sequence, offset = seqs.most_common(1)[0][0] if seqs else (mapping + 2, mapping)
    body = state.body
    first_newline = body.find("\n")
    return _YamlStyle(
        mapping=max(mapping, 1),
        sequence=max(sequence, offset + 2),
        offset=max(offset, 0),
        newline="\r\n" if first_newline > 0 and body[first_newline - 1] == "\r" else "\n",
    )


def _iter_nodes(root: Any) -> Iterator[Any]:
    r = ruamel_classes()
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, r.MappingNode):
            for knode, vnode in node.value:
                stack.extend((knode, vnode))
        elif isinstance(node, r.SequenceNode):
            stack.extend(node.value)


def render_yaml(source: str, original: str, state: YamlState, changes: Sequence[tuple[Keys, Any]]) -> str:
    """`original` (parsed into `state`) with the value at each `keys` replaced."""
    changes = [
        (keys, value) for keys, value in changes if not same(value, _old_value(source, state.data, keys))
    ]
    if not changes:
        return original
    dumper = _YamlDumper(_detect_yaml_style(state))
    edits: list[tuple[int, int, str]] = []
    for keys, value in _lift_out_of_flow(state, changes):
        found = _yaml_edits(state, dumper, keys, value, _get(state.data, keys))
        if found is None:
            return _render_yaml_whole(source, state, dumper, changes)
        edits.extend(found)
    out = apply_edits(state.body, edits)
    if not _yaml_result_ok(source, state, out, changes):
        return _render_yaml_whole(source, state, dumper, changes)
    return state.bom + out


def _yaml_edits(
    state: YamlState, dumper: _YamlDumper, keys: Keys, new: Any, old: Any
) -> list[tuple[int, int, str]] | None:
    """The edits that turn the value at `keys` into `new`, touching as little text as they can.

    A block mapping keeps the text of its entries whose values are unchanged, gets new entries
    inserted and removed ones deleted, and its changed values are edited the same way, recursively;
    a block sequence likewise. Anything else is replaced whole by `_yaml_splice`. None: not possible.
    """
    if same(new, old):
        return []
    node = _locate_node(state, keys)
    if node is not None and tag_of(new) is None and tag_of(old) is None:
        r = ruamel_classes()
        edits: list[tuple[int, int, str]] | None = None
        if isinstance(new, Mapping) and isinstance(old, Mapping) and isinstance(node, r.MappingNode):
            edits = _yaml_mapping_edits(state, dumper, keys, new, old, node)
        elif isinstance(new, (list, tuple)) and isinstance(old, list) and isinstance(node, r.SequenceNode):
            edits = _yaml_sequence_edits(state, dumper, keys, new, old, node)
        if edits is not None:
            return edits
    edit = _yaml_splice(state, dumper, keys, new, old)
    return None if edit is None else [edit]


def _locate_node(state: YamlState, keys: Keys) -> Any:
    """The node of the value at `keys` when its text can be edited in place (not shared, not in flow)."""
    node = state.root
    for key in keys:
        if getattr(node, "flow_style", False):
            return None
        found = _child_node(node, key)
        if found is None or id(found[1]) in state.shared:
            return None
        node = found[1]
    return node


def _entry_starts(body: str, marks: list[int]) -> list[int | None]:
    """The start of the line of each mark; None where something else comes first on that line."""
    starts: list[int | None] = []
    for mark in marks:
        start = body.rfind("\n", 0, mark) + 1
        starts.append(None if body[start:mark].strip(" \t") else start)
    return starts


def _yaml_mapping_edits(
    state: YamlState,
    dumper: _YamlDumper,
    keys: Keys,
    new: Mapping[Any, Any],
    old: Mapping[Any, Any],
    node: Any,
) -> list[tuple[int, int, str]] | None:
    if node.flow_style or not node.value or not new:
        return None
    r = ruamel_classes()
    old_keys = list(old)
    knodes = [knode for knode, _ in node.value]
    if [k.value if isinstance(k, r.ScalarNode) and k.tag == _STR_TAG else None for k in knodes] != old_keys:
        return None  # keys that are not plain strings, or that came from a merge
    kept = [key for key in new if key in old]
    if kept != [key for key in old_keys if key in new]:
        return None  # reordered: replace the whole mapping
    edits: list[tuple[int, int, str]] = []
    for key in kept:
        found = _yaml_edits(state, dumper, (*keys, key), new[key], old[key])
        if found is None:
            return None
        edits.extend(found)
    if len(kept) == len(old) == len(new):
        return edits
    body = state.body
    starts = _entry_starts(body, [knode.start_mark.index for knode in knodes])
    ends = [_entry_end(body, knode, vnode) for knode, vnode in node.value]
    column = knodes[0].start_mark.column

    def entry(key: Any) -> list[str] | None:
        wrapper = ruamel_classes().CommentedMap()
        value = _build_yaml(new[key], _NO_OLD)
        wrapper[key] = _fragment_copy(
            value, dumper.style, _wrapped_column(dumper.style, value, False), column
        )
        return _shift_lines(dumper.dump(wrapper).removesuffix("\n").split("\n"), column)

    return _splice_entries(body, dumper, edits, old_keys, new, starts, ends, entry)


def _yaml_sequence_edits(
    state: YamlState, dumper: _YamlDumper, keys: Keys, new: Sequence[Any], old: list[Any], node: Any
) -> list[tuple[int, int, str]] | None:
    if node.flow_style or not node.value or len(node.value) != len(old) or not new:
        return None
    if len(new) == len(old):
        edits: list[tuple[int, int, str]] = []
        for i, item in enumerate(new):
            found = _yaml_edits(state, dumper, (*keys, i), item, old[i])
            if found is None:
                return None
            edits.extend(found)
        return edits
    # Items are matched by equality: unmatched old items are deleted, unmatched new ones inserted.
    places = match_items(new, old)
    matched = [
        place for place, item in zip(places, new, strict=True) if place is not None and same(item, old[place])
    ]
    if matched != sorted(matched):
        return None
    body = state.body
    dashes = _item_dashes(body, node)
    if dashes is None:
        return None
    starts = _entry_starts(body, dashes)
    ends = [_item_end(body, item, dash) for item, dash in zip(node.value, dashes, strict=True)]
    shift = dashes[0] - (body.rfind("\n", 0, dashes[0]) + 1) - dumper.style.offset
    old_ids = list(range(len(old)))
    new_ids: dict[Any, Any] = {}
    for i, place in enumerate(places):
        kept = place is not None and same(new[i], old[place])
        new_ids[place if kept else ("new", i)] = new[i]

    def entry(key: Any) -> list[str] | None:
        wrapper = ruamel_classes().CommentedSeq()
        value = _build_yaml(new_ids[key], _NO_OLD)
        wrapper.append(_fragment_copy(value, dumper.style, _wrapped_column(dumper.style, value, True), shift))
        return _shift_lines(dumper.dump(wrapper).removesuffix("\n").split("\n"), shift)

    return _splice_entries(body, dumper, [], old_ids, new_ids, starts, ends, entry)


def _splice_entries(
    body: str,
    dumper: _YamlDumper,
    edits: list[tuple[int, int, str]],
    old_keys: list[Any],
    new: Mapping[Any, Any],
    starts: list[int | None],
    ends: list[int | None],
    entry: Callable[[Any], list[str] | None],
) -> list[tuple[int, int, str]] | None:
    """Add edits deleting the entries of `old_keys` not in `new` and inserting those of `new` not in it.

    Entry i starts its line at `starts[i]`; its value's text ends at `ends[i]`. A deleted entry takes
    its lines with it (a comment on its last line too), not the comment lines after it. `entry(key)`
    gives a new entry's lines, in place (None: it cannot be written there).
    """
    newline = dumper.style.newline
    index = {key: i for i, key in enumerate(old_keys)}
    for i, key in enumerate(old_keys):
        if key not in new:
            start, end = starts[i], ends[i]
            if start is None or end is None:
                return None
            line_end = body.find("\n", end)
            stop = len(body) if line_end < 0 else line_end + 1
            following = starts[i + 1] if i + 1 < len(starts) else None
            while (
                following is not None
                and stop < following
                and not body[stop : body.find("\n", stop) + 1].strip()
            ):
                stop = body.find("\n", stop) + 1  # the blank lines before the next entry go too
            edits.append((start, stop, ""))
    # New entries go before the next entry kept; those after the last one kept, after it.
    kept = [i for i, key in enumerate(old_keys) if key in new]
    pending: list[str] = []
    for key in new:
        if key not in index:
            lines = entry(key)
            if lines is None:
                return None
            pending.append(newline.join(lines))
        elif pending:
            start = starts[index[key]]
            if start is None:
                return None
            edits.append((start, start, "".join(text + newline for text in pending)))
            pending = []
    if pending:
        end = ends[kept[-1]] if kept else None
        if end is None:
            return None
        line_end = body.find("\n", end)  # after the last entry kept, and the comment on its line
        if line_end < 0:
            edits.append((len(body), len(body), "".join(newline + text for text in pending)))
        else:
            edits.append((line_end + 1, line_end + 1, "".join(text + newline for text in pending)))
    return edits


def _render_yaml_whole(
    source: str, state: YamlState, dumper: _YamlDumper, changes: Sequence[tuple[Keys, Any]]
) -> str:
    """The fallback: the whole document dumped by ruamel (comments and order survive, layout may not)."""
    root = copy.deepcopy(state.data)
    for keys, value in changes:
        if not keys:
            root = _build_yaml(value, root)
        else:
            parent = _get(root, keys[:-1])
            parent[keys[-1]] = _build_yaml(value, parent[keys[-1]])
    out = dumper.dump(root).replace("\n", dumper.style.newline)
    if not _yaml_result_ok(source, state, out, changes):
        raise DocumentError(source, None, "sfnxr cannot write this YAML so that it reads back the same")
    return state.bom + out


def _lift_out_of_flow(state: YamlState, changes: Sequence[tuple[Keys, Any]]) -> list[tuple[Keys, Any]]:
    """A change inside a flow collection (`{a: 1}`, `[1, 2]`) becomes a change of the outermost one."""
    lifted: dict[Keys, Any] = {}
    for keys, value in changes:
        node = state.root
        top: int | None = None
        for depth, key in enumerate(keys):
            if getattr(node, "flow_style", False):
                top = depth
                break
            found = _child_node(node, key)
            if found is None:
                break
            node = found[1]
        if not top:  # None, or a flow root: no splice will be tried
            lifted[keys] = value
            continue
        outer = keys[:top]
        if outer not in lifted:
            lifted[outer] = copy.deepcopy(_get(state.data, outer))
        _get(lifted[outer], keys[top:-1])[keys[-1]] = value
    return list(lifted.items())


def _child_node(node: Any, key: str | int) -> tuple[Any, Any] | None:
    """(key node or None, value node) of `node`'s child at `key`, from the node tree."""
    r = ruamel_classes()
    if isinstance(node, r.MappingNode) and isinstance(key, str):
        for knode, vnode in node.value:
            if isinstance(knode, r.ScalarNode) and knode.value == key and knode.tag == _STR_TAG:
                return knode, vnode
        return None
    if isinstance(node, r.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return None, node.value[key]
    return None


_STR_TAG = "tag:yaml.org,2002:str"
_SPACES = re.compile(r"[ \t]*")
_ALIAS = re.compile(r"[ \t]*\*[^\s,\[\]{}]+")


class _YamlDumper:
    def __init__(self, style: _YamlStyle) -> None:
        r = ruamel_classes()
        self.style = style
        self.yaml = r.YAML(typ="rt")
        self.yaml.Representer = r.Representer
        self.yaml.width = 1 << 30  # never wrap long strings
        self.yaml.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)

    def dump(self, value: Any) -> str:
        stream = io.StringIO()
        self.yaml.dump(value, stream)
        return stream.getvalue()


def _yaml_splice(
    state: YamlState, dumper: _YamlDumper, keys: Keys, value: Any, old: Any
) -> tuple[int, int, str] | None:
    """The edit (start, end, text) that replaces the value at `keys`, or None when a splice is unsafe."""
    r = ruamel_classes()
    body = state.body
    newline = dumper.style.newline
    parent = _locate_node(state, keys[:-1]) if keys else None
    knode: Any = None
    node = state.root
    if keys:
        found = _child_node(parent, keys[-1])
        if parent is None or parent.flow_style or found is None or id(found[1]) in state.shared:
            return None
        knode, node = found
    fragment = _build_yaml(value, old)
    if parent is None:  # the whole document
        end = _node_end(body, node)
        if end is None:
            return None
        text = dumper.dump(_fragment_copy(fragment, dumper.style, 0, 0)).removesuffix("\n")
        return node.start_mark.index, end, text.replace("\n", newline)

    # Dump the new value under a one-entry mapping ("k: ...") or sequence ("- ..."), take what follows
    # the indicator, and move the lines below the first one to where the old value's lines were.
    if isinstance(parent, r.MappingNode):
        if knode.start_mark.line != knode.end_mark.line:
            return None
        indicator = _find_indicator(body, knode.end_mark.index, ":")
        shift = knode.start_mark.column
        wrapper: Any = r.CommentedMap()
        key_text_len = len("k:")
    else:
        dashes = _item_dashes(body, parent)
        if dashes is None:
            return None
        indicator = dashes[int(keys[-1])]
        shift = indicator - (body.rfind("\n", 0, indicator) + 1) - dumper.style.offset
        wrapper = r.CommentedSeq()
        key_text_len = dumper.style.offset + len("-")
    if indicator is None:
        return None
    empty = _is_empty(node)
    old_is_block = not empty and getattr(node, "flow_style", None) is False
    old_is_block = old_is_block and node.start_mark.line > body.count("\n", 0, indicator)
    column = _wrapped_column(dumper.style, fragment, isinstance(wrapper, list))
    copied = _fragment_copy(fragment, dumper.style, column, shift, leading=old_is_block)
    if isinstance(wrapper, list):
        wrapper.append(copied)
    else:
        wrapper["k"] = copied
    lines = dumper.dump(wrapper).removesuffix("\n")[key_text_len:].split("\n")
    below = _shift_lines(lines[1:], shift)
    end = indicator + 1 if empty else _node_end(body, node)
    if below is None or end is None:
        return None
    new_is_block = lines[0].strip() == ""
    if new_is_block and old_is_block:
        # Replace the lines after the key's line: the old block's, and the comments above it.
        return body.find("\n", indicator) + 1, end, newline.join(below)
    if isinstance(parent, r.MappingNode) and not (new_is_block or old_is_block or empty or below):
        return node.start_mark.index, end, lines[0].lstrip(" ")  # one line: keep the spacing after the colon
    # Every line moved by the same amount, the first one too (it follows the indicator as in the dump).
    return indicator + 1, end, lines[0].rstrip() + "".join(newline + line for line in below)


def _find_indicator(body: str, pos: int, char: str) -> int | None:
    at = _SPACES.match(body, pos)
    assert at is not None
    return at.end() if body.startswith(char, at.end()) else None


def _is_empty(node: Any) -> bool:
    """A plain empty scalar (`key:` and nothing): ruamel's marks for it point at the next token."""
    r = ruamel_classes()
    return (
        isinstance(node, r.ScalarNode)
        and node.value == ""
        and not node.style
        and node.start_mark.index == node.end_mark.index
    )


def _node_end(body: str, node: Any) -> int | None:
    """Where the text of `node` ends (before trailing comments and blank lines), or None if unknown."""
    r = ruamel_classes()
    if isinstance(node, r.ScalarNode):
        end = int(node.end_mark.index)
        if node.style in ("|", ">"):  # a block scalar's mark is past its trailing blank lines
            while end > 0 and body[end - 1] in " \t\r\n":
                end -= 1
        return end
    if getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    if isinstance(node, r.MappingNode):
        return _entry_end(body, *node.value[-1])
    dashes = _item_dashes(body, node)
    return None if dashes is None else _item_end(body, node.value[-1], dashes[-1])


def _entry_end(body: str, knode: Any, vnode: Any) -> int | None:
    """Where the text of a mapping entry's value ends."""
    if _is_empty(vnode) or vnode.start_mark.index < knode.end_mark.index:
        colon = _find_indicator(body, knode.end_mark.index, ":")
        if colon is None or _is_empty(vnode):
            return None if colon is None else colon + 1
        alias = _ALIAS.match(body, colon + 1)  # the value is an alias of an earlier anchor
        return None if alias is None else alias.end()
    return _node_end(body, vnode)


def _item_end(body: str, item: Any, dash: int) -> int | None:
    """Where the text of a block sequence's item (whose dash is at `dash`) ends."""
    return dash + 1 if _is_empty(item) else _node_end(body, item)


def _item_dashes(body: str, node: Any) -> list[int] | None:
    """Where the dash of each item of a block sequence is; None when an item is an alias (its marks
    are its anchor's) or the text is not laid out as expected."""
    column = node.start_mark.column
    pos = int(node.start_mark.index)
    dashes: list[int] = []
    for i, item in enumerate(node.value):
        if i == 0:
            dash: int | None = pos if body.startswith("-", pos) else None
        else:
            dash = _next_dash(body, pos, column)
        if dash is None or (not _is_empty(item) and item.start_mark.index < dash):
            return None
        end = _item_end(body, item, dash)
        if end is None:
            return None
        dashes.append(dash)
        pos = end
    return dashes


def _next_dash(body: str, pos: int, column: int) -> int | None:
    """The dash at `column` that begins the first line after `pos` that is not blank or a comment."""
    line = body.find("\n", pos) + 1
    while 0 < line < len(body):
        text = body[line : body.find("\n", line) if body.find("\n", line) >= 0 else len(body)]
        content = text.lstrip(" ")
        if content.strip() and not content.startswith("#"):
            indent = len(text) - len(content)
            return line + indent if indent == column and content.startswith("-") else None
        line = body.find("\n", line) + 1
    return None


def _shift_lines(lines: list[str], shift: int) -> list[str] | None:
    """`lines` moved right by `shift` columns (left if negative); blank lines stay empty."""
    if shift >= 0:
        pad = " " * shift
        return [pad + line if line.strip() else line for line in lines]
    out = []
    for line in lines:
        if line.strip() and not line.startswith(" " * -shift):
            return None
        out.append(line[-shift:] if line.strip() else line)
    return out


_NO_OLD: Any = object()  # for _build_yaml: there is no old value to reuse


def _build_yaml(new: Any, old: Any) -> Any:
    """A ruamel value for `new` that reuses the parts of `old` (nodes, comments, quoting) equal to it."""
    r = ruamel_classes()
    if old is not _NO_OLD and (new is old or same(new, old)):
        return old
    if tag_of(new) is not None or (old is _NO_OLD and isinstance(new, (r.CommentedMap, r.CommentedSeq))):
        return new  # a ruamel value given back by the caller (tagged, or moved): keep it as it is
    if isinstance(new, Mapping):
        out = r.CommentedMap()
        old_map = old if isinstance(old, r.CommentedMap) else None
        if old_map is not None:
            out._yaml_set_line_col(old_map.lc.line, old_map.lc.col)  # where its comments were
            if old_map.fa.flow_style():
                out.fa.set_flow_style()
            if new and old_map and next(iter(new)) == next(iter(old_map)):
                out.ca.comment = old_map.ca.comment  # the comments above its first key
        for key, item in new.items():
            previous = old_map[key] if old_map is not None and key in old_map else _NO_OLD
            out[key] = _build_yaml(item, previous)
            comment = old_map.ca.items.get(key) if old_map is not None else None
            if comment is not None and (out[key] is previous or not isinstance(item, (Mapping, list, tuple))):
                out.ca.items[key] = comment
        return out
    if isinstance(new, (list, tuple)):
        seq = r.CommentedSeq()
        old_seq = old if isinstance(old, r.CommentedSeq) else None
        if old_seq is not None:
            seq._yaml_set_line_col(old_seq.lc.line, old_seq.lc.col)
            if old_seq.fa.flow_style():
                seq.fa.set_flow_style()
        places = match_items(new, old_seq if old_seq is not None else [])
        for i, (item, place) in enumerate(zip(new, places, strict=True)):
            previous = old_seq[place] if old_seq is not None and place is not None else _NO_OLD
            seq.append(_build_yaml(item, previous))
            if old_seq is not None and seq[i] is previous and place in old_seq.ca.items:
                seq.ca.items[i] = old_seq.ca.items[place]
        return seq
    if type(new) is str and isinstance(old, r.styled):
        return type(old)(new)  # keep the old value's quotes or block style
    return new


def _fragment_copy(fragment: Any, style: _YamlStyle, column: int, shift: int, leading: bool = False) -> Any:
    """A copy of `fragment`, ready to be dumped where a block value starts at `column` and then moved
    `shift` columns right (ruamel writes comments at the columns they were read at).

    Its comments move with the containers they belong to, so that once dumped they sit where they
    were relative to those. Comments after the value's last line are dropped: they are outside the
    spliced text, which keeps them; so are those before its first line unless `leading` (when the
    splice replaces those lines).
    """
    r = ruamel_classes()
    out = copy.deepcopy(fragment)
    _place_comments(out, style, column, shift, set())
    if isinstance(out, (r.CommentedMap, r.CommentedSeq)) and not leading:
        out.ca.comment = None
    node = out
    while isinstance(node, (r.CommentedMap, r.CommentedSeq)) and len(node):
        is_map = isinstance(node, r.CommentedMap)
        last = next(reversed(node)) if is_map else len(node) - 1
        item = node.ca.items.get(last)
        if item is not None:
            item = list(item)
            item[2 if is_map else 0] = None
            node.ca.items[last] = item
        if getattr(node.ca, "end", None):
            node.ca.end = None
        node = node[last]
    return out


def _wrapped_column(style: _YamlStyle, value: Any, in_sequence: bool) -> int:
    """Where a block `value` starts (keys, or dashes) when dumped as the value of a top-level
    key at column 0 ("k: ..."), or as the item of a top-level sequence ("- ...")."""
    if in_sequence:
        return style.sequence
    return style.offset if isinstance(value, list) else style.mapping


def _place_comments(value: Any, style: _YamlStyle, column: int, shift: int, seen: set[int]) -> None:
    """Move the comments of `value`, a block container that will start at `column`, and of its children.

    `column` is where its keys (or dashes) go in the dump; `lc.col` is where they were in the file.
    """
    r = ruamel_classes()
    if not isinstance(value, (r.CommentedMap, r.CommentedSeq)) or value.fa.flow_style() or id(value) in seen:
        return
    seen.add(id(value))
    was = getattr(value.lc, "col", None)
    delta = column - was if isinstance(was, int) else -shift
    ca = value.ca
    if delta:
        ca.comment = _move_comments(ca.comment, delta)
        for key in list(ca.items):
            ca.items[key] = _move_comments(ca.items[key], delta)
        if getattr(ca, "end", None):
            ca.end = _move_comments(ca.end, delta)
    if isinstance(value, r.CommentedMap):
        for item in value.values():
            inner = column + (style.offset if isinstance(item, list) else style.mapping)
            _place_comments(item, style, inner, shift, seen)
    else:
        content = column - style.offset + style.sequence
        for item in value:
            _place_comments(item, style, content, shift, seen)


def _move_comments(item: Any, delta: int) -> Any:
    """Comment tokens (in ruamel's nested lists) moved `delta` columns, the lines they carry too."""
    r = ruamel_classes()
    if isinstance(item, list):
        return [_move_comments(x, delta) for x in item]
    if isinstance(item, r.CommentToken):
        first, *rest = item.value.split("\n")
        moved = _shift_lines(rest, delta)
        if moved is None:
            moved = [line.lstrip(" ") for line in rest]
        column = getattr(item.start_mark, "column", 0)
        return r.CommentToken("\n".join([first, *moved]), r.CommentMark(max(column + delta, 0)))
    return item


def _yaml_result_ok(source: str, state: YamlState, out: str, changes: Sequence[tuple[Keys, Any]]) -> bool:
    """Whether the spliced text parses to the data with the changes applied."""
    try:
        parsed = parse_yaml(source, out)
    except DocumentError:
        return False
    return bool(_canon(parsed.data) == _canon(state.data, dict(changes)))


def _canon(value: Any, overrides: Mapping[Keys, Any] | None = None, keys: Keys = ()) -> Any:
    """A comparable form of YAML data: order, types and tags included; `overrides` replace values at keys."""
    if overrides and keys in overrides:
        return _canon(overrides[keys])
    tag = tag_of(value)
    if isinstance(value, Mapping):
        return ("map", tag, tuple((_canon(k), _canon(v, overrides, (*keys, k))) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("seq", tag, tuple(_canon(v, overrides, (*keys, i)) for i, v in enumerate(value)))
    if tag is not None:
        return ("tagged", tag, _canon(getattr(value, "value", None)))
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", int(value))
    if isinstance(value, float):
        return ("float", float(value))
    if isinstance(value, str):
        return ("str", str(value))
    return ("other", repr(value))


def _get(data: Any, keys: Keys) -> Any:
    for key in keys:
        data = data[key]
    return data


def _old_value(source: str, data: Any, keys: Keys) -> Any:
    try:
        return _get(data, keys)
    except (KeyError, IndexError, TypeError):
        raise ValueError(f"no value at {keys!r} in {source}") from None
