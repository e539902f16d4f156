"""spectral:oas on real documents from ../shared/corpus, against what Spectral 6.16.3
(spectral-rulesets 1.23.1, `extends: [[spectral:oas, all]]`, `spectral lint -f json`) reports
for the same files; plus the JavaScript behaviours the OpenAPI functions depend on.

The expected results below were produced by running Spectral itself on these files.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

import pytest

from apigov_ls.document.model import build_document
from apigov_ls.engine.functions.oas_common import js_number
from apigov_ls.engine.functions.oas_server_variables import _is_valid_url
from apigov_ls.engine.ruleset import load_ruleset_text
from apigov_ls.engine.runner import lint_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")

#: codes that come from the document loader, not from spectral:oas rules
NOT_RULES = {"unrecognized-format", "invalid-ref", "remote-ref"}


def lint_all_rules(rel_path: str) -> list[tuple[str, str, str]]:
    """(code, file relative to the corpus, dotted path in that file) for every spectral:oas rule, CLI-style."""
    ruleset = load_ruleset_text('extends: [["spectral:oas", "all"]]\n', str(Path(__file__).parent / "oas-all.spectral.yaml"))
    document = build_document(str(CORPUS / rel_path))
    out = []
    for r in lint_document(document, ruleset):
        if r.code in NOT_RULES:
            continue
        pointer = r.source_pointer if r.source_pointer is not None else r.path
        out.append((r.code, os.path.relpath(r.source, CORPUS), ".".join(str(p) for p in pointer)))
    return out


@needs_corpus
def test_petstore_v2_matches_spectral() -> None:
    doc = "oai/v2.0/json/petstore.json"
    expected = [
        ("openapi-tags", doc, ""),
        ("info-contact", doc, "info"),
        ("info-description", doc, "info"),
        ("license-url", doc, "info.license"),
        ("operation-description", doc, "paths./pets.get"),
        ("operation-tag-defined", doc, "paths./pets.get.tags.0"),
        ("operation-description", doc, "paths./pets.post"),
        ("operation-tag-defined", doc, "paths./pets.post.tags.0"),
        ("operation-description", doc, "paths./pets/{petId}.get"),
        ("operation-tag-defined", doc, "paths./pets/{petId}.get.tags.0"),
    ]
    assert Counter(lint_all_rules(doc)) == Counter(expected)


@needs_corpus
def test_multi_file_petstore_matches_spectral() -> None:
    """Content reached through $ref to other files; Spectral reports six results, all in the root."""
    doc = "oai/v2.0/yaml/petstore-separate/spec/swagger.yaml"
    expected = [
        ("openapi-tags", doc, ""),
        ("operation-tags", doc, "paths./pets.get"),
        ("operation-tags", doc, "paths./pets.post"),
        ("operation-tags", doc, "paths./pets/{id}.get"),
        ("operation-operationId-valid-in-url", doc, "paths./pets/{id}.get.operationId"),
        ("operation-tags", doc, "paths./pets/{id}.delete"),
    ]
    assert Counter(lint_all_rules(doc)) == Counter(expected)


@needs_corpus
def test_link_example_counts_match_spectral() -> None:
    counts = Counter(code for code, _, _ in lint_all_rules("oai/v3.0/link-example.yaml"))
    assert counts == {
        "oas3-api-servers": 1, "openapi-tags": 1, "info-contact": 1, "info-description": 1, "info-license": 1,
        "license-url": 1, "operation-description": 6, "operation-tags": 6, "oas3-parameter-description": 13,
    }


@needs_corpus
def test_callback_example_matches_spectral() -> None:
    doc = "oai/v3.0/callback-example.yaml"
    expected = [
        ("oas3-api-servers", doc, ""), ("openapi-tags", doc, ""), ("info-contact", doc, "info"),
        ("info-description", doc, "info"), ("info-license", doc, "info"), ("license-url", doc, "info"),
        ("operation-operationId", doc, "paths./streams.post"), ("operation-tags", doc, "paths./streams.post"),
    ]
    assert Counter(lint_all_rules(doc)) == Counter(expected)


@needs_corpus
def test_openapi_3_2_document_gets_the_3x_rules() -> None:
    """cafe.yaml is OpenAPI 3.2.0: Spectral 1.23.1 reports these 12 results (no oas3_2 xml finding)."""
    doc = "redocly/cafe.yaml"
    media = "paths./orders.post.requestBody.content.application/json.examples.OrderRequest"
    found = lint_all_rules(doc)
    counts = Counter(code for code, _, _ in found)
    assert counts == {
        "contact-properties": 1, "openapi-tags-alphabetical": 1,
        "oas3-examples-value-or-externalValue": 5, "oas3-valid-media-example": 5,
    }
    assert ("oas3-valid-media-example", doc, media) in found


# -- JavaScript behaviour the functions rely on (values checked with Node 20) ----------------------
@pytest.mark.parametrize(
    "text, number",
    [("200", 200), (" 200 ", 200), ("", 0), ("0x10", 16), ("1e2", 100), ("2XX", math.nan), ("default", math.nan), ("20O", math.nan)],
)
def test_response_codes_convert_like_javascript_number(text: str, number: float) -> None:
    got = js_number(text)
    assert (math.isnan(got) and math.isnan(number)) or got == number


@pytest.mark.parametrize(
    "url, valid",
    [
        ("https://{env}.x.io", True), ("http://1.2.3.256", False), ("https://", False), ("ssh://a", True),
        ("http://a b", False), ("https://a:99999", False), ("https://exa%41mple.com", True), ("http://0x7f.1", True),
        ("http://example.com.", True), ("https://a%2fb.com", False), ("foo://a b/x", False), ("http:example.com", True),
        ("https://a.b:80x", False), ("stoplight", False), ("https.test", False), ("https://stoplight.io:invalid%20port", False),
    ],
)
def test_server_url_validity_follows_whatwg_url(url: str, valid: bool) -> None:
    assert _is_valid_url(url) is valid
