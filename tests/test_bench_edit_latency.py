"""The pure helpers of the edit-latency benchmark (bench/edit_scripts.py): edits stay valid YAML and do
what their kind says; positions are UTF-16; percentiles match the standard library's. No timing here."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import pytest

from apigov_ls.document.parse import parse_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import edit_scripts as es  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

API = """\
openapi: 3.0.3
info:
  title: Pets
  version: '1'
paths:
  /pets:
    get:
      summary: List pets
      operationId: listPets
      responses:
        '200':
          description: ok
    post:
      summary: "Add a pet"
      description: Adds a pet
      responses:
        '201':
          description: created
  '/pets/{id}':
    get:
      description: |
        One pet
      parameters:
      - name: id
        in: path
        required: true
        schema: {type: string}
      responses:
        '200':
          description: ok
    delete:
      summary: Remove a pet # comment
      responses:
        '204':
          description: gone
components:
  schemas:
    Pet:
      type: object
"""


def operations(data: dict) -> list[tuple[str, str]]:
    return [(p, m) for p, item in (data.get("paths") or {}).items() for m in (item or {}) if m in es.METHODS]


def replay(text: str, edits: list[es.Edit]):
    """Parse after every edit; yields (edit, data before, data after)."""
    before = parse_text(text)
    assert before.ok
    for edit in edits:
        text = es.apply_change(text, edit.change)
        after = parse_text(text)
        assert after.ok, (edit, after.problems[:2])
        yield edit, before, after
        before = after


def test_every_edit_keeps_the_document_valid_and_does_what_its_kind_says():
    edits, final = es.session(API, bursts=2, burst_chars=12, structural=6)
    kinds = [e.kind for e in edits]
    assert kinds.count("type") == 24
    for kind in ("rename-path", "add-response", "delete-operation", "undo-delete", "paste-component"):
        assert kinds.count(kind) == 6
    for edit, before, after in replay(API, edits):
        assert not after.problems, (edit, after.problems[:2])
        old, new = before.data, after.data
        if edit.kind == "rename-path":
            assert len(new["paths"]) == len(old["paths"]) and set(new["paths"]) != set(old["paths"])
        elif edit.kind == "add-response":
            codes = lambda d: sum(len(d["paths"][p][m]["responses"]) for p, m in operations(d))  # noqa: E731
            assert codes(new) == codes(old) + 1
        elif edit.kind == "delete-operation":
            assert len(operations(new)) == len(operations(old)) - 1
        elif edit.kind == "undo-delete":
            assert sorted(operations(new)) == sorted(operations(before_delete.data))
        elif edit.kind == "paste-component":
            added = set(new["components"]["schemas"]) - set(old["components"]["schemas"])
            assert len(added) == 1 and new["components"]["schemas"][added.pop()]["type"] == "object"
        elif edit.kind == "type":
            # one character into one plain scalar (trailing spaces are not part of its value until a letter follows)
            grew = len(str(new)) - len(str(old))
            assert grew == 0 if edit.change.text == " " else grew in (1, 2)
        if edit.kind == "delete-operation":
            before_delete = before
    assert es.apply_change(API, es.Change((0, 0), (0, 0), "")) == API
    assert final.count("BenchPasted") == 6


def test_typing_bursts_append_to_one_line_plain_scalars():
    edits, _ = es.session(API, bursts=3, burst_chars=8, structural=0)
    bursts: dict[int, list[es.Edit]] = {}
    for e in edits:
        bursts.setdefault(e.burst, []).append(e)
    assert len(bursts) == 3
    for keys in bursts.values():
        assert [e.last_in_burst for e in keys] == [False] * 7 + [True]
        assert len({e.change.start[0] for e in keys}) == 1  # one line per burst
        # consecutive keystrokes: each at the end of the previous one
        assert [e.change.start[1] for e in keys] == list(range(keys[0].change.start[1], keys[0].change.start[1] + 8))
    text = API
    for e in edits:
        text = es.apply_change(text, e.change)
    data = parse_text(text).data
    typed = [v for p, m in operations(data) for k, v in data["paths"][p][m].items() if k in ("summary", "description")]
    assert sum(es.TYPED_WORDS[:7] in v for v in typed) >= 1
    # quoted, block and commented values are never typed into
    assert data["paths"]["/pets"]["post"]["summary"] == "Add a pet"
    assert data["paths"]["/pets/{id}"]["get"]["description"] == "One pet\n"
    assert data["paths"]["/pets/{id}"]["delete"]["summary"] == "Remove a pet"


def test_positions_are_utf16_code_units():
    text = "a: x😀y\nb: é\n"
    # 'x' at 3, the emoji takes characters 4-5, 'y' at 6
    assert es.apply_change(text, es.Change((0, 6), (0, 6), "Z")) == "a: x😀Zy\nb: é\n"
    assert es.apply_change(text, es.Change((0, 4), (0, 6), "")) == "a: xy\nb: é\n"
    assert es.apply_change(text, es.Change((0, 7), (1, 3), "")) == "a: x😀yé\n"
    assert es.utf16_len("x😀é") == 4


@pytest.mark.parametrize("values", [[5.0], [3.0, 1.0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [0.3, 7.1, 2.2, 9.9, 4.4, 4.4, 0.01]])
def test_percentiles_match_statistics_quantiles(values):
    if len(values) > 1:
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        for p in (1, 25, 50, 90, 95, 99):
            assert es.percentile(values, p) == pytest.approx(cuts[p - 1])
    assert es.percentile(values, 0) == min(values) and es.percentile(values, 100) == max(values)
    assert es.summarize(values)["max"] == max(values)
    assert es.percentile([], 50) is None and es.summarize([])["n"] == 0


def test_session_on_a_corpus_document_stays_valid():
    path = SHARED / "corpus" / "vacuum-testfiles" / "pegel-online-api.yaml"
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {path}")
    text = path.read_text(encoding="utf-8")
    original = {p.code for p in parse_text(text).problems}
    edits, final = es.session(text, bursts=1, burst_chars=10, structural=5)
    structural = [e for e in edits if e.kind != "type" or e.last_in_burst]
    current = text
    for e in edits:
        current = es.apply_change(current, e.change)
        if e in structural:
            parsed = parse_text(current)
            assert parsed.ok and {p.code for p in parsed.problems} <= original, (e, parsed.problems[:2])
    assert current == final
