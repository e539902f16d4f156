"""The target finder of bench/bench_typing_spread.py: every offset it returns ends a one-line plain
`description:`/`summary:` of an operation or a component schema, where letters can be typed and the
document stays valid. No timing here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from apigov_ls.document.parse import parse_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_typing_spread import spread, typing_lines  # noqa: E402

GITHUB = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "vacuum-testfiles" / "api.github.com.yaml"

DOC = """\
openapi: 3.0.3
info:
  title: Pets
  description: not a target

paths:

  /pets:
    get:
      summary: List pets
      description: 'quoted: not a target'
      responses:
        '200':
          description: not an operation member
components:

  schemas:
    Pet:
      description: A pet
      properties:
        name:
          description: Its name
"""


def test_targets_are_operation_and_schema_one_liners_across_blank_lines():
    found = typing_lines(DOC)
    lines = {cls: [DOC[: off].rsplit("\n", 1)[-1].strip() for off in offs] for cls, offs in found.items()}
    assert lines == {"operation": ["summary: List pets"], "component": ["description: A pet", "description: Its name"]}
    for offs in found.values():
        for off in offs:
            data = parse_text(DOC[:off] + "xyz" + DOC[off:]).data
            assert data is not None


def test_spread_picks_evenly_and_keeps_short_lists():
    assert spread([1, 2, 3], 5) == [1, 2, 3]
    assert spread(list(range(10)), 5) == [0, 2, 4, 6, 8]


@pytest.mark.skipif(not GITHUB.is_file(), reason="shared corpus not found beside the repository")
def test_github_has_enough_targets_of_both_classes():
    found = typing_lines(GITHUB.read_text(encoding="utf-8"))
    assert len(found["operation"]) >= 30 and len(found["component"]) >= 30
