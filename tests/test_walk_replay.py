"""The JSONPath walk replaying shared subtrees (walk.py `shared`): the same matches as a full walk."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apigov_ls.engine.jsonpath import Matcher, compile_path
from apigov_ls.engine.jsonpath.walk import LazyHits, _PathCache


def containers(data) -> set[int]:
    """Ids of every container: all of them may be replayed (the walk's answer must not care)."""
    out = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            out.add(id(node))
            stack.extend(node.values())
        elif isinstance(node, list):
            out.add(id(node))
            stack.extend(node)
    return out


def both(exprs: list[str], root):
    paths = [compile_path(e) for e in exprs]
    plain = Matcher(paths).run(root)
    replayed = Matcher(paths).run(root, containers(root))
    return plain, replayed


SCHEMA = {"type": "object", "properties": {"id": {"type": "string", "enum": ["a", "b"]}, "n": {"type": "integer"}},
          "required": ["id"], "description": "shared"}
DOC = {
    "paths": {
        "/a": {"get": {"responses": {"200": {"schema": SCHEMA}, "404": {"schema": SCHEMA}}}},
        "/b": {"post": {"parameters": [{"in": "body", "schema": SCHEMA}, {"in": "query", "name": "q"}]}},
    },
    "definitions": {"S": SCHEMA, "T": {"items": SCHEMA}},
}

EXPRS = [
    "$..description", "$..properties[*]", "$..properties[*]~", "$..schema^", "$..[?(@.type == 'string')]",
    "$.paths[*][*].responses[*].schema.properties.id", "$..enum[0]", "$..enum[-1:]", "$..required[*]",
    "$.definitions.S.properties[*].type", "$..[?(@property === 'type')]", "$..properties.*.enum^",
    "$..[?(@parent.type == 'object')]", "$..*[?(@string())]", "$..schema^^", "$..items^.type",
]


def test_replayed_walk_finds_what_the_full_walk_finds():
    plain, replayed = both(EXPRS, DOC)
    assert sum(map(len, plain)) > 50
    assert replayed == plain


def test_the_same_shared_object_under_different_walk_states_is_walked_for_each():
    # under /a the path `$.paths./a...schema.required` is active, elsewhere only `$..type` is:
    # a replay keyed by the object alone would give /b's schema the `required` match too
    exprs = ["$.paths./a.get.responses.200.schema.required", "$..type"]
    plain, replayed = both(exprs, DOC)
    assert plain[0] == [(("paths", "/a", "get", "responses", "200", "schema", "required"), ["id"])]
    assert replayed == plain


def test_filters_that_read_the_place_see_each_place():
    # both filters test the children of the shared schema: its `id` property only under /b, and
    # the schema's own members only where its key is `schema` (not under definitions.S)
    exprs = ["$..[?(@path.includes('/b') && @.type == 'string')]", "$..*[?(@parentProperty === 'schema')]",
             "$..description"]
    plain, replayed = both(exprs, DOC)
    assert [p for p, _ in plain[0]] == [("paths", "/b", "post", "parameters", 0, "schema", "properties", "id")]
    assert len(plain[1]) == 3 * len(SCHEMA)
    assert replayed == plain


def test_the_key_of_a_shared_node_is_the_key_at_each_place():
    plain, replayed = both(["$..schema~", "$.definitions.*~", "$..[?(@.required)]~"], DOC)
    assert [k for _, k in plain[0]] == ["schema"] * 3
    assert replayed == plain


def test_select_skips_replayed_matches_not_needed_but_keeps_first_places():
    m = Matcher([compile_path("$..properties[*]")])
    lazy = m.run_lazy(DOC, containers(DOC))[0]
    assert isinstance(lazy, LazyHits)
    every = list(lazy.select())
    assert every == Matcher([compile_path("$..properties[*]")]).run(DOC)[0]
    asked = []

    def needed(value):
        asked.append(value)
        return value.get("type") == "integer"

    kept = list(lazy.select(needed, token="t"))
    first = every[:2]  # the first place of the shared schema is walked, not replayed
    assert kept[:2] == first
    assert all(v["type"] == "integer" for _, v in kept[2:])
    assert [p for p, _ in kept[2:]] == [p for p, v in every[2:] if v["type"] == "integer"]
    # decided once per subtree: asking again does not call `needed` again
    n = len(asked)
    assert list(lazy.select(needed, token="t")) == kept
    assert len(asked) == n


# random trees built from a few shared pieces, random paths from a fixed set
_KEYS = ["a", "b", "type", "0", "x"]
_RANDOM_EXPRS = ["$..a", "$..a[*]", "$..[?(@.type)]", "$.a..b", "$..b~", "$..a^", "$..*[?(@property == 'x')]",
                 "$..[0]", "$..a[-1]", "$.*.*", "$..[?(@parent.a)]", "$..type^^", "$..x.a"]


@st.composite
def shared_trees(draw):
    scalars = st.sampled_from([1, "s", None, True, "object"])
    pieces: list = []
    for _ in range(draw(st.integers(1, 4))):
        def node(depth):
            if depth == 0 or draw(st.integers(0, 3)) == 0:
                if pieces and draw(st.booleans()):
                    return draw(st.sampled_from(pieces))  # the same object again
                return draw(scalars)
            if draw(st.booleans()):
                return [node(depth - 1) for _ in range(draw(st.integers(0, 3)))]
            return {k: node(depth - 1) for k in draw(st.lists(st.sampled_from(_KEYS), max_size=3, unique=True))}
        pieces.append(node(3))
    return {k: draw(st.sampled_from(pieces)) for k in _KEYS}


def _shared_list_root():
    # hypothesis' first counterexample: one list object under '0' and 'x'
    shared = [{"a": [{"type": 1}]}, 1]
    return {"a": 1, "b": 1, "type": 1, "0": shared, "x": shared}


_SHARED_LIST_EXPRS = ["$..a", "$..type^^", "$..a[*]", "$..a^"]


def test_parent_steps_of_replayed_hits_after_another_parent_path():
    # `$..type^^` rebuilds the replayed chains under 'x' and drops them; `$..a^` then rebuilt new
    # chains that reused their ids and the run's path cache gave ('x', 0, 'a') for ('x', 0)
    plain, replayed = both(_SHARED_LIST_EXPRS, _shared_list_root())
    assert [p for p, _ in plain[3]] == [(), ("0", 0), ("x", 0)]
    assert replayed == plain


def test_path_cache_ids_stay_valid_for_temporary_chains():
    cache = _PathCache()
    root = (None, None, {})
    for i in range(200):
        chain = (((root, "p", None), i, None), "leaf", None)  # temporaries: freed ids get reused
        assert cache.get(chain) == ("p", i, "leaf")
        assert cache.get(chain[0]) == ("p", i)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(root=_shared_list_root(), exprs=_SHARED_LIST_EXPRS)
@given(shared_trees(), st.lists(st.sampled_from(_RANDOM_EXPRS), min_size=1, max_size=5, unique=True))
def test_random_shared_trees(root, exprs):
    plain, replayed = both(exprs, root)
    assert replayed == plain
