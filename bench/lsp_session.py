"""A real LSP session with `apigov-ls` over stdio, instrumented for benchmarks.

`BenchClient` is pygls's `LanguageClient` (JSON-RPC over the server's stdin/stdout) with:
- the arrival time of every message body (before the client decodes it), so a publish of
  thousands of diagnostics is timed when it arrives, not after the client has built objects;
- every `publishDiagnostics` recorded (uri, version, arrival time, count, bytes);
- the server's stderr copied to a log file, and the server's "checked ROOT: N results in S s"
  lines (INFO) recorded with their arrival time: the worker's own check time, to split a latency;
- `settle()`: a `textDocument/diagnostic` request, which the server answers once no check of the
  document's roots is pending or running (at most SETTLE_TIMEOUT = 10 s later, server.py): that
  tells an edit whose diagnostics did not change (the server publishes nothing then) from one
  still being checked.

Process helpers read /proc: descendants of a pid, VmRSS / VmHWM, whether a pid is still alive.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.io_ import run_async
from pygls.lsp.client import LanguageClient

log = logging.getLogger("bench.lsp")
CHECKED = re.compile(r"checked (.+): (\d+) results in ([0-9.]+)s")
#: the server answers a pull after at most this long even when a check is still running (server.py)
SERVER_SETTLE_TIMEOUT = 10.0


def server_env(source: str | None) -> dict | None:
    """Environment running the server from another checkout of the sources (e.g. an older commit)."""
    if not source:
        return None
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}


#: `apigov-ls` (apigov_ls.server.cli.main) at `--log-level INFO`: apigov's own loggers at INFO, for the
#: "checked ROOT: N results in S s" lines, and pygls's at WARNING (cli.configure_logging): at INFO pygls
#: logs the full body of every message it sends (160 KB per publish of 421 diagnostics), which slows
#: the very publishes being timed. (Setting the level before main() did nothing: main() sets it again
#: from --log-level, WARNING by default, so earlier runs recorded no worker check times.)
_SERVER_MAIN = "import sys; from apigov_ls.server.cli import main; main(sys.argv[1:])"


def server_command(plain: bool = False) -> list[str]:
    """How the benchmarks start the server: `apigov-ls` itself when `plain`, else its main() as above."""
    if plain:
        exe = shutil.which("apigov-ls", path=os.path.dirname(sys.executable)) or shutil.which("apigov-ls")
        return [exe] if exe else [sys.executable, "-m", "apigov_ls.server"]
    return [sys.executable, "-c", _SERVER_MAIN, "--log-level", "INFO"]


@dataclass
class Publish:
    uri: str
    version: int | None
    at: float  # perf_counter when the body arrived
    count: int
    bytes: int


@dataclass
class CheckLine:
    root: str
    results: int
    seconds: float
    at: float


class TimedReader:
    """The server's stdout, noting when each message body arrived and how big it was."""

    def __init__(self, reader: asyncio.StreamReader):
        self.reader = reader
        self.body_at = 0.0
        self.body_bytes = 0

    async def readline(self) -> bytes:
        return await self.reader.readline()

    async def readexactly(self, n: int) -> bytes:
        data = await self.reader.readexactly(n)
        self.body_at, self.body_bytes = time.perf_counter(), n
        return data


class BenchClient(LanguageClient):
    def __init__(self, settings: dict | None = None):
        super().__init__("apigov-bench", "1")
        self.settings = settings or {}
        self.publishes: list[Publish] = []
        self.checks: list[CheckLine] = []
        self.reader: TimedReader | None = None
        self.result_ids: dict[str, str] = {}
        self._news: asyncio.Event | None = None
        self._stderr_task: asyncio.Task | None = None
        self.server_exit_code: int | None = None
        #: arrival of the latest response (the benchmark has one request out at a time)
        self.response_at = 0.0
        handle = self.protocol.handle_message

        def stamped(message):
            # stamped here, synchronously after the body was read, whatever pygls does with it next
            method = getattr(message, "method", None)
            if method is None:
                self.response_at = self.reader.body_at
            elif method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
                p = message.params
                self.publishes.append(Publish(p.uri, p.version, self.reader.body_at, len(p.diagnostics), self.reader.body_bytes))
                self._notify()
            return handle(message)

        self.protocol.handle_message = stamped

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _publish(params: types.PublishDiagnosticsParams):
            pass  # recorded in `stamped` with its arrival time

        @self.feature(types.WORKSPACE_CONFIGURATION)
        def _configuration(params: types.ConfigurationParams):
            return [self.settings for _ in params.items]

        @self.feature(types.CLIENT_REGISTER_CAPABILITY)
        def _register(params):
            return None

        @self.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def _progress(params):
            return None

        @self.feature(types.PROGRESS)
        def _work_done(params):
            pass

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def _log_message(params: types.LogMessageParams):
            log.info("server: %s", params.message)

    def _notify(self) -> None:
        if self._news is not None:
            self._news.set()
            self._news = asyncio.Event()

    @property
    def pid(self) -> int:
        return self._server.pid

    async def launch(self, cmd: list[str], log_path: Path, cwd: Path, env: dict | None = None) -> None:
        """Start the server (like JsonRPCClient.start_io, with a timed reader and stderr to a log file)."""
        self._news = asyncio.Event()
        server = await asyncio.create_subprocess_exec(*cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                      stderr=asyncio.subprocess.PIPE, cwd=str(cwd), env=env,
                                                      limit=2**24)
        self._server = server
        self.reader = TimedReader(server.stdout)
        self.protocol.set_writer(server.stdin)
        self._async_tasks.append(asyncio.create_task(run_async(
            stop_event=self._stop_event, reader=self.reader, protocol=self.protocol, logger=log,
            error_handler=self.report_server_error)))
        self._async_tasks.append(asyncio.create_task(self._server_exit()))
        self._stderr_task = asyncio.create_task(self._drain_stderr(server, log_path))

    async def _drain_stderr(self, server, log_path: Path) -> None:
        with open(log_path, "ab") as out:
            while True:
                line = await server.stderr.readline()
                if not line:
                    return
                out.write(line)
                out.flush()  # readable while the benchmark runs
                m = CHECKED.search(line.decode("utf-8", "replace"))
                if m:
                    self.checks.append(CheckLine(m.group(1), int(m.group(2)), float(m.group(3)), time.perf_counter()))
                    self._notify()

    async def server_exit(self, server) -> None:
        self.server_exit_code = server.returncode

    async def wait_news(self, timeout: float) -> None:
        """Until a publish or a 'checked' line arrives (or `timeout`)."""
        try:
            await asyncio.wait_for(self._news.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    async def initialize(self, root: Path, init_options: dict | None) -> types.InitializeResult:
        from pytest_lsp import client_capabilities

        result = await self.initialize_async(types.InitializeParams(
            capabilities=client_capabilities("visual_studio_code"),  # push diagnostics, UTF-16
            process_id=os.getpid(), root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")],
            initialization_options=init_options))
        self.initialized(types.InitializedParams())
        return result

    def open(self, path: Path, text: str, version: int = 1) -> str:
        uri = path.as_uri()
        self.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "yaml", version, text)))
        return uri

    def change(self, uri: str, version: int, change) -> float:
        """Send one incremental change (bench/edit_scripts.Change); returns the perf_counter when sent."""
        rng = types.Range(types.Position(*change.start), types.Position(*change.end))
        at = time.perf_counter()
        self.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [types.TextDocumentContentChangePartial(range=rng, text=change.text)]))
        return at

    async def settle(self, uri: str, timeout: float) -> float | None:
        """Pull until the server answers in less than its own settle timeout (nothing pending or
        running for the document's roots); perf_counter of that answer, None on `timeout`."""
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            asked = time.perf_counter()
            # not wait_for: cancelling the request's future makes pygls log an error when the answer comes
            request = asyncio.ensure_future(self.text_document_diagnostic_async(types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri), previous_result_id=self.result_ids.get(uri))))
            done, _ = await asyncio.wait({request}, timeout=left)
            if not done:
                return None
            report = request.result()
            answered = self.response_at
            if getattr(report, "result_id", None):
                self.result_ids[uri] = report.result_id
            if answered - asked < SERVER_SETTLE_TIMEOUT - 0.5:
                return answered

    def publish_for(self, uri: str, version: int, since: float) -> Publish | None:
        return next((p for p in self.publishes if p.uri == uri and p.version == version and p.at >= since), None)

    async def close_session(self, timeout: float = 20.0) -> dict:
        """shutdown + exit; waits for the server to end (kills it after `timeout`)."""
        outcome = {"clean_exit": False, "killed": False, "returncode": None}
        try:
            await asyncio.wait_for(self.shutdown_async(None), timeout)
            self.exit(None)
            await asyncio.wait_for(self._server.wait(), timeout)
            outcome["clean_exit"] = True
        except (asyncio.TimeoutError, RuntimeError, ConnectionError) as err:
            log.warning("server did not shut down cleanly: %r", err)
            if self._server.returncode is None:
                self._server.kill()
                outcome["killed"] = True
                await self._server.wait()
        outcome["returncode"] = self._server.returncode
        self._stop_event.set()
        if self._stderr_task is not None:
            await asyncio.wait([self._stderr_task], timeout=5)
        for task in self._async_tasks:
            task.cancel()
        return outcome


# -- /proc ----------------------------------------------------------------------------------------------
def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2:].split()[1])  # fields after "(comm)": state ppid ...


def descendants(pid: int) -> list[int]:
    """All processes below `pid` (children, grandchildren...), from /proc/*/stat."""
    parent_of = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            ppid = _ppid(int(entry))
            if ppid is not None:
                parent_of[int(entry)] = ppid
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = sorted(c for c, pp in parent_of.items() if pp == p)
        found.extend(kids)
        frontier.extend(kids)
    return found


def status_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) in kB from /proc/PID/status ({} when the process is gone)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    """user + system CPU time of a process so far (/proc/PID/stat utime, stime)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def describe(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(a.decode("utf-8", "replace") for a in argv if a)
    if "resource_tracker" in text:
        return "multiprocessing resource tracker"
    if "spawn_main" in text or "multiprocessing" in text:
        return "check worker"
    return text[:80]


def alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def cpu_by_role(server_pid: int, pids: list[int]) -> dict[str, float]:
    """CPU seconds used so far by the server's main process and by all processes below it."""
    return {"main": cpu_seconds(server_pid), "workers": sum(cpu_seconds(p) for p in pids)}


def memory_snapshot(server_pid: int) -> dict:
    """RSS of the server and each descendant (MB), and their sum."""
    procs = []
    for pid in [server_pid, *descendants(server_pid)]:
        kb = status_kb(pid)
        if kb:
            procs.append({"pid": pid, "role": "server" if pid == server_pid else describe(pid),
                          "rss_mb": kb.get("VmRSS", 0) / 1024, "hwm_mb": kb.get("VmHWM", 0) / 1024,
                          "cpu_s": cpu_seconds(pid)})
    return {"processes": procs, "total_rss_mb": sum(p["rss_mb"] for p in procs), "total_cpu_s": sum(p["cpu_s"] for p in procs),
            "total_hwm_mb": sum(p["hwm_mb"] for p in procs)}


async def wait_gone(pids: list[int], timeout: float = 10.0) -> list[int]:
    """pids still alive after `timeout` (orphans)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        await asyncio.sleep(0.2)
    return [p for p in pids if alive(p)]


def sync_kind(result: types.InitializeResult) -> str:
    sync = result.capabilities.text_document_sync
    kind = sync.change if isinstance(sync, types.TextDocumentSyncOptions) else sync
    return types.TextDocumentSyncKind(kind).name if kind is not None else "None"
