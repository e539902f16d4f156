"""Engine shapes -> LSP shapes: code-point ranges to the negotiated position encoding."""

from __future__ import annotations

from lsprotocol import types

from apigov_ls.document.positions import LineIndex
from apigov_ls.engine.types import Range, Severity

SOURCE = "apigov"

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARN: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def encoding_name(encoding) -> str:
    value = getattr(encoding, "value", encoding)
    return str(value or "utf-16")


def to_lsp_position(lines: LineIndex, line: int, character: int, encoding: str) -> types.Position:
    from apigov_ls.engine.types import Position

    return types.Position(line, lines.to_client_character(Position(line, character), encoding))


def to_lsp_range(rng: Range, lines: LineIndex, encoding: str) -> types.Range:
    return types.Range(
        to_lsp_position(lines, rng.start.line, rng.start.character, encoding),
        to_lsp_position(lines, rng.end.line, rng.end.character, encoding),
    )


def offsets_to_lsp_range(lines: LineIndex, start: int, end: int, encoding: str) -> types.Range:
    return to_lsp_range(lines.range(start, end), lines, encoding)


def client_range(rng) -> types.Range:
    (sl, sc), (el, ec) = rng
    return types.Range(types.Position(sl, sc), types.Position(el, ec))


def to_diagnostic(finding, uri_of) -> types.Diagnostic:
    """A checker Finding (ranges already in client units) as an LSP diagnostic."""
    related = [types.DiagnosticRelatedInformation(types.Location(uri_of(src), client_range(rng)), message)
               for src, rng, message in finding.related]
    return types.Diagnostic(
        range=client_range(finding.range),
        message=finding.message,
        severity=SEVERITIES.get(Severity(finding.severity), types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=types.CodeDescription(href=finding.documentation_url) if finding.documentation_url else None,
        source=SOURCE,
        related_information=related or None,
    )


def contains(rng: types.Range, pos: types.Position) -> bool:
    start, end = (rng.start.line, rng.start.character), (rng.end.line, rng.end.character)
    return start <= (pos.line, pos.character) <= end


class DiagnosticReuse:
    """Findings -> Diagnostics per origin, reusing the Diagnostic built for an equal finding of that
    origin's previous conversion: an edit changes a few of a big root's hundreds of findings, and
    equal Diagnostic objects also make the store's diff (list equality) a pointer comparison."""

    def __init__(self) -> None:
        self._by_origin: dict = {}

    def convert(self, origin, findings, uri_of) -> list[types.Diagnostic]:
        before = self._by_origin.get(origin, {})
        now: dict = {}
        out = []
        for finding in findings:
            key = (finding.code, finding.message, finding.severity, finding.source, finding.range,
                   finding.documentation_url, tuple(finding.related))
            diagnostic = now.get(key) or before.get(key)
            if diagnostic is None:
                diagnostic = to_diagnostic(finding, uri_of)
            now[key] = diagnostic
            out.append(diagnostic)
        self._by_origin[origin] = now
        return out

    def forget(self, origin) -> None:
        self._by_origin.pop(origin, None)
