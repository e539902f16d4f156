"""Spectral's `enumeration`: the value must be one of `values` (primitives, JS SameValueZero)."""

from __future__ import annotations

import math

from . import function
from ._spectral_text import print_value, render

OPTIONS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "values": {
            "type": "array",
            "items": {"type": ["string", "number", "null", "boolean"]},
            "errorMessage": '"enumeration" and its "values" option support only arrays of primitive values, i.e. ["Berlin", "London", "Paris"]',
        },
    },
    "required": ["values"],
    "errorMessage": {
        "type": '"enumeration" function has invalid options specified. Example valid options: { "values": ["Berlin", "London", "Paris"] }, { "values": [2, 3, 5, 8, 13, 21] }',
    },
}


def _same_value_zero(a, b) -> bool:
    # Python says True == 1; JavaScript's includes() does not
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def _is_primitive(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


@function("enumeration", OPTIONS_SCHEMA)
def enumeration(input, options, context):
    if not _is_primitive(input):
        return None
    values = options["values"]
    if any(_same_value_zero(input, v) for v in values):
        return None
    allowed = ", ".join(print_value(v) for v in values)
    return [{"message": render(f'#{{{{print("value")}}}} must be equal to one of the allowed values: {allowed}', context)}]
