"""Spectral's own spectral:oas rule tests, run against our port of the ruleset.

Each record of ../shared/conformance/spectral-oas.json is one upstream `testRule` case. As
upstream does, only the rule under test is on (`extends: [[spectral:oas, off]]` plus
`rules: {<rule>: true}`, so `recommended: false` rules run too), the document is linted in
memory (results inside $ref'd content stay where the $ref is used: merge_duplicates=False),
and results are filtered to the rule's code. Expected and actual results are compared as a
multiset of (code, path, message), plus severity where the case gives one; a `null` field is
not checked. Deliberate differences are listed in MESSAGE_DIFFERENCES with their reason.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from apigov_ls.document.model import build_document
from apigov_ls.engine.ruleset import load_ruleset, load_ruleset_text
from apigov_ls.engine.runner import lint_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CASES_FILE = SHARED / "conformance" / "spectral-oas.json"

if not CASES_FILE.is_file():
    pytest.skip(f"conformance data not found at {CASES_FILE}", allow_module_level=True)

CASES: list[dict] = json.loads(CASES_FILE.read_text(encoding="utf-8"))

#: cases whose expected message we deliberately do not produce, and why
MESSAGE_DIFFERENCES = {
    # The 2024-10 test snapshot has a typo that npm spectral-rulesets 1.23.1 fixed; we follow npm.
    "operation-operationId-valid-in-url#1": "upstream test expects the old typo "
    '"operationId must not characters ..."; spectral-rulesets 1.23.1 says "must not contain characters"',
}


@lru_cache(maxsize=None)
def ruleset_for(rule: str):
    """The upstream tester's ruleset: everything in spectral:oas off, then the one rule on."""
    text = json.dumps({"extends": [["spectral:oas", "off"]], "rules": {rule: True}})
    return load_ruleset_text(text, str(Path(__file__).parent / f"conformance-{rule}.spectral.json"))


def lint_case(case: dict) -> list:
    # a fake path: the text is given, nothing is read from disk (the document has no external refs)
    fake_path = str(Path(__file__).parent / "conformance-documents" / "case.json")
    document = build_document(fake_path, json.dumps(case["document"]))
    results = lint_document(document, ruleset_for(case["rule"]), merge_duplicates=False)
    return spectral_unique([r for r in results if r.code == case["rule"]])


def spectral_unique(results: list) -> list:
    """Spectral always drops results with the same fingerprint (code, path, message, source),
    e.g. one result per `then` entry at the same place (contact-properties) or a path-level
    parameter reported once per operation (path-params). merge_duplicates=False keeps them all."""
    seen: set = set()
    out = []
    for r in results:
        key = (r.code, tuple(str(p) for p in r.path), r.message, r.source)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def unmatched(expected: list[dict], actual: list, check_messages: bool) -> tuple[list, list]:
    """Pair expected with actual results; return (expected left over, actual left over)."""
    remaining = list(actual)
    missing: list[dict] = []

    def fits(exp: dict, res) -> bool:
        if exp.get("path") is not None and [str(p) for p in res.path] != exp["path"]:
            return False
        if exp.get("severity") is not None and int(res.severity) != exp["severity"]:
            return False
        if check_messages and exp.get("message") is not None and res.message != exp["message"]:
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


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_spectral_oas_case(case: dict) -> None:
    actual = lint_case(case)
    check_messages = case["id"] not in MESSAGE_DIFFERENCES
    missing, extra = unmatched(case["errors"], actual, check_messages)
    assert not missing and not extra, (
        f"{case['id']} ({case['name']}):\n  expected but not found: {missing}\n  found but not expected: {describe(extra)}"
    )


def test_message_differences_still_differ() -> None:
    """Each listed message difference is real: the (code, path) matches, the message does not."""
    by_id = {c["id"]: c for c in CASES}
    for case_id in MESSAGE_DIFFERENCES:
        case = by_id[case_id]
        actual = lint_case(case)
        assert not any(unmatched(case["errors"], actual, check_messages=False))
        missing, _ = unmatched(case["errors"], actual, check_messages=True)
        assert missing, f"{case_id} now matches upstream's message: drop it from MESSAGE_DIFFERENCES"


def test_every_tested_rule_is_in_the_ruleset() -> None:
    ruleset = load_ruleset("spectral:oas")
    tested = {c["rule"] for c in CASES}
    assert len(tested) == 56
    assert tested <= set(ruleset.rules), sorted(tested - set(ruleset.rules))


def test_recommended_flags_match_spectral() -> None:
    """The rules Spectral marks recommended: false (listed in the conformance README)."""
    not_recommended = {
        "contact-properties", "info-license", "license-url", "openapi-tags", "openapi-tags-alphabetical",
        "operation-singular-tag", "tag-description", "oas2-host-not-example", "oas2-parameter-description",
        "oas3-parameter-description", "oas3-server-not-example.com",
    }
    ruleset = load_ruleset("spectral:oas")
    assert {name for name, rule in ruleset.rules.items() if not rule.recommended} == not_recommended


def test_apigov_oas_is_the_same_ruleset() -> None:
    assert set(load_ruleset("apigov:oas").rules) == set(load_ruleset("spectral:oas").rules)


def test_unversioned_documents_get_no_oas_rule() -> None:
    """Rules without their own `formats` inherit the ruleset's: a non-OpenAPI document gets none."""
    document = build_document(str(Path(__file__).parent / "plain.json"), json.dumps({"info": {}, "paths": {"/a/": {}}}))
    codes = Counter(r.code for r in lint_document(document, load_ruleset("spectral:oas")))
    assert set(codes) == {"unrecognized-format"}
