"""Untrusted rulesets: a catastrophic `pattern` regex is cut off by its time budget."""

from __future__ import annotations

import time

import pytest

from apigov_ls.engine.jsregex import REGEX_TIME_BUDGET, JsRegexTimeout, compile_js
from apigov_ls.engine.ruleset import load_ruleset_text
from apigov_ls.lint import lint_file

EVIL = "a" * 200 + "b"

RULESET = """\
rules:
  evil-pattern:
    given: $.info.description
    severity: warn
    then:
      function: pattern
      functionOptions:
        match: "^(a|aa)+$"
  needs-contact:
    given: $.info
    severity: warn
    then:
      field: contact
      function: truthy
"""


def test_catastrophic_regex_times_out():
    rx = compile_js("^(a|aa)+$")
    started = time.perf_counter()
    with pytest.raises(JsRegexTimeout):
        rx.test(EVIL)
    assert time.perf_counter() - started < REGEX_TIME_BUDGET * 10
    started = time.perf_counter()
    with pytest.raises(JsRegexTimeout):  # a second, longer value fails at once
        rx.test(EVIL + EVIL)
    assert time.perf_counter() - started < 0.1


def test_ordinary_regexes_still_match():
    assert compile_js("^[a-z]+$", "i").test("AbC")
    assert not compile_js("^[a-z]+$").test("AbC")


def test_redos_rule_gives_rule_error_and_the_rest_runs(tmp_path):
    api = tmp_path / "api.yaml"
    api.write_text(f"openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\n  description: {EVIL}\npaths: {{}}\n")
    ruleset = load_ruleset_text(RULESET, str(tmp_path / ".spectral.yaml"))
    started = time.perf_counter()
    report = lint_file(str(api), ruleset)
    elapsed = time.perf_counter() - started
    codes = [r.code for r in report.results]
    errors = [r for r in report.results if r.code == "rule-error"]
    assert len(errors) == 1 and "evil-pattern" in errors[0].message and "time budget" in errors[0].message
    assert "needs-contact" in codes  # the other rule still ran
    assert elapsed < 10
