"""Shared bits of the built-in fixes: where the result's text is, document facts, value choices."""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any

from apigov_ls.document.model import encode_pointer, get_at
from apigov_ls.fixes.edits import EditError, FileEditor
from apigov_ls.fixes.model import Fix, Safety
from apigov_ls.fixes.registry import editor

SAFE, UNSAFE = Safety.SAFE, Safety.UNSAFE
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Target:
    """The result's file editor, pointer there and the value at it."""

    def __init__(self, result, document):
        self.result = result
        self.document = document
        self.ed: FileEditor = editor(document, result.source)
        self.ptr: tuple = tuple(result.location_path)
        self.value = self.ed.get(self.ptr)

    def fix(self, title: str, safety: Safety, edits) -> Fix:
        if not edits:
            raise EditError("nothing to change")
        return Fix(title, safety, list(edits), self.result.code)

    def up_to(self, predicate) -> tuple:
        """The longest prefix of the pointer whose value satisfies `predicate` (a dict holder)."""
        for n in range(len(self.ptr), -1, -1):
            found, v = get_at(self.ed.data, self.ptr[:n])
            if found and predicate(self.ptr[:n], v):
                return self.ptr[:n]
        raise EditError("no matching ancestor")


def is_oas2(document) -> bool:
    return "oas2" in document.formats


def ref_to(document, file: str, pointer: tuple) -> str:
    """A $ref string usable in `file` that points at `pointer` of the root file."""
    frag = "#" + encode_pointer(pointer)
    if os.path.abspath(file) == os.path.abspath(document.source):
        return frag
    rel = os.path.relpath(document.source, os.path.dirname(file)).replace(os.sep, "/")
    return rel + frag


def iter_dicts(node: Any, path: tuple = ()):
    """Every mapping of a data tree with its path (iterative: documents can be deep)."""
    stack = [(node, path)]
    while stack:
        n, p = stack.pop()
        if isinstance(n, dict):
            yield p, n
            stack.extend((v, p + (k,)) for k, v in n.items() if isinstance(v, (dict, list)))
        elif isinstance(n, list):
            stack.extend((v, p + (i,)) for i, v in enumerate(n) if isinstance(v, (dict, list)))


def name_of(result_path: tuple, value: Any) -> str | None:
    """The property or parameter name a schema belongs to (for "most used" choices)."""
    if len(result_path) >= 2 and result_path[-2] == "properties":
        return str(result_path[-1])
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"]
    if result_path and result_path[-1] == "schema" and len(result_path) >= 2:
        return None
    return None


#: keywords whose "most used" value fixes may reuse
STAT_KEYWORDS = ("maxItems", "maxLength", "minimum", "maximum", "format")


def most_used(document, name: str | None, keyword: str) -> Any:
    """The value of `keyword` most used on schemas of properties/parameters called `name`."""
    if name is None:
        return None
    stats = document.__dict__.get("_fix_keyword_stats")
    if stats is None:
        stats = document.__dict__["_fix_keyword_stats"] = _keyword_stats(document)
    counts = stats.get((name, keyword))
    return counts.most_common(1)[0][0] if counts else None


def _keyword_stats(document) -> dict:
    """(name, keyword) -> Counter of values, in one walk over every file of the document."""
    stats: dict = {}

    def count(name, schema):
        for kw in STAT_KEYWORDS:
            v = schema.get(kw)
            if isinstance(v, (int, float, str)) and not isinstance(v, bool):
                stats.setdefault((name, kw), Counter())[v] += 1

    for sf in document.files.values():
        for _, d in iter_dicts(sf.data):
            props = d.get("properties")
            if isinstance(props, dict):
                for pname, schema in props.items():
                    if isinstance(schema, dict):
                        count(pname, schema)
            if isinstance(d.get("name"), str) and "in" in d:
                count(d["name"], d)
                if isinstance(d.get("schema"), dict):
                    count(d["name"], d["schema"])
    return stats


def seen_under(document, name: str | None) -> dict:
    """Bounds of every value the document's files hold under the key `name` (examples included):
    {"str": longest string, "list": longest list, "min": smallest number, "max": largest number}.
    New limits are widened to these so that no existing example stops validating."""
    index = document.__dict__.get("_fix_seen_values")
    if index is None:
        index = document.__dict__["_fix_seen_values"] = _seen_index(document)
    return index.get(name, {}) if name is not None else {}


def _seen_index(document) -> dict:
    index: dict = {}
    for sf in document.files.values():
        for _, d in iter_dicts(sf.data):
            for k, v in d.items():
                if isinstance(v, bool) or v is None:
                    continue
                b = index.setdefault(k, {})
                if isinstance(v, str):
                    b["str"] = max(b.get("str", 0), len(v))
                elif isinstance(v, list):
                    b["list"] = max(b.get("list", 0), len(v))
                elif isinstance(v, (int, float)):
                    b["min"] = min(b.get("min", v), v)
                    b["max"] = max(b.get("max", v), v)
    return index


def sample_values(schema: dict) -> list:
    """Values the schema shows itself (example, default, enum, x-example, examples)."""
    out = []
    for k in ("example", "default", "x-example"):
        if k in schema:
            out.append(schema[k])
    for k in ("enum", "examples"):
        if isinstance(schema.get(k), list):
            out.extend(schema[k])
    return out


_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def words(text: str) -> list[str]:
    return _WORDS.findall(text)
