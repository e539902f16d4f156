"""Spectral's `alphabetical`: array items, object keys or `keyedBy` values in order.

Strings are compared with JavaScript's `localeCompare` (ICU root collation); `_collation_key`
approximates it: punctuation < digits < letters, case and accents only break ties.
"""

from __future__ import annotations

import math
import re
import unicodedata

from . import function
from ._spectral_text import print_value, render

OPTIONS_SCHEMA = {
    "type": ["object", "null"],
    "properties": {"keyedBy": {"type": "string"}},
    "additionalProperties": False,
    "errorMessage": {
        "type": '"alphabetical" function has invalid options specified. Example valid options: null (no options), { "keyedBy": "my-key" }',
    },
}

# ICU root order of the ASCII punctuation and symbols (all before digits and letters)
_PUNCTUATION = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_JS_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)")
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _to_number(value) -> float:
    """JavaScript Number(value) for strings and numbers."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = value.strip(_JS_SPACE)
    if text == "":
        return 0.0
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
        return float(int(text, 16))
    if re.fullmatch(r"0[oO][0-7]+", text):
        return float(int(text[2:], 8))
    if re.fullmatch(r"0[bB][01]+", text):
        return float(int(text[2:], 2))
    if _JS_NUMBER.fullmatch(text):
        return float(text.replace("Infinity", "inf"))
    return math.nan


def _char_weights(ch: str) -> tuple[tuple, int, int]:
    """(primary, secondary, tertiary) weights of one character."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, accents = decomposed[0], len(decomposed) - 1
    lower = base.lower()
    tertiary = 1 if base != lower else 0
    if lower in _PUNCTUATION:
        return (0, _PUNCTUATION.index(lower)), accents, tertiary
    if lower.isdigit():
        return (1, unicodedata.digit(lower, 0)), accents, tertiary
    if lower.isalpha():
        return (2, ord(lower) if lower.isascii() else 0x10000 + ord(lower)), accents, tertiary
    return (0, 100 + ord(lower)), accents, tertiary


def _collation_key(text: str) -> tuple:
    weights = [_char_weights(ch) for ch in text]
    return ([w[0] for w in weights], [w[1] for w in weights], [w[2] for w in weights])


def _locale_compare(a: str, b: str) -> int:
    ka, kb = _collation_key(a), _collation_key(b)
    return (ka > kb) - (ka < kb)


def _compare(a, b) -> float:
    """alphabetical.ts `compare` (including its lopsided numeric test)."""
    a_ok = (isinstance(a, (int, float)) and not isinstance(a, str)) or math.isnan(_to_number(a))
    b_ok = (isinstance(b, (int, float)) and not isinstance(b, str)) or not math.isnan(_to_number(b))
    if a_ok and b_ok:
        diff = _to_number(a) - _to_number(b)
        return math.nan if math.isnan(diff) else min(1, max(-1, diff))
    if not isinstance(a, str) or not isinstance(b, str):
        return 0
    return _locale_compare(a, b)


def _first_unsorted(items: list) -> tuple[int, int] | None:
    for i in range(len(items) - 1):
        if _compare(items[i], items[i + 1]) >= 1:
            return i, i + 1
    return None


def _is_string_or_number(value) -> bool:
    return isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool))


@function("alphabetical", OPTIONS_SCHEMA)
def alphabetical(input, options, context):
    if not isinstance(input, (dict, list)):
        return None
    # object keys in document order (JS would put integer-like keys first; Spectral undoes that)
    items = list(input) if isinstance(input, dict) else input
    if len(items) < 2:
        return None
    keyed_by = (options or {}).get("keyedBy")
    if keyed_by is not None:
        values = []
        for item in items:
            if not isinstance(item, (dict, list)):
                return [{"message": render('#{{print("property")}}must be an object', context)}]
            values.append(item.get(keyed_by) if isinstance(item, dict) else None)
        items = values
    if not all(_is_string_or_number(v) for v in items):
        return [{"message": render('#{{print("property")}}must be one of the allowed types: number, string', context)}]
    unsorted = _first_unsorted(items)
    if unsorted is None:
        return None
    first, second = unsorted
    if keyed_by is not None:
        return [{"message": "properties must follow the alphabetical order"}]
    where = first if isinstance(input, list) else items[first]
    return [
        {
            "message": f"{print_value(items[first])} must be placed after {print_value(items[second])}",
            "path": (*context.path, where),
        }
    ]
