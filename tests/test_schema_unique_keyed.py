"""uniqueItems on arrays of objects compares items by key (schema_compiler._equal_key) from a few
items on: the verdict and the reported pair must be those of AJV's pairwise deep comparison."""

from __future__ import annotations

import random

import pytest

from apigov_ls.engine.schema_compiler import Compiler, SchemaRegistry, _equal_key, json_equal


def _pairwise(items: list):
    for i in range(len(items) - 1, 0, -1):
        for j in range(i - 1, -1, -1):
            if json_equal(items[i], items[j]):
                return (i, j)
    return None


def _reported(items: list):
    validator = Compiler(SchemaRegistry(), "draft2020-12", True).compile({"uniqueItems": True})
    errors = validator.errors(items)
    if not errors:
        return None
    assert [e.keyword for e in errors] == ["uniqueItems"]
    return (errors[0].params["i"], errors[0].params["j"])


VALUES = [1, 1.0, True, False, 0, -0.0, None, "1", "a", [], [1], [1.0], [True], {}, {"a": 1}, {"a": 1.0},
          {"a": True}, {"b": 1, "a": 2}, {"a": 2, "b": 1}, {"a": [1, {"x": None}]}, {"a": [1.0, {"x": None}]}]


@pytest.mark.parametrize("seed", range(40))
def test_keyed_comparison_reports_the_pairwise_pair(seed: int) -> None:
    rng = random.Random(seed)
    items = [rng.choice(VALUES) for _ in range(rng.randint(4, 9))]
    assert _reported(items) == _pairwise(items)


def test_json_equality_cases() -> None:
    assert _reported([{"a": 1}, {"b": 2}, {"c": 3}, {"a": 1.0}]) == (3, 0)  # 1 == 1.0
    assert _reported([{"a": 1}, {"b": 2}, {"c": 3}, {"a": True}]) is None  # true is not 1
    assert _reported([{"a": 1, "b": 2}, [], "x", {"b": 2, "a": 1}]) == (3, 0)  # key order does not matter
    # two duplicate groups: the later item wins, paired with the last equal item before it
    assert _reported([{"k": 1}, {"k": 2}, {"k": 1}, {"k": 2}, {"k": 1}, 5]) == (4, 2)


def test_nan_falls_back_to_the_pairwise_comparison() -> None:
    nan = float("nan")
    items = [{"a": nan}, {"b": 1}, {"c": 2}, {"a": nan}]
    assert _reported(items) == _pairwise(items) is None
    with pytest.raises(Exception):
        _equal_key({"a": nan}, [100])


def test_equal_keys_agree_with_json_equal() -> None:
    for a in VALUES:
        for b in VALUES:
            assert (_equal_key(a, [100]) == _equal_key(b, [100])) == json_equal(a, b), (a, b)
