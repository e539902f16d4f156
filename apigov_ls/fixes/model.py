"""What a quick fix is: text edits bound to one rule result, safe or unsafe (ruff's model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Safety(str, Enum):
    """`safe`: keeps the API's meaning and is certainly right (applied by `apigov lint --fix`).
    `unsafe`: changes the contract or inserts placeholders (applied with `--unsafe-fixes`)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace `text[start_offset:end_offset]` of `file` with `new_text` (offsets in code points)."""

    file: str
    start_offset: int
    end_offset: int
    new_text: str

    def overlaps(self, other: "TextEdit") -> bool:
        if self.file != other.file:
            return False
        if self.start_offset == self.end_offset == other.start_offset == other.end_offset:
            return True  # two insertions at one point: their order would be arbitrary
        return self.start_offset < other.end_offset and other.start_offset < self.end_offset


@dataclass(slots=True)
class Fix:
    """One fix for one result. `edits` are minimal: text outside them stays byte for byte."""

    title: str
    safety: Safety
    edits: list[TextEdit] = field(default_factory=list)
    #: the rule code the fix resolves (set by the registry)
    code: str | None = None
    #: "fix" for a real fix, "ignore" for a suppression ("Ignore RULE here")
    kind: str = "fix"

    @property
    def is_safe(self) -> bool:
        return self.safety == Safety.SAFE

    def files(self) -> set[str]:
        return {e.file for e in self.edits}


class EditConflict(ValueError):
    """Edits that overlap cannot be applied together."""


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply edits of one file to its text. Raises EditConflict when two edits overlap."""
    ordered = sorted(edits, key=lambda e: (e.start_offset, e.end_offset))
    for a, b in zip(ordered, ordered[1:]):
        if a.end_offset > b.start_offset or (a.start_offset == a.end_offset == b.start_offset == b.end_offset):
            raise EditConflict(f"edits overlap at offset {b.start_offset}")
    out = []
    pos = 0
    for e in ordered:
        if not 0 <= e.start_offset <= e.end_offset <= len(text):
            raise EditConflict(f"edit {e.start_offset}-{e.end_offset} is outside the text")
        out.append(text[pos : e.start_offset])
        out.append(e.new_text)
        pos = e.end_offset
    out.append(text[pos:])
    return "".join(out)
