"""Untrusted rulesets: custom code runs only when trusted, the CLI names what it loaded, URLs are not fetched."""

from __future__ import annotations

import io
import queue

import pytest

from apigov_ls import cli
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.engine.types import RulesetError

API = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
FUNCTION = "MARKER = []\n\ndef leaky(input, options, context):\n    open(__file__ + '.ran', 'w').write('ran')\n    return [{'message': 'custom ran'}]\n"
RULESET = "functions: [leaky]\nrules:\n  leak:\n    given: $.info\n    severity: warn\n    then:\n      function: leaky\n"


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "leaky.py").write_text(FUNCTION)
    (tmp_path / ".spectral.yaml").write_text(RULESET)
    (tmp_path / "api.yaml").write_text(API)
    return tmp_path


def test_untrusted_load_never_executes_workspace_code(workspace):
    try:
        load_ruleset(str(workspace / ".spectral.yaml"), trusted=False)
    except RulesetError:
        pass  # refusing the ruleset is fine too; executing it is not
    assert not (workspace / "functions" / "leaky.py.ran").exists()


def test_cli_states_which_functions_it_loaded(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    out, err = io.StringIO(), io.StringIO()
    cli.cmd_lint(cli.build_parser().parse_args(["lint", "api.yaml", "-f", "json"]), out, err)
    assert "loaded custom functions: leaky" in err.getvalue()
    assert "custom ran" in out.getvalue()


def test_extends_from_a_url_is_not_fetched(tmp_path):
    (tmp_path / ".spectral.yaml").write_text("extends: ['http://127.0.0.1:9/ruleset.yaml']\nrules: {}\n")
    with pytest.raises(RulesetError) as info:
        load_ruleset(str(tmp_path / ".spectral.yaml"))
    assert "not downloaded" in str(info.value)


def _snapshot(folder):
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("trusted", [False, True])
def test_server_runs_custom_functions_only_when_trusted_and_writes_nothing(workspace, trusted):
    from .rawlsp import RawServer

    before = _snapshot(workspace)
    srv = RawServer(cwd=str(workspace))
    try:
        srv.initialize(str(workspace), {"trusted": trusted})
        uri = "file://" + str(workspace / "api.yaml")
        srv.send({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": API}}})
        try:
            messages = [d["message"] for d in srv.diagnostics(uri, 60 if trusted else 20)]
        except queue.Empty:  # untrusted: the ruleset is refused (reported on the ruleset), nothing for the file
            messages = []
        srv.send({"id": 1, "method": "shutdown"})
        srv.response(1)
        srv.send({"method": "exit"})
        srv.proc.wait(10)
    finally:
        srv.close()
    ran = workspace / "functions" / "leaky.py.ran"
    assert ran.exists() == trusted
    assert ("custom ran" in messages) == trusted
    after = _snapshot(workspace)
    after.pop(ran, None)  # written by the (trusted) test function itself, not by the server
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p) and "__pycache__" not in str(p)}
    assert not changed, changed
