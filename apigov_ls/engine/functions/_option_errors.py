"""Spectral's wording for invalid `functionOptions`.

Spectral validates options with ajv + ajv-errors (spectral-core ruleset/function.ts): a schema's
`errorMessage` replaces the errors raised in it (a string: every error inside it; an object: the
errors of the keywords it names, at that level), and the remaining errors are printed as
`"fn" function does not support "x" option`, `"fn" function is missing "x" option`,
`"fn" function and its "x" option accepts only the following types: ...`. This reproduces that
on top of jsonschema, so option schemas can be written exactly as Spectral's optionSchemas.ts.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import jsonschema

from ._spectral_text import print_path, print_value

# ajv-formats' "json-pointer-uri-fragment"
_POINTER_URI_FRAGMENT = re.compile(r"#(?:/(?:[a-z0-9_\-.!$&'()*+,;:=@]|%[0-9a-f]{2}|~0|~1)*)*", re.IGNORECASE)

_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("json-pointer-uri-fragment")
def _is_pointer_uri_fragment(value: Any) -> bool:
    return not isinstance(value, str) or _POINTER_URI_FRAGMENT.fullmatch(value) is not None


def option_errors(fn_name: str, schema: dict, options: Any) -> list[str]:
    """Messages for everything wrong with `options`, in Spectral's words (empty: valid)."""
    validator = jsonschema.Draft7Validator(schema, format_checker=_FORMATS)
    messages: list[str] = []
    for error in validator.iter_errors(options):  # schema order, as ajv reports them
        for message in _messages_for(fn_name, schema, error):
            if message not in messages:
                messages.append(message)
    return messages


def _schema_chain(root: dict, schema_path: list) -> list[tuple[dict, int]]:
    """The schema objects along `schema_path`, outermost first, with the index they sit at."""
    chain = [(root, 0)]
    node: Any = root
    for index, step in enumerate(schema_path[:-1]):
        node = node[step]
        if isinstance(node, dict):
            chain.append((node, index + 1))
    return chain


def _messages_for(fn: str, root: dict, error: jsonschema.ValidationError) -> list[str]:
    schema_path = list(error.absolute_schema_path)
    chain = _schema_chain(root, schema_path)
    # innermost errorMessage wins (ajv-errors runs after each schema level)
    for node, depth in reversed(chain):
        custom = node.get("errorMessage")
        if isinstance(custom, str):
            return [custom]
        if isinstance(custom, dict) and depth == len(schema_path) - 1 and error.validator in custom:
            return [custom[error.validator]]
    where = [str(p) for p in error.absolute_path]
    keyword = error.validator
    if keyword == "type":
        types = error.validator_value
        listed = ", ".join(types) if isinstance(types, list) else str(types)
        return [f'"{fn}" function and its "{print_path(where or [""])}" option accepts only the following types: {listed}']
    if keyword == "required":
        missing = _required_name(error)
        return [f'"{fn}" function is missing "{print_path(where + [missing]) if where else missing}" option']
    if keyword == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        extras = [k for k in error.instance if k not in known and not any(p.search(k) for p in patterns)]
        return [f'"{fn}" function does not support "{print_path(where + [k]) if where else k}" option' for k in extras]
    if keyword == "enum":
        values = ", ".join(print_value(v) for v in error.validator_value)
        return [f'"{fn}" function and its "{print_path(where or [""])}" option accepts only the following values: {values}']
    return [_ajv_message(error)]


def _required_name(error: jsonschema.ValidationError) -> str:
    text = error.message.removesuffix(" is a required property")
    try:
        return str(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return text


def _ajv_message(error: jsonschema.ValidationError) -> str:
    """ajv's default wording for the keywords Spectral's option schemas use."""
    v = error.validator_value
    return {
        "minItems": f"must NOT have fewer than {v} items",
        "maxItems": f"must NOT have more than {v} items",
        "minProperties": f"must NOT have fewer than {v} properties",
        "maxProperties": f"must NOT have more than {v} properties",
        "minLength": f"must NOT have fewer than {v} characters",
        "maxLength": f"must NOT have more than {v} characters",
        "format": f'must match format "{v}"',
        "anyOf": 'must match a schema in anyOf',
        "oneOf": "must match exactly one schema in oneOf",
        "pattern": f'must match pattern "{v}"',
    }.get(error.validator, error.message)
