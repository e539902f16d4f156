"""Checks of root descriptions, off the event loop, debounced, newest edit wins.

Each root has at most one check running (in a worker thread) and at most one pending timer.
An edit during a run marks the root dirty: the finished run is thrown away and a new one
starts, so results for an outdated version are never handed on. A run is also thrown away when
any open file it read changed version (or was opened/closed) meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable

from apigov_ls.document.formats import looks_like_api_description
from apigov_ls.document.model import Document, FileError, FileLoader
from apigov_ls.engine.types import LintResult, RulesetError
from apigov_ls.server.config import Settings
from apigov_ls.server.rulesets import RulesetCache
from apigov_ls.server.workspace import Snapshot

log = logging.getLogger(__name__)


@dataclass
class Analysis:
    """One completed check of a root and everything it references."""

    root: str
    snapshot: Snapshot
    document: Document | None
    results: list[LintResult] = field(default_factory=list)
    ruleset_key: str | None = None
    ruleset_error: RulesetError | None = None
    #: False when the root turned out not to be an API description (it is then left alone)
    is_description: bool = True
    error: str | None = None
    seconds: float = 0.0

    @property
    def files(self) -> set[str]:
        return set(self.document.files) if self.document is not None else {self.root}


def analyse(root: str, snapshot: Snapshot, settings: Settings, rulesets: RulesetCache, folders: list[str],
            cache: dict, included: bool) -> Analysis:
    """Parse, resolve and lint one root (runs in a worker thread)."""
    from apigov_ls.lint import lint_file

    started = time.perf_counter()
    loader = FileLoader(dict(snapshot.overlays), cache=cache)
    loaded = rulesets.for_file(root, settings, snapshot.overlays, folders)
    try:
        report = lint_file(root, loaded.ruleset, loader=loader)
    except FileError as err:
        return Analysis(root, snapshot, None, error=str(err), is_description=False)
    document = report.document
    # a file that does not parse keeps its syntax errors (the text sniff said it is a description)
    is_description = included or document is None or not document.root.parsed.ok or looks_like_api_description(document.root.data)
    results = _override_parser_codes(report.results, settings)
    return Analysis(root, snapshot, document, results, loaded.key, loaded.error, is_description,
                    seconds=time.perf_counter() - started)


def _override_parser_codes(results: list[LintResult], settings: Settings) -> list[LintResult]:
    """severityOverrides for codes that are not ruleset rules (parser and $ref problems)."""
    overrides = settings.severity_overrides
    if not overrides:
        return results
    out = []
    for r in results:
        if r.rule is None and r.code in overrides:
            if overrides[r.code] is None:
                continue
            r = LintResult(r.code, r.message, overrides[r.code], r.path, r.source, r.range, r.documentation_url,
                           r.related, r.rule, r.source_pointer)
        out.append(r)
    return out


@dataclass
class _RootState:
    timer: asyncio.TimerHandle | None = None
    running: asyncio.Future | None = None
    dirty: bool = False
    dropped: bool = False
    waiters: list[asyncio.Future] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        return self.timer is None and self.running is None


class Checker:
    def __init__(self, executor: Executor, run: Callable[[str, Snapshot], Analysis],
                 take_snapshot: Callable[[], Snapshot], current_versions: Callable[[], dict[str, int]],
                 on_result: Callable[[Analysis], None]):
        self.executor = executor
        self.run = run
        self.take_snapshot = take_snapshot
        self.current_versions = current_versions
        self.on_result = on_result
        self.states: dict[str, _RootState] = {}
        self.analyses: dict[str, Analysis] = {}
        self.on_start: Callable[[str], None] | None = None

    def schedule(self, root: str, delay: float) -> None:
        state = self.states.setdefault(root, _RootState())
        state.dropped = False
        if state.timer is not None:
            state.timer.cancel()
        loop = asyncio.get_running_loop()
        state.timer = loop.call_later(delay, self._start, root)

    def drop(self, root: str) -> None:
        """Stop checking a root: a pending timer is cancelled, a running check is discarded."""
        state = self.states.get(root)
        if state is not None:
            if state.timer is not None:
                state.timer.cancel()
                state.timer = None
            state.dropped = True
            if state.running is None:
                self._release(root, state)
        self.analyses.pop(root, None)

    def busy(self, root: str) -> bool:
        state = self.states.get(root)
        return state is not None and not state.idle

    async def settled(self, roots: set[str], timeout: float) -> bool:
        """Wait until none of `roots` has a pending or running check (False on timeout)."""
        loop = asyncio.get_running_loop()
        waits = []
        for root in roots:
            state = self.states.get(root)
            if state is not None and not state.idle:
                fut = loop.create_future()
                state.waiters.append(fut)
                waits.append(fut)
        if not waits:
            return True
        done, pending = await asyncio.wait(waits, timeout=timeout)
        return not pending

    def _start(self, root: str) -> None:
        state = self.states[root]
        state.timer = None
        if state.dropped:
            return
        if state.running is not None:
            state.dirty = True
            return
        snapshot = self.take_snapshot()
        if self.on_start is not None:
            self.on_start(root)
        fut = asyncio.wrap_future(self.executor.submit(self.run, root, snapshot))
        state.running = fut
        fut.add_done_callback(lambda f: self._finished(root, snapshot, f))

    def _finished(self, root: str, snapshot: Snapshot, fut: asyncio.Future) -> None:
        state = self.states[root]
        state.running = None
        if state.dropped:
            self._release(root, state)
            return
        try:
            analysis = fut.result()
        except Exception:  # a crash in the engine must not kill the server
            log.exception("checking %s failed", root)
            self._release(root, state)
            return
        if state.dirty or self._outdated(analysis):
            state.dirty = False
            if state.timer is None:
                self._start(root)
            return
        self.analyses[root] = analysis
        try:
            self.on_result(analysis)
        finally:
            if state.idle:
                self._release(root, state)

    def _outdated(self, analysis: Analysis) -> bool:
        now = self.current_versions()
        return any(analysis.snapshot.versions.get(f) != now.get(f) for f in analysis.files)

    @staticmethod
    def _release(root: str, state: _RootState) -> None:
        for w in state.waiters:
            if not w.done():
                w.set_result(True)
        state.waiters.clear()
