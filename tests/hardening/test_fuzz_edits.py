"""Never crash, never hang: random edit sequences against the real server over stdio.

After every edit the server must answer documentSymbol within 2 s, stay alive, and every
diagnostic it publishes for a version must lie inside that version's text. Derandomized with a
small budget for CI; HYPOTHESIS_PROFILE=long runs far more examples (docs/SECURITY.md).
"""

from __future__ import annotations

import os
import queue
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .rawlsp import RawServer

settings.register_profile("ci", max_examples=6, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("long", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SYNTHETIC = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n"
JUNK = ["\t", "\ufeff", "\r\n", "\x00", "'", '"', "[", "{", "]: ", "- ", "&a ", "*a", "$ref: '#/x'", "\n  ", "😀", ":"]


def corpus_documents() -> list[str]:
    docs = [SYNTHETIC]
    if SHARED.is_dir():
        small = sorted((p for p in (SHARED / "corpus").rglob("*.y*ml") if p.stat().st_size < 8000), key=lambda p: p.name)
        docs += [p.read_text(encoding="utf-8", errors="replace") for p in small[:2]]
    return docs


DOCS = corpus_documents()

edit = st.one_of(
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(JUNK) | st.text(max_size=12)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 40)),
    st.tuples(st.just("binary"), st.just(0.0), st.binary(max_size=300)),
)


def apply(text: str, op) -> str:
    kind, where, arg = op
    at = int(where * len(text))
    if kind == "insert":
        return text[:at] + arg + text[at:]
    if kind == "delete":
        return text[:at] + text[at + arg:]
    return arg.decode("utf-8", errors="replace")


def inside(rng: dict, text: str) -> bool:
    lines = text.split("\n")  # LSP lines also end at \r\n; \n-split is the looser bound for the line count
    for end in ("start", "end"):
        line, char = rng[end]["line"], rng[end]["character"]
        if line > len(lines) or (line < len(lines) and char > len(lines[line]) * 2 + 1):
            return False
    return True


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    srv = RawServer(cwd=str(root))
    srv.initialize(str(root))
    yield srv, root
    srv.close()


@settings(settings.get_profile(PROFILE))
@given(doc=st.sampled_from(range(len(DOCS))), ops=st.lists(edit, min_size=1, max_size=8))
def test_fuzz_edits_never_crash_or_hang(server, doc, ops):
    srv, root = server
    uri = (root / f"fuzz-{time.monotonic_ns()}.yaml").as_uri()
    text = DOCS[doc]
    texts = {1: text}
    srv.send({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    for version, op in enumerate(ops, start=2):
        text = apply(text, op)
        texts[version] = text
        srv.send({"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version},
                                                                 "contentChanges": [{"text": text}]}})
        msg_id = f"{uri}-{version}"
        srv.send({"id": msg_id, "method": "textDocument/documentSymbol", "params": {"textDocument": {"uri": uri}}})
        started = time.monotonic()
        reply = srv.response(msg_id, timeout=2.0)
        assert time.monotonic() - started < 2.0 and ("result" in reply or "error" in reply)
        assert srv.proc.poll() is None, "the server died"
    srv.send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})
    # every diagnostic published so far lies inside the text of the version it was computed for
    while True:
        try:
            msg = srv.messages.get_nowait()
        except queue.Empty:
            break
        params = msg.get("params") or {}
        if msg.get("method") == "textDocument/publishDiagnostics" and params.get("uri") == uri and params.get("version") in texts:
            for d in params["diagnostics"]:
                assert inside(d["range"], texts[params["version"]]), (d, params["version"])
