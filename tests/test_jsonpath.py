"""The JSONPath engine for `given` expressions: selectors, filter semantics, errors, and the
one-walk Matcher agreeing with plain step-by-step evaluation."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import pytest

from apigov_ls.engine.jsonpath import JSONPathError, Matcher, compile_path
from apigov_ls.engine.jsonpath import jsvalues as js
from apigov_ls.engine.jsonpath.jsvalues import UNDEFINED

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# The first walk raises the recursion limit (see walk._ensure_recursion_limit); do it now so that
# hypothesis does not warn that the limit changed under it.
compile_path("$").find({})

DOC = {
    "openapi": "3.0.0",
    "info": {"title": "T", "description": "D", "x-n": None},
    "paths": {
        "/a": {
            "get": {
                "parameters": [{"in": "header", "name": "X-H"}, {"in": "query", "name": "q", "required": True}, None],
                "responses": {"200": {"description": "ok"}, "404": {"description": "nf"}},
            },
            "put": {"description": "p", "tags": ["a", "b", "c"]},
            "parameters": [],
        },
        "/b/{id}": {"post": {"responses": {"default": {"description": "err"}}}},
    },
    "tags": [{"name": "a"}, {"name": "b", "description": "bee"}],
    "limits": {"a": 1, "b": 2.5, "c": "3", "d": True, "e": 0},
    "empties": {"o": {}, "a": [], "s": "", "z": 0, "n": None},
}

A = ("paths", "/a")
GET = A + ("get",)
PARAMS = GET + ("parameters",)
B = ("paths", "/b/{id}")

# expression -> expected result paths, in document order (written by hand from DOC)
PATH_CASES = [
    ("$", [()]),
    ("$.info.title", [("info", "title")]),
    ("$['info']['title']", [("info", "title")]),
    ('$["info"]["title"]', [("info", "title")]),
    ("$.info.['title']", [("info", "title")]),
    ("$.paths['/a'].get.parameters[0].name", [PARAMS + (0, "name")]),
    ("$.paths./a.put.tags.1", [A + ("put", "tags", 1)]),
    ("$..description", [("info", "description"), GET + ("responses", "200", "description"),
                        GET + ("responses", "404", "description"), A + ("put", "description"),
                        B + ("post", "responses", "default", "description"), ("tags", 1, "description")]),
    ("$.paths.*", [A, B]),
    ("$.paths[*]", [A, B]),
    ("$.paths['/a'].put.tags[*]", [A + ("put", "tags", i) for i in range(3)]),
    ("$.paths['/a'].put.tags[-1]", [A + ("put", "tags", 2)]),
    ("$.paths['/a'].put.tags[0:2]", [A + ("put", "tags", 0), A + ("put", "tags", 1)]),
    ("$.paths['/a'].put.tags[-2:]", [A + ("put", "tags", 1), A + ("put", "tags", 2)]),
    ("$.paths['/a'].put.tags[::2]", [A + ("put", "tags", 0), A + ("put", "tags", 2)]),
    ("$.paths['/a'][get,put]", [GET, A + ("put",)]),
    ("$.paths['/a']['put','get']", [GET, A + ("put",)]),
    ("$.paths['/a'].get.responses[200]", [GET + ("responses", "200")]),
    ('$.paths[*][*].responses[200,"200",404]', [GET + ("responses", "200"), GET + ("responses", "404")]),
    ("$.tags.0.name", [("tags", 0, "name")]),
    ("$.paths[*][get,put]^", [A]),
    ("$.paths[*][*].responses[*]^^", [GET, B + ("post",)]),
    ("$.paths[*].get.parameters[?(@ && @.in === 'query')]^^.responses[200]", [GET + ("responses", "200")]),
    ("$.paths...responses.*.description", [GET + ("responses", "200", "description"),
                                          GET + ("responses", "404", "description"),
                                          B + ("post", "responses", "default", "description")]),
    ("$.info.", [("info",)]),
    # filters
    ("$..parameters[?(@.in === 'header')]", [PARAMS + (0,)]),
    ("$..parameters[?(@.in == 'query')].name", [PARAMS + (1, "name")]),
    ("$.paths[*][?( @property === 'get' || @property === 'put' )]", [GET, A + ("put",)]),
    ("$..[?(@property === 'description' || @property === 'title')]",
     [("info", "title"), ("info", "description"), GET + ("responses", "200", "description"),
      GET + ("responses", "404", "description"), A + ("put", "description"),
      B + ("post", "responses", "default", "description"), ("tags", 1, "description")]),
    ("$.paths.*[?(@property.match(/^(get|put)$/))]^", [A]),
    ("$.paths[*][*][?(@parentProperty === 'get')]", [PARAMS, GET + ("responses",)]),
    ("$.paths['/a'].get.parameters[?(@parent.length === 3 && @ && @.in === 'query')]", [PARAMS + (1,)]),
    ("$.paths[?(@path === \"$['paths']['/a']\")]", [A]),
    ("$.tags[?(@path === \"$['tags'][1]\")]", [("tags", 1)]),
    ("$.tags[?(@.name === @root.tags[0].name)]", [("tags", 0)]),
    ("$.tags[?('description' in @)]", [("tags", 1)]),
    ("$.limits[?(typeof @ === 'string')]", [("limits", "c")]),
    ("$.tags[?(!@.description)]", [("tags", 0)]),
    ("$.limits[?(@ > 1)]", [("limits", "b"), ("limits", "c")]),  # '3' > 1 is true in JS
    ("$.paths['/a'].get.responses[?(@property >= 200 && @property < 300)]", [GET + ("responses", "200")]),
    ('$.paths[*][*].responses[?(@property[0] == "2")]', [GET + ("responses", "200")]),
    ("$.paths[?(@property.startsWith('/b'))]", [B]),
    ("$.paths[?(@property.endsWith('}'))]", [B]),
    ("$.paths[?(@property.includes('{'))]", [B]),
    ("$.paths[?(@property.indexOf('{') === -1)]", [A]),
    ("$.paths['/a'].put[?(@.length === 3)]", [A + ("put", "tags")]),
    ("$.paths['/a'].put[?(Array.isArray(@))]", [A + ("put", "tags")]),
    ("$.paths['/a'].put[?(@.constructor.name === 'Array' && @.includes('b'))]", [A + ("put", "tags")]),
    (r"$.paths[?(/\{id\}/.test(@property))]", [B]),
    ('$.paths[?(@property.match("^/A$"))]', []),
    ("$.paths[?(@property.match(/^\\/A$/i))]", [A]),
    ("$.tags[?(@.description !== void 0)]", [("tags", 1)]),
    ("$.tags[?(@.missing === undefined)]", [("tags", 0), ("tags", 1)]),
    ("$.tags[?(@.missing == null)]", [("tags", 0), ("tags", 1)]),
    ("$.paths['/a'].get.parameters[?(@['in'] === 'header')]", [PARAMS + (0,)]),
    ("$.paths['/a'].get[?(@[0].in === 'header')]", [PARAMS]),
    ("$.limits[?(@ == '1')]", [("limits", "a"), ("limits", "d")]),  # loose: 1 == '1', true == '1'
    ("$.limits[?(@ === 1)]", [("limits", "a")]),
    ("$.limits[?(@ == 0)]", [("limits", "e")]),
    ("$.empties[?(@ == null)]", [("empties", "n")]),
    ("$.empties[?(@)]", [("empties", "o"), ("empties", "a")]),  # {} and [] are truthy, '' 0 null are not
    ("$.limits[?(@)]", [("limits", k) for k in "abcd"]),
    ("$.info[?(@.foo === 1)]", []),  # null member access makes that node fail, not the query
    ("$..[?(@.in.length > 1)]", [PARAMS + (0,), PARAMS + (1,)]),
    ("$.paths[?(!(@property === '/a' || @property === '/c'))]", [B]),
    ("$.limits[?(@ < 1 ? false : true)]", [("limits", "a"), ("limits", "b"), ("limits", "c"), ("limits", "d")]),
    # type selectors
    ("$.paths['/a'].put.*@string()", [A + ("put", "description")]),
    ("$.info.*@null()", [("info", "x-n")]),
    ("$.paths['/a'].get.parameters[*]@object()", [PARAMS + (0,), PARAMS + (1,)]),
    ("$.paths['/a'].get.parameters[*]@null()", [PARAMS + (2,)]),
    ("$.paths['/a'].*@array()", [A + ("parameters",)]),
    ("$.info.*@scalar()", [("info", "title"), ("info", "description"), ("info", "x-n")]),
    ("$.paths['/a'].get.parameters[1].*@boolean()", [PARAMS + (1, "required")]),
    ("$.limits.*@number()", [("limits", "a"), ("limits", "b"), ("limits", "e")]),
    ("$.limits.*@integer()", [("limits", "a"), ("limits", "e")]),
    ("$.limits[?(@integer())]", [("limits", "a"), ("limits", "e")]),
    ("$..[?(@object() && @.name === 'b')]", [("tags", 1)]),
]


@pytest.mark.parametrize("expr,expected", PATH_CASES)
def test_paths(expr, expected):
    cp = compile_path(expr)
    got = cp.find(DOC)
    assert [p for p, _ in got] == expected
    assert cp.find_stepwise(DOC) == got
    for path, value in got:
        node = DOC
        for k in path:
            node = node[k]
        assert node is value


def test_property_name_selector_yields_keys():
    assert compile_path("$.paths.*~").find(DOC) == [(A, "/a"), (B, "/b/{id}")]
    assert compile_path("$.paths[*].put^~").find(DOC) == [(A, "/a")]
    assert compile_path("$.tags[*]~").find(DOC) == [(("tags", 0), 0), (("tags", 1), 1)]
    assert compile_path("$.info.~").find(DOC) == [(("info",), "info")]
    assert compile_path("$~").find(DOC) == []


def test_shared_subtrees_are_reported_once_per_occurrence():
    shared = {"type": "string"}
    doc = {"a": shared, "b": [shared, {"x": shared}]}
    cp = compile_path("$..[?(@.type === 'string')]")
    assert [p for p, _ in cp.find(doc)] == [("a",), ("b", 0), ("b", 1, "x")]


def test_descent_does_not_report_a_node_twice():
    doc = {"a": {"a": {"b": 1}}}
    assert [p for p, _ in compile_path("$..a..b").find(doc)] == [("a", "a", "b")]
    assert [p for p, _ in compile_path("$..b^").find(doc)] == [("a", "a")]


def test_deep_documents_do_not_hit_the_recursion_limit():
    doc = leaf = {}
    for _ in range(3000):
        leaf["n"] = {}
        leaf = leaf["n"]
    leaf["target"] = 1
    (path, value), = compile_path("$..target").find(doc)
    assert len(path) == 3001 and value == 1


def test_compile_is_cached():
    assert compile_path("$.info") is compile_path("$.info")


def test_matcher_keeps_input_order_and_duplicates():
    exprs = ["$.tags[*].name", "$.info.title", "$.tags[*].name", "$..nothing"]
    results = Matcher([compile_path(e) for e in exprs]).run(DOC)
    assert results == [compile_path(e).find(DOC) for e in exprs]
    assert results[1] == [(("info", "title"), "T")]
    assert results[3] == []


# -- JavaScript semantics ------------------------------------------------------------------------


@pytest.mark.parametrize("a,b,loose,strict", [
    (None, UNDEFINED, True, False),
    (1, "1", True, False),
    (0, "", True, False),
    (None, 0, False, False),
    (True, 1, True, False),
    ("1.0", 1, True, False),
    (math.nan, math.nan, False, False),
    ([1], "1", True, False),
    ({}, "[object Object]", True, False),
    ("a", "a", True, True),
    (2, 2.0, True, True),
])
def test_equality(a, b, loose, strict):
    assert js.loose_equals(a, b) is loose
    assert js.loose_equals(b, a) is loose
    assert js.strict_equals(a, b) is strict


@pytest.mark.parametrize("value,expected", [
    (0, False), (0.0, False), ("", False), (None, False), (UNDEFINED, False), (math.nan, False), (False, False),
    ({}, True), ([], True), ("0", True), (-1, True), ("false", True),
])
def test_truthiness(value, expected):
    assert js.truthy(value) is expected


def test_relational_coercion():
    assert js.compare("<", "10", "9") is True  # two strings compare as text
    assert js.compare("<", "10", 9) is False  # otherwise as numbers
    assert js.compare(">=", None, 0) is True
    assert js.compare("<", UNDEFINED, 1) is False
    assert js.compare(">", "2XX", 200) is False


def test_number_to_string_like_js():
    assert js.to_string(1.0) == "1"
    assert js.to_string(0.5) == "0.5"
    assert js.to_string(1e21) == "1e+21"
    assert js.to_string([1, None, "a"]) == "1,,a"


# -- unsupported or malformed syntax -------------------------------------------------------------

BAD = [
    ("paths.get", "start with '$'"),
    ("$paths.get", "after '$'"),
    ("$.paths[?(@.a = 1)]", "'='"),
    ("$.paths[(@.length-1)]", "script expressions"),
    ("$.paths[?(@.a.replace('x', 'y'))]", ".replace()"),
    ("$.x[?(@.a + 1 > 2)]", "'+'"),
    ("$.x~.y", "'~'"),
    ("$..", "'..'"),
    ("$.x[", "unterminated"),
    ("$.x[?(@.a == 'b')", "']'"),
    ("$.x[?(foo)]", "unknown identifier 'foo'"),
    ("$.x[?(@foo)]", "unknown filter variable '@foo'"),
    ("$.x[?(/[/.test(@))]", "regular expression"),
    ("$.paths[?(!@property.match(/well-known/ig))~]", "']'"),
    ("$.x[?@.a]", "[?(...)]"),
    ("$.x[0:1:0]", "step"),
    ("$.x[a,*]", "unions"),
]


@pytest.mark.parametrize("expr,fragment", BAD)
def test_unsupported_syntax_is_an_error(expr, fragment):
    with pytest.raises(JSONPathError) as err:
        compile_path(expr)
    assert repr(expr) in str(err.value)
    assert fragment in str(err.value)


# -- Spectral rulesets: every `given` must compile -----------------------------------------------

#: `given` strings in ../shared/rulesets that are not valid JSONPath-Plus as Spectral runs it
KNOWN_UNSUPPORTED = {
    "$.paths[?(!@property.match(/well-known/ig))~]",  # '~' inside the brackets (schwarz-it)
    "$paths.get.responses.200.content",  # no '.' after '$' (monite)
    "$paths.post.responses.201.content",
}

SPECTRAL_GIVENS = [
    "$..[?(@property !== 'properties' && @ != null && @.enum && @.enum.constructor.name === 'Array')]",
    '$..[?(@ && @.type && @.type.constructor.name === "Array" && @.type.includes("array"))]',
    "$..definitions..[?(@property !== 'properties' && @ && (@.example !== void 0 || @['x-example'] !== void 0 "
    "|| @.default !== void 0) && (@.enum || @.type || @.format || @.$ref || @.properties || @.items))]",
    "$..content..[?(@ && @.schema && (@.example !== void 0 || @.examples))]",
    '$.paths..parameters[*][?(@property === "name" && (@ === "id" || @.match(/(_id|Id|-id)$/)))]^.schema',
    "$.paths[*][get,put,post,delete,options,head,patch,trace].callbacks[*][*][*].callbacks",
    "$..[description,title]",
    "$..[?(@property === '$ref')]",
]


@functools.lru_cache(maxsize=1)
def _ruleset_givens() -> list[str]:
    from ruamel.yaml import YAML

    from apigov_ls.document.parse import parse_text

    # parse_text (libyaml) refuses flow scalars such as [[spectral:oas, all]]; the pure-Python loader takes them
    pure = YAML(typ="safe", pure=True)
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "given":
                    found.update(g for g in (value if isinstance(value, list) else [value]) if isinstance(g, str))
                elif key == "aliases" and isinstance(value, dict):
                    for target in value.values():
                        if isinstance(target, list):
                            found.update(g for g in target if isinstance(g, str))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted((SHARED / "rulesets").rglob("*")):
        if path.suffix in (".yaml", ".yml", ".json"):
            text = path.read_text(encoding="utf-8")
            parsed = parse_text(text)
            walk(parsed.data if parsed.ok else pure.load(text))
    return sorted(g for g in found if not g.startswith("#"))


@pytest.mark.skipif(not (SHARED / "rulesets").is_dir(), reason="../shared/rulesets is not present")
def test_every_ruleset_given_compiles():
    givens = _ruleset_givens()
    assert len(givens) > 300
    failed = set()
    for expr in givens:
        try:
            compile_path(expr)
        except JSONPathError:
            failed.add(expr)
    assert failed == KNOWN_UNSUPPORTED


@pytest.mark.parametrize("expr", SPECTRAL_GIVENS)
def test_spectral_ruleset_givens_compile(expr):
    assert compile_path(expr).expr == expr


# -- the shared walk agrees with step-by-step evaluation ------------------------------------------

CORPUS_DOCS = [
    "oai/v3.0/petstore-expanded.yaml",
    "oai/v2.0/json/petstore-with-external-docs.json",
    "oai/v3.0/callback-example.yaml",
    "vacuum-testfiles/pegel-online-api.yaml",
]


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("name", CORPUS_DOCS)
def test_matcher_agrees_with_stepwise_on_corpus(name):
    from apigov_ls.document.parse import parse_text

    data = parse_text((SHARED / "corpus" / name).read_text(encoding="utf-8")).data
    exprs = [p for p, _ in PATH_CASES] + SPECTRAL_GIVENS
    if (SHARED / "rulesets").is_dir():
        exprs += [g for g in _ruleset_givens() if g not in KNOWN_UNSUPPORTED]
    compiled = [compile_path(e) for e in dict.fromkeys(exprs)]
    shared = Matcher(compiled).run(data)
    assert sum(len(r) for r in shared) > 0
    for cp, got in zip(compiled, shared):
        assert got == cp.find_stepwise(data), cp.expr


# -- property test ----------------------------------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_KEYS = st.sampled_from(["a", "b", "in", "type", "0", "x-y", "$ref"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["", "a", "string", "query", "1"]))
_JSON = st.recursive(_SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(_KEYS, kids, max_size=4)),
                     max_leaves=25)
_PROPERTY_PATHS = [
    "$..a", "$..*", "$.a[*].b", "$..[?(@.type == 'string')]", "$..[?(@property === 'in')]", "$..a^", "$..b~",
    "$..[0]", "$..[-1:]", "$..[a,b]", "$..*@string()", "$..[?(@ && @.in)].type", "$..a..b", "$..[?(@ > 0)]^~",
    "$..[?(@property == 0 || @ === null)]", "$..[?(@.a.length)]", "$.*[*]..[?(@parentProperty === 'a')]",
    "$..[?(@object() && 'type' in @)]", "$..[?(@path.includes('0'))]",
]


@hypothesis.settings(max_examples=100, deadline=None)
@hypothesis.given(doc=_JSON)
def test_matcher_equals_stepwise_on_random_documents(doc):
    compiled = [compile_path(p) for p in _PROPERTY_PATHS]
    for cp, got in zip(compiled, Matcher(compiled).run(doc)):
        assert got == cp.find_stepwise(doc), cp.expr
