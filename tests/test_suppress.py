"""Suppressions: x-lint-ignore on objects, # apigov-ignore comments, and the "Ignore RULE here" fix."""

from __future__ import annotations

import json

from apigov_ls.document.model import FileLoader
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.fixes import apply_edits, code_actions, edit_ranges
from apigov_ls.lint import lint_file

DOC = """\
openapi: 3.0.3
info:
  title: T
  version: '1'
  description: d
  contact: {name: n, url: 'https://x.test', email: a@x.test}
servers:
  - url: https://api.test/v1/
paths:
  /a/:
    get:
      operationId: a
      description: d
      tags: [t]
      responses:
        '200': {description: ok}
  /b/:
    get:
      operationId: b
      description: d
      tags: [t]
      responses:
        '200': {description: ok}
tags:
  - name: t
    description: t
"""


def _lint(tmp_path, text, name="api.yaml"):
    path = tmp_path / name
    rs = load_ruleset("spectral:oas")
    return lint_file(str(path), rs, loader=FileLoader({str(path): text}))


def _codes(report):
    return sorted((r.code, r.location_path) for r in report.results)


def test_document_triggers_the_rules_used_below(tmp_path):
    codes = _codes(_lint(tmp_path, DOC))
    assert ("oas3-server-trailing-slash", ("servers", 0, "url")) in codes
    assert ("path-keys-no-trailing-slash", ("paths", "/a/")) in codes
    assert ("path-keys-no-trailing-slash", ("paths", "/b/")) in codes


def test_x_lint_ignore_on_an_object_covers_results_under_it(tmp_path):
    text = DOC.replace("servers:\n  - url:", "servers:\n  - x-lint-ignore: oas3-server-trailing-slash\n    url:")
    codes = [c for c, _ in _codes(_lint(tmp_path, text))]
    assert "oas3-server-trailing-slash" not in codes
    # a list, on the root: applies to the whole document, only for the rules named
    text = DOC.replace("openapi: 3.0.3\n", "openapi: 3.0.3\nx-lint-ignore: [path-keys-no-trailing-slash]\n")
    codes = [c for c, _ in _codes(_lint(tmp_path, text))]
    assert "path-keys-no-trailing-slash" not in codes and "oas3-server-trailing-slash" in codes


def test_comment_above_or_at_the_end_of_the_line(tmp_path):
    above = DOC.replace("  /a/:\n", "  # apigov-ignore: path-keys-no-trailing-slash\n  /a/:\n")
    got = _codes(_lint(tmp_path, above))
    assert ("path-keys-no-trailing-slash", ("paths", "/a/")) not in got
    assert ("path-keys-no-trailing-slash", ("paths", "/b/")) in got
    trailing = DOC.replace("  /b/:\n", "  /b/:  # apigov-ignore: other-rule, path-keys-no-trailing-slash\n")
    got = _codes(_lint(tmp_path, trailing))
    assert ("path-keys-no-trailing-slash", ("paths", "/b/")) not in got
    assert ("path-keys-no-trailing-slash", ("paths", "/a/")) in got
    other = DOC.replace("  /a/:\n", "  # apigov-ignore: some-other-rule\n  /a/:\n")
    assert ("path-keys-no-trailing-slash", ("paths", "/a/")) in _codes(_lint(tmp_path, other))


def test_ignore_quick_fix_in_yaml_writes_a_comment_that_silences_the_result(tmp_path):
    report = _lint(tmp_path, DOC)
    target = next(r for r in report.results if r.code == "path-keys-no-trailing-slash")
    ignore = [f for f in code_actions(target, report.document) if f.kind == "ignore"]
    assert ignore and ignore[0].title == "Ignore path-keys-no-trailing-slash here"
    ranges = edit_ranges(ignore[0], report.document)
    assert list(ranges) == [target.source]
    assert ranges[target.source][0][0].start.line == target.range.start.line  # inserted above the reported line
    fixed = apply_edits(DOC, ignore[0].edits)
    assert "  # apigov-ignore: path-keys-no-trailing-slash\n  /a/:\n" in fixed
    after = _codes(_lint(tmp_path, fixed))
    assert ("path-keys-no-trailing-slash", target.location_path) not in after
    assert len(after) == len(_codes(report)) - 1


def test_ignore_quick_fix_in_json_adds_x_lint_ignore(tmp_path):
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(DOC)
    text = json.dumps(data, indent=4)
    report = _lint(tmp_path, text, "api.json")
    for code in ("oas3-server-trailing-slash", "path-keys-no-trailing-slash"):
        target = next(r for r in report.results if r.code == code)
        fix = next(f for f in code_actions(target, report.document) if f.kind == "ignore")
        fixed = apply_edits(text, fix.edits)
        after = _codes(_lint(tmp_path, fixed, "api.json"))
        assert (code, target.location_path) not in after
        assert len(after) == len(_codes(report)) - 1
