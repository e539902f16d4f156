"""`apigov-ls --tcp HOST:PORT` serves LSP over a socket."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time

from lsprotocol import types
from pygls.lsp.client import LanguageClient


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_tcp_transport(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "apigov_ls.server", "--tcp", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = LanguageClient("tcp-test", "0")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        result = await asyncio.wait_for(client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri())), 30)
        assert result.server_info.name == "apigov-ls"
        assert result.capabilities.definition_provider and result.capabilities.rename_provider
        await asyncio.wait_for(client.shutdown_async(None), 30)
        client.exit(None)
    finally:
        await client.stop()
        proc.terminate()
        proc.wait(timeout=30)
