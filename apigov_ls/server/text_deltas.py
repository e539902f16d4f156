"""Open texts sent to a check worker as the edits since the text it already holds.

A check job used to carry every open text whole: 3.4 MB pickled, piped and unpickled per
keystroke for api.github.com.yaml. The worker that checks a root keeps the texts of that root's
last job, each named by a token (`IndexedDocument.token`: the document's serial number and edit
revision in the server process, so equal tokens mean equal texts). The next job sends, for a text
whose edits since that token are still logged, a `TextDelta` instead. A worker that does not hold
the base text (a new or restarted worker, a root it dropped) answers with the paths it is missing
(`Analysis.missing_texts`) and the server sends them whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: (start, end, new text): replace text[start:end], code-point offsets, applied in order
Edit = tuple[int, int, str]


@dataclass
class TextDelta:
    base: str
    token: str
    edits: list[Edit] = field(default_factory=list)
    #: length of the resulting text: a cheap check that the edits were applied to the right text
    length: int = 0


def apply_edits(text: str, edits: list[Edit]) -> str:
    """`edits` applied in order. They are applied to the span of `text` they cover, which is then
    put back once: each whole-text splice copies the text (api.github.com.yaml holds non-BMP
    characters: 14 MB per copy, ~6 ms), and a typing burst is 30 edits."""
    covering = covering_edit(edits)
    if covering is None:
        return text
    start, old_end, _ = covering
    window = text[start:old_end]
    for a, b, new in edits:
        window = window[: a - start] + new + window[b - start:]
    return "".join((text[:start], window, text[old_end:]))  # one copy of the text (`a + b + c` makes two)


def covering_edit(edits: list[Edit]) -> Edit | None:
    """One edit of the base text with the same result as `edits` applied in order: the smallest span
    of the base text that they change, and its replacement's extent in the result (start, old end,
    new end). None when there are no edits."""
    if not edits:
        return None
    start, old_end, new_end = edits[0][0], edits[0][1], edits[0][0] + len(edits[0][2])
    for a, b, text in edits[1:]:
        # [start, new_end) is the changed span of the current text; [b, ...) beyond it is the base's text shifted
        shift = new_end - old_end
        old_end = max(old_end, b - shift) if b > new_end else old_end
        new_end = max(new_end, b) + len(text) - (b - a)
        start = min(start, a)
    return start, old_end, new_end


def resolve_texts(overlays: dict[str, str], deltas: dict[str, TextDelta], tokens: dict[str, str],
                  held: dict[str, tuple[str, str]]) -> tuple[dict[str, str], dict[str, tuple[str, str]], list[str]]:
    """Worker side: the full open texts of a job, what to hold for the next job (path -> (token, text)),
    and the paths whose base text is not held here (the job cannot be checked without them)."""
    texts = dict(overlays)
    missing = []
    for path, delta in deltas.items():
        token, text = held.get(path, (None, None))
        if token != delta.base or text is None:
            missing.append(path)
            continue
        text = apply_edits(text, delta.edits)
        if len(text) != delta.length:
            missing.append(path)
            continue
        texts[path] = text
    keep = {path: (tokens[path], texts[path]) for path in texts if path in tokens}
    return texts, keep, missing
