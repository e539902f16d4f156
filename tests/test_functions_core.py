"""Spectral's core functions: the upstream unit tests (packages/functions/src/__tests__/*.test.ts,
stoplightio/spectral), ported case by case, plus checks of the JS regex translation and message
printing whose expected values come from running real Spectral 1.24 / V8 (not from this code).

Harness = upstream tester.ts: the document is the input, `given: $`, optional `field`; options
go through the load-time check (FunctionSpec.check_options) exactly as a ruleset would.
Paths are the function's result path (absolute); upstream `path: []` means the context path.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from apigov_ls.engine.functions import FunctionOptionsError, get_function
from apigov_ls.engine.functions._spectral_text import js_number, message_vars, print_path, print_value, render
from apigov_ls.engine.jsregex import JsRegexError, compile_js, parse_regex_literal
from apigov_ls.engine.types import UNDEFINED, FunctionContext


class FakeDocument:
    def __init__(self, data, resolved=None, refs=(), source="/api/root.yaml", formats=()):
        self.data = self.unresolved = data
        self.resolved = data if resolved is None else resolved
        self.source = source
        self.formats = frozenset(formats)
        self.graph = SimpleNamespace(refs=list(refs))


def run(name, document, options=None, field=None, doc=None):
    """Spectral tester.ts: returns [(message, path)]; raises FunctionOptionsError for bad options."""
    spec = get_function(name)
    prepared = spec.check_options(options)
    doc = doc or FakeDocument(document)
    path, target = (), document
    if field is not None:
        path = (field,)
        target = document.get(field, UNDEFINED) if isinstance(document, dict) else UNDEFINED
    produced = spec.fn(target, prepared, FunctionContext(doc, doc, path, SimpleNamespace(resolved=True)))
    return [(r["message"], tuple(r.get("path", path))) for r in produced or []]


def options_error(name, options) -> str:
    with pytest.raises(FunctionOptionsError) as exc:
        get_function(name).check_options(options)
    return str(exc.value)


# --- truthy / falsy / defined / undefined (truthy.test.ts, falsy.test.ts, defined.test.ts) -------

@pytest.mark.parametrize("value", [True, 1, [], {}])
def test_truthy_accepts_truthy(value):
    assert run("truthy", value) == []


@pytest.mark.parametrize("value", [False, None, 0, ""])
def test_truthy_reports_falsy(value):
    assert run("truthy", value) == [("The document must be truthy", ())]


@pytest.mark.parametrize("value", [False, None, 0, ""])
def test_falsy_accepts_falsy(value):
    assert run("falsy", value) == []


@pytest.mark.parametrize("value", [True, 1, [], {}])
def test_falsy_reports_truthy(value):
    assert run("falsy", value) == [("The document must be falsy", ())]


@pytest.mark.parametrize("value", [True, 0, None])
def test_defined_accepts_defined(value):
    assert run("defined", value) == []


def test_defined_reports_missing_field():
    assert run("defined", {}, field="foo") == [('"foo" property must be defined', ("foo",))]


def test_undefined_reports_present_field_and_accepts_missing():
    assert run("undefined", {"foo": None}, field="foo") == [('"foo" property must be undefined', ("foo",))]
    assert run("undefined", {}, field="foo") == []


@pytest.mark.parametrize("name", ["truthy", "falsy", "defined", "undefined"])
def test_presence_functions_take_no_options(name):
    assert options_error(name, 2) == f'"{name}" function does not accept any options'


# --- xor (xor.test.ts, functions 1.11 wording) and or (or.test.ts) ---------------------------------

INFO = {"version": "1.0.0", "title": "Swagger Petstore", "termsOfService": "http://swagger.io/terms/"}


def test_xor():
    assert run("xor", INFO, {"properties": ["yada-yada", "whatever"]}) == [
        ('At least one of "yada-yada" or "whatever" must be defined', ())
    ]
    assert run("xor", INFO, {"properties": ["version", "title"]}) == [('Just one of "version" and "title" must be defined', ())]
    assert run("xor", None, {"properties": ["version", "title"]}) == []
    assert run("xor", INFO, {"properties": ["something", "title"]}) == []
    assert run("xor", INFO, {"properties": ["title", "version", "termsOfService"]}) == [
        ('Just one of "version" and "title" and "termsOfService" must be defined', ())
    ]
    assert run("xor", INFO, {"properties": ["a", "b", "c", "d", "e"]}) == [
        ('At least one of "a" or "b" or "c" or 2 other properties must be defined', ())
    ]
    assert run("xor", [], {"properties": ["foo", "bar"]}) == []


@pytest.mark.parametrize(
    "options, message",
    [
        (None, '"xor" function has invalid options specified. Example valid options: { "properties": ["country", "street"] }, { "properties": ["one", "two", "three"] }, etc.'),
        (2, '"xor" function has invalid options specified. Example valid options: { "properties": ["country", "street"] }, { "properties": ["one", "two", "three"] }, etc.'),
        ({"properties": ["foo", "bar"], "foo": True}, '"xor" function does not support "foo" option'),
        ({"properties": ["foo", {}]}, '"xor" requires at least two enumerated "properties", i.e. ["country", "street"], ["one", "two", "three"], etc.'),
        ({"properties": ["foo"]}, '"xor" requires at least two enumerated "properties", i.e. ["country", "street"], ["one", "two", "three"], etc.'),
        ({"properties": []}, '"xor" requires at least two enumerated "properties", i.e. ["country", "street"], ["one", "two", "three"], etc.'),
    ],
)
def test_xor_options(options, message):
    assert options_error("xor", options) == message


def test_or():
    assert run("or", INFO, {"properties": ["yada-yada", "whatever"]}) == [
        ('At least one of "yada-yada" or "whatever" must be defined', ())
    ]
    assert run("or", INFO, {"properties": ["version", "title"]}) == []
    assert run("or", None, {"properties": ["version", "title"]}) == []
    assert run("or", INFO, {"properties": ["something", "title"]}) == []
    fmt = {"type": "string", "format": "date"}
    assert run("or", fmt, {"properties": ["default", "pattern", "format"]}) == []
    assert run("or", {**fmt, "default": "2024-05-01"}, {"properties": ["default", "pattern", "format"]}) == []
    assert run("or", {**fmt, "default": "x", "pattern": "y"}, {"properties": ["default", "pattern", "format"]}) == []
    assert run("or", INFO, {"properties": ["version", "title", "termsOfService", "bar", "five"]}) == []
    assert run("or", INFO, {"properties": ["yada-yada", "foo", "bar", "four", "five"]}) == [
        ('At least one of "yada-yada" or "foo" or "bar" or 2 other properties must be defined', ())
    ]
    assert run("or", INFO, {"properties": ["title", "foo", "bar", "four"]}) == []
    assert run("or", [], {"properties": ["foo", "bar", "three"]}) == []


@pytest.mark.parametrize(
    "options, message",
    [
        (None, '"or" function has invalid options specified. Example valid options: { "properties": ["default", "example"] }, { "properties": ["title", "summary", "description"] }, etc.'),
        (2, '"or" function has invalid options specified. Example valid options: { "properties": ["default", "example"] }, { "properties": ["title", "summary", "description"] }, etc.'),
        ({"properties": ["foo", "bar"], "foo": True}, '"or" function does not support "foo" option'),
        ({"properties": ["foo", {}]}, '"or" requires at least two enumerated "properties", i.e. ["default", "example"], ["title", "summary", "description"], etc.'),
        ({"properties": []}, '"or" requires at least two enumerated "properties", i.e. ["default", "example"], ["title", "summary", "description"], etc.'),
    ],
)
def test_or_options(options, message):
    assert options_error("or", options) == message


# --- length (length.test.ts; functions 1.11 says "must be longer than" for min) --------------------

LENGTH_VALUES = ["123", 3, [1, 2, 3], {"one": 1, "two": 2, "three": 3}]


@pytest.mark.parametrize("value", LENGTH_VALUES)
def test_length(value):
    assert run("length", value, {"max": 2}) == [("The document must be shorter than 2", ())]
    assert run("length", value, {"min": 4}) == [("The document must be longer than 4", ())]
    assert run("length", value, {"min": 3, "max": 3}) == []


def test_length_counts_utf16_units_and_skips_booleans():
    assert run("length", "😀😀", {"max": 3}) == [("The document must be shorter than 3", ())]
    assert run("length", True, {"max": 0}) == []


@pytest.mark.parametrize(
    "options, message",
    [
        (None, '"length" function has invalid options specified. Example valid options: { "min": 2 }, { "max": 5 }, { "min": 0, "max": 10 }'),
        (2, '"length" function has invalid options specified. Example valid options: { "min": 2 }, { "max": 5 }, { "min": 0, "max": 10 }'),
        ({"min": 2, "foo": True}, '"length" function does not support "foo" option'),
        ({"min": "2"}, '"length" function and its "min" option accepts only the following types: number'),
        ({"max": "2"}, '"length" function and its "max" option accepts only the following types: number'),
        ({"min": "4", "max": "2"}, '"length" function and its "min" option accepts only the following types: number; "length" function and its "max" option accepts only the following types: number'),
    ],
)
def test_length_options(options, message):
    assert options_error("length", options) == message


# --- enumeration (enumeration.test.ts) --------------------------------------------------------------

def test_enumeration():
    assert run("enumeration", "x", {"values": ["x", "y", "z"]}) == []
    assert run("enumeration", "x", {"values": ["y", "z"]}) == [('"x" must be equal to one of the allowed values: "y", "z"', ())]
    assert run("enumeration", {}, {"values": ["test"]}) == []
    assert run("enumeration", "foo", {"values": ["foo", 2]}) == []


def test_enumeration_compares_like_javascript():
    # True == 1 in Python, not in JS
    assert run("enumeration", True, {"values": [1, None, 2.5]}) == [("true must be equal to one of the allowed values: 1, null, 2.5", ())]
    assert run("enumeration", 1, {"values": [1.0]}) == []


@pytest.mark.parametrize(
    "options, message",
    [
        ({"values": ["foo", 2], "foo": True}, '"enumeration" function does not support "foo" option'),
        ({"values": [{}]}, '"enumeration" and its "values" option support only arrays of primitive values, i.e. ["Berlin", "London", "Paris"]'),
        (None, '"enumeration" function has invalid options specified. Example valid options: { "values": ["Berlin", "London", "Paris"] }, { "values": [2, 3, 5, 8, 13, 21] }'),
        (2, '"enumeration" function has invalid options specified. Example valid options: { "values": ["Berlin", "London", "Paris"] }, { "values": [2, 3, 5, 8, 13, 21] }'),
    ],
)
def test_enumeration_options(options, message):
    assert options_error("enumeration", options) == message


# --- pattern (pattern.test.ts) ----------------------------------------------------------------------

def test_pattern():
    assert run("pattern", "abc", {"match": "[abc]+"}) == []
    assert run("pattern", "abc", {"match": "/[abc]+/"}) == []
    assert run("pattern", "aBc", {"match": "/[abc]+/im"}) == []
    assert run("pattern", "def", {"notMatch": "/[abc]+/i"}) == []
    assert run("pattern", "def", {"match": "/[def]+/", "notMatch": "/[abc]+/"}) == []
    for options in ({"match": "foo"}, {"notMatch": "foo"}, {"match": "foo", "notMatch": "bar"}):
        assert isinstance(run("pattern", "def", options), list)


def test_pattern_messages_print_the_value_at_the_path():
    assert run("pattern", "aBc", {"match": "^[ab]+$"}) == [('"aBc" must match the pattern "^[ab]+$"', ())]
    assert run("pattern", {"a": 'x"y'}, {"match": '^"', "notMatch": "y"}, field="a") == [
        ('"x\\"y" must match the pattern "^\\""', ("a",)),
        ('"x\\"y" must not match the pattern "y"', ("a",)),
    ]


def test_pattern_invalid_flags_fail_at_load():
    assert "Invalid flags supplied to RegExp constructor 'invalid'" in options_error("pattern", {"match": "/[abc]+/invalid"})


@pytest.mark.parametrize(
    "options, message",
    [
        (None, '"pattern" function has invalid options specified. Example valid options: { "match": "^Stoplight" }, { "notMatch": "Swagger" }, { "match": "Stoplight", "notMatch": "Swagger" }'),
        ({}, '"pattern" function has invalid options specified. Example valid options: { "match": "^Stoplight" }, { "notMatch": "Swagger" }, { "match": "Stoplight", "notMatch": "Swagger" }'),
        ({"foo": True}, '"pattern" function does not support "foo" option'),
        ({"match": 2}, '"pattern" function and its "match" option must be string or RegExp instance'),
        ({"notMatch": None}, '"pattern" function and its "notMatch" option must be string or RegExp instance'),
        ({"match": 4, "notMatch": 10}, '"pattern" function and its "match" option must be string or RegExp instance; "pattern" function and its "notMatch" option must be string or RegExp instance'),
    ],
)
def test_pattern_options(options, message):
    assert options_error("pattern", options) == message


# --- casing (casing.test.ts) --------------------------------------------------------------------------

CASING = {
    # type: (invalid, valid, valid only with digits)
    "flat": (["foo_test", "Foo", "123", "1d", "foo-bar"], ["foo", "foobar"], ["foo9bar", "foo24baz", "foo1"]),
    "camel": (["foo_test", "Foo", "1fooBarBaz", "123", "foo-bar"], ["foo", "fooBar", "fooBarBaz", "coordinateX"], ["foo1", "foo24Bar", "fooBar0Baz323"]),
    "pascal": (["foo_test", "123", "1fooBarBaz", "fooBarBaz1", "fooBar", "foo1", "foo-bar"], ["Foo", "FooBar", "FooBarBaz", "CoordinateZ"], ["Foo1", "FooBarBaz1"]),
    "kebab": (["foo_test", "Foo1", "123", "fooBarBaz1", "fooBar", "foO", "foo-baR", "1foo-bar", "foo--bar", "foo-", "-foo"], ["foo", "foo-bar", "foo-bar-baz"], ["foo-bar1", "foo1-2bar"]),
    "cobol": (["foo_test", "Foo1", "123", "fooBarBaz1", "FOo", "FOO-BAr", "FOO--BAR", "FOO-", "-FOO"], ["FOO", "FOO-BAR", "FOO-BAR-BAZ"], ["FOO-BAR1", "FOO2-3BAR1"]),
    "snake": (["Foo1", "123", "fooBarBaz1", "FOo", "FOO-BAR", "foo__bar", "1foo_bar1", "foo_", "_foo"], ["foo", "foo_bar", "foo_bar_baz"], ["foo_bar1", "foo2_4bar1"]),
    "macro": (["foo_test", "Foo1", "123", "fooBarBaz1", "FOo", "FOO-BAR", "FO__BAR", "1FOO_BAR1", "FOO___BAR1", "FOO_", "_FOO"], ["FOO", "FOO_BAR", "FOO_BAR_BAZ"], ["FOO_BAR1", "FOO2_4BAR1", "FOO2_4_2"]),
}


def test_casing_ignores_non_strings_and_empty_string():
    assert run("casing", False, {"type": "camel"}) == []
    assert run("casing", 1, {"type": "camel"}) == []
    assert run("casing", "", {"type": "camel"}) == []


@pytest.mark.parametrize("kind", list(CASING))
def test_casing_types(kind):
    invalid, valid, with_digits = CASING[kind]
    error = [(f"must be {kind} case", ())]
    for text in invalid:
        assert run("casing", text, {"type": kind}) == error, text
        assert run("casing", text, {"type": kind, "disallowDigits": True}) == error, text
    for text in valid:
        assert run("casing", text, {"type": kind}) == [], text
        assert run("casing", text, {"type": kind, "disallowDigits": True}) == [], text
    for text in with_digits:
        assert run("casing", text, {"type": kind}) == [], text
        assert run("casing", text, {"type": kind, "disallowDigits": True}) == error, text


@pytest.mark.parametrize("char", ["/", "*", "-"])
@pytest.mark.parametrize("allow_leading", [True, False])
@pytest.mark.parametrize("disallow_digits", [True, False])
def test_casing_custom_separator(char, allow_leading, disallow_digits):
    options = {"type": "flat", "disallowDigits": disallow_digits, "separator": {"char": char, "allowLeading": allow_leading}}
    error = [("must be flat case", ())]
    assert run("casing", f"flat{char}flat", options) == []
    assert run("casing", f"flat{char}Nope", options) == error
    assert run("casing", f"flat01{char}flat", options) == (error if disallow_digits else [])
    assert run("casing", f"{char}flat{char}flat", options) == ([] if allow_leading else error)


@pytest.mark.parametrize("kind", list(CASING))
def test_casing_leading_separator_alone(kind):
    options = {"type": kind, "disallowDigits": True, "separator": {"allowLeading": True, "char": "/"}}
    assert run("casing", "/", options) == []
    assert run("casing", "//", options) == [(f"must be {kind} case", ())]


def test_casing_advanced_scenarios():
    assert run("casing", "X-MyAmazing-Header", {"type": "pascal", "disallowDigits": True, "separator": {"char": "-"}}) == []
    assert run("casing", "/path/to/myResource", {"type": "camel", "disallowDigits": True, "separator": {"char": "/", "allowLeading": True}}) == []


@pytest.mark.parametrize(
    "options",
    [{"type": "cobol"}, {"type": "macro", "disallowDigits": True}, {"type": "snake", "disallowDigits": True, "separator": {"char": "a"}},
     {"type": "pascal", "disallowDigits": False, "separator": {"char": "b", "allowLeading": True}}],
)
def test_casing_valid_options(options):
    assert isinstance(run("casing", "foo", options), list)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"type": "foo"}, '"casing" function and its "type" option accept the following values: flat, camel, pascal, kebab, cobol, snake, macro'),
        ({"type": "macro", "foo": True}, '"casing" function does not support "foo" option'),
        ({"type": "pascal", "disallowDigits": False, "separator": {}}, '"casing" function is missing "separator.char" option'),
        ({"type": "pascal", "disallowDigits": False, "separator": {"allowLeading": True}}, '"casing" function is missing "separator.char" option'),
        ({"type": "snake", "separator": {"char": "a", "foo": True}}, '"casing" function does not support "separator.foo" option'),
        ({"type": "pascal", "separator": {"char": "fo"}}, '"casing" function and its "separator.char" option accepts only char, i.e. "I" or "/"'),
        ({"type": "pascal", "separator": {"char": None}}, '"casing" function and its "separator.char" option accepts only char, i.e. "I" or "/"'),
    ],
)
def test_casing_options(options, message):
    assert options_error("casing", options) == message


# --- alphabetical (alphabetical.test.ts) --------------------------------------------------------------

def test_alphabetical():
    assert run("alphabetical", False) == []
    assert run("alphabetical", ["a"]) == []
    assert run("alphabetical", {"c": 2, "b": "xz"}) == [('"c" must be placed after "b"', ("c",))]
    # document order of keys, even integer-like ones (JS objects would reorder them)
    assert run("alphabetical", {"400": {"description": ""}, "200": {"description": ""}}) == [('"400" must be placed after "200"', ("400",))]
    assert run("alphabetical", ["b", "a"]) == [('"b" must be placed after "a"', (0,))]
    assert run("alphabetical", ["a", "ab"]) == []
    assert run("alphabetical", [10, 1]) == [("10 must be placed after 1", (0,))]
    assert run("alphabetical", [{"a": "10"}, {"b": "1"}]) == [("The document must be one of the allowed types: number, string", ())]
    assert run("alphabetical", [False, "a", None]) == [("The document must be one of the allowed types: number, string", ())]
    assert run("alphabetical", [{"a": "10"}, {"a": "1"}], {"keyedBy": "a"}) == [("properties must follow the alphabetical order", ())]
    assert run("alphabetical", [{"a": "1"}, {"a": "2"}, {"a": "2"}], {"keyedBy": "a"}) == []
    assert run("alphabetical", [100, 1], {"keyedBy": "a"}) == [("The document must be an object", ())]
    for options in (None, {}, {"keyedBy": "bar"}):
        assert run("alphabetical", [], options) == []


def test_alphabetical_uses_locale_order_like_spectral():
    # expected values from Spectral 1.24 (String.prototype.localeCompare, ICU root collation)
    assert run("alphabetical", ["a", "B", "c"]) == []
    assert run("alphabetical", ["a", "A"]) == []
    assert run("alphabetical", ["A", "a"]) == [('"A" must be placed after "a"', (0,))]
    assert run("alphabetical", ["a", "_a"]) == [('"a" must be placed after "_a"', (0,))]
    assert run("alphabetical", ["é", "f"]) == []
    assert run("alphabetical", ["10", "9"]) == []  # numeric strings are compared as text: "1" < "9"
    assert run("alphabetical", ["b", "1"]) == []  # Spectral's lopsided numeric test: NaN - 1 is "sorted"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"foo": True}, '"alphabetical" function does not support "foo" option'),
        (2, '"alphabetical" function has invalid options specified. Example valid options: null (no options), { "keyedBy": "my-key" }'),
        ({"keyedBy": 2}, '"alphabetical" function and its "keyedBy" option accepts only the following types: string'),
    ],
)
def test_alphabetical_options(options, message):
    assert options_error("alphabetical", options) == message


# --- unreferencedReusableObject (unreferencedReusableObject.test.ts + graph cases) --------------------

def ref(source, pointer, target_source, target_pointer):
    return SimpleNamespace(source=source, pointer=pointer, target_source=target_source, target_pointer=target_pointer, value="")


def test_unreferenced_reusable_object():
    assert run("unreferencedReusableObject", "Nope", {"reusableObjectsLocation": "#"}) == []
    for location in ("#", "#/", "#/~1/d"):
        assert run("unreferencedReusableObject", {}, {"reusableObjectsLocation": location}) == []


def test_unreferenced_reusable_object_uses_every_ref_target_in_the_root_file():
    root = "/api/root.yaml"
    schemas = {"Used": {}, "UsedFromOtherFile": {}, "UsedByUnused": {}, "Unused": {"$ref": "#/components/schemas/UsedByUnused"}, "Deep": {}, "a/b": {}}
    refs = [
        ref(root, ("paths", "/x", "get"), root, ("components", "schemas", "Used")),
        ref("/api/other.yaml", ("Thing",), root, ("components", "schemas", "UsedFromOtherFile")),
        ref(root, ("components", "schemas", "Unused"), root, ("components", "schemas", "UsedByUnused")),
        ref(root, ("paths", "/y"), root, ("components", "schemas", "Deep", "properties", "a")),  # into a member: not a use
        ref(root, ("paths", "/z"), "/api/other.yaml", ("components", "schemas", "Unused")),  # another file's member
        ref(root, ("paths", "/w"), root, ("components", "schemas", "a/b")),
    ]
    doc = FakeDocument({"components": {"schemas": schemas}}, refs=refs, source=root)
    spec = get_function("unreferencedReusableObject")
    options = spec.check_options({"reusableObjectsLocation": "#/components/schemas"})
    context = FunctionContext(doc, doc, ("components", "schemas"), SimpleNamespace(resolved=False))
    assert spec.fn(schemas, options, context) == [
        {"message": "Potential orphaned reusable object has been detected", "path": ("components", "schemas", "Unused")},
        {"message": "Potential orphaned reusable object has been detected", "path": ("components", "schemas", "Deep")},
    ]


@pytest.mark.parametrize(
    "options, message",
    [
        (None, '"unreferencedReusableObject" function has invalid options specified. Example valid options: { "reusableObjectsLocation": "#/components/schemas" }, { "reusableObjectsLocation": "#/$defs" }'),
        (2, '"unreferencedReusableObject" function has invalid options specified. Example valid options: { "reusableObjectsLocation": "#/components/schemas" }, { "reusableObjectsLocation": "#/$defs" }'),
        ({}, '"unreferencedReusableObject" function is missing "reusableObjectsLocation" option. Example valid options: { "reusableObjectsLocation": "#/components/schemas" }, { "reusableObjectsLocation": "#/$defs" }'),
        ({"reusableObjectsLocation": "#", "foo": True}, '"unreferencedReusableObject" function does not support "foo" option'),
        ({"reusableObjectsLocation": 2}, '"unreferencedReusableObject" and its "reusableObjectsLocation" option support only valid JSON Pointer fragments, i.e. "#", "#/foo", "#/paths/~1user"'),
        ({"reusableObjectsLocation": "foo"}, '"unreferencedReusableObject" and its "reusableObjectsLocation" option support only valid JSON Pointer fragments, i.e. "#", "#/foo", "#/paths/~1user"'),
    ],
)
def test_unreferenced_reusable_object_options(options, message):
    assert options_error("unreferencedReusableObject", options) == message


# --- typedEnum (rulesets/src/oas/__tests__ typed-enum expectations, run through Spectral 1.24) --------

def test_typed_enum():
    schema = {"type": "integer", "enum": [1, 2.5, "a", None, True, 3.0]}
    assert run("typedEnum", schema) == [
        ('Enum value 2.5 must be "integer".', ("enum", 1)),
        ('Enum value "a" must be "integer".', ("enum", 2)),
        ('Enum value null must be "integer".', ("enum", 3)),
        ('Enum value true must be "integer".', ("enum", 4)),
    ]
    assert run("typedEnum", {"type": ["string", "null"], "enum": ["a", 1]}) == [('Enum value 1 must be "string,null".', ("enum", 1))]
    nullable = {"type": "string", "nullable": True, "enum": ["a", None]}
    assert run("typedEnum", nullable, doc=FakeDocument(nullable, formats={"oas3", "oas3_0"})) == []
    assert run("typedEnum", nullable, doc=FakeDocument(nullable, formats={"oas3", "oas3_1"})) == [('Enum value null must be "string".', ("enum", 1))]


# --- message printing (Spectral 1.24 outputs) ----------------------------------------------------------

def context_for(data, path, resolved=None):
    doc = FakeDocument(data, resolved=resolved)
    return FunctionContext(doc, doc, path, SimpleNamespace(resolved=True))


def test_property_is_the_missing_path_from_the_last_found_parent():
    doc = {"info": {"title": "x", "contact": None, "license": {}}, "paths": {"/a b": {}}}
    template = '#{{print("property")}}must be truthy'
    assert render(template, context_for(doc, ("info", "contact"))) == '"contact" property must be truthy'
    assert render(template, context_for(doc, ("info", "description"))) == '"info.description" property must be truthy'
    assert render(template, context_for(doc, ("info", "license", "name"))) == '"license.name" property must be truthy'
    assert render(template, context_for(doc, ("paths", "/a b", "get", "summary"))) == "\"['/a b'].get.summary\" property must be truthy"


def test_property_through_a_ref_is_the_last_found_segment():
    unresolved = {"components": {"schemas": {"A": {"type": "object"}, "B": {"$ref": "#/components/schemas/A"}}}}
    resolved = {"components": {"schemas": {"A": {"type": "object"}, "B": {"type": "object"}}}}
    context = context_for(unresolved, ("components", "schemas", "B", "description"), resolved=resolved)
    assert render('#{{print("property")}}must be truthy', context) == '"B" property must be truthy'


def test_value_is_what_lives_at_the_path_even_for_keys():
    # Spectral prints the value *at* the key's path: a path item prints as Object{}
    context = context_for({"paths": {"/foo/": {"get": {}}}}, ("paths", "/foo/"))
    assert run_pattern_on_key(context) == "Object{} must not match the pattern \"/$\""


def run_pattern_on_key(context):
    spec = get_function("pattern")
    return spec.fn("/foo/", spec.check_options({"notMatch": "/$"}), context)[0]["message"]


@pytest.mark.parametrize(
    "value, printed",
    [("a", '"a"'), (1, "1"), (1.0, "1"), (2.5, "2.5"), (1e21, "1e+21"), (1e-7, "1e-7"), (0.000001, "0.000001"),
     (None, "null"), (True, "true"), ([1], "Array[]"), ({}, "Object{}"), (UNDEFINED, "undefined")],
)
def test_print_value(value, printed):
    assert print_value(value) == printed


def test_js_number_and_print_path():
    assert [js_number(x) for x in (123456789012345680000.0, 1.5e-5, -0.5, 100.0)] == ["123456789012345680000", "0.000015", "-0.5", "100"]
    assert print_path(["paths", "/a b", "get", 0, "200", ""]) == "paths['/a b'].get[0][200]['']"


def test_message_vars_report_the_closest_path_and_its_value():
    variables = message_vars(context_for({"info": {"title": "x"}}, ("info", "contact")))
    assert variables == {"path": ("info",), "property": "info.contact", "value": {"title": "x"}}


# --- JavaScript regexes (expected results from V8 / Node 20) -------------------------------------------

@pytest.mark.parametrize(
    "source, flags, text, expected",
    [
        ("^abc$", "", "abc\n", False),        # $ is end of input, not before a final newline
        ("^b$", "m", "a\nb", True),
        ("^b$", "m", "a\u2028b", True),      # any JS line terminator
        ("a.b", "", "a\rb", False),
        ("a.b", "s", "a\nb", True),
        ("[^]", "", "\n", True),
        ("[]", "", "a", False),
        ("x\\/y", "", "x/y", True),
        ("\\d", "", "\u0663", False),         # ASCII digits only
        ("\\w", "", "é", False),
        ("\\s", "", "\u00a0", True),
        ("\\bfoo\\b", "", "éfooé", True),     # \b sees only ASCII word characters
        ("(?<n>a)\\k<n>", "", "aa", True),
        ("\\u{41}", "u", "A", True),
        ("\\u{41}", "", "u" * 41, True),      # without u: `u` repeated 41 times
        ("\\uD83D\\uDE00", "", "😀", True),
        ("\\cA", "", "\x01", True),
        ("\\c", "", "\\c", True),
        ("[\\b]", "", "\x08", True),
        ("{foo}", "", "{foo}", True),
        ("a{,2}", "", "a{,2}", True),         # not a quantifier in JS
        ("]", "", "]", True),
        ("\\e", "", "e", True),
        ("\\1(a)", "", "a", True),            # forward reference matches ""
        ("[\\w-]", "", "-", True),
        ("é", "i", "É", True),
    ],
)
def test_js_regex_semantics(source, flags, text, expected):
    assert compile_js(source, flags).test(text) is expected


@pytest.mark.parametrize(
    "source, flags",
    [("(", ""), (")", ""), ("[", ""), ("a**", ""), ("a*+", ""), ("[z-a]", ""), ("\\e", "u"), ("x", "invalid"), ("a{3,2}", ""),
     ("\\p{L}", "u"), ("(?<=a+)b", ""), ("(?i:a)", ""), ("a", "v")],
)
def test_js_regex_errors_are_raised_at_compile(source, flags):
    with pytest.raises(JsRegexError):
        compile_js(source, flags)


def test_regex_literal_form():
    assert parse_regex_literal("/a/b/gi") == ("a/b", "gi")
    assert parse_regex_literal("/abc/") == ("abc", "")
    assert parse_regex_literal("^abc$") == ("^abc$", "")
    assert parse_regex_literal("/a\nb/") == ("/a\nb/", "")
