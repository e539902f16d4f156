"""The OWASP ruleset's own rule tests (spectral-owasp-ruleset), run against rules/spectral-owasp.yaml.

Each record of ../shared/conformance/spectral-owasp.json is one upstream `testRule` case. As
upstream does, only the rule under test is on (`extends: [[spectral:owasp, off]]` plus
`rules: {<rule>: true}`), the document is linted in memory (results inside $ref'd content stay
where the $ref is used: merge_duplicates=False), and results are filtered to the rule's code.
Expected and actual results are compared as a multiset of (code, path, message), plus severity
where the case gives one; a `null` field is not checked. Cases marked `quarantine` in the data
(an upstream expectation that Spectral itself does not meet) are left out with their reason.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from apigov_ls.document.model import build_document
from apigov_ls.engine.ruleset import load_ruleset, load_ruleset_text
from apigov_ls.engine.runner import lint_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CASES_FILE = SHARED / "conformance" / "spectral-owasp.json"

if not CASES_FILE.is_file():
    pytest.skip(f"conformance data not found at {CASES_FILE}", allow_module_level=True)

CASES: list[dict] = json.loads(CASES_FILE.read_text(encoding="utf-8"))


def case_param(case: dict):
    marks = []
    if case.get("quarantine"):
        marks.append(pytest.mark.skip(reason=f"quarantined upstream case: {case['quarantine']}"))
    return pytest.param(case, id=case["id"], marks=marks)


@lru_cache(maxsize=None)
def ruleset_for(rule: str):
    """The upstream tester's ruleset: everything in spectral:owasp off, then the one rule on."""
    text = json.dumps({"extends": [["spectral:owasp", "off"]], "rules": {rule: True}})
    return load_ruleset_text(text, str(Path(__file__).parent / f"conformance-{rule}.spectral.json"))


def lint_case(case: dict) -> list:
    # a fake path: the text is given, nothing is read from disk (the documents have no external refs)
    fake_path = str(Path(__file__).parent / "conformance-documents" / "case.json")
    document = build_document(fake_path, json.dumps(case["document"]))
    results = lint_document(document, ruleset_for(case["rule"]), merge_duplicates=False)
    return spectral_unique([r for r in results if r.code == case["rule"]])


def spectral_unique(results: list) -> list:
    """Spectral drops results with the same fingerprint (code, path, message, source)."""
    seen: set = set()
    out = []
    for r in results:
        key = (r.code, tuple(str(p) for p in r.path), r.message, r.source)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def unmatched(expected: list[dict], actual: list) -> tuple[list, list]:
    """Pair expected with actual results; return (expected left over, actual left over)."""
    remaining = list(actual)
    missing: list[dict] = []

    def fits(exp: dict, res) -> bool:
        if exp.get("path") is not None and [str(p) for p in res.path] != exp["path"]:
            return False
        if exp.get("severity") is not None and int(res.severity) != exp["severity"]:
            return False
        if exp.get("message") is not None and res.message != exp["message"]:
            return False
        return exp["code"] == res.code

    # exact paths first, so a wildcard (null path) does not take a result an exact one needs
    for exp in sorted(expected, key=lambda e: e.get("path") is None):
        for res in remaining:
            if fits(exp, res):
                remaining.remove(res)
                break
        else:
            missing.append(exp)
    return missing, remaining


def describe(results) -> list[tuple]:
    return [(r.code, [str(p) for p in r.path], r.message, int(r.severity)) for r in results]


@pytest.mark.parametrize("case", [case_param(c) for c in CASES])
def test_spectral_owasp_case(case: dict) -> None:
    actual = lint_case(case)
    missing, extra = unmatched(case["errors"], actual)
    assert not missing and not extra, (
        f"{case['id']} ({case['name']}):\n  expected but not found: {missing}\n  found but not expected: {describe(extra)}"
    )


def test_quarantined_case_is_the_known_one() -> None:
    """Exactly one case is quarantined: no-additionalProperties#4 expects one result of any shape
    for `additionalProperties: false`, which neither Spectral nor we report."""
    quarantined = [c for c in CASES if c.get("quarantine")]
    assert [c["id"] for c in quarantined] == ["owasp:api3:2023-no-additionalProperties#4"]
    assert lint_case(quarantined[0]) == []


def test_every_tested_rule_is_in_the_ruleset() -> None:
    ruleset = load_ruleset("spectral:owasp")
    tested = {c["rule"] for c in CASES}
    assert len(tested) == 30
    untested = set(ruleset.rules) - tested
    # the two rules npm 2.0.1 ships without an upstream test (tests/test_rules_owasp.py covers them)
    assert untested == {"owasp:api2:2023-read-restricted", "owasp:api2:2023-write-restricted"}
