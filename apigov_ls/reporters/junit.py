"""JUnit XML as Spectral writes it: a testsuite per file, a failing testcase per result.

Names keep Spectral's `org.spectral` package and `org.spectral.<code>(<pointer>)` testcase names so that
CI dashboards and scripts set up for Spectral read our reports the same way. A file without problems
gets one passing testcase. Differences from Spectral, all to keep the XML well-formed:
non-ASCII text is written as UTF-8 rather than as (UTF-16) character references, characters XML 1.0
forbids are replaced by U+FFFD, every `]]>` in CDATA is split (Spectral splits only the first), and
line breaks in attributes are written as character references so that parsers keep them.
"""

from __future__ import annotations

import os
import re

from apigov_ls.engine.types import LintResult, Severity

from .common import display_path, escaped_pointer, group_by_file

PACKAGE = "org.spectral"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTR_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;",
                 "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_ATTR_SPECIAL = re.compile("[&<>\"'\n\r\t]")


def xml_attr(text: str) -> str:
    return _ATTR_SPECIAL.sub(lambda m: _ATTR_ESCAPES[m.group()], _NOT_XML.sub("\ufffd", text))


def cdata(text: str) -> str:
    return "<![CDATA[" + _NOT_XML.sub("\ufffd", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _classname(path: str) -> str:
    # Spectral: the file name without its extension
    root, _ext = os.path.splitext(path)
    return root


def _failure_text(r: LintResult, pointer: str) -> str:
    text = f"line {r.range.start.line + 1}, col {r.range.start.character + 1}, {r.message} ({r.code}) at path {pointer}"
    if r.documentation_url:
        text += f", {r.documentation_url}"
    return text


def render_junit(
    results: list[LintResult], *, files: list[str | None], cwd: str, fail_severity: Severity | None = None
) -> str:
    """`fail_severity` as Spectral's junit: only results at least that severe become failures; None keeps all."""
    if fail_severity is not None:
        results = [r for r in results if r.severity <= fail_severity]
    groups = group_by_file(results, cwd)
    for f in files:
        groups.setdefault(display_path(f, cwd), [])

    out = ['<?xml version="1.0" encoding="utf-8"?>', "<testsuites>"]
    for path in sorted(groups):
        group = groups[path]
        name, classname = xml_attr(path), xml_attr(_classname(path))
        if not group:
            out.append(f'<testsuite package="{PACKAGE}" time="0" tests="1" errors="0" failures="0" name="{name}">')
            out.append(f'<testcase time="0" name="{name}" classname="{classname}" />')
            out.append("</testsuite>")
            continue
        out.append(
            f'<testsuite package="{PACKAGE}" time="0" tests="{len(group)}" errors="0" '
            f'failures="{len(group)}" name="{name}">'
        )
        for r in group:
            pointer = escaped_pointer(r.location_path)
            out.append(
                f'<testcase time="0" name="{PACKAGE}.{xml_attr(r.code or "unknown")}({xml_attr(pointer)})" '
                f'classname="{classname}">'
                f'<failure message="{xml_attr(r.message)}">{cdata(_failure_text(r, pointer))}</failure>'
                "</testcase>"
            )
        out.append("</testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
