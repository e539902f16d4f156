"""oasExample: examples and defaults validate against their schema (the *-valid-*-example rules).

Port of Spectral's oasExample. The validation itself is the `oasSchema` function (OpenAPI
schema dialects); this module picks what to validate and prepares the schema:
- `type: schema`: `example`/`default` (and `x-example` on OpenAPI 2) of a schema object;
- `type: media`: `example` or `examples` of a media type / parameter / header / response.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, Iterator

from apigov_ls.engine.functions import function, get_function
from apigov_ls.engine.functions.oas_common import is_object
from apigov_ls.engine.types import UNDEFINED

_OPTIONS = {
    "type": "object",
    "properties": {
        "oasVersion": {"enum": [2, 3]},
        "schemaField": {"type": "string"},
        "type": {"enum": ["media", "schema"]},
    },
    "additionalProperties": False,
}

#: (field, multiple, keyed) per OpenAPI version, in the order Spectral tries them
_MEDIA_ITEMS = {
    2: [("examples", True, False)],
    3: [("example", False, False), ("examples", True, True)],
}
_SCHEMA_ITEMS = {2: ("example", "x-example", "default"), 3: ("example", "default")}
_REQUEST_MEDIA_PATHS = {2: [], 3: [("components", "requestBodies"), ("paths", "*", "*", "requestBody")]}
_RESPONSE_MEDIA_PATHS = {2: [("responses",), ("paths", "*", "*", "responses")], 3: [("components", "responses"), ("paths", "*", "*", "responses")]}

# json-schema-traverse 1.0 keyword tables (Spectral walks schemas with it)
_TRAVERSE_KEYWORDS = {"additionalItems", "items", "contains", "additionalProperties", "propertyNames", "not", "if", "then", "else"}
_TRAVERSE_ARRAY_KEYWORDS = {"items", "allOf", "anyOf", "oneOf"}
_TRAVERSE_PROPS_KEYWORDS = {"$defs", "definitions", "properties", "patternProperties", "dependencies"}
_TRAVERSE_SKIP_KEYWORDS = {
    "default", "enum", "const", "required", "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum",
    "multipleOf", "maxLength", "minLength", "pattern", "format", "maxItems", "minItems", "uniqueItems",
    "maxProperties", "minProperties",
}
_KNOWN_KEYWORDS = _TRAVERSE_KEYWORDS | _TRAVERSE_ARRAY_KEYWORDS | _TRAVERSE_PROPS_KEYWORDS


def _traverse(schema: Any, visit, all_keys: bool, parent_keyword: str | None = None, parent: Any = None, prop: Any = None, pointer: str = "", parent_pointer: str | None = None) -> None:
    """json-schema-traverse: call visit(fragment, pointer, parent_pointer, parent_keyword, parent, prop) pre-order."""
    if not isinstance(schema, dict):
        return
    visit(schema, pointer, parent_pointer, parent_keyword, parent, prop)
    for key, sub in list(schema.items()):
        if isinstance(sub, list):
            if key in _TRAVERSE_ARRAY_KEYWORDS:
                for i, item in enumerate(sub):
                    _traverse(item, visit, all_keys, key, schema, i, f"{pointer}/{key}/{i}", pointer)
        elif key in _TRAVERSE_PROPS_KEYWORDS:
            if isinstance(sub, dict):
                for name, item in list(sub.items()):
                    escaped = name.replace("~", "~0").replace("/", "~1")
                    _traverse(item, visit, all_keys, key, schema, name, f"{pointer}/{key}/{escaped}", pointer)
        elif key in _TRAVERSE_KEYWORDS or (all_keys and key not in _TRAVERSE_SKIP_KEYWORDS):
            _traverse(sub, visit, all_keys, key, schema, None, f"{pointer}/{key}", pointer)


def _clean_schema(schema: Any) -> None:
    """Drop `id` from objects reached through non-schema keywords (examples, extensions):
    a draft-04 validator would read them as schema ids. (Spectral also tests `$id` there but deletes `id`.)"""

    def visit(fragment, _ptr, _parent_ptr, parent_keyword, _parent, _prop):
        if parent_keyword is None or parent_keyword in _KNOWN_KEYWORDS:
            return
        fragment.pop("id", None)

    _traverse(schema, visit, all_keys=True)


def _relax_required(schema: Any, read_only: bool, write_only: bool) -> None:
    """Requests may omit readOnly properties and responses writeOnly ones: drop them from `required`."""
    if not (read_only or write_only):
        return
    not_pointers: list[str] = []

    def visit(fragment, pointer, parent_pointer, parent_keyword, parent, prop):
        if parent_keyword == "not":
            not_pointers.append(pointer)
            return
        if parent_pointer is not None and any(parent_pointer == p or parent_pointer.startswith(p + "/") for p in not_pointers):
            return
        if (fragment.get("readOnly") is True and read_only) or (fragment.get("writeOnly") is True and write_only):
            if parent_keyword == "properties" and parent is not None and ("required" not in parent or isinstance(parent["required"], list)):
                if "required" in parent:
                    parent["required"] = [p for p in parent["required"] if p != prop]
                    if not parent["required"]:
                        del parent["required"]

    _traverse(schema, visit, all_keys=False)


def _under(path: tuple, prefixes: list[tuple]) -> bool:
    return any(
        len(path) >= len(prefix) and all(seg == "*" or seg == str(path[i]) for i, seg in enumerate(prefix))
        for prefix in prefixes
    )


def _media_items(value: dict, path: tuple, oas_version: int) -> Iterator[tuple[Any, tuple]]:
    for field, multiple, keyed in _MEDIA_ITEMS[oas_version]:
        if field not in value:
            continue
        examples = value[field]
        if not multiple:
            yield examples, path + (field,)
            return
        if not is_object(examples):
            continue
        entries = examples.items() if isinstance(examples, dict) else ((str(i), v) for i, v in enumerate(examples))
        for key, example in entries:
            if oas_version == 3 and keyed and (not is_object(example) or (isinstance(example, dict) and "externalValue" in example)):
                continue
            target = path + (field, key) + (("value",) if keyed else ())
            if keyed:
                yield (example.get("value", UNDEFINED) if isinstance(example, dict) else UNDEFINED), target
            else:
                yield example, target
        return


@function("oasExample", options_schema=_OPTIONS)
def oas_example(value: Any, options: Any, context) -> list[dict] | None:
    if not isinstance(value, dict):
        return None
    oas_schema = get_function("oasSchema")
    if oas_schema is None:
        raise RuntimeError("the oasSchema function is not available")
    opts = options or {}
    oas_version = opts.get("oasVersion")
    kind = opts.get("type")
    field = opts.get("schemaField")
    schema = value if field == "$" else value.get(field)
    path = tuple(context.path)
    request = kind == "media" and _under(path, _REQUEST_MEDIA_PATHS[oas_version])
    response = kind == "media" and _under(path, _RESPONSE_MEDIA_PATHS[oas_version])
    # The resolved view shares one object per $ref target, so the same value is checked at every
    # place it is used. What is found depends on the place only through the request/response flags
    # and the result paths (relative to context.path: every item path extends it, and messages
    # name the last segment of a result path); the rest is per document (formats, dialect).
    results_memo = _results_memo(context.document_inventory)
    memo_key = (id(value), kind, field, oas_version, request, response, _document_key(context))
    hit = results_memo.get(memo_key) if results_memo is not None else None
    if hit is not None and hit[0] is value:
        return _rerooted(hit[1], path)
    found = _examples_results(oas_schema, value, schema, path, kind, oas_version, request, response, context)
    if results_memo is not None:
        memoized = _relative(found, path)
        if memoized is not False:
            if len(results_memo) >= _RESULTS_MEMO_LIMIT:
                results_memo.clear()
            # `value` is held so that its id is not reused while the entry lives
            results_memo[memo_key] = (value, memoized)
    return found


#: entries kept per document before the memo starts over (a long editing session)
_RESULTS_MEMO_LIMIT = 50000


def _document_key(context) -> tuple:
    document = getattr(context, "document", None)
    formats = getattr(document, "formats", None)
    data = getattr(document, "data", None)
    dialect = data.get("jsonSchemaDialect") if isinstance(data, dict) else None
    if formats is not None and not isinstance(formats, frozenset):
        formats = frozenset(formats)
    return (formats, dialect if isinstance(dialect, str) else None)


def _relative(found: list[dict] | None, path: tuple) -> list[tuple] | None | bool:
    """(message, path relative to `path`) per result; False when a result is not of that shape."""
    if found is None:
        return None
    depth = len(path)
    out = []
    for r in found:
        rpath = r.get("path") if isinstance(r, dict) else None
        if len(r) != 2 or not isinstance(rpath, tuple) or len(rpath) <= depth or rpath[:depth] != path:
            return False
        out.append((r["message"], rpath[depth:]))
    return out


def _rerooted(memoized: list | None, path: tuple) -> list[dict] | None:
    if memoized is None:
        return None
    return [{"message": message, "path": path + rel} for message, rel in memoized]


def _per_document(document, name: str) -> dict | None:
    """The dict kept on `document` under `name` (made on first use); None when it takes no attributes."""
    cache = getattr(document, name, None)
    if cache is None:
        cache = {}
        try:
            setattr(document, name, cache)
        except AttributeError:  # a document object without attributes (tests)
            return None
    return cache


def _results_memo(document) -> dict | None:
    """Per-document memo of oasExample results (relative paths), keyed by the checked value's id."""
    return _per_document(document, "_oas_example_results")


def _examples_results(oas_schema, value, schema, path, kind, oas_version, request, response, context) -> list[dict] | None:
    if kind == "schema":
        items = [(value[f], path + (f,)) for f in _SCHEMA_ITEMS[oas_version] if f in value]
    else:
        items = list(_media_items(value, path, oas_version))
    if not isinstance(schema, dict):
        return None  # Spectral's oasSchema refuses a non-object schema (options error): nothing is reported
    if not items:
        return None  # nothing to validate: skip preparing (copying, compiling) the schema
    prepared = _prepared_schemas(context.document_inventory)
    key = (id(schema), request, response)
    hit = prepared.get(key)
    if hit is not None and hit[0] is schema:
        return _validate_items(oas_schema, hit[1], items, context)
    original = schema
    # OpenAPI 2 parameters carry `required: true|false`, which is not a schema keyword
    if "oas2" in (context.document.formats or ()) and isinstance(schema.get("required"), bool):
        schema = {k: v for k, v in schema.items() if k != "required"}
    schema = copy.deepcopy(schema)
    _clean_schema(schema)
    _relax_required(schema, request, response)
    prepared[key] = (original, schema)  # holding `original` keeps its id from being reused
    return _validate_items(oas_schema, schema, items, context)


def _prepared_schemas(document) -> dict:
    """Per-document cache: one prepared copy (and so one compiled validator) per schema object.

    Resolved documents share schema objects between every place a component is used."""
    cache = _per_document(document, "_oas_example_schemas")
    return {} if cache is None else cache  # no attributes: prepared again each time


def _validate_items(oas_schema, schema, items, context) -> list[dict] | None:
    results: list[dict] | None = None
    options = {"schema": schema}
    for example, target in items:
        found = oas_schema.fn(example, options, dataclasses.replace(context, path=target))
        if isinstance(found, list):
            results = (results or []) + found
    return results
