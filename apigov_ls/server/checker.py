"""Checks of root descriptions in worker processes, debounced, newest edit wins.

Parsing a multi-megabyte YAML file holds the GIL for long stretches (libyaml composes in C),
so a check in a thread would freeze every request; checks run in a process pool instead and
send back a compact `Analysis`: diagnostics already in the client's position encoding, the
$ref graph, the files read and the workspace symbols.

The $ref graph and the symbols of a big root are most of an Analysis's pickle (api.github.com.yaml:
5,456 refs and 1,764 symbols, ~0.9 MB) and rarely change with an edit, so they travel only when
they differ from the copy the main process holds: the CheckJob names that copy's tokens
(`CheckJob.held`, taken from the Analysis the Checker last applied), and the worker leaves out a
part whose token is unchanged (`Analysis.refs`/`symbols` None; the Checker fills them back in).

Each root has at most one check running and at most one pending timer. An edit during a run
marks the root dirty: the finished run is thrown away and a new one starts, so results for an
outdated version are never handed on. A run is also thrown away when any open file it read
changed version (or was opened/closed) meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable

from apigov_ls.document.model import Ref
from apigov_ls.server.config import Settings
from apigov_ls.server.text_deltas import TextDelta, covering_edit, resolve_texts
from apigov_ls.server.workspace import Snapshot

log = logging.getLogger(__name__)

#: ((start line, start char), (end line, end char)) in the client's units
ClientRange = tuple[tuple[int, int], tuple[int, int]]


@dataclass
class FindingAction:
    """A quick fix (or "Ignore RULE here") for one Finding, computed by the worker with the check.

    `edits` are (file path, range in the client's units, new text); a finding inside a $ref'd
    file is fixed in that file."""

    title: str
    #: "fix" or "ignore"
    kind: str
    safe: bool
    preferred: bool
    edits: list[tuple[str, ClientRange, str]] = field(default_factory=list)


@dataclass
class Finding:
    """One lint result, ready for the client (picklable, no rule functions attached)."""

    code: str
    message: str
    severity: int
    source: str
    range: ClientRange
    path: tuple = ()
    source_pointer: tuple | None = None
    documentation_url: str | None = None
    description: str | None = None
    related: list[tuple[str, ClientRange, str]] = field(default_factory=list)
    #: quick fixes and the Ignore action; None until a code action request asked the worker
    #: (fix_worker.run_finding_actions) and the server kept the answer here
    actions: list[FindingAction] | None = None


@dataclass
class RulesetProblem:
    key: str
    reason: str
    file: str | None
    line: int | None


@dataclass
class CheckJob:
    root: str
    overlays: dict[str, str]
    settings: Settings
    folders: list[str]
    included: bool
    encoding: str
    #: bumped by the server when rulesets must be reloaded (a worker keeps its own cache)
    ruleset_generation: int
    #: part name (DELTA_PARTS) -> token of the copy the main process holds for this root; filled by the Checker
    held: dict[str, str] = field(default_factory=dict)
    #: open texts sent as edits of the text the worker holds (text_deltas.py); their paths are not in `overlays`
    deltas: dict[str, TextDelta] = field(default_factory=dict)
    #: path -> token of each open text of the job (IndexedDocument.token): the worker holds them for the next job
    tokens: dict[str, str] = field(default_factory=dict)


@dataclass
class Analysis:
    """One completed check of a root and everything it references."""

    root: str
    versions: dict[str, int]
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: None (also `symbols`): unchanged since the copy named in CheckJob.held, left out by the worker
    refs: list[Ref] | None = field(default_factory=list)
    symbols: list | None = field(default_factory=list)
    ruleset_key: str | None = None
    ruleset_problem: RulesetProblem | None = None
    #: files the ruleset was built from: a change to one of them reloads it
    ruleset_files: list[str] = field(default_factory=list)
    #: False when the root turned out not to be an API description (it is then left alone)
    is_description: bool = True
    error: str | None = None
    seconds: float = 0.0
    #: which check of the worker this is: the worker keeps the last one's results for fixes
    check_id: str = ""
    #: part name (DELTA_PARTS) -> token naming its content, whether it was sent or left out
    tokens: dict[str, str] = field(default_factory=dict)
    #: paths of CheckJob.deltas whose base text this worker does not hold: nothing was checked, send them whole
    missing_texts: list[str] = field(default_factory=list)


#: Analysis fields sent only when they changed (findings are ~90 KB for github: always sent)
DELTA_PARTS = ("refs", "symbols")


# -- worker side ------------------------------------------------------------------------------
_worker_state: dict = {"generation": None, "rulesets": None, "parse_cache": {}}


def run_check(job: CheckJob) -> Analysis:
    """Parse, resolve and lint one root (runs in a worker process)."""
    missing, root_edit = take_texts(job)
    if missing:
        return Analysis(job.root, {}, missing_texts=missing)
    return omit_unchanged(analyse(job, worker_rulesets(job), _worker_state["parse_cache"], root_edit), job)


def take_texts(job: CheckJob) -> tuple[list[str], tuple | None]:
    """Turn the job's text deltas into full texts (`job.overlays`) from the texts this worker holds for
    the root, and hold the job's texts for the next one. Returns the paths it could not rebuild, and
    the root's edit as (base text, start, old end, new end) when it came as a delta."""
    held: dict = _worker_state.setdefault("texts", {})
    mine = held.pop(job.root, {})
    root_edit = None
    covering = covering_edit(job.deltas[job.root].edits) if job.root in job.deltas else None
    if covering is not None and job.root in mine:
        root_edit = (mine[job.root][1], *covering)
    overlays, keep, missing = resolve_texts(job.overlays, job.deltas, job.tokens, mine)
    if missing:  # keep nothing for the root: the server resends every text whole
        return missing, None
    job.overlays, job.deltas = overlays, {}
    held[job.root] = keep  # most recently checked last
    _bound(held, lambda texts: sum(len(t) for _, t in texts.values()))
    return [], root_edit


def omit_unchanged(analysis: Analysis, job: CheckJob) -> Analysis:
    """Leave out the DELTA_PARTS the main process already holds (same token as in `job.held`).

    The worker keeps the last content it produced per part and root with its token; a part gets
    a new token only when its content changed, so equal tokens mean equal content."""
    produced: dict = _worker_state.setdefault("produced", {})
    mine = produced.pop(analysis.root, {})
    for part in DELTA_PARTS:
        value = getattr(analysis, part)
        token, previous = mine.get(part, (None, None))
        if token is None or (previous is not value and previous != value):
            token = _new_token()
        mine[part] = (token, value)
        analysis.tokens[part] = token
        if job.held.get(part) == token:
            setattr(analysis, part, None)
    produced[analysis.root] = mine  # most recently checked last
    while len(produced) > MAX_LINTERS:
        produced.pop(next(iter(produced)))
    return analysis


def forget_root(root: str) -> None:
    """Drop what this worker keeps for a root that is no longer checked (runs in the worker)."""
    for kept in ("linters", "for_fixes", "produced", "plain", "texts", "symbols"):
        _worker_state.get(kept, {}).pop(root, None)


def _new_token() -> str:
    _worker_state["tokens"] = count = _worker_state.get("tokens", 0) + 1
    return f"{os.getpid()}:{count}"


def worker_rulesets(job: CheckJob):
    """This worker's RulesetCache, dropped when the server bumped the ruleset generation."""
    from apigov_ls.server.rulesets import RulesetCache

    if _worker_state["generation"] != job.ruleset_generation or _worker_state["rulesets"] is None:
        _worker_state["rulesets"] = RulesetCache()
        _worker_state["generation"] = job.ruleset_generation
        try:
            from apigov_ls.engine.ruleset import clear_cache

            clear_cache()
        except ImportError:
            pass
    return _worker_state["rulesets"]


def analyse(job: CheckJob, rulesets, cache: dict, root_edit=None) -> Analysis:
    from apigov_ls.document.formats import looks_like_api_description
    from apigov_ls.document.model import FileError, FileLoader
    from apigov_ls.lint import lint_file
    started = time.perf_counter()
    from apigov_ls.document.parse import DEFAULT_MAX_SIZE

    # $refs read only inside the workspace folders, the checked file's own folder and allowedRefRoots
    roots = [*job.folders, os.path.dirname(job.root), *job.settings.allowed_ref_roots]
    loader = FileLoader(dict(job.overlays), cache=cache, allowed_roots=roots,
                        max_size=job.settings.max_file_size or DEFAULT_MAX_SIZE)
    loaded = rulesets.for_file(job.root, job.settings, job.overlays, job.folders)
    problem = None
    if loaded.error is not None:
        problem = RulesetProblem(loaded.key, loaded.error.reason, loaded.error.file, loaded.error.line)
    versions: dict[str, int] = {}
    try:
        step = _incremental_step(job, loaded.ruleset, loader, root_edit)
        report = step.report if step is not None else lint_file(job.root, loaded.ruleset, loader=loader)
    except FileError as err:
        return Analysis(job.root, versions, [job.root], error=str(err), is_description=False, ruleset_problem=problem,
                        ruleset_files=sorted(loaded.files))
    document = report.document
    # a file that does not parse keeps its syntax errors (the text sniff said it is a description)
    is_description = job.included or not document.root.parsed.ok or looks_like_api_description(document.root.data)
    results = override_parser_codes(report.results, job.settings)
    results = _without_baselined(results, job)
    findings = [_finding(r, document, job.encoding) for r in results]
    symbols = _symbols(job, document, step)
    check_id = _keep_for_fixes(job, document, results)
    return Analysis(job.root, versions, list(document.files), findings, list(document.graph.refs), symbols,
                    loaded.key, problem, sorted(loaded.files), is_description, seconds=time.perf_counter() - started,
                    check_id=check_id)


def _keep_for_fixes(job: CheckJob, document, results: list) -> str:
    """Keep the check's results (Finding i is results[i]) and document: fixes are computed from
    them when a code action asks (fix_worker.run_finding_actions), not for every result of every check."""
    _worker_state["checks"] = count = _worker_state.get("checks", 0) + 1
    check_id = f"{os.getpid()}:{count}"
    kept: dict = _worker_state.setdefault("for_fixes", {})
    kept.pop(job.root, None)
    texts = {p: sf.text for p, sf in document.files.items()}
    kept[job.root] = (check_id, document, results, job.encoding, texts)
    _bound(kept, lambda entry: sum(len(t) for t in entry[4].values()))
    return check_id


#: open roots whose IncrementalLinter this worker keeps (the server routes a root to one worker)
MAX_LINTERS = 4
#: characters of text whose parsed state (IncrementalLinter, documents kept for fixes) a worker keeps:
#: a checked root retains ~55x its text (api.github.com.yaml, 3.5 MB: ~190 MB RSS), so this is ~450 MB;
#: the least recently checked roots go first and get a full check next time
WORKER_TEXT_BUDGET = 8_000_000


def _bound(kept: dict, size) -> None:
    """Drop the least recently checked entries (first in `kept`) beyond MAX_LINTERS or the text budget;
    the newest entry is always kept."""
    while len(kept) > MAX_LINTERS or (len(kept) > 1 and sum(size(e) for e in kept.values()) > WORKER_TEXT_BUDGET):
        kept.pop(next(iter(kept)))


@dataclass
class IncrementalStep:
    """One check of an open root by its IncrementalLinter, and what the symbols need to follow it."""

    report: object
    linter: object
    #: the linter's text before this check, and whether it parsed (the incremental model's text)
    previous_text: str
    previous_ok: bool
    #: the edit of `previous_text` this check applied (a TextEdit), when known without diffing
    edit: object = None


def _incremental_check(job: CheckJob, ruleset, loader):
    """The report of `_incremental_step` (None: not an open root checked incrementally)."""
    step = _incremental_step(job, ruleset, loader)
    return step.report if step is not None else None


def _incremental_step(job: CheckJob, ruleset, loader, root_edit=None) -> IncrementalStep | None:
    """Check an open root with the IncrementalLinter this worker keeps for it (None: not open).

    `root_edit` (base text, start, old end, new end) is the edit the job's text deltas made to the
    root: when the linter's text is that base, the linter applies it without diffing 3 MB texts."""
    from apigov_ls.document.incremental import TextEdit
    from apigov_ls.incremental import IncrementalLinter
    from apigov_ls.lint import LintReport

    text = job.overlays.get(job.root)
    plain: dict = _worker_state.setdefault("plain", {})
    if text is None or job.root in plain:
        return None
    linters: dict = _worker_state.setdefault("linters", {})
    entry = linters.pop(job.root, None)
    previous_text, previous_ok, edit = "", False, None
    try:
        # the linter re-checks edits of the root only: another file that changed (open, or on disk) starts afresh
        if entry is None or entry[0] is not ruleset or entry[2] != _other_files(job, entry[1]):
            linter = IncrementalLinter(job.root, ruleset, text=text, loader=loader)
        else:
            linter = entry[1]
            previous_text = linter.text
            previous_ok = linter.document is not None and linter.document.root.parsed.ok
            linter.loader.overlays = dict(job.overlays)  # other open files, for full checks
            if root_edit is not None and (root_edit[0] is previous_text or root_edit[0] == previous_text):
                _, start, old_end, new_end = root_edit
                edit = TextEdit(start, old_end, text[start:new_end])
                linter.update([edit])
            else:
                linter.set_text(text)
    except Exception:  # never worse than a plain check: drop the state, lint from scratch
        log.exception("incremental check of %s failed", job.root)
        return None
    report = LintReport(linter.path, linter.document, list(linter.results))
    step = IncrementalStep(report, linter, previous_text, previous_ok, edit)
    if linter.last_mode == "full" and linter.document.root.parsed.ok and not getattr(linter.document, "incremental", True):
        # every check would be a full one (refs to other files, a $ref on the spine): keeping the
        # linter saves nothing
        _remember_plain(job.root)
        return step
    linters[job.root] = (ruleset, linter, _other_files(job, linter))  # most recently used last
    _bound(linters, lambda entry: len(entry[1].text))
    return step


def _symbols(job: CheckJob, document, step: IncrementalStep | None) -> list:
    """The workspace symbols of the checked files. A root checked incrementally keeps a SymbolTracker,
    which after an edit inside one region looks up only the symbols the edit can have moved."""
    from apigov_ls.document.incremental import diff_edit
    from apigov_ls.server.symbol_index import workspace_entries
    from apigov_ls.server.symbol_tracker import SymbolTracker

    trackers: dict = _worker_state.setdefault("symbols", {})
    tracker = trackers.pop(job.root, None)
    linter = step.linter if step is not None else None
    if linter is None or linter.document is not document or list(document.files) != [job.root]:
        return [e for sf in document.files.values() for e in workspace_entries(sf)]
    sf = document.root
    if tracker is None:
        tracker = SymbolTracker(sf)
    elif linter.last_mode == "incremental" and step.previous_ok and tracker.text == step.previous_text:
        edit = step.edit if step.edit is not None else diff_edit(step.previous_text, sf.text)
        tracker.update(sf, edit, tuple(linter.last_region) if edit is not None else None)
    elif not (linter.last_mode == "unchanged" and tracker.text == sf.text):
        tracker.update(sf, None, None)
    trackers[job.root] = tracker
    _bound(trackers, lambda t: len(t.text))
    return tracker.entries


#: roots remembered as not incrementally checkable (checked with lint_file), per worker
MAX_PLAIN = 64


def _remember_plain(root: str) -> None:
    plain: dict = _worker_state.setdefault("plain", {})
    plain[root] = True
    while len(plain) > MAX_PLAIN:
        plain.pop(next(iter(plain)))


def _other_files(job: CheckJob, linter) -> dict:
    """The other files a root's check read: their open texts, or their modification times on disk."""
    state: dict = {}
    for path in linter.document.files:
        if path == job.root:
            continue
        if path in job.overlays:
            state[path] = job.overlays[path]
            continue
        try:
            state[path] = os.stat(path).st_mtime_ns
        except OSError:
            state[path] = None
    return state


def _client_range(rng, lines, encoding: str) -> ClientRange:
    return ((rng.start.line, lines.to_client_character(rng.start, encoding)),
            (rng.end.line, lines.to_client_character(rng.end, encoding)))


def _without_baselined(results: list, job: CheckJob) -> list:
    """The `baseline` setting: results recorded in the baseline file are not reported."""
    from apigov_ls.baseline import BaselineError, new_results
    from apigov_ls.server.fix_worker import baseline_path

    path = baseline_path(job.settings.baseline, job.root, job.folders)
    if path is None or not results:
        return results
    try:
        return new_results(results, path)
    except BaselineError as err:
        log.warning("baseline setting: %s", err)
        return results


def _finding(result, document, encoding: str) -> Finding:
    files = document.files
    source = result.source if result.source in files else document.root.path
    lines = files[source].source_map.lines
    related = [(rel.source, _client_range(rel.range, files[rel.source].source_map.lines, encoding), rel.message)
               for rel in result.related if rel.source in files]
    rule = result.rule
    return Finding(result.code, result.message, int(result.severity), source, _client_range(result.range, lines, encoding),
                   tuple(result.path), result.source_pointer, result.documentation_url,
                   getattr(rule, "description", None), related)


def override_parser_codes(results: list, settings: Settings) -> list:
    """severityOverrides for codes that are not ruleset rules (parser and $ref problems)."""
    from apigov_ls.engine.types import LintResult

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


# -- event-loop side ----------------------------------------------------------------------------
@dataclass
class _RootState:
    timer: asyncio.TimerHandle | None = None
    running: asyncio.Future | None = None
    dirty: bool = False
    dropped: bool = False
    waiters: list[asyncio.Future] = field(default_factory=list)
    #: path -> token of the text this root's worker was last sent (it holds it: deltas build on it)
    sent: dict[str, str] = field(default_factory=dict)
    #: wall seconds from submitting this root's last check to its result (None: none finished yet)
    turnaround: float | None = None

    @property
    def idle(self) -> bool:
        return self.timer is None and self.running is None


class Checker:
    def __init__(self, executor: Executor, make_job: Callable[[str, Snapshot], CheckJob],
                 take_snapshot: Callable[[], Snapshot], current_versions: Callable[[], dict[str, int]],
                 on_result: Callable[[Analysis], None],
                 edits_between: Callable[[str, str, str], list | None] | None = None):
        self.executor = executor
        #: (path, base token, token) -> the edits between those texts, or None: how jobs send edits, not texts
        self.edits_between = edits_between
        self.make_job = make_job
        self.take_snapshot = take_snapshot
        self.current_versions = current_versions
        self.on_result = on_result
        self.states: dict[str, _RootState] = {}
        self.analyses: dict[str, Analysis] = {}

    def schedule(self, root: str, delay: float) -> None:
        """Check `root` after `delay` seconds of no further edits. The delay adapts to the root's
        checks: it is at most as long as the last check took to come back, so a root checked in
        50 ms is checked 50 ms after a keystroke, not 200 (keystrokes during a check are
        still coalesced: they mark the running check dirty and start one check after it)."""
        state = self.states.setdefault(root, _RootState())
        state.dropped = False
        if state.timer is not None:
            state.timer.cancel()
        if delay > 0 and state.turnaround is not None:
            delay = min(delay, state.turnaround)
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
            self._release(state)  # nobody waits for a root that is no longer checked
        self.analyses.pop(root, None)
        release = getattr(self.executor, "release", None)
        if release is not None:  # a PinnedPool: unpin the root, its worker forgets its state
            release(root, forget_root)

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
        _, pending = await asyncio.wait(waits, timeout=timeout)
        return not pending

    def _start(self, root: str) -> None:
        state = self.states.get(root)
        if state is None:
            return
        state.timer = None
        if state.dropped:
            return
        if state.running is not None:
            state.dirty = True
            return
        snapshot = self.take_snapshot()
        job = self.make_job(root, snapshot)
        held = self.analyses.get(root)
        job.held = dict(held.tokens) if held is not None else {}
        self._send_edits(state, job, snapshot)
        submitted = time.perf_counter()
        fut = asyncio.wrap_future(self.executor.submit(run_check, job))
        state.running = fut
        fut.add_done_callback(lambda f: self._finished(root, snapshot, f, submitted))

    def _send_edits(self, state: _RootState, job: CheckJob, snapshot: Snapshot) -> None:
        """Replace the open texts the root's worker already holds an earlier version of by the edits
        since that version (text_deltas.py); remember what the worker will hold after this job."""
        job.tokens = {p: snapshot.tokens[p] for p in job.overlays if p in snapshot.tokens}
        if self.edits_between is not None:
            for path, token in job.tokens.items():
                base = state.sent.get(path)
                edits = self.edits_between(path, base, token) if base is not None else None
                text = job.overlays[path]
                if edits is None or sum(len(t) for _, _, t in edits) > len(text) // 2:
                    continue
                job.deltas[path] = TextDelta(base, token, edits, len(text))
            if job.deltas:
                job.overlays = {p: t for p, t in job.overlays.items() if p not in job.deltas}
        state.sent = dict(job.tokens)

    def _finished(self, root: str, snapshot: Snapshot, fut: asyncio.Future, submitted: float = 0.0) -> None:
        state = self.states.get(root)
        if state is None:
            return
        state.running = None
        elapsed = time.perf_counter() - submitted
        if state.dropped:
            self._release(state)
            return
        try:
            analysis = fut.result()
        except Exception:  # a crash in the engine must not kill the server
            log.exception("checking %s failed", root)
            state.sent = {}  # what the worker holds is unknown: send whole texts next time
            self._release(state)
            return
        if analysis.missing_texts:
            # the worker does not hold the texts the edits apply to (new or restarted worker, a root
            # it dropped): check again with those texts whole
            log.info("%s: worker lacks the base text of %s, sending it whole", root, ", ".join(analysis.missing_texts))
            state.sent = {}
            if state.timer is None:
                self._start(root)
            return
        state.turnaround = elapsed
        analysis.versions = {f: snapshot.versions[f] for f in analysis.files if f in snapshot.versions}
        if state.dirty or self._outdated(analysis, snapshot) or not self._fill_unchanged(analysis):
            state.dirty = False
            if state.timer is None:
                self._start(root)
            return
        self.analyses[root] = analysis
        try:
            self.on_result(analysis)
        finally:
            if state.idle:
                self._release(state)

    def _fill_unchanged(self, analysis: Analysis) -> bool:
        """Put back the parts the worker left out, from the Analysis they were unchanged against
        (False: that one is no longer held, e.g. the root turned out not to be a description; check again)."""
        held = self.analyses.get(analysis.root)
        for part in DELTA_PARTS:
            if getattr(analysis, part) is not None:
                continue
            if held is None or held.tokens.get(part) != analysis.tokens.get(part):
                log.info("%s: %s left out against a copy no longer held, checking again", analysis.root, part)
                return False
            setattr(analysis, part, getattr(held, part))
        return True

    def _outdated(self, analysis: Analysis, snapshot: Snapshot) -> bool:
        now = self.current_versions()
        return any(snapshot.versions.get(f) != now.get(f) for f in analysis.files)

    @staticmethod
    def _release(state: _RootState) -> None:
        for w in state.waiters:
            if not w.done():
                w.set_result(True)
        state.waiters.clear()


def warm_up() -> None:
    """Import what a check needs, so the first check after start-up is not also paying for imports."""
    import apigov_ls.lint  # noqa: F401
    import apigov_ls.server.symbol_index  # noqa: F401

    try:
        import apigov_ls.engine.ruleset  # noqa: F401
    except ImportError:
        pass
