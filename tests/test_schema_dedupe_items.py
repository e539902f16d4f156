"""Document validators answer array items equal in content to an item met before in the same
validation from that item's result (schema_compiler._deduped): the errors must be those of a
validation without it, at each item's own path."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from apigov_ls.engine.schema_compiler import Compiler
from apigov_ls.engine.schema_registry import _schema_uri, base_registry, document_validator

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _plain(schema_name: str):
    reg = base_registry()
    return Compiler(reg, "draft2020-12", True).compile(reg.resources[_schema_uri(schema_name)])


def _as_tuples(errors) -> list[tuple]:
    return [(e.keyword, e.instance_path, e.schema_path, json.dumps(e.params, sort_keys=True, default=repr), e.message) for e in errors]


BAD = {"name": "limit", "in": "query", "type": "integer", "required": "yes", "x-1": 1}
GOOD = {"name": "limit", "in": "query", "type": "integer"}


def _swagger(parameters: list) -> dict:
    return {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {"get": {"parameters": parameters, "responses": {"200": {"description": "ok"}}}},
            "/b": {"get": {"parameters": copy.deepcopy(parameters), "responses": {"200": {"description": "ok"}}}},
        },
    }


def test_repeated_invalid_items_report_at_every_place() -> None:
    doc = _swagger([dict(BAD), GOOD, {"$ref": "#/parameters/x"}])
    deduped = document_validator("oas2_0").errors(doc)
    assert _as_tuples(deduped) == _as_tuples(_plain("oas2_0").errors(doc))
    places = {e.instance_path[:5] for e in deduped}
    assert ("paths", "/a", "get", "parameters", 0) in places
    assert ("paths", "/b", "get", "parameters", 0) in places


@pytest.mark.parametrize(
    "first, second",
    [
        ({"name": "a", "in": "query", "type": "string", "required": True},
         {"name": "a", "in": "query", "type": "string", "required": 1}),  # True is not 1
        ({"name": "a", "in": "query", "type": "number", "maximum": 1},
         {"name": "a", "in": "query", "type": "number", "maximum": 1.0}),
        ({"name": "a", "in": "query", "type": "string"},
         {"in": "query", "name": "a", "type": "string", "x-y": 1, "bogus": 2}),
        ({"name": "a", "in": "path", "type": "string", "required": True},
         {"name": "a", "in": "path", "type": "string", "required": False}),
    ],
)
def test_items_that_differ_only_in_type_or_order_are_not_mixed_up(first, second) -> None:
    for items in ([first, second], [second, first], [first, second, second, first]):
        doc = _swagger(copy.deepcopy(items))
        assert _as_tuples(document_validator("oas2_0").errors(doc)) == _as_tuples(_plain("oas2_0").errors(doc))


def test_the_memo_lives_for_one_validation() -> None:
    validator = document_validator("oas2_0")
    assert validator.errors(_swagger([GOOD, dict(GOOD, name="offset")])) == []
    bad = validator.errors(_swagger([dict(BAD), dict(BAD)]))
    assert bad and _as_tuples(bad) == _as_tuples(_plain("oas2_0").errors(_swagger([dict(BAD), dict(BAD)])))
    assert validator.dedupe_state.table is None


def test_oas3_document_results_unchanged() -> None:
    param = {"name": "q", "in": "query", "schema": {"type": "string"}, "allowEmptyValue": "no"}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {f"/p{i}": {"get": {"parameters": [dict(param), {"name": "r", "in": "query"}], "responses": {"200": {"description": "ok"}}}}
                  for i in range(3)},
    }
    deduped = document_validator("oas3_0").errors(doc)
    assert deduped and _as_tuples(deduped) == _as_tuples(_plain("oas3_0").errors(doc))


@pytest.mark.skipif(not (CORPUS / "kubernetes" / "swagger.json").is_file(), reason="shared corpus not found")
def test_kubernetes_with_broken_parameters_matches_a_plain_validation() -> None:
    doc = json.loads((CORPUS / "kubernetes" / "swagger.json").read_text())
    # break every 'pretty' parameter (repeated by hundreds of operations) and add a broken one
    for item in doc["paths"].values():
        for op in item.values():
            for p in op.get("parameters", []) if isinstance(op, dict) else op:
                if p.get("name") == "pretty":
                    p["in"] = "querystring"
    doc["paths"]["/extra"] = {"get": {"parameters": [{"name": "x", "in": "query"}], "responses": {"200": {"description": "ok"}}}}
    deduped = document_validator("oas2_0").errors(doc)
    assert len(deduped) > 100
    assert _as_tuples(deduped) == _as_tuples(_plain("oas2_0").errors(doc))
