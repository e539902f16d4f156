"""JavaScript regular expressions (as AJV builds them: no `u` flag) translated to Python's `re`.

Schemas are written for JavaScript: `\\p{L}` is a plain "p{L}" there (an identity escape),
`$` matches only at the very end, `[^]` matches anything, named groups are `(?<name>...)`.
Python rejects or reads these differently, so patterns are translated before compiling.
"""

from __future__ import annotations

import re

# escapes JavaScript (non-unicode mode) gives a meaning to; any other letter stands for itself
_JS_CLASS_ESCAPES = set("dDwWsS")
_JS_CONTROL = {"n": "\\n", "r": "\\r", "t": "\\t", "f": "\\f", "v": "\\v"}
_ASCII_CLASSES = {"d": "[0-9]", "D": "[^0-9]", "w": "[A-Za-z0-9_]", "W": "[^A-Za-z0-9_]"}
_ASCII_IN_CLASS = {"d": "0-9", "w": "A-Za-z0-9_"}
_HEX2 = re.compile(r"[0-9a-fA-F]{2}")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")


class JsRegexError(ValueError):
    pass


def translate(src: str) -> str:
    out: list[str] = []
    i, n = 0, len(src)
    in_class = False
    named = "(?<" in src and re.search(r"\(\?<[A-Za-z_$]", src) is not None
    while i < n:
        c = src[i]
        if c == "\\":
            if i + 1 >= n:
                raise JsRegexError("\\ at end of pattern")
            e = src[i + 1]
            i += 2
            if e in _JS_CONTROL:
                out.append(_JS_CONTROL[e])
            elif e in _JS_CLASS_ESCAPES:  # JavaScript's \d and \w are ASCII-only
                out.append((_ASCII_IN_CLASS if in_class else _ASCII_CLASSES).get(e, "\\" + e))
            elif e in "bB":
                out.append("\\x08" if in_class and e == "b" else ("B" if in_class else f"(?a:\\{e})"))
            elif e == "x" and _HEX2.match(src, i):
                out.append("\\x" + src[i:i + 2])
                i += 2
            elif e == "u" and _HEX4.match(src, i):
                out.append("\\u" + src[i:i + 4])
                i += 4
            elif e == "c" and i < n and src[i].isascii() and src[i].isalpha():
                out.append("\\x%02x" % (ord(src[i]) % 32))
                i += 1
            elif e == "k" and named and not in_class and i < n and src[i] == "<":
                end = src.find(">", i)
                if end < 0:
                    raise JsRegexError("bad named backreference")
                out.append(f"(?P={src[i + 1:end]})")
                i = end + 1
            elif e == "0" and not (i < n and src[i].isdigit()):
                out.append("\\x00")
            elif e.isdigit():
                out.append("\\" + e)
            elif e.isascii() and e.isalpha():
                out.append(e)  # identity escape: \p is "p", \a is "a", \Z is "Z"
            else:
                out.append(re.escape(e))
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "[":
                c = "\\["  # a literal "[" inside a class (Python warns about nested sets)
            out.append(c)
            i += 1
            continue
        if c == "[":
            if src.startswith("[^]", i):
                out.append("[\\s\\S]")
                i += 3
                continue
            if src.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            in_class = True
            out.append(c)
            i += 1
            if i < n and src[i] == "^":
                out.append("^")
                i += 1
            if i < n and src[i] == "]":  # a "]" first in a class is a literal in Python only
                raise JsRegexError("empty character class")
            continue
        if c == "$":
            out.append("\\Z")  # JavaScript's `$` (no m flag): the very end, not before a final newline
            i += 1
            continue
        if c == "(" and src.startswith("(?<", i) and i + 3 < n and src[i + 3] not in "=!":
            out.append("(?P<")
            i += 3
            continue
        out.append(c)
        i += 1
    if in_class:
        raise JsRegexError("missing ]")
    return "".join(out)


_CACHE: dict[str, re.Pattern] = {}


def compile_js(src: str) -> re.Pattern:
    """Compile a JavaScript regex source; raises JsRegexError when it cannot be used."""
    pattern = _CACHE.get(src)
    if pattern is None:
        try:
            pattern = re.compile(translate(src))
        except (re.error, RecursionError, OverflowError) as exc:
            raise JsRegexError(str(exc)) from None
        if len(_CACHE) > 10000:
            _CACHE.clear()
        _CACHE[src] = pattern
    return pattern
