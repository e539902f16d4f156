import os

import pytest

from apigov_ls.document.model import FileLoader, build_document, decode_pointer, encode_pointer

from conftest import CORPUS, needs_shared


def write(tmp_path, name, text):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_pointer_escaping():
    assert decode_pointer("/paths/~1users~1{id}/get") == ("paths", "/users/{id}", "get")
    assert decode_pointer("/a~0b/%7Bx%7D") == ("a~b", "{x}")
    assert encode_pointer(("paths", "/a~b")) == "/paths/~1a~0b"
    assert decode_pointer("") == ()


def test_local_and_file_refs_resolve_and_locate(tmp_path):
    root = write(
        tmp_path,
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /users:\n    get:\n      parameters:\n"
        "        - $ref: '#/components/parameters/Limit'\n      responses:\n        '200':\n"
        "          $ref: 'responses/ok.yaml'\ncomponents:\n  parameters:\n    Limit:\n      name: limit\n      in: query\n",
    )
    write(tmp_path, "responses/ok.yaml", "description: OK\ncontent:\n  application/json:\n    schema:\n      $ref: '../schemas.json#/User'\n")
    write(tmp_path, "schemas.json", '{\n  "User": {\n    "type": "object",\n    "properties": {"id": {"type": "integer"}}\n  }\n}\n')
    doc = build_document(root)
    assert not [p for p in doc.problems if p.code == "invalid-ref"]
    op = doc.resolved["paths"]["/users"]["get"]
    assert op["parameters"][0]["name"] == "limit"
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["id"]["type"] == "integer"
    # the unresolved view is untouched
    assert doc.unresolved["paths"]["/users"]["get"]["parameters"][0] == {"$ref": "#/components/parameters/Limit"}
    # a path through two files lands in the file that holds the text
    src, rng, pointer, related = doc.result_location(
        ("paths", "/users", "get", "responses", "200", "content", "application/json", "schema", "properties", "id", "type")
    )
    assert src == str(tmp_path / "schemas.json")
    assert pointer == ("User", "properties", "id", "type")
    assert rng.start.line == 3
    assert [os.path.basename(r.source) for r in related] == ["api.yaml", "ok.yaml"]
    src, rng, pointer, _ = doc.result_location(("paths", "/users", "get", "parameters", 0, "in"))
    assert src == root and pointer == ("components", "parameters", "Limit", "in") and rng.start.line == 14
    assert len(doc.files) == 3


def test_missing_targets_are_invalid_ref_at_the_ref_value(tmp_path):
    root = write(
        tmp_path,
        "api.yaml",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/Missing'\n"
        "    B:\n      $ref: 'nope.yaml'\n    C:\n      $ref: 'other.yaml#/x'\n",
    )
    write(tmp_path, "other.yaml", "y: 1\n")
    doc = build_document(root)
    bad = sorted((p.range.start.line, p.code) for p in doc.problems)
    assert bad == [(5, "invalid-ref"), (7, "invalid-ref"), (9, "invalid-ref")]
    assert all(p.source == root for p in doc.problems)


def test_circular_refs_terminate(tmp_path):
    root = write(
        tmp_path,
        "api.yaml",
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Node:\n      type: object\n"
        "      properties:\n        next: {$ref: '#/components/schemas/Node'}\n        self: {$ref: '#'}\n    A: {$ref: '#/components/schemas/B'}\n"
        "    B: {$ref: '#/components/schemas/A'}\n",
    )
    doc = build_document(root)
    node = doc.resolved["components"]["schemas"]["Node"]
    # as in Spectral: a ref whose target leads back to the object holding it stays a $ref
    assert node["properties"]["next"] == {"$ref": "#/components/schemas/Node"}
    assert node["properties"]["self"] == {"$ref": "#"}
    assert doc.resolved["components"]["schemas"]["A"] == {"$ref": "#/components/schemas/B"}
    assert not [p for p in doc.problems if p.code == "invalid-ref"]


def test_refs_into_a_cycle_resolve_once(tmp_path):
    root = write(
        tmp_path,
        "api.yaml",
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n"
        "          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Parent'}\n"
        "components:\n  schemas:\n    Parent:\n      properties:\n        child: {$ref: '#/components/schemas/Child'}\n"
        "        name: {$ref: '#/components/schemas/Name'}\n    Child:\n      properties:\n        parent: {$ref: '#/components/schemas/Parent'}\n"
        "    Name: {type: string}\n",
    )
    doc = build_document(root)
    schema = doc.resolved["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["properties"]["name"] == {"type": "string"}  # not part of a cycle: resolved
    assert schema["properties"]["child"] == {"$ref": "#/components/schemas/Child"}  # Parent <-> Child: kept


def test_remote_refs_are_not_fetched(tmp_path):
    root = write(tmp_path, "api.yaml", "openapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A: {$ref: 'https://example.com/a.yaml'}\n")
    doc = build_document(root)
    assert [(p.code, int(p.severity)) for p in doc.problems] == [("remote-ref", 2)]


def test_refs_to_folders_and_devices_do_not_block(tmp_path):
    (tmp_path / "folder").mkdir()
    root = write(tmp_path, "api.yaml", "openapi: 3.0.0\ninfo: {title: t, version: '1'}\nx:\n  a: {$ref: 'folder'}\n  b: {$ref: '/dev/zero'}\n")
    doc = build_document(root)
    msgs = sorted(p.message for p in doc.problems)
    assert len(msgs) == 2 and any("directory" in m for m in msgs) and any("not a regular file" in m for m in msgs)


def test_refs_outside_allowed_roots_are_not_read(tmp_path):
    inner = tmp_path / "ws"
    root = write(inner, "api.yaml", "openapi: 3.0.0\ninfo: {title: t, version: '1'}\nx: {$ref: '../secret.yaml'}\n")
    write(tmp_path, "secret.yaml", "password: hunter2\n")
    doc = build_document(root, loader=FileLoader(allowed_roots=[str(inner)]))
    assert [p.code for p in doc.problems] == ["invalid-ref"]
    assert "outside the workspace" in doc.problems[0].message
    assert str(tmp_path / "secret.yaml") not in doc.files


def test_overlays_win_over_disk(tmp_path):
    root = write(tmp_path, "api.yaml", "openapi: 3.0.0\n")
    doc = build_document(root, "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n")
    assert doc.formats == {"oas3", "oas3_1"}


@needs_shared
def test_multi_file_digitalocean_resolves_every_ref():
    root = CORPUS / "digitalocean/specification/DigitalOcean-public.v2.yaml"
    doc = build_document(str(root))
    assert len(doc.files) > 1000
    assert not [p for p in doc.problems if p.code == "invalid-ref"]
    # every ref into another file points at text we can show
    ref = next(r for r in doc.graph.refs if r.target_source != r.source)
    target = doc.files[ref.target_source]
    assert target.source_map.has(ref.target_pointer)
