"""The worker side of code actions, in process: fix data with each check, fix-all edits, the
baseline setting, and the pure helpers of apigov_ls.server.code_actions."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.fixes import fix_document
from apigov_ls.server.checker import CheckJob, Finding, _worker_state, analyse
from apigov_ls.server.code_actions import matches, wanted
from apigov_ls.server.config import Settings, parse_settings
from apigov_ls.server.fix_worker import ActionsJob, FixAllJob, baseline_path, diff_edits, run_finding_actions, run_fix_all
from apigov_ls.server.rulesets import RulesetCache

RULESET = """\
extends: [[spectral:oas, off]]
rules:
  oas3-server-trailing-slash: warn
  duplicated-entry-in-enum: warn
"""

#: one file, no $refs: the worker's incremental linter edits this document in place
API = """\
openapi: 3.0.3
info:
  title: Pets
  version: '1'
servers:
  - url: https://api.example.com/v1/
paths:
  /pets:
    get:
      description: Lists pets
      parameters:
        - name: kind
          in: query
          schema: {type: string, enum: [cat, dog, cat]}
      responses:
        '200': {description: ok}
"""


def units(text: str, encoding: str) -> int:
    return {"utf-8": len(text.encode("utf-8")), "utf-16": len(text.encode("utf-16-le")) // 2}.get(encoding, len(text))


def offset(text: str, line: int, character: int, encoding: str) -> int:
    lines = text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[:line])
    body = lines[line] if line < len(lines) else ""
    return start + next((i for i in range(len(body) + 1) if units(body[:i], encoding) >= character), len(body))


def apply(text: str, edits, encoding: str) -> str:
    spans = sorted(((offset(text, *s, encoding), offset(text, *e, encoding), new) for (s, e), new in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def job(path: Path, text: str, encoding: str = "utf-16", settings: Settings = Settings()) -> CheckJob:
    return CheckJob(str(path), {str(path): text}, settings, [str(path.parent)], False, encoding, 0)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / ".spectral.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "api.yaml").write_text(API, encoding="utf-8")
    _worker_state["linters"] = {}
    return tmp_path


def actions_of(analysis, code: str):
    """What a code action request gets from the worker for the first finding of `code`."""
    index = next(i for i, f in enumerate(analysis.findings) if f.code == code)
    assert analysis.findings[index].actions is None  # not computed with the check
    (actions,) = run_finding_actions(ActionsJob(analysis.root, analysis.check_id, [index]))
    return actions


def slash_fix(analysis):
    return next(a for a in actions_of(analysis, "oas3-server-trailing-slash") if a.kind == "fix")


# -- fixes computed with the check --------------------------------------------------------------
def test_actions_follow_an_incremental_edit(workspace: Path):
    """The incremental linter edits its document in place: the fixes of the next check must be
    computed on the new text, not by an editor kept from the previous one."""
    path = workspace / "api.yaml"
    cache = RulesetCache()
    analyse(job(path, API), cache, {})
    edited = API.replace("      description: Lists pets\n", "      description: >-\n        Lists\n\n        pets\n")
    analysis = analyse(job(path, edited), cache, {})
    assert _worker_state["linters"][str(path)][1].last_mode == "incremental"
    fix = next(a for a in actions_of(analysis, "duplicated-entry-in-enum") if a.kind == "fix")
    assert fix.safe and fix.preferred
    ((file, *_),) = fix.edits
    assert file == str(path)
    assert apply(edited, [e[1:] for e in fix.edits], "utf-16") == edited.replace("[cat, dog, cat]", "[cat, dog]")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_fix_ranges_in_client_units(workspace: Path, encoding: str):
    path = workspace / "api.yaml"
    text = API.replace("  - url: https://api", "  - {description: é☕😀}\n  - url: https://api").replace(
        "- url: https://api.example.com/v1/", "- {description: 'é☕😀', url: https://api.example.com/v1/}")
    analysis = analyse(job(path, text, encoding), RulesetCache(), {})
    fix = slash_fix(analysis)
    assert fix.title == "Remove the trailing slash" and fix.safe
    ((_, (start, end), new),) = fix.edits
    line = text.splitlines()[start[0]]
    at = line.index("/v1/") + 3
    assert (start[1], end[1], new) == (units(line[:at], encoding), units(line[: at + 1], encoding), "")


def test_ignore_action_and_unsafe_titles(workspace: Path):
    (workspace / ".spectral.yaml").write_text(RULESET + "  operation-description: warn\n", encoding="utf-8")
    path = workspace / "api.yaml"
    text = API.replace("      description: Lists pets\n", "")
    analysis = analyse(job(path, text), RulesetCache(), {})
    actions = actions_of(analysis, "operation-description")
    assert [(a.title, a.kind, a.safe, a.preferred) for a in actions] == [
        ("Add a placeholder description (unsafe)", "fix", False, False),
        ("Ignore operation-description here", "ignore", True, False)]
    ignored = apply(text, [e[1:] for e in actions[1].edits], "utf-16")
    assert "    # apigov-ignore: operation-description\n    get:" in ignored
    again = analyse(job(path, ignored), RulesetCache(), {})
    assert "operation-description" not in {f.code for f in again.findings}


def test_only_the_last_check_answers(workspace: Path):
    path = workspace / "api.yaml"
    cache = RulesetCache()
    first = analyse(job(path, API), cache, {})
    second = analyse(job(path, API.replace("title: Pets", "title: Pet store")), cache, {})
    index = next(i for i, f in enumerate(first.findings) if f.code == "oas3-server-trailing-slash")
    assert first.check_id != second.check_id
    assert run_finding_actions(ActionsJob(str(path), first.check_id, [index])) is None
    assert run_finding_actions(ActionsJob(str(path), second.check_id, [index])) is not None


def test_quick_fixes_right_after_a_fix_all(workspace: Path):
    """Fix-all re-lints with the root's incremental linter, which edits the kept document in
    place; the quick fixes of the check before it must still match the checked text."""
    path = workspace / "api.yaml"
    text = API.replace("title: Pets", "title: Pet store")
    cache = RulesetCache()
    analyse(job(path, API), cache, {})
    analysis = analyse(job(path, text), cache, {})
    assert run_fix_all(FixAllJob(job(path, text), str(path))).edits
    fix = next(a for a in actions_of(analysis, "duplicated-entry-in-enum") if a.kind == "fix")
    assert apply(text, [e[1:] for e in fix.edits], "utf-16") == text.replace("[cat, dog, cat]", "[cat, dog]")


# -- fix-all ----------------------------------------------------------------------------------------
def test_fix_all_equals_fix_document(workspace: Path):
    path = workspace / "api.yaml"
    text = API.replace("url: https://api.example.com/v1/", "url: https://api.example.com/v1/\n  - url: https://b.example.com/")
    result = run_fix_all(FixAllJob(job(path, text), str(path)))
    expected = fix_document(str(path), load_ruleset(str(workspace / ".spectral.yaml")), text=text).fixed[str(path)]
    assert expected != text
    assert list(result.edits) == [str(path)]
    assert apply(text, result.edits[str(path)], "utf-16") == expected
    assert result.applied == 3 and str(path) in result.files


def test_fix_all_of_a_referenced_file_edits_only_it(workspace: Path):
    path = workspace / "api.yaml"
    (workspace / "kinds.yaml").write_text("Kind: {type: string, enum: [a, b, a]}\n", encoding="utf-8")
    text = API.replace("schema: {type: string, enum: [cat, dog, cat]}", "schema: {$ref: 'kinds.yaml#/Kind'}")
    result = run_fix_all(FixAllJob(job(path, text), str(workspace / "kinds.yaml")))
    assert list(result.edits) == [str(workspace / "kinds.yaml")]
    assert apply("Kind: {type: string, enum: [a, b, a]}\n", result.edits[str(workspace / "kinds.yaml")], "utf-16") == \
        "Kind: {type: string, enum: [a, b]}\n"


@pytest.mark.parametrize("old, new", [
    ("a\nb\nc\n", "a\nB\nc\n"),
    ("a\nb\nc", "a\nb\nc\nd"),
    ("é😀\nx\n", "é😀\ny\nz\n"),
    ("x\ny\n", "x\ny\n"),
    ("one\ntwo\nthree\nfour\n", "zero\none\nthree\nfour!\n"),
])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_diff_edits_turn_old_into_new(old: str, new: str, encoding: str):
    edits = diff_edits(old, new, encoding)
    assert apply(old, edits, encoding) == new
    assert (edits == []) == (old == new)


def test_diff_edits_leave_unchanged_lines_alone():
    old = "".join(f"line {i}\n" for i in range(1000))
    new = old.replace("line 500\n", "line five hundred\n")
    assert diff_edits(old, new, "utf-16") == [(((500, 0), (501, 0)), "line five hundred\n")]


# -- baseline ---------------------------------------------------------------------------------------
def test_baseline_setting_parsed_and_resolved(tmp_path: Path):
    settings, errors = parse_settings({"baseline": "ci/base.json"}, privileged=False)
    assert (settings.baseline, errors) == ("ci/base.json", [])
    assert parse_settings({"baseline": ""}, settings)[0].baseline is None
    assert parse_settings({"baseline": 3}, settings)[1] == ["baseline must be the path of a baseline file"]
    a, b = str(tmp_path / "a"), str(tmp_path / "a" / "b")
    assert baseline_path("ci/base.json", f"{b}/api.yaml", [a, b]) == f"{b}/ci/base.json"
    assert baseline_path("ci/base.json", "/elsewhere/api.yaml", [a, b]) == f"{a}/ci/base.json"
    assert baseline_path("base.json", "/x/api.yaml", []) == "/x/base.json"
    assert baseline_path("/abs/base.json", f"{b}/api.yaml", [a]) == "/abs/base.json"
    assert baseline_path(None, f"{b}/api.yaml", [a]) is None


def test_baselined_results_not_reported(workspace: Path):
    from apigov_ls.baseline import write_baseline
    from apigov_ls.lint import lint_file

    path = workspace / "api.yaml"
    write_baseline(lint_file(str(path), load_ruleset(str(workspace / ".spectral.yaml"))).results, str(workspace / "b.json"))
    text = API.replace("paths:\n", "  - url: https://new.example.com/\npaths:\n")
    settings = Settings(baseline="b.json")
    found = analyse(job(path, text, settings=settings), RulesetCache(), {}).findings
    assert [(f.code, f.range[0][0]) for f in found] == [("oas3-server-trailing-slash", 6)]
    missing = analyse(job(path, text, settings=Settings(baseline="nope.json")), RulesetCache(), {}).findings
    assert len(missing) == 3  # an unreadable baseline hides nothing (and is logged)


# -- request helpers ----------------------------------------------------------------------------------
def test_wanted_kinds():
    assert wanted("quickfix", None)
    assert wanted("source.fixAll.apigov", ["source"]) and wanted("source.fixAll.apigov", ["source.fixAll"])
    assert not wanted("source.fixAll.apigov", ["quickfix"]) and not wanted("quickfix", ["source.fixAll.apigov"])
    assert not wanted("source.fixAll.apigov", ["source.fix"])


def test_matches_client_diagnostics():
    finding = Finding("rule", "a message", 1, "apigov", ((3, 4), (3, 10)))
    rng = types.Range(types.Position(3, 4), types.Position(3, 10))
    assert matches(finding, types.Diagnostic(rng, "other text", code="rule"))
    moved = types.Range(types.Position(3, 5), types.Position(3, 12))  # byte columns (Neovim 0.7)
    assert matches(finding, types.Diagnostic(moved, "a message", code="rule"))
    assert not matches(finding, types.Diagnostic(moved, "other text", code="rule"))
    assert not matches(finding, types.Diagnostic(rng, "a message", code="other"))
    assert not matches(finding, types.Diagnostic(rng, "a message"))
