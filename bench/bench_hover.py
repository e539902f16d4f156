"""Latency of hover, completion and documentSymbol while a large description is being re-checked.

Starts the real server over stdio (VS Code capabilities), opens a copy of api.github.com.yaml
(3.4 MB), waits for its first diagnostics, then repeatedly: sends an incremental edit, waits
`--after` seconds (0: the request follows the edit at once, inside the debounce; 0.4: the check is
running), sends one request and times its answer. It also notes whether the diagnostics for the
edited version arrived after the answer, i.e. whether a check was still pending or running.

    /tmp/venv/bin/python bench/bench_hover.py [--file PATH] [--tries 10] [--after 0 0.4]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities
from pytest_lsp.client import make_test_lsp_client

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEFAULT_FILE = SHARED / "corpus" / "vacuum-testfiles" / "api.github.com.yaml"


def first_line(lines: list[str], needle: str, start: int = 0) -> int:
    return next(i for i in range(start, len(lines)) if needle in lines[i])


class Session:
    def __init__(self, client, uri: str, text: str):
        self.client, self.uri, self.lines = client, uri, text.splitlines()
        self.version = 1
        #: uri -> [(version, arrival time)]
        self.published: dict[str, list[tuple[int | None, float]]] = {}

    def on_publish(self, params: types.PublishDiagnosticsParams) -> None:
        self.published.setdefault(params.uri, []).append((params.version, time.perf_counter()))
        self.client.diagnostics[params.uri] = params.diagnostics

    async def published_version(self, version: int, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for v, at in self.published.get(self.uri, ()):
                if v is not None and v >= version:
                    return at
            await asyncio.sleep(0.01)
        raise TimeoutError(f"no diagnostics for version {version}")

    def edit(self, line: int) -> int:
        """Toggle the first letter of the key on `line` (`description:` <-> `Description:`).

        The operation then lacks a description or has it again, so every edit changes the diagnostics
        and the server publishes for the new version."""
        self.version += 1
        col = len(self.lines[line]) - len(self.lines[line].lstrip())
        old = self.lines[line][col]
        new = old.upper() if old.islower() else old.lower()
        self.lines[line] = self.lines[line][:col] + new + self.lines[line][col + 1:]
        rng = types.Range(types.Position(line, col), types.Position(line, col + 1))
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=self.version, uri=self.uri),
            [types.TextDocumentContentChangePartial(range=rng, text=new)]))
        return self.version


async def open_session(path: Path, workspace: Path) -> Session:
    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "apigov_ls.server")
    text = path.read_text(encoding="utf-8")
    session = Session(client, path.as_uri(), text)
    client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = session.on_publish
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual_studio_code"), root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="bench")]))
    started = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(session.uri, "yaml", 1, text)))
    await session.published_version(1)
    print(f"first check: {time.perf_counter() - started:.2f}s, {len(client.diagnostics.get(session.uri, []))} diagnostics")
    return session


def requests(session: Session) -> dict:
    doc = types.TextDocumentIdentifier(session.uri)
    lines = session.lines
    ref_line = first_line(lines, '"$ref": "#/components/')
    ref_pos = types.Position(ref_line, lines[ref_line].index("#/components") + 3)
    diags = session.client.diagnostics.get(session.uri) or []
    diag_pos = diags[len(diags) // 2].range.start if diags else ref_pos
    comp_line = ref_line
    comp_pos = types.Position(comp_line, lines[comp_line].index("#/components") + len("#/comp"))
    c = session.client
    return {
        "hover($ref)": lambda: c.text_document_hover_async(types.HoverParams(doc, ref_pos)),
        "hover(diagnostic)": lambda: c.text_document_hover_async(types.HoverParams(doc, diag_pos)),
        "completion($ref)": lambda: c.text_document_completion_async(types.CompletionParams(doc, comp_pos)),
        "documentSymbol": lambda: c.text_document_document_symbol_async(types.DocumentSymbolParams(doc)),
    }


async def measure(session: Session, send, after: float, tries: int, edit_line: int) -> tuple[list[float], int]:
    timings, during_check = [], 0
    for _ in range(tries):
        version = session.edit(edit_line)
        if after:
            await asyncio.sleep(after)
        started = time.perf_counter()
        await asyncio.wait_for(send(), 60)
        answered = time.perf_counter()
        timings.append(answered - started)
        if await session.published_version(version) > answered:
            during_check += 1
    return timings, during_check


def summary(name: str, after: float, timings: list[float], during: int) -> str:
    ms = sorted(t * 1000 for t in timings)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (f"{name:<18} after edit +{after:.1f}s  p50 {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  "
            f"max {ms[-1]:7.1f} ms  (check pending/running at answer: {during}/{len(ms)})")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--tries", type=int, default=10)
    parser.add_argument("--after", type=float, nargs="+", default=[0.0, 0.4])
    args = parser.parse_args()
    if not args.file.is_file():
        sys.exit(f"not found: {args.file}")
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        path = workspace / args.file.name
        shutil.copy(args.file, path)
        session = await open_session(path, workspace)
        edit_line = first_line(session.lines, "      description: Get Hypermedia links")
        try:
            for name, send in requests(session).items():
                for after in args.after:
                    timings, during = await measure(session, send, after, args.tries, edit_line)
                    print(summary(name, after, timings, during), flush=True)
        finally:
            await session.client.shutdown_session()


if __name__ == "__main__":
    asyncio.run(main())
