"""apigov:governance: every rule, for every OpenAPI version it applies to, on at least two
failing and one passing document (tests/data/governance/cases.yaml), on content inside
referenced files (tests/data/governance/refs, `# expect:` markers), on its own x-apigov
examples, and on the corpus (no rule errors; no per-operation rule firing on every operation
of every document)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from apigov_rule_cases import (
    DATA,
    case_table,
    deep_merge,
    example_rows,
    expected_markers,
    lint_data,
    lint_text,
    pointer_of,
    reported,
    version_bases,
)
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.lint import lint_file

NAME = "apigov:governance"
CASES = DATA / "governance" / "cases.yaml"
BASES, ROWS = case_table(CASES)
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset(NAME)


@pytest.mark.parametrize(
    "rule,version,kind,family,patch,at", ROWS, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in ROWS]
)
def test_case(ruleset, tmp_path, rule, version, kind, family, patch, at) -> None:
    base = dict(version_bases(BASES, family))[version]
    results = [r for r in lint_data(deep_merge(base, patch), ruleset, tmp_path) if r.code == rule]
    if at is None:
        assert results == [], [r.message for r in results]
    else:
        assert sorted(pointer_of(r) for r in results) == sorted(at), [r.message for r in results]


@pytest.mark.parametrize("family", ["oas2", "oas3"])
def test_bases_give_no_result(ruleset, tmp_path, family) -> None:
    for _, base in version_bases(BASES, family):
        assert [(r.code, r.message) for r in lint_data(base, ruleset, tmp_path)] == []


def test_every_rule_has_cases_for_each_version_it_applies_to(ruleset) -> None:
    have = Counter((row[0], row[3], row[2][:4]) for row in ROWS)
    for rule in ruleset.rules.values():
        families = [f for f in ("oas2", "oas3") if rule.formats is None or f in rule.formats]
        assert families, rule.name
        for family in families:
            versions = len(version_bases(BASES, family))
            assert have[(rule.name, family, "fail")] >= 2 * versions, (rule.name, family)
            assert have[(rule.name, family, "pass")] >= versions, (rule.name, family)
    assert {r[0] for r in ROWS} <= set(ruleset.rules), "cases name rules that do not exist"


@pytest.mark.parametrize("fixture,root", [("oas2", "swagger.yaml"), ("oas30", "openapi.yaml"), ("oas31", "openapi.yaml")])
def test_results_inside_referenced_files(ruleset, fixture, root) -> None:
    folder = DATA / "governance" / "refs" / fixture
    expected = expected_markers(folder)
    assert any(file != root for file, _, _ in expected)
    assert reported(folder, root, ruleset) == expected


@pytest.mark.parametrize("rule,fail,passing", example_rows(NAME), ids=[r[0] for r in example_rows(NAME)])
def test_documentation_examples(ruleset, tmp_path, rule, fail, passing) -> None:
    """The fail example triggers the rule; the fixed one does not, and fixes nothing else into a problem."""
    failed = lint_text(fail, ruleset, tmp_path, "fail")
    passed = lint_text(passing, ruleset, tmp_path, "pass")
    assert rule in failed
    assert rule not in passed
    assert passed <= failed, passed - failed


_OWASP = re.compile(r"^API(10|[1-9]):2023$")


def test_rule_metadata(ruleset) -> None:
    for rule in ruleset.rules.values():
        assert re.fullmatch(r"apigov-gov-[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.documentation_url == f"https://github.com/apigov-ls/apigov-ls/blob/main/docs/rules/{rule.name}.md"
        meta = rule.extensions["x-apigov"]
        assert set(meta) <= {"category", "owasp", "postman", "why", "fix", "examples"}, rule.name
        assert meta["category"] in ("security", "data-validation", "governance")
        assert "owasp" not in meta or _OWASP.match(meta["owasp"]), rule.name
        for key in ("postman", "why", "fix"):
            assert isinstance(meta[key], str) and meta[key].strip(), (rule.name, key)
        assert set(meta["examples"]) == {"fail", "pass"}


def test_messages_name_the_operation_parameter_and_schema(ruleset, tmp_path) -> None:
    base = dict(version_bases(BASES, "oas3"))["3.1"]
    doc = deep_merge(base, {
        "paths": {"/pets": {"get": {"summary": None, "parameters": [{"name": "limit", "in": "query", "example": 1}]}}},
        "components": {"schemas": {"Pet": {"properties": {"name": {"description": None}}}}},
    })
    messages = {r.code: r.message for r in lint_data(doc, ruleset, tmp_path)}
    assert messages == {
        "apigov-gov-operation-summary": "Operation GET /pets has no summary",
        "apigov-gov-parameter-description": 'Parameter "limit" (query) has no description',
        "apigov-gov-property-description": 'Schema "Pet" property "name" has no description',
    }


def test_shared_content_is_reported_once(ruleset, tmp_path) -> None:
    """A parameter used by two operations through $ref gives one result, where it is defined."""
    base = dict(version_bases(BASES, "oas3"))["3.0"]
    shared = {"$ref": "#/components/parameters/Limit"}
    doc = deep_merge(base, {
        "paths": {"/pets": {"get": {"parameters": [shared]}}, "/pets/{id}": {"put": {"parameters": [shared]}}},
        "components": {"parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}, "example": 1}}},
    })
    results = [r for r in lint_data(doc, ruleset, tmp_path) if r.code == "apigov-gov-parameter-description"]
    assert [pointer_of(r) for r in results] == ["/components/parameters/Limit"]


def _small_corpus_roots(max_bytes: int) -> list[Path]:
    manifest = CORPUS / "MANIFEST.tsv"
    rows = [row.split("\t") for row in manifest.read_text(encoding="utf-8").splitlines()[1:] if row.strip()]
    return [CORPUS / row[0] for row in rows if int(row[7]) <= max_bytes]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_corpus_results_are_explainable(ruleset) -> None:
    """No rule crashes; no per-operation rule reports every operation of every document (a
    `given` that matches the wrong thing would)."""
    hit_everything: dict[str, list[bool]] = {}
    for root in _small_corpus_roots(60_000):
        report = lint_file(str(root), ruleset)
        assert [r.message for r in report.results if r.code == "rule-error"] == []
        data = report.document.resolved if report.document else None
        ops = {("paths", p, m) for p, item in (data or {}).get("paths", {}).items() if isinstance(item, dict)
               for m in item if m in ("get", "put", "post", "delete", "options", "head", "patch", "trace")}
        if not ops:
            continue
        per_rule: dict[str, set] = {}
        for r in report.results:
            if r.rule is not None and len(r.path) >= 3 and tuple(r.path[:3]) in ops:
                per_rule.setdefault(r.code, set()).add(tuple(r.path[:3]))
        for code in ruleset.rules:
            hit_everything.setdefault(code, []).append(per_rule.get(code, set()) >= ops)
    assert hit_everything
    assert [code for code, hits in hit_everything.items() if all(hits)] == []


# -- apigov:recommended ------------------------------------------------------------------------------------
RECOMMENDED_DOC = Path(__file__).resolve().parents[1] / "docs" / "recommended.md"


def test_recommended_governance_selection_matches_its_documentation() -> None:
    """docs/recommended.md's table says which governance rules are on; the ruleset agrees."""
    documented = {}
    for line in RECOMMENDED_DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `(apigov-gov-[a-z0-9-]+)` \| (on|off)", line)
        if m:
            documented[m.group(1)] = m.group(2) == "on"
    recommended = load_ruleset("apigov:recommended")
    governance = load_ruleset(NAME)
    assert set(documented) == set(governance.rules)
    assert {name: recommended.rules[name].enabled for name in documented} == documented


def test_recommended_has_all_security_rules_and_no_duplicates() -> None:
    recommended = load_ruleset("apigov:recommended")
    security = load_ruleset("apigov:security")
    assert all(recommended.rules[name].enabled for name in security.rules)
    duplicates = ["oas2-operation-security-defined", "oas3-operation-security-defined",
                  "owasp:api8:2023-no-server-http", "owasp:api8:2023-no-scheme-http",
                  "owasp:api2:2023-auth-insecure-schemes", "owasp:api2:2023-write-restricted",
                  "owasp:api2:2023-read-restricted", "info-description", "path-keys-no-trailing-slash"]
    on = {name for name in duplicates if recommended.rules[name].enabled}
    # spectral:oas keeps the info/path rules; apigov's duplicates of them are the ones switched off
    assert on == {"info-description", "path-keys-no-trailing-slash"}
    assert not recommended.rules["apigov-gov-info-description"].enabled
    assert not recommended.rules["apigov-gov-path-trailing-slash"].enabled


def test_recommended_reports_an_insecure_server_and_an_api_key_in_the_query_once(tmp_path) -> None:
    doc = deep_merge(dict(version_bases(BASES, "oas3"))["3.0"], {
        "servers": [{"url": "http://api.example.com"}],
        "security": [{"key": []}],
        "components": {"securitySchemes": {"key": {"type": "apiKey", "name": "api_key", "in": "query"}}},
    })
    codes = Counter(r.code for r in lint_data(doc, load_ruleset("apigov:recommended"), tmp_path))
    assert codes["apigov-sec-server-http"] == 1
    assert codes["apigov-sec-api-key-over-http"] == 1
    assert codes["owasp:api2:2023-no-api-keys-in-url"] == 1
    assert "owasp:api8:2023-no-server-http" not in codes
