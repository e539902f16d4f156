"""Open documents that apply incremental edits without re-splitting the whole text.

pygls applies an incremental change by splitting the document into lines and writing every
line into a new buffer: for a 3.4 MB description that is hundreds of milliseconds of event-loop
time per keystroke. `IndexedDocument` keeps a `LineIndex` (line start offsets, LSP line breaks
only: \\n, \\r\\n, \\r) and updates it around the edited lines: the cost is two string slices
and shifting the line starts after the edit.

It also logs the edits it applies (code-point offsets), each numbered by the document's revision:
a check job sends a worker only the edits since the text that worker holds (text_deltas.py).
"""

from __future__ import annotations

import itertools

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from apigov_ls.document.positions import _LINE_BREAK, LineIndex, from_client_character


def line_index_of(text: str, starts: list[int]) -> LineIndex:
    index = LineIndex.__new__(LineIndex)
    index.text, index.starts = text, starts
    return index


#: edits kept per document for the check workers; an older base is sent as the whole text
MAX_LOGGED_EDITS = 512
MAX_LOGGED_CHARS = 1_000_000
_serials = itertools.count(1)


class IndexedDocument(TextDocument):
    _index: LineIndex | None = None
    #: the source the log leads to; another source (changed some other way) starts a new revision
    _logged_source: str | None = None
    _revision = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._serial = next(_serials)
        #: (revision after the edit, start, end, new text)
        self._log: list[tuple[int, int, int, str]] = []
        self._logged_chars = 0

    @property
    def token(self) -> str:
        """Names the current text: equal tokens, equal texts (within this server process)."""
        if self._logged_source is not self._source:
            self._new_revision()
        return f"{self._serial}.{self._revision}"

    def edits_since(self, token: str) -> list[tuple[int, int, str]] | None:
        """The edits (start, end, text) that turn the text named `token` into the current one
        (None: that text is not this document's, or its edits are no longer logged)."""
        current = self.token
        serial, _, revision = token.partition(".")
        if serial != str(self._serial) or not revision.isdigit():
            return None
        since = int(revision)
        if token == current:
            return []
        if not self._log or self._log[0][0] > since + 1 or since > self._revision:
            return None
        return [(start, end, text) for rev, start, end, text in self._log if rev > since]

    def _new_revision(self) -> None:
        self._revision += 1
        self._log.clear()
        self._logged_chars = 0
        self._logged_source = self._source

    def _log_edit(self, start: int, end: int, text: str) -> None:
        if self._logged_source is not self._source:
            self._new_revision()
        self._revision += 1
        self._log.append((self._revision, start, end, text))
        self._logged_chars += len(text)
        while len(self._log) > MAX_LOGGED_EDITS or (len(self._log) > 1 and self._logged_chars > MAX_LOGGED_CHARS):
            self._logged_chars -= len(self._log.pop(0)[3])

    @property
    def line_index(self) -> LineIndex:
        """Line starts of the current text (built once, then kept up to date by edits)."""
        source = self.source
        if self._index is None or self._index.text is not source:
            self._index = LineIndex(source)
        return self._index

    def _offset(self, index: LineIndex, pos: types.Position) -> int:
        if pos.line >= index.line_count:
            return len(index.text)
        column = from_client_character(index.line_text(pos.line), pos.character, self.position_codec.encoding)
        return index.offset(pos.line, column)

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        index = self.line_index
        old, starts = index.text, index.starts
        start, end = self._offset(index, change.range.start), self._offset(index, change.range.end)
        if end < start:
            start, end = end, start
        new = "".join((old[:start], change.text, old[end:]))  # a + b + c copies the whole text once more
        delta = len(new) - len(old)
        # re-scan from the line before the edit (a "\r" there may pair with an inserted "\n")
        # to the start of the line after it; line starts beyond are shifted
        first = max(index.position(start).line - 1, 0)
        after = index.position(end).line + 1
        scan_from = starts[first]
        if after < len(starts):
            scan_to, tail = starts[after] + delta, [s + delta for s in starts[after + 1:]]
        else:
            scan_to, tail = len(new), []
        middle = [m.end() for m in _LINE_BREAK.finditer(new, scan_from, scan_to)]
        self._log_edit(start, end, change.text)
        self._source = new
        self._logged_source = new
        self._index = line_index_of(new, starts[: first + 1] + middle + tail)

    def _apply_full_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        super()._apply_full_change(change)
        self._index = None


def use_indexed_documents(workspace: Workspace) -> None:
    """Make `workspace` create IndexedDocuments for the documents opened from now on."""

    def create(doc_uri, source=None, version=None, language_id=None):
        return IndexedDocument(doc_uri, source=source, version=version, language_id=language_id,
                               sync_kind=workspace._sync_kind, position_codec=workspace._position_codec)

    workspace._create_text_document = create
