"""Where each node of a parsed document sits in its text.

Positions are recorded per container while the data is built: for a dict, key -> (key start,
key end, value start, value end); for a list, index -> (value start, value end), all as
code-point offsets. They are keyed by the container's identity, so a lookup walks the data
along a JSON path. This keeps the map about as large as the number of containers instead
of materialising a tuple path for every node of a multi-megabyte document.
"""

from __future__ import annotations

from typing import Any, Iterator

from apigov_ls.document.positions import LineIndex
from apigov_ls.engine.types import JsonPath, Range


class SourceMap:
    __slots__ = ("text", "_lines", "positions", "root", "root_span")

    def __init__(self, text: str):
        self.text = text
        self._lines: LineIndex | None = None
        #: id(container) -> dict[key, (ks, ke, vs, ve)] or list[(vs, ve)]
        self.positions: dict[int, Any] = {}
        self.root: Any = None
        self.root_span: tuple[int, int] = (0, len(text))

    @property
    def lines(self) -> LineIndex:
        """Line starts, computed on first use (many files of a description never need a position)."""
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    # -- lookups ------------------------------------------------------------------------
    def _walk(self, path: JsonPath) -> tuple[int, tuple | None, tuple[int, int]]:
        """Follow `path` as far as it exists.

        Returns (how many segments matched, the last matched entry, the span of the last
        matched value). The entry is (ks, ke, vs, ve) for a dict member, (vs, ve) for a list item.
        """
        node = self.root
        span = self.root_span
        entry = None
        matched = 0
        for seg in path:
            pos = self.positions.get(id(node))
            if pos is None:
                break
            if isinstance(node, dict):
                key = seg if isinstance(seg, str) else str(seg)
                e = pos.get(key)
                if e is None or key not in node:
                    break
                node = node[key]
                entry = e
                span = (e[2], e[3])
            elif isinstance(node, list):
                try:
                    i = int(seg)
                except (TypeError, ValueError):
                    break
                if not 0 <= i < len(pos) or i >= len(node):
                    break
                node = node[i]
                entry = pos[i]
                span = entry
            else:
                break
            matched += 1
        return matched, entry, span

    def has(self, path: JsonPath) -> bool:
        return self._walk(path)[0] == len(path)

    def value_span(self, path: JsonPath) -> tuple[int, int]:
        """Offsets of the value at `path`, or of its closest existing ancestor."""
        return self._walk(path)[2]

    def key_span(self, path: JsonPath) -> tuple[int, int] | None:
        """Offsets of the key of the dict member at `path`; None when it is a list item or absent."""
        matched, entry, _ = self._walk(path)
        if matched != len(path) or entry is None or len(entry) != 4:
            return None
        return entry[0], entry[1]

    def closest(self, path: JsonPath) -> JsonPath:
        """The longest prefix of `path` that exists in the document."""
        return tuple(path[: self._walk(path)[0]])

    def value_range(self, path: JsonPath) -> Range:
        s, e = self.value_span(path)
        return self.lines.range(s, e)

    def key_range(self, path: JsonPath) -> Range | None:
        span = self.key_span(path)
        return None if span is None else self.lines.range(*span)

    def report_range(self, path: JsonPath) -> Range:
        """The range a problem at `path` is shown at.

        A scalar is shown whole; a mapping or sequence is shown at its key (highlighting a
        500-line object helps nobody); a path that does not exist is shown at its closest
        existing ancestor.
        """
        matched, entry, span = self._walk(path)
        if entry is not None and len(entry) == 4 and (
            matched < len(path) or self._is_container(path[:matched]) or entry[2] == entry[3]
        ):
            return self.lines.range(entry[0], entry[1])
        if matched == 0 and path:
            # nothing matched: point at the start of the document rather than at all of it
            return self.lines.range(span[0], span[0])
        return self.lines.range(*span)

    def _is_container(self, path: JsonPath) -> bool:
        node = self.root
        for seg in path:
            node = node[seg] if isinstance(node, dict) else node[int(seg)]
        return isinstance(node, (dict, list))

    def iter_key_spans(self, node: Any) -> Iterator[tuple[str, tuple[int, int, int, int]]]:
        pos = self.positions.get(id(node))
        if isinstance(pos, dict):
            yield from pos.items()

    def entry(self, container: Any, key: str | int):
        pos = self.positions.get(id(container))
        if pos is None:
            return None
        if isinstance(pos, dict):
            return pos.get(key)
        try:
            return pos[int(key)]
        except (IndexError, ValueError, TypeError):
            return None
