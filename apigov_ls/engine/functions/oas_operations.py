"""Operation-level OpenAPI checks, ported from Spectral's oas functions.

oasOpSuccessResponse, oasOpFormDataConsumeCheck, oasOpParams, oasOpIdUnique, oasTagDefined.
Each function returns nothing when its input is not the shape Spectral's input schema asks for
(Spectral's createRulesetFunction skips such input silently).
"""

from __future__ import annotations

import re
from typing import Any

from apigov_ls.engine.functions import function
from apigov_ls.engine.functions.oas_common import (
    get_all_operations,
    is_object,
    js_includes,
    js_number,
    prop,
)
from apigov_ls.engine.runner import js_string
from apigov_ls.engine.subtree_memo import memo_for
from apigov_ls.engine.types import UNDEFINED


@function("oasOpSuccessResponse")
def oas_op_success_response(responses: Any, _options: Any, context) -> list[dict] | None:
    """An operation's `responses` needs a 2xx/3xx code (or 2XX/3XX on OpenAPI 3)."""
    if not isinstance(responses, dict):
        return None
    is_oas3 = "oas3" in (context.document.formats or ())
    for code in responses:
        if is_oas3 and code in ("2XX", "3XX"):
            return None
        if 200 <= js_number(code) < 400:
            return None
    return [{"message": "Operation must define at least a single 2xx or 3xx response"}]


_FORM_CONSUMES = re.compile(r"(application/x-www-form-urlencoded|multipart/form-data)")


@function("oasOpFormDataConsumeCheck")
def oas_op_form_data_consume_check(operation: Any, _options: Any, _context) -> list[dict] | None:
    """OpenAPI 2: formData parameters need a form media type in `consumes`."""
    if not isinstance(operation, dict):
        return None
    parameters, consumes = operation.get("parameters"), operation.get("consumes")
    if not isinstance(parameters, list) or not isinstance(consumes, list):
        return None
    has_form_data = any(isinstance(p, dict) and p.get("in") == "formData" for p in parameters)
    # consumes.join(','): null/undefined entries print as empty strings
    joined = ",".join("" if c is None else js_string(c) for c in consumes)
    if has_form_data and not _FORM_CONSUMES.search(joined):
        return [{"message": "Consumes must include urlencoded, multipart, or form-data media type when using formData parameter."}]
    return None


@function("oasOpParams")
def oas_op_params(params: Any, _options: Any, context) -> list[dict] | None:
    """Parameters of one operation: no duplicate name+in, one body at most, not body and formData."""
    if not isinstance(params, list) or len(params) < 2:
        return None
    results: list[dict] = []
    body: list[int] = []
    form_data: list[int] = []
    seen: list[str] = []
    duplicates: list[int] = []
    for index, param in enumerate(params):
        if not is_object(param) or (isinstance(param, dict) and "$ref" in param):
            continue
        fingerprint = f"{js_string(prop(param, 'in'))}-{js_string(prop(param, 'name'))}"
        if fingerprint in seen:
            duplicates.append(index)
        else:
            seen.append(fingerprint)
        where = prop(param, "in")
        if where == "body":
            body.append(index)
        elif where == "formData":
            form_data.append(index)
    for i in duplicates:
        results.append(
            {
                "message": 'A parameter in this operation already exposes the same combination of "name" and "in" values.',
                "path": context.path + (i,),
            }
        )
    if body and form_data:
        results.append({"message": 'Operation must not have both "in:body" and "in:formData" parameters.'})
    for i in body[1:]:
        results.append(
            {
                "message": 'Operation must not have more than a single instance of the "in:body" parameter.',
                "path": context.path + (i,),
            }
        )
    return results


@function("oasOpIdUnique")
def oas_op_id_unique(paths: Any, _options: Any, _context) -> list[dict] | None:
    """Every operationId under `paths` is used once; later uses are reported."""
    if not isinstance(paths, dict):
        return None
    results: list[dict] = []
    seen: list[Any] = []
    seen_keys: set = set()
    for path, method, operation_id in _operation_ids(paths, memo_for(getattr(_context, "document", None), "oasOpIdUnique")):
        # primitives compare by (kind, value) in a set; objects fall back to the identity scan
        key = _includes_key(operation_id)
        dup = (key in seen_keys) if key is not None else js_includes(seen, operation_id)
        if dup:
            results.append({"message": "operationId must be unique.", "path": ("paths", path, method, "operationId")})
        else:
            seen.append(operation_id)
            if key is not None:
                seen_keys.add(key)
    return results


def _operation_ids(paths: dict, memo) -> list:
    """(path, method, operationId) of every operation that has one, in document order; per path
    item from `memo` while the item is the same object (a document re-checked edit by edit)."""
    def ids(path: str, item: dict) -> list:
        return [(p, m, op["operationId"]) for p, m, op in get_all_operations({path: item}) if "operationId" in op]

    if memo is None or not isinstance(paths, dict):
        return [(p, m, op["operationId"]) for p, m, op in get_all_operations(paths) if "operationId" in op]
    return [entry for kept in memo.per_item(paths, ids) for entry in kept]


def _includes_key(value: Any):
    """A hashable key with Array.prototype.includes (SameValueZero) equality, or None for objects."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", float(value)) if value == value else ("nan",)
    if isinstance(value, str):
        return ("string", value)
    if value is None:
        return ("null",)
    return None


@function("oasTagDefined")
def oas_tag_defined(root: Any, _options: Any, _context) -> list[dict] | None:
    """Every operation tag is declared in the top-level `tags` list."""
    if not isinstance(root, dict):
        return None
    declared: list[str] = []
    tags = root.get("tags")
    if isinstance(tags, list):
        declared = [t["name"] for t in tags if isinstance(t, dict) and isinstance(t.get("name"), str)]
    results: list[dict] = []
    # `declared` holds strings only, so Array.includes is set membership of a string (linear scans
    # made this rule cost tens of milliseconds per check of a large description)
    declared_set = set(declared)
    for where, tag in _operation_tags(root.get("paths", UNDEFINED), memo_for(getattr(_context, "document", None), "oasTagDefined")):
        if not (type(tag) is str and tag in declared_set):
            results.append({"message": "Operation tags must be defined in global tags.", "path": where})
    return results


def _tags_of(paths: Any) -> list:
    return [(("paths", path, method, "tags", i), tag)
            for path, method, operation in get_all_operations(paths)
            if isinstance(op_tags := operation.get("tags"), list)
            for i, tag in enumerate(op_tags)]


def _operation_tags(paths: Any, memo) -> list:
    """(path of the tag, tag) for every tag of every operation, in document order; per path item
    from `memo` while the item is the same object (a document re-checked edit by edit)."""
    if memo is None or not isinstance(paths, dict):
        return _tags_of(paths)
    return [entry for kept in memo.per_item(paths, lambda path, item: _tags_of({path: item})) for entry in kept]
