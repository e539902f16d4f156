"""Spectral's `length`: min/max of a string (UTF-16 units), array, object (keys) or number."""

from __future__ import annotations

from . import function
from ._spectral_text import js_length, print_value, render

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {"min": {"type": "number"}, "max": {"type": "number"}},
    "minProperties": 1,
    "additionalProperties": False,
    "errorMessage": {
        "type": '"length" function has invalid options specified. Example valid options: { "min": 2 }, { "max": 5 }, { "min": 0, "max": 10 }',
    },
}


@function("length", OPTIONS_SCHEMA)
def length(input, options, context):
    if isinstance(input, dict):
        value = len(input)
    elif isinstance(input, list):
        value = len(input)
    elif isinstance(input, str):
        value = js_length(input)
    elif isinstance(input, (int, float)) and not isinstance(input, bool):
        value = input
    else:
        return None
    results = []
    if "min" in options and value < options["min"]:
        results.append({"message": render(f'#{{{{print("property")}}}}must be longer than {print_value(options["min"])}', context)})
    if "max" in options and value > options["max"]:
        results.append({"message": render(f'#{{{{print("property")}}}}must be shorter than {print_value(options["max"])}', context)})
    return results or None
