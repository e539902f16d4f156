"""Turn AJV-style errors into Spectral's messages and paths.

Two formatters, because Spectral has two:
- `spectral_schema_results`: the core `schema` function (and `oasSchema`, which calls it). It runs
  @stoplight/better-ajv-errors: errors are grouped in a tree by instance path, an `anyOf` error is
  dropped when deeper errors explain it, sibling `enum` noise is dropped, `enum` errors at one
  place are merged; then Spectral adds "Item at index N" and the "None of the schemas matched" note.
- `oas_document_results`: the `oasDocumentSchema` function (rules oas2-schema / oas3-schema). It
  keeps every error except `if`, names the property, and suggests the closest enum value.
Messages quote property names as AJV's JSON pointer segments do (`~1` for `/`), like Spectral.
"""

from __future__ import annotations

import re
from typing import Any

from apigov_ls.engine.schema_compiler import AjvError, js_json


def _escape(seg: Any) -> str:
    return str(seg).replace("~", "~0").replace("/", "~1")


def _clean(message: str) -> str:
    return message.replace("'", '"').replace('"', '"').replace("NOT", "not")


def _value_at(data: Any, path: tuple) -> Any:
    node = data
    for seg in path:
        if isinstance(node, dict):
            node = node.get(seg)
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
        else:
            return None
    return node


def _js_typeof(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "object"  # null, arrays and objects


def levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def best_match(value: str, allowed: list) -> str | None:
    """The allowed string closest to `value`, if close enough (as both Spectral formatters do)."""
    candidates = sorted(
        ((levenshtein(v, value), i, v) for i, v in enumerate(allowed) if isinstance(v, str)),
    )
    if not candidates:
        return None
    weight, _, best = candidates[0]
    return best if len(allowed) == 1 or weight < len(best) else None


# ---------------------------------------------------------------- oasDocumentSchema


def oas_document_results(errors: list[AjvError], data: Any) -> list[tuple[str, tuple]]:
    """(message, path) per error, as Spectral's oasDocumentSchema function builds them."""
    out = []
    for err in errors:
        if err.keyword == "if":
            continue
        path = err.instance_path
        prop = _escape(path[-1]) if path else None
        if err.keyword == "additionalProperties":
            extra = err.params["additionalProperty"]
            path = path + (extra,)
            message = f'Property "{extra}" is not expected to be here'
        elif err.keyword == "enum":
            allowed = err.params["allowedValues"]
            suggestion = ""
            if isinstance(data, dict):
                value = _value_at(data, err.instance_path)
                if isinstance(value, str):
                    match = best_match(value, allowed)
                    if match is not None:
                        suggestion = f'. Did you mean "{match}"?'
            printed = ", ".join(js_json(v) for v in allowed)
            message = f"{_prefixed(prop, err.message)}: {printed}{suggestion}"
        elif err.keyword == "errorMessage":
            message = str(err.message)
        else:
            message = _prefixed(prop, err.message)
        out.append((message, path))
    return out


def _prefixed(prop: str | None, message: str) -> str:
    cleaned = _clean(message)
    return cleaned if prop is None else f'"{prop}" property {cleaned}'


# ---------------------------------------------------------------- schema function (better-ajv-errors)

_POINTER_SEGMENTS = re.compile(r"/[\w$_-]+(?:/\d+)?", re.ASCII)


class _Node:
    __slots__ = ("children", "errors")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.errors: list[AjvError] | None = []


def _make_tree(errors: list[AjvError]) -> _Node:
    # the same odd grouping as better-ajv-errors: keys outside [\w$-] do not make their own node
    root = _Node()
    for err in errors:
        pointer = err.pointer
        parts = [""] if pointer == "" else _POINTER_SEGMENTS.findall(pointer)
        node = root
        for i, part in enumerate(parts):
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Node()
            if i == len(parts) - 1:
                child.errors.append(err)
            node = child
    return root


def _filter_redundant(node: _Node, parent: _Node | None = None, key: str | None = None) -> None:
    errors = node.errors or []
    if any(e.keyword == "anyOf" for e in errors) and node.children:
        node.errors = None
    if node.errors and all(e.keyword == "enum" for e in node.errors) and parent is not None:
        if any(sibling is not node for sibling in parent.children.values()):
            parent.children.pop(key, None)
    for k, child in list(node.children.items()):
        _filter_redundant(child, node, k)


def _property_name(err: AjvError, prop_path: tuple) -> str | None:
    if err.instance_path:
        return _escape(err.instance_path[-1])
    return str(prop_path[-1]) if prop_path else None


def _pretty_name(err: AjvError, prop_path: tuple, data: Any) -> str:
    name = _property_name(err, prop_path)
    if name is None:
        return _js_typeof(_value_at(data, err.instance_path)).capitalize()
    return f'"{name}" property'


def _describe(err: AjvError, prop_path: tuple, data: Any, merged_enum: list | None = None) -> tuple[str, tuple]:
    kw = err.keyword
    if merged_enum is not None:
        message = f"{_pretty_name(err, prop_path, data)} {err.message}: " + ", ".join(
            f'"{v}"' if isinstance(v, str) else js_json(v) for v in merged_enum
        )
        value = _value_at(data, err.instance_path)
        if isinstance(value, str):
            match = best_match(value, merged_enum)
            if match is not None:
                message += f'. Did you mean "{match}"?'
        return message, err.instance_path
    if kw == "additionalProperties":
        return f'Property "{err.params["additionalProperty"]}" is not expected to be here', err.instance_path
    if kw == "type":
        name = _property_name(err, prop_path)
        prefix = "Value type" if name is None else f'"{name}" property type'
        return f"{prefix} {err.message}", err.instance_path
    if kw == "errorMessage":
        return err.message, err.instance_path
    return f"{_pretty_name(err, prop_path, data)} {_clean(err.message)}", err.instance_path


def _instances(node: _Node, prop_path: tuple, data: Any) -> list[tuple[str, tuple, AjvError]]:
    errors = node.errors or []
    if errors and all(e.keyword == "enum" for e in errors):
        allowed: list = []
        seen: set = set()
        for e in errors:
            for v in e.params["allowedValues"]:
                marker = js_json(v) if not isinstance(v, (dict, list)) else id(v)
                if marker not in seen:
                    seen.add(marker)
                    allowed.append(v)
        message, path = _describe(errors[0], prop_path, data, allowed)
        return [(message, path, errors[0])]
    out = [(*_describe(e, prop_path, data), e) for e in errors]
    for child in node.children.values():
        out.extend(_instances(child, prop_path, data))
    return out


def _describe_array_item(message: str, path: tuple) -> str:
    """Spectral: `"0" property type must be string` reads `Item at index 0 type must be string`."""
    if not path:
        return message
    index = _escape(path[-1])
    if not index.isdigit() or not index.isascii():
        return message
    for prefix in (f'"{index}" property type', f'"{index}" property'):
        if message.startswith(prefix):
            return f"Item at index {index}{message[len(prefix):]}"
    return message


def spectral_schema_results(errors: list[AjvError], data: Any, prop_path: tuple) -> list[tuple[str, tuple]]:
    """(message, instance path relative to the validated value) as Spectral's schema function reports them."""
    unmatched: dict[tuple, str] = {}
    for e in errors:
        if e.keyword in ("oneOf", "anyOf") and not isinstance(e.params.get("passingSchemas"), list):
            unmatched[e.instance_path] = e.keyword
    tree = _make_tree(errors)
    _filter_redundant(tree)
    out = []
    for message, path, _err in _instances(tree, prop_path, data):
        message = _describe_array_item(message, path)
        combinator = unmatched.get(path)
        if combinator is not None and message.endswith(f" in {combinator}"):
            message += ". None of the schemas matched, see the other errors reported for this value"
        out.append((message, path))
    return out
