"""Spectral's `pattern`: `match` and/or `notMatch`, JavaScript regexes (`/src/flags` or plain source)."""

from __future__ import annotations

from ..jsregex import JsRegexError, compile_js, parse_regex_literal
from . import FunctionOptionsError, function
from ._spectral_text import print_value, render

_REGEX_OPTION = {
    "anyOf": [
        {"type": "string"},
        # a JS RegExp instance (JS rulesets only); a YAML/JSON ruleset cannot produce one
        {"type": "object", "properties": {"exec": {}, "test": {}, "flags": {"type": "string"}}, "required": ["test", "flags"]},
    ],
}

OPTIONS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "match": {
            **_REGEX_OPTION,
            "errorMessage": '"pattern" function and its "match" option must be string or RegExp instance',
        },
        "notMatch": {
            **_REGEX_OPTION,
            "errorMessage": '"pattern" function and its "notMatch" option must be string or RegExp instance',
        },
    },
    "minProperties": 1,
    "errorMessage": {
        "type": '"pattern" function has invalid options specified. Example valid options: { "match": "^Stoplight" }, { "notMatch": "Swagger" }, { "match": "Stoplight", "notMatch": "Swagger" }',
        "minProperties": '"pattern" function has invalid options specified. Example valid options: { "match": "^Stoplight" }, { "notMatch": "Swagger" }, { "match": "Stoplight", "notMatch": "Swagger" }',
    },
}


def _prepare(options: dict) -> dict:
    """Compile the regexes at load time, so a bad one fails the ruleset, not the lint."""
    prepared = dict(options)
    for key in ("match", "notMatch"):
        if key not in options:
            continue
        value = options[key]
        if not isinstance(value, str):
            raise FunctionOptionsError(f'"pattern" function and its "{key}" option must be string or RegExp instance')
        try:
            prepared[f"_{key}"] = compile_js(*parse_regex_literal(value))
        except JsRegexError as exc:
            raise FunctionOptionsError(f'"pattern" function and its "{key}" option: {exc}') from None
    return prepared


def _regex(options: dict, key: str):
    # options that skipped check_options (direct calls) are compiled here
    return options.get(f"_{key}") or compile_js(*parse_regex_literal(options[key]))


@function("pattern", OPTIONS_SCHEMA, _prepare)
def pattern(input, options, context):
    if not isinstance(input, str):
        return None
    results = []
    if "match" in options and not _regex(options, "match").test(input):
        results.append({"message": render(f'#{{{{print("value")}}}} must match the pattern {print_value(options["match"])}', context)})
    if "notMatch" in options and _regex(options, "notMatch").test(input):
        results.append({"message": render(f'#{{{{print("value")}}}} must not match the pattern {print_value(options["notMatch"])}', context)})
    return results or None
