"""Incremental re-parsing of JSON: re-parse only the value of the object member an edit falls in.

`reparse_json(parsed, edit, new_text)` has the contract of `incremental.reparse`: it updates a
ParsedText in place for one text edit and returns the Splice, or returns None (nothing changed)
when it cannot prove that the result equals a full `parse_text` of the new text.

The region is the value of the innermost member `"key": value` whose value span (from the value's
first character to just after its last) contains the edit; if its new text does not parse on its
own, the enclosing members' values are tried (an added or removed member, a renamed key). Since
the edit lies inside the value span, the text around it (the key, the colon, the commas and
braces) is untouched, and JSON being context free, the new text is valid JSON exactly when the
new value text is one JSON value.

A full parse validates with `json.loads` and then composes the text with libyaml for positions
(`jsonpos` when libyaml refuses the text; both give the same data and positions, see
tests/test_incremental_json.py). The value text is handled the same way: `json.loads` validates
it and libyaml composes it with the same converter. The update is refused when:

- libyaml refuses the old or the new value text (the full parse may then switch reader),
- the converted value differs from what `json.loads` reads (NaN, Infinity: libyaml reads strings),
- the value has duplicate keys or is nested too deeply (the full parse reports a problem),
- the document already has parse problems, or the edit is not inside any member's value.
"""

from __future__ import annotations

import json
from bisect import bisect_right

from apigov_ls.document.incremental import MAX_ATTEMPTS, MAX_CHUNK, Splice, TextEdit, commit_value, convert_chunk
from apigov_ls.document.parse import ParsedText, _compose_fast, decimal_int


def _find_members(parsed: ParsedText, edit: TextEdit) -> list[tuple[tuple, tuple]]:
    """The object members whose value span contains the edit, outermost first.

    Each is (path, (key start, key end, value start, value end)) in old-text coordinates.
    Arrays are walked through (an object inside an array has members) but are not members."""
    positions = parsed.source_map.positions
    node = parsed.data
    path: tuple = ()
    out: list = []
    s, e = edit.start, edit.end
    while True:
        pos = positions.get(id(node))
        if pos is None:
            return out
        if type(node) is dict:
            entries = list(pos.items())
            # members are in document order: the last one whose value starts at or before the edit
            idx = bisect_right([entry[2] for _, entry in entries], s) - 1
            if idx < 0:
                return out
            key, entry = entries[idx]
            if not (entry[2] <= s and e <= entry[3]) or key not in node:
                return out
            path = path + (key,)
            out.append((path, entry))
            node = node[key]
        elif type(node) is list:
            idx = bisect_right([item[0] for item in pos], s) - 1
            if idx < 0 or not (pos[idx][0] <= s and e <= pos[idx][1]):
                return out
            path = path + (idx,)
            node = node[idx]
        else:
            return out


def reparse_json(parsed: ParsedText, edit: TextEdit, new_text: str | None = None) -> Splice | None:
    """Apply `edit` to a JSON `parsed` by re-parsing one member's value, or return None (nothing
    changed then). `new_text`: the edited text if the caller has it already."""
    if parsed.syntax != "json" or parsed.problems or type(parsed.data) is not dict or _compose_fast is None:
        return None
    candidates = _find_members(parsed, edit)
    if not candidates:
        return None
    if new_text is None:
        new_text = edit.apply(parsed.text)
    # the innermost member first; a member added or removed beside it needs its parent, and so on
    for path, entry in reversed(candidates[-MAX_ATTEMPTS:]):
        vs, ve = entry[2], entry[3]
        if max(ve - vs, ve - vs + edit.delta) > MAX_CHUNK:
            return None
        splice = _reparse_value(parsed, edit, new_text, path, entry)
        if splice is not None:
            return splice
    return None


def _composed(chunk: str):
    """libyaml's node for a JSON value text, as the full parse composes it (tabs are spaces there)."""
    return _compose_fast(chunk.replace("\t", " ") if "\t" in chunk else chunk)


def _reparse_value(parsed: ParsedText, edit: TextEdit, new_text: str, path: tuple, entry: tuple) -> Splice | None:
    ks, ke, vs, ve = entry
    delta = edit.delta
    chunk = new_text[vs: ve + delta]
    if "\x00" in chunk:
        return None
    try:
        expected = json.loads(chunk, parse_int=decimal_int)
    except (ValueError, RecursionError):  # a syntax error (the full parse reports it), or huge ints
        return None
    try:
        node = _composed(chunk)
        _composed(parsed.text[vs:ve])  # libyaml read the old text here too: the reader does not change
    except Exception:  # libyaml refuses it: the full parse falls back to another reader
        return None
    if node is None:
        return None
    converted = convert_chunk(chunk, node, len(path))
    if converted is None or converted[0] != expected:
        return None
    value, scratch = converted
    # the key lies before the value, so before the edit: its offsets do not move
    new_entry = (ks, ke, node.start_mark.index + vs, node.end_mark.index + vs)
    old_value = commit_value(parsed, edit, new_text, path, value, scratch.positions, vs, new_entry)
    if type(old_value) is dict and type(value) is dict:
        # every member of the object was re-parsed: name the keys that left, appeared or stayed
        # (a spine mapping such as `paths` then says which regions to re-check)
        removed = tuple(k for k in old_value if k not in value)
        added = tuple(k for k in value if k not in old_value)
        replaced = tuple(k for k in value if k in old_value)
        return Splice(path, old_value, value, edit, removed, added, replaced)
    return Splice(path, old_value, value, edit)
