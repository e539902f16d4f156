"""Incremental re-parsing of YAML: re-parse only the block-mapping member(s) an edit falls in.

`reparse(parsed, edit)` updates a ParsedText in place for one text edit, or returns None when it
cannot prove that re-parsing a region gives what a full parse would (the caller then parses
the whole text). The region is the smallest member `key: value` of a block mapping whose text
(from the key's line to the next sibling's line) strictly contains the edit. It is re-parsed
on its own, from its key line up to the next token after it (so that block ends carry the same
marks as in a full parse), and must come back as one member with the same key.

An edit that spans several members of a block mapping, or touches a key (a rename, a pasted or
deleted member), re-parses the *run* of sibling members it touches (see `reparse_run`): any
number of members with any keys may come back, and the Splice names the keys removed, added
and re-parsed.

Not incremental (full parse instead): flow collections (JSON text: see incremental_json.py), documents with parse
problems, edits touching a key or its indentation, anchors/aliases in the old or new region,
a region that no longer parses on its own or that now holds more or other keys.

Data stays persistent: the new value is spliced in by copying the containers on the path from
the root (never mutating a container in place), so caches keyed by object identity stay valid.
Positions after the edit are shifted lazily (see `ShiftingPositions`), and so are line starts
(`ShiftingLines`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from apigov_ls.document.parse import ParsedText, _compose_fast, _Converter, _AliasBomb, _TooDeep
from apigov_ls.document.positions import LineIndex, Position
from apigov_ls.document.sourcemap import SourceMap

#: members tried, innermost first, and the largest member text re-parsed alone
MAX_ATTEMPTS = 4
MAX_CHUNK = 512 * 1024
#: logged edits per epoch of ShiftingPositions (reads apply at most this many edits one by one)
MAX_LOG = 200
#: a node starting with one of these has an anchor, is an alias, or has a tag (`!x &a v`)
_NODE_MARKS = frozenset("&*!")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace text[start:end] (code-point offsets) by `text`."""

    start: int
    end: int
    text: str

    def apply(self, text: str) -> str:
        # one join: `a + b + c` copies the (multi-megabyte) text once more for `a + b` (github: 13 ms vs 4)
        return "".join((text[: self.start], self.text, text[self.end :]))

    @property
    def delta(self) -> int:
        return len(self.text) - (self.end - self.start)


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, comparing 4 KiB blocks first (slices compare at C speed)."""
    n = min(len(a), len(b))
    i, block = 0, 4096
    while i < n and a[i : i + block] == b[i : i + block]:
        i += block
    end = min(i + block, n)
    while i < end and a[i] == b[i]:
        i += 1
    return min(i, n)


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common suffix, at most `limit`."""
    la, lb = len(a), len(b)
    i, block = 0, 4096
    while i < limit:
        step = min(block, limit - i)
        if a[la - i - step : la - i] != b[lb - i - step : lb - i]:
            break
        i += step
    else:
        return limit
    while i < limit and a[la - i - 1] == b[lb - i - 1]:
        i += 1
    return i


def diff_edit(old: str, new: str) -> TextEdit | None:
    """The single edit turning `old` into `new` (common prefix and suffix removed); None if equal."""
    if old == new:
        return None
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
    return TextEdit(prefix, len(old) - suffix, new[prefix : len(new) - suffix])


def _shift_offset(o: int, log: list) -> int:
    for at, delta in log:
        if o >= at:
            o += delta
    return o


def _shift_entry(pos: Any, log: list) -> Any:
    if len(log) == 1:  # the common case (read once per edit): entries wholly before or after it in one step
        at, delta = log[0]
        if type(pos) is dict:
            return {k: e if max(e) < at else tuple(o + delta if o >= at else o for o in e) for k, e in pos.items()}
        return [e if max(e) < at else tuple(o + delta if o >= at else o for o in e) for e in pos]
    if type(pos) is dict:
        return {k: tuple(_shift_offset(o, log) for o in e) for k, e in pos.items()}
    return [tuple(_shift_offset(o, log) for o in e) for e in pos]


def _then_shift(at: int, delta: int, breaks: list, shifts: list) -> tuple[list, list]:
    """The piecewise shift `o -> o + shifts[bisect_right(breaks, o)]` applied after one logged edit
    (offsets >= at move by delta) as one piecewise shift: o -> F(o + (delta if o >= at else 0))."""
    i = bisect_left(breaks, at)
    j = bisect_right(breaks, at + delta)
    return breaks[:i] + [at] + [b - delta for b in breaks[j:]], shifts[: i + 1] + [c + delta for c in shifts[j:]]


def _composed(log: list) -> list[tuple[list, list]]:
    """For each g, the edits log[g:] composed into one piecewise shift (breaks, shifts)."""
    maps: list = [None] * len(log)
    breaks: list = []
    shifts: list = [0]
    for g in range(len(log) - 1, -1, -1):
        breaks, shifts = _then_shift(log[g][0], log[g][1], breaks, shifts)
        maps[g] = (breaks, shifts)
    return maps


def _shift_entry_by(pos: Any, fn) -> Any:
    if type(pos) is dict:
        return {k: tuple(fn(o) for o in e) for k, e in pos.items()}
    return [tuple(fn(o) for o in e) for e in pos]


class ShiftingPositions(dict):
    """`SourceMap.positions` whose entries are shifted on first read after an edit.

    Each container's entry is stored in the coordinates of the edit generation it was written in
    (`gen`, a count of edits since the text was parsed). The edits since generation `base` are in
    `log` as (old end offset, delta); reading an entry written before the latest edit applies the
    later edits and stores the result, so each entry is shifted at most once per edit, and only if
    somebody reads it. Every MAX_LOG edits the log is closed into an *epoch*: for each generation
    in it, its remaining edits composed into one piecewise shift (bisect), so an entry unread for
    thousands of edits is shifted in a few steps, and no edit pays for shifting every entry.
    """

    __slots__ = ("log", "gen", "base", "epochs", "_epoch_starts")

    def __init__(self, base: dict):
        super().__init__(base)
        self.log: list[tuple[int, int]] = []
        self.gen: dict[int, int] = {}
        self.base = 0
        #: closed epochs: (first generation, per-generation composed shifts to the epoch's end)
        self.epochs: list[tuple[int, list]] = []
        self._epoch_starts: list[int] = []

    def _current(self, key, value):
        g = self.gen.get(key, 0)
        now = self.base + len(self.log)
        if g == now:
            return value
        if g >= self.base:
            value = _shift_entry(value, self.log[g - self.base:])
        else:
            steps = []
            e = bisect_right(self._epoch_starts, g) - 1
            for start, maps in self.epochs[e:]:
                steps.append(maps[max(g - start, 0)])
            log = self.log

            def fn(o: int) -> int:
                for breaks, shifts in steps:
                    o += shifts[bisect_right(breaks, o)]
                for at, delta in log:
                    if o >= at:
                        o += delta
                return o

            value = _shift_entry_by(value, fn)
        dict.__setitem__(self, key, value)
        self.gen[key] = now
        return value

    def get(self, key, default=None):
        value = dict.get(self, key)
        if value is None:
            return default
        return self._current(key, value)

    def __getitem__(self, key):
        return self._current(key, dict.__getitem__(self, key))

    def __setitem__(self, key, value) -> None:
        dict.__setitem__(self, key, value)
        self.gen[key] = self.base + len(self.log)

    def __delitem__(self, key) -> None:
        dict.__delitem__(self, key)
        self.gen.pop(key, None)

    def values(self):  # noqa: D401 - every reader sees current coordinates
        return [self[k] for k in self.keys()]

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def record(self, at: int, delta: int) -> None:
        """Log an edit: offsets >= `at` (old coordinates) move by `delta`."""
        if delta == 0:
            return
        self.log.append((at, delta))
        if len(self.log) >= MAX_LOG:
            self.epochs.append((self.base, _composed(self.log)))
            self._epoch_starts.append(self.base)
            self.base += len(self.log)
            self.log = []


def shifting_source_map(parsed: ParsedText) -> None:
    """Give a freshly parsed text positions that can be shifted lazily (idempotent)."""
    sm = parsed.source_map
    if not isinstance(sm.positions, ShiftingPositions):
        sm.positions = ShiftingPositions(sm.positions)


def rescanned_lines(starts, new_text: str, edit: TextEdit) -> tuple[int, list[int], int]:
    """Around an edit: `first`, the last old line kept as it is; `mid`, the line starts in the new
    text from there to the end of the inserted text; `after`, the first old line that only moves."""
    # a line starts at p when text[p-1] is "\n", or "\r" not followed by "\n": p depends on the two
    # characters around it, so starts up to the line before the edit and from edit.end + 1 on are kept
    first = bisect_right(starts, max(edit.start - 1, 0)) - 1
    new_end = edit.start + len(edit.text)
    mid = [m.end() for m in _LINE_BREAK.finditer(new_text, starts[first], new_end + 1)]
    mid = [p for p in mid if p <= new_end]
    return first, mid, bisect_left(starts, edit.end + 1)


def updated_lines(lines: LineIndex, new_text: str, edit: TextEdit) -> LineIndex:
    """The LineIndex of `new_text` from the old one: line starts before the edit are kept,
    those after it move by the edit's delta, the edited lines are scanned again."""
    starts = lines.starts
    first, mid, after = rescanned_lines(starts, new_text, edit)
    delta = edit.delta
    out = LineIndex.__new__(LineIndex)
    out.text = new_text
    out.starts = starts[: first + 1] + mid + [s + delta for s in starts[after:]]
    return out


class _Starts:
    """The line starts of a ShiftingLines as a read-only sequence (for bisect)."""

    __slots__ = ("raw", "pending")

    def __init__(self, raw: list, pending: list):
        self.raw, self.pending = raw, pending

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, i: int) -> int:
        v = self.raw[i]
        if i < 0:
            i += len(self.raw)
        for k, d in self.pending:
            if k > i:
                break
            v += d
        return v


class ShiftingLines(LineIndex):
    """A LineIndex updated edit by edit without rebuilding its list of line starts.

    `raw[i]` plus the deltas of the pending shifts `(k, d)` with k <= i is the start of line i
    (shifts sorted by k): an edit replaces the line starts inside it and records one shift for
    the lines after it, instead of adding its delta to every later start. The shifts are folded
    into `raw` once there are many of them. `starts` gives the plain list (built on demand)."""

    __slots__ = ("raw", "pending", "_seq")

    #: pending shifts kept before they are folded into the list
    MAX_PENDING = 32

    @classmethod
    def of(cls, lines: LineIndex) -> "ShiftingLines":
        if isinstance(lines, ShiftingLines):
            return lines
        out = cls.__new__(cls)
        out.text = lines.text
        out.raw, out.pending = lines.starts, []
        out._seq = _Starts(out.raw, out.pending)
        return out

    @property
    def starts(self) -> list:  # type: ignore[override]
        if self.pending:
            raw, out, prev, acc = self.raw, [], 0, 0
            for k, d in self.pending:
                out.extend(raw[prev:k] if acc == 0 else [s + acc for s in raw[prev:k]])
                prev, acc = k, acc + d
            out.extend(raw[prev:] if acc == 0 else [s + acc for s in raw[prev:]])
            self.raw, self.pending = out, []
            self._seq = _Starts(self.raw, self.pending)
        return self.raw

    @property
    def line_count(self) -> int:
        return len(self.raw)

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        raw = self.raw
        # the segment between two shifts whose lines can hold `offset`, then bisect in it
        lo, hi, acc = 0, len(raw), 0
        for k, d in self.pending:
            if raw[k] + acc + d > offset:
                hi = k
                break
            lo, acc = k, acc + d
        line = bisect_right(raw, offset - acc, lo, hi) - 1
        return Position(line, offset - raw[line] - acc)

    def offset(self, line: int, character: int) -> int:
        if line < 0:
            return 0
        if line >= len(self.raw):
            return len(self.text)
        start = self._seq[line]
        return min(start + max(character, 0), self.line_end(line))

    def line_end(self, line: int) -> int:
        if line + 1 < len(self.raw):
            end = self._seq[line + 1]
            if self.text[end - 2: end] == "\r\n":
                return end - 2
            return end - 1
        return len(self.text)

    def line_text(self, line: int) -> str:
        if line < 0 or line >= len(self.raw):
            return ""
        return self.text[self._seq[line]: self.line_end(line)]

    def edited(self, new_text: str, edit: "TextEdit") -> "ShiftingLines":
        """The lines of `new_text` (= `edit` applied to this text); this object is left as it is."""
        seq = self._seq
        first, mid, after = rescanned_lines(seq, new_text, edit)
        below = 0  # the shifts that apply to line `first` (and so to the new lines after it)
        pending = []
        new_after = first + 1 + len(mid)
        growth = new_after - after
        moved = 0
        for k, d in self.pending:
            if k <= first:
                below += d
                pending.append((k, d))
            elif k < after:
                moved += d  # a shift inside the replaced lines: it still applies to the lines after them
            else:
                pending.append((k + growth, d))
        raw = self.raw[:]
        raw[first + 1: after] = [p - below for p in mid]
        # the lines after the edit: the shifts moved out of the replaced lines, then the edit's delta
        total = moved + edit.delta
        if total:
            at = next((i for i, (k, _) in enumerate(pending) if k >= new_after), len(pending))
            if at < len(pending) and pending[at][0] == new_after:
                pending[at] = (new_after, pending[at][1] + total)
            else:
                pending.insert(at, (new_after, total))
        out = ShiftingLines.__new__(ShiftingLines)
        out.text = new_text
        out.raw, out.pending = raw, [p for p in pending if p[1] and p[0] < len(raw)]
        out._seq = _Starts(out.raw, out.pending)
        if len(out.pending) > self.MAX_PENDING:
            out.starts  # fold the shifts into the list
        return out


@dataclass(slots=True)
class Splice:
    """What `reparse` changed: the member at `path` got `new` instead of `old`.

    When a run of members of the mapping at `path` was re-parsed (`old`/`new` are then that
    mapping), `removed`, `added` and `replaced` name its child keys that left, appeared, or were
    re-parsed in place (a renamed member is one key removed and one added)."""

    path: tuple
    old: Any
    new: Any
    edit: TextEdit
    removed: tuple = ()
    added: tuple = ()
    replaced: tuple = ()
    #: a run of members of the mapping at `path` was re-parsed (else the member at `path`)
    run: bool = False

    @property
    def structural(self) -> bool:
        """Whether the keys of the mapping at `path` changed."""
        return bool(self.removed or self.added)


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _next_token(text: str, i: int) -> int:
    """First offset at or after `i` that is not whitespace or a comment line."""
    n = len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        else:
            return i
    return n


def _find_members(parsed: ParsedText, edit: TextEdit, to_end: bool = False) -> list:
    """The block-mapping members whose line range strictly contains the edit, outermost first.
    `to_end`: the edit may also end where a member's text ends (the mapping in such a member
    can still hold a run of members the edit spans; the member alone cannot be re-parsed).

    Each is (path, chunk start, chunk end) in old-text coordinates."""
    text = parsed.text
    positions = parsed.source_map.positions
    node = parsed.data
    path: tuple = ()
    node_end = len(text)
    best: list = []
    s, e = edit.start, edit.end
    while True:
        pos = positions.get(id(node))
        if pos is None:
            return best
        if type(node) is dict:
            entries = list(pos.items())
            # members are in document order: the last one whose key starts before the edit
            idx = None
            lo, hi = 0, len(entries)
            while lo < hi:
                mid = (lo + hi) // 2
                if entries[mid][1][0] < s:
                    lo = mid + 1
                else:
                    hi = mid
            idx = lo - 1
            if idx < 0:
                return best
            key, (ks, ke, vs, ve) = entries[idx]
            member_end = _line_start(text, entries[idx + 1][1][0]) if idx + 1 < len(entries) else node_end
            if not ((e < member_end or (to_end and e == member_end)) and s > ks):
                return best
            line_start = _line_start(text, ks)
            if text[line_start:ks].strip(" ") != "":
                return best  # `- key:` or a flow mapping: not a member on its own line
            if key not in node:
                return best
            best.append((path + (key,), line_start, member_end))
            child = node[key]
            if type(child) not in (dict, list) or vs >= ve or text[vs] in "{[":
                return best
            node, path, node_end = child, path + (key,), member_end
        elif type(node) is list:
            idx = None
            for i, (vs, ve) in enumerate(pos):
                if vs <= s < ve or (vs <= s and i == len(pos) - 1):
                    idx = i
                    break
            if idx is None:
                return best
            vs, ve = pos[idx]
            item_end = _line_start(text, pos[idx + 1][0]) if idx + 1 < len(pos) else node_end
            child = node[idx]
            if type(child) is not dict or e >= item_end or text[vs] in "{[":
                return best
            node, path, node_end = child, path + (idx,), item_end
        else:
            return best


def reparse(parsed: ParsedText, edit: TextEdit, new_text: str | None = None) -> Splice | None:
    """Apply `edit` to `parsed` by re-parsing one region, or return None (nothing changed then).
    `new_text`: the edited text if the caller has it already (it is then not built again)."""
    if parsed.syntax == "json":
        from apigov_ls.document.incremental_json import reparse_json  # imports this module

        return reparse_json(parsed, edit, new_text)
    if parsed.syntax != "yaml" or parsed.problems or not isinstance(parsed.data, dict) or _compose_fast is None:
        return None
    candidates = _find_members(parsed, edit)
    if new_text is None:
        new_text = edit.apply(parsed.text)
    from apigov_ls.document.incremental_run import reparse_run  # imports this module

    # an edit ending where a member ends (whole members deleted at the end of a mapping): the
    # mappings inside that member that the strict search stops above
    for path, chunk_start, chunk_end in reversed(_find_members(parsed, edit, to_end=True)[len(candidates):]):
        if type(_get(parsed.data, path)) is dict:
            splice = reparse_run(parsed, edit, new_text, path, chunk_end)
            if splice is not None:
                return splice
        # the member itself, if its new text still ends at a line start (before the next member)
        new_end = chunk_end + edit.delta
        if chunk_end - chunk_start <= MAX_CHUNK and (new_end == len(new_text) or new_text[new_end - 1: new_end] == "\n"):
            splice = _reparse_member(parsed, edit, new_text, path, chunk_start, chunk_end)
            if splice is not None:
                return splice
    # innermost first: the members of a member's mapping the edit spans (or whose key it
    # touches), then the member alone; then the same one level up, and so on
    for path, chunk_start, chunk_end in reversed(candidates[-MAX_ATTEMPTS:]):
        if type(_get(parsed.data, path)) is dict:
            splice = reparse_run(parsed, edit, new_text, path, chunk_end)
            if splice is not None:
                return splice
        if chunk_end - chunk_start > MAX_CHUNK:
            return None
        splice = _reparse_member(parsed, edit, new_text, path, chunk_start, chunk_end)
        if splice is not None:
            return splice
    if len(candidates) <= MAX_ATTEMPTS:  # the root's members
        return reparse_run(parsed, edit, new_text, (), len(parsed.text))
    return None


def _reparse_member(parsed: ParsedText, edit: TextEdit, new_text: str, path: tuple, chunk_start: int, chunk_end: int) -> Splice | None:
    if _marked_old(parsed, path):
        return None
    delta = edit.delta
    new_chunk_end = chunk_end + delta
    token = _next_token(new_text, new_chunk_end)
    chunk = new_text[chunk_start:token]
    if "\x00" in chunk:
        return None
    key = path[-1]
    try:
        node = _compose_fast(chunk)
    except Exception:  # any syntax problem: the full parse reports it
        return None
    if node is None or node.id != "mapping" or len(node.value) != 1:
        return None
    key_node, value_node = node.value[0]
    if _marked_new(chunk, node):
        return None
    if key_node.id != "scalar" or key_node.value != key or (key_node.value == "<<" and not key_node.style):
        return None
    converted = convert_chunk(chunk, value_node, len(path))
    if converted is None:
        return None
    value, scratch = converted
    entry = (key_node.start_mark.index + chunk_start, key_node.end_mark.index + chunk_start,
             value_node.start_mark.index + chunk_start, value_node.end_mark.index + chunk_start)
    old_value = commit_value(parsed, edit, new_text, path, value, scratch.positions, chunk_start, entry)
    return Splice(path, old_value, value, edit)


def convert_chunk(chunk: str, node, depth: int) -> tuple[Any, SourceMap] | None:
    """The data of a composed node of `chunk` at `depth`, with its positions in `chunk`
    (the SourceMap), as the full parse converts it; None on anything the full parse reports."""
    scratch = SourceMap(chunk)
    problems: list = []
    conv = _Converter(scratch, problems, scratch.lines.range, False)
    conv.limit = 10 * (len(chunk) // 4 + 1) + 200_000
    try:
        value = conv.convert(node, depth)
    except (_AliasBomb, _TooDeep, RecursionError):
        return None
    return None if problems else (value, scratch)


def commit_value(parsed: ParsedText, edit: TextEdit, new_text: str, path: tuple, value: Any, new_positions: dict,
                 base: int, entry: tuple) -> Any:
    """Put re-parsed `value` at `path` (its containers' positions `new_positions` are relative to
    `base`; `entry`: the member's new entry in its parent), splice it in persistently and move
    text and lines to `new_text`. Returns the value it replaced."""
    sm = parsed.source_map
    shifting_source_map(parsed)
    positions: ShiftingPositions = sm.positions  # type: ignore[assignment]
    old_value = _get(parsed.data, path)
    positions.record(edit.end, edit.delta)
    _forget(positions, old_value)
    for cid, pos in new_positions.items():
        positions[cid] = _offset_entry(pos, base)
    parsed.data = _splice(positions, parsed.data, path, value, entry)
    lines = sm._lines
    sm.text = new_text
    sm.root = parsed.data
    sm.root_span = (sm.root_span[0], _shift_offset(sm.root_span[1], [(edit.end, edit.delta)]))
    sm._lines = ShiftingLines.of(lines).edited(new_text, edit) if lines is not None else None
    parsed.text = new_text
    return old_value


def _marked_old(parsed: ParsedText, path: tuple) -> bool:
    """Whether the member at `path`, an ancestor or anything in it has an anchor, alias or tag:
    an alias elsewhere may share it, so it cannot be re-parsed on its own."""
    text = parsed.text
    positions = parsed.source_map.positions
    node = parsed.data
    for seg in path:  # an anchor on an ancestor shares the member too
        entry = positions.get(id(node))[seg]
        if text[entry[0]] in _NODE_MARKS or (len(entry) == 4 and text[entry[2]:entry[2] + 1] in _NODE_MARKS):
            return True
        node = node[seg]
    stack = [node]
    while stack:
        v = stack.pop()
        pos = positions.get(id(v))
        if pos is None:
            continue
        for e in (pos.values() if type(pos) is dict else pos):
            if text[e[0]] in _NODE_MARKS or (len(e) == 4 and text[e[2]:e[2] + 1] in _NODE_MARKS):
                return True
        stack.extend(c for c in (v.values() if type(v) is dict else v) if type(c) in (dict, list))
    return False


def _marked_new(chunk: str, root) -> bool:
    """Whether the re-parsed region has anchors, aliases (a node met twice) or tags."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if chunk[node.start_mark.index:node.start_mark.index + 1] in _NODE_MARKS:
            return True
        if node.id == "mapping":
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
        elif node.id == "sequence":
            stack.extend(node.value)
    return False


def _offset_entry(pos: Any, base: int) -> Any:
    if type(pos) is dict:
        return {k: (a + base, b + base, c + base, d + base) for k, (a, b, c, d) in pos.items()}
    return [(a + base, b + base) for a, b in pos]


def _get(data: Any, path: tuple) -> Any:
    for seg in path:
        data = data[seg]
    return data


def _forget(positions: ShiftingPositions, value: Any) -> None:
    """Drop the entries of every container in a subtree that left the document."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            if positions.pop(id(v), None) is not None:
                positions.gen.pop(id(v), None)
            stack.extend(c for c in v.values() if type(c) in (dict, list))
        elif t is list:
            if positions.pop(id(v), None) is not None:
                positions.gen.pop(id(v), None)
            stack.extend(c for c in v if type(c) in (dict, list))


def _splice(positions: ShiftingPositions, root: Any, path: tuple, value: Any, entry: tuple) -> Any:
    """A copy of `root` with the value at `path` replaced; containers on the path are copied
    (with their positions), everything else is shared."""
    chain = [root]
    for seg in path[:-1]:
        chain.append(chain[-1][seg])
    new_child = value
    new_entry: Any = entry
    for depth in range(len(path) - 1, -1, -1):
        old = chain[depth]
        seg = path[depth]
        pos = positions.get(id(old))
        if type(old) is dict:
            copy = dict(old)
            copy[seg] = new_child
            new_pos = dict(pos)
            if new_entry is not None:
                new_pos[seg] = new_entry
        else:
            copy = list(old)
            copy[seg] = new_child
            new_pos = list(pos)
            if new_entry is not None:
                new_pos[seg] = new_entry[2:]
        del positions[id(old)]
        positions[id(copy)] = new_pos
        new_child = copy
        new_entry = None  # ancestors' own entries only move (lazily), they are not rewritten
    return new_child
