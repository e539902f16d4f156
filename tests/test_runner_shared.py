"""run_rules on a resolved view whose `$ref` targets are shared objects: the results must be those of
a run that walks and evaluates every place (shared_subtrees() empty)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigov_ls.document.model import Document, build_document
from apigov_ls.engine.functions import get_function
from apigov_ls.engine.ruleset import load_ruleset, load_ruleset_text
from apigov_ls.engine.runner import lint_document
from apigov_ls.engine.types import Rule, Severity, Then

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

DOC = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S'}}}}
  /b:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S'}}}}
components:
  schemas:
    S:
      type: object
      description: yes
      properties:
        id: {type: string, description: yes}
"""


def result_keys(results):
    return [(r.code, r.message, r.path, r.source, r.source_pointer, r.range) for r in results]


def lint_both(tmp_path, rules, monkeypatch, text=DOC, ruleset=None):
    path = tmp_path / "api.yaml"
    path.write_text(text)
    doc = build_document(str(path))
    assert doc.shared_subtrees(), "the document should have shared $ref targets"
    if ruleset is None:
        from apigov_ls.engine.types import Ruleset
        ruleset = Ruleset(rules={r.name: r for r in rules})
    shared = lint_document(doc, ruleset)
    monkeypatch.setattr(Document, "shared_subtrees", lambda self: set())
    unshared = lint_document(build_document(str(path)), ruleset)
    monkeypatch.undo()
    return shared, unshared


def rule(name, fn_name, fn, options=None, given="$..description", message=None):
    return Rule(name=name, given=[given], then=[Then(fn_name, fn, None, options)], severity=Severity.WARN, message=message)


def test_a_function_that_reads_the_place_is_called_at_every_place(tmp_path, monkeypatch):
    # not one of the functions judged by value: reporting nothing at /a says nothing about /b
    def only_under_b(value, options, context):
        return [{"message": "under /b"}] if "/b" in context.path else None

    shared, unshared = lint_both(tmp_path, [rule("place", "onlyUnderB", only_under_b)], monkeypatch)
    assert [r.path[:2] for r in shared if r.code == "place"] == [("paths", "/b")] * 3  # the response, schema and property descriptions
    assert result_keys(shared) == result_keys(unshared)


def test_a_custom_function_named_like_a_judged_builtin_is_not_judged_by_value(tmp_path, monkeypatch):
    def only_under_b(value, options, context):
        return [{"message": "under /b"}] if "/b" in context.path else None

    shared, unshared = lint_both(tmp_path, [rule("place", "pattern", only_under_b)], monkeypatch)
    assert [r.path[:2] for r in shared if r.code == "place"] == [("paths", "/b")] * 3  # the response, schema and property descriptions
    assert result_keys(shared) == result_keys(unshared)


def test_what_one_rule_saw_is_not_taken_for_another_rules_verdict(tmp_path, monkeypatch):
    pattern = get_function("pattern")
    quiet = rule("quiet", "pattern", pattern.fn, pattern.check_options({"match": "^y"}))
    # reports on "yes"; the message names the place, so every place is a result of its own
    loud = rule("loud", "pattern", pattern.fn, pattern.check_options({"match": "^x"}), message="{{error}} at {{path}}")
    shared, unshared = lint_both(tmp_path, [quiet, loud], monkeypatch)
    loud_paths = [r.path for r in shared if r.code == "loud"]
    # the schema's and its property's descriptions at the component, /a and /b; the responses' "ok"
    assert len(loud_paths) == 8
    assert result_keys(shared) == result_keys(unshared)


def test_a_judged_function_reporting_at_each_place_reports_each_place(tmp_path, monkeypatch):
    truthy = get_function("truthy")
    r = rule("needs-title", "truthy", truthy.fn, given="$..properties[*]", message="{{path}}")
    r.then[0].field = "title"
    shared, unshared = lint_both(tmp_path, [r], monkeypatch)
    assert len([x for x in shared if x.code == "needs-title"]) == 3
    assert result_keys(shared) == result_keys(unshared)


@pytest.mark.parametrize("name", ["redocly/museum.yaml", "oai/v2.0/yaml/petstore-separate/spec/swagger.yaml",
                                  "oai/v3.0/uspto.yaml"])
@pytest.mark.parametrize("ruleset_name", ["apigov:recommended", "spectral:oas"])
def test_corpus_documents_give_the_same_results_with_and_without_sharing(name, ruleset_name, monkeypatch):
    path = SHARED / "corpus" / name
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")
    if ruleset_name == "spectral:oas":
        ruleset = load_ruleset_text('extends: [["spectral:oas", "all"]]\n', str(SHARED / "oas.yaml"))
    else:
        ruleset = load_ruleset(ruleset_name)
    shared = lint_document(build_document(str(path)), ruleset)
    monkeypatch.setattr(Document, "shared_subtrees", lambda self: set())
    unshared = lint_document(build_document(str(path)), ruleset)
    assert shared and result_keys(shared) == result_keys(unshared)


def test_each_then_of_a_rule_keeps_its_own_verdict(tmp_path, monkeypatch):
    # the first `then` reports on "yes", the second does not: the second's verdict, written last
    # for the same target, must not stand for the first's
    pattern = get_function("pattern")
    r = Rule(name="two", given=["$..description"], severity=Severity.WARN, message="{{error}} at {{path}}",
             then=[Then("pattern", pattern.fn, None, pattern.check_options({"match": "^x"})),
                   Then("pattern", pattern.fn, None, pattern.check_options({"match": "^y"}))])
    shared, unshared = lint_both(tmp_path, [r], monkeypatch)
    assert len([x for x in shared if "must match the pattern \"^x\"" in x.message]) == 8
    assert result_keys(shared) == result_keys(unshared)
