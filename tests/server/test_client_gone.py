"""A client that dies without shutdown/exit: the server exits promptly and takes its check workers with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
LARGE = SHARED / "corpus" / "vacuum-testfiles" / "api.github.com.yaml"


def _frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _children(pid: int) -> set[int]:
    """Processes whose parent is `pid`, from /proc."""
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.add(int(entry))
    return out


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.skipif(not LARGE.is_file(), reason="shared corpus (../shared) not present")
def test_server_and_workers_exit_when_stdin_closes_during_a_check(tmp_path):
    doc = tmp_path / "api.github.com.yaml"
    doc.write_text(LARGE.read_text(encoding="utf-8"), encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "apigov_ls.server"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        root_uri = tmp_path.as_uri()
        server.stdin.write(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": root_uri, "capabilities": {},
            "workspaceFolders": [{"uri": root_uri, "name": "w"}]}}))
        server.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        server.stdin.write(_frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": doc.as_uri(), "languageId": "yaml", "version": 1, "text": doc.read_text(encoding="utf-8")}}}))
        server.stdin.flush()
        # wait until a worker is busy checking (the check of this 3.5 MB file takes seconds)
        deadline = time.monotonic() + 60
        busy = False
        while time.monotonic() < deadline and not busy:
            time.sleep(0.3)
            kids = _children(server.pid)
            workers |= kids
            busy = any(_alive(k) and _cpu_seconds(k) > 2.0 for k in kids)
        assert busy, "no worker started checking"
        server.stdin.close()  # the client is gone: no shutdown, no exit
        closed = time.monotonic()
        server.wait(timeout=10)
        exited_after = time.monotonic() - closed
        while any(_alive(w) for w in workers) and time.monotonic() - closed < 10:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)], "worker processes outlived the server"
        assert exited_after < 6, f"server took {exited_after:.1f}s to exit"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for w in workers:
            if _alive(w):
                os.kill(w, 9)
