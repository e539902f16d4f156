from hypothesis import given, strategies as st

from apigov_ls.document.positions import LineIndex, from_client_character, to_client_character
from apigov_ls.engine.types import Position


def test_client_units_for_astral_and_accented_text():
    line = "é😀k: v"
    # the key `k` is at code point 2
    assert to_client_character(line, 2, "utf-32") == 2
    assert to_client_character(line, 2, "utf-16") == 3
    assert to_client_character(line, 2, "utf-8") == 6
    for enc in ("utf-8", "utf-16", "utf-32"):
        assert from_client_character(line, to_client_character(line, 2, enc), enc) == 2


def test_line_index_crlf_and_cr():
    idx = LineIndex("a\r\nbb\rccc\nd")
    assert idx.starts == [0, 3, 6, 10]
    assert idx.position(7) == Position(2, 1)
    assert idx.line_text(0) == "a" and idx.line_text(2) == "ccc" and idx.line_text(3) == "d"
    assert idx.offset(1, 99) == 5  # clamped to the line end


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_round_trip_every_column(line, enc):
    line = line.replace("\n", "").replace("\r", "")
    for i in range(len(line) + 1):
        units = to_client_character(line, i, enc)
        assert from_client_character(line, units, enc) == i
        assert units == len(line[:i].encode(enc.replace("utf-16", "utf-16-le").replace("utf-32", "utf-32-le"))) // {"utf-8": 1, "utf-16": 2, "utf-32": 4}[enc]


@given(st.lists(st.text(alphabet="ab\r\n é", max_size=8), max_size=10))
def test_offsets_round_trip(parts):
    text = "".join(parts)
    idx = LineIndex(text)
    for off in range(len(text) + 1):
        pos = idx.position(off)
        # offsets that fall between \r and \n map to the end of the line
        if off > 0 and text[off - 1 : off + 1] == "\r\n":
            continue
        assert idx.offset(pos.line, pos.character) == off
