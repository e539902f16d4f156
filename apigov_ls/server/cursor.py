"""What is under the cursor: cheap text lookups and walks of a parsed file's source map."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag

from apigov_ls.document.model import decode_pointer
from apigov_ls.document.sourcemap import SourceMap
from apigov_ls.engine.types import JsonPath

_REF_ON_LINE = re.compile(r"""(["']?)\$ref\1\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s,}#][^\s,}]*|#[^\s,}]*))""")


@dataclass(frozen=True)
class RefAtCursor:
    value: str
    start: int   # code-point column of the value's first character (inside quotes)
    end: int


def ref_at(line_text: str, column: int) -> RefAtCursor | None:
    """The `$ref` value on a line when the cursor is on its key or value (YAML or JSON)."""
    for m in _REF_ON_LINE.finditer(line_text):
        group = next(g for g in (2, 3, 4) if m.group(g) is not None)
        if m.start() <= column <= m.end():
            value = m.group(group)
            if group == 3:
                value = value.replace("''", "'")
            return RefAtCursor(value, m.start(group), m.end(group))
    return None


def split_ref(ref: str, source: str) -> tuple[str, JsonPath | None]:
    """(target file, pointer) of a $ref string found in `source` (pointer None when invalid)."""
    import os

    base, frag = urldefrag(ref)
    target = source
    if base:
        base = unquote(base)
        if base.startswith("file://"):
            base = base[7:]
        target = os.path.normpath(os.path.join(os.path.dirname(source), base))
    try:
        return target, decode_pointer(frag)
    except ValueError:
        return target, None


@dataclass(frozen=True)
class NodeAtCursor:
    path: JsonPath
    on_key: bool
    key_span: tuple[int, int] | None
    value_span: tuple[int, int]


def node_at(source_map: SourceMap, data: Any, offset: int) -> NodeAtCursor:
    """The deepest key or value whose text contains `offset`."""
    node, path = data, ()
    key_span, value_span, on_key = None, source_map.root_span, False
    while isinstance(node, (dict, list)):
        pos = source_map.positions.get(id(node))
        if pos is None:
            break
        hit = None
        items = pos.items() if isinstance(pos, dict) else enumerate(pos)
        for k, entry in items:
            if len(entry) == 4:
                ks, ke, vs, ve = entry
                if ks <= offset <= ke:
                    return NodeAtCursor(path + (k,), True, (ks, ke), (vs, ve))
                if vs <= offset <= ve and vs != ve:
                    hit = (k, (ks, ke), (vs, ve))
                    break
            else:
                vs, ve = entry
                if vs <= offset <= ve:
                    hit = (k, None, (vs, ve))
                    break
        if hit is None:
            break
        k, key_span, value_span = hit
        path = path + (k,)
        try:
            node = node[k]
        except (KeyError, IndexError, TypeError):
            break
    return NodeAtCursor(path, on_key, key_span, value_span)


COMPONENT_MAPS_OAS2 = ("definitions", "parameters", "responses", "securityDefinitions")


def component_pointer(path: JsonPath) -> JsonPath | None:
    """`components/<kind>/<name>` (OpenAPI 3) or `definitions/<name>`-style (OpenAPI 2) prefix of a path."""
    if len(path) >= 3 and path[0] == "components":
        return tuple(path[:3])
    if len(path) >= 2 and path[0] in COMPONENT_MAPS_OAS2:
        return tuple(path[:2])
    return None


def yaml_ancestors(lines: list[str], line_no: int, column: int) -> list[str]:
    """Keys of the block-style YAML mappings enclosing a position, outermost first.

    A text-only guess used while typing (the file may not parse): a line with less indentation
    than the current one opens the block we are in. List items (`- `) count as one level.
    """
    out: list[str] = []
    current = lines[line_no][:column] if 0 <= line_no < len(lines) else ""
    indent = len(current) - len(current.lstrip(" "))
    if current.strip() == "" or current.lstrip().startswith("-"):
        indent = min(indent, column)
    for i in range(line_no - 1, -1, -1):
        text = lines[i]
        stripped = text.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        ind = len(text) - len(stripped)
        if ind < indent:
            item = stripped.startswith("- ")
            body = stripped[2:] if item else stripped
            m = re.match(r"""(["']?)([^"':#]+?)\1\s*:(\s|$)""", body)
            if item:
                out.append("-")
                # a key on the list item line (`- name: x`) is a sibling, not an ancestor
                indent = ind
                continue
            if m:
                out.append(m.group(2).strip())
            indent = ind
            if ind == 0:
                break
    out.reverse()
    return out
