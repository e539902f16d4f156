"""Turning new values into text that matches a file's own style (YAML block/flow, JSON).

Only new content is rendered here; existing text is never re-serialised.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

# strings that YAML 1.1 or 1.2 would read as something other than a string
_NOT_PLAIN = re.compile(
    r"(?i:~|null|true|false|yes|no|on|off|y|n|\.inf|[-+]\.inf|\.nan)|[-+]?[0-9.].*|0[xo].*"
)
_PLAIN_SAFE = re.compile(r"[A-Za-z_/$][^\n\r\t:#,\[\]{}&*!|>'\"%@`]*")


def plain_ok(s: str) -> bool:
    """True when `s` can be written as a plain YAML scalar and read back as the same string."""
    return (
        bool(s)
        and s == s.strip()
        and _PLAIN_SAFE.fullmatch(s) is not None
        and _NOT_PLAIN.fullmatch(s) is None
        and " -" not in s[:1]
    )


def quote_yaml(s: str, quote: str = '"') -> str:
    if quote == "'" and s.isprintable():
        return "'" + s.replace("'", "''") + "'"
    return json.dumps(s, ensure_ascii=False)


def yaml_scalar(value: Any, quote: str = '"') -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    s = str(value)
    return s if plain_ok(s) else quote_yaml(s, quote)


def yaml_key(key: str, quote: str | None = None) -> str:
    """A mapping key: in the siblings' quote style when they are all quoted, else plain when possible."""
    if quote:
        return quote_yaml(key, quote)
    return key if plain_ok(key) else quote_yaml(key, "'" if key.isdigit() or re.fullmatch(r"\d[0-9X]{2}", key) else '"')


def yaml_flow(value: Any, quote: str = '"') -> str:
    """Flow-style YAML (`{a: 1}`, `[x, y]`), for inserting into flow collections."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_key(str(k))}: {yaml_flow(v, quote)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_flow(v, quote) for v in value) + "]"
    return yaml_scalar(value, quote)


class Style:
    """Indentation, newline and quoting conventions of one file."""

    def __init__(self, text: str, syntax: str):
        self.text = text
        self.syntax = syntax
        self.nl = "\r\n" if "\r\n" in text else "\n"
        self.unit, self.seq_offset = _indent_units_of(text, syntax)
        self.quote = _preferred_quote(text) if syntax == "yaml" else '"'

    # -- YAML block ---------------------------------------------------------------------------
    def yaml_value(self, value: Any, indent: int) -> str:
        """Text after `key:` for a value whose key is at column `indent` (starts with a space or a newline)."""
        if isinstance(value, dict) and value:
            inner = indent + self.unit
            return "".join(
                f"{self.nl}{' ' * inner}{yaml_key(str(k))}:{self.yaml_value(v, inner)}" for k, v in value.items()
            )
        if isinstance(value, list) and value:
            dash = indent + self.seq_offset
            return "".join(f"{self.nl}{' ' * dash}- {self.yaml_item(v, dash)}" for v in value)
        if isinstance(value, (dict, list)):
            return " {}" if isinstance(value, dict) else " []"
        return " " + yaml_scalar(value, self.quote)

    def yaml_item(self, value: Any, dash: int, col: int | None = None) -> str:
        """Text after `- ` for a sequence item whose dash is at column `dash` (content at `col`)."""
        if isinstance(value, dict) and value:
            col = dash + 2 if col is None else col
            parts = []
            for i, (k, v) in enumerate(value.items()):
                lead = "" if i == 0 else f"{self.nl}{' ' * col}"
                parts.append(f"{lead}{yaml_key(str(k))}:{self.yaml_value(v, col)}")
            return "".join(parts)
        if isinstance(value, (dict, list)):
            return yaml_flow(value, self.quote)
        return yaml_scalar(value, self.quote)

    # -- JSON ------------------------------------------------------------------------------------
    def json_value(self, value: Any, indent: str, multiline: bool = True) -> str:
        """JSON for a value whose line is indented by `indent` (nested lines get one more unit)."""
        if not multiline:
            return json.dumps(value, ensure_ascii=False)
        unit = self.json_unit

        def dump(v: Any, ind: str) -> str:
            if isinstance(v, dict) and v:
                inner = ind + unit
                body = ("," + self.nl).join(f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {dump(x, inner)}" for k, x in v.items())
                return "{" + self.nl + body + self.nl + ind + "}"
            if isinstance(v, list) and v:
                inner = ind + unit
                body = ("," + self.nl).join(f"{inner}{dump(x, inner)}" for x in v)
                return "[" + self.nl + body + self.nl + ind + "]"
            return json.dumps(v, ensure_ascii=False)

        return dump(value, indent)

    @property
    def json_unit(self) -> str:
        return "\t" if self.unit == -1 else " " * self.unit


#: the last file's conventions, keyed by what `_indent_units` reads (its first 4001 lines): the
#: language server makes a new Style after every edit of a large file, mostly further down
_last_units: tuple[tuple[str, str], tuple[int, int]] | None = None


def _indent_units_of(text: str, syntax: str) -> tuple[int, int]:
    global _last_units
    sample = text[:400_000]
    key = (syntax, sample if sample.count("\n") > 4002 else text)
    if _last_units is None or _last_units[0] != key:
        _last_units = (key, _indent_units(text, syntax))
    return _last_units[1]


def _indent_units(text: str, syntax: str) -> tuple[int, int]:
    """(indentation unit, dash offset of block sequences under a key); -1 unit means tabs (JSON)."""
    steps: Counter = Counter()
    seq: Counter = Counter()
    prev_indent = None
    prev_opens = False
    # only the first 4001 lines count: split a prefix, not a multi-megabyte text (a quick fix's
    # editor is made once per check in the language server)
    lines = text[:400_000].splitlines()
    if len(lines) <= 4001 and len(text) > 400_000:
        lines = text.splitlines()
    for n, line in enumerate(lines):
        if n > 4000:
            break
        stripped = line.lstrip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith("\t"):
            if syntax == "json":
                return -1, 0
            continue
        indent = len(line) - len(stripped)
        if prev_opens and prev_indent is not None:
            if stripped.startswith("- ") and syntax == "yaml":
                seq[indent - prev_indent] += 1
            elif indent > prev_indent:
                steps[indent - prev_indent] += 1
        body = stripped.split(" #")[0].rstrip()
        prev_opens = body.endswith(":") if syntax == "yaml" else body.endswith(("{", "["))
        # a `- key:` line opens a mapping whose keys sit after the dash
        prev_indent = indent + 2 if syntax == "yaml" and stripped.startswith("- ") else indent
    unit = steps.most_common(1)[0][0] if steps else 2
    offset = seq.most_common(1)[0][0] if seq else unit
    return unit, max(offset, 0)


def _preferred_quote(text: str) -> str:
    sample = text[:200_000]
    singles = len(re.findall(r":\s'", sample))
    doubles = len(re.findall(r':\s"', sample))
    return "'" if singles > doubles else '"'
