"""Structural edits (renamed keys, pasted, deleted and restored members) are re-checked
incrementally, with the same results as a from-scratch lint_file of the same text.

Each case runs on a real corpus document and asserts both the mode and the results; a
hypothesis replay mixes renames, pastes, deletes and undos with typing.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from apigov_ls.document.incremental import TextEdit
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.incremental import IncrementalLinter
from apigov_ls.lint import lint_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_incremental_lint import _type_or_delete, result_key  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found beside the repository")
RULESETS = {name: load_ruleset(name) for name in ("spectral:oas", "apigov:recommended")}
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
MODES: Counter = Counter()


def assert_same_as_full(linter: IncrementalLinter, results, ruleset) -> None:
    expected = lint_file(linter.path, ruleset, text=linter.text).results
    # the full tuples, in order: results come out in document order like a full check
    assert [result_key(r) for r in results] == [result_key(r) for r in expected], {
        "only incremental": list(Counter(map(result_key, results)) - Counter(map(result_key, expected)))[:5],
        "only full": list(Counter(map(result_key, expected)) - Counter(map(result_key, results)))[:5],
        "mode": linter.last_mode}


def block(text: str, key_line_start: int) -> tuple[int, int]:
    """The member starting at a key line: that line and the more indented lines below it."""
    indent = len(text[key_line_start:]) - len(text[key_line_start:].lstrip(" "))
    end = text.find("\n", key_line_start) + 1
    while 0 < end < len(text):
        nl = text.find("\n", end)
        line = text[end: len(text) if nl < 0 else nl]
        if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
            break
        end = len(text) if nl < 0 else nl + 1
    return key_line_start, end


def key_line(text: str, pattern: str, nth: int = 0) -> re.Match:
    return list(re.finditer(pattern, text, re.M))[nth]


def edit_and_check(linter, ruleset, edit: TextEdit, mode: str = "incremental") -> None:
    results = linter.update([edit])
    assert linter.last_mode == mode
    assert_same_as_full(linter, results, ruleset)


# path keys, component/definition names: the region keys of each layout
PATH_KEY = r"^  (/[^:\n]*):[ ]*$"
SCHEMA_KEY = r"^    ([A-Za-z][\w.-]*):[ ]*$"
DEFINITION_KEY = r"^  ([A-Za-z][\w.-]*):[ ]*$"

CASES = [
    ("redocly/museum.yaml", "apigov:recommended", "components:", SCHEMA_KEY),
    ("vacuum-testfiles/pegel-online-api.yaml", "spectral:oas", "components:", SCHEMA_KEY),
    ("oai/v2.0/yaml/uber.yaml", "spectral:oas", "definitions:", DEFINITION_KEY),
]


def _in_section(text: str, section: str, pattern: str, nth: int) -> re.Match:
    start = text.index("\n" + section) + 1
    return [m for m in re.finditer(pattern, text, re.M) if m.start() > start][nth]


@needs_corpus
@pytest.mark.parametrize("name,ruleset_name,section,component_key", CASES)
def test_each_structural_kind_is_incremental_and_equal_to_lint_file(name, ruleset_name, section, component_key):
    ruleset = RULESETS[ruleset_name]
    path = CORPUS / name
    linter = IncrementalLinter(str(path), ruleset, text=path.read_text(encoding="utf-8"))
    # rename a path key
    m = key_line(linter.text, PATH_KEY, 1)
    edit_and_check(linter, ruleset, TextEdit(m.end(1), m.end(1), "/renamed"))
    # delete a whole path item, then undo the delete
    m = key_line(linter.text, PATH_KEY, 0)
    start, end = block(linter.text, m.start())
    removed = linter.text[start:end]
    edit_and_check(linter, ruleset, TextEdit(start, end, ""))
    edit_and_check(linter, ruleset, TextEdit(start, start, removed))
    # paste a new component schema before the first one, then delete it
    m = _in_section(linter.text, section, component_key, 0)
    indent = " " * (len(m.group(0)) - len(m.group(0).lstrip(" ")))
    pasted = "".join(f"{indent}{row}\n" for row in ["Pasted:", "  type: object", "  properties:", "    id:", "      type: string"])
    edit_and_check(linter, ruleset, TextEdit(m.start(), m.start(), pasted))
    edit_and_check(linter, ruleset, TextEdit(m.start(), m.start() + len(pasted), ""))
    # delete a component, then undo
    m = _in_section(linter.text, section, component_key, 1)
    start, end = block(linter.text, m.start())
    removed = linter.text[start:end]
    edit_and_check(linter, ruleset, TextEdit(start, end, ""))
    edit_and_check(linter, ruleset, TextEdit(start, start, removed))


DOC = """\
openapi: 3.0.3
info:
  title: Structural
  version: "1"
paths:
  /a:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Used'
  /b/:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
components:
  schemas:
    Used:
      type: object
      description: |+
        keeps trailing lines

    Other:
      type: string
"""


@pytest.fixture
def doc_linter(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(DOC)
    return IncrementalLinter(str(path), RULESETS["spectral:oas"], text=DOC)


def test_renaming_a_referenced_component_reports_the_ref_and_renaming_back_clears_it(doc_linter):
    ruleset = RULESETS["spectral:oas"]
    i = doc_linter.text.index("    Used:") + 4
    edit_and_check(doc_linter, ruleset, TextEdit(i, i + 4, "Gone"))
    assert any(r.code == "invalid-ref" for r in doc_linter.results)
    edit_and_check(doc_linter, ruleset, TextEdit(i, i + 4, "Used"))
    assert not any(r.code == "invalid-ref" for r in doc_linter.results)


def test_renaming_a_path_to_an_existing_key_reports_the_duplicate(doc_linter):
    ruleset = RULESETS["spectral:oas"]
    i = doc_linter.text.index("  /b/:") + 2
    edit_and_check(doc_linter, ruleset, TextEdit(i, i + 3, "/a"), mode="full")
    assert any(r.code == "parser-duplicate-keys" for r in doc_linter.results)


def test_pasting_two_members_at_once_and_at_the_end_of_the_file(doc_linter):
    ruleset = RULESETS["spectral:oas"]
    i = doc_linter.text.index("  /b/:")
    two = "  /c:\n    get:\n      responses: {}\n  /d/:\n    post:\n      operationId: getA\n      responses: {}\n"
    edit_and_check(doc_linter, ruleset, TextEdit(i, i, two))
    n = len(doc_linter.text)
    edit_and_check(doc_linter, ruleset, TextEdit(n, n, "    Last:\n      type: integer\n"))
    n = len(doc_linter.text)
    edit_and_check(doc_linter, ruleset, TextEdit(n, n, "x-end: true\n"))


def test_deleting_the_last_member_of_a_map_equals_lint_file(doc_linter):
    ruleset = RULESETS["spectral:oas"]
    start = doc_linter.text.index("    Other:")
    edit_and_check(doc_linter, ruleset, TextEdit(start, len(doc_linter.text), ""))
    start = doc_linter.text.index("    Used:")
    results = doc_linter.update([TextEdit(start, len(doc_linter.text), "")])  # schemas becomes null
    assert_same_as_full(doc_linter, results, ruleset)


@needs_corpus
def test_deleting_the_only_operation_of_a_path_and_undoing_it():
    ruleset = RULESETS["spectral:oas"]
    path = CORPUS / "oai/v2.0/yaml/uber.yaml"
    linter = IncrementalLinter(str(path), ruleset, text=path.read_text(encoding="utf-8"))
    item = linter.text.index("  /estimates/price:\n")
    start, end = block(linter.text, linter.text.index("\n", item) + 1)
    removed = linter.text[start:end]
    edit_and_check(linter, ruleset, TextEdit(start, end, ""))
    assert linter.document.root.data["paths"]["/estimates/price"] is None
    edit_and_check(linter, ruleset, TextEdit(start, start, removed))


def test_a_line_inserted_after_a_keep_block_scalar_changes_it(doc_linter):
    ruleset = RULESETS["spectral:oas"]
    i = doc_linter.text.index("    Other:")
    edit_and_check(doc_linter, ruleset, TextEdit(i, i, "\n"))
    assert doc_linter.document.root.data["components"]["schemas"]["Used"]["description"].endswith("\n\n\n")


# -- random sequences -------------------------------------------------------------------------------
_ANY_KEY = re.compile(r"(?m)^( *)([A-Za-z/'\"][^:\n#]*):[ ]*$")


def _structural(text: str, data, undo: list) -> list[TextEdit]:
    kind = data.draw(st.sampled_from(["rename", "paste", "delete", "undo", "type"]), label="kind")
    keys = list(_ANY_KEY.finditer(text))
    if kind == "type" or not keys:
        return _type_or_delete(text, data, True)
    if kind == "undo":
        return [undo.pop()] if undo else []
    m = keys[data.draw(st.integers(0, len(keys) - 1), label="key")]
    start, end = block(text, m.start())
    if kind == "rename":
        at = m.end(2) - (1 if m.group(2)[-1] in "'\"" else 0)
        return [TextEdit(at, at, data.draw(st.sampled_from(["X", "/x", "_2"]), label="suffix"))]
    if kind == "delete":
        undo.append(TextEdit(start, start, text[start:end]))
        return [TextEdit(start, end, "")]
    copy = text[start:end].replace(m.group(2) + ":", m.group(2).rstrip("'\"") + "Copy" + str(data.draw(st.integers(0, 9), label="n")) + (m.group(2)[-1] if m.group(2)[-1] in "'\"" else "") + ":", 1)
    at = data.draw(st.sampled_from([start, end]), label="where")
    return [TextEdit(at, at, copy if copy.endswith("\n") else copy + "\n")]


@needs_corpus
@pytest.mark.parametrize("name", ["redocly/museum.yaml", "oai/v2.0/yaml/uber.yaml"])
@settings(max_examples=5, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.generate])  # shrinking a replay takes minutes
@given(data=st.data())
def test_random_structural_sequences_equal_lint_file(name, data):
    ruleset = RULESETS["spectral:oas"]
    path = CORPUS / name
    linter = IncrementalLinter(str(path), ruleset, text=path.read_text(encoding="utf-8"))
    undo: list = []
    for _ in range(6):
        for edit in _structural(linter.text, data, undo):
            if edit.end > len(linter.text):
                continue
            results = linter.update([edit])
            MODES[linter.last_mode] += 1
            assert_same_as_full(linter, results, ruleset)


@needs_corpus
def test_the_structural_replays_were_mostly_incremental():
    if not MODES:
        pytest.skip("run with the replay test")
    assert MODES["incremental"] >= 2 * MODES["full"], MODES
