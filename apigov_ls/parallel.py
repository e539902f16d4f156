"""`apigov lint --jobs N`: lint files in worker processes (the engine is CPU-bound Python).

Each worker keeps one FileLoader and loads each ruleset once (load_ruleset caches it); results
come back in apigov_ls.outcome's compact form and are yielded in the order of the paths given,
so the report is the same as a serial run's. Workers ignore SIGINT: on Ctrl-C the parent
terminates them and re-raises KeyboardInterrupt.

Workers are forked when that is safe (Linux, a single-threaded parent, no Node.js worker
running: a fork would share its pipes) and inherit the rulesets already loaded; otherwise they
are spawned and load them themselves.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Iterator, Sequence

from apigov_ls.outcome import FileOutcome, decode, encode


@dataclass(frozen=True)
class LintJob:
    """What every worker needs to lint a file as the serial CLI would."""

    ruleset: str | None          # -r, or None to discover the nearest ruleset per file
    allowed_roots: tuple[str, ...]
    max_size: int
    cwd: str


class WorkerDied(RuntimeError):
    """A worker process ended abruptly (killed, out of memory) while linting `path`."""

    def __init__(self, path: str):
        super().__init__(f"{path}: the worker process linting it stopped unexpectedly")
        self.path = path


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# -- worker side ----------------------------------------------------------------------------------------
_job: LintJob | None = None
_loader = None
_rulesets: dict = {}


def _init_worker(job: LintJob) -> None:
    global _job, _loader
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from apigov_ls.document.model import FileLoader

    if os.getcwd() != job.cwd:
        os.chdir(job.cwd)
    _job = job
    _loader = FileLoader(allowed_roots=list(job.allowed_roots), max_size=job.max_size)


def _lint_in_worker(path: str) -> dict:
    from apigov_ls.cli import _load_ruleset
    from apigov_ls.outcome import lint_outcome

    assert _job is not None
    _, ruleset = _load_ruleset(_job.ruleset, path, _rulesets)
    return encode(lint_outcome(path, ruleset, loader=_loader))


# -- parent side ------------------------------------------------------------------------------------------


def _start_method() -> str:
    try:
        from apigov_ls.engine.js import runtime

        node_running = getattr(runtime, "_worker", None) is not None
    except ImportError:
        node_running = False
    if "fork" in multiprocessing.get_all_start_methods() and os.name == "posix" and threading.active_count() == 1 \
            and not node_running and os.uname().sysname == "Linux":
        return "fork"
    return "spawn"


def _by_size(paths: Sequence[str]) -> list[int]:
    """Indexes of `paths`, largest file first: big files start early and do not finish last."""
    def size(i: int) -> int:
        try:
            return os.path.getsize(paths[i])
        except OSError:
            return 0
    return sorted(range(len(paths)), key=lambda i: -size(i))


def lint_parallel(paths: Sequence[str], job: LintJob, jobs: int) -> Iterator[FileOutcome]:
    """Outcomes of `paths`, in their order, linted by up to `jobs` processes."""
    context = multiprocessing.get_context(_start_method())
    executor = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(paths))), mp_context=context,
                                   initializer=_init_worker, initargs=(job,))
    clean = False
    try:
        futures = {i: executor.submit(_lint_in_worker, paths[i]) for i in _by_size(paths)}
        for i in range(len(paths)):
            try:
                data = futures[i].result()
            except BrokenProcessPool:
                raise WorkerDied(paths[i]) from None
            yield decode(data)
        clean = True
    finally:
        if clean:
            executor.shutdown(wait=True)
        else:  # Ctrl-C, an error, or the caller stopped early: do not wait for files still running
            for proc in list(getattr(executor, "_processes", {}).values()):
                proc.terminate()
            executor.shutdown(wait=False, cancel_futures=True)
