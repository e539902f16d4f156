"""The $ref graph and symbols travel from the worker only when they changed since the copy the main process holds."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future

from apigov_ls.server import checker
from apigov_ls.server.checker import Analysis, Checker, CheckJob, run_check
from apigov_ls.server.config import Settings
from apigov_ls.server.workspace import Snapshot

DOC = """\
openapi: 3.0.3
info:
  title: Delta
  version: "1"
paths:
  /a:
    get:
      operationId: getA
      description: A
      responses:
        '200':
          $ref: '#/components/responses/Ok'
components:
  responses:
    Ok:
      description: ok
"""


def _job(path: str, text: str, folder: str, held: dict) -> CheckJob:
    return CheckJob(path, {path: text}, Settings(ruleset="spectral:oas"), [folder], True, "utf-16", 0, held=dict(held))


def test_unchanged_refs_and_symbols_are_left_out_and_changed_ones_sent(tmp_path):
    path = str(tmp_path / "api.yaml")
    (tmp_path / "api.yaml").write_text(DOC)
    checker._worker_state.pop("produced", None)
    first = run_check(_job(path, DOC, str(tmp_path), {}))
    assert [r.value for r in first.refs] == ["#/components/responses/Ok"]
    assert any(e.name == "getA" for e in first.symbols)

    edited = DOC.replace("description: A", "description: AB")
    second = run_check(_job(path, edited, str(tmp_path), first.tokens))
    assert second.refs is None and second.symbols is None
    assert second.tokens == first.tokens
    assert second.findings == first.findings  # findings always travel

    # the main process that lost its copy (empty held) gets everything again, with the same tokens
    again = run_check(_job(path, edited, str(tmp_path), {}))
    assert again.refs == first.refs and again.tokens == first.tokens

    renamed = edited.replace("operationId: getA", "operationId: getB")
    third = run_check(_job(path, renamed, str(tmp_path), first.tokens))
    assert third.refs is None  # no $ref changed
    assert [e.name for e in third.symbols if e.name.startswith("get")] == ["getB"]
    assert third.tokens["symbols"] != first.tokens["symbols"]


class _Executor:
    """Runs run_check in-process: the Checker's executor for a test."""

    def submit(self, fn, job):
        fut: Future = Future()
        fut.set_result(fn(job))
        return fut


def test_checker_fills_left_out_parts_from_the_analysis_it_applied(tmp_path):
    path = str(tmp_path / "api.yaml")
    (tmp_path / "api.yaml").write_text(DOC)
    checker._worker_state.pop("produced", None)
    texts = {"text": DOC}
    applied: list[Analysis] = []
    jobs: list[CheckJob] = []

    def make_job(root: str, snapshot: Snapshot) -> CheckJob:
        job = _job(root, snapshot.overlays[root], str(tmp_path), {})
        jobs.append(job)
        return job

    def snapshot() -> Snapshot:
        return Snapshot({path: texts["text"]}, {path: 1})

    async def scenario():
        c = Checker(_Executor(), make_job, snapshot, lambda: {path: 1}, applied.append)
        for text in (DOC, DOC.replace("description: A", "description: AB")):
            texts["text"] = text
            c.schedule(path, 0)
            await c.settled({path}, timeout=30)
            await asyncio.sleep(0)
        return c

    c = asyncio.run(scenario())
    assert jobs[0].held == {} and jobs[1].held == applied[0].tokens
    assert applied[1].refs == applied[0].refs and applied[1].refs is not None
    assert applied[1].symbols == applied[0].symbols
    assert len(applied) == 2 and c.analyses[path] is applied[1]
    # a part left out against a copy the Checker no longer holds is not filled in (the Checker checks again)
    left_out = Analysis(path, {}, [path], refs=None, symbols=None, tokens=dict(applied[1].tokens))
    assert c._fill_unchanged(left_out) and left_out.refs == applied[1].refs
    c.analyses.pop(path)
    assert not c._fill_unchanged(Analysis(path, {}, [path], refs=None, symbols=None, tokens=dict(applied[1].tokens)))
