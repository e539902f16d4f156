"""Re-parsing a run of sibling members of a block mapping (renamed, pasted, deleted members).

`reparse_run(parsed, edit, new_text, path, node_end)` handles an edit that is not inside one
member of the block mapping at `path`: it spans several members, touches a key, or inserts
whole lines between two members. The run is the members from the one holding the edit's start
to the one holding its end (none for lines inserted at a member boundary); its new text is
parsed on its own, up to the next token after it (as `_reparse_member` does, so block ends
carry the same marks as in a full parse), and may give any number of members with any keys.

Not incremental (the caller falls back): members not each on their own line at one
indentation (or out of document order: merge keys), `<<` anywhere in the text, anchors, aliases
or tags in the run, a new member at another indentation, a run that does not parse alone or has
problems, a new key that a member outside the run already has (the full parse reports the
duplicate), and a mapping left empty (it would become null).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from apigov_ls.document.incremental import (
    MAX_CHUNK, _NODE_MARKS, ShiftingPositions, Splice, TextEdit, _forget, _get, _marked_new, _marked_old, _next_token,
    _offset_entry, _shift_offset, _splice, convert_chunk, shifting_source_map, ShiftingLines,
)
from apigov_ls.document.parse import ParsedText, _compose_fast


def _member_lines(text: str, entries: list) -> tuple[list[int], int] | None:
    """Line starts of the members (each key alone on its line, one indentation, in document
    order) and that indentation; None otherwise."""
    starts: list[int] = []
    col = -1
    prev = -1
    for _, e in entries:
        ks = e[0]
        ls = text.rfind("\n", 0, ks) + 1
        if ks <= prev or (col >= 0 and ks - ls != col) or text[ls:ks].strip(" "):
            return None
        col = ks - ls
        starts.append(ls)
        prev = ks
    return starts, col


def _run_bounds(starts: list[int], edit: TextEdit, node_end: int) -> tuple[int, int, int, int] | None:
    """(first, stop, chunk start, chunk end) in old coordinates: members first..stop-1 are
    re-parsed; first == stop is lines inserted before member `first`."""
    s, e = edit.start, edit.end
    if e > node_end:
        return None
    first = bisect_right(starts, s) - 1
    if first < 0:
        return None  # the edit starts on the mapping's own key line (or in comments before it)
    last = bisect_right(starts, e) - 1
    if s == e and edit.text.endswith("\n"):
        if s == starts[first]:
            return first, first, s, s  # whole lines inserted at a member boundary
        if s == node_end and node_end > starts[first]:
            return len(starts), len(starts), s, s  # whole lines appended after the last member
    if last > first and e == starts[last]:
        last -= 1  # the edit ends where member `last` begins: it is left alone
    end = starts[last + 1] if last + 1 < len(starts) else node_end
    return first, last + 1, starts[first], end


def reparse_run(parsed: ParsedText, edit: TextEdit, new_text: str, path: tuple, node_end: int) -> Splice | None:
    """Apply `edit` by re-parsing the run of members of the mapping at `path` it touches, or
    return None (nothing changed then). `node_end`: where that mapping's text ends (old text)."""
    text = parsed.text
    node = _get(parsed.data, path)
    positions = parsed.source_map.positions
    pos = positions.get(id(node))
    if type(node) is not dict or not node or pos is None or "<<" in text:
        return None
    entries = list(pos.items())
    if len(entries) != len(node):
        return None
    lines = _member_lines(text, entries)
    if lines is None:
        return None
    starts, col = lines
    bounds = _run_bounds(starts, edit, node_end)
    if bounds is None:
        return None
    first, stop, chunk_start, chunk_end = bounds
    if first > 0 and _ends_in_block_scalar(text, positions, node, entries[first - 1][0], chunk_start):
        # its value runs to the line the run starts on, and may take lines inserted there
        first -= 1
        chunk_start = starts[first]
    if chunk_end - chunk_start > MAX_CHUNK:
        return None
    delta = edit.delta
    new_end = chunk_end + delta
    if new_end > chunk_start and new_end < len(new_text) and new_text[new_end - 1] != "\n":
        return None  # the run's new text ends inside a line: the next member is part of it
    run_keys = [k for k, _ in entries[first:stop]]
    if any(_marked_old(parsed, path + (k,)) for k in run_keys):
        return None
    if not run_keys and _marked_path(parsed, path):
        return None
    token = _next_token(new_text, new_end)
    chunk = new_text[chunk_start:token]
    if "\x00" in chunk:
        return None
    try:
        root = _compose_fast(chunk)
    except Exception:  # any syntax problem: the full parse reports it
        return None
    members: dict = {}
    member_pos: dict = {}
    scratch_positions: dict = {}
    if root is not None:
        if root.id != "mapping" or chunk[root.start_mark.index] == "{" or _marked_new(chunk, root):
            return None
        for key_node, _ in root.value:
            i = key_node.start_mark.index
            if (key_node.id != "scalar" or (key_node.value == "<<" and not key_node.style) or key_node.start_mark.column != col
                    or chunk[i - col: i].strip(" ") or (i - col > 0 and chunk[i - col - 1] != "\n")):
                return None
        converted = convert_chunk(chunk, root, len(path))
        if converted is None or type(converted[0]) is not dict:
            return None
        members, scratch_positions = converted[0], converted[1].positions
        member_pos = scratch_positions.pop(id(members))
    outside = {k for k, _ in entries[:first]} | {k for k, _ in entries[stop:]}
    if not outside.isdisjoint(members) or not (outside or members):
        return None  # a duplicate key (the full parse reports it), or the mapping left empty

    # a block collection ends, and a block mapping starts, at a token: the one after the member
    # before the run (or the mapping's first key) may now be another one
    moved = _shift_offset(_next_token(text, chunk_start), [(edit.end, delta)])
    now = _next_token(new_text, chunk_start)
    if moved != now and first == 0 and path and type(_get(parsed.data, path[:-1])) is not dict:
        return None  # a mapping that is a list item: its start is in the item's entry

    # -- commit: positions, the new mapping spliced in persistently, text and lines ----------
    sm = parsed.source_map
    shifting_source_map(parsed)
    positions: ShiftingPositions = sm.positions  # type: ignore[assignment]
    positions.record(edit.end, delta)
    old_pos = positions[id(node)]  # read after the edit is logged: shifted
    for k in run_keys:
        _forget(positions, node[k])
    for cid, p in scratch_positions.items():
        positions[cid] = _offset_entry(p, chunk_start)
    new_node: dict = {}
    new_pos: dict = {}
    for k, _ in entries[:first]:
        new_node[k], new_pos[k] = node[k], old_pos[k]
    for k, v in members.items():
        new_node[k], new_pos[k] = v, tuple(o + chunk_start for o in member_pos[k])
    for k, _ in entries[stop:]:
        new_node[k], new_pos[k] = node[k], old_pos[k]
    entry = None
    root_start = sm.root_span[0]
    if moved != now:
        if first > 0:
            _retarget_ends(positions, new_node, new_pos, entries[first - 1][0], moved, now)
        elif path:
            ks, ke, vs, ve = positions[id(_get(parsed.data, path[:-1]))][path[-1]]
            if vs == moved:
                entry = (ks, ke, now, ve)
        elif root_start == moved:
            root_start = now
    removed = tuple(k for k in run_keys if k not in members)
    added = tuple(k for k in members if k not in node)
    replaced = tuple(k for k in members if k in node)
    del positions[id(node)]
    positions[id(new_node)] = new_pos
    # the containers above `path` are copied (and re-keyed) as for one re-parsed member
    parsed.data = _splice(positions, parsed.data, path, new_node, entry) if path else new_node
    lines_index = sm._lines
    sm.text = new_text
    sm.root = parsed.data
    sm.root_span = (root_start, _shift_offset(sm.root_span[1], [(edit.end, delta)]))
    sm._lines = ShiftingLines.of(lines_index).edited(new_text, edit) if lines_index is not None else None
    parsed.text = new_text
    return Splice(path, node, new_node, edit, removed, added, replaced, run=True)


def _ends_in_block_scalar(text: str, positions, node: dict, key: str, line_start: int) -> bool:
    """Whether member `key` ends with a block scalar (`|`, `>`): that ends at the start of the
    next line holding a token (after trailing blank lines it may keep), not at the token itself
    as block collections do."""
    token = _next_token(text, line_start)
    end, value = positions[id(node)][key][3], node[key]
    while end == token and type(value) in (dict, list) and value:
        p = positions.get(id(value))
        if p is None:
            return True  # unknown: re-parse it too
        if type(value) is dict:
            last = next(reversed(p))
            end, value = p[last][3], value[last]
        else:
            end, value = p[-1][1], value[-1]
    return line_start <= end < token


def _marked_path(parsed: ParsedText, path: tuple) -> bool:
    """Whether a member on `path` (not below it) has an anchor, alias or tag."""
    text, positions, node = parsed.text, parsed.source_map.positions, parsed.data
    for seg in path:
        entry = positions.get(id(node))[seg]
        if text[entry[0]] in _NODE_MARKS or (len(entry) == 4 and text[entry[2]:entry[2] + 1] in _NODE_MARKS):
            return True
        node = node[seg]
    return False


def _retarget_ends(positions: ShiftingPositions, node: dict, pos: dict, key: str, old: int, new: int) -> None:
    """The member `key` and the last members nested in it end at offset `old`: make it `new`."""
    ks, ke, vs, ve = pos[key]
    if ve != old:
        return
    pos[key] = (ks, ke, vs, new)
    value = node[key]
    while type(value) in (dict, list) and value:
        p = positions.get(id(value))
        if p is None:
            return
        if type(value) is dict:
            last = next(reversed(p))
            ks, ke, vs, ve = p[last]
            if ve != old:
                return
            p = dict(p)
            p[last] = (ks, ke, vs, new)
            positions[id(value)] = p
            value = value[last]
        else:
            vs, ve = p[-1]
            if ve != old:
                return
            p = list(p)
            p[-1] = (vs, new)
            positions[id(value)] = p
            value = value[-1]

