"""The `schema`, `oasSchema` and `oasDocumentSchema` functions.

Expected messages below were produced by Spectral itself (@stoplight/spectral-functions 1.11.1,
@stoplight/spectral-rulesets 1.23.1, run under node on the same input/options/path). Spectral's
function returns JSON-pointer-escaped path segments and a `#{{print("property")}}` template that
its runner decodes and fills; the expectations here are those final forms.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from apigov_ls.engine.functions import FunctionOptionsError, get_function
from apigov_ls.engine.functions.oas_schema import document_schema_name, oas_document_schema, oas_schema
from apigov_ls.engine.functions.schema import run_schema
from apigov_ls.engine.types import UNDEFINED

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CONFORMANCE = SHARED / "conformance" / "spectral-oas.json"


def ctx(path=(), formats=None, data=None):
    return SimpleNamespace(
        path=tuple(path), document=SimpleNamespace(formats=formats, data=data), document_inventory=None, rule=None
    )


def run(value, options, path=()):
    return [(list(r["path"]), r["message"]) for r in run_schema(value, options, ctx(path))]


OBJ_REQ = {"type": "object", "required": ["b", "c"]}
ANY_TYPES = {"anyOf": [{"type": "string"}, {"type": "boolean"}]}
NONE_MATCHED = "None of the schemas matched, see the other errors reported for this value"

# (value, options, context path, Spectral's results)
SPECTRAL_CASES = [
    ({"a": 1}, {"schema": OBJ_REQ}, ["x"], [(["x"], '"x" property must have required property "b"')]),
    ({"a": 1}, {"schema": OBJ_REQ, "allErrors": True}, ["x"],
     [(["x"], '"x" property must have required property "b"'), (["x"], '"x" property must have required property "c"')]),
    ({"a": 1}, {"schema": {"required": ["b"]}}, [], [([], 'Object must have required property "b"')]),
    (5, {"schema": {"type": "string"}}, ["info", "version"], [(["info", "version"], '"version" property type must be string')]),
    (5, {"schema": {"type": "string"}}, [], [([], "Value type must be string")]),
    ("aa", {"schema": {"enum": ["aab", "b"]}}, ["e"],
     [(["e"], '"e" property must be equal to one of the allowed values: "aab", "b". Did you mean "aab"?')]),
    ({"a": 1, "b": 2, "c": 3}, {"schema": {"properties": {"a": {}}, "additionalProperties": False}, "allErrors": True}, ["x"],
     [(["x"], 'Property "b" is not expected to be here'), (["x"], 'Property "c" is not expected to be here')]),
    ({"a": 1, "b": 2, "c": 3}, {"schema": {"properties": {"a": {}}, "additionalProperties": False}}, ["x"],
     [(["x"], 'Property "b" is not expected to be here')]),
    (["a", 1, 2], {"schema": {"items": {"type": "string"}}, "allErrors": True}, ["tags"],
     [(["tags", 1], "Item at index 1 must be string"), (["tags", 2], "Item at index 2 must be string")]),
    (7, {"schema": {"maximum": 5, "exclusiveMaximum": True}, "dialect": "draft4"}, ["n"], [(["n"], '"n" property must be < 5')]),
    (5, {"schema": {"exclusiveMaximum": 5}, "dialect": "draft6"}, ["n"], [(["n"], '"n" property must be < 5')]),
    (5, {"schema": {"exclusiveMaximum": 5}, "dialect": "draft7"}, ["n"], [(["n"], '"n" property must be < 5')]),
    ({"a": 1}, {"schema": {"dependentRequired": {"a": ["b"]}}, "dialect": "draft2019-09"}, ["d"],
     [(["d"], '"d" property must have property b when property a is present')]),
    ([1, "x"], {"schema": {"prefixItems": [{"type": "integer"}, {"type": "integer"}]}, "dialect": "draft2020-12"}, ["d"],
     [(["d", 1], "Item at index 1 must be integer")]),
    ({"foo": {"a": 1, "b": 2}},
     {"schema": {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "properties": {"foo": {"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False}}}},
     ["p"], [(["p", "foo"], '"foo" property must not have unevaluated properties')]),
    ("bar@foo", {"schema": {"type": "string", "format": "email"}}, ["email"], [(["email"], '"email" property must match format "email"')]),
    ("abc", {"schema": {"type": "string", "format": "foo"}}, ["d"], []),
    (3000000000, {"schema": {"type": "integer", "format": "int32"}}, ["d"], [(["d"], '"d" property must match format "int32"')]),
    (1, {"schema": ANY_TYPES}, ["v"],
     [(["v"], '"v" property type must be string'), (["v"], '"v" property type must be boolean'),
      (["v"], f'"v" property must match a schema in anyOf. {NONE_MATCHED}')]),
    ({"a": {"b": 1}},
     {"schema": {"properties": {"a": {"anyOf": [{"properties": {"b": {"type": "string"}}},
                                               {"properties": {"b": {"type": "boolean"}}}]}}}, "allErrors": True},
     ["v"], [(["v", "a", "b"], '"b" property type must be string'), (["v", "a", "b"], '"b" property type must be boolean')]),
    (1, {"schema": {"oneOf": [{"type": "number"}, {"type": "integer"}]}}, ["v"],
     [(["v"], '"v" property must match exactly one schema in oneOf')]),
    ({"x": 5}, {"schema": {"if": {"properties": {"x": {"const": 5}}}, "then": {"required": ["y"]}}, "allErrors": True}, ["v"],
     [(["v"], '"v" property must have required property "y"'), (["v"], '"v" property must match "then" schema')]),
    ({"x": 5}, {"schema": {"if": {"properties": {"x": {"const": 5}}}, "then": {"required": ["y"]}}}, ["v"],
     [(["v"], '"v" property must have required property "y"')]),
    ({"a": "x"}, {"schema": {"definitions": {"s": {"type": "integer"}}, "properties": {"a": {"$ref": "#/definitions/s"}}}}, ["r"],
     [(["r", "a"], '"a" property type must be integer')]),
    ({"a": {"a": {"a": "x"}}},
     {"schema": {"$id": "http://example.com/tree", "type": "object",
                 "properties": {"a": {"anyOf": [{"$ref": "#"}, {"type": "integer"}]}}}}, ["r"],
     [(["r", "a", "a", "a"], '"a" property type must be object'), (["r", "a", "a", "a"], '"a" property type must be integer'),
      (["r", "a", "a", "a"], f'"a" property must match a schema in anyOf. {NONE_MATCHED}')]),
    (None, {"schema": {"type": "string", "nullable": True}}, ["n"], []),
    (None, {"schema": {"nullable": True}}, ["n"], [(["n"], '"nullable" cannot be used without "type"')]),
    ({"c": {"application/json": {"x": 1}}}, {"schema": {"properties": {"c": {"additionalProperties": {"required": ["schema"]}}}}},
     ["r"], [(["r", "c", "application/json"], '"application~1json" property must have required property "schema"')]),
    ({"a": "z"}, {"schema": {"properties": {"a": {"enum": ["x", "y"]}, "b": {}}, "required": ["b"]}, "allErrors": True}, ["r"],
     [(["r"], '"r" property must have required property "b"')]),
    ({"A": 1}, {"schema": {"propertyNames": {"pattern": "^[a-z]+$"}}}, ["m"],
     [(["m"], '"m" property must match pattern "^[a-z]+$"'), (["m"], '"m" property property name must be valid')]),
    # JavaScript regexes: \w is ASCII, \p is a plain "p" without the u flag, $ is the very end
    ("Z\u00fcrich", {"schema": {"type": "string", "pattern": "^[\\w\\s\\p{L}]+$"}}, ["city"],
     [(["city"], '"city" property must match pattern "^[\\w\\s\\p{L}]+$"')]),
    ("p{L}", {"schema": {"type": "string", "pattern": "^\\p{L}$"}}, ["city"], []),
    ("a\n", {"schema": {"type": "string", "pattern": "^a$"}}, ["p"], [(["p"], '"p" property must match pattern "^a$"')]),
    ("^[\\p{L}]+$", {"schema": {"type": "string", "format": "regex"}}, ["p"], []),
    ("[", {"schema": {"type": "string", "format": "regex"}}, ["p"], [(["p"], '"p" property must match format "regex"')]),
    # ajv-errors' errorMessage (Spectral enables it with allErrors)
    ({"a": 1}, {"schema": {"type": "object", "required": ["b"], "errorMessage": "bad thing"}, "allErrors": True}, ["x"],
     [(["x"], "bad thing")]),
    ({"a": 1}, {"schema": {"required": ["b"], "properties": {"a": {"type": "string"}}, "errorMessage": {"required": "need b"}},
                "allErrors": True}, ["x"],
     [(["x", "a"], '"a" property type must be string'), (["x"], "need b")]),
    ({"basic": {"t": 1}, "other": 5},
     {"schema": {"additionalProperties": {"type": "string"},
                 "errorMessage": {"properties": {"basic": "Invalid basic"}, "_": "Invalid rest"}}, "allErrors": True},
     ["s"], [(["s", "basic"], "Invalid basic"), (["s"], "Invalid rest")]),
]


@pytest.mark.parametrize("value,options,path,expected", SPECTRAL_CASES)
def test_schema_matches_spectral(value, options, path, expected):
    assert run(value, options, path) == [(list(p), m) for p, m in expected]


def test_missing_value_must_exist():
    assert run(UNDEFINED, {"schema": {"type": "string"}}, ["info", "title"]) == [(["info", "title"], '"title" property must exist')]
    assert run(UNDEFINED, {"schema": {"type": "string"}}) == [([], "The document must exist")]


def test_valid_values_give_no_results():
    schema = {"type": "object", "required": ["a"], "properties": {"a": {"type": "array", "items": {"type": "integer"}}}}
    assert run({"a": [1, 2, 3]}, {"schema": schema, "allErrors": True}) == []


@pytest.mark.parametrize("options", [
    {"schema": 5},
    {"schema": ["type", "string"]},
    {},
    {"schema": {}, "dialect": "draft3"},
    {"schema": {}, "allErrors": "yes"},
    {"schema": {}, "unknown": 1},
    {"schema": {"type": "strin"}},  # not a valid JSON Schema
])
def test_bad_options_raise(options):
    spec = get_function("schema")
    with pytest.raises(FunctionOptionsError):
        spec.check_options(options)


def test_good_options_are_accepted_and_compiled():
    spec = get_function("schema")
    opts = {"schema": {"$ref": "#/definitions/a", "definitions": {"a": {"type": "string"}}}, "dialect": "draft7"}
    assert spec.check_options(opts) == opts
    assert run(1, opts, ["x"]) == [(["x"], '"x" property type must be string')]


def test_unresolvable_ref_is_reported():
    with pytest.raises(FunctionOptionsError):
        get_function("schema").check_options({"schema": {"$ref": "#/definitions/missing"}})
    assert run(1, {"schema": {"$ref": "#/nope"}}, ["x"])[0][0] == ["x"]


# ---------------------------------------------------------------- oasSchema

OAS_CASES = [
    (5, {"type": "string", "nullable": True}, {"oas3", "oas3_0"}, [(["example"], '"example" property type must be string,null')]),
    (None, {"type": "string", "nullable": True}, {"oas3", "oas3_0"}, []),
    (5, {"type": "string", "x-nullable": True}, {"oas2"}, [(["example"], '"example" property type must be string,null')]),
    (None, {"type": "string", "x-nullable": True}, {"oas2"}, []),
    (0, {"type": "number", "minimum": 0, "exclusiveMinimum": True}, {"oas3", "oas3_0"}, [(["example"], '"example" property must be > 0')]),
    (0, {"type": "number", "exclusiveMinimum": 0}, {"oas3", "oas3_1"}, [(["example"], '"example" property must be > 0')]),
    ({"id": "x"}, {"type": "object", "required": ["url"]}, {"oas3", "oas3_0"},
     [(["example"], '"example" property must have required property "url"')]),
]


@pytest.mark.parametrize("value,schema,formats,expected", OAS_CASES)
def test_oas_schema_matches_spectral(value, schema, formats, expected):
    got = [(list(r["path"]), r["message"]) for r in oas_schema(value, {"schema": schema}, ctx(["example"], formats, {}))]
    assert got == [(list(p), m) for p, m in expected]


def test_document_schema_choice():
    assert document_schema_name({"oas2"}) == "oas2_0"
    assert document_schema_name({"oas3", "oas3_0"}) == "oas3_0"
    assert document_schema_name({"oas3", "oas3_1"}) == "oas3_1"
    assert document_schema_name({"oas3", "oas3_1", "oas3_2"}) == "oas3_2"
    assert document_schema_name(None) is None


def test_oas32_document_is_validated_with_the_32_schema():
    doc = {"openapi": "3.2.0", "info": {"title": "t", "version": "1"}, "paths": {}, "$self": "https://example.com/api"}
    assert oas_document_schema(doc, None, ctx((), {"oas3", "oas3_1", "oas3_2"}, doc)) == []
    bad = dict(doc, info={"title": "t"})
    got = oas_document_schema(bad, None, ctx((), {"oas3", "oas3_1", "oas3_2"}, bad))
    assert [(r["path"], r["message"]) for r in got] == [(("info",), '"info" property must have required property "version"')]


# ---------------------------------------------------------------- conformance: oas2-schema / oas3-schema


def _conformance_cases():
    if not CONFORMANCE.exists():
        return []
    return [c for c in json.loads(CONFORMANCE.read_text()) if c["rule"] in ("oas2-schema", "oas3-schema")]


@pytest.mark.skipif(not CONFORMANCE.exists(), reason="shared conformance data (../shared) is not present")
@pytest.mark.parametrize("case", _conformance_cases(), ids=lambda c: c["id"])
def test_document_schema_conformance(case):
    from apigov_ls.document.formats import detect_formats

    doc = case["document"]
    results = oas_document_schema(doc, None, ctx((), detect_formats(doc), doc)) or []
    # the rules' message is "{{error}}."; Spectral drops results repeating a path and message
    got = sorted({(tuple(str(p) for p in r["path"]), r["message"] + ".") for r in results})
    expected = sorted({(tuple(e["path"]), e["message"]) for e in case["errors"]})
    assert got == expected
