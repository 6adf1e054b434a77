"""sfnxr.documents: reading JSON and YAML with their positions, and writing them back by splicing."""

from __future__ import annotations

import copy
import csv
import difflib
import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfnxr import docbase, documents, jsontext, yamlsplice, yamltext
from sfnxr.documents import (
    MAX_BYTES,
    Document,
    DocumentError,
    Keys,
    detect_format,
    parse_document,
    read_document,
    write_atomic,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "realworld"
STANDALONE = ("asl-json", "asl-json5", "asl-yaml")


def corpus_files() -> list[tuple[str, str]]:
    """(file, features) of every standalone definition in the corpus."""
    if not CORPUS.is_dir():
        return []
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(row["file"], row["features"]) for row in rows if row["format"] in STANDALONE]


CORPUS_FILES = corpus_files()
VALID_CORPUS = [name for name, features in CORPUS_FILES if "invalid-json" not in features.split(",")]
needs_corpus = pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus/realworld is not there")


def plain(value: Any) -> Any:
    """ruamel's objects as plain dicts, lists and scalars (tags kept as (tag, value) pairs)."""
    tag = docbase.tag_of(value)
    if isinstance(value, dict):
        out: Any = {key: plain(item) for key, item in value.items()}
    elif isinstance(value, list):
        out = [plain(item) for item in value]
    elif tag is not None:
        return (tag, plain(value.value))
    elif isinstance(value, bool) or value is None:
        return value
    elif isinstance(value, int):
        return int(value)
    elif isinstance(value, float):
        return float(value)
    elif isinstance(value, str):
        return str(value)
    else:
        raise AssertionError(f"unexpected {type(value)}")
    return (tag, out) if tag is not None else out


def parse(text: str, name: str = "doc.json") -> Document:
    return parse_document(name, text.encode("utf-8"))


def reparse(doc: Document, text: str) -> Any:
    return plain(parse_document(doc.source, text.encode("utf-8"), format_hint=doc.format).data)


def get(data: Any, keys: Keys) -> Any:
    for key in keys:
        data = data[key]
    return data


def replaced(data: Any, keys: Keys, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not keys:
        return value
    parent = data
    for key in keys[:-1]:
        parent = parent[key]
    parent[keys[-1]] = value
    return data


def error_of(text: str | bytes, name: str = "doc.json") -> DocumentError:
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    with pytest.raises(DocumentError) as caught:
        parse_document(name, raw)
    return caught.value


def walk_states(states: dict[str, Any], prefix: Keys) -> Iterator[tuple[Keys, dict[str, Any]]]:
    for name, state in states.items():
        keys = (*prefix, "States", name)
        yield keys, state
        for i, branch in enumerate(state.get("Branches", [])):
            yield from walk_states(branch["States"], (*keys, "Branches", i))
        for field in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(field), dict):
                yield from walk_states(state[field]["States"], (*keys, field))


def proxied(state: dict[str, Any]) -> dict[str, Any]:
    """A state rewritten the way `sfnxr transform` does (DESIGN.md section 3), roughly."""
    retry = {
        "ErrorEquals": ["Lambda.ServiceException"],
        "IntervalSeconds": 2,
        "MaxAttempts": 6,
        "BackoffRate": 2,
    }
    new: dict[str, Any] = {}
    for key, value in state.items():
        if key == "Resource":
            new[key] = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy"
        elif key in ("Parameters", "Arguments"):
            new[key] = {
                "sfnxr": {"v": 1, "resource": state["Resource"]},
                "region": "us-west-2",
                "parameters": value,
            }
        elif key == "Retry":
            new[key] = [retry, *value]
        else:
            new[key] = value
    new.setdefault("Retry", [retry])
    return new


@pytest.fixture
def no_whole_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if a YAML render falls back to dumping the whole document."""

    def refuse(*args: Any) -> str:
        raise AssertionError("the YAML render fell back to a whole-document dump")

    monkeypatch.setattr(yamlsplice, "_render_yaml_whole", refuse)


# --- the corpus ------------------------------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("name", VALID_CORPUS)
def test_corpus_file_renders_unchanged_without_changes_and_with_equal_values(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    doc = parse_document(name, raw)
    assert doc.format == ("yaml" if name.endswith((".yaml", ".yml")) else "json")
    assert doc.render([]) == doc.text == raw.decode("utf-8")
    every = [keys for keys, _ in walk_states(doc.data["States"], ())]
    innermost = [keys for keys in every if not any(other[: len(keys)] == keys != other for other in every)]
    assert doc.render([(keys, plain(get(doc.data, keys))) for keys in innermost]) == doc.text
    assert doc.render([(("States",), plain(doc.data["States"]))]) == doc.text


@needs_corpus
@pytest.mark.parametrize("name", VALID_CORPUS)
def test_corpus_file_with_one_state_replaced_changes_only_that_state(name: str, no_whole_dump: None) -> None:
    doc = parse_document(name, (CORPUS / name).read_bytes())
    names = list(doc.data["States"])
    target = names[len(names) // 2]
    keys: Keys = ("States", target)
    new = plain(doc.data["States"][target])
    new["Comment"] = "changed: naïve ✓"
    new.pop("Next", None)
    new["End"] = True

    out = doc.render([(keys, new)])

    assert reparse(doc, out) == replaced(plain(doc.data), keys, new)
    old_lines, new_lines = doc.text.splitlines(keepends=True), out.splitlines(keepends=True)
    first = doc.line_of(keys)
    assert first is not None
    assert new_lines[: first - 1] == old_lines[: first - 1]
    following = names.index(target) + 1
    if following < len(names):
        after = doc.line_of(("States", names[following]))
        assert after is not None
        assert new_lines[len(new_lines) - (len(old_lines) - after + 1) :] == old_lines[after - 1 :]
    assert out.endswith("\n") == doc.text.endswith("\n")


@needs_corpus
@pytest.mark.parametrize("name", VALID_CORPUS)
def test_corpus_file_with_every_sdk_task_proxied(name: str, no_whole_dump: None) -> None:
    doc = parse_document(name, (CORPUS / name).read_bytes())
    changes = [
        (keys, proxied(plain(state)))
        for keys, state in walk_states(doc.data["States"], ())
        if ":aws-sdk:" in str(state.get("Resource", ""))
    ]
    out = doc.render(changes)
    expected = plain(doc.data)
    for keys, value in changes:
        expected = replaced(expected, keys, value)
    assert reparse(doc, out) == expected
    # Every changed line of the original lies inside one of the rewritten states.
    spans = [value_lines(doc, keys) for keys, _ in changes]
    old_lines, new_lines = doc.text.splitlines(), out.splitlines()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(
        None, old_lines, new_lines, autojunk=False
    ).get_opcodes():
        if tag != "equal":
            first, last = i1 + 1, max(i2, i1 + 1)  # 1-based lines; an insertion sits before line i1 + 1
            assert any(start <= first and last <= end + 1 for start, end in spans), (tag, first, last, spans)


def value_lines(doc: Document, keys: Keys) -> tuple[int, int]:
    """The first and last lines of the value at `keys`."""
    if doc.format == "json":
        index = doc._json().index
        member = index.locate(keys)
        assert member is not None
        return index.line(member.value_start), index.line(member.value_end - 1)
    state = doc._yaml()
    node = yamlsplice._locate_node(state, keys)
    end = yamlsplice._node_end(state.body, node)
    assert end is not None
    return node.start_mark.line + 1, state.body.count("\n", 0, end) + 1


@needs_corpus
def test_corpus_file_broken_as_published_is_an_error_with_its_line() -> None:
    broken = [name for name, features in CORPUS_FILES if "invalid-json" in features.split(",")]
    assert broken
    for name in broken:
        with pytest.raises(DocumentError) as caught:
            read_document(str(CORPUS / name))
        assert caught.value.line == 10
        assert "invalid JSON: Expecting ',' delimiter at column 33" in str(caught.value)


# --- format ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("a.json", "x: 1", "json"),
        ("a.asl.json", "", "json"),
        ("a.json5", "", "json"),
        ("A.JSON", "", "json"),
        ("a.yaml", "{}", "yaml"),
        ("a.yml", "{}", "yaml"),
        ("a.asl.yaml", "", "yaml"),
        ("a.asl.yml", "", "yaml"),
        ("a.tpl", '  \n {"StartAt": 1}', "json"),
        ("a.template", "\ufeff[1]", "json"),
        ("-", "# comment\nStartAt: A", "yaml"),
        ("noext", "StartAt: A", "yaml"),
    ],
)
def test_detect_format(path: str, text: str, expected: str) -> None:
    assert detect_format(path, text) == expected


def test_format_hint_wins_over_the_extension() -> None:
    doc = parse_document("x.json", b"StartAt: A\n", format_hint="yaml")
    assert doc.format == "yaml" and doc.data == {"StartAt": "A"}


def test_stdin_is_read_from_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"StartAt": "A"}')))
    doc = read_document("-")
    assert (doc.source, doc.format, doc.data) == ("<stdin>", "json", {"StartAt": "A"})


def test_stdin_that_is_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"StartAt: A\n")))
    assert read_document("-").format == "yaml"


# --- errors ----------------------------------------------------------------------------------------


def test_json_duplicate_key_names_the_key_and_both_lines() -> None:
    e = error_of(
        '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass",\n          "Type": "Succeed"}\n  }\n}'
    )
    assert (e.line, e.message) == (5, 'duplicate key "Type" (first at line 4)')
    assert str(e) == 'doc.json:5: duplicate key "Type" (first at line 4)'


def test_json_duplicate_key_reports_the_earliest_repeat() -> None:
    e = error_of('{"a": {"x": 1, "x": 2},\n "b": 1,\n "b": 2}')
    assert (e.line, e.message) == (1, 'duplicate key "x" (first at line 1)')


def test_yaml_duplicate_key_names_the_key_and_both_lines() -> None:
    e = error_of("StartAt: A\nStates:\n  A:\n    Type: Pass\n    Type: Succeed\n", "doc.yaml")
    assert (e.line, e.message) == (5, 'duplicate key "Type" (first at line 4)')


def test_yaml_alias_bomb_is_refused_without_expanding_it() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    e = error_of("\n".join(lines) + "\n", "bomb.yaml")
    assert "alias" in e.message and "bomb" in e.message
    assert e.line is not None and 2 <= e.line <= 10


def test_yaml_with_a_few_aliases_is_fine() -> None:
    doc = parse("base: &b {Type: Pass}\nStates:\n  A: *b\n  B: *b\n", "doc.yaml")
    assert plain(doc.data)["States"] == {"A": {"Type": "Pass"}, "B": {"Type": "Pass"}}


def test_yaml_recursive_alias_is_refused() -> None:
    e = error_of("a: &a\n  - *a\n", "doc.yaml")
    assert e.line is not None and "refers to its own anchor" in e.message


def test_yaml_nested_too_deeply() -> None:
    e = error_of("a:\n  b: " + "[" * 300 + "]" * 300 + "\n", "doc.yaml")
    assert (e.line, e.message) == (2, "the document is nested too deeply")


def test_json_nested_too_deeply() -> None:
    e = error_of('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert e.message == "the document is nested too deeply"


@pytest.mark.parametrize("name", ["doc.json", "doc.yaml"])
def test_non_utf8_bytes_give_the_line_of_the_first_bad_byte(name: str) -> None:
    e = error_of(b'{\n"StartAt":\n "caf\xe9"}', name)
    assert e.line == 3
    assert e.message == "the file is not valid UTF-8 (byte 0xe9 at offset 18)"


def test_utf16_is_named() -> None:
    e = error_of('{"StartAt": "A"}'.encode("utf-16"))
    assert (e.line, e.message) == (1, "the file is UTF-16; save it as UTF-8")


@pytest.mark.parametrize("raw", [b"", b"  \n\t\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"])
@pytest.mark.parametrize("name", ["doc.json", "doc.yaml"])
def test_empty_or_blank_file(raw: bytes, name: str) -> None:
    e = error_of(raw, name)
    assert (e.line, e.message, str(e)) == (None, "the file is empty", f"{name}: the file is empty")


def test_yaml_of_only_comments() -> None:
    assert error_of("# nothing here\n", "doc.yaml").message == "the document is empty (only comments)"


def test_file_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing to read if the size check works

    def no_open(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read before the size check")

    monkeypatch.setattr("builtins.open", no_open)
    with pytest.raises(DocumentError) as caught:
        read_document(str(big))
    assert caught.value.line is None
    assert caught.value.message == (
        "the file is 10,485,761 bytes, over sfnxr's limit of 10 MiB"
        " (Step Functions itself accepts definitions up to 1 MiB)"
    )


def test_bytes_over_the_size_limit_are_refused() -> None:
    e = error_of(b" " * (MAX_BYTES + 1))
    assert "over sfnxr's limit of 10 MiB" in e.message


def test_stdin_over_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b" " * (MAX_BYTES + 100))))
    with pytest.raises(DocumentError) as caught:
        read_document("-")
    assert caught.value.source == "<stdin>" and "10,485,761 bytes" in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as caught:
        read_document(str(tmp_path / "nope.json"))
    assert caught.value.message == "cannot read the file: No such file or directory"


def test_json_syntax_error_gives_line_and_column() -> None:
    e = error_of('{\n  "StartAt": "A",\n  "States": {,}\n}')
    assert (e.line, e.message) == (
        3,
        "invalid JSON: Expecting property name enclosed in double quotes at column 14",
    )


def test_json5_syntax_is_explained() -> None:
    e = error_of('{\n  // a comment\n  "StartAt": "A"\n}', "machine.json5")
    assert e.line == 2 and e.message.endswith("(sfnxr reads JSON5 files only when they are plain JSON)")


def test_yaml_syntax_error_gives_the_line() -> None:
    e = error_of("StartAt: A\nStates:\n  A: {Type: Pass\n  B: x\n", "doc.yaml")
    assert e.line == 4 and e.message.startswith("invalid YAML: ")


def test_yaml_bad_indentation() -> None:
    e = error_of("StartAt: A\n States: x\n", "doc.yaml")
    assert e.line == 2 and e.message == "invalid YAML: mapping values are not allowed here at column 8"


def test_yaml_control_character() -> None:
    e = error_of("StartAt: A\nComment: a\x07b\n", "doc.yaml")
    assert e.line == 2 and e.message == "invalid YAML: character U+0007 is not allowed"


def test_yaml_several_documents() -> None:
    e = error_of("StartAt: A\n---\nStartAt: B\n", "doc.yaml")
    assert e.line == 2 and "expected a single document" in e.message


@pytest.mark.parametrize(
    ("text", "name", "line", "kind"),
    [
        ("[1, 2]", "doc.json", 1, "a JSON object, not an array"),
        ('\n\n"text"', "doc.json", 3, "a JSON object, not a string"),
        ("3", "doc.json", 1, "a JSON object, not a number"),
        ("null", "doc.json", 1, "a JSON object, not null"),
        ("# top\n- a\n- b\n", "doc.yaml", 2, "a mapping, not a list"),
        ("just text\n", "doc.yaml", 1, "a mapping, not a string"),
    ],
)
def test_top_level_must_be_a_mapping(text: str, name: str, line: int, kind: str) -> None:
    e = error_of(text, name)
    assert (e.line, e.message) == (line, f"the top level must be {kind}")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_errors(token: str) -> None:
    e = error_of('{\n  "a": "NaN Infinity",\n  "b": [1, ' + token + "]\n}")
    assert (e.line, e.message) == (3, f"{token} is not a JSON number")


def test_json_number_out_of_range() -> None:
    e = error_of('{\n  "b": 1e999\n}')
    assert (e.line, e.message) == (2, "1e999 is out of range")


# --- JSON: line_of ---------------------------------------------------------------------------------

NESTED = """\
{
  "StartAt": "Fan",
  "States": {
    "Fan": {
      "Type": "Parallel",
      "Branches": [
        {
          "StartAt": "Copy",
          "States": {
            "Copy": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:copyObject", "End": true}
          }
        },
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}
      ],
      "End": true
    }
  }
}
"""


@pytest.mark.parametrize(
    ("keys", "line"),
    [
        ((), 1),
        (("StartAt",), 2),
        (("States", "Fan"), 4),
        (("States", "Fan", "Branches"), 6),
        (("States", "Fan", "Branches", 0), 7),
        (("States", "Fan", "Branches", 0, "States", "Copy"), 10),
        (("States", "Fan", "Branches", 0, "States", "Copy", "Resource"), 10),
        (("States", "Fan", "Branches", 1), 13),
        (("States", "Fan", "Branches", 1, "States", "B", "End"), 13),
        (("States", "Fan", "End"), 15),
        (("States", "Nope"), None),
        (("States", "Fan", "Branches", 2), None),
        (("States", "Fan", "Branches", "0"), None),
        (("States", 0), None),
        (("StartAt", "x"), None),
    ],
)
def test_json_line_of(keys: Keys, line: int | None) -> None:
    assert parse(NESTED).line_of(keys) == line


def test_yaml_line_of() -> None:
    doc = parse(
        "# c\nStartAt: Fan\nStates:\n  Fan:\n    Type: Parallel\n    Branches:\n      - StartAt: Copy\n"
        "        States:\n          Copy: {Type: Task, End: true}\n    End: true\n",
        "doc.yaml",
    )
    assert doc.line_of(()) == 2
    assert doc.line_of(("StartAt",)) == 2
    assert doc.line_of(("States", "Fan")) == 4
    assert doc.line_of(("States", "Fan", "Branches", 0)) == 7
    assert doc.line_of(("States", "Fan", "Branches", 0, "States", "Copy")) == 9
    assert doc.line_of(("States", "Fan", "Branches", 0, "States", "Copy", "End")) == 9
    assert doc.line_of(("States", "Fan", "End")) == 10
    assert doc.line_of(("States", "Nope")) is None
    assert doc.line_of(("States", "Fan", "Branches", 3)) is None


def test_line_of_is_fast_and_right_on_a_big_file() -> None:
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(3000)}
    text = json.dumps({"StartAt": "S0", "States": states}, indent=2)
    doc = parse(text)
    lines = text.splitlines()
    for i in (2999, 0, 1500, 1499, 2998):
        line = doc.line_of(("States", f"S{i}", "Next"))
        assert line is not None and f'"S{i + 1}"' in lines[line - 1]


# --- JSON: render ----------------------------------------------------------------------------------


def test_json_render_changes_only_the_replaced_value() -> None:
    doc = parse(NESTED)
    keys: Keys = ("States", "Fan", "Branches", 1, "States", "B")
    out = doc.render([(keys, {"Type": "Succeed"})])
    assert out == NESTED.replace('{"Type": "Pass", "End": true}', '{"Type": "Succeed"}')


def test_json_render_keeps_the_text_of_unchanged_parts_and_the_style_of_new_ones() -> None:
    text = '{\n    "States": {\n        "A": {\n            "Type": "Task",\n            "Retry": [ "x" ],\n            "Parameters": {"Bucket":"b",  "Key":"k"},\n            "End": true\n        }\n    }\n}'
    doc = parse(text)
    state = plain(doc.data["States"]["A"])
    new = {
        **state,
        "Parameters": {"wrapped": state["Parameters"], "n": [1, 2.0, None, False]},
        "Comment": {"x": [1, None]},
    }
    out = doc.render([(("States", "A"), new)])
    assert out == (
        '{\n    "States": {\n        "A": {\n            "Type": "Task",\n            "Retry": [ "x" ],\n'
        '            "Parameters": {"wrapped":{"Bucket":"b",  "Key":"k"},  "n":[1,  2.0,  null,  false]},\n'
        '            "End": true,\n            "Comment": {\n                "x": [\n                    1,\n'
        "                    null\n                ]\n            }\n        }\n    }\n}"
    )


def test_json_render_compact_value_stays_on_one_line() -> None:
    doc = parse('{"States": {"A": {"Type": "Pass", "End": true}},\n "StartAt": "A"}\n')
    out = doc.render(
        [(("States", "A"), {"Type": "Task", "Retry": [{"ErrorEquals": ["a", "b"]}], "End": True})]
    )
    assert out == (
        '{"States": {"A": {"Type": "Task", "Retry": [{"ErrorEquals": ["a", "b"]}], "End": true}},\n "StartAt": "A"}\n'
    )


def test_json_render_minified_file_keeps_its_separators() -> None:
    doc = parse('{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}')
    out = doc.render([(("States", "A"), {"Type": "Pass", "Result": [1, {"k": "v"}], "End": True})])
    assert out == '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":[1,{"k":"v"}],"End":true}}}'


def test_json_render_tabs() -> None:
    text = '{\n\t"States": {\n\t\t"A": {\n\t\t\t"Type": "Pass"\n\t\t}\n\t}\n}\n'
    out = parse(text).render([(("States", "A"), {"Type": "Pass", "Result": {"k": ["v"]}})])
    assert out == (
        '{\n\t"States": {\n\t\t"A": {\n\t\t\t"Type": "Pass",\n\t\t\t"Result": {\n\t\t\t\t"k": [\n'
        '\t\t\t\t\t"v"\n\t\t\t\t]\n\t\t\t}\n\t\t}\n\t}\n}\n'
    )


def test_json_render_crlf() -> None:
    text = '{\r\n  "States": {\r\n    "A": {\r\n      "Type": "Pass"\r\n    }\r\n  }\r\n}\r\n'
    out = parse(text).render([(("States", "A"), {"Type": "Pass", "Result": {"k": 1}})])
    assert out == (
        '{\r\n  "States": {\r\n    "A": {\r\n      "Type": "Pass",\r\n      "Result": {\r\n        "k": 1\r\n'
        "      }\r\n    }\r\n  }\r\n}\r\n"
    )
    assert "\n" not in out.replace("\r\n", "")


def test_json_render_bom_is_kept() -> None:
    raw = '\ufeff{\n  "StartAt": "A"\n}'.encode()
    doc = parse_document("doc.json", raw)
    assert doc.data == {"StartAt": "A"}
    assert doc.line_of(("StartAt",)) == 2
    assert doc.render([(("StartAt",), "B")]) == '\ufeff{\n  "StartAt": "B"\n}'


def test_json_render_keeps_the_missing_trailing_newline() -> None:
    assert parse('{"a": 1}').render([(("a",), 2)]) == '{"a": 2}'
    assert parse('{"a": 1}\n\n').render([(("a",), 2)]) == '{"a": 2}\n\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": "caf\\u00e9", "b": 1}', '{"a": "caf\\u00e9", "b": "na\\u00efve \\u2713"}'),
        ('{"a": "café", "b": 1}', '{"a": "café", "b": "naïve ✓"}'),
        ('{"a": "plain", "b": 1}', '{"a": "plain", "b": "naïve ✓"}'),
    ],
)
def test_json_render_escapes_non_ascii_only_where_the_file_does(text: str, expected: str) -> None:
    assert parse(text).render([(("b",), "naïve ✓")]) == expected


def test_json_render_numbers() -> None:
    doc = parse('{"a": 1, "b": 2.0, "c": 1.50, "d": true}')
    out = doc.render([(("a",), 2.0), (("b",), 2), (("d",), 1)])
    assert out == '{"a": 2.0, "b": 2, "c": 1.50, "d": 1}'
    assert parse('{"a": 2.0}').render([(("a",), 2.0)]) == '{"a": 2.0}'


def test_json_render_key_separator_style() -> None:
    out = parse('{\n  "a" : 1\n}').render([((), {"a": 1, "b": {"c": 2}})])
    assert out == '{\n  "a" : 1,\n  "b" : {\n    "c" : 2\n  }\n}'


def test_json_render_irregular_indentation_keeps_unchanged_lines() -> None:
    text = '{\n  "States": {\n     "A": {\n        "Type": "Pass",\n        "End": true\n      }\n  }\n}'
    out = parse(text).render([(("States", "A"), {"Type": "Pass", "End": True, "Comment": "c"})])
    assert (
        out
        == '{\n  "States": {\n     "A": {\n        "Type": "Pass",\n        "End": true,\n        "Comment": "c"\n      }\n  }\n}'
    )


def test_json_render_several_changes_and_the_root() -> None:
    doc = parse(NESTED)
    out = doc.render([(("StartAt",), "Other"), (("States", "Fan", "End"), False)])
    assert out == NESTED.replace('"StartAt": "Fan"', '"StartAt": "Other"').replace(
        '      "End": true\n    }', '      "End": false\n    }'
    )
    assert json.loads(doc.render([((), {"x": [1]})])) == {"x": [1]}


def test_json_render_nothing_changed_returns_the_text() -> None:
    doc = parse(NESTED)
    assert doc.render([(("States",), copy.deepcopy(doc.data["States"]))]) is doc.text


def test_render_does_not_trust_data_changed_in_place() -> None:
    doc = parse('{"States": {"A": {"Type": "Pass"}}}')
    state = doc.data["States"]["A"]
    state["Type"] = "Succeed"  # the caller changes the parsed data, then renders that same object
    assert doc.render([(("States", "A"), state)]) == '{"States": {"A": {"Type": "Succeed"}}}'
    ydoc = parse("States:\n  A:\n    Type: Pass  # p\n", "doc.yaml")
    ystate = ydoc.data["States"]["A"]
    ystate["Type"] = "Succeed"
    assert ydoc.render([(("States", "A"), ystate)]) == "States:\n  A:\n    Type: Succeed  # p\n"


@pytest.mark.parametrize("name", ["doc.json", "doc.yaml"])
def test_render_rejects_overlapping_changes_and_unknown_keys(name: str) -> None:
    doc = parse('{"States": {"A": {"Type": "Pass"}}}', name)
    with pytest.raises(ValueError, match="inside the change"):
        doc.render([(("States", "A", "Type"), "x"), (("States", "A"), {})])
    with pytest.raises(ValueError, match="inside the change"):
        doc.render([((), {}), (("States",), {})])
    with pytest.raises(ValueError, match="same value"):
        doc.render([(("States",), {}), (("States",), {})])
    with pytest.raises(ValueError, match="no value at"):
        doc.render([(("States", "B"), {})])


def test_json_render_refuses_values_json_cannot_hold() -> None:
    doc = parse('{"a": 1}')
    with pytest.raises(ValueError):
        doc.render([(("a",), float("nan"))])
    with pytest.raises(TypeError):
        doc.render([(("a",), {1: 2})])
    with pytest.raises(TypeError):
        doc.render([(("a",), object())])


# --- JSON: the property ----------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=("Cs",)), max_size=5), children, max_size=4
        )
    ),
    max_leaves=25,
)
json_documents = st.dictionaries(st.text(max_size=5), json_values, min_size=1, max_size=5)


def all_paths(value: Any, prefix: Keys = ()) -> list[Keys]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(all_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(all_paths(item, (*prefix, i)))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=json_documents,
    indent=st.sampled_from([None, 0, 1, 2, 4, "\t", " \t"]),
    separators=st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]),
    ensure_ascii=st.booleans(),
    crlf=st.booleans(),
    choice=st.data(),
)
def test_json_render_replaces_any_subtree_of_any_layout(
    data: dict[str, Any],
    indent: int | str | None,
    separators: tuple[str, str],
    ensure_ascii: bool,
    crlf: bool,
    choice: st.DataObject,
) -> None:
    text = json.dumps(data, indent=indent, separators=separators, ensure_ascii=ensure_ascii)
    if crlf:
        text = text.replace("\n", "\r\n")  # JSON strings hold no raw newline: only layout changes
    doc = parse(text)
    paths = all_paths(data)
    keys = choice.draw(st.sampled_from(paths), label="keys")
    new = choice.draw(json_values, label="new value")

    out = doc.render([(keys, new)])

    assert json.loads(out) == replaced(data, keys, new)
    member = doc._json().index.locate(keys)
    assert member is not None
    assert out.startswith(text[: member.value_start])
    assert out.endswith(text[member.value_end :])
    if crlf:
        assert "\n" not in out.replace("\r\n", "")
    second = [p for p in paths if p[: len(keys)] != keys and keys[: len(p)] != p]
    if second:
        other = choice.draw(st.sampled_from(second), label="second keys")
        both = doc.render([(keys, new), (other, "second")])
        assert json.loads(both) == replaced(replaced(data, keys, new), other, "second")


# --- YAML ------------------------------------------------------------------------------------------

YAML_DOC = """\
# top comment
StartAt: A
States:
  A:  # state A
    # about A
    Type: Task
    Resource: "arn:aws:states:::aws-sdk:s3:getObject"   # the resource
    Parameters: {Bucket: b, Key: !Sub "${Prefix}/k"}
    Retry:
      - ErrorEquals: [States.ALL]
        MaxAttempts: 2
    Next: B   # go to B

  # B comes next
  B:
    Type: Pass
    Result: |
      line one
      line two

    ResultPath: null
    End: true
# trailing
"""


def yaml_render(text: str, changes: list[tuple[Keys, Any]]) -> str:
    doc = parse(text, "doc.yaml")
    out = doc.render(changes)
    expected = plain(doc.data)
    for keys, value in changes:
        expected = replaced(expected, keys, plain(value))
    assert reparse(doc, out) == expected
    return out


def test_yaml_scalar_keeps_its_quotes_and_comment(no_whole_dump: None) -> None:
    out = yaml_render(YAML_DOC, [(("States", "A", "Resource"), "arn:new")])
    assert out == YAML_DOC.replace('"arn:aws:states:::aws-sdk:s3:getObject"', '"arn:new"')


def test_yaml_flow_mapping_stays_flow(no_whole_dump: None) -> None:
    out = yaml_render(YAML_DOC, [(("States", "A", "Parameters", "Bucket"), "c")])
    assert out == YAML_DOC.replace("{Bucket: b,", "{Bucket: c,")


def test_yaml_state_with_a_key_added_and_one_removed(no_whole_dump: None) -> None:
    doc = parse(YAML_DOC, "doc.yaml")
    state = plain(doc.data["States"]["A"])
    new = {"Type": "Task", "Comment": "hi", **{k: v for k, v in state.items() if k not in ("Type", "Next")}}
    new["Parameters"] = doc.data["States"]["A"]["Parameters"]  # tagged values given back as they are
    new["End"] = True
    out = yaml_render(YAML_DOC, [(("States", "A"), new)])
    assert out == YAML_DOC.replace("    Type: Task\n", "    Type: Task\n    Comment: hi\n").replace(
        "    Next: B   # go to B\n", "    End: true\n"
    )


def test_yaml_last_entry_replaced_and_block_scalar_keeps_its_style(no_whole_dump: None) -> None:
    out = yaml_render(YAML_DOC, [(("States", "B", "End"), False), (("States", "B", "Result"), "new\ntext\n")])
    assert out == YAML_DOC.replace("      line one\n      line two\n", "      new\n      text\n").replace(
        "    End: true\n", "    End: false\n"
    )


def test_yaml_whole_state_replaced_by_a_different_one(no_whole_dump: None) -> None:
    out = yaml_render(YAML_DOC, [(("States", "B"), {"Type": "Succeed", "Output": None})])
    assert out == YAML_DOC.replace(
        "    Type: Pass\n    Result: |\n      line one\n      line two\n\n    ResultPath: null\n    End: true\n",
        "    Type: Succeed\n    Output: null\n",
    )


def test_yaml_sequence_item_prepended_and_removed(no_whole_dump: None) -> None:
    retry = {"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 6}
    doc = parse(YAML_DOC, "doc.yaml")
    old = plain(doc.data["States"]["A"]["Retry"])
    out = yaml_render(YAML_DOC, [(("States", "A", "Retry"), [retry, *old])])
    assert out == YAML_DOC.replace(
        "    Retry:\n",
        "    Retry:\n      - ErrorEquals:\n          - Lambda.ServiceException\n        MaxAttempts: 6\n",
    )
    out = yaml_render("L:\n- a\n- b   # b\n- c\n", [(("L",), ["a", "c"])])
    assert out == "L:\n- a\n- c\n"


def test_yaml_value_type_changes(no_whole_dump: None) -> None:
    assert yaml_render("A:\nB: 1\n", [(("A",), {"x": 1})]) == "A:\n  x: 1\nB: 1\n"
    assert yaml_render("A: 1\nB:\n", [(("B",), [1, 2])]) == "A: 1\nB:\n  - 1\n  - 2\n"
    assert yaml_render("A: null  # n\nB: 1\n", [(("A",), {"x": [1]})]) == "A:\n  x:\n    - 1  # n\nB: 1\n"
    assert yaml_render("A:\n  x: 1\nB: 1\n", [(("A",), "s")]) == "A: s\nB: 1\n"


def test_yaml_crlf_and_bom(no_whole_dump: None) -> None:
    text = "\ufeff" + YAML_DOC.replace("\n", "\r\n")
    doc = parse_document("doc.yaml", text.encode("utf-8"))
    assert doc.line_of(("States", "B")) == 15
    new = {
        "Type": "Task",
        "Comment": "c",
        **{k: v for k, v in doc.data["States"]["A"].items() if k != "Type"},
    }
    out = doc.render([(("States", "A"), new), (("StartAt",), "B")])
    assert out.startswith("\ufeff# top comment\r\nStartAt: B\r\n")
    assert "    Type: Task\r\n    Comment: c\r\n    Resource:" in out
    assert "\n" not in out.replace("\r\n", "")


def test_yaml_cloudformation_tags_round_trip(no_whole_dump: None) -> None:
    text = (
        "Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
        "      RoleArn: !GetAtt Role.Arn\n      Name: !Ref Name\n      Tags: !If [IsProd, [a], !Ref AWS::NoValue]\n"
        "      Definition:\n        StartAt: A\n        States:\n          A:\n            Type: Task\n"
        "            Resource: !Sub arn:${AWS::Partition}:states:::aws-sdk:s3:getObject\n"
        "            End: true\n      Body: !Base64\n        Fn::Sub: x\n"
    )
    doc = parse(text, "template.yaml")
    assert doc.render([]) == text
    props = doc.data["Resources"]["Machine"]["Properties"]
    assert plain(props["RoleArn"]) == ("!GetAtt", "Role.Arn")
    assert plain(props["Tags"]) == ("!If", ["IsProd", ["a"], ("!Ref", "AWS::NoValue")])
    keys: Keys = ("Resources", "Machine", "Properties", "Definition", "States", "A", "End")
    out = doc.render([(keys, False), (("Resources", "Machine", "Properties", "Name"), "fixed")])
    assert out == text.replace("            End: true", "            End: false").replace(
        "!Ref Name", "fixed"
    )


def test_yaml_timestamps_stay_strings() -> None:
    doc = parse(
        "States:\n  W:\n    Type: Wait\n    Timestamp: 2016-03-14T01:59:00Z\n    Date: 2016-03-14\n", "a.yaml"
    )
    assert doc.data["States"]["W"]["Timestamp"] == "2016-03-14T01:59:00Z"
    assert doc.data["States"]["W"]["Date"] == "2016-03-14"
    assert type(doc.data["States"]["W"]["Date"]) is str


def test_yaml_indentless_sequences_and_other_indents_are_followed(no_whole_dump: None) -> None:
    text = "States:\n    A:\n        Retry:\n        - x\n        Next: B\n"
    out = yaml_render(text, [(("States", "A"), {"Retry": ["x"], "Catch": [{"E": ["y"]}], "Next": "B"})])
    assert (
        out
        == "States:\n    A:\n        Retry:\n        - x\n        Catch:\n        - E:\n          - y\n        Next: B\n"
    )


def test_yaml_nested_odd_indentation_is_left_alone(no_whole_dump: None) -> None:
    text = "States:\n  A:\n      Type: Pass   \n      Result:\n          k:  v\n  B:\n    Type: Pass\n"
    out = yaml_render(text, [(("States", "A"), {"Type": "Pass", "Result": {"k": "v"}, "End": True})])
    assert out == text.replace("          k:  v\n", "          k:  v\n      End: true\n")


def test_yaml_change_to_an_anchored_value_falls_back_to_a_whole_dump() -> None:
    text = "base: &r [1, 2]\nA:\n  Retry: *r\nB:\n  Retry: *r  # b\n"
    out = yaml_render(text, [(("base",), [3])])
    assert "A:\n  Retry:" in out and "# b" in out
    out = yaml_render(text, [(("A", "Retry"), [9])])
    assert out.startswith("base: &r [1, 2]\n")


def test_yaml_merge_keys_load_and_render() -> None:
    text = "defaults: &d\n  Type: Pass\nStates:\n  A:\n    <<: *d\n    End: true\n"
    doc = parse(text, "doc.yaml")
    assert plain(doc.data["States"]["A"]) == {"Type": "Pass", "End": True}
    yaml_render(text, [(("States", "A", "End"), False)])
    yaml_render(text, [(("States", "A"), {"Type": "Succeed"})])


@pytest.mark.parametrize("value", [": a", "? x", "- y", ":", "?", "-"])
def test_yaml_strings_that_ruamel_would_leave_plain_in_flow_are_quoted(
    value: str, no_whole_dump: None
) -> None:
    out = yaml_render(
        "A: [1, 2]\nB: {k: v}\nC: x\n", [(("A", 0), value), (("B", "k"), value), (("C",), value)]
    )
    assert "'" in out.splitlines()[0] and "'" in out.splitlines()[1]


def test_yaml_whole_dump_that_would_not_read_back_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = parse("{a: [1]}\n", "doc.yaml")  # a flow document: dumped whole
    monkeypatch.setattr(yamlsplice, "_yaml_result_ok", lambda *args: False)
    with pytest.raises(DocumentError, match="cannot write this YAML so that it reads back the same"):
        doc.render([(("a",), [2])])


def test_yaml_key_order_of_the_new_value_is_kept(no_whole_dump: None) -> None:
    out = yaml_render("A:\n  x: 1\n  y: 2\nB: 3\n", [(("A",), {"y": 2, "x": 1})])
    assert out == "A:\n  y: 2\n  x: 1\nB: 3\n"


def test_yaml_comment_columns_survive_a_moved_block(no_whole_dump: None) -> None:
    text = "States:\n  A:\n    Parameters:\n      # the bucket\n      Bucket: b      # bucket\n      Key: k\n    End: true\n"
    doc = parse(text, "doc.yaml")
    params = doc.data["States"]["A"]["Parameters"]
    out = doc.render([(("States", "A", "Parameters"), {"region": "us-west-2", "parameters": params})])
    assert out == (
        "States:\n  A:\n    Parameters:\n      region: us-west-2\n      parameters:\n        # the bucket\n"
        "        Bucket: b      # bucket\n        Key: k\n    End: true\n"
    )


def test_yaml_no_ruamel_import_for_json() -> None:
    code = (
        "import sys\nfrom sfnxr.documents import parse_document\n"
        "d = parse_document('a.json', b'{\"a\": {\"b\": 1}}')\nd.render([(('a', 'b'), 2)]); d.line_of(('a',))\n"
        "assert not [m for m in sys.modules if m.startswith(('ruamel', 'boto3', 'botocore'))], sys.modules\n"
        "parse_document('a.yaml', b'a: 1')\nassert 'ruamel.yaml' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


yaml_keys = st.text("abcxyz_", min_size=1, max_size=4)
yaml_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.text("ab :#-'\"\n{}", max_size=6)
    | st.sampled_from(["yes", "null", "1.5", "~", "", "a: b", "- x", "#c"])
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(yaml_keys, children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.dictionaries(yaml_keys, yaml_values, min_size=1, max_size=4),
    indents=st.sampled_from([(2, 2, 0), (2, 4, 2), (4, 4, 2), (4, 6, 4), (3, 3, 0)]),
    flow=st.booleans(),
    choice=st.data(),
)
def test_yaml_render_replaces_any_subtree_of_any_layout(
    data: dict[str, Any], indents: tuple[int, int, int], flow: bool, choice: st.DataObject
) -> None:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.Representer = yamltext.ruamel_classes().Representer  # ruamel's own leaves "[: a]" unquoted
    mapping, sequence, offset = indents
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.default_flow_style = None if flow else False
    stream = io.StringIO()
    yaml.dump(data, stream)
    text = stream.getvalue()
    doc = parse(text, "doc.yaml")
    assert plain(doc.data) == data
    keys = choice.draw(st.sampled_from(all_paths(data)), label="keys")
    new = choice.draw(
        yaml_values if keys else st.dictionaries(yaml_keys, yaml_values, min_size=1), label="new"
    )

    with mock.patch.object(yamlsplice, "_render_yaml_whole", wraps=yamlsplice._render_yaml_whole) as whole:
        out = doc.render([(keys, new)])

    assert reparse(doc, out) == replaced(data, keys, new)
    if not text.startswith("{"):  # only a document written all in flow style is dumped whole
        assert not whole.called


# --- writing ---------------------------------------------------------------------------------------


def test_write_atomic_creates_a_file_with_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_atomic(str(target), '{"a": "é"}\n')
    assert target.read_bytes() == '{"a": "é"}\n'.encode()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["out.json"]


def test_write_atomic_keeps_the_permissions_of_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "machine.asl.json"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(str(target), "new\r\n")
    assert target.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_atomic_failure_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "machine.yaml"
    target.write_text("old: 1\n")

    def broken_replace(src: str, dst: str) -> None:
        assert Path(src).read_text() == "new: 2\n"  # fully written before the rename
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(str(target), "new: 2\n")
    assert target.read_text() == "old: 1\n"
    assert os.listdir(tmp_path) == ["machine.yaml"]


def test_write_atomic_interrupted_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "machine.json"
    target.write_text("old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["machine.json"]


def test_write_atomic_into_a_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(str(tmp_path / "nope" / "out.json"), "x")


def test_write_atomic_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(str(link), "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_write_atomic_dash_writes_bytes_to_stdout(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    write_atomic("-", "a: é\r\n")
    assert capfdbinary.readouterr().out == "a: é\r\n".encode()


def test_read_and_write_a_real_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.asl.yaml"
    path.write_bytes(YAML_DOC.encode())
    doc = read_document(str(path))
    assert doc.source == str(path) and doc.format == "yaml"
    write_atomic(str(path), doc.render([(("StartAt",), "B")]))
    assert read_document(str(path)).data["StartAt"] == "B"


def test_a_one_line_value_stays_on_one_line_only_while_it_fits() -> None:
    text = '{\n  "States": {\n    "A": {"Type": "Pass", "End": true}\n  }\n}\n'
    document = documents.parse_document("a.json", text.encode())
    short = document.render([(("States", "A"), {"Type": "Pass", "Next": "B"})])
    assert '    "A": {"Type": "Pass", "Next": "B"}\n' in short
    long_value = {
        "Type": "Pass",
        "Result": {f"key{n}": f"a fairly long value number {n}" for n in range(4)},
        "End": True,
    }
    long = document.render([(("States", "A"), long_value)])
    assert '    "A": {\n      "Type": "Pass",\n' in long
    assert max(len(line) for line in long.splitlines()) <= jsontext.COMPACT_WIDTH
    minified = documents.parse_document("m.json", b'{"States":{"A":{"Type":"Pass","End":true}}}')
    assert "\n" not in minified.render([(("States", "A"), long_value)])
