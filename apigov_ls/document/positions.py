"""Offsets, (line, character) positions and the column units LSP clients negotiate.

Every parser here reports columns in Unicode code points; LSP clients count in UTF-16 code
units by default, or UTF-8 bytes / UTF-32 code points when negotiated. Conversion happens in
one place: `LineIndex.to_client_character`.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from apigov_ls.engine.types import Position, Range

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Maps code-point offsets in a text to zero-based (line, character) and back."""

    __slots__ = ("text", "starts")

    def __init__(self, text: str):
        self.text = text
        starts = [0]
        starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
        self.starts = starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])

    def range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(end))

    def offset(self, line: int, character: int) -> int:
        """Offset of a code-point position; clamps to the line's end and to the text."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[line]
        end = self.line_end(line)
        return min(start + max(character, 0), end)

    def line_end(self, line: int) -> int:
        """Offset of the end of a line's content (before its line break)."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            if self.text[end - 2 : end] == "\r\n":
                return end - 2
            return end - 1
        return len(self.text)

    def line_text(self, line: int) -> str:
        if line < 0 or line >= len(self.starts):
            return ""
        return self.text[self.starts[line] : self.line_end(line)]

    # -- client units -------------------------------------------------------------------
    def to_client_character(self, position: Position, encoding: str = "utf-16") -> int:
        return to_client_character(self.line_text(position.line), position.character, encoding)

    def from_client_character(self, line: int, character: int, encoding: str = "utf-16") -> int:
        return from_client_character(self.line_text(line), character, encoding)


def to_client_character(line_text: str, character: int, encoding: str = "utf-16") -> int:
    """Convert a code-point column on `line_text` to the client's units (utf-8, utf-16, utf-32)."""
    prefix = line_text[:character]
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-32", "utf32"):
        return len(prefix)
    if enc in ("utf-16", "utf16"):
        if prefix.isascii():
            return len(prefix)
        return len(prefix.encode("utf-16-le")) // 2
    if enc in ("utf-8", "utf8"):
        if prefix.isascii():
            return len(prefix)
        return len(prefix.encode("utf-8", "surrogatepass"))
    raise ValueError(f"unknown position encoding {encoding!r}")


def from_client_character(line_text: str, units: int, encoding: str = "utf-16") -> int:
    """Convert a column in client units back to code points (clamped to the line)."""
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-32", "utf32") or line_text.isascii():
        return min(max(units, 0), len(line_text))
    width = 2 if enc in ("utf-16", "utf16") else None
    count = 0
    for i, ch in enumerate(line_text):
        if count >= units:
            return i
        cp = ord(ch)
        if width == 2:
            count += 2 if cp > 0xFFFF else 1
        else:
            count += 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4
    return len(line_text)
