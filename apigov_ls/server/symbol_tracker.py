"""Workspace symbols of an incrementally checked root, kept up to date edit by edit (worker side).

Looking up every symbol's position in the source map after an edit costs more than the incremental
check itself on a big root (api.github.com.yaml: 1,764 symbols, ~65 ms, because each lookup makes
the shifting source map shift its entries). After an edit inside one region (what
IncrementalLinter calls an incremental update) a symbol can only change if its specs changed (a
name, kind or container: then everything is looked up again), if it lies in the edited region, or if
its lines touch the edited text. Every other symbol keeps its columns and line text, and moves by
the change in the file's line count when it comes after the edit. The result equals
`symbol_index.workspace_entries` of the new text (tests/server/test_symbol_tracker.py).
"""

from __future__ import annotations

from apigov_ls.server.symbol_index import SymbolSpec, WorkspaceEntry, located_entry, symbol_specs


class SymbolTracker:
    """The workspace symbols of one file, and what is needed to carry them over to its next text."""

    def __init__(self, sf) -> None:
        self._rebuild(sf)

    def _rebuild(self, sf) -> None:
        self.specs: list[SymbolSpec] = symbol_specs(sf.data)
        located = [located_entry(sf, spec) for spec in self.specs]
        self.entries: list[WorkspaceEntry] = [e for e, _, _ in located]
        #: per entry: offsets of the start of its first line and the end of its last line
        self.covers: list[tuple[int, int]] = [(a, b) for _, a, b in located]
        self.text: str = sf.text
        self.line_count: int = sf.source_map.lines.line_count

    def update(self, sf, edit, region: tuple | None) -> list[WorkspaceEntry]:
        """The entries of `sf` (the file's new parse) after `edit` (a TextEdit of the old text: start,
        end, text) was applied inside `region` (a JSON path; None: the edit may have changed anything).

        Returns the same list object when nothing changed."""
        if region is None or edit is None:
            self._rebuild(sf)
            return self.entries
        specs = symbol_specs(sf.data)
        if specs != self.specs:  # a symbol added, removed or renamed: rare enough to look everything up
            self._rebuild(sf)
            return self.entries
        lines = sf.source_map.lines
        delta = len(edit.text) - (edit.end - edit.start)
        line_shift = lines.line_count - self.line_count
        # one character of margin on each side: a "\r\n" split or joined by the edit
        first, last = edit.start - 1, edit.end + 1
        depth = len(region)
        entries, covers, changed = [], [], False
        for spec, entry, (a, b) in zip(specs, self.entries, self.covers):
            if spec[3][:depth] == region or not (b < first or a > last):
                entry, a, b = located_entry(sf, spec)
                changed = True
            elif a > last and (delta or line_shift):
                if line_shift:
                    entry = WorkspaceEntry(entry.name, entry.kind, entry.container, entry.path, entry.line + line_shift,
                                           entry.start, entry.end, entry.line_text)
                a, b = a + delta, b + delta
                changed = True
            entries.append(entry)
            covers.append((a, b))
        self.covers, self.text, self.line_count = covers, sf.text, lines.line_count
        if changed and entries != self.entries:
            self.entries = entries
        return self.entries
