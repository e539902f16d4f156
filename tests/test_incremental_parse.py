"""Incremental re-parsing gives what a full parse gives: data, every position, line starts."""

from __future__ import annotations

import random

import pytest

from apigov_ls.document.incremental import (
    ShiftingPositions,
    TextEdit,
    diff_edit,
    reparse,
    shifting_source_map,
    updated_lines,
    ShiftingLines,
)
from apigov_ls.document.parse import parse_text
from apigov_ls.document.positions import LineIndex

DOC = """\
openapi: 3.0.3
info:
  title: Demo
  version: "1"
paths:
  /pets:
    get:
      summary: List pets
      description: >-
        Lists every pet.

        Second paragraph.
      parameters:
        - name: limit
          in: query
          description: How many
          schema:
            type: integer
      responses:
        '200':
          description: ok
    # trailing comment
  /pets/{id}:
    get:
      summary: One pet
      responses:
        '200':
          description: ok
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string}
        tag:
          type: string
"""


def all_positions(parsed) -> dict:
    out = {}
    positions = parsed.source_map.positions

    def walk(node, path):
        pos = positions.get(id(node))
        if type(node) is dict:
            for k, v in node.items():
                out[path + (k,)] = pos[k]
                walk(v, path + (k,))
        elif type(node) is list:
            for i, v in enumerate(node):
                out[path + (i,)] = pos[i]
                walk(v, path + (i,))

    walk(parsed.data, ())
    return out


def assert_same_as_full(parsed, text: str) -> None:
    full = parse_text(text)
    assert parsed.text == text
    assert parsed.data == full.data
    assert all_positions(parsed) == all_positions(full)
    assert parsed.source_map.lines.starts == full.source_map.lines.starts
    assert parsed.source_map.root_span == full.source_map.root_span


def edit_at(text: str, marker: str, offset: int, insert: str, delete: int = 0) -> TextEdit:
    i = text.index(marker) + offset
    return TextEdit(i, i + delete, insert)


@pytest.mark.parametrize(
    "marker, offset, insert, delete, region",
    [
        ("List pets", 4, "all ", 0, ("paths", "/pets", "get", "summary")),
        ("Lists every", 6, "single ", 0, ("paths", "/pets", "get", "description")),
        ("How many", 0, "", 4, ("paths", "/pets", "get", "parameters", 0, "description")),
        ("type: integer", 6, "number\n            format: int32", 7, ("paths", "/pets", "get", "parameters", 0, "schema")),
        ("One pet", 3, "\n      description: added", 4, ("paths", "/pets/{id}", "get")),
        ("type: object", 6, "obj", 6, ("components", "schemas", "Pet", "type")),
        ("Demo", 4, "s", 0, ("info", "title")),
    ],
)
def test_edit_inside_a_member_is_reparsed_alone(marker, offset, insert, delete, region):
    parsed = parse_text(DOC)
    shifting_source_map(parsed)
    parsed.source_map.lines  # noqa: B018 - built, so that it is updated rather than rebuilt
    edit = edit_at(DOC, marker, offset, insert, delete)
    new_text = edit.apply(DOC)
    splice = reparse(parsed, edit)
    assert splice is not None
    assert splice.path[: len(region)] == region
    assert_same_as_full(parsed, new_text)


@pytest.mark.parametrize(
    "marker, offset, insert, delete",
    [
        ("summary: List", 1, "X", 0),            # the key changes
        ("    get:\n      summary: List", 0, " ", 0),  # indentation of a key line
        ("  /pets/{id}", 0, "  /cats:\n    get: {}\n", 0),  # a key added at the region's level
        ("name: {type", 15, " ", 0),               # inside a flow mapping... on its own line it is fine,
        ("List pets", 0, "[unclosed", 0),          # a syntax error
        ("List pets", 0, "&anchor ", 0),           # anchors are never re-parsed alone
    ],
)
def test_structural_edits_fall_back(marker, offset, insert, delete):
    parsed = parse_text(DOC)
    edit = edit_at(DOC, marker, offset, insert, delete)
    splice = reparse(parsed, edit)
    if splice is not None:  # allowed only when the result is exactly a full parse's
        assert_same_as_full(parsed, edit.apply(DOC))
    elif marker in ("summary: List", "  /pets/{id}", "List pets"):
        assert parsed.text == DOC  # untouched on refusal


def test_json_is_reparsed_by_the_json_reparser():
    """JSON goes to incremental_json.reparse_json (tests/test_incremental_json.py): a key renamed
    inside `info` re-parses info's value."""
    text = '{"openapi": "3.0.0", "info": {"title": "x", "version": "1"}}'
    parsed = parse_text(text)
    splice = reparse(parsed, TextEdit(33, 33, "y"))
    assert splice is not None and splice.path == ("info",)
    assert parsed.data["info"] == {"tiytle": "x", "version": "1"}


def test_an_alias_elsewhere_blocks_reparsing_its_anchor():
    text = "a:\n  b: &x\n    c: 1\nd:\n  e: *x\n"
    parsed = parse_text(text)
    i = text.index("c: 1") + 3
    assert reparse(parsed, TextEdit(i, i + 1, "2")) is None


def test_many_edits_in_a_row_keep_positions_exact():
    """Typing into random values, with lazily shifted positions read only now and then."""
    rng = random.Random(7)
    parsed = parse_text(DOC)
    shifting_source_map(parsed)
    parsed.source_map.lines  # noqa: B018
    text = DOC
    done = 0
    for step in range(120):
        lines = [i for i, line in enumerate(text.splitlines(keepends=True)) if ": " in line and "{" not in line]
        starts = LineIndex(text).starts
        n = rng.choice(lines)
        line_start = starts[n]
        line = text[line_start:].split("\n", 1)[0]
        col = line.index(": ") + 2 + rng.randrange(max(1, len(line) - line.index(": ") - 2))
        i = line_start + min(col, len(line))
        edit = TextEdit(i, i, rng.choice(["a", "bc", " d"])) if rng.random() < 0.7 else TextEdit(i, min(i + 1, line_start + len(line)), "")
        new_text = edit.apply(text)
        if not parse_text(new_text).ok or parse_text(new_text).problems:
            continue
        if reparse(parsed, edit) is None:
            parsed = parse_text(new_text)
            shifting_source_map(parsed)
            parsed.source_map.lines  # noqa: B018
        else:
            done += 1
        text = new_text
        if step % 10 == 0:
            assert_same_as_full(parsed, text)
    assert_same_as_full(parsed, text)
    assert done > 30


def test_diff_edit_finds_the_changed_span():
    rng = random.Random(3)
    for _ in range(2000):
        old = "".join(rng.choice("ab\n") for _ in range(rng.randrange(30)))
        s = rng.randrange(len(old) + 1)
        e = rng.randrange(s, len(old) + 1)
        new = old[:s] + "".join(rng.choice("ab") for _ in range(rng.randrange(4))) + old[e:]
        edit = diff_edit(old, new)
        assert (edit is None) == (old == new)
        if edit is not None:
            assert edit.apply(old) == new
    big = "x" * 100_000
    assert diff_edit(big, big[:50_000] + "y" + big[50_000:]) == TextEdit(50_000, 50_000, "y")


def test_line_index_update_matches_a_rescan():
    rng = random.Random(11)
    for _ in range(500):
        old = "".join(rng.choice("a\n\r") for _ in range(rng.randrange(1, 25)))
        s = rng.randrange(len(old) + 1)
        e = rng.randrange(s, len(old) + 1)
        edit = TextEdit(s, e, "".join(rng.choice("b\n\r") for _ in range(rng.randrange(4))))
        new = edit.apply(old)
        assert updated_lines(LineIndex(old), new, edit).starts == LineIndex(new).starts, (old, edit)


def test_shifting_lines_after_many_edits_match_a_rescan():
    """ShiftingLines keeps per-edit shifts pending (folded now and then): after every edit of a
    sequence, every offset, line and the plain list agree with a LineIndex of the new text."""
    rng = random.Random(7)
    for trial in range(150):
        text = "".join(rng.choice(["a", "bc", "\n", "\r\n", "\r"]) for _ in range(rng.randrange(0, 40)))
        lines = ShiftingLines.of(LineIndex(text))
        for _ in range(30):
            s = rng.randrange(len(text) + 1)
            e = rng.randrange(s, min(len(text), s + 5) + 1)
            edit = TextEdit(s, e, "".join(rng.choice(["q", "\n", "\r", "\r\n"]) for _ in range(rng.randrange(4))))
            old, before = lines, LineIndex(text)
            text = edit.apply(text)
            lines = lines.edited(text, edit)
            want = LineIndex(text)
            assert [lines.position(o) for o in range(len(text) + 1)] == [want.position(o) for o in range(len(text) + 1)]
            assert [lines.line_text(n) for n in range(want.line_count + 1)] == [want.line_text(n) for n in range(want.line_count + 1)]
            assert [lines.offset(n, 1) for n in range(want.line_count + 1)] == [want.offset(n, 1) for n in range(want.line_count + 1)]
            assert lines.line_count == want.line_count
            # the index of the text before the edit still answers for that text
            assert [old.position(o) for o in range(len(before.text) + 1)] == [before.position(o) for o in range(len(before.text) + 1)]
        assert lines.starts == LineIndex(text).starts, trial


def test_shifting_positions_shift_on_read_only():
    pos = ShiftingPositions({1: {"a": (0, 1, 3, 4)}, 2: [(10, 12)]})
    pos.record(5, 3)  # offsets >= 5 move by 3
    assert dict.__getitem__(pos, 2) == [(10, 12)]  # not touched yet
    assert pos.get(2) == [(13, 15)]
    assert pos[1] == {"a": (0, 1, 3, 4)}
    pos.record(0, -1)
    assert pos.get(2) == [(12, 14)]
    assert pos.get(1) == {"a": (-1, 0, 2, 3)}


def test_shifting_positions_across_epochs_equal_shifting_every_entry_at_every_edit(monkeypatch):
    """Entries written at any generation and read at any later one (many epochs apart) get the
    same offsets as entries shifted eagerly by every edit, insertions and deletions alike."""
    import random

    from apigov_ls.document import incremental

    monkeypatch.setattr(incremental, "MAX_LOG", 5)  # many epochs in a short run
    rng = random.Random(7)
    for trial in range(40):
        pos = ShiftingPositions({})
        eager: dict = {}
        size = 200
        for step in range(rng.randrange(1, 60)):
            action = rng.random()
            if action < 0.25:  # write an entry in the current coordinates
                key = rng.randrange(12)
                entry = [tuple(sorted(rng.randrange(size + 1) for _ in range(2)))]
                pos[key] = entry
                eager[key] = entry
            elif action < 0.45 and eager:  # read one (it is then stored shifted, at this generation)
                key = rng.choice(list(eager))
                assert pos[key] == eager[key], (trial, step)
            else:  # an edit: replace [start, end) by `inserted` characters
                start = rng.randrange(size + 1)
                end = min(size, start + rng.randrange(0, 6))
                inserted = rng.randrange(0, 6)
                delta = inserted - (end - start)
                pos.record(end, delta)
                eager = {k: [tuple(o + delta if o >= end else o for o in e) for e in v] for k, v in eager.items()}
                size += delta
        assert {k: pos[k] for k in eager} == eager, trial
