"""Fix-all: apply every safe (or safe and unsafe) fix of a description, in rounds.

Each round lints the current texts, takes the first fix of each result, skips fixes whose
edits overlap ones already taken, and applies the rest. Fixed texts are re-parsed: a fix that
would break parsing (or add a parse problem) is dropped. Rounds repeat until nothing changes
(fixes that conflicted get their turn, fixes can enable others) or `max_rounds` is reached.
Nothing is written here: see `write_fixed`.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from apigov_ls.document.model import FileLoader, read_text_file, syntax_for
from apigov_ls.document.parse import parse_text
from apigov_ls.fixes.model import EditConflict, Fix, TextEdit, apply_edits
from apigov_ls.fixes.registry import fixes_for


@dataclass
class FixOutcome:
    path: str
    #: original and fixed text of every file that was read or changed
    original: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    applied: list[Fix] = field(default_factory=list)
    rounds: int = 0

    def changed_files(self) -> list[str]:
        return [p for p, text in self.fixed.items() if text != self.original.get(p)]

    def counts(self) -> Counter:
        return Counter(f.code for f in self.applied)


def _parse_problems(path: str, text: str) -> Counter | None:
    parsed = parse_text(text, syntax=syntax_for(path, text))
    if not parsed.ok:
        return None
    return Counter(p.code for p in parsed.problems)


def _allowed(fix: Fix, unsafe: bool, files: set[str] | None) -> bool:
    if fix.kind != "fix" or (not unsafe and not fix.is_safe):
        return False
    return files is None or fix.files() <= files


def fix_document(
    path: str,
    ruleset,
    *,
    unsafe: bool = False,
    text: str | None = None,
    max_rounds: int = 8,
    files: set[str] | None = None,
    codes: set[str] | None = None,
    allowed_roots: list[str] | None = None,
    max_size: int | None = None,
    lint: Callable[[dict[str, str]], Any] | None = None,
) -> FixOutcome:
    """Fix `path` (and the local files it references, unless `files` limits which may change).

    `codes` limits the rule codes whose fixes are applied. Returns the fixed texts; writes nothing.
    `lint(overlays)` replaces the plain `lint_file` of each round (the language server passes one
    that reuses its incremental linter): it gets the texts changed so far and returns a LintReport.
    """
    from apigov_ls.lint import lint_file

    path = path if path.startswith("<") else os.path.abspath(path)
    outcome = FixOutcome(path)
    overlays: dict[str, str] = {}
    if text is not None:
        overlays[path] = text
    for _ in range(max_rounds):
        if lint is not None:
            report = lint(dict(overlays))
        else:
            loader = FileLoader(dict(overlays), allowed_roots=allowed_roots, **({"max_size": max_size} if max_size else {}))
            report = lint_file(path, ruleset, loader=loader)
        if report.document is None or report.document.root.data is None:
            break
        document = report.document
        for p, sf in document.files.items():
            outcome.original.setdefault(p, sf.text)
        taken: list[Fix] = []
        edits: list[TextEdit] = []
        for result in report.results:
            if codes is not None and result.code not in codes:
                continue
            for fix in fixes_for(result, document):
                if not _allowed(fix, unsafe, files):
                    continue
                if any(e.overlaps(o) for e in fix.edits for o in edits) or _self_overlaps(fix):
                    continue
                taken.append(fix)
                edits.extend(fix.edits)
                break
        if not taken:
            break
        new_texts = _apply_round(document, taken)
        if not new_texts:
            break
        outcome.rounds += 1
        outcome.applied.extend(taken)
        for p, t in new_texts.items():
            overlays[p] = t
    outcome.fixed = {p: overlays.get(p, t) for p, t in outcome.original.items()}
    return outcome


def _self_overlaps(fix: Fix) -> bool:
    es = fix.edits
    return any(a.overlaps(b) for i, a in enumerate(es) for b in es[i + 1 :])


def _apply_round(document, taken: list[Fix]) -> dict[str, str]:
    """New texts of the files the taken fixes change; fixes that break parsing are dropped."""
    texts = {p: sf.text for p, sf in document.files.items()}
    baseline = {p: Counter(pr.code for pr in sf.parsed.problems) for p, sf in document.files.items()}

    def attempt(fixes: list[Fix]) -> dict[str, str] | None:
        by_file: dict[str, list[TextEdit]] = {}
        for f in fixes:
            for e in f.edits:
                by_file.setdefault(e.file, []).append(e)
        out = {}
        for p, es in by_file.items():
            if p not in texts:
                return None
            try:
                new = apply_edits(texts[p], es)
            except EditConflict:
                return None
            problems = _parse_problems(p, new)
            if problems is None or any(n > baseline[p].get(c, 0) for c, n in problems.items()):
                return None
            out[p] = new
        return out

    whole = attempt(taken)
    if whole is not None:
        return whole
    # some fix breaks the text: keep the ones that do not, one by one
    kept: list[Fix] = []
    for fix in taken:
        if attempt(kept + [fix]) is not None:
            kept.append(fix)
    taken[:] = kept
    return attempt(kept) or {}


def read_for_fix(path: str) -> tuple[str, int, bool]:
    """(text, mtime_ns, had a BOM) of a file about to be fixed."""
    st = os.stat(path)
    with open(path, "rb") as fh:
        bom = fh.read(3) == b"\xef\xbb\xbf"
    return read_text_file(path), st.st_mtime_ns, bom


def write_fixed(outcome: FixOutcome, mtimes: dict[str, int] | None = None) -> list[str]:
    """Write the changed files atomically; a file changed on disk since it was read is skipped.

    Returns the paths written. Raises nothing for skipped files: they are left untouched.
    """
    from apigov_ls.fsutil import write_atomic

    written = []
    for p in outcome.changed_files():
        try:
            st = os.stat(p)
            with open(p, "rb") as fh:
                bom = fh.read(3) == b"\xef\xbb\xbf"
        except OSError:
            continue
        expect = (mtimes or {}).get(p, st.st_mtime_ns)
        if read_text_file(p) != outcome.original[p]:
            continue  # changed since it was linted
        try:
            write_atomic(p, ("\ufeff" if bom else "") + outcome.fixed[p], expect_mtime_ns=expect)
        except FileExistsError:
            continue
        written.append(p)
    return written
