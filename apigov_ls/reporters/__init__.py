"""Output formats of `apigov lint`, matching Spectral's CLI formatters.

    render("sarif", results, files=[...], cwd=os.getcwd())

Every format lists results sorted by file, line, character, code. File names are relative to `cwd`
when the file is inside it. Each call returns the whole text; it ends with a newline unless it is
empty (stylish, text and github-actions print nothing when there is no result). Write it as UTF-8.
"""

from __future__ import annotations

import os

from apigov_ls.engine.types import LintResult, Severity

from .common import no_results_message, problems_summary
from .common import tool_version as _installed_version
from .github_actions import render_github_actions
from .json_report import render_json
from .junit import render_junit
from .sarif import render_sarif
from .stylish import render_stylish
from .text import render_text

FORMATS = ("stylish", "json", "sarif", "junit", "github-actions", "text")

__all__ = ["FORMATS", "render", "no_results_message", "problems_summary"]


def render(
    fmt: str,
    results: list[LintResult],
    *,
    files: list[str | None],
    color: bool = False,
    cwd: str | None = None,
    summary: str | None = None,
    tool_version: str = _installed_version(),
    fail_severity: Severity | None = None,
) -> str:
    """Format `results` as `fmt` (one of FORMATS); ValueError for an unknown format.

    files: every file that was linted, including those without results (junit lists them as passing,
      sarif lists them as artifacts); None or absent for stdin.
    color: ANSI colours (stylish only).
    summary: a line appended to the stylish output (the score line).
    fail_severity: as Spectral's junit, only results at least this severe are written as failures;
      None writes them all. Other formats ignore it (Spectral's --display-only-failures is the CLI's job).
    """
    cwd = os.path.abspath(cwd if cwd is not None else os.getcwd())
    if fmt == "stylish":
        return render_stylish(results, cwd=cwd, color=color, summary=summary)
    if fmt == "json":
        return render_json(results, cwd=cwd)
    if fmt == "sarif":
        return render_sarif(results, files=files, cwd=cwd, tool_version=tool_version)
    if fmt == "junit":
        return render_junit(results, files=files, cwd=cwd, fail_severity=fail_severity)
    if fmt == "github-actions":
        return render_github_actions(results, cwd=cwd)
    if fmt == "text":
        return render_text(results, cwd=cwd)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
