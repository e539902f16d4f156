"""docs/rules: a page per built-in rule, examples that really fail/pass their rule, pages up to date."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from apigov_ls.docs import builtin_rules, doc_filename, doc_url, generate, lint_example, markdown_to_text, rule_doc, write

REPO_DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"
RULES = builtin_rules()
IDS = [rule.name for _, rule in RULES]


def test_every_documented_ruleset_contributes_rules():
    names = {name for name, _ in RULES}
    assert {"spectral:oas", "spectral:owasp", "apigov:secrets"} <= names
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("ruleset,rule", RULES, ids=IDS)
def test_rule_has_complete_page_and_url(ruleset, rule):
    doc = rule_doc(rule, ruleset)
    assert rule.documentation_url == doc_url(rule.name)
    assert (REPO_DOCS / doc_filename(rule.name)).is_file()
    missing = [f for f in ("what", "why", "fix", "fail", "pass_") if not getattr(doc, f)]
    assert not missing, missing


@pytest.mark.parametrize("ruleset,rule", RULES, ids=IDS)
def test_examples_fail_and_pass_their_rule(ruleset, rule, tmp_path):
    doc = rule_doc(rule, ruleset)
    assert lint_example(rule, doc.fail, directory=str(tmp_path)), "failing example gives no result"
    got = lint_example(rule, doc.pass_, directory=str(tmp_path))
    assert not got, [r.message for r in got]


def test_committed_docs_match_the_generator(tmp_path):
    write(tmp_path)
    expected = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in REPO_DOCS.glob("*.md"))
    assert committed == expected, "run: python -m apigov_ls.docs"
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, REPO_DOCS, expected, shallow=False)
    assert not mismatch and not errors, f"out of date: {mismatch + errors}; run: python -m apigov_ls.docs"


def test_index_lists_every_rule_with_a_link():
    index = generate()["README.md"]
    for code in IDS:
        assert f"[{code}]({doc_filename(code)})" in index


def test_markdown_to_text_drops_markup():
    text = markdown_to_text("# Title\n\nUse `x` and [docs](https://e.org).\n\n```yaml\na: 1\n```\n")
    assert text == "Title\n=====\n\nUse x and docs (https://e.org).\n\n    a: 1\n"
