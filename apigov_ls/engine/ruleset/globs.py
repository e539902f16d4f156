"""minimatch-style globs for `overrides.files`, with Spectral's `matchBase: true`.

`**` spans folders, `*`/`?` stay within one, `[...]` and `{a,b}` work, and a pattern without
`/` is matched against the file's base name (so `*.yaml` matches `api/v1/x.yaml`).
"""

from __future__ import annotations

import re
from functools import lru_cache


def glob_matches(relative_path: str, pattern: str) -> bool:
    path = relative_path.replace("\\", "/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if "/" not in pattern:
        path = path.rsplit("/", 1)[-1]
    return any(rx.match(path) for rx in _compile(pattern))


@lru_cache(maxsize=512)
def _compile(pattern: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(_translate(p) + r"\Z") for p in _braces(pattern))


def _braces(pattern: str) -> list[str]:
    """Expand the first {a,b} group (recursively): a{b,c}d -> [abd, acd]."""
    depth = 0
    start = -1
    for i, ch in enumerate(pattern):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                body = pattern[start + 1:i]
                parts = _split_top(body)
                if len(parts) < 2:
                    return [pattern]
                out = []
                for part in parts:
                    out.extend(_braces(pattern[:start] + part + pattern[i + 1:]))
                return out
    return [pattern]


def _split_top(body: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    return parts


def _translate(pattern: str) -> str:
    segments = pattern.split("/")
    out: list[str] = []
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "**":
            # zero or more whole folders (or, at the end, anything)
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        out.append(_segment(seg) + ("" if last else "/"))
    return "".join(out)


def _segment(seg: str) -> str:
    rx, i = "", 0
    while i < len(seg):
        ch = seg[i]
        if ch == "*":
            while i + 1 < len(seg) and seg[i + 1] == "*":
                i += 1
            rx += "[^/]*"
        elif ch == "?":
            rx += "[^/]"
        elif ch == "[":
            j = seg.find("]", i + 2)
            if j == -1:
                rx += re.escape(ch)
            else:
                body = seg[i + 1:j]
                if body[:1] in "!^":
                    body = "^" + body[1:]
                rx += "[" + body.replace("\\", "\\\\") + "]"
                i = j
        else:
            rx += re.escape(ch)
        i += 1
    return rx
