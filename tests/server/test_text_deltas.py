"""Open texts reach the check worker as edits of the text it holds, with the results of whole texts."""

from __future__ import annotations

import asyncio
import copy
import random
from concurrent.futures import Future

import pytest
from lsprotocol import types

from apigov_ls.server import checker
from apigov_ls.server.checker import Analysis, Checker, CheckJob, analyse, run_check
from apigov_ls.server.config import Settings
from apigov_ls.server.rulesets import RulesetCache
from apigov_ls.server.text_deltas import apply_edits, covering_edit
from apigov_ls.server.text_sync import IndexedDocument
from apigov_ls.server.workspace import Snapshot, path_to_uri

DOC = """\
openapi: 3.0.3
info:
  title: Deltas
  version: "1"
paths:
  /a:
    get:
      operationId: getA
      description: A
      responses:
        '200':
          description: ok
  /b/:
    post:
      responses:
        '200':
          description: ok
"""


def _change(doc: IndexedDocument, line: int, col: int, end_col: int, text: str) -> None:
    rng = types.Range(types.Position(line, col), types.Position(line, end_col))
    doc.apply_change(types.TextDocumentContentChangePartial(range=rng, text=text))


# -- the main process's edit log ------------------------------------------------------------------
def test_edits_since_a_token_rebuild_the_current_text():
    doc = IndexedDocument("file:///w/api.yaml", DOC, version=1)
    rng = random.Random(7)
    tokens = [(doc.token, doc.source)]
    for _ in range(40):
        line = rng.randrange(len(doc.lines))
        width = len(doc.lines[line].rstrip("\n"))
        a, b = sorted((rng.randint(0, width), rng.randint(0, width)))
        _change(doc, line, a, b, rng.choice(["x", "", "é\n", "\U0001f600", "  key: v\n"]))
        tokens.append((doc.token, doc.source))
    for token, text in tokens:
        edits = doc.edits_since(token)
        assert apply_edits(text, edits) == doc.source
        start, old_end, new_end = covering_edit(edits) or (0, 0, 0)
        assert text[:start] + doc.source[start:new_end] + text[old_end:] == doc.source
    assert len({t for t, _ in tokens}) == len(tokens)  # every text has its own token


def test_edits_are_unknown_after_a_full_change_or_for_another_document():
    doc = IndexedDocument("file:///w/api.yaml", DOC, version=1)
    before = doc.token
    _change(doc, 2, 9, 15, "Other")
    start = len("openapi: 3.0.3\ninfo:\n") + 9
    assert doc.edits_since(before) == [(start, start + 6, "Other")]
    doc.apply_change(types.TextDocumentContentChangeWholeDocument(text=DOC + "\n"))
    assert doc.edits_since(before) is None
    other = IndexedDocument("file:///w/api.yaml", DOC, version=1)
    assert other.edits_since(doc.token) is None and doc.edits_since(other.token) is None


# -- the Checker and its worker ---------------------------------------------------------------
class _ManualExecutor:
    """Runs run_check in-process when the test says so: checks can be overtaken by edits."""

    def __init__(self) -> None:
        self.pending: list[tuple[Future, CheckJob]] = []
        self.jobs: list[CheckJob] = []

    def submit(self, fn, job):
        fut: Future = Future()
        self.pending.append((fut, job))
        self.jobs.append(copy.deepcopy(job))  # as sent: run_check in this process turns deltas into texts
        return fut

    def run_next(self) -> None:
        fut, job = self.pending.pop(0)
        fut.set_result(run_check(job))


def _fresh_findings(path: str, text: str, folder: str) -> list:
    """Findings of a from-scratch check of `text` (a worker with no state at all)."""
    saved = dict(checker._worker_state)
    checker._worker_state.clear()
    checker._worker_state.update({"generation": None, "rulesets": None, "parse_cache": {}})
    try:
        job = CheckJob(path, {path: text}, Settings(ruleset="spectral:oas"), [folder], True, "utf-16", 0)
        return _keys(analyse(job, RulesetCache(), {}).findings)
    finally:
        checker._worker_state.clear()
        checker._worker_state.update(saved)


def _keys(findings) -> list:
    return sorted((f.code, f.range, f.message) for f in findings)


class _Session:
    """One open root in a Checker, its IndexedDocument edited by the test."""

    def __init__(self, tmp_path, name: str = "api.yaml"):
        self.path = str(tmp_path / name)
        (tmp_path / name).write_text(DOC)
        self.folder = str(tmp_path)
        self.doc = IndexedDocument(path_to_uri(self.path), DOC, version=1)
        self.applied: list[Analysis] = []

    def snapshot(self) -> Snapshot:
        return Snapshot({self.path: self.doc.source}, {self.path: self.doc.version}, {self.path: self.doc.token})

    def edits_between(self, path: str, base: str, token: str):
        return self.doc.edits_since(base) if token == self.doc.token else None

    def checker(self, executor) -> Checker:
        def make_job(root: str, snapshot: Snapshot) -> CheckJob:
            return CheckJob(root, dict(snapshot.overlays), Settings(ruleset="spectral:oas"), [self.folder], True, "utf-16", 0)

        return Checker(executor, make_job, self.snapshot, lambda: {self.path: self.doc.version}, self.applied.append,
                       edits_between=self.edits_between)

    def type(self, text: str) -> None:
        line = DOC.split("\n").index("      description: A")
        col = len(self.doc.lines[line].rstrip("\n"))
        _change(self.doc, line, col, col, text)
        self.doc.version += 1


def _forget_everything() -> None:
    for kept in ("linters", "symbols", "texts", "plain", "produced", "for_fixes"):
        checker._worker_state.pop(kept, None)


async def _check(c: Checker, executor: _ManualExecutor, path: str) -> None:
    c.schedule(path, 0)
    while True:
        await asyncio.sleep(0.01)
        if executor.pending:
            executor.run_next()
            await asyncio.sleep(0)
        elif not c.busy(path):
            return


def test_edits_sent_as_deltas_give_the_diagnostics_of_whole_texts(tmp_path):
    _forget_everything()
    s = _Session(tmp_path)
    executor = _ManualExecutor()

    async def scenario():
        c = s.checker(executor)
        await _check(c, executor, s.path)
        for text in ("x", "\n      summary: s", "é"):
            s.type(text)
            await _check(c, executor, s.path)

    asyncio.run(scenario())
    assert executor.jobs[0].deltas == {} and s.path in executor.jobs[0].overlays
    for job in executor.jobs[1:]:  # the edits only: the worker holds the text they apply to
        assert s.path in job.deltas and s.path not in job.overlays
    assert len(s.applied) == 4
    assert _keys(s.applied[-1].findings) == _fresh_findings(s.path, s.doc.source, s.folder)
    assert _keys(s.applied[-1].findings) != _keys(s.applied[0].findings)  # the edits did change the results


@pytest.mark.parametrize("lose", ["restart", "dropped"])
def test_a_worker_without_the_base_text_gets_it_whole(tmp_path, lose, monkeypatch):
    _forget_everything()
    s = _Session(tmp_path)
    executor = _ManualExecutor()

    async def scenario():
        c = s.checker(executor)
        await _check(c, executor, s.path)
        if lose == "restart":  # a new worker process: nothing kept
            _forget_everything()
        else:  # the root dropped from the worker's LRU by another root's check
            monkeypatch.setattr(checker, "MAX_LINTERS", 1)
            other = tmp_path / "other.yaml"
            other.write_text(DOC)
            run_check(CheckJob(str(other), {str(other): DOC}, Settings(ruleset="spectral:oas"), [s.folder], True, "utf-16", 0))
            assert s.path not in checker._worker_state["texts"]
        s.type("yz")
        await _check(c, executor, s.path)

    asyncio.run(scenario())
    delta_job, whole_job = executor.jobs[-2:]
    assert s.path in delta_job.deltas and whole_job.deltas == {} and whole_job.overlays[s.path] == s.doc.source
    assert len(s.applied) == 2
    assert _keys(s.applied[-1].findings) == _fresh_findings(s.path, s.doc.source, s.folder)


def test_a_check_overtaken_by_an_edit_is_not_published(tmp_path):
    _forget_everything()
    s = _Session(tmp_path)
    executor = _ManualExecutor()

    async def scenario():
        c = s.checker(executor)
        await _check(c, executor, s.path)
        s.type("1")
        c.schedule(s.path, 0)
        await asyncio.sleep(0.01)
        assert len(executor.pending) == 1  # checking version 2
        s.type("2")
        c.schedule(s.path, 0)
        await asyncio.sleep(0.01)
        executor.run_next()  # version 2's check finishes after version 3 came in
        await asyncio.sleep(0.01)
        assert len(s.applied) == 1 and executor.pending  # thrown away, version 3 checked next
        executor.run_next()
        await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert len(s.applied) == 2 and s.applied[-1].versions == {s.path: s.doc.version}
    # the worker held version 2's text although its result was thrown away: version 3 came as an edit of it
    assert list(executor.jobs[-1].deltas[s.path].edits) == [s.doc.edits_since(executor.jobs[-2].tokens[s.path])[0]]
    assert _keys(s.applied[-1].findings) == _fresh_findings(s.path, s.doc.source, s.folder)


def test_the_debounce_is_no_longer_than_the_last_check_took():
    async def scenario():
        c = Checker(None, None, None, None, None)
        loop = asyncio.get_running_loop()
        c.schedule("/r.yaml", 0.2)  # nothing checked yet: the setting
        first = c.states["/r.yaml"].timer.when() - loop.time()
        c.states["/r.yaml"].turnaround = 0.03
        c.schedule("/r.yaml", 0.2)
        fast = c.states["/r.yaml"].timer.when() - loop.time()
        c.states["/r.yaml"].turnaround = 4.0
        c.schedule("/r.yaml", 0.2)
        slow = c.states["/r.yaml"].timer.when() - loop.time()
        c.schedule("/r.yaml", 0)  # a save or an open: at once
        now = c.states["/r.yaml"].timer.when() - loop.time()
        c.states["/r.yaml"].timer.cancel()
        return first, fast, slow, now

    first, fast, slow, now = asyncio.run(scenario())
    assert 0.15 < first <= 0.2 and fast <= 0.03 and 0.15 < slow <= 0.2 and now <= 0.001
