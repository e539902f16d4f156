"""Incremental re-checking of one root description: `IncrementalLinter.update(edits) -> results`.

The linter keeps the last text that parsed (the *model*: ParsedText, IncrementalDocument and
per-region rule results). A new text is diffed against the model's text; when the change lies
inside one region and the incremental parser can re-parse it (apigov_ls/document/incremental.py),
the resolved view is updated for the regions that depend on it
(apigov_ls/document/incremental_model.py) and rules are re-run only there
(apigov_ls/engine/region_walk.py). Anything else is a full check, done the same way as
`lint_file`. Results equal `lint_file`'s for the same text (tests/test_incremental.py).

A text that does not parse gives its syntax error (a full parse) but keeps the model, so the
edit that repairs it is again a small diff against the last good text.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Iterable

from apigov_ls.document.incremental import TextEdit, diff_edit, reparse, shifting_source_map
from apigov_ls.document.incremental_model import IncrementalDocument, region_depth, spine_and_regions
from apigov_ls.document.model import FileLoader
from apigov_ls.engine.region_walk import RegionEvaluator, shift_result
from apigov_ls.engine.ruleset import effective_ruleset
from apigov_ls.engine.runner import dedupe, lint_document, rule_applies
from apigov_ls.engine.types import LintResult, Ruleset
from apigov_ls.lint import finish_results, select_rules
from apigov_ls.suppress import marker_count, marker_count_after


def _trimmed(edit: TextEdit, text: str) -> TextEdit | None:
    """`edit` without the characters it replaces by themselves (None: it changes nothing)."""
    old, new = text[edit.start: edit.end], edit.text
    if old == new:
        return None
    n = min(len(old), len(new))
    p = 0
    while p < n and old[p] == new[p]:
        p += 1
    q = 0
    while q < n - p and old[len(old) - 1 - q] == new[len(new) - 1 - q]:
        q += 1
    return TextEdit(edit.start + p, edit.end - q, new[p: len(new) - q])


def _regions_edited(splice, data, layout: tuple) -> tuple[list, list, tuple | None] | None:
    """(regions re-parsed or added, regions removed, the new layout if it changed) for a
    splice, or None when it changed the spine (not incremental)."""
    depth = region_depth(data, splice.path)
    if depth is not None and len(splice.path) > depth:
        # below a region's root: the mappings above were copied with the same keys and types, so
        # the layout (a walk over every region: ~1 ms on github) is the same
        return [splice.path[:depth]], [], None
    new_layout = spine_and_regions(data)
    if new_layout is None or new_layout[0] != layout[0]:
        return None
    if depth is not None and len(splice.path) >= depth:  # a region's own value re-parsed
        return ([splice.path[:depth]], [], None) if new_layout == layout else None
    if not (splice.run or splice.removed or splice.added or splice.replaced):
        return None  # a spine mapping re-parsed whole (JSON splices name their keys without `run`)
    # members of a spine mapping re-parsed, added, removed: each must be a region
    path = splice.path
    added = [path + (k,) for k in splice.added]
    removed = [path + (k,) for k in splice.removed]
    regions = [path + (k,) for k in splice.replaced] + added
    old_regions, new_regions = set(layout[1]), set(new_layout[1])
    if (not all(r in new_regions for r in regions) or not all(r in old_regions for r in removed)
            or not all(r in old_regions for r in regions if r not in added)
            or old_regions - new_regions != set(removed) or new_regions - old_regions != set(added)):
        return None
    return regions, removed, (None if new_layout == layout else new_layout)


class IncrementalLinter:
    """Lint results of one root file, kept up to date edit by edit (no LSP types here)."""

    def __init__(self, path: str, ruleset: Ruleset, *, text: str | None = None, loader: FileLoader | None = None):
        self.path = path if path.startswith("<") else os.path.abspath(path)
        self.loader = loader or FileLoader()
        self.effective = effective_ruleset(ruleset, self.path)
        self.rules, self.entries = select_rules(self.effective, self.path)
        self.text: str = ""
        self.results: list[LintResult] = []
        self.document: IncrementalDocument | None = None
        self._model: IncrementalDocument | None = None  # the last document whose text parsed
        self._evaluator: RegionEvaluator | None = None
        #: how each update was done: "incremental", "full", "unchanged"
        self.counts: Counter = Counter()
        self.last_mode = ""
        #: the last incremental update: the region edited and how many regions were re-checked
        self.last_region: tuple = ()
        self.last_rechecked = 0
        #: suppression markers in the model's text, counted edit by edit (saves a 3 MB search per edit)
        self._markers = 0
        if text is None:
            from apigov_ls.document.model import read_text_file

            text = self.loader.overlays.get(self.path) or read_text_file(self.path, self.loader.max_size)
        self._full(text)

    # -- public API --------------------------------------------------------------------------------
    def update(self, edits: Iterable[TextEdit]) -> list[LintResult]:
        """Apply edits (in order, each in the coordinates of the text before it) and re-check."""
        edits = list(edits)
        text = self.text
        for edit in edits:
            text = edit.apply(text)
        model = self._model
        if (len(edits) == 1 and model is not None and self._evaluator is not None and self.document is model
                and model.root.parsed.text is self.text and not text.startswith("\ufeff")):
            # one edit of the model's own text: no need to diff the whole text to find it
            edit = _trimmed(edits[0], self.text)
            if edit is None:
                self._mode("unchanged")
                return self.results
            results = self._incremental(model, text, edit)
            return results if results is not None else self._full(text)
        return self.set_text(text)

    def set_text(self, text: str) -> list[LintResult]:
        """Re-check for a new full text of the root file."""
        if text.startswith("\ufeff"):
            text = text[1:]
        if text == self.text:
            self._mode("unchanged")
            return self.results
        model = self._model
        if model is None or self._evaluator is None:
            return self._full(text)
        results = self._incremental(model, text)
        return results if results is not None else self._full(text)

    # -- full checks ---------------------------------------------------------------------------------
    def _full(self, text: str) -> list[LintResult]:
        self._mode("full")
        self.loader.overlays[self.path] = text
        root = self.loader.load(self.path)
        document = IncrementalDocument(root, self.loader)
        self.text = root.text
        self.document = document
        if not root.parsed.ok:
            # keep the last good model: the repairing edit is diffed against it
            self.results = self._finish(document, lint_document(document, self.effective, rules=self.rules))
            return self.results
        self._model = document
        self._evaluator = None
        self._markers = marker_count(root.text)
        if document.incremental and not root.parsed.problems and root.parsed.syntax in ("yaml", "json"):
            shifting_source_map(root.parsed)
            root.source_map.lines  # built now: later edits update it instead of rescanning
            self._evaluator = RegionEvaluator(document, self._active_rules(document))
            self._evaluator.full(document)
            self.results = self._assemble(document)
        else:
            self.results = self._finish(document, lint_document(document, self.effective, rules=self.rules))
        return self.results

    # -- incremental checks ----------------------------------------------------------------------------
    def _incremental(self, model: IncrementalDocument, text: str, edit: TextEdit | None = None) -> list[LintResult] | None:
        parsed = model.root.parsed
        if edit is None:
            edit = diff_edit(parsed.text, text)
        if edit is None:  # back to the model's text (a syntax error was undone)
            self.text, self.document = text, model
            self.results = self._assemble(model)
            self._mode("incremental")
            return self.results
        old_text = parsed.text
        lines = parsed.source_map.lines
        old_end = lines.position(edit.end)
        formats = model.formats
        layout = (model.spine_paths, model.region_paths)
        splice = reparse(parsed, edit, text)
        if splice is None:
            return None
        plan = _regions_edited(splice, parsed.data, layout)
        if plan is None:
            self._model = None
            return None
        regions, removed, new_layout = plan
        new_end = parsed.source_map.lines.position(edit.start + len(edit.text))
        model.map_problems(lambda r: shift_result(r, self.path, old_end, new_end))
        changed = model.update_regions(regions, removed, new_layout)
        if changed is None or model.formats != formats:
            self._model = None
            return None
        self._evaluator.shift(self.path, old_end, new_end)
        self._evaluator.update(model, regions, changed, model.graph_changed, removed, new_layout is not None)
        self.last_region = regions[0] if len(regions) == 1 and not removed else splice.path
        self.last_rechecked = len(changed)
        self.loader.overlays[self.path] = text
        self.loader.cache.pop(self.path, None)  # the cached SourceFile is the model's, now edited
        self.text, self.document = text, model
        self._markers = marker_count_after(self._markers, old_text, text, edit.start, edit.end, len(edit.text))
        self.results = self._assemble(model)
        self._mode("incremental")
        return self.results

    # -- helpers --------------------------------------------------------------------------------------
    def _active_rules(self, document) -> list:
        rules = self.rules if self.rules is not None else list(self.effective.rules.values())
        return [r for r in rules if r.enabled and rule_applies(r, document.formats)]

    def _assemble(self, document) -> list[LintResult]:
        base = lint_document(document, self.effective, rules=[])  # parser/ref problems, unrecognized format
        # the model is one file (IncrementalDocument.incremental): its marker count says it all
        return self._finish(document, dedupe(base + self._evaluator.results()), self._markers > 0)

    def _finish(self, document, results: list[LintResult], markers: bool | None = None) -> list[LintResult]:
        return finish_results(results, document, self.entries, self.path, markers)

    def _mode(self, mode: str) -> None:
        self.last_mode = mode
        self.counts[mode] += 1
