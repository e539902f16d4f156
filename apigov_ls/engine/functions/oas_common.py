"""JavaScript semantics the OpenAPI functions rely on (ported from Spectral's oas/functions/utils).

Registers no function: it only holds helpers shared by the oas_*.py modules.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterator

from apigov_ls.engine.types import UNDEFINED

#: the HTTP methods Spectral treats as operations (getAllOperations, oasPathParam)
OPERATION_KEYS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


def is_object(value: Any) -> bool:
    """`value !== null && typeof value === 'object'`: objects and arrays."""
    return isinstance(value, (dict, list))


def is_plain_object(value: Any) -> bool:
    return isinstance(value, dict)


def js_keys(value: Any) -> list[str]:
    """`Object.keys(value)` for an object or an array (indices as strings); [] otherwise."""
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, list):
        return [str(i) for i in range(len(value))]
    return []


def prop(value: Any, key: str) -> Any:
    """`value[key]` for a JSON value: UNDEFINED when absent (arrays have no named members here)."""
    if isinstance(value, dict):
        return value.get(key, UNDEFINED)
    return UNDEFINED


def has(value: Any, key: str) -> bool:
    """JavaScript's `key in value` for JSON objects and arrays."""
    if isinstance(value, dict):
        return key in value
    if isinstance(value, list):
        return key == "length" or (key.isdigit() and int(key) < len(value))
    return False


def same_value_zero(a: Any, b: Any) -> bool:
    """`Array.prototype.includes` equality: no bool/number mixing, objects by identity."""
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if a is UNDEFINED or b is UNDEFINED:
        return a is b
    return type(a) is type(b) and a == b


def js_includes(items: list, value: Any) -> bool:
    return any(same_value_zero(x, value) for x in items)


_JS_DECIMAL = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)$")
_JS_RADIX = re.compile(r"^0([xXoObB])([0-9a-fA-F]+)$")


def js_number(text: str) -> float:
    """`Number(string)`: NaN when the whole (trimmed) string is not a number; "" is 0."""
    s = text.strip()
    if s == "":
        return 0.0
    m = _JS_RADIX.match(s)
    if m:
        base = {"x": 16, "o": 8, "b": 2}[m.group(1).lower()]
        try:
            return float(int(m.group(2), base))
        except ValueError:
            return math.nan
    if _JS_DECIMAL.match(s):
        return float(s.replace("Infinity", "inf"))
    return math.nan


def get_all_operations(paths: Any) -> Iterator[tuple[str, str, dict]]:
    """(path, method, operation) for every operation object under `paths` (Spectral's getAllOperations)."""
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if isinstance(operation, dict) and method in OPERATION_KEYS:
                yield path, method, operation
