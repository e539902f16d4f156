"""Minimal text edits on a parsed YAML/JSON file, computed from its source map.

`FileEditor(source_file)` offers the operations fixes need: set/insert, remove and rename a
key, replace a scalar (keeping its quote style) or a piece of it, insert and remove sequence
items. Each returns `TextEdit`s; text outside their ranges is untouched (comments, key order,
quoting, indentation, block or flow YAML, JSON layout). Edits of one call never overlap;
edits of different calls on the same container may, and fix-all resolves that.

Pointers are JSON paths in that file (tuples of keys and indices), as `LintResult.location_path`.
"""

from __future__ import annotations

import re
from typing import Any

from apigov_ls.document.model import get_at
from apigov_ls.fixes.model import TextEdit
from apigov_ls.fixes.render import Style, quote_yaml, yaml_flow, yaml_key, yaml_scalar


class EditError(ValueError):
    """The requested edit is not possible at that pointer (missing node, unsupported layout)."""


class FileEditor:
    def __init__(self, source_file):
        self.sf = source_file
        self.file = source_file.path
        self.text: str = source_file.text
        self.data = source_file.data
        self.smap = source_file.source_map
        self.syntax = getattr(source_file.parsed, "syntax", "yaml")
        self._style: Style | None = None

    @property
    def style(self) -> Style:
        if self._style is None:
            self._style = Style(self.text, self.syntax)
        return self._style

    # -- reading ------------------------------------------------------------------------------
    def get(self, pointer) -> Any:
        found, value = get_at(self.data, tuple(pointer))
        if not found:
            raise EditError(f"nothing at {list(pointer)}")
        return value

    def has(self, pointer) -> bool:
        return get_at(self.data, tuple(pointer))[0]

    def span(self, pointer) -> tuple[int, int]:
        pointer = tuple(pointer)
        if not self.smap.has(pointer):
            raise EditError(f"no position for {list(pointer)}")
        return self.smap.value_span(pointer)

    def raw(self, pointer) -> str:
        s, e = self.span(pointer)
        return self.text[s:e]

    def kind(self, pointer) -> str:
        """'json', 'flow' or 'block': how the container (or scalar) at pointer is written."""
        if self.syntax == "json":
            return "json"
        s, _ = self.span(pointer)
        return "flow" if self.text[s : s + 1] in ("{", "[") else "block"

    def _entries(self, pointer) -> list[tuple[str, int, int, int, int]]:
        node = self.get(pointer)
        if not isinstance(node, dict):
            raise EditError(f"{list(pointer)} is not a mapping")
        pos = self.smap.positions.get(id(node)) or {}
        return sorted(((k, *pos[k]) for k in node if k in pos), key=lambda e: e[1])

    def _items(self, pointer) -> list[tuple[int, int]]:
        node = self.get(pointer)
        if not isinstance(node, list):
            raise EditError(f"{list(pointer)} is not a sequence")
        pos = self.smap.positions.get(id(node)) or []
        return [tuple(p) for p in pos[: len(node)]]

    # -- text geometry ---------------------------------------------------------------------------
    def line_start(self, off: int) -> int:
        return self.text.rfind("\n", 0, off) + 1

    def line_end(self, off: int) -> int:
        """Offset of the line break ending the line of `off` (or the end of the text)."""
        i = self.text.find("\n", off)
        if i < 0:
            return len(self.text)
        return i - 1 if i > 0 and self.text[i - 1] == "\r" else i

    def after_line(self, off: int) -> int:
        """Offset just past the line break ending the line of `off`."""
        i = self.text.find("\n", off)
        return len(self.text) if i < 0 else i + 1

    def column(self, off: int) -> int:
        return off - self.line_start(off)

    def content_end(self, start: int, end: int) -> int:
        """`end` moved back over trailing whitespace (block nodes end at the next line's indent)."""
        while end > start and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def _prefix(self, off: int) -> str:
        return self.text[self.line_start(off) : off]

    def _entry_end(self, e) -> int:
        _, ks, ke, vs, ve = e
        return max(self.content_end(vs, ve), ke + 1) if vs != ve else self._colon_after(ke) + 1

    def _colon_after(self, ke: int) -> int:
        i = self.text.find(":", ke)
        return i if i >= 0 else ke

    def _sibling_quote(self, entries) -> str | None:
        quotes = {self.text[ks] if self.text[ks] in "'\"" else "" for _, ks, _, _, _ in entries}
        return quotes.pop() or None if len(quotes) == 1 else None

    # -- mappings --------------------------------------------------------------------------------
    def set_key(self, pointer, key: str, value: Any, *, after: str | None = None, before: str | None = None) -> list[TextEdit]:
        """Give mapping `pointer` the member `key: value`: replaces the value when the key exists,
        else inserts it (after `after` / before `before` when those keys exist, else at the end)."""
        pointer = tuple(pointer)
        node = self.get(pointer)
        if not isinstance(node, dict):
            raise EditError(f"{list(pointer)} is not a mapping")
        if key in node:
            return self.replace_value(pointer + (key,), value)
        entries = self._entries(pointer)
        kind = self.kind(pointer)
        if kind == "block":
            return [self._insert_block_key(entries, key, value, after, before)]
        return [self._insert_flow_key(pointer, entries, key, value, after, kind)]

    def set_keys(self, pointer, values: dict) -> list[TextEdit]:
        """`set_key` for several members at once; new ones are inserted together at the end."""
        pointer = tuple(pointer)
        node = self.get(pointer)
        if not isinstance(node, dict):
            raise EditError(f"{list(pointer)} is not a mapping")
        edits: list[TextEdit] = []
        new = {k: v for k, v in values.items() if k not in node}
        for k, v in values.items():
            if k in node:
                edits.extend(self.replace_value(pointer + (k,), v))
        if new and not node:
            return edits + self.replace_value(pointer, new)
        inserts = [self.set_key(pointer, k, v)[0] for k, v in new.items()]
        if inserts:
            first = inserts[0]
            edits.append(TextEdit(self.file, first.start_offset, first.end_offset, "".join(e.new_text for e in inserts)))
        return edits

    def _insert_block_key(self, entries, key, value, after, before) -> TextEdit:
        if not entries:
            raise EditError("empty block mapping")
        first_ks = entries[0][1]
        indent = self.column(first_ks)
        k = yaml_key(key, self._sibling_quote(entries))
        line = f"{k}:{self.style.yaml_value(value, indent)}"
        by_key = {e[0]: e for e in entries}
        if before in by_key and not self._prefix(by_key[before][1]).strip():
            at = self.line_start(by_key[before][1])
            return TextEdit(self.file, at, at, " " * indent + line + self.style.nl)
        anchor = by_key.get(after, entries[-1])
        at = self.line_end(self._entry_end(anchor))
        return TextEdit(self.file, at, at, self.style.nl + " " * indent + line)

    def _insert_flow_key(self, pointer, entries, key, value, after, kind) -> TextEdit:
        vs, ve = self.span(pointer)
        close = self.content_end(vs, ve) - 1
        if kind == "json":
            k = json_key(key)
        else:
            k = yaml_key(key, self._sibling_quote(entries) if entries else None)
        if not entries:
            indent = self._indent_of_line(vs)
            if kind == "json" and "\n" in self.text[: vs]:
                inner = indent + self.style.json_unit
                body = f"{self.style.nl}{inner}{k}: {self.style.json_value(value, inner)}{self.style.nl}{indent}"
            else:
                body = f"{k}: {self._flow_value(value, kind)}"
            return TextEdit(self.file, vs + 1, close, body)
        sep = self.text[entries[0][2] : entries[0][3]] if entries[0][3] > entries[0][2] else ": "
        sep = sep if ":" in sep and "\n" not in sep else ": "
        by_key = {e[0]: e for e in entries}
        anchor = by_key.get(after, entries[-1])
        first_ks = entries[0][1]
        multiline = "\n" in self.text[vs:first_ks]
        if multiline:
            indent = self._indent_of_line(first_ks)
            rendered = self.style.json_value(value, indent) if kind == "json" else self._flow_value(value, kind)
            text = f",{self.style.nl}{indent}{k}{sep}{rendered}"
        else:
            text = f", {k}{sep}{self._flow_value(value, kind)}"
        at = anchor[4]
        return TextEdit(self.file, at, at, text)

    def _flow_value(self, value, kind) -> str:
        return self.style.json_value(value, "", multiline=False) if kind == "json" else yaml_flow(value, self.style.quote)

    def _indent_of_line(self, off: int) -> str:
        line = self.text[self.line_start(off) : off]
        return line[: len(line) - len(line.lstrip(" \t"))]

    def remove_key(self, pointer, key: str) -> list[TextEdit]:
        return self.remove_keys(pointer, [key])

    def remove_keys(self, pointer, keys) -> list[TextEdit]:
        """Remove members of mapping `pointer` (block YAML: their whole lines)."""
        pointer = tuple(pointer)
        entries = self._entries(pointer)
        drop = [i for i, e in enumerate(entries) if e[0] in set(keys)]
        if not drop:
            return []
        if len(drop) == len(entries):
            return self.replace_value(pointer, {})
        if self.kind(pointer) == "block":
            return self._remove_block(entries, drop, lambda e: (e[1], self._entry_end(e)))
        return self._remove_flow(entries, drop, lambda e: (e[1], e[4]))

    def rename_key(self, pointer, key: str, new_key: str) -> list[TextEdit]:
        """Rename member `key` of mapping `pointer`, keeping its quote style."""
        pointer = tuple(pointer)
        span = self.smap.key_span(pointer + (key,))
        if span is None:
            raise EditError(f"no key {key!r} at {list(pointer)}")
        ks, ke = span
        old = self.text[ks:ke]
        if self.syntax == "json":
            new = json_key(new_key)
        elif old[:1] in ("'", '"'):
            new = quote_yaml(new_key, old[0])
        else:
            new = yaml_key(new_key)
        return [TextEdit(self.file, ks, ke, new)]

    # -- values ------------------------------------------------------------------------------------
    def replace_value(self, pointer, value: Any) -> list[TextEdit]:
        """Replace the value at `pointer`: scalars keep their quote style; containers are written
        in the surrounding style (only the replaced node's text changes)."""
        pointer = tuple(pointer)
        vs, ve = self.span(pointer)
        old = self.text[vs:ve]
        if not isinstance(value, (dict, list)):
            # block nodes end where the next token starts: stop at the end of their own text
            end = self.content_end(vs, ve) if vs != ve else ve
            if vs == ve and self.syntax == "yaml" and pointer and self.smap.key_span(pointer) is not None:
                colon = self._colon_after(self.smap.key_span(pointer)[1])
                return [TextEdit(self.file, colon + 1, colon + 1, " " + self._scalar_like("", value))]
            return [TextEdit(self.file, vs, end, self._scalar_like(old, value))]
        if self.syntax == "json":
            return [TextEdit(self.file, vs, ve, self.style.json_value(value, self._indent_of_line(vs), multiline="\n" in self.text))]
        parent = pointer[:-1]
        in_flow = bool(pointer) and self.kind(parent) == "flow"
        key_span = self.smap.key_span(pointer) if pointer else None
        if in_flow or not value or key_span is None:
            end = self.content_end(vs, ve) if vs != ve else ve
            flow = yaml_flow(value, self.style.quote)
            if vs == ve and key_span is not None:  # `key:` with no value text
                colon = self._colon_after(key_span[1])
                return [TextEdit(self.file, colon + 1, colon + 1, " " + flow)]
            return [TextEdit(self.file, vs, end, flow)]
        # block: rewrite from just after `key:` to the end of the old value
        colon = self._colon_after(key_span[1])
        end = max(self.content_end(vs, ve), colon + 1)
        indent = self.column(key_span[0])
        return [TextEdit(self.file, colon + 1, end, self.style.yaml_value(value, indent))]

    def _scalar_like(self, old: str, value: Any) -> str:
        if self.syntax == "json":
            return self.style.json_value(value, "", multiline=False)
        if isinstance(value, str) and old[:1] in ("'", '"'):
            return quote_yaml(value, old[0])
        return yaml_scalar(value, self.style.quote)

    def replace_scalar(self, pointer, value: Any) -> list[TextEdit]:
        return self.replace_value(pointer, value)

    def replace_in_scalar(self, pointer, old: str, new: str, *, last: bool = False, suffix: bool = False) -> list[TextEdit]:
        """Replace the first (or last) occurrence of `old` in the scalar's text at `pointer`:
        the smallest possible edit, whatever the quoting or block style. With `suffix`, only an
        occurrence at the end of the value (before a closing quote) counts."""
        vs, ve = self.span(pointer)
        raw = self.text[vs:ve]
        end = len(self.text[vs : self.content_end(vs, ve)])
        if raw[:1] in ("'", '"') and end > 0:
            end -= 1
        if suffix:
            i = end - len(old) if raw[:end].endswith(old) else -1
        else:
            i = raw.rfind(old, 0, end) if last else raw.find(old, 0, end)
        if i < 0:
            raise EditError(f"{old!r} not found in the value at {list(pointer)}")
        return [TextEdit(self.file, vs + i, vs + i + len(old), new)]

    # -- sequences ---------------------------------------------------------------------------------
    def insert_item(self, pointer, value: Any, index: int | None = None) -> list[TextEdit]:
        """Insert `value` into sequence `pointer` at `index` (default: at the end)."""
        pointer = tuple(pointer)
        items = self._items(pointer)
        kind = self.kind(pointer)
        if not items:
            if kind == "block":
                raise EditError("empty block sequence")
            vs, ve = self.span(pointer)
            close = self.content_end(vs, ve) - 1
            return [TextEdit(self.file, vs + 1, close, self._flow_value(value, kind))]
        index = len(items) if index is None else max(0, min(index, len(items)))
        if kind == "block":
            first = items[0][0]
            dash = self.text.rfind("-", self.line_start(first), first)
            if dash < 0:
                raise EditError("cannot find the sequence's dash")
            dcol = self.column(dash)
            marker = self.text[dash:first] if self.text[dash + 1 : first].strip() == "" else "- "
            line = " " * dcol + marker + self.style.yaml_item(value, dcol, dcol + len(marker))
            if index == 0 and not self._prefix(dash).strip():
                at = self.line_start(first)
                return [TextEdit(self.file, at, at, line + self.style.nl)]
            prev = items[index - 1] if index > 0 else items[0]
            at = self.line_end(self.content_end(*prev))
            return [TextEdit(self.file, at, at, self.style.nl + line)]
        multiline = "\n" in self.text[self.span(pointer)[0] : items[0][0]]
        indent = self._indent_of_line(items[0][0]) if multiline else ""
        rendered = self.style.json_value(value, indent) if kind == "json" and multiline else self._flow_value(value, kind)
        lead = f",{self.style.nl}{indent}" if multiline else ", "
        if index == 0:
            at = items[0][0]
            return [TextEdit(self.file, at, at, rendered + lead.lstrip(" ") if not multiline else rendered + lead)]
        at = items[index - 1][1]
        return [TextEdit(self.file, at, at, lead + rendered)]

    def remove_item(self, pointer, index: int) -> list[TextEdit]:
        return self.remove_items(pointer, [index])

    def remove_items(self, pointer, indices) -> list[TextEdit]:
        """Remove items of sequence `pointer` (block YAML: their whole lines)."""
        pointer = tuple(pointer)
        items = [(i, *span) for i, span in enumerate(self._items(pointer))]
        drop = sorted({i for i in indices if 0 <= i < len(items)})
        if not drop:
            return []
        if len(drop) == len(items):
            return self.replace_value(pointer, [])
        if self.kind(pointer) == "block":
            for i in drop:
                s = items[i][1]
                if self._prefix(s).strip() != "-":
                    raise EditError("sequence item is not on its own line")
            return self._remove_block(items, drop, lambda e: (e[1], self.content_end(e[1], e[2])))
        return self._remove_flow(items, drop, lambda e: (e[1], e[2]))

    # -- removal geometry -------------------------------------------------------------------------
    def _remove_block(self, entries, drop, bounds) -> list[TextEdit]:
        edits = []
        dropped = set(drop)
        i = 0
        while i < len(entries):
            if i not in dropped:
                i += 1
                continue
            start, end = bounds(entries[i])
            prefix = self._prefix(start)
            if not prefix.strip() or prefix.strip() == "-":
                if prefix.strip() == "-" and len(entries[i]) == 5:
                    # first key of a `- key:` item: the next kept key takes its place after the dash
                    j = i + 1
                    while j < len(entries) and j in dropped:
                        j += 1
                    if j >= len(entries):
                        raise EditError("cannot remove every key of a sequence item")
                    edits.append(TextEdit(self.file, start, entries[j][1], ""))
                    i = j
                    continue
                edits.append(TextEdit(self.file, self.line_start(start), self.after_line(end), ""))
            else:
                raise EditError("entry does not start its line")
            i += 1
        return edits

    def _remove_flow(self, entries, drop, bounds) -> list[TextEdit]:
        """Runs of removed entries: delete up to the next kept entry, or from the previous one's end."""
        edits = []
        dropped = set(drop)
        i = 0
        while i < len(entries):
            if i not in dropped:
                i += 1
                continue
            j = i
            while j + 1 < len(entries) and j + 1 in dropped:
                j += 1
            if j + 1 < len(entries):
                edits.append(TextEdit(self.file, bounds(entries[i])[0], bounds(entries[j + 1])[0], ""))
            else:
                edits.append(TextEdit(self.file, bounds(entries[i - 1])[1], bounds(entries[j])[1], ""))
            i = j + 1
        return edits


def json_key(key: str) -> str:
    import json

    return json.dumps(key, ensure_ascii=False)


_WORD = re.compile(r"[A-Za-z0-9]+")
