"""External `$ref`s inside `functionOptions` (for example a `schema` option that points at a
local JSON Schema file, as adidas' ruleset does).

Each `{"$ref": "./file.yaml#/frag"}` is replaced by the referenced content. The inlined document
gets `$id: file:///abs/path`, so the `#/...` references inside it keep resolving against that
document, and its own relative `$ref`s are inlined the same way. Local `#...` refs and URLs stay.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from apigov_ls.document.parse import parse_text


def inline_file_refs(value: Any, base_dir: str, files: list[str], stack: tuple[str, ...] = ()) -> Any:
    """Return `value` with relative-file `$ref`s replaced; raises ValueError naming a bad ref."""
    if isinstance(value, list):
        return [inline_file_refs(v, base_dir, files, stack) for v in value]
    if not isinstance(value, dict):
        return value
    ref = value.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#") and "://" not in ref:
        target, _, fragment = ref.partition("#")
        path = os.path.normpath(os.path.join(base_dir, unquote(target)))
        if path in stack:
            # a cycle across files: point at it by absolute URI; the validator resolves it
            return {**value, "$ref": Path(path).as_uri() + (f"#{fragment}" if fragment else "")}
        doc = _load(path, ref)
        if path not in files:
            files.append(path)
        doc = inline_file_refs(doc, os.path.dirname(path), files, stack + (path,))
        if isinstance(doc, dict):
            doc = {"$id": Path(path).as_uri(), **doc}
        if fragment:
            doc = _follow(doc, fragment, ref)
        return doc
    return {k: inline_file_refs(v, base_dir, files, stack) for k, v in value.items()}


def _load(path: str, ref: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        raise ValueError(f'$ref "{ref}": file not found ({path})') from None
    parsed = parse_text(text, syntax="json" if path.endswith(".json") else None)
    if not parsed.ok:
        raise ValueError(f'$ref "{ref}": {parsed.problems[0].message} ({path}:{parsed.problems[0].range.start.line + 1})')
    return parsed.data


def _follow(doc: Any, fragment: str, ref: str) -> Any:
    node = doc
    for raw in fragment.lstrip("/").split("/") if fragment.strip("/") else []:
        seg = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and seg in node:
            node = node[seg]
        elif isinstance(node, list) and seg.isdigit() and int(seg) < len(node):
            node = node[int(seg)]
        else:
            raise ValueError(f'$ref "{ref}": "#{fragment}" does not exist in that file')
    return node


