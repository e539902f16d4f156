"""How Spectral prints values, paths and the `property`/`value` parts of function messages.

Spectral's core functions return templates such as `#{{print("property")}}must be truthy`; its
runner fills them from the result path (spectral-core runner/lintNode.ts + documentInventory.ts,
spectral-runtime printValue/printPath). `render()` does the same here, so a function returns the
final text, e.g. `"contact" property must be truthy` when `info.contact` is null, and
`"info.contact" property must be truthy` when `info` has no `contact` (checked against Spectral 1.24).

The engine can reuse `message_vars()` for a rule's own `message` ({{property}}, {{value}}...).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..types import UNDEFINED

__all__ = ["js_number", "print_value", "print_path", "js_truthy", "js_length", "message_vars", "render"]


def js_number(x: float | int) -> str:
    """ECMAScript Number::toString (what JSON.stringify and String() print for a number)."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    digits, exp = _shortest_digits(abs(x))
    k, n = len(digits), exp  # value = 0.digits * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _shortest_digits(x: float) -> tuple[str, int]:
    """Shortest round-trip digits of x and n such that x = 0.d1d2... * 10**n."""
    mantissa, _, exponent = repr(x).partition("e")
    int_part, _, frac = mantissa.partition(".")
    digits = (int_part + frac).lstrip("0")
    n = len(int_part.lstrip("0")) + int(exponent or 0)
    if int_part.strip("0") == "":
        # 0.000ddd form
        stripped = frac.lstrip("0")
        n = -(len(frac) - len(stripped)) + int(exponent or 0)
        digits = stripped
    return digits.rstrip("0") or "0", n


def _json_stringify(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return js_number(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def print_value(value: Any) -> str:
    """spectral-runtime printValue: strings JSON-quoted, arrays `Array[]`, objects `Object{}`."""
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, (list, tuple)):
        return "Array[]"
    if isinstance(value, dict):
        return "Object{}"
    if isinstance(value, re.Pattern):
        return value.pattern
    return _json_stringify(value)


_NUMERIC = re.compile(r"\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity|0[xX][0-9a-fA-F]+)\s*")


def _is_numeric(segment: str) -> bool:
    # !Number.isNaN(Number(segment)); Number("") and Number("  ") are 0
    return segment.strip() == "" or _NUMERIC.fullmatch(segment) is not None


def print_path(path: tuple | list, style: str = "dot") -> str:
    """spectral-runtime printPath: "dot" (`info.contact`, `paths['/a b']`) or "pointer" (`#/a/b`)."""
    if style == "pointer":
        return "#" if not path else "#/" + _decode_pointer_fragment("/".join(str(p) for p in path))
    out = ""
    for index, segment in enumerate(path):
        if isinstance(segment, int):
            out += f"[{segment}]"
        elif segment == "":
            out += "['']"
        elif re.search(r"\s", segment):
            out += f"['{segment}']"
        elif _is_numeric(segment):
            out += f"[{segment}]"
        else:
            out += ("" if index == 0 else ".") + segment
    return _decode_pointer_fragment(out)


def _decode_pointer_fragment(text: str) -> str:
    return text.replace("~1", "/").replace("~0", "~")


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: [] and {} are truthy; 0, NaN, "", null, undefined and false are not."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if isinstance(value, (int, float)):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def js_length(text: str) -> int:
    """String length in UTF-16 code units, as JavaScript counts it."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# -- the runner's message variables ---------------------------------------------------------

def _has(piece: Any, segment: Any) -> bool:
    if isinstance(piece, dict):
        return segment in piece
    if isinstance(piece, list):
        try:
            i = int(segment)
        except (TypeError, ValueError):
            return False
        return 0 <= i < len(piece) and str(i) == str(segment)
    return False


def _get(piece: Any, segment: Any) -> Any:
    return piece[segment] if isinstance(piece, dict) else piece[int(segment)]


def closest_path(data: Any, path: tuple) -> tuple:
    """spectral-runtime getClosestJsonPath: the longest prefix of `path` present in `data`."""
    out: list = []
    piece = data
    for segment in path:
        if not _has(piece, segment):
            break
        out.append(segment)
        piece = _get(piece, segment)
    return tuple(out)


def _value_at(data: Any, path: tuple) -> Any:
    piece = data
    for segment in path:
        if not _has(piece, segment):
            return UNDEFINED
        piece = _get(piece, segment)
    return piece


def _crosses_ref(unresolved: Any, path: tuple) -> bool:
    """spectral-runtime traverseObjUntilRef(...) !== null (a failed walk counts as crossing)."""
    piece = unresolved
    for segment in path:
        if not isinstance(piece, (dict, list)):
            return True
        if _has(piece, segment):
            piece = _get(piece, segment)
        elif isinstance(piece, dict) and isinstance(piece.get("$ref"), str):
            return True
        else:
            return True
    return isinstance(piece, dict) and isinstance(piece.get("$ref"), str) and len(piece) == 1


def message_vars(context: Any, path: tuple | None = None) -> dict:
    """The runner's variables for a result at `path` (default: context.path).

    Returns {"path": reported path, "property": str|int, "value": value there}. Without $refs on
    the way this is exactly Spectral's findAssociatedItemForPath + lintNode. When the path goes
    through a $ref, Spectral maps it into the referenced file; here the resolved view is used and
    `property` is the last segment found (what Spectral prints for local $refs).
    """
    if path is None:
        path = tuple(context.path)
    unresolved = getattr(getattr(context, "document", None), "data", None)
    rule = getattr(context, "rule", None)
    resolved_rule = getattr(rule, "resolved", True) if rule is not None else True
    inventory = getattr(context, "document_inventory", None)
    resolved = getattr(inventory, "resolved", unresolved) if inventory is not None else unresolved

    if resolved_rule and resolved is not unresolved:
        found = closest_path(resolved, path)
        if _crosses_ref(unresolved, found):
            prop = found[-1] if found else ""
            return {"path": found, "property": prop, "value": _value_at(resolved, found)}
    found = closest_path(unresolved, path)
    if len(path) > len(found):
        # JS slice(length - 1): with nothing found that is slice(-1), the last segment only
        missing = path[len(found) - 1 :] if found else path[-1:]
        prop: Any = print_path(missing)
    else:
        prop = found[-1] if found else ""
    return {"path": found, "property": prop, "value": _value_at(unresolved, found)}


def render(template: str, context: Any, path: tuple | None = None) -> str:
    """Fill Spectral's `#{{print("property")}}` and `#{{print("value")}}` for a result at `path`."""
    if "#{{" not in template:
        return template
    variables = message_vars(context, path)

    def print_property() -> str:
        prop = variables["property"]
        return f'"{prop}" property ' if prop != "" else "The document "

    return template.replace('#{{print("property")}}', print_property()).replace(
        '#{{print("value")}}', print_value(variables["value"])
    )
