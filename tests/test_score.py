"""Scores: categories, the formula's properties, weights, and `apigov score` / `apigov lint --min-score`."""

from __future__ import annotations

import json
import math
import textwrap

import pytest

from apigov_ls.cli import main
from apigov_ls.engine.types import LintResult, Rule, Severity, ZERO_RANGE
from apigov_ls.score import category_of, parse_weights, score_results


def rule(name, severity=Severity.ERROR, **meta):
    return Rule(name=name, given=["$"], then=[], severity=severity, extensions={"x-apigov": meta} if meta else {})


def results(r, n, severity=None):
    return [LintResult(r.name, "m", severity if severity is not None else r.severity, ("paths", i), "f", ZERO_RANGE, rule=r) for i in range(n)]


@pytest.mark.parametrize("r,expected", [
    (rule("x", category="governance", owasp="API2:2023"), "governance"),
    (rule("owasp:api4:2023-string-limit"), "data-validation"),
    (rule("owasp:api3:2023-no-additionalProperties"), "data-validation"),
    (rule("owasp:api2:2023-no-http-basic"), "security"),
    (rule("custom-thing", owasp="API8:2023"), "security"),
    (rule("oas3-schema"), "data-validation"),
    (rule("oas3-valid-media-example"), "data-validation"),
    (rule("info-contact"), "governance"),
    (rule("my-company-rule"), "governance"),
])
def test_category(r, expected):
    assert category_of(r) == expected


def test_clean_document_scores_100():
    s = score_results([], operations=5)
    assert s.categories == {"security": 100, "data-validation": 100, "governance": 100} and s.overall == 100


def test_one_rule_with_many_results_does_not_zero_its_category_nor_touch_others():
    r = rule("owasp:api2:2023-no-http-basic")
    one = score_results(results(r, 1), operations=10)
    many = score_results(results(r, 500), operations=10)
    assert many.categories["security"] < one.categories["security"] < 100
    assert many.categories["security"] >= 50  # capped at 4x the weight: 50 / (50 + 40)
    assert many.categories["governance"] == many.categories["data-validation"] == 100


def test_distinct_rules_cost_more_than_repeats_of_one():
    rules = [rule(f"owasp:api2:2023-r{i}") for i in range(5)]
    distinct = score_results([res for r in rules for res in results(r, 1)], operations=10)
    repeated = score_results(results(rules[0], 5), operations=10)
    assert distinct.categories["security"] < repeated.categories["security"]


def test_same_proportion_of_problems_scores_the_same_at_any_size():
    r = rule("operation-description", Severity.WARN)
    small = score_results(results(r, 2), operations=10)
    large = score_results(results(r, 40), operations=200)
    assert small.categories == large.categories
    assert score_results(results(r, 40), operations=10).categories["governance"] < large.categories["governance"]


def test_weights_severity_and_per_rule():
    r = rule("info-contact", Severity.WARN)
    base = score_results(results(r, 1)).categories["governance"]
    assert base == round(100 * 50 / 53)
    assert score_results(results(r, 1), weights=parse_weights("warn=0")).categories["governance"] == 100
    doubled = rule("info-contact", Severity.WARN, weight=2)
    assert score_results(results(doubled, 1)).categories["governance"] == round(100 * 50 / 56)
    assert score_results(results(r, 4), operations=10).categories["governance"] == round(100 * 50 / (50 + 3 * (1 + math.log2(4 / 1))))


@pytest.mark.parametrize("bad", ["error", "error=x", "off=1", "warn=-1", "loud=3"])
def test_bad_weights(bad):
    with pytest.raises(ValueError):
        parse_weights(bad)


RULESET = textwrap.dedent("""\
    rules:
      info-contact-x:
        given: $.info
        severity: warn
        then: {field: contact, function: truthy}
      no-http:
        given: $.servers[*].url
        severity: error
        then: {function: pattern, functionOptions: {notMatch: "^http:"}}
        x-apigov: {category: security}
    """)
API = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\nservers:\n  - url: http://x.example\npaths: {}\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".spectral.yaml").write_text(RULESET)
    (tmp_path / "api.yaml").write_text(API)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_command_json_and_min_score(project, capsys):
    code, out, err = run(capsys, "score", "-f", "json", "api.yaml")
    assert code == 0
    [doc] = json.loads(out)
    assert doc["categories"] == {"security": round(100 * 50 / 60), "data-validation": 100, "governance": round(100 * 50 / 53)}
    assert {r["code"]: r["category"] for r in doc["rules"]} == {"no-http": "security", "info-contact-x": "governance"}
    code, _, err = run(capsys, "score", "--min-score", "90", "api.yaml")
    assert code == 1 and "security 83" in err and "governance" not in err
    code, _, err = run(capsys, "score", "--min-score", "90", "--score-weights", "error=1", "api.yaml")
    assert code == 0, err


def test_lint_summary_line_and_min_score(project, capsys):
    code, out, _ = run(capsys, "lint", "api.yaml")
    assert code == 1
    assert out.rstrip().splitlines()[-1] == "Score 92/100 (security 83, data-validation 100, governance 94)"
    code, out, err = run(capsys, "lint", "-r", str(project / ".spectral.yaml"), "-F", "error", "--score-weights", "error=0", "--min-score", "95", "api.yaml")
    assert code == 1 and "governance 94" in err and "security" not in err
    code, out, _ = run(capsys, "lint", "-f", "json", "api.yaml")
    assert "Score" not in out and json.loads(out)


def test_rules_and_explain(project, capsys):
    code, out, _ = run(capsys, "rules", "-r", "spectral:owasp", "--category", "data-validation", "-f", "json")
    rows = json.loads(out)
    assert code == 0 and rows and all(r["code"].startswith(("owasp:api3", "owasp:api4")) for r in rows)
    code, out, _ = run(capsys, "rules", "-r", "apigov:secrets", "--severity", "warn")
    assert code == 0 and "apigov-secret-high-entropy" in out and "apigov-secret-in-description" not in out and "1 rule(s)" in out
    code, out, _ = run(capsys, "explain", "owasp:api2:2023-no-http-basic")
    assert code == 0 and "Why it matters" in out and "scheme: basic" in out and "```" not in out
    code, _, err = run(capsys, "explain", "no-such-rule")
    assert code == 2 and "unknown rule" in err
    code, _, err = run(capsys, "rules", "--severity", "loud")
    assert code == 2
