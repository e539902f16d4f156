"""Parse a JSONPath-Plus expression (the dialect of Spectral `given`) into a list of steps.

Steps are tuples:
  ("child", key)          .name ['name'] [0] [-1]   (key: str or int)
  ("wild",)               .* [*]
  ("union", keys)         [get,put] ['a','b'] [200,"200"]
  ("slice", a, b, step)   [0:2] [-1:]
  ("filter", CompiledFilter)   [?(...)]
  ("desc",)               ..   (the following step applies at any depth)
  ("type", name, test)    @string() ... : keeps the current node if it has that type
  ("parent",)             ^
  ("key",)                ~    (yields the key instead of the value; must come last)
"""

from __future__ import annotations

from apigov_ls.engine.jsonpath.errors import JSONPathError
from apigov_ls.engine.jsonpath.filters import TYPE_SELECTORS, compile_filter, parse_filter, type_test

#: characters that end a dot-notation name
_NAME_END = set(".[]~^()'\" \t")


def _type_selector_at(expr: str, i: int) -> str | None:
    if expr.startswith("@", i):
        for name in TYPE_SELECTORS:
            if expr.startswith(f"@{name}()", i):
                return name
    return None


def parse_path(expr: str) -> list[tuple]:
    if not isinstance(expr, str):
        raise JSONPathError(str(expr), "a JSONPath must be a string")
    s = expr.strip()
    if not s.startswith("$"):
        raise JSONPathError(expr, "a JSONPath must start with '$'", 0)
    steps: list[tuple] = []
    i, n = 1, len(s)
    while i < n:
        c = s[i]
        if c == ".":
            if s.startswith("..", i):
                # `...x` is `..` followed by `.x` in JSONPath-Plus
                steps.append(("desc",))
                i += 2
                if i < n and s[i] == "." and not s.startswith("..", i):
                    i += 1
                if i >= n:
                    raise JSONPathError(expr, "'..' must be followed by a selector", i - 2)
                if s[i] in ".":
                    raise JSONPathError(expr, "too many dots", i)
                if s[i] in "[~^@" or s[i] == "*":
                    continue
                i = _parse_dot_member(expr, s, i, steps)
                continue
            i += 1
            if i >= n:
                break  # a trailing '.' is dropped, as JSONPath-Plus does
            if s[i] in "[~^":
                continue  # `.[x]`, `.~` and `.^` mean `[x]`, `~` and `^`
            i = _parse_dot_member(expr, s, i, steps)
        elif c == "[":
            i = _parse_bracket(expr, s, i, steps)
        elif c == "*":
            steps.append(("wild",))
            i += 1
        elif c == "~":
            steps.append(("key",))
            i += 1
        elif c == "^":
            steps.append(("parent",))
            i += 1
        elif (name := _type_selector_at(s, i)) is not None:
            steps.append(("type", name, type_test(name)))
            i += len(name) + 3
        elif i == 1:
            raise JSONPathError(expr, "expected '.', '..' or '[' after '$'", i)
        else:
            raise JSONPathError(expr, f"unexpected {c!r}", i)
    _check(expr, steps)
    return steps


def _parse_dot_member(expr: str, s: str, i: int, steps: list) -> int:
    n = len(s)
    c = s[i]
    if c == "*":
        steps.append(("wild",))
        return i + 1
    if c in "'\"":
        name, i = _read_quoted(expr, s, i)
        steps.append(("child", name))
        return i
    if (tname := _type_selector_at(s, i)) is not None:
        steps.append(("type", tname, type_test(tname)))
        return i + len(tname) + 3
    start = i
    while i < n and s[i] not in _NAME_END and _type_selector_at(s, i) is None:
        i += 1
    if i == start:
        raise JSONPathError(expr, f"expected a property name after '.', found {s[i]!r}", i)
    name = s[start:i]
    if "*" in name:
        raise JSONPathError(expr, f"wildcards inside names ({name!r}) are not supported", start)
    steps.append(("child", name))
    return i


def _read_quoted(expr: str, s: str, i: int) -> tuple[str, int]:
    quote = s[i]
    out = []
    j = i + 1
    while j < len(s):
        c = s[j]
        if c == "\\" and j + 1 < len(s):
            out.append(s[j + 1])
            j += 2
            continue
        if c == quote:
            return "".join(out), j + 1
        out.append(c)
        j += 1
    raise JSONPathError(expr, "unterminated quoted name", i)


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t":
        i += 1
    return i


def _parse_bracket(expr: str, s: str, i: int, steps: list) -> int:
    start = i
    i = _skip_ws(s, i + 1)
    if s.startswith("?(", i):
        ast, j = parse_filter(s, i + 2, expr)
        if not s.startswith(")", j):
            raise JSONPathError(expr, "expected ')' to close the filter expression", j)
        j = _skip_ws(s, j + 1)
        if not s.startswith("]", j):
            raise JSONPathError(expr, "expected ']' after the filter expression", j)
        steps.append(("filter", compile_filter(ast, s[i : j + 1])))
        return j + 1
    if s.startswith("?", i):
        raise JSONPathError(expr, "filter expressions must be written [?(...)]", i)
    if s.startswith("(", i):
        raise JSONPathError(expr, "script expressions [(...)] are not supported", i)
    items: list = []
    while True:
        i = _skip_ws(s, i)
        if i >= len(s):
            raise JSONPathError(expr, "unterminated '['", start)
        c = s[i]
        if c in "'\"":
            name, i = _read_quoted(expr, s, i)
            items.append(("child", name))
        else:
            j = i
            while j < len(s) and s[j] not in ",]":
                if s[j] in "[()'\"":
                    raise JSONPathError(expr, f"unexpected {s[j]!r} inside '[...]'", j)
                j += 1
            items.append(_bracket_item(expr, s[i:j].strip(), i))
            i = j
        i = _skip_ws(s, i)
        if i >= len(s):
            raise JSONPathError(expr, "unterminated '['", start)
        if s[i] == "]":
            i += 1
            break
        if s[i] != ",":
            raise JSONPathError(expr, f"unexpected {s[i]!r} inside '[...]'", i)
        i += 1
    if len(items) == 1:
        steps.append(items[0])
        return i
    if any(item[0] not in ("child",) for item in items):
        raise JSONPathError(expr, "unions may only list names and indices (no '*', slices or filters)", start)
    keys = []
    for item in items:
        if item[1] not in keys:
            keys.append(item[1])
    steps.append(("union", tuple(keys)))
    return i


def _bracket_item(expr: str, text: str, pos: int) -> tuple:
    if text == "":
        raise JSONPathError(expr, "empty selector in '[...]'", pos)
    if text == "*":
        return ("wild",)
    if ":" in text:
        parts = text.split(":")
        if len(parts) > 3:
            raise JSONPathError(expr, f"bad slice {text!r}", pos)
        try:
            nums = [int(p) if p.strip() else None for p in parts]
        except ValueError:
            raise JSONPathError(expr, f"bad slice {text!r}: bounds must be integers", pos) from None
        while len(nums) < 3:
            nums.append(None)
        if nums[2] == 0:
            raise JSONPathError(expr, "slice step cannot be 0", pos)
        return ("slice", nums[0], nums[1], nums[2])
    if text.lstrip("-").isdigit() and text.isascii():
        return ("child", int(text))
    return ("child", text)  # an unquoted name: [parameters], [application/json]


def _check(expr: str, steps: list) -> None:
    for idx, step in enumerate(steps):
        if step[0] == "key" and any(s[0] != "key" for s in steps[idx + 1 :]):
            raise JSONPathError(expr, "'~' (property name) must be the last selector")
        if step[0] == "key" and idx + 1 < len(steps):
            raise JSONPathError(expr, "'~' may appear only once, at the end")
    if steps and steps[-1][0] == "desc":
        raise JSONPathError(expr, "'..' must be followed by a selector")
