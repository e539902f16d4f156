"""IncrementalLinter: after every edit, the same results as a from-scratch lint_file of the text.

Random edit sequences (hypothesis, derandomized) replay typing, deleting, pasting member blocks,
breaking and repairing indentation and $ref targets on corpus documents, with spectral:oas.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apigov_ls.document.incremental import TextEdit
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.incremental import IncrementalLinter
from apigov_ls.lint import lint_file

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found beside the repository")

RULESET = load_ruleset("spectral:oas")
#: the JSONPath walk raises the limit on first use; raise it now so hypothesis sees no change
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
#: how the replayed edits were checked, over the whole module ("incremental", "full", "unchanged")
MODES: Counter = Counter()


#: schema functions name an unresolvable $ref's base by the schema's memory address (differs run to run)
_SCHEMA_URN = re.compile(r"urn:apigov:schema:\d+")


def result_key(r):
    rng = r.range
    return (r.code, tuple(r.path), (rng.start.line, rng.start.character, rng.end.line, rng.end.character),
            _SCHEMA_URN.sub("urn:apigov:schema:N", r.message), r.source, int(r.severity))


def assert_same_as_full(linter: IncrementalLinter, results) -> None:
    expected = lint_file(linter.path, RULESET, text=linter.text).results
    got, want = Counter(map(result_key, results)), Counter(map(result_key, expected))
    assert got == want, {"only incremental": list((got - want))[:5], "only full": list((want - got))[:5],
                         "mode": linter.last_mode}


# -- edit generators ------------------------------------------------------------------------------
_VALUE_LINE = re.compile(r"(?m)^( *)([^\s#:][^:\n]*): ([^|>\n{\[&*!][^\n]*)$")
_KEY_LINE = re.compile(r"(?m)^( +)([^\s#:\-][^:\n]*):[ ]*$")
_REF_LINE = re.compile(r"(?m)\$ref: ['\"]?#/[^'\"\n]+")


def _type_or_delete(text: str, data, typing: bool):
    lines = list(_VALUE_LINE.finditer(text))
    if not lines:
        return []
    m = lines[data.draw(st.integers(0, len(lines) - 1), label="line")]
    start, end = m.start(3), m.end(3)
    pos = data.draw(st.integers(start, end), label="column")
    if typing:
        return [TextEdit(pos, pos, data.draw(st.sampled_from(["x", "abc", " new", "0", "true"]), label="typed"))]
    return [TextEdit(pos, min(end, pos + data.draw(st.integers(1, 3), label="length")), "")]


def _paste_block(text: str, data):
    """Copy a member (its key line and the more indented lines below) and paste it under a new key."""
    keys = list(_KEY_LINE.finditer(text))
    if not keys:
        return []
    m = keys[data.draw(st.integers(0, len(keys) - 1), label="block")]
    indent = len(m.group(1))
    end = m.end() + 1
    while end < len(text):
        nl = text.find("\n", end)
        line = text[end: len(text) if nl < 0 else nl]
        if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
            break
        end = len(text) if nl < 0 else nl + 1
    block = text[m.start(): end]
    renamed = block.replace(m.group(2) + ":", m.group(2) + "Copy" + str(data.draw(st.integers(0, 99), label="n")) + ":", 1)
    return [TextEdit(end, end, renamed if renamed.endswith("\n") else renamed + "\n")]


def _break_and_repair(text: str, data):
    starts = [m.end() for m in re.finditer(r"\n(?= +\S)", text)]
    if not starts:
        return []
    pos = starts[data.draw(st.integers(0, len(starts) - 1), label="indent line")]
    return [TextEdit(pos, pos, " "), TextEdit(pos, pos + 1, "")]


def _retarget_ref(text: str, data):
    refs = list(_REF_LINE.finditer(text))
    if not refs:
        return []
    m = refs[data.draw(st.integers(0, len(refs) - 1), label="ref")]
    pos = m.end()
    return [TextEdit(pos, pos, "Z"), TextEdit(pos, pos + 1, "")] if data.draw(st.booleans(), label="undo") else [TextEdit(pos, pos, "Z")]


def next_edits(text: str, data) -> list[TextEdit]:
    kind = data.draw(st.sampled_from(["type", "type", "type", "delete", "paste", "indent", "ref"]), label="kind")
    if kind == "type":
        return _type_or_delete(text, data, True)
    if kind == "delete":
        return _type_or_delete(text, data, False)
    if kind == "paste":
        return _paste_block(text, data)
    if kind == "indent":
        return _break_and_repair(text, data)
    return _retarget_ref(text, data)


def replay(path: Path, data, steps: int) -> IncrementalLinter:
    linter = IncrementalLinter(str(path), RULESET, text=path.read_text(encoding="utf-8"))
    assert_same_as_full(linter, linter.results)
    for _ in range(steps):
        for edit in next_edits(linter.text, data):
            assert_same_as_full(linter, linter.update([edit]))
            MODES[linter.last_mode] += 1
    return linter


SMALL_AND_MEDIUM = ["oai/v3.0/petstore-expanded.yaml", "oai/v2.0/yaml/uber.yaml", "redocly/museum.yaml", "redocly/cafe.yaml"]


@needs_corpus
@pytest.mark.parametrize("name", SMALL_AND_MEDIUM)
@settings(max_examples=6, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_edits_on_small_and_medium_documents(name, data):
    replay(CORPUS / name, data, steps=6)


@needs_corpus
@settings(max_examples=3, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_edits_on_a_large_document(data):
    replay(CORPUS / "twilio/yaml/twilio_numbers_v2.yaml", data, steps=4)


@needs_corpus
def test_the_replays_were_mostly_incremental():
    """The property tests above must exercise the incremental path, not only full checks."""
    if not MODES:
        pytest.skip("run with the replay tests")
    print(dict(MODES))
    assert MODES["incremental"] >= MODES["full"], MODES


# -- which edits are incremental ---------------------------------------------------------------------
SHARED_SCHEMA_DOC = """\
openapi: 3.0.3
info:
  title: Shared
  version: "1"
  description: d
  contact: {name: x}
tags:
  - name: pets
paths:
  /a:
    get:
      operationId: getA
      description: A
      tags: [pets]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
              example: {name: 1}
  /b:
    get:
      operationId: getB
      description: B
      tags: [pets]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
              example: {name: 2}
components:
  schemas:
    Pet:
      type: object
      properties:
        name:
          type: integer
"""


def test_a_changed_component_rechecks_every_place_that_uses_it(tmp_path):
    path = tmp_path / "shared.yaml"
    path.write_text(SHARED_SCHEMA_DOC)
    linter = IncrementalLinter(str(path), RULESET, text=SHARED_SCHEMA_DOC)
    assert not [r for r in linter.results if r.code == "oas3-valid-media-example"]
    i = linter.text.index("type: integer") + len("type: ")
    results = linter.update([TextEdit(i, i + len("integer"), "string")])
    assert linter.last_mode == "incremental"
    assert_same_as_full(linter, results)
    assert sorted(r.path[1] for r in results if r.code == "oas3-valid-media-example") == ["/a", "/b"]
    results = linter.update([TextEdit(i, i + len("string"), "integer")])
    assert linter.last_mode == "incremental"
    assert not [r for r in results if r.code == "oas3-valid-media-example"]


def test_typing_in_an_operation_is_incremental_and_positions_move(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(SHARED_SCHEMA_DOC)
    linter = IncrementalLinter(str(path), RULESET, text=SHARED_SCHEMA_DOC)
    i = linter.text.index("description: A") + len("description: ")
    results = linter.update([TextEdit(i, i, "line one\n        line two <script>")])
    assert linter.last_mode == "incremental"
    assert_same_as_full(linter, results)
    assert [r for r in results if r.code == "no-script-tags-in-markdown"]


def test_a_syntax_error_is_reported_and_its_repair_is_incremental(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(SHARED_SCHEMA_DOC)
    linter = IncrementalLinter(str(path), RULESET, text=SHARED_SCHEMA_DOC)
    i = linter.text.index("description: B") + len("description: B")
    broken = linter.update([TextEdit(i, i, "\n     bad: [")])
    assert linter.last_mode == "full"
    assert [r.code for r in broken] == ["parser-syntax"]
    assert_same_as_full(linter, broken)
    repaired = linter.update([TextEdit(i, i + len("\n     bad: ["), " again")])
    assert linter.last_mode == "incremental"
    assert_same_as_full(linter, repaired)


def test_a_key_added_beside_regions_is_checked_incrementally(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(SHARED_SCHEMA_DOC)
    linter = IncrementalLinter(str(path), RULESET, text=SHARED_SCHEMA_DOC)
    i = linter.text.index("  /b:")
    results = linter.update([TextEdit(i, i, "  /c:\n    get:\n      description: C\n      responses: {}\n")])
    assert linter.last_mode == "incremental"
    assert_same_as_full(linter, results)


def test_a_key_added_beside_the_spine_falls_back_to_a_full_check(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(SHARED_SCHEMA_DOC)
    linter = IncrementalLinter(str(path), RULESET, text=SHARED_SCHEMA_DOC)
    i = linter.text.index("components:")
    results = linter.update([TextEdit(i, i, "webhooks:\n  w:\n    post:\n      responses: {}\n")])
    assert linter.last_mode == "full"
    assert_same_as_full(linter, results)
