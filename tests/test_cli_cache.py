"""`apigov lint`'s results cache: the same report from the cache as from a fresh lint, for every
format; a hit on a second run; a miss whenever something the results depend on changed."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from apigov_ls.cli import main
from apigov_ls.reporters import FORMATS

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DATA = REPO / "tests" / "data"
REF_DOCS = [DATA / "governance/refs/oas30/openapi.yaml", DATA / "governance/refs/oas2/swagger.yaml",
            DATA / "security/refs/oas31/openapi.yaml", DATA / "security/refs/oas30/openapi.yaml"]

BASE_RULESET = """\
rules:
  info-contact-x:
    description: Info must have contact
    given: $.info
    severity: error
    then: {field: contact, function: truthy}
"""
RULESET = """\
extends: [./base.yaml]
rules:
  no-http:
    message: "Server {{value}} uses http"
    given: $.servers[*].url
    then: {function: pattern, functionOptions: {notMatch: "^http:"}}
  pet-name-desc:
    given: $.components.schemas.Pet.properties.name
    severity: warn
    then: {field: description, function: truthy}
"""
API = """\
openapi: 3.0.3
info: {title: t, version: '1'}
servers: [{url: 'http://x.example'}]
paths: {}
components:
  schemas:
    Pet: {$ref: './schemas.yaml#/Pet'}
"""
SCHEMAS = "Pet:\n  type: object\n  properties:\n    name: {type: string}\n"


def lint(capsys, *argv) -> tuple[int, str, dict]:
    """Exit code, report and the -v statistics ({"hits": n, "linted": n})."""
    code = main(["lint", "-v", *argv])
    out, err = capsys.readouterr()
    m = re.search(r"(\d+) from the cache, (\d+) linted", err)
    stats = {"hits": int(m.group(1)), "linted": int(m.group(2))} if m else {}
    return code, out, stats


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "base.yaml").write_text(BASE_RULESET)
    (tmp_path / ".spectral.yaml").write_text(RULESET)
    (tmp_path / "api.yaml").write_text(API)
    (tmp_path / "schemas.yaml").write_text(SCHEMAS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_second_run_is_a_hit_with_the_same_report(project, capsys):
    first = lint(capsys, "api.yaml", "-f", "json")
    assert first[2] == {"hits": 0, "linted": 1}
    second = lint(capsys, "api.yaml", "-f", "json")
    assert second[2] == {"hits": 1, "linted": 0}
    assert second[:2] == first[:2]
    codes = {r["code"] for r in json.loads(first[1])}
    assert codes == {"info-contact-x", "no-http", "pet-name-desc"}  # the $ref'd file was linted


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_the_same_from_the_cache(fmt, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    docs = [str(p) for p in REF_DOCS]
    fresh = lint(capsys, *docs, "-f", fmt, "--no-cache", "-F", "hint")
    lint(capsys, *docs, "-f", fmt, "-F", "hint")
    cached = lint(capsys, *docs, "-f", fmt, "-F", "hint")
    assert cached[2] == {"hits": len(docs), "linted": 0}
    assert cached[:2] == fresh[:2]
    assert fresh[1].strip()


def test_score_line_and_min_score_from_the_cache(project, capsys):
    fresh = lint(capsys, "api.yaml", "--min-score", "99", "--no-cache")
    lint(capsys, "api.yaml", "--min-score", "99")
    cached = lint(capsys, "api.yaml", "--min-score", "99")
    assert cached[2]["hits"] == 1
    assert "Score " in fresh[1] and cached[:2] == fresh[:2]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_corpus_documents_are_the_same_from_the_cache(capsys, tmp_path, monkeypatch):
    rows = [line.split("\t") for line in (CORPUS / "MANIFEST.tsv").read_text().splitlines()[1:] if line.strip()]
    small = sorted((int(r[7]), r[0]) for r in rows if int(r[7]) < 60_000)
    multi = [r[0] for r in rows if r[11] == "yes"][:1]
    docs = [str(CORPUS / p) for p in dict.fromkeys([p for _, p in small[:4]] + multi)]
    monkeypatch.chdir(tmp_path)
    for fmt in ("json", "sarif", "stylish"):
        fresh = lint(capsys, *docs, "-f", fmt, "--no-cache")
        lint(capsys, *docs, "-f", fmt)
        cached = lint(capsys, *docs, "-f", fmt)
        assert cached[2] == {"hits": len(docs), "linted": 0}
        assert cached[:2] == fresh[:2], fmt


def _hit_after(capsys, change, *argv) -> bool:
    lint(capsys, "api.yaml", "-f", "json", *argv)
    change()
    before = lint(capsys, "api.yaml", "-f", "json", "--no-cache", *argv)
    after = lint(capsys, "api.yaml", "-f", "json", *argv)
    assert after[:2] == before[:2]  # a miss relints: never a stale report
    return after[2]["hits"] == 1


def test_root_change_is_a_miss(project, capsys):
    assert not _hit_after(capsys, lambda: (project / "api.yaml").write_text(API.replace("http://", "https://")))


def test_referenced_file_change_is_a_miss(project, capsys):
    assert not _hit_after(capsys, lambda: (project / "schemas.yaml").write_text(SCHEMAS.replace("{type: string}", "{type: string, description: d}")))


def test_missing_referenced_file_appearing_is_a_miss(project, capsys):
    (project / "schemas.yaml").unlink()
    assert not _hit_after(capsys, lambda: (project / "schemas.yaml").write_text(SCHEMAS))


def test_ruleset_change_is_a_miss(project, capsys):
    assert not _hit_after(capsys, lambda: (project / ".spectral.yaml").write_text(RULESET.replace("severity: warn", "severity: error")))


def test_extended_ruleset_change_is_a_miss(project, capsys):
    assert not _hit_after(capsys, lambda: (project / "base.yaml").write_text(BASE_RULESET.replace("field: contact", "field: license")))


def test_other_ruleset_or_max_file_size_is_a_miss(project, capsys):
    lint(capsys, "api.yaml")
    assert lint(capsys, "api.yaml", "-r", "spectral:oas")[2]["hits"] == 0
    assert lint(capsys, "api.yaml", "--max-file-size", "1M")[2]["hits"] == 0
    assert lint(capsys, "api.yaml")[2]["hits"] == 1


def test_unchanged_touch_and_report_only_options_are_hits(project, capsys):
    lint(capsys, "api.yaml")
    os.utime(project / "schemas.yaml", (1, 1))  # a new mtime, the same content
    assert lint(capsys, "api.yaml", "-f", "sarif", "-F", "warn", "-D")[2]["hits"] == 1


def test_corrupt_entries_are_ignored_and_overwritten(project, capsys):
    fresh = lint(capsys, "api.yaml", "-f", "json")
    entries = list(Path(os.environ["APIGOV_CACHE_DIR"]).glob("v1/*.json"))
    assert entries
    for i, entry in enumerate(entries):
        entry.write_bytes([b"{not json", b"", b'{"key": 1}', b"\xff\xfe"][i % 4])
    again = lint(capsys, "api.yaml", "-f", "json")
    assert again[:2] == fresh[:2]
    assert lint(capsys, "api.yaml", "-f", "json")[2]["hits"] == 1


def test_no_cache_writes_nothing(project, capsys, monkeypatch):
    monkeypatch.delenv("APIGOV_CACHE_DIR")
    lint(capsys, "api.yaml", "--no-cache")
    assert not (project / ".apigov_cache").exists()
    assert not Path(os.environ.get("APIGOV_CACHE_DIR", project / "none")).exists()


def test_default_folder_is_marked_and_ignored_by_git(project, capsys, monkeypatch):
    monkeypatch.delenv("APIGOV_CACHE_DIR")
    lint(capsys, "api.yaml")
    folder = project / ".apigov_cache"
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert lint(capsys, "api.yaml")[2]["hits"] == 1
    assert lint(capsys, "api.yaml", "--cache-dir", "elsewhere")[2]["hits"] == 0
    assert (project / "elsewhere" / "CACHEDIR.TAG").is_file()


def test_baseline_filters_cached_results(project, capsys):
    assert main(["baseline", "api.yaml", "-o", "baseline.json"]) == 0
    capsys.readouterr()
    lint(capsys, "api.yaml", "-f", "json")
    code, out, stats = lint(capsys, "api.yaml", "-f", "json", "--baseline", "baseline.json")
    assert stats["hits"] == 1 and json.loads(out) == [] and code == 0
    code, out, _ = lint(capsys, "api.yaml", "-f", "json")
    assert len(json.loads(out)) == 3 and code == 1  # the entry holds raw results


def test_fix_reports_the_fixed_file_not_the_cached_one(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1', description: d, contact: {name: n, url: 'https://x.test', email: a@x.test}}\n"
        "servers:\n  - url: https://api.test/v1/\npaths: {}\n"
    )
    _, before, _ = lint(capsys, "api.yaml", "-r", "spectral:oas", "-f", "json")
    assert "oas3-server-trailing-slash" in before
    code, after, stats = lint(capsys, "api.yaml", "-r", "spectral:oas", "-f", "json", "--fix")
    assert "oas3-server-trailing-slash" not in after and stats["hits"] == 0


def test_custom_function_notice_on_a_cached_run(project, capsys):
    (project / "functions").mkdir()
    (project / "functions" / "always.py").write_text("def always(value, options, context):\n    return [{'message': 'seen'}]\n")
    (project / ".spectral.yaml").write_text("functions: [always]\nrules:\n  seen:\n    given: $.info\n    then: {function: always}\n")
    for expected_hits in (0, 1):
        code = main(["lint", "-v", "api.yaml", "-f", "json"])
        out, err = capsys.readouterr()
        assert "loaded custom functions: always" in err and f"{expected_hits} from the cache" in err
        assert [r["code"] for r in json.loads(out)] == ["seen"]
    (project / "functions" / "always.py").write_text("def always(value, options, context):\n    return [{'message': 'changed'}]\n")
    code, out, stats = lint(capsys, "api.yaml", "-f", "json")
    assert stats["hits"] == 0 and json.loads(out)[0]["message"] == "changed"


def test_stdin_is_not_cached(project, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(API))
    code = main(["lint", "-v", "--stdin-filepath", "api.yaml", "-f", "json"])
    out, err = capsys.readouterr()
    assert code == 1 and "no-http" in out and "(cache off)" in err
    assert not Path(os.environ["APIGOV_CACHE_DIR"]).exists()


def test_sarif_rule_descriptors_survive_pointer_overrides(project, capsys):
    # the rule's own severity (sarif defaultConfiguration) differs from its results' here
    (project / ".spectral.yaml").write_text(RULESET + 'overrides:\n  - files: ["**#/servers"]\n    rules: {no-http: error}\n')
    fresh = lint(capsys, "api.yaml", "-f", "sarif", "--no-cache")
    lint(capsys, "api.yaml", "-f", "sarif")
    cached = lint(capsys, "api.yaml", "-f", "sarif")
    assert cached[2]["hits"] == 1 and cached[:2] == fresh[:2]
    run = json.loads(fresh[1])["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "no-http")
    result = next(r for r in run["results"] if r["ruleId"] == "no-http")
    assert (rule["defaultConfiguration"]["level"], result["level"]) == ("warning", "error")
