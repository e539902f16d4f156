"""Code actions end to end: quick fixes, Ignore, fix-all (same text as `apigov lint --fix`),
position encodings, fixes in $ref'd files, stale versions, the `baseline` setting."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import CLIENTS, SERVER, TIMEOUT, change_doc, codes, diagnostics, open_doc, start

SLASH = "oas3-server-trailing-slash"
ENUM = "duplicated-entry-in-enum"

RULESET = """\
extends: [[spectral:oas, off]]
rules:
  oas3-server-trailing-slash: warn
  operation-description: warn
  duplicated-entry-in-enum: warn
"""

# non-ASCII text (2-byte, 3-byte, astral) before the first slash the quick fix removes
API = """\
openapi: 3.0.3
info:
  title: Café ☕ pets
  version: '1'
servers:
  - {description: "é☕😀 primary", url: https://api.example.com/v1/}
  - url: https://staging.example.com/v1/
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: 'schemas.yaml#/Pet'
"""

SCHEMAS = """\
Pet:
  type: string
  enum: [cat, dog, cat]
"""


def write_workspace(root: Path) -> None:
    (root / ".spectral.yaml").write_text(RULESET, encoding="utf-8")
    (root / "api.yaml").write_text(API, encoding="utf-8")
    (root / "schemas.yaml").write_text(SCHEMAS, encoding="utf-8")


async def _session(lsp_client: LanguageClient, tmp_path: Path, spec: str, options: dict | None = None):
    write_workspace(tmp_path)
    lsp_client.root = tmp_path
    lsp_client.spec = spec
    initialize = lsp_client.initialize_session

    async def keep_result(params):  # the server's capabilities, for the advertisement test
        lsp_client.init_result = await initialize(params)
        return lsp_client.init_result

    lsp_client.initialize_session = keep_result
    await start(lsp_client, tmp_path, spec, options)


@pytest_lsp.fixture(config=SERVER, params=CLIENTS)
async def client(lsp_client: LanguageClient, request, tmp_path):
    await _session(lsp_client, tmp_path, request.param)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def vscode(lsp_client: LanguageClient, tmp_path):
    await _session(lsp_client, tmp_path, "visual_studio_code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def baselined(lsp_client: LanguageClient, tmp_path):
    """A session whose `baseline` setting names a baseline of the workspace as first written."""
    write_workspace(tmp_path)
    subprocess.run([sys.executable, "-m", "apigov_ls.cli", "baseline", "api.yaml", "-o", "base/accepted.json"],
                   cwd=tmp_path, check=True, capture_output=True)
    lsp_client.root = tmp_path
    lsp_client.spec = "neovim@v0.7.0"
    await start(lsp_client, tmp_path, "neovim@v0.7.0", {"baseline": "base/accepted.json"})
    yield
    await lsp_client.shutdown_session()


# -- helpers: an independent implementation of LSP positions and edits --------------------------
def encoding_of(client: LanguageClient) -> str:
    general = client.capabilities.general
    encodings = general.position_encodings if general else None
    return str(getattr(encodings[0], "value", encodings[0])) if encodings else "utf-16"


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def offset(text: str, pos: types.Position, encoding: str) -> int:
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    for i in range(len(line) + 1):
        if units(line[:i], encoding) >= pos.character:
            return start + i
    return start + len(line)


def apply(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    spans = sorted(((offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text) for e in edits),
                   reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_by_uri(edit: types.WorkspaceEdit) -> dict[str, list[types.TextEdit]]:
    if edit.document_changes:
        return {c.text_document.uri: list(c.edits) for c in edit.document_changes}
    return {uri: list(es) for uri, es in (edit.changes or {}).items()}


async def code_actions(client: LanguageClient, uri: str, diags: list, only: list[str] | None = None,
                       rng: types.Range | None = None) -> list[types.CodeAction]:
    rng = rng or (diags[0].range if diags else types.Range(types.Position(0, 0), types.Position(0, 0)))
    actions = await asyncio.wait_for(client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=rng,
        context=types.CodeActionContext(diagnostics=diags, only=only))), timeout=TIMEOUT)
    return list(actions or [])


def first_slash(diags: list) -> types.Diagnostic:
    return min((d for d in diags if d.code == SLASH), key=lambda d: d.range.start.line)


# -- tests ----------------------------------------------------------------------------------------
async def test_quick_fix_clears_its_diagnostic_in_every_encoding(client: LanguageClient):
    provider = client.init_result.capabilities.code_action_provider
    assert set(provider.code_action_kinds) >= {"quickfix", "source.fixAll.apigov"}
    uri = open_doc(client, client.root / "api.yaml")
    diags = await diagnostics(client, uri, lambda d: codes(d).count(SLASH) == 2)
    target = first_slash(diags)
    actions = await code_actions(client, uri, [target])
    fixes = [a for a in actions if a.kind == "quickfix" and a.is_preferred]
    assert [a.title for a in fixes] == ["Remove the trailing slash"]
    assert all(a.diagnostics and a.diagnostics[0].code == SLASH for a in actions)
    assert any(a.title == f"Ignore {SLASH} here" for a in actions)
    (edits,) = edits_by_uri(fixes[0].edit).values()
    (edit,) = edits
    # the slash's position, counted in the negotiated encoding after the non-ASCII description
    encoding = encoding_of(client)
    line = API.splitlines()[5]
    slash_at = line.index("/v1/") + 3
    assert (edit.range.start.line, edit.range.start.character) == (5, units(line[:slash_at], encoding))
    assert (edit.range.end.line, edit.range.end.character) == (5, units(line[: slash_at + 1], encoding))
    fixed = apply(API, edits, encoding)
    assert "url: https://api.example.com/v1}" in fixed and "staging.example.com/v1/" in fixed
    change_doc(client, uri, fixed, 2)
    after = await diagnostics(client, uri, lambda d: codes(d).count(SLASH) == 1)
    assert codes(after) == ["oas3-server-trailing-slash", "operation-description"]
    assert first_slash(after).range.start.line == 6


async def test_unsafe_fix_offered_and_marked(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    diags = await diagnostics(vscode, uri, lambda d: "operation-description" in codes(d))
    target = next(d for d in diags if d.code == "operation-description")
    actions = await code_actions(vscode, uri, [target])
    titles = [a.title for a in actions]
    assert titles == ["Add a placeholder description (unsafe)", "Ignore operation-description here"]
    assert not any(a.is_preferred for a in actions)


async def test_ignore_action_suppresses(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    diags = await diagnostics(vscode, uri, lambda d: codes(d).count(SLASH) == 2)
    target = next(d for d in diags if d.code == SLASH and d.range.start.line == 6)
    actions = await code_actions(vscode, uri, [target])
    ignore = next(a for a in actions if a.title == f"Ignore {SLASH} here")
    fixed = apply(API, edits_by_uri(ignore.edit)[uri], "utf-16")
    assert f"  # apigov-ignore: {SLASH}\n  - url: https://staging" in fixed
    change_doc(vscode, uri, fixed, 2)
    after = await diagnostics(vscode, uri, lambda d: codes(d).count(SLASH) == 1)
    assert first_slash(after).range.start.line == 5


async def test_quick_fix_without_diagnostics_in_context_uses_the_range(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    diags = await diagnostics(vscode, uri, lambda d: codes(d).count(SLASH) == 2)
    target = next(d for d in diags if d.code == SLASH and d.range.start.line == 6)
    actions = await code_actions(vscode, uri, [], only=["quickfix"], rng=target.range)
    assert {a.title for a in actions} == {"Remove the trailing slash", f"Ignore {SLASH} here"}
    assert all(a.diagnostics[0].range == target.range for a in actions)


async def test_fix_in_referenced_file_edits_that_file(vscode: LanguageClient):
    api = open_doc(vscode, vscode.root / "api.yaml")
    schemas_uri = (vscode.root / "schemas.yaml").as_uri()
    await diagnostics(vscode, api, lambda d: len(d) >= 3)
    enum = await diagnostics(vscode, schemas_uri, lambda d: ENUM in codes(d))
    actions = await code_actions(vscode, schemas_uri, enum)
    fix = next(a for a in actions if a.is_preferred)
    by_uri = edits_by_uri(fix.edit)
    assert list(by_uri) == [schemas_uri]
    assert apply(SCHEMAS, by_uri[schemas_uri], "utf-16") == SCHEMAS.replace("[cat, dog, cat]", "[cat, dog]")


async def test_stale_version_gets_no_edits(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    diags = await diagnostics(vscode, uri, lambda d: codes(d).count(SLASH) == 2)
    # the check of this version takes longer than a code action waits: the request is answered
    # from nothing rather than from the previous version's positions
    vscode.protocol.notify(types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                           types.DidChangeConfigurationParams(settings={"apigov": {"run": "onSave"}}))
    await asyncio.sleep(0.5)
    change_doc(vscode, uri, "# moved\n" + API, 2)  # onSave: no check of version 2 until saved
    assert await code_actions(vscode, uri, [first_slash(diags)]) == []


@pytest.mark.parametrize("client", ["visual_studio_code", "neovim@v0.11.0"], indirect=True)
async def test_fix_all_matches_cli_fix(client: LanguageClient, tmp_path_factory):
    uri = open_doc(client, client.root / "api.yaml")
    await diagnostics(client, uri, lambda d: codes(d).count(SLASH) == 2)
    actions = await code_actions(client, uri, [], only=["source.fixAll.apigov"])
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.apigov"
    by_uri = edits_by_uri(fix_all.edit)
    encoding = encoding_of(client)
    # `apigov lint --fix` on a copy of the same workspace
    cli = tmp_path_factory.mktemp("cli")
    write_workspace(cli)
    subprocess.run([sys.executable, "-m", "apigov_ls.cli", "lint", "--fix", "-q", "api.yaml"], cwd=cli, capture_output=True)
    for name, original in (("api.yaml", API), ("schemas.yaml", SCHEMAS)):
        expected = (cli / name).read_text(encoding="utf-8")
        assert expected != original, f"the CLI fixed nothing in {name}"
        assert apply(original, by_uri[(client.root / name).as_uri()], encoding) == expected
    # the source kind's parent asks for it too; no `only` (a cursor move) does not run it
    assert [a.kind for a in await code_actions(client, uri, [], only=["source"])] == ["source.fixAll.apigov"]
    assert "source.fixAll.apigov" not in [a.kind for a in await code_actions(client, uri, [])]


async def test_baseline_setting_hides_baselined_findings(baselined: LanguageClient):
    client = baselined
    text = API.replace("paths:\n", "  - url: https://new.example.com/\npaths:\n")
    uri = open_doc(client, client.root / "api.yaml", text)
    diags = await diagnostics(client, uri)
    await asyncio.sleep(0.3)
    diags = await diagnostics(client, uri)
    assert [(d.code, d.range.start.line) for d in diags] == [(SLASH, 7)]


async def test_baseline_file_change_rechecks(baselined: LanguageClient):
    """Editing the baseline file on disk (a watched-file change) re-checks: what it no longer holds is reported."""
    client = baselined
    uri = open_doc(client, client.root / "api.yaml", API)
    await diagnostics(client, uri, until=lambda d: True)
    await asyncio.sleep(0.5)
    assert await diagnostics(client, uri, until=lambda d: True) == []
    baseline = client.root / "base" / "accepted.json"
    # accept only a state without servers (the file on disk; the open text is what is checked):
    # the trailing slashes are new again
    (client.root / "api.yaml").write_text(API.replace("servers:\n", "x-servers:\n"), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "apigov_ls.cli", "baseline", "api.yaml", "-o", "base/accepted.json"],
                   cwd=client.root, check=True, capture_output=True)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=baseline.as_uri(), type=types.FileChangeType.Changed)]))
    diags = await diagnostics(client, uri)
    assert sorted(str(d.code) for d in diags) == [SLASH, SLASH]
