"""Multi-file descriptions, ruleset changes, settings, the first scan and responsiveness."""

from __future__ import annotations

import asyncio
import time

from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import API, RULESET, change_doc, codes, diagnostics, line_of, open_doc, pulls

T = 30  # generous: CI machines are shared and slow


async def test_editing_a_fragment_rechecks_its_root(museum: LanguageClient):
    fragment = museum.root / "paths" / "museum-hours.yaml"
    text = fragment.read_text(encoding="utf-8")
    uri = open_doc(museum, fragment, text)
    # the museum has no violation of these rules: wait until the fragment has been checked in context
    await asyncio.sleep(0.5)
    broken = text.replace("  summary: Get museum hours\n", "")
    change_doc(museum, uri, broken, 2)
    diags = await diagnostics(museum, uri, lambda d: "operation-summary" in codes(d))
    d = next(x for x in diags if x.code == "operation-summary")
    assert d.range.start.line == line_of(broken, "get:")
    # where the fragment is used: the $ref in the root
    root = museum.root / "openapi.yaml"
    related = d.related_information or []
    assert any(r.location.uri == root.as_uri() and r.location.range.start.line == line_of(root.read_text(), "$ref: paths/museum-hours.yaml") for r in related)
    if not pulls(museum):
        # the root file has its own (empty) diagnostics: the problem is reported where the text is
        assert not [x for x in museum.diagnostics.get(root.as_uri(), ()) if x.code == "operation-summary"]
    change_doc(museum, uri, text, 3)
    await diagnostics(museum, uri, lambda d: "operation-summary" not in codes(d))


async def test_ruleset_change_while_open(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    await diagnostics(vscode, uri, lambda d: "info-contact" in codes(d))
    ruleset = vscode.root / ".spectral.yaml"
    ruleset.write_text(RULESET.replace("    severity: warn\n", "    severity: error\n"), encoding="utf-8")
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(ruleset.as_uri(), types.FileChangeType.Changed)]))
    diags = await diagnostics(vscode, uri, lambda d: any(x.code == "info-contact" and x.severity == types.DiagnosticSeverity.Error for x in d))
    assert "operation-summary" in codes(diags)
    # a broken ruleset: a diagnostic in the ruleset file at the line the loader names
    broken = RULESET.replace("function: truthy\n  operation-summary", "function: no-such-function\n  operation-summary")
    ruleset.write_text(broken, encoding="utf-8")
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(ruleset.as_uri(), types.FileChangeType.Changed)]))
    errors = await diagnostics(vscode, ruleset.as_uri())
    assert errors[0].range.start.line == line_of(broken, "no-such-function")
    assert "no-such-function" in errors[0].message
    ruleset.write_text(RULESET, encoding="utf-8")
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(ruleset.as_uri(), types.FileChangeType.Changed)]))
    await diagnostics(vscode, ruleset.as_uri(), lambda d: len(d) == 0)


async def test_watchers_registered_dynamically(vscode: LanguageClient):
    open_doc(vscode, vscode.root / "api.yaml")
    deadline = time.monotonic() + T
    while time.monotonic() < deadline and not vscode.registrations:
        await asyncio.sleep(0.05)
    methods = {r.method for r in vscode.registrations}
    assert types.WORKSPACE_DID_CHANGE_WATCHED_FILES in methods


async def test_first_scan_reports_progress(vscode: LanguageClient):
    deadline = time.monotonic() + T
    while time.monotonic() < deadline:
        reports = vscode.progress_reports.get("apigov-first-scan", [])
        if reports and reports[-1].kind == "end":
            break
        await asyncio.sleep(0.05)
    kinds = [r.kind for r in vscode.progress_reports["apigov-first-scan"]]
    assert kinds[0] == "begin" and kinds[-1] == "end"
    # the scan found api.yaml (not notes.yaml): its operations are workspace symbols before it is opened
    found = await asyncio.wait_for(vscode.workspace_symbol_async(types.WorkspaceSymbolParams(query="listPets")), T)
    assert [s.location.uri for s in found] == [(vscode.root / "api.yaml").as_uri()]


async def test_settings_severity_override_and_on_save(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    await diagnostics(vscode, uri, lambda d: "tag-name-kebab" in codes(d))
    vscode.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"apigov": {"severityOverrides": {"tag-name-kebab": "off", "operation-summary": "warn"}, "run": "onSave"}}))
    diags = await diagnostics(vscode, uri, lambda d: "tag-name-kebab" not in codes(d) and len(d) > 0)
    assert next(d for d in diags if d.code == "operation-summary").severity == types.DiagnosticSeverity.Warning
    # run: onSave -> typing does not re-check, saving does
    fixed = API.replace("  version: '1'\n", "  version: '1'\n  contact: {name: me}\n")
    change_doc(vscode, uri, fixed, 2)
    await asyncio.sleep(0.8)
    assert "info-contact" in codes(vscode.diagnostics[uri])
    vscode.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await diagnostics(vscode, uri, lambda d: "info-contact" not in codes(d))


def big_description(paths: int) -> str:
    parts = ["openapi: 3.0.3\ninfo:\n  title: Big\n  version: '1'\npaths:\n"]
    for i in range(paths):
        parts.append(
            f"  /things{i}/{{id}}:\n    parameters:\n      - name: id\n        in: path\n        required: true\n"
            f"        schema: {{type: string}}\n    get:\n      operationId: getThing{i}\n      responses:\n"
            f"        '200':\n          description: ok\n          content:\n            application/json:\n"
            f"              schema:\n                $ref: '#/components/schemas/Thing{i}'\n"
        )
    parts.append("components:\n  schemas:\n")
    for i in range(paths):
        parts.append(f"    Thing{i}:\n      type: object\n      properties:\n        id: {{type: string}}\n        size: {{type: integer}}\n")
    return "".join(parts)


async def test_requests_answer_while_a_big_document_is_checked(vscode: LanguageClient):
    small = open_doc(vscode, vscode.root / "api.yaml")
    await diagnostics(vscode, small)
    text = big_description(6000)
    assert len(text) > 2_000_000
    big = open_doc(vscode, vscode.root / "big.yaml", text)
    await asyncio.sleep(0.3)  # past the debounce: the check is running
    timings = []
    for _ in range(3):
        started = time.monotonic()
        hover = await asyncio.wait_for(vscode.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(big), types.Position(line_of(text, "$ref: '#/components/schemas/Thing0'"), 20))), T)
        timings.append(time.monotonic() - started)
        assert hover is not None and "Thing0" in hover.contents.value
    assert big not in vscode.diagnostics, "the check finished too early to prove anything"
    assert max(timings) < 1.0, timings
    diags = await diagnostics(vscode, big, timeout=120)
    assert "operation-summary" in codes(diags)
