"""Spectral's `casing`: flat, camel, pascal, kebab, cobol, snake, macro; digits and separators."""

from __future__ import annotations

import re

from ..jsregex import compile_js
from . import function
from ._spectral_text import js_length

CASING_TYPES = ("flat", "camel", "pascal", "kebab", "cobol", "snake", "macro")

# the JS patterns of casing.ts; {D} is 0-9 unless digits are disallowed
_CASES = {
    "flat": "[a-z][a-z{D}]*",
    "camel": "[a-z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|$))*",
    "pascal": "[A-Z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|$))*",
    "kebab": "[a-z][a-z{D}]*(?:-[a-z{D}]+)*",
    "cobol": "[A-Z][A-Z{D}]*(?:-[A-Z{D}]+)*",
    "snake": "[a-z][a-z{D}]*(?:_[a-z{D}]+)*",
    "macro": "[A-Z][A-Z{D}]*(?:_[A-Z{D}]+)*",
}

OPTIONS_SCHEMA = {
    "required": ["type"],
    "type": "object",
    "properties": {
        "type": {
            "type": "string",
            "enum": list(CASING_TYPES),
            "errorMessage": f'"casing" function and its "type" option accept the following values: {", ".join(CASING_TYPES)}',
        },
        "disallowDigits": {"type": "boolean", "default": False},
        "separator": {
            "type": "object",
            "required": ["char"],
            "additionalProperties": False,
            "properties": {
                "char": {
                    "type": "string",
                    "maxLength": 1,
                    "errorMessage": '"casing" function and its "separator.char" option accepts only char, i.e. "I" or "/"',
                },
                "allowLeading": {"type": "boolean"},
            },
        },
    },
    "additionalProperties": False,
    "errorMessage": {
        "type": '"casing" function has invalid options specified. Example valid options: { "type": "camel" }, { "type": "pascal", "disallowDigits": true }',
    },
}


def _escape_reg_exp(text: str) -> str:
    """lodash escapeRegExp."""
    return re.sub(r"[\\^$.*+?()[\]{}|]", lambda m: "\\" + m.group(0), text)


def _validator(options: dict):
    base = _CASES[options["type"]].replace("{D}", "" if options.get("disallowDigits") is True else "0-9")
    separator = options.get("separator")
    if separator is None:
        return compile_js(f"^{base}$")
    sep = f"[{_escape_reg_exp(separator['char'])}]"
    leading = f"{sep}?" if separator.get("allowLeading") is True else ""
    return compile_js(f"^{leading}{base}(?:{sep}{base})*$")


@function("casing", OPTIONS_SCHEMA)
def casing(input, options, context):
    if not isinstance(input, str) or js_length(input) < 1:
        return None
    separator = options.get("separator")
    if js_length(input) == 1 and separator is not None and separator.get("allowLeading") is True and input == separator["char"]:
        return None
    if _validator(options).test(input):
        return None
    return [{"message": f"must be {options['type']} case"}]
