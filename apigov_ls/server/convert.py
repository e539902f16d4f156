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
