"""Global tags: sorted, without duplicates, and declaring every tag operations use. All safe:
the set of tags and what they say stay the same (only identical duplicates are removed)."""

from __future__ import annotations

import json
from functools import cmp_to_key

from apigov_ls.engine.functions.alphabetical import _compare
from apigov_ls.fixes.builtin.common import METHODS, SAFE, Target
from apigov_ls.fixes.edits import EditError
from apigov_ls.fixes.model import TextEdit
from apigov_ls.fixes.registry import editor, fixer


def _tag_name(tag) -> str:
    return tag.get("name") if isinstance(tag, dict) and isinstance(tag.get("name"), str) else ""


@fixer("openapi-tags-alphabetical")
def sort_tags(result, document):
    t = Target(result, document)
    ptr = t.ptr if isinstance(t.value, list) else t.ptr + ("tags",)
    tags = t.ed.get(ptr)
    if not isinstance(tags, list) or not all(isinstance(x, dict) for x in tags):
        return None
    # the same order the rule checks (JavaScript localeCompare); stable for equal names
    order = sorted(range(len(tags)), key=cmp_to_key(lambda a, b: _compare(_tag_name(tags[a]), _tag_name(tags[b])) or a - b))
    if order == list(range(len(tags))):
        return None
    return t.fix("Sort tags alphabetically", SAFE, _move_items(t.ed, ptr, order))


def _move_items(ed, ptr, order) -> list[TextEdit]:
    """Put item order[i] where item i is, by swapping item texts (items share one indentation)."""
    spans = ed._items(ptr)
    bounds = [(s, ed.content_end(s, e)) for s, e in spans]
    texts = [ed.text[s:e] for s, e in bounds]
    return [TextEdit(ed.file, bounds[i][0], bounds[i][1], texts[j]) for i, j in enumerate(order) if i != j]


@fixer("openapi-tags-uniqueness")
def dedupe_tags(result, document):
    t = Target(result, document)
    ptr = t.ptr[: t.ptr.index("tags") + 1] if "tags" in t.ptr else ()
    tags = t.ed.get(ptr) if ptr else None
    if not isinstance(tags, list):
        return None
    first: dict[str, str] = {}
    drop = []
    for i, tag in enumerate(tags):
        name = _tag_name(tag)
        dump = json.dumps(tag, sort_keys=True)
        if name in first:
            if first[name] != dump:
                return None  # a duplicate that says something else: a person must merge them
            drop.append(i)
        else:
            first[name] = dump
    return t.fix("Remove duplicate tags", SAFE, t.ed.remove_items(ptr, drop)) if drop else None


@fixer("operation-tag-defined")
def declare_tags(result, document):
    root = document.root.data
    ed = editor(document, document.source)
    declared = {_tag_name(x) for x in root.get("tags") or [] if isinstance(x, dict)}
    missing: list[str] = []
    for item in (document.resolved.get("paths") or {}).values():
        for m in METHODS:
            op = item.get(m) if isinstance(item, dict) else None
            for tag in (op.get("tags") or []) if isinstance(op, dict) and isinstance(op.get("tags"), list) else []:
                if isinstance(tag, str) and tag not in declared and tag not in missing:
                    missing.append(tag)
    if not missing:
        return None
    from apigov_ls.fixes.model import Fix

    title = "Declare tag" + ("s " if len(missing) > 1 else " ") + ", ".join(f'"{x}"' for x in missing)
    if "tags" not in root:
        after = next((k for k in ("servers", "host", "basePath", "info") if k in root), None)
        return Fix(title, SAFE, ed.set_key((), "tags", [{"name": x} for x in missing], after=after), result.code)
    if not isinstance(root["tags"], list):
        raise EditError("tags is not a list")
    tags = root["tags"]
    names = [_tag_name(x) for x in tags]
    is_sorted = all(_compare(a, b) <= 0 for a, b in zip(names, names[1:]))
    edits: list[TextEdit] = []
    if is_sorted and tags:
        # keep a sorted list sorted: insert each missing tag at its place (grouped per place)
        places: dict[int, list[str]] = {}
        for name in sorted(missing, key=cmp_to_key(_compare)):
            idx = next((i for i, n in enumerate(names) if _compare(name, n) < 0), len(names))
            places.setdefault(idx, []).append(name)
        for idx, group in places.items():
            parts = [ed.insert_item(("tags",), {"name": n}, idx)[0] for n in group]
            first = parts[0]
            edits.append(TextEdit(first.file, first.start_offset, first.end_offset, "".join(p.new_text for p in parts)))
    else:
        parts = [ed.insert_item(("tags",), {"name": n})[0] for n in missing]
        if len(parts) > 1 and parts[0].start_offset == parts[0].end_offset:
            edits = [TextEdit(parts[0].file, parts[0].start_offset, parts[0].end_offset, "".join(p.new_text for p in parts))]
        else:
            edits = parts[:1]
    return Fix(title, SAFE, edits, result.code)
