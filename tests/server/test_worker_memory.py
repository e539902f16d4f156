"""What a worker keeps is bounded, and roots are spread over the workers by size, not by a hash."""

from __future__ import annotations

from apigov_ls.server import checker
from apigov_ls.server.checker import CheckJob, forget_root, run_check
from apigov_ls.server.config import Settings
from apigov_ls.server.pinned_pool import PinnedPool

DOC = """\
openapi: 3.0.3
info:
  title: T{n}
  version: "1"
paths:
  /a{n}:
    get:
      description: {pad}
      responses:
        '200':
          description: ok
"""


def test_roots_go_to_the_worker_with_the_fewest_bytes_pinned():
    pool = PinnedPool(2)
    try:
        big, small1, small2 = "/w/big.yaml", "/w/s1.yaml", "/w/s2.yaml"
        first = pool.worker_for(big, 3_000_000)
        assert pool.worker_for(small1, 1000) != first
        assert pool.worker_for(small2, 1000) != first  # 2 KB beside 3 MB: still the lighter worker
        assert pool.worker_for(big, 0) == first  # pinned: the same worker every time
        pool.release(big)
        assert pool.worker_for("/w/next.yaml", 5) == first
    finally:
        pool.shutdown()


def test_worker_keeps_linters_within_the_text_budget_least_recent_first(tmp_path, monkeypatch):
    for kept in ("linters", "for_fixes", "produced"):
        checker._worker_state.pop(kept, None)
    texts = {}
    for n in range(3):
        path = str(tmp_path / f"api{n}.yaml")
        texts[path] = DOC.format(n=n, pad="x" * 3000)
        (tmp_path / f"api{n}.yaml").write_text(texts[path])
    size = len(next(iter(texts.values())))
    monkeypatch.setattr(checker, "WORKER_TEXT_BUDGET", 2 * size + 10)  # room for two roots
    paths = list(texts)
    for path in paths:
        run_check(CheckJob(path, {path: texts[path]}, Settings(ruleset="spectral:oas"), [str(tmp_path)], True, "utf-16", 0))
    assert list(checker._worker_state["linters"]) == paths[1:]
    assert list(checker._worker_state["for_fixes"]) == paths[1:]
    # checking the least recent one again makes it the most recent
    run_check(CheckJob(paths[1], {paths[1]: texts[paths[1]] + "\n"}, Settings(ruleset="spectral:oas"), [str(tmp_path)], True, "utf-16", 0))
    assert list(checker._worker_state["linters"]) == [paths[2], paths[1]]
    forget_root(paths[2])
    assert list(checker._worker_state["linters"]) == [paths[1]]
    assert paths[2] not in checker._worker_state["for_fixes"] and paths[2] not in checker._worker_state["produced"]


CYCLIC = """\
openapi: 3.0.3
info:
  title: Cyclic
  version: "1"
paths:
  /nodes:
    get:
      description: nodes
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Node'
components:
  schemas:
    Node:
      type: object
      properties:
        children:
          type: array
          items:
            $ref: '#/components/schemas/Node'
"""


def test_a_root_with_circular_refs_is_kept_and_checked_incrementally(tmp_path):
    for kept in ("linters", "for_fixes", "produced", "plain"):
        checker._worker_state.pop(kept, None)
    path = str(tmp_path / "cyclic.yaml")
    (tmp_path / "cyclic.yaml").write_text(CYCLIC)

    def check(text):
        return run_check(CheckJob(path, {path: text}, Settings(ruleset="spectral:oas"), [str(tmp_path)], True, "utf-16", 0))

    first = check(CYCLIC)
    assert path in checker._worker_state["linters"] and path not in checker._worker_state["plain"]
    edited = CYCLIC.replace("description: nodes", "description: all nodes")
    second = check(edited)
    assert checker._worker_state["linters"][path][1].last_mode == "incremental"
    assert sorted((f.code, f.range) for f in second.findings) == sorted((f.code, f.range) for f in first.findings)


def test_a_root_that_cannot_be_checked_incrementally_is_not_kept_and_is_checked_plainly(tmp_path):
    for kept in ("linters", "for_fixes", "produced", "plain"):
        checker._worker_state.pop(kept, None)
    path = str(tmp_path / "split.yaml")
    # a ref to another file: IncrementalDocument.incremental is False, every check would be a full one
    split = CYCLIC.replace("$ref: '#/components/schemas/Node'\ncomponents", "$ref: 'node.yaml'\ncomponents")
    assert split != CYCLIC
    (tmp_path / "split.yaml").write_text(split)
    (tmp_path / "node.yaml").write_text("type: object\n")

    def check(text):
        return run_check(CheckJob(path, {path: text}, Settings(ruleset="spectral:oas"), [str(tmp_path)], True, "utf-16", 0))

    first = check(split)
    assert path not in checker._worker_state["linters"] and path in checker._worker_state["plain"]
    edited = split.replace("description: nodes", "description: all nodes")
    second = check(edited)
    assert path not in checker._worker_state["linters"]
    assert sorted((f.code, f.range) for f in second.findings) == sorted((f.code, f.range) for f in first.findings)
    forget_root(path)
    assert path not in checker._worker_state["plain"]
