"""FileEditor: minimal edits in block/flow YAML and JSON keep everything else as it was."""

from __future__ import annotations

import pytest

from apigov_ls.document.model import SourceFile
from apigov_ls.document.parse import parse_text
from apigov_ls.fixes import EditConflict, FileEditor, TextEdit, apply_edits

YAML4 = """\
openapi: 3.0.0   # root comment
info:
    title: 'Shop'   # keep me
    "version": "1"
    description: |
        line one
        line two
tags: [a, {name: b}]
list:
-   a: 1
    b: 2
-   x
empty: {}
last: z
"""

JSON_TABS = '{\n\t"a": {"b": [1, 2]},\n\t"c" : "d",\n\t"e": {}\n}\n'


def edit(text: str, syntax: str, op) -> tuple[str, object]:
    ed = FileEditor(SourceFile(f"/x.{syntax}", parse_text(text, syntax=syntax)))
    out = apply_edits(text, op(ed))
    parsed = parse_text(out, syntax=syntax)
    assert parsed.ok and not parsed.problems, (out, parsed.problems)
    return out, parsed.data


def test_insert_into_block_mapping_uses_its_indentation_and_keeps_comments():
    out, data = edit(YAML4, "yaml", lambda e: e.set_key(("info",), "contact", {"name": "Team", "url": "https://x.test"}))
    assert data["info"]["contact"] == {"name": "Team", "url": "https://x.test"}
    assert "    contact:\n        name: Team\n        url: \"https://x.test\"\n" in out
    assert out.replace('    contact:\n        name: Team\n        url: "https://x.test"\n', "") == YAML4


def test_insert_before_a_key_and_into_flow_mappings():
    out, data = edit(YAML4, "yaml", lambda e: e.set_key(("info",), "x-id", 7, before="title") + e.set_key(("tags", 1), "description", "B"))
    assert list(data["info"]) == ["x-id", "title", "version", "description"]
    assert "tags: [a, {name: b, description: B}]" in out
    out, data = edit(YAML4, "yaml", lambda e: e.set_key(("empty",), "k", [1]))
    assert "empty: {k: [1]}" in out and data["empty"] == {"k": [1]}


def test_replace_scalar_keeps_quote_style():
    out, data = edit(YAML4, "yaml", lambda e: e.replace_value(("info", "title"), "Bob's shop") + e.replace_value(("info", "version"), "2"))
    assert "title: 'Bob''s shop'   # keep me" in out and '"version": "2"' in out
    assert data["info"]["title"] == "Bob's shop"


def test_remove_key_removes_its_lines_and_block_scalar():
    out, data = edit(YAML4, "yaml", lambda e: e.remove_key(("info",), "description"))
    assert "line one" not in out and data["info"] == {"title": "Shop", "version": "1"}
    assert out == YAML4.replace("    description: |\n        line one\n        line two\n", "")


def test_remove_first_key_of_a_sequence_item_keeps_the_dash():
    out, data = edit(YAML4, "yaml", lambda e: e.remove_key(("list", 0), "a"))
    assert data["list"][0] == {"b": 2} and "-   b: 2\n" in out


def test_rename_key_and_sequence_edits():
    out, data = edit(YAML4, "yaml", lambda e: e.rename_key(("info",), "version", "v") + e.insert_item(("list",), {"q": 1}) + e.remove_items(("tags",), [0]))
    assert '"v": "1"' in out and data["list"][-1] == {"q": 1} and data["tags"] == [{"name": "b"}]
    assert "-   q: 1\n" in out


def test_json_with_tabs():
    out, data = edit(JSON_TABS, "json", lambda e: e.set_key((), "f", {"g": True}) + e.set_key(("e",), "y", 1))
    assert data["f"] == {"g": True} and data["e"] == {"y": 1}
    assert '\t"f": {\n\t\t"g": true\n\t}\n}' in out
    out, data = edit(JSON_TABS, "json", lambda e: e.remove_key((), "e") + e.remove_items(("a", "b"), [0]))
    assert out == '{\n\t"a": {"b": [2]},\n\t"c" : "d"\n}\n'
    out, data = edit(JSON_TABS, "json", lambda e: e.set_key(("a",), "z", 0) + e.insert_item(("a", "b"), 3, 0))
    assert '"a": {"b": [3, 1, 2], "z": 0}' in out


def test_remove_every_item_leaves_an_empty_collection():
    out, data = edit(JSON_TABS, "json", lambda e: e.remove_items(("a", "b"), [0, 1]))
    assert '"b": []' in out
    out, data = edit(YAML4, "yaml", lambda e: e.remove_keys(("list", 0), ["a", "b"]))
    assert data["list"][0] == {}


def test_overlapping_edits_are_refused():
    with pytest.raises(EditConflict):
        apply_edits("abcdef", [TextEdit("f", 0, 3, "x"), TextEdit("f", 2, 4, "y")])
    with pytest.raises(EditConflict):
        apply_edits("abcdef", [TextEdit("f", 2, 2, "x"), TextEdit("f", 2, 2, "y")])
    assert apply_edits("abcdef", [TextEdit("f", 0, 1, "A"), TextEdit("f", 1, 2, "B")]) == "ABcdef"


def test_crlf_is_kept():
    text = "a:\r\n  b: 1\r\n"
    out, data = edit(text, "yaml", lambda e: e.set_key(("a",), "c", 2))
    assert out == "a:\r\n  b: 1\r\n  c: 2\r\n" and data == {"a": {"b": 1, "c": 2}}
