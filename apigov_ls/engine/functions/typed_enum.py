"""Spectral's `typedEnum` (rulesets/src/oas/functions/typedEnum.ts): enum values must fit `type`."""

from __future__ import annotations

from . import function
from ._spectral_text import print_value


def _data_type(value, check_for_integer: bool) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, float)):
        # JSON has one number type: 1.0 is an integer to JavaScript
        if check_for_integer and (isinstance(value, int) or value.is_integer()):
            return "integer"
        return "number"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def _types(schema: dict, formats) -> str | list:
    declared = schema["type"]
    formats = formats or ()
    if (schema.get("nullable") is True and "oas3_0" in formats) or (schema.get("x-nullable") is True and "oas2" in formats):
        return [*declared, "null"] if isinstance(declared, list) else [declared, "null"]
    return declared


def _valid_input(input) -> bool:
    if not isinstance(input, dict) or "enum" not in input or "type" not in input:
        return False
    declared = input["type"]
    return isinstance(input["enum"], list) and (
        isinstance(declared, str) or (isinstance(declared, list) and all(isinstance(t, str) for t in declared))
    )


@function("typedEnum")
def typed_enum(input, options, context):
    if not _valid_input(input):
        return None
    declared = _types(input, getattr(context.document, "formats", None))
    check_for_integer = declared == "integer" or (isinstance(declared, list) and "integer" in declared)
    shown = ",".join(declared) if isinstance(declared, list) else declared  # JS String(array)
    results = []
    for i, value in enumerate(input["enum"]):
        value_type = _data_type(value, check_for_integer)
        if value_type == declared or (isinstance(declared, list) and value_type in declared):
            continue
        results.append({"message": f'Enum value {print_value(value)} must be "{shown}".', "path": (*context.path, "enum", i)})
    return results or None
