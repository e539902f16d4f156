"""`apigov lint --fix/--unsafe-fixes/--diff`, fixes attached by custom functions, and fix-all's
guards (a fix that would break parsing is dropped; a file changed on disk is not overwritten)."""

from __future__ import annotations

import os

from apigov_ls.cli import main
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.fixes import fix_document, write_fixed

DOC = """\
openapi: 3.0.3   # keep this comment
info: {title: T, version: '1', description: d, contact: {name: n, url: 'https://x.test', email: a@x.test}}
servers:
    - url: https://api.test/v1/
paths:
    /a/:
        get:
            operationId: a
            description: d
            tags: [t]
            responses:
                '200': {description: ok}
tags:
    - name: t
      description: t
"""


def test_diff_prints_and_does_not_write(tmp_path, capsys):
    api = tmp_path / "api.yaml"
    api.write_text(DOC)
    assert main(["lint", "--diff", "-r", "spectral:oas", str(api)]) == 1
    out = capsys.readouterr().out
    assert "-    - url: https://api.test/v1/\n+    - url: https://api.test/v1\n" in out
    assert "-    /a/:" not in out  # renaming a path is unsafe: not without --unsafe-fixes
    assert api.read_text() == DOC
    assert main(["lint", "--diff", "--unsafe-fixes", "-r", "spectral:oas", str(api)]) == 1
    assert "+    /a:\n" in capsys.readouterr().out


def test_fix_writes_safe_fixes_only(tmp_path, capsys):
    api = tmp_path / "api.yaml"
    api.write_text(DOC)
    main(["lint", "--fix", "-r", "spectral:oas", "-f", "json", str(api)])
    cap = capsys.readouterr()
    assert "applied 1 fix" in cap.err
    assert api.read_text() == DOC.replace("https://api.test/v1/", "https://api.test/v1")
    assert "path-keys-no-trailing-slash" in cap.out and "oas3-server-trailing-slash" not in cap.out
    main(["lint", "--fix", "--unsafe-fixes", "-r", "spectral:oas", "-f", "json", str(api)])
    assert "/a/" not in api.read_text() and "# keep this comment" in api.read_text()


def test_unsafe_fixes_needs_fix_or_diff(tmp_path, capsys):
    api = tmp_path / "api.yaml"
    api.write_text(DOC)
    assert main(["lint", "--unsafe-fixes", str(api)]) == 2
    assert "--unsafe-fixes needs --fix or --diff" in capsys.readouterr().err


FUNCTION = '''
from apigov_ls.fixes import Fix, Safety, TextEdit, editor


def no_draft(value, options, context):
    if value != "draft":
        return None
    def good(result, document):
        ed = editor(document, result.source)
        return Fix("Mark as final", Safety.SAFE, ed.replace_value(result.location_path, "final"))
    def broken(result, document):
        ed = editor(document, result.source)
        s, e = ed.span(result.location_path)
        return Fix("Break the file", Safety.SAFE, [TextEdit(ed.file, s, e, "[unclosed")])
    return [{"message": "draft", "fix": broken if options and options.get("broken") else good}]
'''


def _custom(tmp_path, broken: bool):
    (tmp_path / "functions").mkdir(exist_ok=True)
    (tmp_path / "functions" / "no-draft.py").write_text(FUNCTION)
    opts = "{broken: true}" if broken else "{}"
    (tmp_path / ".spectral.yaml").write_text(
        "functions: [no-draft]\nrules:\n  no-draft:\n    given: $.info\n    severity: warn\n"
        f"    then: {{field: x-status, function: no-draft, functionOptions: {opts}}}\n"
    )
    api = tmp_path / "api.yaml"
    api.write_text(DOC.replace("info: {", "info: {x-status: draft, "))
    return api, load_ruleset(str(tmp_path / ".spectral.yaml"))


def test_custom_function_fix_is_applied(tmp_path):
    api, rs = _custom(tmp_path, broken=False)
    outcome = fix_document(str(api), rs)
    assert [f.title for f in outcome.applied] == ["Mark as final"]
    assert write_fixed(outcome) == [str(api)]
    assert "info: {x-status: final, " in api.read_text()


def test_fix_that_breaks_parsing_is_dropped(tmp_path):
    api, rs = _custom(tmp_path, broken=True)
    outcome = fix_document(str(api), rs)
    assert outcome.applied == [] and outcome.changed_files() == []


def test_file_changed_on_disk_is_not_overwritten(tmp_path):
    api, rs = _custom(tmp_path, broken=False)
    outcome = fix_document(str(api), rs)
    api.write_text("openapi: 3.0.3\n# edited meanwhile\n")
    os.utime(api, ns=(1, 1))
    assert write_fixed(outcome) == []
    assert api.read_text() == "openapi: 3.0.3\n# edited meanwhile\n"
