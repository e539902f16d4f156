"""Spectral's OpenAPI schema functions.

- `oasDocumentSchema` (rules oas2-schema / oas3-schema: `given: $`, `resolved: false`,
  `message: "{{error}}."`): validates the whole document against the OpenAPI schema of its
  version, with all errors, and reports them as Spectral does.
- `oasSchema`: the `schema` function for Schema Objects taken from a document: OpenAPI 2.0 and
  3.0 schemas are validated as draft 4 (`x-nullable` becomes `nullable` in 2.0) and their type
  errors say ",null" when the schema is nullable; 3.1/3.2 schemas as draft 2020-12 (or the
  draft named by the document's `jsonSchemaDialect`).
"""

from __future__ import annotations

from typing import Any

from apigov_ls.engine.functions import function
from apigov_ls.engine.functions.schema import detect_dialect, render_property, run_schema
from apigov_ls.engine.schema_compiler import AjvError
from apigov_ls.engine.schema_errors import oas_document_results
from apigov_ls.engine.subtree_memo import memo_for
from apigov_ls.engine.schema_registry import document_validator, factory_for

_NOT_SCHEMAS = frozenset({"enum", "const", "default", "example", "examples"})


def document_schema_name(formats: Any) -> str | None:
    """Which OpenAPI schema validates a document with these formats (Spectral's choice)."""
    if formats is None:
        return None
    if "oas2" in formats:
        return "oas2_0"
    if "oas3_2" in formats:
        return "oas3_2"
    if "oas3_1" in formats:
        return "oas3_1"
    return "oas3_0"


def _formats(context: Any) -> Any:
    return getattr(getattr(context, "document", None), "formats", None)


@function("oasDocumentSchema")
def oas_document_schema(input: Any, options: Any, context: Any) -> list[dict] | None:
    name = document_schema_name(_formats(context))
    if name is None:
        return None
    base = tuple(context.path)
    # a whole-document validation (`given: $`) is re-run on every edit: reuse unchanged subtrees
    memo = None if base else memo_for(getattr(context, "document", None), ("oasDocumentSchema", name))
    try:
        errors = document_validator(name, memo=memo is not None).errors(input, memo)
    except RecursionError:
        return [{"message": "the document is nested too deeply to validate", "path": tuple(context.path)}]
    out = []
    for message, rel in oas_document_results(errors, input):
        full = base + rel
        out.append({"message": render_property(message, full), "path": full})
    return out


def _rewrite_nullable(errors: list[AjvError]) -> None:
    for err in errors:
        if err.keyword == "type" and isinstance(err.schema, dict) and err.schema.get("nullable") is True:
            err.message += ",null"


def _oas2_schema(schema: Any, memo: dict | None = None) -> Any:
    """A copy of an OpenAPI 2.0 schema with `x-nullable: true` turned into `nullable: true`."""
    memo = {} if memo is None else memo
    if isinstance(schema, list):
        if id(schema) in memo:
            return memo[id(schema)]
        out_list: list = []
        memo[id(schema)] = out_list
        out_list.extend(_oas2_schema(v, memo) for v in schema)
        return out_list
    if not isinstance(schema, dict):
        return schema
    if id(schema) in memo:
        return memo[id(schema)]
    out: dict = {}
    memo[id(schema)] = out
    for k, v in schema.items():
        out[k] = v if k in _NOT_SCHEMAS else _oas2_schema(v, memo)
    if out.get("x-nullable") is True:
        del out["x-nullable"]
        out["nullable"] = True
    return out


_OAS2_COPIES: "dict[int, tuple[Any, Any]]" = {}


@function(
    "oasSchema",
    {"type": "object", "properties": {"schema": {"type": "object"}}, "additionalProperties": False},
)
def oas_schema(input: Any, options: dict, context: Any) -> list[dict]:
    formats = _formats(context)
    schema = options["schema"]
    prepare = None
    if formats is None:
        dialect = "auto"
    elif "oas3_2" in formats or "oas3_1" in formats:
        data = getattr(context.document, "data", None)
        declared = data.get("jsonSchemaDialect") if isinstance(data, dict) else None
        dialect = (detect_dialect({"$schema": declared}) if isinstance(declared, str) else None) or "draft2020-12"
    elif "oas3_0" in formats:
        dialect, prepare = "draft4", _rewrite_nullable
    elif "oas2" in formats:
        dialect, prepare = "draft4", _rewrite_nullable
        cached = _OAS2_COPIES.get(id(schema))
        if cached is None or cached[0] is not schema:
            cached = _OAS2_COPIES[id(schema)] = (schema, _oas2_schema(schema))
            if len(_OAS2_COPIES) > 4096:
                _OAS2_COPIES.clear()
                _OAS2_COPIES[id(schema)] = cached
        schema = cached[1]
    else:
        dialect = "draft4"
    owner = getattr(context, "document_inventory", None)
    return run_schema(
        input,
        {"schema": schema, "dialect": dialect, "allErrors": bool(options.get("allErrors", False)), "prepareResults": prepare},
        context,
        factory_for(owner),
    )
