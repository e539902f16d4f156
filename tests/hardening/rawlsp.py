"""A raw JSON-RPC client for the server over stdio: bytes in, messages out, no client library."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading


class RawServer:
    def __init__(self, cwd: str | None = None):
        self.proc = subprocess.Popen([sys.executable, "-m", "apigov_ls.server"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd)
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.messages.put(json.loads(out.read(length)))

    def send_bytes(self, body: bytes) -> None:
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        self.send_bytes(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def response(self, msg_id, timeout: float = 20.0) -> dict:
        """The response to `msg_id` (notifications in between are skipped)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no response to request {msg_id!r}")
            msg = self.messages.get(timeout=left)
            if msg.get("id") == msg_id and "method" not in msg:
                return msg

    def initialize(self, root: str, options: dict | None = None) -> None:
        uri = "file://" + root
        self.send({"id": 0, "method": "initialize", "params": {"processId": os.getpid(), "rootUri": uri, "capabilities": {},
                                                              "initializationOptions": options or {},
                                                              "workspaceFolders": [{"uri": uri, "name": "ws"}]}})
        assert "result" in self.response(0, 30)
        self.send({"method": "initialized", "params": {}})

    def diagnostics(self, uri: str, timeout: float = 30.0) -> list:
        """The next publishDiagnostics for `uri`."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            msg = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
                return msg["params"]["diagnostics"]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
