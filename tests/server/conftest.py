"""pytest-lsp harness: the real server over stdio, driven with real editors' client capabilities."""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
#: VS Code 1.65 (push, utf-16), Neovim 0.7 (push, utf-16, no dynamic registration), Emacs 29 (push, utf-32),
#: Neovim 0.11 (pull diagnostics, utf-8)
CLIENTS = ["visual_studio_code", "neovim@v0.7.0", "emacs", "neovim@v0.11.0"]
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "apigov_ls.server"])
#: generous: the machines running these tests are often loaded (a cold first check spawns a worker)
TIMEOUT = 40.0

RULESET = """\
rules:
  info-contact:
    description: Info object must have a contact
    documentationUrl: https://example.com/rules/info-contact
    given: $.info
    severity: warn
    then:
      field: contact
      function: truthy
  operation-summary:
    description: Operations need a summary
    given: $.paths[*][get,put,post,delete,patch]
    severity: error
    then:
      field: summary
      function: truthy
  tag-name-kebab:
    description: Tag names are kebab-case
    given: $.tags[*].name
    severity: hint
    then:
      function: pattern
      functionOptions:
        match: "^[a-z-]+$"
"""

API = """\
openapi: 3.0.3
info:
  title: Pets
  version: '1'
tags:
  - {description: "é😀 pets", name: Bad Name}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          $ref: '#/components/responses/PetList'
    post:
      summary: Add a pet
      operationId: addPet
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Pet'
      security:
        - apiKey: []
      responses:
        '201':
          description: created
components:
  securitySchemes:
    apiKey: {type: apiKey, in: header, name: X-Key}
  responses:
    PetList:
      description: pets
      content:
        application/json:
          schema:
            type: array
            items:
              $ref: '#/components/schemas/Pet'
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string}
"""


def write_workspace(root: Path) -> None:
    (root / ".spectral.yaml").write_text(RULESET, encoding="utf-8")
    (root / "api.yaml").write_text(API, encoding="utf-8")
    (root / "notes.yaml").write_text("title: not an api\nitems: [1, 2]\n", encoding="utf-8")


def client_name(request) -> str:
    return getattr(request, "param", "visual_studio_code")


async def start(lsp_client: LanguageClient, root: Path, spec: str, options: dict | None = None):
    lsp_client.registrations = []
    lsp_client.published_versions = {}
    default_publish = lsp_client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def publish(params: types.PublishDiagnosticsParams):
        # record which document version each push was for, then store as pytest-lsp does
        lsp_client.published_versions.setdefault(params.uri, []).append(params.version)
        return default_publish(params)

    lsp_client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)

    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(spec),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        initialization_options=options,
    ))


@pytest_lsp.fixture(config=SERVER, params=CLIENTS)
async def client(lsp_client: LanguageClient, request, tmp_path):
    """A session on a workspace with api.yaml and a .spectral.yaml, for each client snapshot."""
    write_workspace(tmp_path)
    lsp_client.root = tmp_path
    lsp_client.spec = client_name(request)
    await start(lsp_client, tmp_path, lsp_client.spec)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER, params=["visual_studio_code", "neovim@v0.11.0"])
async def push_pull(lsp_client: LanguageClient, request, tmp_path):
    """The same workspace with one pushing and one pulling client."""
    write_workspace(tmp_path)
    lsp_client.root = tmp_path
    lsp_client.spec = request.param
    await start(lsp_client, tmp_path, request.param)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def vscode(lsp_client: LanguageClient, tmp_path):
    """A push-diagnostics (VS Code) session on the same workspace."""
    write_workspace(tmp_path)
    lsp_client.root = tmp_path
    lsp_client.spec = "visual_studio_code"
    await start(lsp_client, tmp_path, "visual_studio_code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER, params=["visual_studio_code", "neovim@v0.11.0"])
async def museum(lsp_client: LanguageClient, request, tmp_path):
    """The Redocly museum description split over 50 files (push and pull clients)."""
    source = SHARED / "corpus" / "redocly" / "museum-split"
    if not source.is_dir():
        pytest.skip(f"shared corpus not found at {source}")
    shutil.copytree(source, tmp_path / "museum")
    (tmp_path / ".spectral.yaml").write_text(RULESET, encoding="utf-8")
    lsp_client.root = tmp_path / "museum"
    lsp_client.spec = request.param
    await start(lsp_client, tmp_path, request.param)
    yield
    await lsp_client.shutdown_session()


# -- helpers --------------------------------------------------------------------------------------
def pulls(client: LanguageClient) -> bool:
    return client.capabilities.text_document.diagnostic is not None


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8") if text is None else text
    lang = "json" if path.suffix == ".json" else "yaml"
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, lang, version, text)))
    return uri


def change_doc(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version=version, uri=uri),
        [types.TextDocumentContentChangeWholeDocument(text=text)]))


async def diagnostics(client: LanguageClient, uri: str, until=lambda d: len(d) > 0, timeout: float = TIMEOUT) -> list:
    """Diagnostics for `uri` once `until` holds: pulled or pushed, as the client would get them."""
    deadline = time.monotonic() + timeout
    last: list = []
    while time.monotonic() < deadline:
        if pulls(client):
            report = await asyncio.wait_for(client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri))), timeout=TIMEOUT)
            assert report.kind == "full"
            last = list(report.items)
        else:
            last = list(client.diagnostics.get(uri, ()))
        if until(last):
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"diagnostics for {uri} never satisfied the condition; last: {last}")


def codes(diags) -> list[str]:
    return sorted(str(d.code) for d in diags)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)
