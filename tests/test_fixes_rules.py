"""Every built-in fix, applied alone to documents written in four styles (YAML block with 2 and
4 spaces, YAML with flow leaves, JSON with 2 spaces and with tabs): the fixed text parses, the
targeted result is gone, no other rule reports more than before, and only the lines the edits
touch differ from the original."""

from __future__ import annotations

import copy
import io
import json
from collections import Counter

import pytest
from ruamel.yaml import YAML

from apigov_ls.document.model import FileLoader
from apigov_ls.document.parse import parse_text
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.fixes import apply_edits, fixable_codes, fixes_for
from apigov_ls.lint import lint_file

ALL_RULES = "extends: [[spectral:oas, all], [spectral:owasp, all], [apigov:security, all], [apigov:governance, all]]\n"

OAS3 = {
    "openapi": "3.0.3",
    "info": {"title": "Shop", "version": "1.0", "contact": {"name": "Team"}, "license": {"name": "MIT"}},
    "servers": [{"url": "http://api.shop.test/v1/", "description": "production", "x-internal": False}],
    "tags": [{"name": "zeta", "description": "z"}, {"name": "alpha", "description": "a"}, {"name": "alpha", "description": "a"}],
    "paths": {
        "/items/{itemId}/": {
            "get": {
                "summary": "Get an item.",
                "tags": ["alpha", "undeclared"],
                "security": [],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                    "204": {"description": "none", "content": {"text/plain": {"schema": {"type": "string", "maxLength": 5, "format": "byte"}}}},
                },
            }
        },
        "/orders": {
            "post": {
                "operationId": "createOrder",
                "responses": {"201": {"description": "created"}, "401": {"$ref": "#/components/responses/Unauthorized"}},
            }
        },
    },
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "query", "name": "key"},
            "oauth": {
                "type": "oauth2",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "http://auth.shop.test/authorize",
                        "tokenUrl": "https://auth.shop.test/token",
                        "refreshUrl": "https://auth.shop.test/refresh",
                        "scopes": {},
                    }
                },
            },
        },
        "responses": {
            "Unauthorized": {"description": "no", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
        },
        "schemas": {
            "Item": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "example": "a rather long item name"},
                    "count": {"type": "integer", "example": -3},
                    "labels": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "a"]}},
                    "meta": {"type": "object", "additionalProperties": {"type": "string", "enum": ["x"]}},
                    "problem": {"$ref": "#/components/schemas/Problem", "description": "ignored sibling"},
                },
            },
            "Problem": {"type": "object", "properties": {"title": {"type": "string", "enum": ["t"]}}},
            "Unused": {"type": "object"},
        },
    },
}

OAS2 = {
    "swagger": "2.0",
    "info": {"title": "Legacy", "version": "1"},
    "host": "legacy.test/",
    "schemes": ["http", "https"],
    "securityDefinitions": {"key": {"type": "apiKey", "in": "query", "name": "api_key"}},
    "paths": {
        "/things/{thingId}": {
            "get": {
                "summary": "List things.",
                "produces": ["application/json"],
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Thing"}}},
            }
        }
    },
    "definitions": {
        "Thing": {"type": "object", "properties": {"size": {"type": "integer"}, "name": {"type": "string"}}},
        "Orphan": {"type": "object"},
    },
}

OAS31 = {**OAS3, "openapi": "3.1.0"}


def _yaml(data, mapping, sequence, offset, flow) -> str:
    y = YAML()
    y.default_flow_style = None if flow else False
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    y.width = 4096
    buf = io.StringIO()
    y.dump(copy.deepcopy(data), buf)
    return buf.getvalue()


STYLES = {
    "yaml2": lambda d: ("yaml", _yaml(d, 2, 4, 2, False)),
    "yaml4-flow": lambda d: ("yaml", _yaml(d, 4, 4, 2, True)),
    "json2": lambda d: ("json", json.dumps(d, indent=2) + "\n"),
    "json-tabs": lambda d: ("json", json.dumps(d, indent="\t")),
}

#: rule code (@variant) -> (document, codes that may report more afterwards, and why)
CASES: dict[str, tuple[dict, set[str]]] = {
    "oas3-server-trailing-slash": (OAS3, set()),
    "oas2-host-trailing-slash": (OAS2, set()),
    "path-keys-no-trailing-slash": (OAS3, set()),
    "apigov-gov-path-trailing-slash": (OAS3, set()),
    "owasp:api8:2023-no-server-http": (OAS3, set()),
    "apigov-sec-server-http": (OAS3, set()),
    "apigov-sec-oauth-authorization-url-http": (OAS3, set()),
    "owasp:api8:2023-no-scheme-http": (OAS2, set()),
    "apigov-sec-schemes-http": (OAS2, set()),
    # the test document's server is plain HTTP: credentials now required there are reported
    "apigov-sec-global-security-missing": (OAS3, {"apigov-sec-api-key-over-http", "apigov-sec-oauth2-over-http"}),
    "apigov-sec-operation-security-empty": (OAS3, set()),
    "owasp:api2:2023-no-api-keys-in-url": (OAS3, set()),
    "duplicated-entry-in-enum": (OAS3, set()),
    "no-$ref-siblings": (OAS3, set()),
    "oas3-unused-component": (OAS3, set()),
    "oas2-unused-definition": (OAS2, set()),
    "owasp:api3:2023-no-additionalProperties": (OAS3, set()),
    "owasp:api4:2023-array-limit": (OAS3, set()),
    "owasp:api4:2023-string-limit": (OAS3, set()),
    "owasp:api4:2023-integer-format": (OAS3, set()),
    "owasp:api4:2023-integer-limit": (OAS31, set()),
    "owasp:api4:2023-integer-limit-legacy@3.0": (OAS3, set()),
    "owasp:api4:2023-integer-limit-legacy": (OAS2, set()),
    # a new 4xx/5xx response has no rate-limit headers or CORS headers of its own
    # (the reused Unauthorized component has no example)
    "owasp:api8:2023-define-error-responses-401": (OAS3, {"owasp:api4:2023-rate-limit", "apigov-gov-response-example"}),
    "owasp:api8:2023-define-error-responses-500": (OAS3, set()),
    "owasp:api4:2023-rate-limit-responses-429": (OAS3, {"owasp:api4:2023-rate-limit"}),
    "owasp:api8:2023-define-error-validation": (OAS3, {"owasp:api4:2023-rate-limit"}),
    "info-contact": (OAS2, set()),
    "contact-properties": (OAS3, set()),
    "info-license": (OAS2, set()),
    "license-url": (OAS3, set()),
    "info-description": (OAS3, set()),
    "operation-description": (OAS3, set()),
    "apigov-gov-operation-summary": (OAS3, set()),
    "apigov-gov-operation-summary-no-period": (OAS2, set()),
    "operation-operationId": (OAS3, set()),
    "openapi-tags-alphabetical": (OAS3, set()),
    "openapi-tags-uniqueness": (OAS3, set()),
    # declaring a tag by name only: the (off by default) tag-description rule then asks for its text
    "operation-tag-defined": (OAS3, {"tag-description"}),
    # the new declaration is a plain string parameter: the completeness rules then ask for more
    "path-params": (OAS3, {"owasp:api4:2023-string-limit", "owasp:api4:2023-string-restricted", "oas3-parameter-description",
                           "apigov-gov-parameter-description", "apigov-gov-parameter-example", "owasp:api2:2023-no-credentials-in-url"}),
    "apigov-gov-204-no-body": (OAS3, set()),
    "apigov-gov-schema-description": (OAS3, set()),
}

_rulesets: dict = {}


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory):
    path = tmp_path_factory.mktemp("rs") / ".spectral.yaml"
    path.write_text(ALL_RULES)
    return load_ruleset(str(path))


def _lint(path, text, ruleset):
    return lint_file(str(path), ruleset, loader=FileLoader({str(path): text}))


def _unchanged_outside(before: str, after: str, edits) -> bool:
    """Text before the first edit and after the last one is identical in both texts, and
    between edits the original text is kept (checked by finding each gap in order)."""
    edits = sorted(edits, key=lambda e: e.start_offset)
    first, last = edits[0].start_offset, edits[-1].end_offset
    if after[:first] != before[:first] or not after.endswith(before[last:]):
        return False
    pos = first
    for a, b in zip(edits, edits[1:]):
        gap = before[a.end_offset : b.start_offset]
        found = after.find(gap, pos)
        if found < 0:
            return False
        pos = found + len(gap)
    return True


def test_every_case_names_a_fixable_rule():
    assert {c.partition("@")[0] for c in CASES} <= fixable_codes()


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("code", list(CASES))
def test_fix(code, style, ruleset, tmp_path):
    doc, may_grow = CASES[code]
    code = code.partition("@")[0]
    syntax, text = STYLES[style](doc)
    path = tmp_path / f"api.{syntax}"
    before = _lint(path, text, ruleset)
    targets = [r for r in before.results if r.code == code]
    assert targets, f"the test document does not trigger {code}"
    result = targets[0]
    fixes = fixes_for(result, before.document)
    assert fixes, f"no fix offered for {code} at {result.location_path}"
    fix = fixes[0]
    assert fix.code == code and fix.safety.value in ("safe", "unsafe")
    assert {e.file for e in fix.edits} == {str(path)}
    fixed = apply_edits(text, fix.edits)

    parsed = parse_text(fixed, syntax=syntax)
    assert parsed.ok and not parsed.problems, parsed.problems

    # only the lines the edits touch differ; the rest stays byte for byte
    assert _unchanged_outside(text, fixed, fix.edits)
    assert sum(e.end_offset - e.start_offset for e in fix.edits) < len(text) / 4

    after = _lint(path, fixed, ruleset)
    same = [r for r in after.results if r.code == code and r.location_path == result.location_path and r.message == result.message]
    assert not same, f"{code} still reported at {result.location_path}"
    grew = {c for c, n in Counter(r.code for r in after.results).items() if n > Counter(r.code for r in before.results)[c]}
    assert grew <= may_grow, f"{code} fix made these rules report more: {grew - may_grow}"
