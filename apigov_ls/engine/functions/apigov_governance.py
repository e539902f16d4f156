"""apigov:governance functions (Postman's Operations and Models rules) whose messages name the
operation, parameter or schema at fault. The API-information rules are pure data (truthy)."""

from __future__ import annotations

import os
import re
from typing import Any, Iterator

from apigov_ls.document.model import encode_pointer
from apigov_ls.engine.functions import function
from apigov_ls.engine.functions.apigov_common import describe, get_path, is_oas2, operation_label, resolved_root

_OPERATION_CHECKS = (
    "summary",
    "summary-no-period",
    "description",
    "request-body",
    "request-body-example",
    "success-response",
    "server-error-response",
    "response-example",
    "no-body-204",
)


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def _parameters(root: Any, path: tuple, op: dict) -> list[tuple[tuple, dict]]:
    """(path, parameter) for the operation's own and its path item's parameters."""
    out = []
    for base, holder in ((path, op), (path[:2], get_path(root, path[:2]))):
        params = holder.get("parameters") if isinstance(holder, dict) else None
        if isinstance(params, list):
            out.extend((base + ("parameters", i), p) for i, p in enumerate(params) if isinstance(p, dict))
    return out


def _has_example(holder: Any) -> bool:
    """An example on a media type / parameter / response, or on its schema."""
    if not isinstance(holder, dict):
        return False
    if "example" in holder or holder.get("examples") or "x-example" in holder:
        return True
    schema = holder.get("schema")
    return isinstance(schema, dict) and ("example" in schema or bool(schema.get("examples")))


def _status_codes(op: dict) -> list[str]:
    responses = op.get("responses")
    return [str(k) for k in responses] if isinstance(responses, dict) else []


@function(
    "apigovOperation",
    {"type": "object", "properties": {"check": {"enum": list(_OPERATION_CHECKS)}}, "required": ["check"], "additionalProperties": False},
)
def operation_check(op: Any, options: dict, context) -> list[dict] | None:
    if not isinstance(op, dict):
        return None
    path = tuple(context.path)
    label = operation_label(path) or describe(path)
    check = options["check"]
    oas2 = is_oas2(context)

    def one(message: str, where: tuple = path) -> list[dict]:
        return [{"message": message, "path": where}]

    if check == "summary":
        return one(f"Operation {label} has no summary") if _blank(op.get("summary")) else None
    if check == "summary-no-period":
        summary = op.get("summary")
        if isinstance(summary, str) and summary.rstrip().endswith("."):
            return one(f'Summary of operation {label} ends with a period: "{summary.strip()}"', path + ("summary",))
        return None
    if check == "description":
        return one(f"Operation {label} has no description") if _blank(op.get("description")) else None
    if check == "request-body":
        if oas2:
            root = resolved_root(context)
            has_body = any(p.get("in") in ("body", "formData") for _, p in _parameters(root, path, op))
        else:
            has_body = isinstance(op.get("requestBody"), dict)
        return None if has_body else one(f"Operation {label} has no request body")
    if check == "request-body-example":
        return _request_body_examples(resolved_root(context), path, op, label, oas2)
    if check == "success-response":
        if any(re.fullmatch(r"2(\d\d|XX)", c) for c in _status_codes(op)) or "responses" not in op:
            return None
        return one(f"Operation {label} defines no 2xx response", path + ("responses",))
    if check == "server-error-response":
        if any(re.fullmatch(r"5(\d\d|XX)", c) for c in _status_codes(op)) or "responses" not in op:
            return None
        return one(f"Operation {label} defines no 5xx response", path + ("responses",))
    if check == "response-example":
        return _response_examples(path, op, label, oas2)
    # no-body-204
    response = get_path(op, ("responses", "204"))
    if not isinstance(response, dict):
        return None
    if oas2:
        if "schema" in response:
            return one(f"The 204 response of operation {label} defines a body (schema)", path + ("responses", "204", "schema"))
        return None
    if isinstance(response.get("content"), dict) and response["content"]:
        return one(f"The 204 response of operation {label} defines a body (content)", path + ("responses", "204", "content"))
    return None


def _request_body_examples(root: Any, path: tuple, op: dict, label: str, oas2: bool) -> list[dict] | None:
    results = []
    if oas2:
        for where, p in _parameters(root, path, op):
            if p.get("in") == "body" and not _has_example(p):
                results.append({"message": f'Request body "{p.get("name", "body")}" of operation {label} has no example', "path": where})
        return results or None
    content = get_path(op, ("requestBody", "content"))
    if isinstance(content, dict):
        for media, item in content.items():
            if not _has_example(item):
                results.append({
                    "message": f"Request body ({media}) of operation {label} has no example",
                    "path": path + ("requestBody", "content", media),
                })
    return results or None


def _response_examples(path: tuple, op: dict, label: str, oas2: bool) -> list[dict] | None:
    responses = op.get("responses")
    if not isinstance(responses, dict):
        return None
    results = []
    for code, response in responses.items():
        if not isinstance(response, dict):
            continue
        where = path + ("responses", code)
        if oas2:
            if "schema" in response and not _has_example(response):
                results.append({"message": f"Response {code} of operation {label} has no example", "path": where})
            continue
        content = response.get("content")
        if isinstance(content, dict):
            for media, item in content.items():
                if isinstance(item, dict) and not _has_example(item):
                    results.append({"message": f"Response {code} ({media}) of operation {label} has no example", "path": where + ("content", media)})
    return results or None


@function(
    "apigovParameter",
    {"type": "object", "properties": {"check": {"enum": ["description", "example"]}}, "required": ["check"], "additionalProperties": False},
)
def parameter_check(param: Any, options: dict, context) -> list[dict] | None:
    """One parameter object. The message names the parameter only: a shared (referenced)
    parameter gives the same message from every operation, reported once where it lives."""
    if not isinstance(param, dict) or "in" not in param:
        return None
    words = f'Parameter "{param.get("name", "?")}" ({param.get("in")})'
    if options["check"] == "description":
        return [{"message": f"{words} has no description"}] if _blank(param.get("description")) else None
    content = param.get("content")
    if _has_example(param) or (isinstance(content, dict) and any(_has_example(m) for m in content.values())):
        return None
    return [{"message": f"{words} has no example"}]


# -- models ---------------------------------------------------------------------------------------------------
def _location_words(context, path: tuple) -> str:
    """Name a schema by where its text lives, so every route to shared content gives one message."""
    inventory = context.document_inventory
    if inventory is None or not hasattr(inventory, "locate"):
        return describe(path)
    source_file, pointer, _ = inventory.locate(path)
    if source_file.path != inventory.source:
        return f'schema "{os.path.basename(source_file.path)}#{encode_pointer(tuple(pointer))}"'
    return describe(tuple(pointer))


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


@function("apigovSchemaDescription")
def schema_description(schema: Any, options: Any, context) -> list[dict] | None:
    """A reusable schema (components.schemas / definitions entry) has a description."""
    if not isinstance(schema, dict) or not _blank(schema.get("description")):
        return None
    name = context.path[-1] if context.path else "?"
    return [{"message": f'Reusable schema "{name}" has no description'}]


_MAX_DEPTH = 64


def _raw_schema(context, path: tuple) -> Any:
    """The schema's own text (unresolved) in the file that holds it: walking it instead of the
    resolved view keeps `$ref`s visible and never expands shared schemas again and again."""
    inventory = context.document_inventory
    if inventory is None or not hasattr(inventory, "locate"):
        return None
    source_file, pointer, _ = inventory.locate(path)
    return get_path(source_file.data, tuple(pointer))


def _properties(schema: Any, path: tuple, depth: int = 0) -> Iterator[tuple[tuple, dict]]:
    """(path, property schema) for the properties of `schema` and of its inline subschemas.
    A `$ref` is not entered: what it points at is a reusable schema, checked as itself."""
    if not isinstance(schema, dict) or "$ref" in schema or depth > _MAX_DEPTH:
        return
    props = schema.get("properties")
    if isinstance(props, dict):
        for name, prop in props.items():
            if isinstance(prop, dict):
                where = path + ("properties", name)
                yield where, prop
                yield from _properties(prop, where, depth + 1)
    for key in ("items", "additionalProperties", "not"):
        sub = schema.get(key)
        if isinstance(sub, dict):
            yield from _properties(sub, path + (key,), depth + 1)
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        subs = schema.get(key)
        if isinstance(subs, list):
            for i, sub in enumerate(subs):
                yield from _properties(sub, path + (key, i), depth + 1)


def _inline_object(schema: Any) -> bool:
    return (
        isinstance(schema, dict)
        and "$ref" not in schema
        and isinstance(schema.get("properties"), dict)
        and bool(schema["properties"])
    )


@function(
    "apigovSchemaProperties",
    {"type": "object", "properties": {"check": {"enum": ["description", "reusable"]}}, "required": ["check"], "additionalProperties": False},
)
def schema_properties(schema: Any, options: dict, context) -> list[dict] | None:
    """Properties of a reusable schema: `description` (each has one; a `$ref`'d property takes
    its description from its target) or `reusable` (an object property, or the items of an array
    property, is a `$ref` to a reusable schema rather than an inline object)."""
    raw = _raw_schema(context, tuple(context.path))
    results = []
    for where, prop in _properties(raw, tuple(context.path)):
        if options["check"] == "description":
            if _blank(prop.get("description")) and "$ref" not in prop:
                results.append({"message": f"{_upper_first(_location_words(context, where))} has no description", "path": where})
            continue
        for target, sub in ((where, prop), (where + ("items",), prop.get("items"))):
            if _inline_object(sub):
                words = _location_words(context, where)
                results.append({"message": f"{_upper_first(words)} defines an inline object; reference a reusable schema instead", "path": target})
    return results or None


#: keys whose values are data, not schemas (unless they name a property)
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


#: where a ReusableObjects/path-item walk starts: targets there are checked as themselves
_CHECKED_ROOTS = (("components",), ("definitions",), ("parameters",), ("responses",), ("paths",), ("webhooks",))


class _ArrayWalk:
    """Walks raw text for `type: array` schemas. A `$ref` to the root file's components (or
    definitions, paths...) is not entered: that target is walked as itself. A `$ref` elsewhere
    (another file, a non-reusable pointer) is entered once per walk, continuing the resolved path."""

    def __init__(self, inventory, root_source: str):
        self.inventory = inventory
        self.root_source = root_source
        self.active: set = set()
        self.found: list[tuple[tuple, dict]] = []

    def walk(self, node: Any, path: tuple, source: str, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            return
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                self._follow(node["$ref"], path, source, depth)
                return
            kind = node.get("type")
            if kind == "array" or (isinstance(kind, list) and "array" in kind):
                self.found.append((path, node))
            in_properties = bool(path) and path[-1] == "properties"
            for key, value in node.items():
                if not in_properties and (key in _DATA_KEYS or str(key).startswith("x-")):
                    continue
                if isinstance(value, (dict, list)):
                    self.walk(value, path + (key,), source, depth + 1)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    self.walk(value, path + (i,), source, depth + 1)

    def _follow(self, ref: str, path: tuple, source: str, depth: int) -> None:
        target, pointer, error = self.inventory.target_of(ref, source)
        if error or target is None or pointer is None:
            return
        if target == self.root_source and any(tuple(pointer[: len(r)]) == r for r in _CHECKED_ROOTS):
            return
        key = (target, tuple(pointer))
        source_file = self.inventory.files.get(target)
        if key in self.active or source_file is None:
            return
        self.active.add(key)
        self.walk(get_path(source_file.data, tuple(pointer)), path, target, depth + 1)


@function("apigovArrayBounds")
def array_bounds(value: Any, options: Any, context) -> list[dict] | None:
    """Array schemas define both minItems and maxItems. Given reusable objects and path items,
    it walks their own text (not what they `$ref`: that is checked where it is defined), so each
    array is looked at once however many operations share it."""
    inventory = context.document_inventory
    if inventory is None or not hasattr(inventory, "locate"):
        return None
    source_file, pointer, _ = inventory.locate(tuple(context.path))
    walker = _ArrayWalk(inventory, inventory.source)
    walker.walk(get_path(source_file.data, tuple(pointer)), tuple(context.path), source_file.path)
    results = []
    for where, schema in walker.found:
        missing = [k for k in ("minItems", "maxItems") if k not in schema]
        if not missing:
            continue
        words = _location_words(context, where)
        if not words.startswith("schema"):
            words = f"schema in {words}"
        results.append({"message": f"Array {words} does not define {' or '.join(missing)}", "path": where})
    return results or None
