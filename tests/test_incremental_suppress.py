"""Incremental re-checks and the per-edit shortcuts: suppression markers counted edit by edit,
the "does any operation enforce security" fact kept per path item. Results must equal a
from-scratch lint after every edit."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from apigov_ls.document.incremental import TextEdit
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.incremental import IncrementalLinter
from apigov_ls.lint import lint_file
from apigov_ls.suppress import marker_count, marker_count_after

_PIECES = st.sampled_from(["apigov-ignore", "x-lint-ignore", "apigov-", "-ignore", "x-lint", "ig", "nore", "a", "x", "-", "e", " ", "\n"])


@settings(max_examples=300, derandomize=True, deadline=None)
@given(old=st.lists(_PIECES, max_size=12).map("".join), inserted=st.lists(_PIECES, max_size=4).map("".join), data=st.data())
def test_marker_count_after_an_edit_equals_a_recount(old, inserted, data):
    start = data.draw(st.integers(0, len(old)), label="start")
    end = data.draw(st.integers(start, len(old)), label="end")
    new = old[:start] + inserted + old[end:]
    assert marker_count_after(marker_count(old), old, new, start, end, len(inserted)) == marker_count(new)


DOC = """\
openapi: 3.0.3
info:
  title: Suppressed
  version: "1"
  description: d
  contact: {name: x}
tags:
  - name: pets
paths:
  /a:
    get:
      operationId: getA
      tags: [pets]
      responses:
        '200':
          description: ok
  /b:
    get:
      operationId: getB
      description: B
      tags: [pets]
      responses:
        '200':
          description: ok
components:
  securitySchemes:
    key: {type: apiKey, name: X-Key, in: header}
"""


def _key(r):
    rng = r.range
    return (r.code, tuple(r.path), rng.start.line, rng.start.character, rng.end.line, rng.end.character, r.message, int(r.severity))


def _same_as_full(linter, results, ruleset):
    want = Counter(map(_key, lint_file(linter.path, ruleset, text=linter.text).results))
    assert Counter(map(_key, results)) == want, linter.last_mode


def test_typing_and_deleting_an_ignore_comment_keystroke_by_keystroke(tmp_path):
    ruleset = load_ruleset("spectral:oas")
    path = tmp_path / "doc.yaml"
    path.write_text(DOC)
    linter = IncrementalLinter(str(path), ruleset, text=DOC)
    assert any(r.code == "operation-description" for r in linter.results)
    at = linter.text.index("    get:\n      operationId: getA") + len("    get:")
    comment = " # apigov-ignore: operation-description"
    modes = Counter()
    for i, ch in enumerate(comment):
        results = linter.update([TextEdit(at + i, at + i, ch)])
        modes[linter.last_mode] += 1
        _same_as_full(linter, results, ruleset)
    assert not any(r.code == "operation-description" for r in results)
    for i in range(len(comment), 0, -1):  # backspace the comment away again
        results = linter.update([TextEdit(at + i - 1, at + i, "")])
        modes[linter.last_mode] += 1
        _same_as_full(linter, results, ruleset)
    assert any(r.code == "operation-description" for r in results)
    assert modes["incremental"] > len(comment), modes


def test_an_x_lint_ignore_key_typed_in_a_region(tmp_path):
    ruleset = load_ruleset("spectral:oas")
    path = tmp_path / "doc.yaml"
    path.write_text(DOC)
    linter = IncrementalLinter(str(path), ruleset, text=DOC)
    at = linter.text.index("      operationId: getA")
    line = "      x-lint-ignore: operation-description\n"
    results = linter.update([TextEdit(at, at, line)])
    _same_as_full(linter, results, ruleset)
    assert not any(r.code == "operation-description" for r in results)
    # break the marker by one character: the result comes back
    i = linter.text.index("x-lint-ignore") + 2
    results = linter.update([TextEdit(i, i + 1, "L")])
    _same_as_full(linter, results, ruleset)
    assert any(r.code == "operation-description" for r in results)


def test_security_added_to_one_operation_flags_the_others_and_removing_it_clears_them(tmp_path):
    ruleset = load_ruleset("apigov:recommended")
    path = tmp_path / "doc.yaml"
    path.write_text(DOC)
    linter = IncrementalLinter(str(path), ruleset, text=DOC)
    assert not any(r.code == "apigov-sec-operation-unsecured" for r in linter.results)
    at = linter.text.index("      operationId: getB")
    added = "      security:\n        - key: []\n"
    results = linter.update([TextEdit(at, at, added)])
    assert linter.last_mode == "incremental"
    _same_as_full(linter, results, ruleset)
    assert [r.path[1] for r in results if r.code == "apigov-sec-operation-unsecured"] == ["/a"]
    # an anonymous item: /b no longer enforces security, so nothing is flagged
    i = linter.text.index("        - key: []") + len("        - ")
    results = linter.update([TextEdit(i, i + len("key: []"), "{}")])
    _same_as_full(linter, results, ruleset)
    assert not any(r.code == "apigov-sec-operation-unsecured" for r in results)
    results = linter.update([TextEdit(i, i + len("{}"), "key: []")])
    _same_as_full(linter, results, ruleset)
    assert [r.path[1] for r in results if r.code == "apigov-sec-operation-unsecured"] == ["/a"]
