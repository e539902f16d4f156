"""Worker side of incremental checks: a root's checks go to one process, which keeps its state."""

from __future__ import annotations

import multiprocessing
import os
from types import SimpleNamespace

from apigov_ls.server import checker
from apigov_ls.server.checker import CheckJob, analyse
from apigov_ls.server.config import Settings
from apigov_ls.server.pinned_pool import PinnedPool
from apigov_ls.server.rulesets import RulesetCache

DOC = """\
openapi: 3.0.3
info:
  title: Worker
  version: "1"
paths:
  /a:
    get:
      description: A
      responses:
        '200':
          description: ok
"""


def _pid(_job) -> int:
    return os.getpid()


def test_checks_of_a_root_always_run_in_the_same_process():
    pool = PinnedPool(2, mp_context=multiprocessing.get_context("spawn"))
    try:
        roots = [f"/w/root{i}.yaml" for i in range(6)]
        first = {r: pool.submit(_pid, SimpleNamespace(root=r)).result(timeout=60) for r in roots}
        again = {r: pool.submit(_pid, SimpleNamespace(root=r)).result(timeout=60) for r in roots}
        assert first == again
        assert len(set(first.values())) == 2  # six roots spread over both workers
    finally:
        pool.shutdown(wait=True)


def _findings(analysis):
    return sorted((f.code, f.range, f.message) for f in analysis.findings)


def test_an_open_root_is_checked_incrementally_with_the_same_findings(tmp_path):
    path = str(tmp_path / "api.yaml")
    with open(path, "w") as fh:
        fh.write(DOC)
    settings = Settings(ruleset="spectral:oas")
    rulesets = RulesetCache()

    def job(text: str) -> CheckJob:
        return CheckJob(path, {path: text}, settings, [str(tmp_path)], True, "utf-16", 0)

    checker._worker_state.pop("linters", None)
    analyse(job(DOC), rulesets, {})
    edited = DOC.replace("description: A", "description: A <script>")
    incremental = analyse(job(edited), rulesets, {})
    linter = checker._worker_state["linters"][path][1]
    assert linter.last_mode == "incremental"
    # the same check without worker state: a from-scratch lint
    checker._worker_state.pop("linters", None)
    fresh = analyse(job(edited), rulesets, {})
    assert _findings(incremental) == _findings(fresh)
    assert "no-script-tags-in-markdown" in {f.code for f in incremental.findings}
