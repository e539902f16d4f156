"""IndexedDocument: incremental edits give the same text as pygls and the same line starts as a fresh index."""

from __future__ import annotations

import random

from lsprotocol import types
from pygls.workspace import PositionCodec, TextDocument

from apigov_ls.document.positions import LineIndex, to_client_character
from apigov_ls.server.text_sync import IndexedDocument

PIECES = ["a", "key: value", "\n", "\r\n", "\r", "é", "😀", "  - x\n", "", "\n\n"]


def client_position(text: str, offset: int, encoding: str) -> types.Position:
    index = LineIndex(text)
    pos = index.position(offset)
    return types.Position(pos.line, to_client_character(index.line_text(pos.line), pos.character, encoding))


def test_random_edits_match_pygls_and_a_fresh_index():
    rng = random.Random(7)
    for encoding in (types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf32):
        codec = PositionCodec(encoding)
        text = "openapi: 3.0.0\r\ninfo:\n  title: é😀\r  version: '1'\n"
        ours = IndexedDocument("file:///a.yaml", text, position_codec=codec)
        theirs = TextDocument("file:///a.yaml", text, position_codec=codec)
        for _ in range(400):
            current = ours.source
            a, b = sorted(rng.randrange(len(current) + 1) for _ in range(2))
            # never split a "\r\n" pair or a surrogate-free code point: edits land between characters
            if 0 < a < len(current) and current[a - 1:a + 1] == "\r\n":
                a -= 1
            if 0 < b < len(current) and current[b - 1:b + 1] == "\r\n":
                b += 1
            insert = "".join(rng.choice(PIECES) for _ in range(rng.randrange(3)))
            change = types.TextDocumentContentChangePartial(
                range=types.Range(client_position(current, a, encoding), client_position(current, b, encoding)), text=insert)
            ours.apply_change(change)
            theirs.apply_change(change)
            assert ours.source == current[:a] + insert + current[b:]
            assert ours.source == theirs.source
            assert ours.line_index.starts == LineIndex(ours.source).starts


def test_full_change_resets_the_index():
    doc = IndexedDocument("file:///a.yaml", "a\nb\n")
    assert doc.line_index.line_count == 3
    doc.apply_change(types.TextDocumentContentChangeWholeDocument(text="x"))
    assert doc.line_index.starts == [0] and doc.line_index.text == "x"
