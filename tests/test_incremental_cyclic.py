"""IncrementalLinter on documents with circular $refs: the same results as lint_file after every
edit, edits outside the refs stay incremental, circular refs stay `$ref` as in Document."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from apigov_ls.document.incremental import TextEdit
from apigov_ls.document.incremental_model import IncrementalDocument
from apigov_ls.document.model import Document, FileLoader
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.incremental import IncrementalLinter
from apigov_ls.lint import lint_file
from test_incremental_lint import result_key

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
RULESET = load_ruleset("spectral:oas")

CYCLIC = """\
openapi: 3.0.3
info:
  title: Cyclic
  version: "1"
paths:
  /pets:
    get:
      operationId: listPets
      description: list pets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/A'
  /nodes:
    get:
      operationId: listNodes
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Node'
components:
  schemas:
    A:
      type: object
      description: an A
      properties:
        b:
          $ref: '#/components/schemas/B'
    B:
      type: object
      properties:
        a:
          $ref: '#/components/schemas/A'
        name:
          type: string
    Node:
      type: object
      properties:
        children:
          type: array
          items:
            $ref: '#/components/schemas/Node'
"""


def _same_as_lint_file(linter: IncrementalLinter) -> None:
    expected = lint_file(linter.path, RULESET, text=linter.text).results
    got, want = Counter(map(result_key, linter.results)), Counter(map(result_key, expected))
    assert got == want, {"only incremental": list(got - want)[:5], "only full": list(want - got)[:5],
                         "mode": linter.last_mode}


def _type_after(linter: IncrementalLinter, anchor: str, typed: str) -> None:
    at = linter.text.index(anchor) + len(anchor)
    linter.update([TextEdit(at, at, typed)])


def test_resolved_view_keeps_the_same_circular_refs_as_document(tmp_path):
    path = str(tmp_path / "cyclic.yaml")
    loader = FileLoader({path: CYCLIC})
    plain = Document(loader.load(path), loader)
    incremental = IncrementalDocument(loader.load(path), loader)
    assert plain._circular  # the fixture has cycles
    assert incremental._circular == plain._circular
    assert incremental.resolved == plain.resolved
    assert incremental.incremental
    node = incremental.resolved["components"]["schemas"]["Node"]
    assert node["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node"}


def test_edits_on_a_cyclic_document_equal_lint_file(tmp_path):
    path = tmp_path / "cyclic.yaml"
    path.write_text(CYCLIC)
    linter = IncrementalLinter(str(path), RULESET, text=CYCLIC)
    assert linter.document.incremental
    _same_as_lint_file(linter)
    for typed in ("s", " an", "d cats"):  # inside an operation that uses a cyclic schema
        _type_after(linter, "description: list pet", typed)
        assert linter.last_mode == "incremental"
        _same_as_lint_file(linter)
    for typed in ("n", " that"):  # inside a schema of the A -> B -> A cycle
        _type_after(linter, "description: an A", typed)
        assert linter.last_mode == "incremental"
        _same_as_lint_file(linter)
    _type_after(linter, "      properties:\n        children:\n", "          description: kids\n")  # self-referencing
    _same_as_lint_file(linter)
    # a ref that breaks the A -> B -> A cycle: the circular refs change, a full check
    at = linter.text.index("$ref: '#/components/schemas/A'\n        name") + len("$ref: '#/components/schemas/")
    linter.update([TextEdit(at, at + 1, "Node")])
    _same_as_lint_file(linter)
    linter.update([TextEdit(at, at + 4, "A")])  # and back
    _same_as_lint_file(linter)
    assert linter.counts["incremental"] >= 5


def _replace(linter: IncrementalLinter, old: str, new: str) -> None:
    at = linter.text.index(old)
    linter.update([TextEdit(at, at + len(old), new)])


def test_structural_edits_beside_cycles_keep_the_circular_refs_without_recomputing_them(tmp_path, monkeypatch):
    """A path renamed, or a component nobody refers to pasted, cannot take part in a cycle: the
    circular refs stay as they are without a whole-document pass; edits that can (a pasted
    self-referencing schema, a renamed schema of a cycle) recompute them."""
    path = tmp_path / "cyclic.yaml"
    path.write_text(CYCLIC)
    linter = IncrementalLinter(str(path), RULESET, text=CYCLIC)
    recomputed = []
    circular_changed = IncrementalDocument._circular_changed
    monkeypatch.setattr(IncrementalDocument, "_circular_changed",
                        lambda self: recomputed.append(1) or circular_changed(self))
    _replace(linter, "  /nodes:", "  /trees:")  # its refs point at the Node cycle
    assert linter.last_mode == "incremental" and not recomputed
    _same_as_lint_file(linter)
    _replace(linter, "components:\n  schemas:\n", "components:\n  schemas:\n    Leaf:\n      type: string\n")
    assert linter.last_mode == "incremental" and not recomputed
    _same_as_lint_file(linter)
    # a pasted schema that refers to itself: a new cycle (found by a full check today)
    _replace(linter, "    Leaf:\n", "    Loop:\n      properties:\n        next:\n          $ref: '#/components/schemas/Loop'\n    Leaf:\n")
    _same_as_lint_file(linter)
    _replace(linter, "      type: string\n", "      type: integer\n")  # back to incremental checks
    assert linter.last_mode == "incremental"
    del recomputed[:]
    _replace(linter, "    Node:\n", "    Tree:\n")  # renamed: its own ref and /trees' now point nowhere
    assert recomputed
    _same_as_lint_file(linter)


def _corpus_document(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} not found (shared corpus beside the repository)")
    return path


def test_stripe_first_results_and_a_typing_edit_equal_lint_file():
    """Stripe's schemas refer to each other in cycles (390 refs kept as $ref)."""
    path = _corpus_document("vacuum-testfiles/stripe.yaml")
    text = path.read_text()
    linter = IncrementalLinter(str(path), RULESET, text=text)
    assert linter.document._circular and linter.document.incremental
    _same_as_lint_file(linter)
    anchor = "description: The "
    at = text.index(anchor, len(text) // 2) + len(anchor)
    linter.update([TextEdit(at, at, "x")])
    assert linter.last_mode == "incremental"
    _same_as_lint_file(linter)
