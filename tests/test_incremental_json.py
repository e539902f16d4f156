"""Incremental re-parsing and re-checking of JSON descriptions equals a from-scratch parse / lint.

The re-parser (apigov_ls/document/incremental_json.py) must give the data, every position, the
line starts and the root span of a full `parse_text` of the new text; the IncrementalLinter must
give `lint_file`'s results after every edit (hypothesis replays of typing, deleting, adding and
removing members, breaking and repairing syntax, retargeting $refs on corpus documents).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apigov_ls.document.incremental import TextEdit, reparse, shifting_source_map
from apigov_ls.document.incremental_json import reparse_json
from apigov_ls.document.jsonpos import read_json_with_positions
from apigov_ls.document.parse import MAX_DEPTH, ParseProblem, parse_text
from apigov_ls.document.sourcemap import SourceMap
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.incremental import IncrementalLinter
from apigov_ls.lint import lint_file

from test_incremental_lint import assert_same_as_full as assert_lint_same_as_full
from test_incremental_parse import all_positions, assert_same_as_full

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found beside the repository")

RULESET = load_ruleset("spectral:oas")
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
#: how the replayed edits were checked, over the whole module
MODES: Counter = Counter()

DOC = """{
  "openapi": "3.0.3",
  "info": {"title": "Demo \\u00e9t\\u00e9", "version": "1", "x-empty": {}, "x-list": []},
  "paths": {
    "/pets": {
      "get": {
        "summary": "List pets",
        "description": "Lists every pet.\\nSecond line \\"quoted\\" \\/ slash",
        "parameters": [
          {"name": "limit", "in": "query", "description": "How many",
           "schema": {"type": "integer", "minimum": 1.0, "maximum": 1e5, "default": -3}}
        ],
        "x-matrix": [[1, 2], [], [[true, false, null]]],
        "responses": {"200": {"description": "ok \\u2603 \u00fc\U0001F600"}}
      }
    }
  },
  "components": {
  \t"schemas": {
      "Pet": {"type": "object", "properties": {"name": {"type": "string"}, "tag": {"type": "string"}}}
    }
  }
}
"""


def fresh(text: str):
    parsed = parse_text(text)
    assert parsed.syntax == "json" and not parsed.problems
    shifting_source_map(parsed)
    parsed.source_map.lines  # noqa: B018 - built, so that it is updated rather than rebuilt
    return parsed


def edit_at(text: str, marker: str, offset: int, insert: str, delete: int = 0) -> TextEdit:
    i = text.index(marker) + offset
    return TextEdit(i, i + delete, insert)


# -- the re-parser ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "marker, offset, insert, delete, path",
    [
        ("List pets", 4, "all ", 0, ("paths", "/pets", "get", "summary")),
        ("Lists every", 0, "", 6, ("paths", "/pets", "get", "description")),
        ("Second line", 0, "\\u00e9\\u2603 ", 0, ("paths", "/pets", "get", "description")),  # escapes
        ("Demo", 4, " \\u00fc", 0, ("info", "title")),
        ('"x-empty": {}', 12, '"a": 1', 0, ("info", "x-empty")),          # an empty object filled
        ('"x-list": []', 11, "1.0, 1e5, -0, 2E-3", 0, ("info", "x-list")),  # numbers in an empty array
        ("1.0,", 0, "2.50", 3, ("paths", "/pets", "get", "parameters", 0, "schema", "minimum")),
        ("1e5", 1, "E+", 1, ("paths", "/pets", "get", "parameters", 0, "schema", "maximum")),
        ("-3", 0, "", 1, ("paths", "/pets", "get", "parameters", 0, "schema", "default")),
        ("[[true", 2, "false, ", 0, ("paths", "/pets", "get", "x-matrix")),  # nested arrays
        ("[1, 2]", 1, "", 3, ("paths", "/pets", "get", "x-matrix")),
        ('"string"}, "tag"', 1, "integer", 6, ("components", "schemas", "Pet", "properties", "name", "type")),
        ('"string"}, "tag"', 0, '["string", "null"]', 8, ("components", "schemas", "Pet", "properties", "name", "type")),
        ('"ok ', 1, "not ", 0, ("paths", "/pets", "get", "responses", "200", "description")),
        ("\U0001F600", 1, " after emoji", 0, ("paths", "/pets", "get", "responses", "200", "description")),
        # a member added, removed or renamed: the enclosing object's value is re-parsed
        ('"summary"', 0, '"operationId": "listPets",\n        ', 0, ("paths", "/pets", "get")),
        ('"in": "query", ', 0, "", len('"in": "query", '), ("paths", "/pets", "get", "parameters")),
        ('"tag": {', 1, "x-", 0, ("components", "schemas", "Pet", "properties")),
        ('"version": "1"', 14, ', "x-more": {"a": [1, {"b": null}]}', 0, ("info",)),
        ("List pets", 0, "", 0 + len('List pets'), ("paths", "/pets", "get", "summary")),  # emptied
    ],
)
def test_an_edit_inside_a_value_is_reparsed_alone(marker, offset, insert, delete, path):
    parsed = fresh(DOC)
    edit = edit_at(DOC, marker, offset, insert, delete)
    splice = reparse_json(parsed, edit)
    assert splice is not None
    assert splice.path == path
    assert_same_as_full(parsed, edit.apply(DOC))


def test_reparse_dispatches_json_to_the_json_reparser():
    parsed = fresh(DOC)
    edit = edit_at(DOC, "List pets", 0, "x")
    splice = reparse(parsed, edit)
    assert splice is not None and splice.path == ("paths", "/pets", "get", "summary")
    assert_same_as_full(parsed, edit.apply(DOC))


def test_an_integer_past_pythons_digit_limit_is_reparsed_as_the_full_parse_reads_it():
    """json.loads refused to convert it (a ValueError); both parses now read it as JavaScript does."""
    parsed = fresh(DOC)
    edit = edit_at(DOC, "1e5", 0, "1" * 5000, 3)
    assert reparse(parsed, edit) is not None
    assert_same_as_full(parsed, edit.apply(DOC))


@pytest.mark.parametrize(
    "marker, offset, insert, delete",
    [
        ("List pets", 0, '"', 0),                        # a syntax error
        ("1.0,", 0, "NaN", 3),                          # json.loads reads NaN, libyaml a string
        ('"in": "query"', 0, '"name": "x", ', 0),       # a duplicate key
        ('"openapi"', 1, "x", 0),                        # a root key: no member holds it
        ('"info"', -3, " ", 0),                          # between root members
        ("List pets", 0, "\\ud83d\\ude00", 0),          # libyaml refuses surrogate escapes
        ("List pets", 0, "\x85", 0),                     # nor does it take a raw NEL in a string
    ],
)
def test_edits_a_value_cannot_prove_fall_back(marker, offset, insert, delete):
    parsed = fresh(DOC)
    edit = edit_at(DOC, marker, offset, insert, delete)
    assert reparse_json(parsed, edit) is None
    assert parsed.text == DOC  # untouched on refusal


def test_a_document_read_by_the_fallback_reader_stays_exact():
    """libyaml refuses surrogate escapes, so the whole text is read by jsonpos: an edit elsewhere
    is re-parsed with libyaml (same positions); an edit removing the escape is not (the full
    parse switches reader)."""
    text = DOC.replace("Second line", "\\ud83d\\udc4d line")
    parsed = fresh(text)
    edit = edit_at(text, "List pets", 0, "x")
    assert reparse_json(parsed, edit) is not None
    text = edit.apply(text)
    assert_same_as_full(parsed, text)
    edit = edit_at(text, "\\ud83d\\udc4d", 0, "", len("\\ud83d\\udc4d"))
    assert reparse_json(parsed, edit) is None


def test_crlf_and_tabs_keep_positions_exact():
    text = DOC.replace("\n", "\r\n").replace('  "paths"', '\t"paths"')
    parsed = fresh(text)
    # typing in a string, a tab between members (the object around them is re-parsed), a new line
    for marker, insert in (("List pets", "a"), ('"summary"', "\t"), ("Demo", "b"), ('"tag"', "\r\n")):
        edit = edit_at(text, marker, 0, insert)
        assert reparse_json(parsed, edit) is not None, marker
        text = edit.apply(text)
        assert_same_as_full(parsed, text)


def test_random_edits_in_a_row_keep_everything_exact():
    """Random one-character edits anywhere; whenever the new text parses cleanly the re-parser
    either refuses or gives exactly the full parse, with lazily shifted positions read now and then."""
    rng = random.Random(5)
    text = DOC
    parsed = fresh(text)
    done = refused = 0
    for step in range(400):
        i = rng.randrange(len(text))
        edit = TextEdit(i, i + rng.choice([0, 0, 1, 2]), rng.choice(["a", "1", " ", '"', ",", "{}", "[1, 2.0]", "\\u00e9", ""]))
        new_text = edit.apply(text)
        full = parse_text(new_text)
        if not full.ok or full.problems:
            continue
        if reparse_json(parsed, edit, new_text) is None:
            refused += 1
            parsed = fresh(new_text)
        else:
            done += 1
            if step % 7 == 0:
                assert_same_as_full(parsed, new_text)
        text = new_text
    assert_same_as_full(parsed, text)
    assert done > 100 and done > 5 * refused, (done, refused)


def _jsonpos_parse(text: str):
    sm = SourceMap(text)
    data = read_json_with_positions(text, sm, [], MAX_DEPTH, ParseProblem)

    class Parsed:
        pass

    out = Parsed()
    out.data, out.source_map = data, sm
    return out


def test_the_fallback_reader_and_libyaml_agree_on_tricky_json():
    """The re-parser composes with libyaml where a full parse of the whole text may use jsonpos:
    both must give the same data and positions for texts libyaml accepts."""
    for text in (DOC, DOC.replace("\n", "\r\n"), '{"a": [1.0, 1e5, -0, 0.5E-3, 12345678901234567890], "b": {"": ""}}'):
        full, other = parse_text(text), _jsonpos_parse(text)
        assert other.data == full.data and json.loads(text) == full.data
        assert all_positions(other) == all_positions(full)
        assert other.source_map.root_span == full.source_map.root_span


@needs_corpus
@pytest.mark.parametrize("name", ["oai/v3.0/api-with-examples.json", "oai/v2.0/json/petstore-with-external-docs.json",
                                  "box/openapi-v2026.0.json", "vacuum-testfiles/xsoar.json"])
def test_the_fallback_reader_and_libyaml_agree_on_corpus_documents(name):
    text = (CORPUS / name).read_text(encoding="utf-8")
    full, other = parse_text(text), _jsonpos_parse(text)
    assert other.data == full.data
    assert all_positions(other) == all_positions(full)


# -- the linter -------------------------------------------------------------------------------------
SMALL = "oai/v3.0/api-with-examples.json"
MEDIUM = "twilio/json/twilio_verify_v2.json"


@needs_corpus
@pytest.mark.parametrize("name", [SMALL, MEDIUM, "box/openapi-v2025.0.json"])
def test_typing_in_descriptions_of_corpus_documents_is_incremental(name):
    path = CORPUS / name
    linter = IncrementalLinter(str(path), RULESET, text=path.read_text(encoding="utf-8"))
    assert linter.counts == Counter(full=1)
    count = len(re.findall(r'"description": "', linter.text))
    for n in range(0, count, max(1, count // 4))[:4]:
        at = [m.end() for m in re.finditer(r'"description": "', linter.text)][n]
        results = None
        for k, ch in enumerate(" <script>"):  # a script tag is a finding of spectral:oas
            results = linter.update([TextEdit(at + k, at + k, ch)])
            assert linter.last_mode == "incremental", (n, k)
        assert_lint_same_as_full(linter, results)


def test_a_json_syntax_error_is_reported_and_its_repair_is_incremental(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(DOC)
    linter = IncrementalLinter(str(path), RULESET, text=DOC)
    i = DOC.index("List pets")
    broken = linter.update([TextEdit(i, i, '"')])
    assert linter.last_mode == "full"
    assert [r.code for r in broken] == ["parser-syntax"]
    repaired = linter.update([TextEdit(i, i + 1, "")])
    assert linter.last_mode in ("incremental", "unchanged")
    assert_lint_same_as_full(linter, repaired)


def test_an_operation_id_added_in_json_is_incremental_and_found(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(DOC)
    linter = IncrementalLinter(str(path), RULESET, text=DOC)
    assert [r for r in linter.results if r.code == "operation-operationId"]
    i = DOC.index('"summary"')
    results = linter.update([TextEdit(i, i, '"operationId": "listPets", ')])
    assert linter.last_mode == "incremental"
    assert not [r for r in results if r.code == "operation-operationId"]
    assert_lint_same_as_full(linter, results)


def test_x_lint_ignore_typed_in_json_is_counted(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(DOC)
    linter = IncrementalLinter(str(path), RULESET, text=DOC)
    assert [r for r in linter.results if r.code == "operation-operationId"]
    i = DOC.index('"summary"')
    results = linter.update([TextEdit(i, i, '"x-lint-ignore": "operation-operationId", ')])
    assert linter.last_mode == "incremental"
    assert not [r for r in results if r.code == "operation-operationId"]
    assert_lint_same_as_full(linter, results)


# -- hypothesis replays -------------------------------------------------------------------------------
_STRING_VALUE = re.compile(r'": "((?:[^"\\\n]|\\.)*)"')
_NUMBER_VALUE = re.compile(r'": (-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)')
_OPEN_OBJECT = re.compile(r'\{\s*(?=")')
_SIMPLE_MEMBER = re.compile(r'"[^"\\\n]*": (?:"(?:[^"\\\n]|\\.)*"|-?[0-9.]+|true|false|null),\s*')
_REF = re.compile(r'"\$ref": "#/[^"]*')


def _pick(matches: list, data, label: str):
    return matches[data.draw(st.integers(0, len(matches) - 1), label=label)] if matches else None


def next_edits(text: str, data) -> list[TextEdit]:
    kind = data.draw(st.sampled_from(["type", "type", "type", "delete", "number", "add", "remove", "break", "ref"]), label="kind")
    if kind in ("type", "delete"):
        m = _pick(list(_STRING_VALUE.finditer(text)), data, "string")
        if m is None:
            return []
        pos = data.draw(st.integers(m.start(1), m.end(1)), label="column")
        if kind == "type":
            return [TextEdit(pos, pos, data.draw(st.sampled_from(["x", "abc", " new", "\\u00e9", "\\n", "é", "<script>"]), label="typed"))]
        return [TextEdit(pos, min(m.end(1), pos + data.draw(st.integers(1, 3), label="length")), "")]
    if kind == "number":
        m = _pick(list(_NUMBER_VALUE.finditer(text)), data, "number")
        if m is None:
            return []
        return [TextEdit(m.start(1), m.end(1), data.draw(st.sampled_from(["0", "1.0", "1e5", "-3", "2.50", "7"]), label="new number"))]
    if kind == "add":
        m = _pick(list(_OPEN_OBJECT.finditer(text)), data, "object")
        if m is None:
            return []
        return [TextEdit(m.end(), m.end(), f'"x-added-{data.draw(st.integers(0, 9), label="n")}": "v", ')]
    if kind == "remove":
        m = _pick(list(_SIMPLE_MEMBER.finditer(text)), data, "member")
        return [] if m is None else [TextEdit(m.start(), m.end(), "")]
    if kind == "break":
        pos = data.draw(st.integers(0, len(text) - 1), label="break at")
        ch = data.draw(st.sampled_from([",", '"', "{", "]", ":"]), label="break with")
        return [TextEdit(pos, pos, ch), TextEdit(pos, pos + 1, "")]
    m = _pick(list(_REF.finditer(text)), data, "ref")
    if m is None:
        return []
    undo = data.draw(st.booleans(), label="undo")
    return [TextEdit(m.end(), m.end(), "Z"), TextEdit(m.end(), m.end() + 1, "")] if undo else [TextEdit(m.end(), m.end(), "Z")]


def replay(path: Path, text: str, data, steps: int) -> None:
    linter = IncrementalLinter(str(path), RULESET, text=text)
    assert_lint_same_as_full(linter, linter.results)
    for _ in range(steps):
        for edit in next_edits(linter.text, data):
            results = linter.update([edit])
            assert_lint_same_as_full(linter, results)
            MODES[linter.last_mode] += 1


@needs_corpus
@pytest.mark.parametrize("name", [SMALL, "oai/v2.0/json/petstore-with-external-docs.json", "box/openapi-v2026.0.json"])
@settings(max_examples=6, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_on_corpus_documents(name, data):
    path = CORPUS / name
    replay(path, path.read_text(encoding="utf-8"), data, steps=6)


@needs_corpus
@settings(max_examples=2, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_on_a_medium_document(data):
    path = CORPUS / MEDIUM
    replay(path, path.read_text(encoding="utf-8"), data, steps=3)


@settings(max_examples=10, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_on_a_made_up_document(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("json") / "doc.json"
    path.write_text(DOC)
    replay(path, DOC, data, steps=6)


def test_the_replays_were_mostly_incremental():
    """The property tests above must exercise the incremental path, not only full checks."""
    if not MODES:
        pytest.skip("run with the replay tests")
    print(dict(MODES))
    assert MODES["incremental"] >= 2 * MODES["full"], MODES


def _fixes_by_result(results, document) -> dict:
    from apigov_ls.fixes.registry import fixes_for
    from apigov_ls.suppress import ignore_fix

    from test_incremental_lint import result_key

    out = {}
    for r in results:
        fixes = fixes_for(r, document) + [f for f in [ignore_fix(r, document)] if f is not None]
        out[result_key(r)] = sorted((f.title, tuple((e.start_offset, e.end_offset, e.new_text) for e in f.edits)) for f in fixes)
    return out


def test_fixes_after_incremental_json_edits_equal_fixes_on_a_fresh_document(tmp_path):
    """Fix editors read the positions and lines the re-parser shifted and spliced."""
    path = tmp_path / "doc.json"
    path.write_text(DOC)
    linter = IncrementalLinter(str(path), RULESET, text=DOC)
    for marker, insert in (("List pets", "All "), ('"summary"', '"tags": ["pets"], '), ("How many", "<script>"), ("Demo", " x")):
        i = linter.text.index(marker)
        results = linter.update([TextEdit(i, i, insert)])
        assert linter.last_mode == "incremental", marker
    report = lint_file(str(path), RULESET, text=linter.text)
    got, want = _fixes_by_result(results, linter.document), _fixes_by_result(report.results, report.document)
    assert got == want
    assert any(fixes for fixes in got.values())


@pytest.mark.parametrize("marker, offset, insert, delete, what", [
    ('"/pets": {', 0, '"/cats": {"get": {"responses": {"200": {"description": "ok"}}}}, ', 0, "a path added"),
    ('"/pets": {', 1, "x", 0, "a path renamed"),
    ('"Pet": {', 0, '"Cat": {"type": "string"},\n      ', 0, "a schema added"),
    ('"Pet": {', 0, " ", 0, "white space between components"),
])
def test_members_of_spine_objects_added_or_renamed(tmp_path, marker, offset, insert, delete, what):
    """A spine object (`paths`, `components.schemas`) re-parsed whole: the Splice names the keys
    removed, added and re-parsed, and the linter re-checks those regions."""
    path = tmp_path / "doc.json"
    path.write_text(DOC)
    linter = IncrementalLinter(str(path), RULESET, text=DOC)
    edit = edit_at(DOC, marker, offset, insert, delete)
    parsed = fresh(DOC)
    splice = reparse_json(parsed, edit)
    assert splice is not None and splice.path in (("paths",), ("components", "schemas")), what
    assert set(splice.removed) | set(splice.replaced) == set(splice.old)
    assert set(splice.added) | set(splice.replaced) == set(splice.new)
    results = linter.update([edit])
    assert linter.last_mode == "incremental", what
    assert_lint_same_as_full(linter, results)
    MODES[linter.last_mode] += 1
