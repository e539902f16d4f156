"""Protocol robustness, over raw stdio: every request is answered, junk is survived, exits are clean."""

from __future__ import annotations

import pytest

from .rawlsp import RawServer

API = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"


@pytest.fixture
def server(tmp_path):
    (tmp_path / "api.yaml").write_text(API)
    srv = RawServer(cwd=str(tmp_path))
    srv.initialize(str(tmp_path))
    yield srv
    srv.close()


def alive_check(srv: RawServer, msg_id: int) -> None:
    srv.send({"id": msg_id, "method": "workspace/symbol", "params": {"query": ""}})
    assert "result" in srv.response(msg_id)


def test_malformed_json_and_junk_are_survived(server):
    server.send_bytes(b"{not json at all")
    server.send_bytes(b"[1, 2, 3]")
    server.send_bytes(b'{"jsonrpc": "2.0", "id": 7}')
    alive_check(server, 1)


def test_unknown_method_gets_method_not_found(server):
    server.send({"id": 2, "method": "apigov/noSuchThing", "params": {}})
    assert server.response(2)["error"]["code"] == -32601
    server.send({"method": "$/noSuchNotification", "params": {}})
    alive_check(server, 3)


def test_invalid_params_get_invalid_params_error(server):
    server.send({"id": 4, "method": "textDocument/hover", "params": {"textDocument": 42}})
    reply = server.response(4)
    assert reply["error"]["code"] == -32602
    server.send({"id": 5, "method": "textDocument/codeAction",
                 "params": {"textDocument": {"uri": "file:///x.yaml"}, "range": {}, "context": {"diagnostics": [{}]}}})
    assert server.response(5)["error"]["code"] == -32602
    alive_check(server, 6)


def test_requests_for_documents_not_open_are_answered(server, tmp_path):
    uri = "file://" + str(tmp_path / "nowhere.yaml")
    for i, method in enumerate(["textDocument/hover", "textDocument/definition"], start=10):
        server.send({"id": i, "method": method, "params": {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 2}}})
        reply = server.response(i)
        assert "result" in reply or "error" in reply
    server.send({"id": 12, "method": "textDocument/documentSymbol", "params": {"textDocument": {"uri": uri}}})
    reply = server.response(12)
    assert "result" in reply or "error" in reply


def test_cancellation_of_unknown_and_answered_requests(server):
    server.send({"method": "$/cancelRequest", "params": {"id": 999}})
    server.send({"id": 20, "method": "workspace/symbol", "params": {"query": "x"}})
    server.send({"method": "$/cancelRequest", "params": {"id": 20}})
    reply = server.response(20)
    assert "result" in reply or reply["error"]["code"] == -32800
    alive_check(server, 21)


def test_shutdown_then_exit(server):
    server.send({"id": 30, "method": "shutdown"})
    assert server.response(30)["result"] is None
    server.send({"method": "exit"})
    assert server.proc.wait(10) == 0


def test_exit_without_shutdown(server):
    server.send({"method": "exit"})
    # the process ends promptly (pygls 2.1 exits 0 here, where LSP asks for 1)
    assert server.proc.wait(10) is not None


def test_stdin_closing_ends_the_server(server):
    server.proc.stdin.close()
    assert server.proc.wait(15) is not None
