"""A JSON reader that records positions, for texts libyaml cannot read as YAML.

JSON is YAML 1.2, so JSON files normally go through the same libyaml composer as YAML. libyaml
refuses a few valid JSON texts (escaped UTF-16 surrogate pairs such as "\\ud83d\\udc4d", keys
over 1024 characters); this reader handles every text Python's `json` accepts, with the same
position layout the YAML converter produces (see sourcemap.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from apigov_ls.document.parse import decimal_int
from apigov_ls.engine.types import Severity

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"', re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}


class JsonPositionError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


class _Reader:
    __slots__ = ("text", "positions", "duplicates", "max_depth")

    def __init__(self, text: str, positions: dict, max_depth: int):
        self.text = text
        self.positions = positions
        self.duplicates: list[tuple[tuple, int, int]] = []
        self.max_depth = max_depth

    def string(self, i: int) -> tuple[str, int]:
        m = _STRING.match(self.text, i)
        if m is None:
            raise JsonPositionError("invalid string", i)
        raw = m.group()
        return (json.loads(raw) if "\\" in raw else raw[1:-1]), m.end()

    def value(self, i: int, depth: int, path: tuple) -> tuple[Any, int, int]:
        """(value, start, end) of the value at offset i (after whitespace)."""
        text = self.text
        i = _WS.match(text, i).end()
        if i >= len(text):
            raise JsonPositionError("unexpected end of input", i)
        ch = text[i]
        if ch == "{":
            return self.obj(i, depth, path)
        if ch == "[":
            return self.arr(i, depth, path)
        if ch == '"':
            s, end = self.string(i)
            return s, i, end
        lit = _LITERALS.get(ch)
        if lit is not None and text.startswith(lit[0], i):
            return lit[1], i, i + len(lit[0])
        m = _NUMBER.match(text, i)
        if m is None:
            raise JsonPositionError("unexpected character", i)
        tok = m.group()
        num = float(tok) if ("." in tok or "e" in tok or "E" in tok) else decimal_int(tok)
        return num, i, m.end()

    def obj(self, start: int, depth: int, path: tuple):
        if depth > self.max_depth:
            raise JsonPositionError("too deep", start)
        text = self.text
        out: dict = {}
        pos: dict = {}
        i = _WS.match(text, start + 1).end()
        if text.startswith("}", i):
            self.positions[id(out)] = pos
            return out, start, i + 1
        while True:
            ks = i
            key, ke = self.string(i)
            i = _WS.match(text, ke).end()
            if not text.startswith(":", i):
                raise JsonPositionError("expected ':'", i)
            value, vs, ve = self.value(i + 1, depth + 1, path + (key,))
            if key in pos:
                self.duplicates.append((path + (key,), ks, ke))
            out[key] = value
            pos[key] = (ks, ke, vs, ve)
            i = _WS.match(text, ve).end()
            if text.startswith(",", i):
                i = _WS.match(text, i + 1).end()
                continue
            if text.startswith("}", i):
                self.positions[id(out)] = pos
                return out, start, i + 1
            raise JsonPositionError("expected ',' or '}'", i)

    def arr(self, start: int, depth: int, path: tuple):
        if depth > self.max_depth:
            raise JsonPositionError("too deep", start)
        text = self.text
        out: list = []
        pos: list = []
        i = _WS.match(text, start + 1).end()
        if text.startswith("]", i):
            self.positions[id(out)] = pos
            return out, start, i + 1
        n = 0
        while True:
            value, vs, ve = self.value(i, depth + 1, path + (n,))
            out.append(value)
            pos.append((vs, ve))
            n += 1
            i = _WS.match(text, ve).end()
            if text.startswith(",", i):
                i += 1
                continue
            if text.startswith("]", i):
                self.positions[id(out)] = pos
                return out, start, i + 1
            raise JsonPositionError("expected ',' or ']'", i)


def read_json_with_positions(text: str, source_map, problems: list, max_depth: int, problem_cls) -> Any:
    """Parse JSON `text`, filling `source_map.positions`; duplicate keys go to `problems`."""
    reader = _Reader(text, source_map.positions, max_depth)
    value, start, end = reader.value(0, 0, ())
    source_map.root = value
    source_map.root_span = (start, end)
    for path, ks, ke in reader.duplicates:
        problems.append(problem_cls("parser-duplicate-keys", f'Duplicate key: "{path[-1]}"', source_map.lines.range(ks, ke), Severity.ERROR, path))
    return value
