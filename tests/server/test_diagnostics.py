"""Diagnostics end to end: lines, codes, push vs pull, position encodings, clearing."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import API, change_doc, codes, diagnostics, line_of, open_doc, pulls


async def test_violations_reported_at_their_lines(client: LanguageClient):
    uri = open_doc(client, client.root / "api.yaml")
    diags = await diagnostics(client, uri, lambda d: len(d) >= 3)
    assert codes(diags) == ["info-contact", "operation-summary", "tag-name-kebab"]
    by_code = {d.code: d for d in diags}
    assert by_code["info-contact"].range.start.line == line_of(API, "info:")
    assert by_code["info-contact"].severity == types.DiagnosticSeverity.Warning
    assert by_code["info-contact"].code_description.href == "https://example.com/rules/info-contact"
    assert by_code["operation-summary"].range.start.line == line_of(API, "get:")
    assert by_code["operation-summary"].severity == types.DiagnosticSeverity.Error
    assert by_code["tag-name-kebab"].severity == types.DiagnosticSeverity.Hint
    assert all(d.source == "apigov" for d in diags)


async def test_push_or_pull_never_both(client: LanguageClient):
    uri = open_doc(client, client.root / "api.yaml")
    await diagnostics(client, uri)
    await asyncio.sleep(0.3)
    if pulls(client):
        assert client.diagnostics == {}, "a pulling client must not also get pushes"
    else:
        assert uri in client.diagnostics


async def test_columns_in_negotiated_encoding(client: LanguageClient):
    uri = open_doc(client, client.root / "api.yaml")
    diags = await diagnostics(client, uri, lambda d: "tag-name-kebab" in codes(d))
    tag = next(d for d in diags if d.code == "tag-name-kebab")
    line = API.splitlines()[line_of(API, "Bad Name")]
    prefix = line[: line.index("Bad Name")]
    expected = {
        "utf-16": len(prefix.encode("utf-16-le")) // 2,
        "utf-8": len(prefix.encode("utf-8")),
        "utf-32": len(prefix),
    }
    encodings = client.capabilities.general.position_encodings if client.capabilities.general else None
    negotiated = str(encodings[0].value if hasattr(encodings[0], "value") else encodings[0]) if encodings else "utf-16"
    assert tag.range.start.character == expected[negotiated]
    assert tag.range.end.character - tag.range.start.character == len("Bad Name")


async def test_fixing_the_text_clears_the_diagnostic(push_pull: LanguageClient):
    client = push_pull
    uri = open_doc(client, client.root / "api.yaml")
    await diagnostics(client, uri, lambda d: "info-contact" in codes(d))
    fixed = API.replace("  version: '1'\n", "  version: '1'\n  contact: {name: me}\n")
    change_doc(client, uri, fixed, 2)
    diags = await diagnostics(client, uri, lambda d: "info-contact" not in codes(d) and len(d) > 0)
    assert codes(diags) == ["operation-summary", "tag-name-kebab"]


async def test_non_description_files_are_left_alone(vscode: LanguageClient):
    notes = open_doc(vscode, vscode.root / "notes.yaml")
    api = open_doc(vscode, vscode.root / "api.yaml")
    await diagnostics(vscode, api)
    await asyncio.sleep(0.3)
    assert notes not in vscode.diagnostics


async def test_close_clears_and_stale_versions_never_published(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    # several quick edits: only the last version may be published
    for version in range(2, 7):
        change_doc(vscode, uri, API.replace("title: Pets", f"title: Pets {version}"), version)
    await diagnostics(vscode, uri)
    await asyncio.sleep(0.3)
    assert vscode.published_versions[uri] == [6]
    vscode.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await diagnostics(vscode, uri, lambda d: len(d) == 0)


async def test_parse_error_is_a_diagnostic(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml", API + "bad: [unclosed\n")
    diags = await diagnostics(vscode, uri, lambda d: any(str(x.code).startswith("parser") for x in d))
    assert any(d.severity == types.DiagnosticSeverity.Error for d in diags)
