"""The Node.js worker: one long-lived `node worker.mjs` process per Python process.

Requests and answers are JSON lines over the worker's stdin/stdout (see worker.mjs). A document
is sent once per lint (`set_document`) and referenced by id; objects that the resolved view
shares with the unresolved one (or that several $refs point at) are sent once and rebuilt as
shared objects, so a resolved description does not blow up into copies.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
import threading
import weakref
from importlib.resources import files
from typing import Any

from apigov_ls.engine.types import UNDEFINED

#: Node.js versions older than this lack module.register and import() of CommonJS named exports
MIN_NODE_MAJOR = 18
INSTALL_HINT = (
    "install Node.js 18 or later (https://nodejs.org, or `apt-get install nodejs`) "
    "and make `node` available on PATH, or set APIGOV_NODE to its path"
)
SHARED_MARKER = "$$apigov"


class JSRuntimeMissing(RuntimeError):
    """Node.js is not available: JavaScript functions and rulesets cannot run."""


class JSError(RuntimeError):
    """JavaScript code failed (loading a module, or a function threw). `code` is Node's error code."""

    def __init__(self, message: str, code: str | None = None, stack: str | None = None):
        super().__init__(message)
        self.code = code
        self.stack = stack


def fallback_dir() -> str:
    """Where apigov-ls installs @stoplight/spectral-functions/-formats when a ruleset lacks them."""
    base = os.environ.get("APIGOV_JS_CACHE")
    if not base:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(cache, "apigov-ls", "js")
    return base


_node_checked: dict[str, str | None] = {}


def node_executable() -> str:
    """The `node` to run, checked once per path; raises JSRuntimeMissing with what to install."""
    candidate = os.environ.get("APIGOV_NODE") or shutil.which("node")
    if not candidate:
        raise JSRuntimeMissing(f"Node.js was not found: {INSTALL_HINT}")
    if candidate not in _node_checked:
        try:
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.TimeoutExpired) as err:
            raise JSRuntimeMissing(f"Node.js at {candidate} does not run ({err}): {INSTALL_HINT}") from None
        major = int(version.lstrip("v").split(".")[0]) if version[1:2].isdigit() else 0
        _node_checked[candidate] = version if major >= MIN_NODE_MAJOR else None
    if _node_checked[candidate] is None:
        raise JSRuntimeMissing(f"Node.js at {candidate} is too old: {INSTALL_HINT}")
    return candidate


class Worker:
    """One node process. `request` is thread-safe: callers take turns."""

    def __init__(self, node: str):
        script = str(files("apigov_ls.engine.js").joinpath("worker.mjs"))
        fallback = fallback_dir()
        env = dict(os.environ)
        env["APIGOV_JS_FALLBACK"] = fallback
        env["NODE_PATH"] = os.pathsep.join(p for p in (os.path.join(fallback, "node_modules"), env.get("NODE_PATH")) if p)
        # .js files with `export default` and no "type": "module" (common in rulesets) load as ESM
        args = [node, "--experimental-detect-module", "--no-warnings", script]
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            text=True, encoding="utf-8", bufsize=1,
        )
        self._lock = threading.Lock()
        self._next_id = 0
        #: the worker's last lines on stderr, for error messages (console.log of user functions lands here)
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=50)
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self._documents: dict[int, weakref.ref] = {}
        self._dropped: list[int] = []
        self.node_version = self.request("hello")["node"]

    def _drain_stderr(self) -> None:
        echo = bool(os.environ.get("APIGOV_JS_DEBUG"))
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.stderr_tail.append(line.rstrip("\n"))
            if echo:
                sys.stderr.write("[js] " + line)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, op: str, **fields: Any) -> Any:
        with self._lock:
            self._send_drops()
            return self._request(op, fields)

    def _request(self, op: str, fields: dict) -> Any:
        self._next_id += 1
        msg = {"id": self._next_id, "op": op, **fields}
        line = json.dumps(msg, default=_json_default, separators=(",", ":"))
        try:
            self.proc.stdin.write(line + "\n")  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
            answer = self.proc.stdout.readline()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            answer = ""
        if not answer:
            tail = "\n".join(list(self.stderr_tail)[-5:])
            raise JSError(f"the Node.js worker stopped{': ' + tail if tail else ''}", code="WORKER_EXIT")
        reply = json.loads(answer)
        if not reply.get("ok"):
            err = reply.get("error") or {}
            raise JSError(err.get("message") or "JavaScript error", err.get("code"), err.get("stack"))
        return reply.get("result")

    # -- documents ---------------------------------------------------------------------------
    def document_id(self, document) -> int:
        """Send `document` once (unresolved and resolved views, formats, $ref map); its id after."""
        key = id(document)
        with self._lock:
            ref = self._documents.get(key)
            if ref is not None and ref() is document:
                return key
            self._send_drops()
            table, (unresolved, resolved) = encode_shared(document.unresolved, document.resolved)
            self._request("setDocument", {
                "doc": key, "table": table, "unresolved": unresolved, "resolved": resolved,
                "source": document.source, "formats": sorted(document.formats), "graph": _graph_nodes(document),
            })
            self._documents[key] = weakref.ref(document, lambda _r, k=key: self._dropped.append(k))
            return key

    def _send_drops(self) -> None:
        while self._dropped:
            key = self._dropped.pop()
            ref = self._documents.get(key)
            if ref is not None and ref() is None:
                del self._documents[key]
                self._request("dropDocument", {"doc": key})

    def close(self) -> None:
        if self.alive():
            try:
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()


_worker: Worker | None = None
_worker_lock = threading.Lock()
#: bumped each time a worker starts: function ids from an older worker are stale
generation = 0


def get_worker() -> Worker:
    """The running worker, started (or restarted after a crash) on demand."""
    global _worker, generation
    with _worker_lock:
        if _worker is None or not _worker.alive():
            _worker = Worker(node_executable())
            generation += 1
        return _worker


def stop_worker() -> None:
    global _worker
    with _worker_lock:
        if _worker is not None:
            _worker.close()
            _worker = None


def _json_default(value: Any) -> Any:
    if value is UNDEFINED:
        return None
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)  # dates and other YAML scalars: as their text


def encode_shared(*roots: Any) -> tuple[list, list]:
    """JSON-ready copies of `roots` where a container reached more than once becomes
    `{"$$apigov": k}` and is sent once in the returned table (the worker rebuilds the sharing)."""
    seen: dict[int, int] = {}
    shared: dict[int, int] = {}
    stack = list(roots)
    while stack:  # pass 1: which containers are reached twice (children walked once)
        node = stack.pop()
        if isinstance(node, dict):
            k = id(node)
            if k in seen:
                shared.setdefault(k, len(shared))
                continue
            seen[k] = 1
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            k = id(node)
            if k in seen:
                shared.setdefault(k, len(shared))
                continue
            seen[k] = 1
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    table: list = [None] * len(shared)

    def copy(node: Any, top: bool = False) -> Any:
        if isinstance(node, dict):
            if not top:
                k = shared.get(id(node))
                if k is not None:
                    if table[k] is None:
                        table[k] = 0  # placeholder while building (no cycles in parsed data)
                        table[k] = copy(node, True)
                    return {SHARED_MARKER: k}
            return {key: copy(v) if isinstance(v, (dict, list)) else v for key, v in node.items()}
        if isinstance(node, list):
            if not top:
                k = shared.get(id(node))
                if k is not None:
                    if table[k] is None:
                        table[k] = 0
                        table[k] = copy(node, True)
                    return {SHARED_MARKER: k}
            return [copy(v) if isinstance(v, (dict, list)) else v for v in node]
        return node

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))  # deeply nested schemas (the resolver does the same)
    try:
        return table, [copy(r) for r in roots]
    finally:
        sys.setrecursionlimit(limit)


def _graph_nodes(document) -> dict:
    """Spectral's documentInventory.graph.nodes: {file: {refMap: {"#/pointer/of/$ref": "$ref value"}}}."""
    from apigov_ls.document.model import encode_pointer

    nodes: dict[str, dict] = {}
    for ref in document.graph.refs:
        entry = nodes.setdefault(ref.source, {"refMap": {}})
        entry["refMap"]["#" + encode_pointer(ref.pointer)] = ref.value
    return nodes
