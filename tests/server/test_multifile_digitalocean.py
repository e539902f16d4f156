"""End to end on a real multi-file description: the DigitalOcean spec (~2,900 files) from the shared corpus.

A copy in tmp_path is opened in a VS Code (push) session with a two-rule ruleset: diagnostics are
published per referenced file, definition crosses files, editing an open fragment re-checks the
root, and once the fragment is closed its diagnostics come from the disk again.
"""

from __future__ import annotations

import asyncio
import shutil

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import SERVER, SHARED, change_doc, codes, diagnostics, line_of, open_doc, start

SOURCE = SHARED / "corpus" / "digitalocean" / "specification"
#: a full check of the ~2,900 files takes seconds alone, much longer on a loaded machine
CHECK_TIMEOUT = 240.0
RULESET = """\
rules:
  operation-summary:
    given: $.paths[*][get,put,post,delete,patch]
    severity: error
    then:
      field: summary
      function: truthy
  no-deprecated-operations:
    given: $.paths[*][get,put,post,delete,patch]
    severity: warn
    then:
      field: deprecated
      function: falsy
"""


@pytest_lsp.fixture(config=SERVER)
async def digitalocean(lsp_client: LanguageClient, tmp_path):
    if not SOURCE.is_dir():
        pytest.skip(f"shared corpus not found at {SOURCE}")
    shutil.copytree(SOURCE, tmp_path / "specification")
    (tmp_path / ".spectral.yaml").write_text(RULESET, encoding="utf-8")
    lsp_client.root = tmp_path / "specification"
    await start(lsp_client, tmp_path, "visual_studio_code")
    yield
    await lsp_client.shutdown_session()


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri)


async def test_digitalocean_root_fragments_definition_and_edits(digitalocean: LanguageClient):
    client = digitalocean
    spec = client.root
    root_path = spec / "DigitalOcean-public.v2.yaml"
    root_text = root_path.read_text(encoding="utf-8")
    root = open_doc(client, root_path, root_text)

    # diagnostics are published for the referenced files where the problems are
    registry = (spec / "resources" / "registry" / "registry_get.yml").as_uri()
    kubernetes_file = spec / "resources" / "kubernetes" / "kubernetes_recycle_nodePool.yml"
    found = await diagnostics(client, registry, lambda d: "no-deprecated-operations" in codes(d), timeout=CHECK_TIMEOUT)
    assert found[0].range.start.line == 0 or found[0].severity == types.DiagnosticSeverity.Warning
    assert "no-deprecated-operations" in codes(client.diagnostics[kubernetes_file.as_uri()])
    assert not client.diagnostics.get(root)  # the problems are shown in the fragments, not where they are used
    assert sum(1 for d in client.diagnostics.values() if d) >= 10

    # definition: from the root into a fragment, and from an unopened fragment into another file
    at = line_of(root_text, '$ref: "resources/1-clicks/oneClicks_list.yml"')
    into = await asyncio.wait_for(client.text_document_definition_async(types.DefinitionParams(
        doc(root), types.Position(at, root_text.splitlines()[at].index("resources") + 3))), 30)
    fragment_path = spec / "resources" / "1-clicks" / "oneClicks_list.yml"
    assert into.uri == fragment_path.as_uri() and into.range.start.line == 0
    fragment_text = fragment_path.read_text(encoding="utf-8")
    at = line_of(fragment_text, "parameters.yml#/oneClicks_type")
    across = await asyncio.wait_for(client.text_document_definition_async(types.DefinitionParams(
        doc(fragment_path.as_uri()), types.Position(at, fragment_text.splitlines()[at].index("#/one") + 2))), 30)
    parameters = spec / "resources" / "1-clicks" / "parameters.yml"
    assert across.uri == parameters.as_uri()
    assert across.range.start.line == line_of(parameters.read_text(encoding="utf-8"), "oneClicks_type:")

    # edit an open fragment: the root is re-checked with the editor's text
    fragment = open_doc(client, fragment_path, fragment_text)
    broken = fragment_text.replace("summary: List 1-Click Applications\n", "")
    assert broken != fragment_text
    change_doc(client, fragment, broken, 2)
    problems = await diagnostics(client, fragment, lambda d: "operation-summary" in codes(d), timeout=CHECK_TIMEOUT)
    assert problems[0].range.start.line == 0  # the operation object is the whole fragment
    assert client.published_versions[fragment][-1] == 2
    change_doc(client, fragment, fragment_text, 3)
    await diagnostics(client, fragment, lambda d: "operation-summary" not in codes(d), timeout=CHECK_TIMEOUT)

    # broken again in the editor, then closed: the clean file on disk counts again
    change_doc(client, fragment, broken, 4)
    await diagnostics(client, fragment, lambda d: "operation-summary" in codes(d), timeout=CHECK_TIMEOUT)
    client.text_document_did_close(types.DidCloseTextDocumentParams(doc(fragment)))
    await diagnostics(client, fragment, lambda d: "operation-summary" not in codes(d), timeout=CHECK_TIMEOUT)

    # a fragment that is not open follows its file on disk
    kubernetes_file.write_text(kubernetes_file.read_text(encoding="utf-8").replace("deprecated: true\n", ""), encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(kubernetes_file.as_uri(), types.FileChangeType.Changed)]))
    await diagnostics(client, kubernetes_file.as_uri(), lambda d: "no-deprecated-operations" not in codes(d), timeout=CHECK_TIMEOUT)
    assert "no-deprecated-operations" in codes(client.diagnostics[registry])
