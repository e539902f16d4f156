"""Schema fixes: duplicate enum values, $ref siblings, unused components, OWASP limits."""

from __future__ import annotations

import json
import math

from apigov_ls.fixes.builtin.common import SAFE, UNSAFE, Target, name_of, most_used, sample_values, seen_under
from apigov_ls.fixes.edits import EditError
from apigov_ls.fixes.registry import fixer

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


@fixer("duplicated-entry-in-enum")
def dedupe_enum(result, document):
    t = Target(result, document)
    ptr = t.ptr if isinstance(t.value, list) else t.ptr + ("enum",)
    values = t.ed.get(ptr)
    if not isinstance(values, list):
        return None
    seen, drop = set(), []
    for i, v in enumerate(values):
        key = json.dumps([type(v).__name__, v], sort_keys=True, default=str)
        if key in seen:
            drop.append(i)
        seen.add(key)
    return t.fix("Remove duplicate enum values", SAFE, t.ed.remove_items(ptr, drop)) if drop else None


@fixer("no-$ref-siblings")
def remove_ref_siblings(result, document):
    # OpenAPI 2.0 and 3.0 ignore everything next to a $ref: removing it keeps the meaning
    t = Target(result, document)
    holder = t.ptr[:-1]
    node = t.ed.get(holder)
    if not isinstance(node, dict) or "$ref" not in node:
        return None
    siblings = [k for k in node if k != "$ref"]
    return t.fix("Remove properties next to $ref", SAFE, t.ed.remove_keys(holder, siblings))


@fixer("oas3-unused-component", "oas2-unused-definition")
def remove_unused_component(result, document):
    # unsafe: other documents may reference this component through this file
    t = Target(result, document)
    if len(t.ptr) < 2 or t.ptr[-1] == "$ref" or not isinstance(t.value, dict):
        return None
    return t.fix(f'Remove unused "{t.ptr[-1]}"', UNSAFE, t.ed.remove_key(t.ptr[:-1], t.ptr[-1]))


@fixer(
    "owasp:api3:2023-no-additionalProperties",
    "owasp:api3:2023-constrained-additionalProperties",
    "owasp:api3:2023-no-unevaluatedProperties",
    "owasp:api3:2023-constrained-unevaluatedProperties",
)
def close_object(result, document):
    t = Target(result, document)
    keyword = "unevaluatedProperties" if "unevaluated" in result.code else "additionalProperties"
    schema = t.ptr[:-1] if t.ptr and t.ptr[-1] == keyword else t.ptr
    if keyword not in t.ed.get(schema):
        return None
    return t.fix(f"Set {keyword} to false", UNSAFE, t.ed.replace_value(schema + (keyword,), False))


def _schema(t: Target) -> dict:
    if not isinstance(t.value, dict) or "$ref" in t.value:
        raise EditError("not an inline schema")
    return t.value


def _seen(document, result, schema, kind: str, default=0):
    return seen_under(document, name_of(tuple(result.path), schema)).get(kind, default)


def _pick(document, result, schema, keyword, fallback):
    chosen = most_used(document, name_of(tuple(result.path), schema), keyword)
    return chosen if isinstance(chosen, int) and not isinstance(chosen, bool) else fallback


@fixer("owasp:api4:2023-array-limit")
def add_max_items(result, document):
    t = Target(result, document)
    schema = _schema(t)
    seen = max([len(v) for v in sample_values(schema) if isinstance(v, list)] + [_seen(document, result, schema, "list")])
    value = max(_pick(document, result, schema, "maxItems", 100), seen, schema.get("minItems", 0) if isinstance(schema.get("minItems"), int) else 0)
    return t.fix(f"Add maxItems: {value}", UNSAFE, t.ed.set_key(t.ptr, "maxItems", value))


@fixer("owasp:api4:2023-string-limit")
def add_max_length(result, document):
    t = Target(result, document)
    schema = _schema(t)
    seen = max([len(v) for v in sample_values(schema) if isinstance(v, str)] + [_seen(document, result, schema, "str")])
    low = schema.get("minLength") if isinstance(schema.get("minLength"), int) else 0
    value = max(_pick(document, result, schema, "maxLength", 255), seen, low)
    return t.fix(f"Add maxLength: {value}", UNSAFE, t.ed.set_key(t.ptr, "maxLength", value))


def _int_format(schema: dict, document, result) -> str:
    chosen = most_used(document, name_of(tuple(result.path), schema), "format")
    if chosen in ("int32", "int64"):
        return chosen
    seen = [_seen(document, result, schema, k, 0) for k in ("min", "max")]
    numbers = [v for v in sample_values(schema) + [schema.get("minimum"), schema.get("maximum")] + seen if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return "int64" if any(abs(v) > INT32_MAX for v in numbers) else "int32"


@fixer("owasp:api4:2023-integer-format")
def add_integer_format(result, document):
    t = Target(result, document)
    schema = _schema(t)
    if "format" in schema:
        return None
    fmt = _int_format(schema, document, result)
    return t.fix(f"Add format: {fmt}", UNSAFE, t.ed.set_key(t.ptr, "format", fmt))


@fixer("owasp:api4:2023-integer-limit", "owasp:api4:2023-integer-limit-legacy")
def add_integer_bounds(result, document):
    t = Target(result, document)
    schema = _schema(t)
    numbers = [v for v in sample_values(schema) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    for kind in ("min", "max"):
        if _seen(document, result, schema, kind, None) is not None:
            numbers.append(_seen(document, result, schema, kind))
    fmt = schema.get("format") if schema.get("format") in ("int32", "int64") else _int_format(schema, document, result)
    top = INT64_MAX if fmt == "int64" else INT32_MAX
    new = {}
    if "minimum" not in schema and "exclusiveMinimum" not in schema:
        low = _pick(document, result, schema, "minimum", 0)
        new["minimum"] = min([low] + [math.floor(n) for n in numbers if n < low])
    if "maximum" not in schema and "exclusiveMaximum" not in schema:
        high = _pick(document, result, schema, "maximum", top)
        new["maximum"] = max([high] + [math.ceil(n) for n in numbers if n > high])
    if not new:
        return None
    edits = t.ed.set_keys(t.ptr, new)
    label = ", ".join(f"{k}: {v}" for k, v in new.items())
    return t.fix(f"Add {label}", UNSAFE, edits)
