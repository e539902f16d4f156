"""Workspace symbols carried over edit by edit (SymbolTracker) equal those of a fresh parse of the new text."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigov_ls.document.model import FileLoader, build_document
from apigov_ls.server import checker
from apigov_ls.server.checker import CheckJob, analyse
from apigov_ls.server.config import Settings
from apigov_ls.server.rulesets import RulesetCache
from apigov_ls.server.symbol_index import workspace_entries

SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # ../shared beside the repository

DOC = """\
openapi: 3.0.3
info:
  title: Symbols
  version: "1"
paths:
  /a:
    get:
      operationId: getA
      description: A
      responses:
        '200':
          description: ok
  /b:
    post:
      operationId: postB
      description: B
      responses:
        '200':
          $ref: '#/components/responses/Ok'
components:
  schemas:
    Pet:
      type: object
      description: a pet
    Owner:
      type: string
  responses:
    Ok:
      description: ok
"""


def _fresh(path: str, text: str) -> list:
    document = build_document(path, loader=FileLoader({path: text}))
    return [e for sf in document.files.values() for e in workspace_entries(sf)]


def _replay(tmp_path, text: str, edits: list[tuple[str, str]]) -> None:
    """Check `text`, then each edit (old -> new, first occurrence) in turn; after every check the
    worker's symbols must equal a fresh parse's, whatever path the tracker took."""
    path = str(tmp_path / "api.yaml")
    Path(path).write_text(text)
    for kept in ("linters", "symbols", "texts", "plain"):
        checker._worker_state.pop(kept, None)
    rulesets = RulesetCache()
    settings = Settings(ruleset="spectral:oas")
    modes = []
    for old, new in [("", ""), *edits]:
        assert old in text, old
        text = text.replace(old, new, 1)
        analysis = analyse(CheckJob(path, {path: text}, settings, [str(tmp_path)], True, "utf-16", 0), rulesets, {})
        assert analysis.symbols == _fresh(path, text), (old, new)
        modes.append(checker._worker_state["linters"][path][1].last_mode if path in checker._worker_state.get("linters", {}) else "plain")
    return modes


def test_symbols_follow_edits_inside_and_around_regions(tmp_path):
    modes = _replay(tmp_path, DOC, [
        ("description: A\n", "description: AB\n"),                   # inside an operation, same line count
        ("description: AB\n", "description: AB\n      summary: s\n"),  # a line added above later symbols
        ("operationId: getA", "operationId: getAll"),                # a symbol's own line and name
        ("      description: a pet\n", ""),                            # a line removed inside a component
        ("    Owner:\n      type: string\n", "    Owner:\n      type: string\n    Tag:\n      type: string\n"),
        ("description: B", "description: B\u00e9\U0001f600"),           # non-ASCII on a line of its own
        ("\n", "\r\n"),                                                 # a line break changed at the top
    ])
    assert "incremental" in modes  # the tracker's shifting path ran, not only full rebuilds


def test_symbols_of_a_syntax_error_and_its_repair(tmp_path):
    _replay(tmp_path, DOC, [
        ("description: B", "description: [B"),   # does not parse
        ("description: [B", "description: B!"),  # repaired: an incremental edit of the last good text
        ("      description: ok\n", "      description: ok\n\n\n"),
    ])


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="shared corpus not found beside the repository")
def test_symbols_follow_typing_in_a_corpus_description(tmp_path):
    text = (SHARED / "corpus" / "vacuum-testfiles" / "pegel-online-api.yaml").read_text(encoding="utf-8")
    lines = text.split("\n")
    # type on a description line in the middle, then add and remove a line there
    target = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].strip().startswith("description:"))
    line = lines[target]
    _replay(tmp_path, text, [(line + "\n", line + "x\n"), (line + "x\n", line + "x\n" + " " * (len(line) - len(line.lstrip())) + "\n"),
                             (line + "x\n", line + "\n")])
