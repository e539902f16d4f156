"""GitHub Actions workflow commands: one annotation per result.

    ::warning file=api/openapi.yaml,line=3,col=10,endLine=3,endColumn=22,title=info-contact::Info object ...

error -> `::error`, warn -> `::warning`, info and hint -> `::notice` (as Spectral). Values are escaped
as GitHub's own toolkit does (actions/toolkit `command.ts`): `%`, CR and LF everywhere, and also `:`
and `,` inside properties, since those delimit the command.
"""

from __future__ import annotations

from apigov_ls.engine.types import LintResult, Severity

from .common import relative_to_cwd, sort_results

_COMMANDS = {Severity.ERROR: "error", Severity.WARN: "warning", Severity.INFO: "notice", Severity.HINT: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github_actions(results: list[LintResult], *, cwd: str) -> str:
    lines = []
    for r in sort_results(results, cwd):
        props: list[tuple[str, str]] = []
        if r.source is not None:
            # annotations need a path relative to the workspace; outside it the absolute path is all we have
            props.append(("file", relative_to_cwd(r.source, cwd) or r.source))
        props += [
            ("line", str(r.range.start.line + 1)),
            ("col", str(r.range.start.character + 1)),
            ("endLine", str(r.range.end.line + 1)),
            ("endColumn", str(r.range.end.character + 1)),
            ("title", r.code),
        ]
        joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
        lines.append(f"::{_COMMANDS[Severity(r.severity)]} {joined}::{escape_data(r.message)}")
    return "".join(line + "\n" for line in lines)
