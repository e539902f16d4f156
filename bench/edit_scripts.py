"""Scripted editor sessions on a block-style YAML OpenAPI description, as incremental LSP changes.

An `EditScript` keeps the current text and produces `Edit`s one at a time, each a single
incremental content change (range in LSP positions of the text *before* the change, UTF-16
characters as most clients send them). The kinds mimic what a user does:

- `type`: a burst of keystrokes appending words to a one-line summary/description
- `rename-path`: replace a path key (`/a/{b}` <-> `/a/{b}/bench-renamed`)
- `add-response`: insert a new response code under an operation's `responses:`
- `delete-operation`: remove an operation block (e.g. `delete:` with everything under it)
- `undo-delete`: put the last deleted operation back (Ctrl+Z); keeps small documents from running out
- `paste-component`: insert a schema block under `components.schemas` (or `definitions`)

Targets are found by indentation (no YAML parser), so every intermediate text stays valid YAML
for the block-style documents of the corpus; tests/test_bench_edit_latency.py checks that.
Pure Python, no LSP: the benchmark sends what this produces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
TYPED_WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore"
RENAME_SUFFIX = "/bench-renamed"
RESPONSE_CODES = ("418", "421", "423", "424", "425", "426", "428", "431", "451", "507", "508", "510", "511")
_KEY_LINE = re.compile(r"^(\s*)(['\"]?)([^'\"#:]*)\2:\s*(.*)$")


@dataclass(frozen=True)
class Change:
    """One incremental content change: replace start..end (line, UTF-16 character) with `text`."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str


@dataclass(frozen=True)
class Edit:
    kind: str
    change: Change
    #: for `type`: which burst, and whether this is the burst's last keystroke
    burst: int | None = None
    last_in_burst: bool = False


# -- positions -------------------------------------------------------------------------------------
def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def index_of(line: str, character: int) -> int:
    """Code point index in `line` of a UTF-16 character position (clamped to the line)."""
    i = units = 0
    while i < len(line) and units < character:
        units += 2 if ord(line[i]) > 0xFFFF else 1
        i += 1
    return i


def apply_to_lines(lines: list[str], change: Change) -> list[str]:
    """The lines (text split at "\n") after `change`; positions past the end clamp to it."""
    (l1, c1), (l2, c2) = change.start, change.end
    if l2 >= len(lines):
        l2, c2 = len(lines) - 1, utf16_len(lines[-1])
    head = lines[l1][: index_of(lines[l1], c1)]
    tail = lines[l2][index_of(lines[l2], c2):]
    return lines[:l1] + (head + change.text + tail).split("\n") + lines[l2 + 1:]


def apply_change(text: str, change: Change) -> str:
    return "\n".join(apply_to_lines(text.split("\n"), change))


# -- structure by indentation ----------------------------------------------------------------------------
def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_content(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def block_end(lines: list[str], i: int) -> int:
    """Index of the first line after line i's block (next content line indented no deeper)."""
    ind = indent_of(lines[i])
    j = i + 1
    while j < len(lines) and (not is_content(lines[j]) or indent_of(lines[j]) > ind):
        j += 1
    # trailing blank/comment lines belong to the next block
    while j - 1 > i and not is_content(lines[j - 1]):
        j -= 1
    return j


def children(lines: list[str], i: int) -> list[int]:
    """Lines of the direct mapping keys under line i (one pass: this runs over 80k-line documents)."""
    ind, child, out = indent_of(lines[i]), None, []
    for k in range(i + 1, len(lines)):
        line = lines[k]
        s = line.lstrip(" ")
        if not s or s[0] == "#":
            continue
        depth = len(line) - len(s)
        if depth <= ind:
            break
        if child is None:
            child = depth
        if depth == child and not s.startswith("- "):
            out.append(k)
    return out


def top_key(lines: list[str], name: str) -> int | None:
    for i, line in enumerate(lines):
        if line.startswith(f"{name}:") and line[len(name) + 1:].strip() == "":
            return i
    return None


def key_of(line: str) -> str | None:
    m = _KEY_LINE.match(line)
    return m.group(3) if m else None


def child_named(lines: list[str], i: int, name: str) -> int | None:
    return next((k for k in children(lines, i) if key_of(lines[k]) == name), None)


def path_lines(lines: list[str]) -> list[int]:
    paths = top_key(lines, "paths")
    if paths is None:
        raise ValueError("no block-style `paths:` at the top level")
    return [k for k in children(lines, paths) if (key_of(lines[k]) or "").startswith("/")]


def operation_lines(lines: list[str]) -> list[tuple[int, int]]:
    """(path line, operation line) for every operation."""
    return [(p, k) for p in path_lines(lines) for k in children(lines, p) if key_of(lines[k]) in METHODS]


# -- the script ---------------------------------------------------------------------------------------
class EditScript:
    """Produces edits against the current text and applies them (`self.text` follows)."""

    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.counter = 0
        self.bursts = 0
        self.deleted: list[tuple[int, str]] = []  # (line, block text) for undo-delete

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def _emit(self, kind: str, change: Change, **kw) -> Edit:
        self.lines = apply_to_lines(self.lines, change)
        self.counter += 1
        return Edit(kind, change, **kw)

    def _pick(self, candidates: list, what: str):
        if not candidates:
            raise ValueError(f"no {what} to edit")
        return candidates[(self.counter * 7919) % len(candidates)]  # spread over the document, reproducibly

    # typing ------------------------------------------------------------------------------------------
    def typing_targets(self) -> list[int]:
        """Operation summary/description lines holding a one-line plain scalar (safe to append letters to)."""
        lines = self.lines
        out = []
        for _, op in operation_lines(lines):
            for k in children(lines, op):
                if key_of(lines[k]) not in ("summary", "description"):
                    continue
                value = lines[k].split(":", 1)[1].strip()
                nxt = next((j for j in range(k + 1, len(lines)) if is_content(lines[j])), None)
                continuation = nxt is not None and indent_of(lines[nxt]) > indent_of(lines[k])
                if (value and value[0] not in "'\"|>&*!{[%@`?-" and " #" not in value and not value.endswith(":")
                        and not continuation):
                    out.append(k)
        return out

    def type_burst(self, chars: int) -> list[Edit]:
        """`chars` keystrokes appending words at the end of one summary/description line."""
        line = self._pick(self.typing_targets(), "one-line summary/description")
        typed = (" " + TYPED_WORDS) * (chars // len(TYPED_WORDS) + 1)
        burst, edits = self.bursts, []
        self.bursts += 1
        for n in range(chars):
            col = utf16_len(self.lines[line])
            edits.append(self._emit("type", Change((line, col), (line, col), typed[n]), burst=burst, last_in_burst=n == chars - 1))
        return edits

    # structural edits ----------------------------------------------------------------------------------
    def rename_path(self) -> Edit:
        lines = self.lines
        line = self._pick(path_lines(lines), "path")
        old = key_of(lines[line])
        new = old[: -len(RENAME_SUFFIX)] if old.endswith(RENAME_SUFFIX) else old + RENAME_SUFFIX
        col = lines[line].index(old)
        return self._emit("rename-path", Change((line, utf16_len(lines[line][:col])), (line, utf16_len(lines[line][:col + len(old)])), new))

    def add_response(self) -> Edit:
        lines = self.lines
        targets = []
        for _, op in operation_lines(lines):
            r = child_named(lines, op, "responses")
            if r is not None and lines[r].split(":", 1)[1].strip() == "" and children(lines, r):
                targets.append(r)
        r = self._pick(targets, "block-style responses")
        existing = {key_of(lines[k]) for k in children(lines, r)}
        code = next((c for c in RESPONSE_CODES if c not in existing), None)
        if code is None:
            raise ValueError("every bench response code is already there")
        ind = " " * indent_of(lines[children(lines, r)[0]])
        step = " " * max(2, indent_of(lines[children(lines, r)[0]]) - indent_of(lines[r]))
        block = f"{ind}'{code}':\n{ind}{step}description: Added by the edit-latency benchmark\n"
        return self._emit("add-response", Change((r + 1, 0), (r + 1, 0), block))

    def delete_operation(self) -> Edit:
        lines = self.lines
        # prefer paths with another operation left, so the path item does not become empty
        ops = operation_lines(lines)
        per_path: dict[int, int] = {}
        for p, _ in ops:
            per_path[p] = per_path.get(p, 0) + 1
        candidates = [op for p, op in ops if per_path[p] > 1] or [op for _, op in ops]
        op = self._pick(candidates, "operation")
        end = block_end(lines, op)
        self.deleted.append((op, "\n".join(lines[op:end]) + "\n"))
        return self._emit("delete-operation", Change((op, 0), (end, 0), ""))

    def undo_delete(self) -> Edit:
        line, block = self.deleted.pop()
        return self._emit("undo-delete", Change((line, 0), (line, 0), block))

    def paste_component(self) -> Edit:
        lines = self.lines
        components = top_key(lines, "components")
        parent = child_named(lines, components, "schemas") if components is not None else top_key(lines, "definitions")
        if parent is None or not children(lines, parent):
            raise ValueError("no block-style components.schemas or definitions to paste into")
        ind = " " * indent_of(lines[children(lines, parent)[0]])
        name = f"BenchPasted{self.counter}"
        body = [f"{name}:", "  type: object", "  description: Pasted by the edit-latency benchmark", "  required:",
                "  - id", "  properties:", "    id:", "      type: string", "      format: uuid", "    tags:",
                "      type: array", "      items:", "        type: string", "        maxLength: 64"]
        block = "".join(f"{ind}{row}\n" for row in body)
        return self._emit("paste-component", Change((parent + 1, 0), (parent + 1, 0), block))


def session(text: str, *, bursts: int = 4, burst_chars: int = 30, structural: int = 20) -> tuple[list[Edit], str]:
    """A whole editing session: typing bursts interleaved with `structural` rounds of the other kinds.

    Each round is rename-path, add-response, delete-operation, undo-delete, paste-component.
    Returns the edits and the final text."""
    script = EditScript(text)
    edits: list[Edit] = []
    per_gap = max(1, structural // max(bursts, 1))
    for round_ in range(structural):
        if round_ % per_gap == 0 and script.bursts < bursts:
            edits.extend(script.type_burst(burst_chars))
        edits.append(script.rename_path())
        edits.append(script.add_response())
        edits.append(script.delete_operation())
        edits.append(script.undo_delete())
        edits.append(script.paste_component())
    while script.bursts < bursts:
        edits.extend(script.type_burst(burst_chars))
    return edits, script.text


# -- statistics ------------------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float | None:
    """Linear-interpolated percentile (numpy's default 'linear' method); None for no values."""
    if not values:
        return None
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summarize(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "max": max(values) if values else None}


# -- JSON descriptions ------------------------------------------------------------------------------------
#: a one-line JSON string value of a description/summary member (JSON strings hold no raw line breaks)
_JSON_TEXT_MEMBER = re.compile(r'"(?:description|summary)"\s*:\s*"((?:[^"\\\n]|\\.)*)"')


def json_typing_session(text: str, *, bursts: int = 4, burst_chars: int = 30) -> tuple[list[Edit], str]:
    """Typing bursts for a JSON description (the indentation-based script above reads YAML only):
    each burst appends `burst_chars` keystrokes, one edit each, at the end of one description or
    summary string, the strings spread over the document. Returns the edits and the final text."""
    lines = text.split("\n")
    targets = [(n, m.end(1)) for n, line in enumerate(lines) for m in _JSON_TEXT_MEMBER.finditer(line)]
    if not targets:
        raise ValueError("no one-line description/summary string to type in")
    typed = (" " + TYPED_WORDS) * (burst_chars // len(TYPED_WORDS) + 1)
    edits: list[Edit] = []
    for burst in range(bursts):
        line, end = targets[(burst * 7919) % len(targets)]
        col = utf16_len(lines[line][:end])
        for n in range(burst_chars):
            change = Change((line, col), (line, col), typed[n])
            lines = apply_to_lines(lines, change)
            edits.append(Edit("type", change, burst=burst, last_in_burst=n == burst_chars - 1))
            col += utf16_len(typed[n])
    return edits, "\n".join(lines)
