"""Spectral's `xor` (exactly one of `properties`) and `or` (at least one), functions 1.11."""

from __future__ import annotations

from . import function


def _schema(name: str, examples: str, properties_message: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "properties": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 2,
                "errorMessage": properties_message,
            },
        },
        "additionalProperties": False,
        "required": ["properties"],
        "errorMessage": {"type": f'"{name}" function has invalid options specified. Example valid options: {examples}'},
    }


XOR_SCHEMA = _schema(
    "xor",
    '{ "properties": ["country", "street"] }, { "properties": ["one", "two", "three"] }, etc.',
    '"xor" requires at least two enumerated "properties", i.e. ["country", "street"], ["one", "two", "three"], etc.',
)
OR_SCHEMA = _schema(
    "or",
    '{ "properties": ["default", "example"] }, { "properties": ["title", "summary", "description"] }, etc.',
    '"or" requires at least two enumerated "properties", i.e. ["default", "example"], ["title", "summary", "description"], etc.',
)


def _none_defined(prefix: str, properties: list[str]) -> str:
    if len(properties) > 4:
        shown = '" or "'.join(properties[:3])
        return f'{prefix} one of "{shown}" or {len(properties) - 3} other properties must be defined'
    return f'{prefix} one of "' + '" or "'.join(properties) + '" must be defined'


def _present(input: dict, properties: list[str]) -> list[str]:
    # Object.keys order: the document's order
    return [key for key in input if key in properties]


@function("xor", XOR_SCHEMA)
def xor(input, options, context):
    properties = options["properties"]
    if not isinstance(input, dict) or len(properties) < 2:
        return None
    present = _present(input, properties)
    results = []
    if not present:
        results.append({"message": _none_defined("At least", properties)})
    if len(present) > 1:
        results.append({"message": 'Just one of "' + '" and "'.join(present) + '" must be defined'})
    return results or None


@function("or", OR_SCHEMA)
def or_(input, options, context):
    properties = options["properties"]
    if not isinstance(input, dict) or len(properties) < 2:
        return None
    if not _present(input, properties):
        return [{"message": _none_defined("At least", properties)}]
    return None
