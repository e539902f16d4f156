"""Spectral's core `schema` function: validate the input against a JSON Schema.

Options (as Spectral): `schema` (object, required), `dialect` (auto | draft4 | draft6 | draft7 |
draft2019-09 | draft2020-12; auto reads `$schema` and falls back to draft 7), `allErrors` (bool,
default false: only the first error), and the internal `prepareResults` (a callable that may
edit the AJV-style errors before they are formatted; oasSchema uses it).
Messages and paths are Spectral's (see apigov_ls/engine/schema_errors.py).
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema

from apigov_ls.engine.functions import FunctionOptionsError, function
from apigov_ls.engine.schema_compiler import SchemaCompileError
from apigov_ls.engine.schema_errors import spectral_schema_results
from apigov_ls.engine.schema_registry import ValidatorFactory, factory_for, global_factory
from apigov_ls.engine.types import UNDEFINED

DIALECTS = ("auto", "draft4", "draft6", "draft7", "draft2019-09", "draft2020-12")

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "schema": {"type": "object"},
        "dialect": {"enum": list(DIALECTS)},
        "allErrors": {"type": "boolean"},
        "prepareResults": {},
    },
    "required": ["schema"],
    "additionalProperties": False,
}

_DRAFT_URI = re.compile(r"^https?://json-schema.org/(?:draft-0([467])|draft/(20(?:19-09|20-12)))/(?:hyper-)?schema#?$")
_META_VALIDATORS = {
    "draft4": jsonschema.Draft4Validator,
    "draft6": jsonschema.Draft6Validator,
    "draft7": jsonschema.Draft7Validator,
    "draft2019-09": jsonschema.Draft201909Validator,
    "draft2020-12": jsonschema.Draft202012Validator,
}


def detect_dialect(schema: Any) -> str | None:
    """Spectral's detectDialect: the draft named by `$schema`, if it names one."""
    uri = schema.get("$schema") if isinstance(schema, dict) else None
    if not isinstance(uri, str) or "//json-schema.org/" not in uri:
        return None
    m = _DRAFT_URI.match(uri)
    return f"draft{m[1] or m[2]}" if m else None


def resolve_dialect(schema: Any, dialect: str | None) -> str:
    chosen = detect_dialect(schema) if dialect in (None, "auto") else dialect
    # Spectral keeps no AJV instance for draft 6/7 by name: both use the default (draft 7) one
    return "draft7" if chosen in (None, "draft6") else chosen


def _prepare(options: dict) -> dict:
    """Check the schema against its meta-schema and compile it once, at ruleset load time."""
    schema = options["schema"]
    dialect = resolve_dialect(schema, options.get("dialect"))
    meta = _META_VALIDATORS[dialect]
    try:
        meta.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise FunctionOptionsError(
            f'"schema" function options: invalid JSON Schema{" at " + where if where else ""}: {exc.message}'
        ) from None
    try:
        global_factory().get(schema, dialect, bool(options.get("allErrors", False)))
    except SchemaCompileError as exc:
        raise FunctionOptionsError(f'"schema" function options: {exc}') from None
    return options


def print_property(path: tuple) -> str:
    """Spectral's `#{{print("property")}}`."""
    return f'"{path[-1]}" property ' if path else "The document "


def render_property(message: str, path: tuple) -> str:
    """Fill `{{property}}` (used by Spectral's schemas' errorMessage texts) as Spectral's runner would."""
    if "{{" not in message:
        return message
    return message.replace("{{property}}", str(path[-1]) if path else "")


def run_schema(input: Any, options: dict, context: Any, factory: ValidatorFactory | None = None) -> list[dict]:
    """The body of the `schema` function; oasSchema calls it with its own dialect and factory."""
    path = tuple(context.path)
    if input is UNDEFINED:
        return [{"message": f"{print_property(path)}must exist", "path": path}]
    schema = options["schema"]
    dialect = resolve_dialect(schema, options.get("dialect"))
    all_errors = bool(options.get("allErrors", False))
    try:
        validator = (factory or global_factory()).get(schema, dialect, all_errors)
        errors = validator.errors(input)
    except SchemaCompileError as exc:
        return [{"message": str(exc), "path": path}]
    except RecursionError:
        return [{"message": "schema or value is nested too deeply to validate", "path": path}]
    if not errors:
        return []
    prepare_results = options.get("prepareResults")
    if callable(prepare_results):
        prepare_results(errors)
    out = []
    for message, rel in spectral_schema_results(errors, input, path):
        full = path + rel
        out.append({"message": render_property(message, full), "path": full})
    return out


@function("schema", OPTIONS_SCHEMA, _prepare)
def schema(input: Any, options: dict, context: Any) -> list[dict]:
    return run_schema(input, options, context)


__all__ = ["schema", "run_schema", "detect_dialect", "resolve_dialect", "print_property", "factory_for"]
