"""Engine shapes -> LSP shapes: code-point ranges to the negotiated position encoding."""

from __future__ import annotations

from lsprotocol import types

from apigov_ls.document.positions import LineIndex
from apigov_ls.engine.types import LintResult, Range, Severity

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


def to_diagnostic(result: LintResult, lines_of, uri_of, encoding: str) -> types.Diagnostic:
    """`lines_of(path)` gives the LineIndex of the text the result was computed on."""
    lines = lines_of(result.source)
    related = []
    for rel in result.related:
        rel_lines = lines_of(rel.source)
        if rel_lines is None:
            continue
        related.append(types.DiagnosticRelatedInformation(
            types.Location(uri_of(rel.source), to_lsp_range(rel.range, rel_lines, encoding)), rel.message))
    return types.Diagnostic(
        range=to_lsp_range(result.range, lines, encoding),
        message=result.message,
        severity=SEVERITIES.get(result.severity, types.DiagnosticSeverity.Warning),
        code=result.code,
        code_description=types.CodeDescription(href=result.documentation_url) if result.documentation_url else None,
        source=SOURCE,
        related_information=related or None,
    )


def contains(rng: types.Range, pos: types.Position) -> bool:
    start, end = (rng.start.line, rng.start.character), (rng.end.line, rng.end.character)
    return start <= (pos.line, pos.character) <= end
