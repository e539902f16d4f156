"""spectral:owasp beyond the upstream tests: the two rules npm 2.0.1 ships without a test
(owasp:api2:2023-read-restricted / -write-restricted), admin-security-unique edge cases, the
ported functions' options, and the ruleset's own metadata.

The expected results of the document cases were produced by Spectral itself (spectral-core
1.24.1 + @stoplight/spectral-owasp-ruleset 2.0.1, the upstream tester's set-up: only the rule
under test on, the document linted in memory), not by this project.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from apigov_ls.document.model import build_document
from apigov_ls.engine.ruleset import load_ruleset, load_ruleset_text
from apigov_ls.engine.runner import lint_document

READ = "owasp:api2:2023-read-restricted"
WRITE = "owasp:api2:2023-write-restricted"
ADMIN = "owasp:api5:2023-admin-security-unique"
READ_MSG = "This read operation is not protected by any security scheme."
WRITE_MSG = "This write operation is not protected by any security scheme."
ERROR, WARN = 0, 1

OK = {"200": {"description": "ok"}}
KEY_SCHEME = {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}

# no global security: operations rely on their own (missing, empty, or [{}]) requirements
NO_GLOBAL = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "components": {"securitySchemes": KEY_SCHEME},
    "paths": {
        "/things": {
            "get": {"responses": OK},
            "head": {"security": [], "responses": OK},
            "post": {"responses": OK},
            "options": {"responses": OK},
        },
        "/things/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"security": [{"key": []}], "responses": OK},
            "put": {"security": [{"key": []}], "responses": OK},
            "patch": {"security": [{}], "responses": OK},
            "delete": {"security": [], "responses": OK},
        },
    },
}
# a global requirement covers operations without their own; `security: []` opts out of it
WITH_GLOBAL = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "security": [{"key": []}],
    "components": {"securitySchemes": KEY_SCHEME},
    "paths": {
        "/things": {"get": {"responses": OK}, "post": {"responses": OK}, "delete": {"security": [], "responses": OK}},
        "/public": {"get": {"security": [{}], "responses": OK}},
    },
}
# OpenAPI 2 with an empty global list and an explicit `security: null`
EMPTY_GLOBAL_OAS2 = {
    "swagger": "2.0",
    "info": {"title": "t", "version": "1"},
    "security": [],
    "securityDefinitions": KEY_SCHEME,
    "paths": {
        "/a": {
            "get": {"responses": OK},
            "put": {"security": None, "responses": OK},
            "post": {"security": [{"key": []}], "responses": OK},
        }
    },
}
ALL_SECURED = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "security": [{"key": []}],
    "components": {"securitySchemes": KEY_SCHEME},
    "paths": {"/a": {"get": {"responses": OK}, "post": {"responses": OK}}},
}
ADMIN_SHARED = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/users": {"get": {"security": [{"key": []}, {"oauth": ["read"]}], "responses": OK}},
        "/admin/users": {
            "get": {"security": [{"oauth": ["read"]}], "responses": OK},
            "delete": {"security": [{"oauth": ["admin"]}], "responses": OK},
        },
        "/api/admin": {"post": {"security": [{"key": []}], "responses": OK}, "put": {"responses": OK}},
    },
}
# the comparison is on JSON text, so the same schemes in another key order count as different
ADMIN_KEY_ORDER = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/users": {"get": {"security": [{"a": [], "b": []}], "responses": OK}},
        "/admin": {"get": {"security": [{"b": [], "a": []}], "responses": OK}},
    },
}

#: (rule, document, [(path, severity, message)]) as Spectral reports them
SPECTRAL_CASES = [
    (READ, NO_GLOBAL, [
        (["paths", "/things", "get"], WARN, READ_MSG),
        (["paths", "/things", "head", "security"], WARN, READ_MSG),
    ]),
    (WRITE, NO_GLOBAL, [
        (["paths", "/things", "post"], ERROR, WRITE_MSG),
        (["paths", "/things/{id}", "delete", "security"], ERROR, WRITE_MSG),
    ]),
    (READ, WITH_GLOBAL, []),
    (WRITE, WITH_GLOBAL, [(["paths", "/things", "delete", "security"], ERROR, WRITE_MSG)]),
    (READ, EMPTY_GLOBAL_OAS2, [(["paths", "/a", "get"], WARN, READ_MSG)]),
    (WRITE, EMPTY_GLOBAL_OAS2, [(["paths", "/a", "put", "security"], ERROR, WRITE_MSG)]),
    (READ, ALL_SECURED, []),
    (WRITE, ALL_SECURED, []),
    (ADMIN, ADMIN_SHARED, [
        (["paths", "/admin/users", "get", "security", "0"], ERROR,
         "Admin endpoint /admin/users has the same security requirement as a non-admin endpoint."),
        (["paths", "/api/admin", "post", "security", "0"], ERROR,
         "Admin endpoint /api/admin has the same security requirement as a non-admin endpoint."),
    ]),
    (ADMIN, ADMIN_KEY_ORDER, []),
]
CASE_IDS = [
    "read-no-global", "write-no-global", "read-with-global", "write-with-global", "read-oas2-empty-global",
    "write-oas2-empty-global", "read-all-secured", "write-all-secured", "admin-shared", "admin-key-order",
]


@lru_cache(maxsize=None)
def only(rule: str):
    text = json.dumps({"extends": [["spectral:owasp", "off"]], "rules": {rule: True}})
    return load_ruleset_text(text, str(Path(__file__).parent / f"owasp-{rule}.spectral.json"))


def lint(document: dict, ruleset) -> list:
    doc = build_document(str(Path(__file__).parent / "owasp-case.json"), json.dumps(document))
    return lint_document(doc, ruleset, merge_duplicates=False)


@pytest.mark.parametrize(("rule", "document", "expected"), SPECTRAL_CASES, ids=CASE_IDS)
def test_matches_spectral(rule: str, document: dict, expected: list) -> None:
    actual = [([str(p) for p in r.path], int(r.severity), r.message) for r in lint(document, only(rule)) if r.code == rule]
    assert sorted(actual) == sorted(expected)


CHECK_SECURITY_STRICT = """
rules:
  strict-security:
    message: "{{error}}"
    given: $
    then:
      function: checkSecurity
      functionOptions: {schemesPath: [securitySchemes], nullable: false, methods: [get, patch]}
"""


def test_check_security_reports_empty_requirements_when_not_nullable() -> None:
    """With `nullable: false` (no built-in rule sets it) an empty `{}` requirement is reported too."""
    ruleset = load_ruleset_text(CHECK_SECURITY_STRICT, str(Path(__file__).parent / "strict.spectral.yaml"))
    found = sorted(([str(p) for p in r.path], r.message) for r in lint(NO_GLOBAL, ruleset) if r.code == "strict-security")
    assert found == [
        (["paths", "/things", "get"], "Operation has undefined security scheme in $.security."),
        (["paths", "/things/{id}", "patch", "security", "0"], "Operation referencing empty security scheme in /things/{id},patch."),
    ]


@pytest.mark.parametrize(("function", "options"), [
    ("checkSecurity", {"schemesPath": "securitySchemes"}),
    ("checkSecurity", {"method": ["get"]}),
    ("differentSecuritySchemes", {"adminUrl": 1}),
])
def test_bad_function_options_fail_the_ruleset(function: str, options: dict) -> None:
    text = json.dumps({"rules": {"r": {"given": "$", "then": {"function": function, "functionOptions": options}}}})
    with pytest.raises(Exception):
        load_ruleset_text(text, str(Path(__file__).parent / "bad.spectral.json"))


def test_admin_url_option() -> None:
    text = json.dumps({"rules": {"r": {"message": "{{error}}", "given": "$",
                                       "then": {"function": "differentSecuritySchemes", "functionOptions": {"adminUrl": "/internal"}}}}})
    ruleset = load_ruleset_text(text, str(Path(__file__).parent / "admin.spectral.json"))
    document = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/internal/x": {"get": {"security": [{"k": []}], "responses": OK}},
                  "/admin": {"get": {"security": [{"k": []}], "responses": OK}}},
    }
    found = [([str(p) for p in r.path], r.message) for r in lint(document, ruleset) if r.code == "r"]
    assert found == [(["paths", "/internal/x", "get", "security", "0"],
                      "Admin endpoint /internal/x has the same security requirement as a non-admin endpoint.")]


def test_both_names_load_the_32_rules() -> None:
    owasp = load_ruleset("spectral:owasp")
    assert len(owasp.rules) == 32
    assert set(load_ruleset("apigov:owasp").rules) == set(owasp.rules)
    assert all(rule.enabled for rule in owasp.rules.values())


def test_rule_metadata() -> None:
    """Each rule links to its page and names its OWASP 2023 category (the apiN of its code)."""
    for code, rule in load_ruleset("spectral:owasp").rules.items():
        assert rule.documentation_url == f"https://github.com/apigov-ls/apigov-ls/blob/main/docs/rules/{code.replace(':', '-')}.md"
        category = rule.extensions["x-apigov"]["owasp"]
        number = re.match(r"owasp:api(\d+):2023-", code).group(1)
        assert category == f"API{number}:2023", code
        assert rule.extensions["x-apigov"]["owaspTitle"]


def test_formats_limit_rules() -> None:
    """oas3-only rules stay quiet on OpenAPI 2, the oas2-only scheme rule on OpenAPI 3."""
    servers = {"servers": [{"url": "http://api.example.com"}], "schemes": ["http"]}
    oas2 = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}, **servers}
    oas3 = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, **servers}
    http_server, http_scheme = "owasp:api8:2023-no-server-http", "owasp:api8:2023-no-scheme-http"
    codes2 = {r.code for r in lint(oas2, load_ruleset("spectral:owasp"))}
    codes3 = {r.code for r in lint(oas3, load_ruleset("spectral:owasp"))}
    assert http_scheme in codes2 and http_server not in codes2
    assert http_server in codes3 and http_scheme not in codes3
