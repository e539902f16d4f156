"""Worker side of code actions: fixes as picklable data in the client's position encoding.

Fixes are computed on request, in the worker that checked the root: it keeps the last check's
document and results (checker._keep_for_fixes), and `run_finding_actions` turns the results a
code action asks about into quick fixes and "Ignore RULE here" actions. Computing them for every
result of every check cost about a third of an incremental check of api.github.com.yaml (0.08 to
0.12 s of 0.3 s for 421 results). Fix-all re-lints in rounds (apigov_ls.fixes.fixall): `run_fix_all`,
with the root's incremental linter. No LSP types here.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
from dataclasses import dataclass, field

from apigov_ls.server.checker import CheckJob, ClientRange, FindingAction
from apigov_ls.server.checker import _client_range as client_range

log = logging.getLogger(__name__)


def finding_actions(result, document, encoding: str) -> list[FindingAction]:
    """The fixes of one result (the first safe one preferred), then its Ignore action."""
    from apigov_ls.fixes import code_actions, edit_ranges

    try:
        fixes = code_actions(result, document)
    except Exception:  # a broken fix function must not cost the diagnostics
        log.exception("fixes for %s failed", result.code)
        return []
    out: list[FindingAction] = []
    preferred_taken = False
    for fix in fixes:
        edits = []
        for path, items in edit_ranges(fix, document).items():
            lines = document.files[path].source_map.lines
            edits.extend((path, client_range(rng, lines, encoding), new_text) for rng, new_text in items)
        is_fix = fix.kind == "fix"
        preferred = is_fix and fix.is_safe and not preferred_taken
        preferred_taken |= preferred
        title = fix.title if fix.is_safe or not is_fix else f"{fix.title} (unsafe)"
        out.append(FindingAction(title, fix.kind, fix.is_safe, preferred, edits))
    return out


def baseline_path(setting: str | None, root: str, folders: list[str]) -> str | None:
    """The `baseline` setting as a path: relative ones against the workspace folder holding `root`
    (the first folder when none does, the root's own folder without a workspace)."""
    if not setting:
        return None
    if os.path.isabs(setting):
        return setting
    holding = [f for f in folders if root.startswith(f.rstrip(os.sep) + os.sep)]
    base = max(holding, key=len) if holding else (folders[0] if folders else os.path.dirname(root))
    return os.path.normpath(os.path.join(base, setting))


@dataclass
class ActionsJob:
    root: str
    #: the Analysis.check_id the findings come from
    check_id: str
    #: positions of the findings in Analysis.findings
    indexes: list[int]


def run_finding_actions(job: ActionsJob) -> list[list[FindingAction]] | None:
    """The actions of some findings of the root's last check; None when this worker's last check
    of the root is another one (or its document changed since): the caller answers nothing."""
    from apigov_ls.server.checker import _worker_state

    kept = _worker_state.get("for_fixes", {}).get(job.root)
    if kept is None or kept[0] != job.check_id:
        return None
    _, document, results, encoding, texts = kept
    if any(p not in document.files or document.files[p].text != t for p, t in texts.items()):
        return None
    return [finding_actions(results[i], document, encoding) if 0 <= i < len(results) else [] for i in job.indexes]


# -- fix-all -----------------------------------------------------------------------------------
@dataclass
class FixAllJob:
    check: CheckJob
    #: the file the fix-all was asked for: the root fixes itself and what it references (as
    #: `apigov lint --fix`), a referenced file only itself
    target: str

    @property
    def root(self) -> str:  # PinnedPool sends it to the worker that checks this root
        return self.check.root


@dataclass
class FixAllResult:
    #: file -> [(range in the client's units, new text)], ranges in the text the fix started from
    edits: dict[str, list[tuple[ClientRange, str]]] = field(default_factory=dict)
    applied: int = 0
    #: every file the fix read (the answer is stale when one of them changed meanwhile)
    files: list[str] = field(default_factory=list)


def run_fix_all(job: FixAllJob) -> FixAllResult:
    """Apply every safe fix as `apigov lint --fix` would, with the open files' texts; returns edits."""
    from apigov_ls.document.model import FileLoader
    from apigov_ls.document.parse import DEFAULT_MAX_SIZE
    from apigov_ls.fixes.fixall import fix_document
    from apigov_ls.lint import lint_file
    from apigov_ls.server.checker import _incremental_check, _worker_state, worker_rulesets

    check = job.check
    ruleset = worker_rulesets(check).for_file(check.root, check.settings, check.overlays, check.folders).ruleset
    roots = [*check.folders, os.path.dirname(check.root), *check.settings.allowed_ref_roots]
    max_size = check.settings.max_file_size or DEFAULT_MAX_SIZE

    def lint(changed: dict[str, str]):
        overlays = {**check.overlays, **changed}
        if all(text == check.overlays.get(p) for p, text in changed.items() if p != check.root):
            # only the root changed: the incremental linter this worker keeps for it re-checks the region
            report = _incremental_check(dataclasses.replace(check, overlays=overlays), ruleset,
                                        FileLoader(overlays, allowed_roots=roots, max_size=max_size))
            if report is not None:
                return report
        return lint_file(check.root, ruleset, loader=FileLoader(overlays, allowed_roots=roots, max_size=max_size))

    files = None if job.target == check.root else {job.target}
    try:
        outcome = fix_document(check.root, ruleset, text=check.overlays.get(check.root), files=files, lint=lint)
    finally:
        # the incremental linter now holds a fixed text: back to the checked one, which the
        # document kept for quick fixes (the same object, edited in place) must show again
        text = check.overlays.get(check.root)
        linter = _worker_state.get("linters", {}).get(check.root)
        if text is not None and linter is not None and linter[1].text != text.lstrip("\ufeff"):
            linter[1].loader.overlays = dict(check.overlays)
            linter[1].set_text(text)
        _rekeep_for_fixes(check)
    result = FixAllResult(applied=len(outcome.applied), files=sorted(outcome.original))
    for path in outcome.changed_files():
        result.edits[path] = diff_edits(outcome.original[path], outcome.fixed[path], check.encoding)
    return result


def _rekeep_for_fixes(check: CheckJob) -> None:
    """After a fix-all: when its re-lints left the document kept for quick fixes edited (a check that
    fell back to a full one had already re-parsed the old model in place), keep the linter's document
    of the checked text instead, provided its results are the very ones the findings were made from."""
    from apigov_ls.server.checker import _without_baselined, _worker_state, override_parser_codes

    kept = _worker_state.get("for_fixes", {}).get(check.root)
    linter = _worker_state.get("linters", {}).get(check.root)
    if kept is None or linter is None:
        return
    check_id, document, results, encoding, texts = kept
    if all(p in document.files and document.files[p].text == t for p, t in texts.items()):
        return
    fresh = linter[1].document
    if fresh is None or {p: sf.text for p, sf in fresh.files.items()} != texts:
        return
    again = _without_baselined(override_parser_codes(list(linter[1].results), check.settings), check)
    if [(r.code, r.range, r.message) for r in again] == [(r.code, r.range, r.message) for r in results]:
        _worker_state["for_fixes"][check.root] = (check_id, fresh, again, encoding, texts)


def diff_edits(old: str, new: str, encoding: str) -> list[tuple[ClientRange, str]]:
    """Line-wise edits turning `old` into `new` (ranges in `old`, in the client's units): the
    editor keeps its cursor and undo history for the lines that stay."""
    from apigov_ls.document.positions import LineIndex

    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    # the common head and tail first: SequenceMatcher only sees the changed middle of a large file
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    starts = [0]
    for line in a:
        starts.append(starts[-1] + len(line))
    lines = LineIndex(old)
    out = []
    matcher = difflib.SequenceMatcher(None, a[head : len(a) - tail], b[head : len(b) - tail])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = starts[head + i1], starts[head + i2]
        out.append((client_range(lines.range(start, end), lines, encoding), "".join(b[head + j1 : head + j2])))
    return out
