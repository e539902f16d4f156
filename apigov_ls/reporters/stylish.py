"""Spectral's default `stylish` output: a table of results per file, then a one-line summary.

Layout as Spectral's (text-table with columns centred/right/left/left/left, two spaces between),
so a Spectral user sees the same thing:

    /dir/openapi.yaml
      3:10  warning  info-contact  Info object must have "contact" object.  info

    ✖ 1 problem (0 errors, 1 warning, 0 infos, 0 hints)
"""

from __future__ import annotations

from apigov_ls.engine.types import LintResult, Severity

from .common import SEVERITY_NAMES, display_width, dot_path, group_by_file, problems_summary

# ANSI SGR codes, as chalk writes them
_RESET_FG = "\x1b[39m"
_FG = {Severity.ERROR: "\x1b[31m", Severity.WARN: "\x1b[33m", Severity.INFO: "\x1b[34m", Severity.HINT: "\x1b[37m"}


def _underline(text: str) -> str:
    return f"\x1b[4m{text}\x1b[24m"


def _fg(severity: Severity, text: str) -> str:
    return f"{_FG[severity]}{text}{_RESET_FG}"


def _bold(text: str) -> str:
    return f"\x1b[1m{text}\x1b[22m"


def _one_line(text: str) -> str:
    # a newline inside a table cell would break the columns
    return " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text


def _pad(text: str, text_width: int, width: int, align: str) -> str:
    gap = width - text_width
    if align == "r":
        return " " * gap + text
    if align == "c":  # text-table puts the odd space on the left
        return " " * ((gap + 1) // 2) + text + " " * (gap // 2)
    return text + " " * gap


def _table(rows: list[list[str]], severities: list[Severity], color: bool) -> list[str]:
    aligns = ("c", "r", "l", "l", "l")
    row_widths = [[display_width(cell) for cell in row] for row in rows]
    widths = [max(w[i] for w in row_widths) for i in range(len(aligns))]
    lines = []
    for row, cell_widths, severity in zip(rows, row_widths, severities):
        cells = [_pad(cell, cell_widths[i], widths[i], aligns[i]) for i, cell in enumerate(row)]
        if color:  # colour after padding so the ANSI codes do not count as width
            name = row[1]
            cells[1] = cells[1][: len(cells[1]) - len(name)] + _fg(severity, name)
        lines.append("  ".join(cells).rstrip())
    return lines


def render_stylish(results: list[LintResult], *, cwd: str, color: bool = False, summary: str | None = None) -> str:
    out = ""
    problems = problems_summary(results)
    if problems is not None:
        out = "\n"
        for path, group in group_by_file(results, cwd).items():
            out += (_underline(path) if color else path) + "\n"
            rows = [
                [
                    f" {r.range.start.line + 1}:{r.range.start.character + 1}",
                    SEVERITY_NAMES[Severity(r.severity)],
                    r.code or "",
                    _one_line(r.message),
                    _one_line(dot_path(r.location_path)),
                ]
                for r in group
            ]
            out += "\n".join(_table(rows, [Severity(r.severity) for r in group], color)) + "\n\n"
        line = f"\u2716 {problems}"
        if color:
            line = _fg(min(Severity(r.severity) for r in results), _bold(line))
        out += line + "\n"
    if summary:
        out += summary.rstrip("\n") + "\n"
    return out
