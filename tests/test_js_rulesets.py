"""JavaScript in rulesets: custom functions, JavaScript rulesets, npm-package extends, the trust
gate and the path without Node.js. Expected results were produced by Spectral 6.16.3 on the
same files (tests/data/js_functions, tests/data/js_ruleset)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from apigov_ls.engine import js
from apigov_ls.engine.js import runtime
from apigov_ls.engine.ruleset import clear_cache, load_ruleset
from apigov_ls.engine.types import RulesetError, Severity
from apigov_ls.lint import lint_file

DATA = Path(__file__).resolve().parent / "data"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


@pytest.fixture(autouse=True)
def _fresh():
    clear_cache()
    yield
    clear_cache()


def results(folder: Path, ruleset: str, **kw) -> list[tuple]:
    rs = load_ruleset(str(folder / ruleset), **kw)
    report = lint_file(str(folder / "api.yaml"), rs)
    return sorted((r.code, tuple(str(p) for p in r.path), r.message, int(r.severity)) for r in report.results)


# -- custom functions ---------------------------------------------------------------------
@needs_node
def test_js_functions_cjs_and_esm_match_spectral():
    got = results(DATA / "js_functions", ".spectral.yaml")
    assert got == sorted([
        ("info-owner", ("info",), "info must name its owner", 0),
        ("operation-count", ("paths",), "3 operations (max 2)", 1),
        ("operation-summary", ("paths", "/pets", "post"), "no summary (200: It worked)", 1),
        ("operation-summary", ("paths", "/pets/{id}", "get"), "no summary (200: It worked)", 1),
    ])


@needs_node
def test_postman_custom_rule_runs_unchanged(tmp_path):
    """Postman's custom functions: `module.exports = (targetVal, options, context) => ...`, named
    by file in `then.function` (Postman's rule editor has no `functions:` list)."""
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "require_api_key.js").write_text(textwrap.dedent("""
        module.exports = (targetVal, options, context) => {
          const schemes = Object.values(targetVal || {});
          if (!schemes.some((s) => s.type === options.type)) {
            return [{ message: `No ${options.type} security scheme`, path: context.path }];
          }
        };
    """))
    (tmp_path / ".spectral.yaml").write_text(
        "rules:\n  api-key-required:\n    given: $.components.securitySchemes\n    severity: error\n"
        "    then: {function: require_api_key, functionOptions: {type: apiKey}}\n"
    )
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.0\ninfo: {title: T, version: '1'}\npaths: {}\n"
        "components:\n  securitySchemes:\n    basic: {type: http, scheme: basic}\n"
    )
    got = results(tmp_path, ".spectral.yaml")
    assert got == [("api-key-required", ("components", "securitySchemes"), "No apiKey security scheme", 0)]


@needs_node
def test_function_context(tmp_path):
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "ctx.js").write_text(textwrap.dedent("""
        module.exports = (input, options, context) => [{
          message: JSON.stringify({
            input, options, path: context.path, rule: context.rule.name, sev: context.rule.definition.severity,
            title: context.document.data.info.title, source: context.document.source,
            resolved: context.documentInventory.resolved.paths['/a'].get.responses['200'].description,
            unresolved: context.document.data.paths['/a'].get.responses['200'],
            refs: Object.keys(context.documentInventory.graph.nodes[context.document.source].refMap),
          }),
        }];
    """))
    (tmp_path / ".spectral.yaml").write_text(
        "functions: [ctx]\nrules:\n  ctx:\n    severity: info\n    given: $.info\n"
        "    then: {field: version, function: ctx, functionOptions: {a: [1]}}\n"
    )
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.0\ninfo: {title: T, version: '2'}\npaths:\n  /a:\n    get:\n"
        "      responses: {'200': {$ref: '#/components/responses/R'}}\ncomponents:\n  responses:\n    R: {description: ok}\n"
    )
    [result] = lint_file(str(tmp_path / "api.yaml"), load_ruleset(str(tmp_path / ".spectral.yaml"))).results
    seen = json.loads(result.message)
    assert seen == {
        "input": "2", "options": {"a": [1]}, "path": ["info", "version"], "rule": "ctx", "sev": "info",
        "title": "T", "source": str(tmp_path / "api.yaml"), "resolved": "ok",
        "unresolved": {"$ref": "#/components/responses/R"},
        "refs": ["#/paths/~1a/get/responses/200"],
    }


@needs_node
def test_one_worker_request_per_rule_not_per_node(tmp_path, monkeypatch):
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "odd.js").write_text("module.exports = (n) => (n % 2 ? [{message: `odd ${n}`}] : []);\n")
    (tmp_path / ".spectral.yaml").write_text("functions: [odd]\nrules:\n  odd:\n    given: $.x-numbers[*]\n    then: {function: odd}\n")
    (tmp_path / "api.yaml").write_text("openapi: 3.0.0\ninfo: {title: T, version: '1'}\npaths: {}\nx-numbers: " + json.dumps(list(range(2000))) + "\n")
    rs = load_ruleset(str(tmp_path / ".spectral.yaml"))
    ops: list[str] = []
    worker = runtime.get_worker()
    original = worker._request
    monkeypatch.setattr(worker, "_request", lambda op, fields: (ops.append(op), original(op, fields))[1])
    report = lint_file(str(tmp_path / "api.yaml"), rs)
    assert len([r for r in report.results if r.code == "odd"]) == 1000
    assert ops.count("call") == 1 and ops.count("setDocument") == 1


@needs_node
def test_function_that_throws_is_a_rule_error_and_others_run(tmp_path):
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "boom.js").write_text("module.exports = () => { throw new Error('kaput'); };\n")
    (tmp_path / ".spectral.yaml").write_text(
        "functions: [boom]\nrules:\n  boom:\n    given: $.paths[*]\n    then: {function: boom}\n"
        "  title:\n    given: $.info\n    then: {field: title, function: truthy}\n"
    )
    (tmp_path / "api.yaml").write_text("openapi: 3.0.0\ninfo: {title: '', version: '1'}\npaths: {/a: {}, /b: {}}\n")
    report = lint_file(str(tmp_path / "api.yaml"), load_ruleset(str(tmp_path / ".spectral.yaml")))
    codes = [r.code for r in report.results]
    assert codes.count("rule-error") == 1 and "title" in codes
    assert "kaput" in next(r.message for r in report.results if r.code == "rule-error")


@needs_node
def test_broken_js_function_file_is_a_load_error(tmp_path):
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "bad.js").write_text("module.exports = 42;\n")
    (tmp_path / ".spectral.yaml").write_text("functions: [bad]\nrules:\n  bad:\n    given: $\n    then: {function: bad}\n")
    with pytest.raises(RulesetError) as info:
        load_ruleset(str(tmp_path / ".spectral.yaml"))
    assert "does not export a function" in str(info.value) and info.value.file.endswith("bad.js")


def test_untrusted_workspace_runs_no_javascript(tmp_path):
    (tmp_path / "functions").mkdir()
    marker = tmp_path / "ran"
    (tmp_path / "functions" / "f.js").write_text(f"require('fs').writeFileSync({json.dumps(str(marker))}, 'x');\nmodule.exports = () => [];\n")
    (tmp_path / ".spectral.yaml").write_text("functions: [f]\nrules:\n  f:\n    given: $\n    then: {function: f}\n")
    rs = load_ruleset(str(tmp_path / ".spectral.yaml"), trusted=False)
    assert rs.rules["f"].severity is None and "not trusted" in rs.rules["f"].extensions["not_runnable"]
    (tmp_path / "r.js").write_text(f"require('fs').writeFileSync({json.dumps(str(marker))}, 'x');\nmodule.exports = {{rules: {{}}}};\n")
    with pytest.raises(RulesetError, match="not trusted"):
        load_ruleset(str(tmp_path / "r.js"), trusted=False)
    assert not marker.exists()


@needs_node
def test_spectral_packages_come_from_the_fallback_when_the_ruleset_lacks_them(tmp_path):
    """A function importing @stoplight/spectral-functions next to a ruleset without node_modules."""
    if not js.packages.fallback_installed() and shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "short.js").write_text(
        "import { length } from '@stoplight/spectral-functions';\n"
        "import { oas3 } from '@stoplight/spectral-formats';\n"
        "export default (input, options, context) => context.document.formats.has(oas3) ? length(input, { max: 3 }, context) : [];\n"
    )
    (tmp_path / ".spectral.yaml").write_text("formats: [oas3]\nfunctions: [short]\nrules:\n  short:\n    given: $.info.title\n    then: {function: short}\n")
    (tmp_path / "api.yaml").write_text("openapi: 3.0.0\ninfo: {title: Long title, version: '1'}\npaths: {}\n")
    try:
        got = results(tmp_path, ".spectral.yaml")
    except RulesetError as err:
        if "npm could not install" in str(err):
            pytest.skip(f"npm registry not reachable: {err}")
        raise
    assert got == [("short", ("info", "title"), '"title" property must be shorter than 3', 1)]  # as Spectral


# -- JavaScript rulesets ------------------------------------------------------------------
@needs_node
def test_js_ruleset_file_matches_spectral():
    got = results(DATA / "js_ruleset", ".spectral.js")
    assert got == sorted([
        ("base-title", ("info", "title"), "title is empty", 0),
        ("path-no-trailing-slash", ("paths", "/pets/"), "trailing slash in /pets/", 1),
        ("enum-lower-case", ("paths", "/pets/", "get", "parameters", "0", "schema", "enum", "1"), "Dog is not lower case", 2),
        ("enum-lower-case", ("paths", "/pets/", "get", "parameters", "0", "schema", "enum", "2"), "FISH is not lower case", 2),
    ])


@needs_node
@pytest.mark.parametrize("name", ["ruleset.cjs", "ruleset.mjs"])
def test_cjs_and_mjs_rulesets(name):
    assert results(DATA / "js_ruleset", name) == [("no-empty-description", ("info", "description"), "empty description", 1)]


# -- without Node.js ------------------------------------------------------------------------
@pytest.fixture
def no_node(monkeypatch, tmp_path):
    runtime.stop_worker()
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("APIGOV_NODE", raising=False)
    yield
    runtime.stop_worker()


def test_without_node_js_rules_report_what_to_install(no_node, tmp_path):
    (tmp_path / ".spectral.yaml").write_text(
        f"extends: [{json.dumps(str(DATA / 'js_functions' / '.spectral.yaml'))}]\n"
        "rules:\n  no-paths:\n    given: $\n    then: {field: paths, function: falsy}\n"
    )
    shutil.copy(DATA / "js_functions" / "api.yaml", tmp_path / "api.yaml")
    got = results(tmp_path, ".spectral.yaml")
    errors = [r for r in got if r[0] == "rule-error"]
    assert len(errors) == 3  # one per rule that needs JavaScript, not one per node
    assert all("Node.js was not found" in r[2] and "install Node.js" in r[2] for r in errors)
    assert ("no-paths", ("paths",), '"paths" property must be falsy', 1) in got  # the other rules ran


def test_without_node_js_ruleset_cannot_load(no_node):
    with pytest.raises(RulesetError, match="install Node.js"):
        load_ruleset(str(DATA / "js_ruleset" / ".spectral.js"))


# -- npm packages ---------------------------------------------------------------------------
def _package(root: Path, name: str, manifest: dict, files: dict[str, str]) -> None:
    pkg = root / "node_modules" / name
    pkg.mkdir(parents=True)
    (pkg / "package.json").write_text(json.dumps({"name": name, **manifest}))
    for rel, text in files.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)


def test_package_resolution_follows_node(tmp_path):
    _package(tmp_path, "@acme/style", {"exports": {".": {"types": "./x.d.ts", "import": "./dist/r.mjs", "require": "./dist/r.js"}, "./extra/*": "./more/*.yaml"}},
             {"dist/r.js": "", "dist/r.mjs": "", "more/a.yaml": ""})
    _package(tmp_path, "plain", {"main": "lib/main"}, {"lib/main.js": "", "rules/z.yml": ""})
    _package(tmp_path, "bare", {}, {"index.js": ""})
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    nm = tmp_path / "node_modules"
    assert js.resolve_package("@acme/style", str(deep)) == str(nm / "@acme/style/dist/r.js")
    assert js.resolve_package("@acme/style/extra/a", str(deep)) == str(nm / "@acme/style/more/a.yaml")
    assert js.resolve_package("plain", str(deep)) == str(nm / "plain/lib/main.js")
    assert js.resolve_package("plain/rules/z.yml", str(deep)) == str(nm / "plain/rules/z.yml")
    assert js.resolve_package("bare", str(tmp_path)) == str(nm / "bare/index.js")
    with pytest.raises(js.PackageNotFound, match="does not export"):
        js.resolve_package("@acme/style/dist/r.js", str(deep))
    with pytest.raises(js.PackageNotFound, match="npm install nope"):
        js.resolve_package("nope", str(deep))


def test_yaml_package_extends_needs_no_node(tmp_path, monkeypatch):
    _package(tmp_path, "@acme/rules", {"main": "ruleset.yaml"},
             {"ruleset.yaml": "rules:\n  acme-title:\n    given: $.info\n    then: {field: title, function: truthy}\n"})
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    (tmp_path / ".spectral.yaml").write_text("extends: ['@acme/rules']\nrules:\n  acme-title: error\n")
    rs = load_ruleset(str(tmp_path / ".spectral.yaml"))
    assert rs.rules["acme-title"].severity == Severity.ERROR
    assert str(tmp_path / "node_modules" / "@acme" / "rules" / "ruleset.yaml") in rs.files


#: the published rulesets of the issue, installed once per machine into this cache
PACKAGES = {
    "@apisyouwonthate/style-guide": "1.5.0",
    "@stoplight/spectral-documentation": "1.3.1",
    "@ibm-cloud/openapi-ruleset": "1.33.17",
    "@baloise/spectral-rules": "1.5.0",
}


@pytest.fixture(scope="session")
def npm_packages() -> Path:
    folder = Path(os.environ.get("APIGOV_TEST_NPM_CACHE") or Path.home() / ".cache" / "apigov-ls" / "test-rulesets")
    if all((folder / "node_modules" / p / "package.json").is_file() for p in PACKAGES):
        return folder
    npm = shutil.which("npm")
    if npm is None or NODE is None:
        pytest.skip("npm/Node.js are not installed")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps({"name": "apigov-test-rulesets", "private": True}))
    try:
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", *(f"{p}@{v}" for p, v in PACKAGES.items())],
                              cwd=folder, capture_output=True, text=True, timeout=420)
    except subprocess.TimeoutExpired:
        pytest.skip("npm install timed out (registry not reachable?)")
    if done.returncode != 0:
        pytest.skip(f"npm install failed (registry not reachable?): {done.stderr.strip()[-300:]}")
    return folder


@needs_node
@pytest.mark.parametrize("package,rule,min_rules", [
    ("@apisyouwonthate/style-guide", "no-http-basic", 15),
    ("@stoplight/spectral-documentation", "docs-description", 10),
    ("@ibm-cloud/openapi-ruleset", "ibm-operation-summary", 120),
    ("@baloise/spectral-rules/zalando.yml", "must-use-semantic-versioning", 80),
])
def test_published_rulesets_load(npm_packages, tmp_path, package, rule, min_rules):
    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text(f"extends: ['{package}']\n")
    (tmp_path / "node_modules").symlink_to(npm_packages / "node_modules")
    rs = load_ruleset(str(ruleset))
    assert len(rs.rules) >= min_rules and rule in rs.rules and rs.rules[rule].enabled


@needs_node
def test_ibm_ruleset_finds_problems(npm_packages, tmp_path):
    (tmp_path / "node_modules").symlink_to(npm_packages / "node_modules")
    (tmp_path / ".spectral.yaml").write_text("extends: '@ibm-cloud/openapi-ruleset'\n")
    (tmp_path / "api.yaml").write_text(textwrap.dedent("""
        openapi: 3.0.3
        info: {title: T, version: '1.0', description: d}
        servers: [{url: 'https://api.example.com/v1'}]
        paths:
          /things:
            get:
              operationId: list_things
              description: List the things.
              tags: [things]
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {type: object, properties: {Bad_Name: {type: string}}}
        tags: [{name: things, description: Things.}]
    """))
    codes = {r.code for r in lint_file(str(tmp_path / "api.yaml"), load_ruleset(str(tmp_path / ".spectral.yaml"))).results}
    # JavaScript functions of the package (operation summary, property casing) ran
    assert {"ibm-operation-summary", "ibm-property-casing-convention"} <= codes
    assert "rule-error" not in codes


def test_nimma_regex_match_operator_in_given():
    """IBM's ruleset uses nimma's `@property ~= "regex"` (= /regex/.test(@property))."""
    from apigov_ls.engine.jsonpath import compile_path

    path = compile_path('$.content[?(@property ~= "^application\\\\/json(;.*)*$")].schema')
    data = {"content": {"application/json": {"schema": 1}, "application/json;v=2": {"schema": 2}, "text/json": {"schema": 3}}}
    assert [p for p, _ in path.find(data)] == [("content", "application/json", "schema"), ("content", "application/json;v=2", "schema")]
