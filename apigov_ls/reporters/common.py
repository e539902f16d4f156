"""Helpers shared by the output formats: ordering, file names, severity names, path printing."""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from importlib import metadata
from urllib.parse import quote

from apigov_ls.engine.types import JsonPath, LintResult, Severity

#: what a result read from standard input is filed under
STDIN_NAME = "<stdin>"

#: Spectral's names (stylish, text): note "warning" and "information", not "warn"/"info"
SEVERITY_NAMES = {
    Severity.ERROR: "error",
    Severity.WARN: "warning",
    Severity.INFO: "information",
    Severity.HINT: "hint",
}


def tool_version() -> str:
    try:
        return metadata.version("apigov-ls")
    except metadata.PackageNotFoundError:
        return "0.0.0"


@lru_cache(maxsize=4096)  # called once per result: a lint of many results names few files
def relative_to_cwd(path: str, cwd: str) -> str | None:
    """`path` relative to `cwd` with '/' separators, or None when it is not inside `cwd`."""
    absolute = os.path.abspath(os.path.join(cwd, path))
    base = os.path.abspath(cwd)
    try:
        if os.path.commonpath([absolute, base]) != base:
            return None
    except ValueError:  # different drives on Windows
        return None
    return os.path.relpath(absolute, base).replace(os.sep, "/")


def display_path(source: str | None, cwd: str) -> str:
    """The name a human sees: relative to cwd when inside it, else the path as given."""
    if source is None:
        return STDIN_NAME
    return relative_to_cwd(source, cwd) or source


def sort_results(results: list[LintResult], cwd: str) -> list[LintResult]:
    """Every format lists results by file, line, character, code (then message, for a stable order)."""
    return sorted(
        results,
        key=lambda r: (display_path(r.source, cwd), r.range.start.line, r.range.start.character, r.code, r.message),
    )


def group_by_file(results: list[LintResult], cwd: str) -> dict[str, list[LintResult]]:
    """Sorted results grouped by display path, groups in sorted order."""
    groups: dict[str, list[LintResult]] = {}
    for result in sort_results(results, cwd):
        groups.setdefault(display_path(result.source, cwd), []).append(result)
    return groups


# JavaScript's Number(str) accepts these; Spectral prints such keys as [key] in dotted paths.
_JS_NUMERIC = re.compile(
    r"^\s*(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)"
    r"|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+)\s*$"
)


def dot_path(path: JsonPath) -> str:
    """Spectral's `printPath(path, PrintStyle.Dot)`: `paths./pets.get.parameters[0]`.

    Spectral also pointer-decodes the printed text (`~1` -> `/`); our path segments are the real keys,
    not pointer fragments, so that step is left out.
    """
    out = ""
    for index, segment in enumerate(path):
        if isinstance(segment, int):
            out += f"[{segment}]"
        elif segment == "":
            out += "['']"
        elif re.search(r"\s", segment):
            out += f"['{segment}']"
        elif _JS_NUMERIC.match(segment):
            out += f"[{segment}]"
        else:
            out += ("" if index == 0 else ".") + segment
    return out


# the characters JavaScript's encodeURI leaves alone (besides letters and digits)
_ENCODE_URI_SAFE = "-_.!~*'();/?:@&=+$,#"


def escaped_pointer(path: JsonPath) -> str:
    """Spectral's `printPath(path, PrintStyle.EscapedPointer)`: a URI-fragment JSON pointer, `#/paths/~1pets`."""
    if not path:
        return "#"
    parts = (str(s).replace("~", "~0").replace("/", "~1") for s in path)
    return "#/" + "/".join(quote(p, safe=_ENCODE_URI_SAFE) for p in parts)


def severity_counts(results: list[LintResult]) -> dict[Severity, int]:
    counts = {s: 0 for s in Severity}
    for r in results:
        counts[Severity(r.severity)] += 1
    return counts


def _plural(word: str, count: int) -> str:
    return word if count == 1 else word + "s"


def problems_summary(results: list[LintResult]) -> str | None:
    """Spectral's summary: `3 problems (1 error, 2 warnings, 0 infos, 0 hints)`; None when there are none."""
    c = severity_counts(results)
    total = sum(c.values())
    if total == 0:
        return None
    return (
        f"{total} {_plural('problem', total)} ("
        f"{c[Severity.ERROR]} {_plural('error', c[Severity.ERROR])}, "
        f"{c[Severity.WARN]} {_plural('warning', c[Severity.WARN])}, "
        f"{c[Severity.INFO]} {_plural('info', c[Severity.INFO])}, "
        f"{c[Severity.HINT]} {_plural('hint', c[Severity.HINT])})"
    )


def no_results_message(fail_severity: Severity) -> str:
    """What Spectral's CLI prints (after the formatted output) when there is no result at all."""
    name = Severity(fail_severity).label
    return f"No results with a severity of '{name}' {'' if fail_severity == Severity.ERROR else 'or higher '}found!"


def display_width(text: str) -> int:
    """Terminal columns taken by `text`: wide East Asian characters count 2, combining marks 0."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width
