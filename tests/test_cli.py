"""The `apigov` command line: exit codes, inputs and formats, through main(argv)."""

import io
import json
import os
import subprocess
import sys
import textwrap

import pytest

from apigov_ls.cli import main

RULESET = textwrap.dedent(
    """\
    rules:
      info-contact-x:
        description: Info must have contact
        given: $.info
        severity: error
        then: {field: contact, function: truthy}
      no-http:
        message: "Server {{value}} uses http"
        given: $.servers[*].url
        then: {function: pattern, functionOptions: {notMatch: "^http:"}}
    """
)
API = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\nservers:\n  - url: http://x.example\npaths: {}\n"
CLEAN = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\n  contact: {name: n}\nservers:\n  - url: https://x.example\npaths: {}\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".spectral.yaml").write_text(RULESET)
    (tmp_path / "api.yaml").write_text(API)
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "one.yaml").write_text(API)
    (tmp_path / "specs" / "not-an-api.yaml").write_text("name: some config\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_results_and_exit_code_1(project, capsys):
    code, out, err = run(capsys, "lint", "api.yaml")
    assert code == 1
    assert "info-contact-x" in out and "no-http" in out and "Server http://x.example uses http" in out
    assert " 2:1 " in out.replace("  ", " ") or "2:1" in out


def test_clean_file_exit_0(project, capsys):
    code, out, _ = run(capsys, "lint", "clean.yaml")
    assert code == 0
    assert "No results" in out


def test_fail_severity_and_display_only_failures(project, capsys):
    code, out, _ = run(capsys, "lint", "api.yaml", "-F", "warn", "-f", "json")
    assert code == 1
    code, out, _ = run(capsys, "lint", "api.yaml", "-D", "-f", "json")
    assert [r["code"] for r in json.loads(out)] == ["info-contact-x"]


def test_json_shape_matches_spectral(project, capsys):
    code, out, _ = run(capsys, "lint", "api.yaml", "-f", "json")
    results = json.loads(out)
    assert {tuple(sorted(r)) for r in results} == {("code", "message", "path", "range", "severity", "source")}
    http = next(r for r in results if r["code"] == "no-http")
    assert http["path"] == ["servers", "0", "url"] and http["severity"] == 1
    assert http["range"]["start"] == {"line": 5, "character": 9}
    assert http["source"] == str(project / "api.yaml")


def test_folder_scan_skips_non_descriptions_and_globs(project, capsys):
    code, out, _ = run(capsys, "lint", "specs", "-f", "text")
    assert "one.yaml" in out and "not-an-api" not in out
    code, out, _ = run(capsys, "lint", "specs/*.yaml", "-f", "text", "--ignore-unknown-format")
    assert "one.yaml" in out
    code, _, err = run(capsys, "lint", "nomatch/*.yaml")
    assert code == 2 and err.count("\n") == 1


def test_unknown_format_exit_2_unless_ignored(project, capsys):
    code, out, err = run(capsys, "lint", "specs/not-an-api.yaml", "-f", "json")
    assert code == 2 and "not an OpenAPI" in err
    assert [r["code"] for r in json.loads(out)] == ["unrecognized-format"]
    code, _, _ = run(capsys, "lint", "specs/not-an-api.yaml", "--ignore-unknown-format", "-f", "json")
    assert code == 0


def test_unreadable_and_invalid_inputs_are_one_line_exit_2(project, capsys):
    code, _, err = run(capsys, "lint", "missing.yaml")
    assert code == 2 and err.strip().count("\n") == 0 and "missing.yaml" in err
    (project / "bad.yaml").write_bytes(b"openapi: 3.0.0\ninfo: \xff\xfe\n")
    code, _, err = run(capsys, "lint", "bad.yaml")
    assert code == 2 and "UTF-8" in err and err.strip().count("\n") == 0
    (project / "broken.spectral.yaml").write_text("rules:\n  r:\n    given: $.info\n    then: {function: nope}\n")
    code, _, err = run(capsys, "lint", "api.yaml", "-r", "broken.spectral.yaml")
    assert code == 2 and "nope" in err and err.strip().count("\n") == 0


def test_syntax_error_is_a_result_not_a_traceback(project, capsys):
    (project / "broken.yaml").write_text("openapi: 3.0.0\ninfo: [1,\n")
    code, out, err = run(capsys, "lint", "broken.yaml", "-f", "json")
    assert "Traceback" not in err
    res = json.loads(out)
    assert res[0]["code"] == "parser-syntax" and res[0]["severity"] == 0 and code == 1


def test_stdin(project, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(API))
    code, out, _ = run(capsys, "lint", "--stdin-filepath", "from-stdin.yaml", "-f", "json")
    results = json.loads(out)
    assert code == 1 and {r["code"] for r in results} == {"info-contact-x", "no-http"}
    assert results[0]["source"].endswith("from-stdin.yaml")


def test_output_file_and_sarif(project, capsys):
    code, out, _ = run(capsys, "lint", "api.yaml", "-f", "sarif", "-o", "report.sarif")
    assert out == ""
    sarif = json.loads((project / "report.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"info-contact-x", "no-http"}


def test_usage_errors(project, capsys):
    code, _, err = run(capsys, "lint")
    assert code == 2 and err.startswith("apigov:")
    with pytest.raises(SystemExit) as exc:
        main(["lint", "api.yaml", "-f", "nope"])
    assert exc.value.code == 2


def test_console_script_runs(project):
    proc = subprocess.run([sys.executable, "-m", "apigov_ls.cli", "lint", "api.yaml", "-f", "text"], capture_output=True, text=True, cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert "no-http" in proc.stdout
