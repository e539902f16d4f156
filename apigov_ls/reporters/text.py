"""Spectral's `text` output: one grep-friendly line per result.

    api/openapi.yaml:3:10 warning info-contact "Info object must have "contact" object." https://docs/...

As Spectral: 1-based line and column, Spectral's severity names, the message in double quotes
(inner quotes are not escaped, as in Spectral) and the documentation URL when there is one.
Unlike Spectral, line breaks inside a message are written as `\\n` so that a result stays on one line,
and results read from stdin are listed (as `<stdin>`) instead of dropped.
"""

from __future__ import annotations

from apigov_ls.engine.types import LintResult, Severity

from .common import SEVERITY_NAMES, display_path, sort_results


def _single_line(text: str) -> str:
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def render_text(results: list[LintResult], *, cwd: str) -> str:
    lines = []
    for r in sort_results(results, cwd):
        doc = f" {r.documentation_url}" if r.documentation_url else ""
        lines.append(
            f"{display_path(r.source, cwd)}:{r.range.start.line + 1}:{r.range.start.character + 1} "
            f"{SEVERITY_NAMES[Severity(r.severity)]} {r.code} \"{_single_line(r.message)}\"{doc}"
        )
    return "".join(line + "\n" for line in lines)
