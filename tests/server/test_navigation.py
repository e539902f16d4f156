"""Definition, references, hover, symbols, completion and rename over LSP."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import API, diagnostics, line_of, open_doc

T = 30  # generous: CI machines are shared and slow


def pos_of(text: str, needle: str, offset: int = 0) -> types.Position:
    line = line_of(text, needle)
    return types.Position(line, text.splitlines()[line].index(needle) + offset)


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri)


async def test_definition_of_local_and_file_refs(vscode: LanguageClient):
    (vscode.root / "pet.yaml").write_text("type: object\nproperties:\n  id:\n    type: integer\n", encoding="utf-8")
    text = API.replace("              $ref: '#/components/schemas/Pet'", "              $ref: 'pet.yaml#/properties/id'")
    uri = open_doc(vscode, vscode.root / "api.yaml", text)
    local = await asyncio.wait_for(vscode.text_document_definition_async(types.DefinitionParams(
        doc(uri), pos_of(text, "#/components/responses/PetList", 5))), T)
    assert local.uri == uri and local.range.start.line == line_of(text, "    PetList:")
    other = await asyncio.wait_for(vscode.text_document_definition_async(types.DefinitionParams(
        doc(uri), pos_of(text, "pet.yaml#", 2))), T)
    assert other.uri == (vscode.root / "pet.yaml").as_uri()
    assert other.range.start == types.Position(2, 2)
    nothing = await asyncio.wait_for(vscode.text_document_definition_async(types.DefinitionParams(
        doc(uri), pos_of(text, "title: Pets"))), T)
    assert nothing is None


async def test_hover_on_ref_and_on_diagnostic(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    on_ref = await asyncio.wait_for(vscode.text_document_hover_async(types.HoverParams(
        doc(uri), pos_of(API, "#/components/responses/PetList", 3))), T)
    assert "description: pets" in on_ref.contents.value and "```yaml" in on_ref.contents.value
    await diagnostics(vscode, uri, lambda d: any(x.code == "info-contact" for x in d))
    on_diag = await asyncio.wait_for(vscode.text_document_hover_async(types.HoverParams(doc(uri), pos_of(API, "info:", 1))), T)
    assert "info-contact" in on_diag.contents.value
    assert "https://example.com/rules/info-contact" in on_diag.contents.value


async def test_references_of_a_component(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    await diagnostics(vscode, uri)
    refs = await asyncio.wait_for(vscode.text_document_references_async(types.ReferenceParams(
        context=types.ReferenceContext(include_declaration=False), text_document=doc(uri), position=pos_of(API, "    Pet:", 5))), T)
    lines = sorted(r.range.start.line for r in refs)
    expected = sorted(i for i, line in enumerate(API.splitlines()) if "#/components/schemas/Pet'" in line)
    assert lines == expected and len(expected) == 2


async def test_document_and_workspace_symbols(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    symbols = await asyncio.wait_for(vscode.text_document_document_symbol_async(types.DocumentSymbolParams(doc(uri))), T)
    top = {s.name: s for s in symbols}
    assert {"info", "tags", "paths", "components"} <= set(top)
    pets = top["paths"].children[0]
    assert pets.name == "/pets" and [c.name for c in pets.children] == ["GET", "POST"]
    assert pets.children[0].detail == "listPets"
    assert pets.children[0].selection_range.start.line == line_of(API, "    get:")
    kinds = {c.name: [m.name for m in c.children or []] for c in top["components"].children}
    assert kinds["schemas"] == ["Pet"] and kinds["securitySchemes"] == ["apiKey"]
    await diagnostics(vscode, uri)
    found = await asyncio.wait_for(vscode.workspace_symbol_async(types.WorkspaceSymbolParams(query="addpet")), T)
    assert [s.name for s in found] == ["addPet"]
    assert found[0].location.range.start.line == line_of(API, "operationId: addPet")


async def test_completion_of_refs_security_and_status_codes(vscode: LanguageClient):
    (vscode.root / "schemas").mkdir()
    (vscode.root / "schemas" / "Owner.yaml").write_text("type: object\n", encoding="utf-8")
    text = API.replace("          $ref: '#/components/responses/PetList'", "          $ref: '#/comp")
    uri = open_doc(vscode, vscode.root / "api.yaml", text)
    await asyncio.sleep(0.1)
    at = pos_of(text, "$ref: '#/comp", len("$ref: '#/comp"))
    result = await asyncio.wait_for(vscode.text_document_completion_async(types.CompletionParams(doc(uri), at)), T)
    labels = [i.label for i in result.items]
    assert "#/components/schemas/Pet" in labels and "#/components/responses/PetList" in labels
    assert "schemas/Owner.yaml" in labels
    item = next(i for i in result.items if i.label == "#/components/schemas/Pet")
    assert item.text_edit.range.start.character == at.character - len("#/comp")

    text2 = API.replace("        - apiKey: []\n", "        - \n")
    uri2 = open_doc(vscode, vscode.root / "api2.yaml", text2)
    line = line_of(text2, "security:") + 1
    result = await asyncio.wait_for(vscode.text_document_completion_async(types.CompletionParams(
        doc(uri2), types.Position(line, 10))), T)
    assert [i.label for i in result.items] == ["apiKey"]

    text3 = API.replace("        '201':\n          description: created\n", "        \n")
    uri3 = open_doc(vscode, vscode.root / "api3.yaml", text3)
    line = next(i for i, t in enumerate(text3.splitlines()) if i > line_of(text3, "addPet") and t == "        ")
    result = await asyncio.wait_for(vscode.text_document_completion_async(types.CompletionParams(
        doc(uri3), types.Position(line, 8))), T)
    labels = [i.label for i in result.items]
    assert "201" in labels and "404" in labels and "default" in labels


async def test_rename_component_updates_every_ref(vscode: LanguageClient):
    uri = open_doc(vscode, vscode.root / "api.yaml")
    await diagnostics(vscode, uri)
    at = pos_of(API, "    Pet:", 5)
    prepared = await asyncio.wait_for(vscode.text_document_prepare_rename_async(types.PrepareRenameParams(doc(uri), at)), T)
    assert prepared.placeholder == "Pet"
    edit = await asyncio.wait_for(vscode.text_document_rename_async(types.RenameParams(doc(uri), at, "Animal")), T)
    lines = API.splitlines()
    for e in sorted(edit.changes[uri], key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        line = lines[e.range.start.line]
        lines[e.range.start.line] = line[: e.range.start.character] + e.new_text + line[e.range.end.character:]
    renamed = "\n".join(lines)
    assert "Pet'" not in renamed and renamed.count("#/components/schemas/Animal'") == 2
    assert "    Animal:" in renamed and "PetList" in renamed
    # a $ref to the component offers the same rename
    from_ref = await asyncio.wait_for(vscode.text_document_prepare_rename_async(types.PrepareRenameParams(
        doc(uri), pos_of(API, "schemas/Pet'", 9))), T)
    assert from_ref.placeholder == "Pet"
    assert from_ref.range.end.character - from_ref.range.start.character == 3
