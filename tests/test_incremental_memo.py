"""What makes incremental checks fast must not change their results.

- SubtreeMemo (apigov_ls/engine/subtree_memo.py) behind apigovSecrets and oasDocumentSchema at `$`;
- region_walk: apigov functions classified local / DEPENDS / FACTS, keys-only jobs kept on the
  spine, results of spine units reused (`_Reuse`).

Each test makes an edit after which a cached answer would be wrong if it were not invalidated,
and compares with a from-scratch lint of the same text.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apigov_ls.document.incremental import TextEdit
from apigov_ls.engine.functions.apigov_secrets import ENTROPY, scan_document
from apigov_ls.engine.ruleset import load_ruleset, load_ruleset_text
from apigov_ls.engine.schema_registry import document_validator
from apigov_ls.engine.subtree_memo import SubtreeMemo
from apigov_ls.incremental import IncrementalLinter
from apigov_ls.lint import lint_file

from test_incremental_lint import next_edits, result_key

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found beside the repository")

RECOMMENDED = load_ruleset("apigov:recommended")
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))


def assert_same_as_full(linter: IncrementalLinter, results, ruleset) -> None:
    expected = lint_file(linter.path, ruleset, text=linter.text).results
    got, want = Counter(map(result_key, results)), Counter(map(result_key, expected))
    assert got == want, {"only incremental": list(got - want)[:5], "only full": list(want - got)[:5], "mode": linter.last_mode}


def edit_at(linter: IncrementalLinter, anchor: str, old: str, new: str, ruleset=RECOMMENDED):
    i = linter.text.index(anchor) + anchor.index(old)
    results = linter.update([TextEdit(i, i + len(old), new)])
    assert linter.last_mode == "incremental"
    assert_same_as_full(linter, results, ruleset)
    return results


DOC = """\
openapi: 3.0.3
info:
  title: Memo
  version: "1"
  description: d
  contact: {name: x}
  license: {name: MIT, url: https://example.org}
servers:
  - url: https://api.example.org
tags:
  - name: pets
security: []
paths:
  /a:
    get:
      operationId: getA
      summary: Get A
      description: A
      tags: [pets]
      security:
        - key: []
      parameters:
        - name: limit
          in: query
          description: how many
          schema: {type: integer}
          example: 10
      responses:
        '200':
          description: ok
  /b:
    get:
      operationId: getB
      summary: ""
      description: B
      tags: [pets]
      responses:
        '200':
          description: ok
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    Token:
      type: object
      properties:
        token:
          type: string
          example: placeholder-value
"""


@pytest.fixture
def linter(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(DOC)
    return IncrementalLinter(str(path), RECOMMENDED, text=DOC)


# -- apigovSecrets ------------------------------------------------------------------------------------
def test_a_token_pasted_into_an_unchanged_document_is_found_and_its_removal_forgotten(linter):
    token = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5"
    assert not [r for r in linter.results if r.code == "apigov-secret-in-description"]
    results = edit_at(linter, "example: placeholder-value", "placeholder-value", token)
    assert [r.path for r in results if r.code == "apigov-secret-in-description"] == [
        ("components", "schemas", "Token", "properties", "token", "example")]
    results = edit_at(linter, "example: " + token, token, "placeholder-value")
    assert not [r for r in results if r.code == "apigov-secret-in-description"]


def test_the_secrets_memo_keys_a_subtree_by_its_owner_name_too():
    """The same object under another key: its `example` belongs to another name."""
    value = "q8Zr2Lx7Wm4Kp9Tn3Vb6"
    schema = {"type": "string", "example": value}
    as_secret = {"components": {"schemas": {"apiToken": schema}}}
    as_cursor = {"components": {"schemas": {"pageToken": schema}}}
    memo = SubtreeMemo()
    first = scan_document(as_secret, detect=(ENTROPY,), memo=memo)
    assert first == scan_document(as_secret, detect=(ENTROPY,)) and first
    assert scan_document(as_cursor, detect=(ENTROPY,), memo=memo) == scan_document(as_cursor, detect=(ENTROPY,)) == []


def test_the_secrets_memo_gives_paths_where_the_subtree_is_now():
    server = {"url": "https://ci:s3cr3t-Pa55w0rd-9921@api.example.com"}
    before = {"paths": {"/a": {"servers": [server]}}}
    after = {"paths": {"/z": {"servers": [server]}, "/a": {}}}
    memo = SubtreeMemo()
    scan_document(before, memo=memo)
    moved = scan_document(after, memo=memo)
    assert moved == scan_document(after)
    assert [p for p, _, _ in moved] == [("paths", "/z", "servers", 0, "url")]


def test_the_secrets_memo_of_example_values_keys_each_member_by_its_name_and_owner():
    """components.examples members (and root x- values) are memoized one by one: the same object
    under another name, or under an owner with another name, gives other hits."""
    value = "q8Zr2Lx7Wm4Kp9Tn3Vb6"
    example = {"value": value}
    memo = SubtreeMemo()
    docs = [
        {"components": {"examples": {"apiToken": example}}},
        {"components": {"examples": {"pageToken": example}}},  # same object, another key
        {"x-apiToken": {"apiToken": value}, "components": {"examples": {"apiToken": example}}},
        {"x-cursor": {"pageToken": value}, "components": {"examples": {"apiToken": example}}},
    ]
    for doc in docs:
        assert scan_document(doc, detect=(ENTROPY,), memo=memo) == scan_document(doc, detect=(ENTROPY,))
    assert scan_document(docs[0], detect=(ENTROPY,), memo=memo), "the value under apiToken is a hit"


def test_a_token_pasted_into_a_shared_example_is_found_after_an_edit_elsewhere_in_components(tmp_path):
    """An edit in components.schemas makes `components` a new object while components.examples
    stays the same: its memoized hits are kept, and an edit inside it is seen."""
    doc = DOC + """  examples:
    login:
      value:
        client_secret: placeholder
"""
    path = tmp_path / "doc.yaml"
    path.write_text(doc)
    linter = IncrementalLinter(str(path), RECOMMENDED, text=doc)
    edit_at(linter, "type: object", "object", "object\n      description: tokens")
    secret = "q8Zr2Lx7Wm4Kp9Tn3Vb6yH1"
    results = edit_at(linter, "client_secret: placeholder", "placeholder", secret)
    assert [r.path for r in results if r.code == "apigov-secret-high-entropy"] == [
        ("components", "examples", "login", "value", "client_secret")]
    results = edit_at(linter, "description: tokens", "tokens", "token holder")
    assert [r.path for r in results if r.code == "apigov-secret-high-entropy"] == [
        ("components", "examples", "login", "value", "client_secret")]
    results = edit_at(linter, "client_secret: " + secret, secret, "placeholder")
    assert not [r for r in results if r.code == "apigov-secret-high-entropy"]


# -- oasDocumentSchema --------------------------------------------------------------------------------
def _error_keys(errors):
    return [(e.keyword, e.instance_path, e.schema_path, e.message, sorted(map(str, e.params.items()))) for e in errors]


def test_the_document_schema_memo_reroots_errors_of_a_moved_subtree():
    bad_op = {"responses": "nope", "parameters": [{"name": "x", "in": "quer"}]}
    base = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}}
    first = dict(base, paths={"/a": {"get": bad_op}})
    moved = dict(base, paths={"/b": {"put": bad_op}, "/a": {"get": {"responses": {}}}})
    memo = SubtreeMemo()
    plain, memoized = document_validator("oas3_0"), document_validator("oas3_0", memo=True)
    assert _error_keys(memoized.errors(first, memo)) == _error_keys(plain.errors(first))
    assert len(memo) > 0
    errors = memoized.errors(moved, memo)
    assert _error_keys(errors) == _error_keys(plain.errors(moved))
    assert any(e.instance_path[:3] == ("paths", "/b", "put") for e in errors)


def test_an_operation_made_invalid_and_repaired_gives_the_full_checks_schema_errors(linter):
    results = edit_at(linter, "          in: query", "query", "quer")
    assert [r for r in results if r.code == "oas3-schema"]
    results = edit_at(linter, "          in: quer", "quer", "query")
    assert not [r for r in results if r.code == "oas3-schema"]


# -- region_walk ---------------------------------------------------------------------------------------
def test_a_fact_about_all_operations_rechecks_the_others(linter):
    """apigov-sec-operation-unsecured on /b depends on whether any operation enforces security."""
    assert [r.path for r in linter.results if r.code == "apigov-sec-operation-unsecured"] == [("paths", "/b", "get")]
    edit_at(linter, "        - key: []", "- key: []", "[]")
    assert not [r for r in linter.results if r.code == "apigov-sec-operation-unsecured"]


def test_root_servers_read_by_operation_rules_recheck_them(linter):
    """/a sends its API key to the root servers: one of them becomes plain HTTP."""
    code = "apigov-sec-operation-api-key-over-http"
    assert not [r for r in linter.results if r.code == code]
    results = edit_at(linter, "  - url: https://api", "https", "http")
    assert [r.path[:3] for r in results if r.code == code] == [("paths", "/a", "get")]


_VALUE_RULESET = """\
rules:
  summary-value:
    given: $.paths
    message: 'summary {{value}} is empty'
    then:
      field: $..summary
      function: truthy
"""


def test_a_reused_spine_result_is_rebuilt_when_its_region_changed(tmp_path):
    """The function's output (path, message) stays the same; the rule's message prints the value."""
    ruleset = load_ruleset_text(_VALUE_RULESET, str(tmp_path / "rules.yaml"))
    path = tmp_path / "doc.yaml"
    path.write_text(DOC)
    linter = IncrementalLinter(str(path), ruleset, text=DOC)
    before = [r.message for r in linter.results if r.code == "summary-value"]
    results = edit_at(linter, 'summary: ""', '""', "0", ruleset)
    after = [r.message for r in results if r.code == "summary-value"]
    assert before != after and after == ["summary 0 is empty"]
    results = edit_at(linter, "description: A", "A", "AAA", ruleset)  # another region: kept, moved
    assert [r.message for r in results if r.code == "summary-value"] == after


# -- random edits, apigov:recommended -------------------------------------------------------------------
@needs_corpus
@pytest.mark.parametrize("name", ["oai/v3.0/petstore-expanded.yaml", "redocly/museum.yaml"])
@settings(max_examples=4, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_with_the_recommended_ruleset(name, data):
    path = CORPUS / name
    linter = IncrementalLinter(str(path), RECOMMENDED, text=path.read_text(encoding="utf-8"))
    for _ in range(6):
        for edit in next_edits(linter.text, data):
            assert_same_as_full(linter, linter.update([edit]), RECOMMENDED)


# -- oasPathParam (path-params) ------------------------------------------------------------------------
class _CheckedEditByEdit:
    """Stands for an IncrementalDocument: the memos are kept for documents re-checked edit by edit."""

    incremental = True


def test_the_path_params_memo_keys_a_path_item_by_its_template_too():
    from types import SimpleNamespace

    from apigov_ls.engine.functions.oas_path_params import oas_path_param

    item = {"get": {"parameters": [{"name": "id", "in": "path", "required": True}], "responses": {}}}
    context = SimpleNamespace(document=_CheckedEditByEdit())
    assert oas_path_param({"/a/{id}": item}, None, context) == []
    moved = {"/b": item}
    assert oas_path_param(moved, None, context) == oas_path_param(moved, None, SimpleNamespace(document=None))
    assert [r["path"] for r in oas_path_param(moved, None, context)] == [("paths", "/b", "get", "parameters", 0)]


def test_a_path_parameter_edited_in_one_path_item_is_reported(tmp_path):
    doc = DOC.replace("  /b:\n", "  /b/{id}:\n    parameters:\n      - {name: id, in: path, required: true, schema: {type: string}}\n")
    path = tmp_path / "doc.yaml"
    path.write_text(doc)
    linter = IncrementalLinter(str(path), RECOMMENDED, text=doc)
    assert not [r for r in linter.results if r.code == "path-params"]
    results = edit_at(linter, "in: path, required: true", "true", "false")
    assert [r.path for r in results if r.code == "path-params"] == [("paths", "/b/{id}", "parameters", 0)]


OPS_DOC = """\
openapi: 3.0.3
info: {title: Ops, version: "1", description: d, contact: {name: x}}
tags:
  - name: pets
paths:
  /a:
    get:
      operationId: getA
      tags: [pets]
      responses: {'200': {description: ok}}
  /b:
    get:
      operationId: getB
      tags: [pets, owners]
      responses: {'200': {description: ok}}
    put:
      operationId: putB
      tags: [pets]
      responses: {'200': {description: ok}}
"""


def test_operation_ids_and_tags_kept_per_path_item_follow_each_edit(tmp_path):
    """oasOpIdUnique / oasTagDefined keep each path item's operationIds and tags between edits:
    a duplicate typed in one item, a tag renamed in another, the global tags edited."""
    ruleset = load_ruleset("spectral:oas")
    path = tmp_path / "ops.yaml"
    path.write_text(OPS_DOC)
    linter = IncrementalLinter(str(path), ruleset, text=OPS_DOC)

    def codes(results):
        return sorted((r.code, r.path[1]) for r in results if r.code in ("operation-operationId-unique", "operation-tag-defined"))

    assert codes(linter.results) == [("operation-tag-defined", "/b")]
    steps = [
        ("operationId: putB", "operationId: getA"),  # duplicate of /a's
        ("tags: [pets, owners]", "tags: [pets, owner]"),
        ("operationId: getA\n      tags: [pets]\n      responses: {'200': {description: ok}}\n  /b", "operationId: getZ\n      tags: [pets]\n      responses: {'200': {description: ok}}\n  /b"),
        ("  - name: pets\n", "  - name: pets\n  - name: owner\n"),
    ]
    seen = []
    for old, new in steps:
        i = linter.text.index(old)
        results = linter.update([TextEdit(i, i + len(old), new)])
        assert_same_as_full(linter, results, ruleset)
        seen.append(codes(results))
    assert seen[0] == [("operation-operationId-unique", "/b"), ("operation-tag-defined", "/b")]
    assert seen[2] == [("operation-tag-defined", "/b")]
    assert seen[3] == []


# -- per-match results of re-walked regions (region_walk._evaluate_reusing) -----------------------------
SHARED_SCHEMA_DOC = """\
openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /p:
    get:
      description: list pets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  pet: {$ref: '#/components/schemas/Pet'}
              example: {pet: {name: 5}}
  /q:
    get:
      description: other
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object}
              example: {anything: 1}
components:
  schemas:
    Pet:
      description: a pet
      type: object
      properties:
        name: {type: integer}
"""


def test_a_component_edit_rechecks_the_examples_that_use_it(tmp_path):
    """Regions reading an edited component keep the resolved subtrees that do not read it (and their
    results); those that do are resolved and checked again."""
    path = tmp_path / "doc.yaml"
    path.write_text(SHARED_SCHEMA_DOC)
    linter = IncrementalLinter(str(path), RECOMMENDED, text=SHARED_SCHEMA_DOC)
    example_at = ("paths", "/p", "get", "responses", "200", "content", "application/json", "example", "pet", "name")
    assert not [r for r in linter.results if r.code == "oas3-valid-media-example"]
    results = edit_at(linter, "name: {type: integer}", "integer", "string")
    assert [r.path for r in results if r.code == "oas3-valid-media-example"] == [example_at]
    results = edit_at(linter, "description: a pet", "a pet", "a pet, typed")
    assert [r.path for r in results if r.code == "oas3-valid-media-example"] == [example_at]
    results = edit_at(linter, "name: {type: string}", "string", "integer")
    assert not [r for r in results if r.code == "oas3-valid-media-example"]


def test_matches_whose_value_is_unchanged_are_not_evaluated_again(tmp_path, monkeypatch):
    from apigov_ls.engine import region_walk

    path = tmp_path / "doc.yaml"
    path.write_text(SHARED_SCHEMA_DOC)
    linter = IncrementalLinter(str(path), RECOMMENDED, text=SHARED_SCHEMA_DOC)
    edit_at(linter, "name: {type: integer}", "integer", "string")
    evaluated: Counter = Counter()
    counting = region_walk._evaluate_counting

    def spy(document, rule, matches, resolved):
        evaluated[rule.name] += len(matches)
        return counting(document, rule, matches, resolved)

    monkeypatch.setattr(region_walk, "_evaluate_counting", spy)
    results = edit_at(linter, "description: list pets", "list pets", "list all pets")
    assert [r.code for r in results].count("oas3-valid-media-example") == 1
    # the edited operation is walked again, but its media object is the same object as before
    assert evaluated["oas3-valid-media-example"] == 0
    assert evaluated["operation-description"] == 1


# -- SubtreeMemo.per_item and the secrets scan's per-member hits ---------------------------------------
def test_per_item_reuses_members_that_are_the_same_object_under_the_same_key():
    memo = SubtreeMemo()
    calls: list = []

    def compute(key, item):
        calls.append(key)
        return (key, item.get("v"))

    a, b, c = {"v": 1}, {"v": 2}, {"v": 3}
    assert memo.per_item({"a": a, "b": b, "c": c}, compute) == [("a", 1), ("b", 2), ("c", 3)]
    assert calls == ["a", "b", "c"]
    calls.clear()
    b2 = {"v": 20}  # an edited member, in place
    assert memo.per_item({"a": a, "b": b2, "c": c}, compute) == [("a", 1), ("b", 20), ("c", 3)]
    assert calls == ["b"]
    calls.clear()
    # a member inserted before the others, one renamed (same object, another key), one dropped
    assert memo.per_item({"z": {"v": 0}, "a": a, "bb": b2, "x": 5}, compute) == [("z", 0), ("a", 1), ("bb", 20)]
    assert calls == ["z", "bb"]


def test_the_secrets_scan_reuses_a_members_hits_only_for_the_same_value_and_owner():
    """A mapping met again as a new object keeps its members' hits; a member whose value keys now
    belong to another `name` is scanned again."""
    value = "q8Zr2Lx7Wm4Kp9Tn3Vb6"
    param = {"name": "api_token", "in": "query", "example": value}
    memo = SubtreeMemo()
    for doc in (
        {"paths": {"/a": {"get": {"parameters": [param]}}}},
        {"paths": {"/a": {"get": {"parameters": [dict(param, name="page_cursor")]}}}},
        {"paths": {"/a": {"get": {"parameters": [param]}}, "/b": {}}},
        {"paths": {"/b": {}, "/a": {"get": {"parameters": [param]}}}},
    ):
        assert scan_document(doc, detect=(ENTROPY,), memo=memo) == scan_document(doc, detect=(ENTROPY,))
    memo = SubtreeMemo()
    holder = {"name": "api_token", "example": value}
    scan_document({"components": {"headers": {"H": holder}}}, detect=(ENTROPY,), memo=memo)
    renamed = {"components": {"headers": {"H": dict(holder, name="cursor")}}}
    assert scan_document(renamed, detect=(ENTROPY,), memo=memo) == scan_document(renamed, detect=(ENTROPY,)) == []


def test_a_new_json_schema_dialect_rechecks_every_example(tmp_path):
    """oasExample validates through oasSchema, which reads the root's jsonSchemaDialect: editing it
    re-runs the example rules everywhere (they kept their old results before)."""
    doc = """\
openapi: 3.1.0
info: {title: D, version: "1"}
jsonSchemaDialect: https://json-schema.org/draft/2020-12/schema
paths:
  /p:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: array
                prefixItems:
                  - type: string
              example: [1]
"""
    path = tmp_path / "doc.yaml"
    path.write_text(doc)
    linter = IncrementalLinter(str(path), RECOMMENDED, text=doc)
    assert [r.code for r in linter.results].count("oas3-valid-media-example") == 1  # 1 is not a string
    draft4 = "http://json-schema.org/draft-04/schema#"  # no prefixItems there: the example is valid
    old = "https://json-schema.org/draft/2020-12/schema"
    results = edit_at(linter, "jsonSchemaDialect: " + old, old, draft4)
    assert "oas3-valid-media-example" not in [r.code for r in results]
