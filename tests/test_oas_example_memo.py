"""oasExample memoizes its results per checked object (the resolved view shares one object per
$ref target): the memo must tell apart what the place changes (request/response, options) and
re-root the results at each place."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigov_ls.document.model import build_document
from apigov_ls.engine.functions import get_function
from apigov_ls.engine.functions import oas_example as oas_example_module
from apigov_ls.engine.ruleset import load_ruleset_text
from apigov_ls.engine.runner import lint_document
from apigov_ls.engine.types import FunctionContext

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

SHARED = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody:
        $ref: '#/components/responses/Account'
      responses:
        '200':
          $ref: '#/components/responses/Account'
components:
  schemas:
    Account:
      type: object
      required: [id, password]
      properties:
        id: {type: string, readOnly: true}
        password: {type: string, writeOnly: true}
  responses:
    Account:
      description: an account
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Account'}
          examples:
            onlyId: {value: {id: "a1"}}
            onlyPassword: {value: {password: "p"}}
    Bad:
      description: bad
      content:
        application/json:
          schema: {type: object, properties: {code: {type: integer}}}
          example: {code: "x"}
"""

MEDIA = {"oasVersion": 3, "schemaField": "schema", "type": "media"}
SCHEMA = {"oasVersion": 3, "schemaField": "$", "type": "schema"}


@pytest.fixture()
def document(tmp_path):
    path = tmp_path / "shared.yaml"
    path.write_text(SHARED)
    return build_document(str(path))


def _run(document, value, path, options):
    fn = get_function("oasExample").fn
    context = FunctionContext(document, document, path, None, path)
    return fn(value, options, context)


def test_shared_media_object_is_checked_as_request_and_as_response(document) -> None:
    # the same object in the resolved view, under a request body and under a response
    media = document.resolved["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"]
    response = document.resolved["paths"]["/a"]["post"]["responses"]["200"]["content"]["application/json"]
    assert response is media
    req_path = ("paths", "/a", "post", "requestBody", "content", "application/json")
    res_path = ("paths", "/a", "post", "responses", "200", "content", "application/json")
    for _ in range(2):  # the second round answers from the memo
        as_request = _run(document, media, req_path, MEDIA)
        as_response = _run(document, media, res_path, MEDIA)
        # a request may omit the readOnly id, not the password; a response the writeOnly password
        assert [r["path"] for r in as_request] == [req_path + ("examples", "onlyId", "value")]
        assert "password" in as_request[0]["message"]
        assert [r["path"] for r in as_response] == [res_path + ("examples", "onlyPassword", "value")]
        assert "id" in as_response[0]["message"]
    # neither a request nor a response: both examples miss a required property
    elsewhere = ("x-elsewhere", "media")
    assert sorted(r["path"] for r in _run(document, media, elsewhere, MEDIA)) == [
        elsewhere + ("examples", "onlyId", "value"),
        elsewhere + ("examples", "onlyPassword", "value"),
    ]


def test_same_object_at_two_paths_reports_at_both(document) -> None:
    bad = document.resolved["components"]["responses"]["Bad"]["content"]["application/json"]
    first = ("paths", "/one", "get", "responses", "400", "content", "application/json")
    second = ("paths", "/two", "get", "responses", "400", "content", "application/json")
    one = _run(document, bad, first, MEDIA)
    two = _run(document, bad, second, MEDIA)
    assert [r["path"] for r in one] == [first + ("example", "code")]
    assert [r["path"] for r in two] == [second + ("example", "code")]
    assert one[0]["message"] == two[0]["message"] == '"code" property type must be integer'
    # the memo hands out fresh results: changing one does not change the next
    one[0]["message"] = "changed"
    again = _run(document, bad, first, MEDIA)
    assert again[0]["message"] == '"code" property type must be integer'


def test_options_are_part_of_the_key(document) -> None:
    schema = {"type": "integer", "example": "not a number"}
    path = ("components", "schemas", "N")
    as_schema = _run(document, schema, path, SCHEMA)
    assert [r["path"] for r in as_schema] == [path + ("example",)]
    # the same object as a media type: no `schema` field, nothing to check
    assert _run(document, schema, path, MEDIA) is None
    assert [r["path"] for r in _run(document, schema, path, SCHEMA)] == [path + ("example",)]
    # the same field, another type: a media type has no `default` to check
    with_default = {"type": "integer", "default": "x"}
    media_here = dict(MEDIA, schemaField="$")
    assert [r["path"] for r in _run(document, with_default, path, SCHEMA)] == [path + ("default",)]
    assert _run(document, with_default, path, media_here) is None
    assert [r["path"] for r in _run(document, with_default, path, SCHEMA)] == [path + ("default",)]


def test_a_new_object_with_the_same_id_is_not_answered_from_the_memo(document) -> None:
    path = ("components", "schemas", "N")
    for example, expected in [("x", 1), (1, 0), ("y", 1), (2, 0)]:
        # objects made and dropped in turn: ids may be reused, the memo must not mix them up
        found = _run(document, {"type": "integer", "example": example}, path, SCHEMA)
        assert len(found or []) == expected


def test_openapi_3_1_and_2_documents_keep_their_own_answers(tmp_path) -> None:
    """The key holds the document's formats: a 2.0 parameter's `required: true` is not a schema keyword."""
    value = {"type": "string", "required": True, "x-example": 5, "in": "query", "name": "q"}
    v2 = tmp_path / "v2.yaml"
    v2.write_text("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    doc = build_document(str(v2))
    options = {"oasVersion": 2, "schemaField": "$", "type": "schema"}
    found = _run(doc, value, ("parameters", "q"), options)
    assert [r["path"] for r in found] == [("parameters", "q", "x-example")]


def _lint(path: Path, memo: bool, monkeypatch) -> list[tuple]:
    if not memo:
        monkeypatch.setattr(oas_example_module, "_results_memo", lambda document: None)
    ruleset = load_ruleset_text('extends: [["spectral:oas", "all"]]\n', str(path.parent / "oas-all.spectral.yaml"))
    try:
        return [(r.code, r.message, r.path, r.source, r.range) for r in lint_document(build_document(str(path)), ruleset)]
    finally:
        monkeypatch.undo()


def test_lint_with_and_without_the_memo_agree(tmp_path, monkeypatch) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(SHARED)
    with_memo = _lint(path, True, monkeypatch)
    assert any(code == "oas3-valid-media-example" for code, *_ in with_memo)
    assert with_memo == _lint(path, False, monkeypatch)


@pytest.mark.skipif(not (CORPUS / "box" / "openapi.json").is_file(), reason="shared corpus not found")
def test_corpus_document_with_and_without_the_memo_agree(monkeypatch) -> None:
    path = CORPUS / "box" / "openapi.json"
    with_memo = _lint(path, True, monkeypatch)
    assert any("example" in code for code, *_ in with_memo)
    assert with_memo == _lint(path, False, monkeypatch)
