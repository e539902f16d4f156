"""Completion of $ref values, security requirement names and response status codes.

The context is read from the text around the cursor (the file is often invalid while typing);
the candidates come from the current parse when it succeeds, else from the last good model.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from apigov_ls.server.cursor import split_ref, yaml_ancestors
from apigov_ls.server.navigation import Navigation
from apigov_ls.server.symbol_index import HTTP_METHODS, OAS2_MAPS
from apigov_ls.server.workspace import DESCRIPTION_SUFFIXES, SKIP_DIRS

_REF_PREFIX = re.compile(r"""(["']?)\$ref\1\s*:\s*(["']?)([^"']*)$""")
STATUS_CODES = {
    "200": "OK", "201": "Created", "202": "Accepted", "204": "No Content", "301": "Moved Permanently",
    "302": "Found", "304": "Not Modified", "400": "Bad Request", "401": "Unauthorized", "403": "Forbidden",
    "404": "Not Found", "405": "Method Not Allowed", "409": "Conflict", "410": "Gone", "412": "Precondition Failed",
    "415": "Unsupported Media Type", "422": "Unprocessable Content", "429": "Too Many Requests",
    "500": "Internal Server Error", "502": "Bad Gateway", "503": "Service Unavailable", "504": "Gateway Timeout",
    "default": "any other status",
}
FILE_DEPTH = 3
FILE_LIMIT = 300


class _LineView(Sequence):
    """The lines of a LineIndex as a sequence, without splitting the whole text."""

    def __init__(self, index):
        self.index = index

    def __len__(self) -> int:
        return self.index.line_count

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.index.line_text(j) for j in range(*i.indices(len(self)))]
        return self.index.line_text(i)


class Completion:
    def __init__(self, server, navigation: Navigation):
        self.ls = server
        self.nav = navigation

    async def complete(self, uri: str, pos: types.Position):
        where = self.nav.cursor(uri, pos)
        if where is None:
            return None
        path, lines, col, _ = where
        before = lines.line_text(pos.line)[:col]
        m = _REF_PREFIX.search(before)
        if m:
            return await self.ref_values(path, m.group(3), pos, col - len(m.group(3)), lines)
        if path.lower().endswith(".json"):
            return None
        ancestors = yaml_ancestors(_LineView(lines), pos.line, col)
        if len(ancestors) >= 2 and ancestors[-2:] == ["security", "-"] or ancestors[-1:] == ["security"]:
            return await self.security_names(path)
        if len(ancestors) >= 2 and ancestors[-1] == "responses" and (ancestors[-2] in HTTP_METHODS or ancestors[0] == "paths"):
            present = set(await self._present_keys(path, ancestors))
            return types.CompletionList(is_incomplete=False, items=[
                types.CompletionItem(label=code, kind=types.CompletionItemKind.Value, detail=reason,
                                     insert_text=(f"'{code}':" if code != "default" else "default:"), sort_text=code)
                for code, reason in STATUS_CODES.items() if code not in present])
        return None

    async def _data(self, path: str) -> Any:
        sf = await self.nav.view(path, allow_slow=False)
        if sf is not None and isinstance(sf.data, dict):
            return sf.data
        model = self.nav.model_file(path)
        return model.data if model is not None else None

    async def _present_keys(self, path: str, ancestors: list[str]) -> list[str]:
        data = await self._data(path)
        node = data
        for key in ancestors:
            if isinstance(node, dict) and key in node:
                node = node[key]
            else:
                return []
        return list(node) if isinstance(node, dict) else []

    async def _root_data(self, path: str) -> list[tuple[str, Any]]:
        """(root path, data) for the file itself when it is a root, else for the roots using it."""
        data = await self._data(path)
        if isinstance(data, dict) and ("openapi" in data or "swagger" in data):
            return [(path, data)]
        out = []
        for root in sorted(self.ls.api.index.roots_using(path) - {path}):
            root_data = await self._data(root)
            if isinstance(root_data, dict):
                out.append((root, root_data))
        return out

    async def security_names(self, path: str):
        names: dict[str, str] = {}
        for _, data in await self._root_data(path):
            schemes = (data.get("components") or {}).get("securitySchemes") if isinstance(data.get("components"), dict) else None
            schemes = schemes if isinstance(schemes, dict) else data.get("securityDefinitions")
            if isinstance(schemes, dict):
                for name, scheme in schemes.items():
                    names.setdefault(name, scheme.get("type", "") if isinstance(scheme, dict) else "")
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(label=name, kind=types.CompletionItemKind.Reference, detail=f"security scheme ({kind})" if kind else "security scheme",
                                 insert_text=f"{name}: []") for name, kind in sorted(names.items())])

    async def ref_values(self, path: str, typed: str, pos: types.Position, start_col: int, lines) -> types.CompletionList:
        from apigov_ls.document.positions import to_client_character

        line_text = lines.line_text(pos.line)
        start = types.Position(pos.line, to_client_character(line_text, start_col, self.ls.encoding))
        replace = types.Range(start, pos)
        candidates: list[tuple[str, str, types.CompletionItemKind]] = []
        if "#" in typed and not typed.startswith("#"):
            target, _ = split_ref(typed.split("#", 1)[0], path)
            data = await self._data(target) if os.path.isfile(target) or self.ls.text_of(target) else None
            prefix = typed.split("#", 1)[0]
            candidates += [(prefix + p, d, k) for p, d, k in component_refs(data)]
        else:
            data = await self._data(path)
            candidates += component_refs(data)
            for root, root_data in await self._root_data(path):
                if root != path:
                    rel = os.path.relpath(root, os.path.dirname(path)).replace(os.sep, "/")
                    candidates += [(rel + p, d, k) for p, d, k in component_refs(root_data)]
            files = await asyncio.to_thread(relative_files, path)
            candidates += [(f, "file", types.CompletionItemKind.File) for f in files]
        items = [types.CompletionItem(label=value, kind=kind, detail=detail, filter_text=value,
                                      text_edit=types.TextEdit(replace, value), sort_text=f"{i:05d}")
                 for i, (value, detail, kind) in enumerate(candidates)]
        return types.CompletionList(is_incomplete=False, items=items)


def component_refs(data: Any) -> list[tuple[str, str, types.CompletionItemKind]]:
    from apigov_ls.document.model import encode_pointer

    out = []
    if not isinstance(data, dict):
        return out
    components = data.get("components")
    if isinstance(components, dict):
        for kind, members in components.items():
            if isinstance(members, dict):
                for name in members:
                    out.append(("#" + encode_pointer(("components", kind, name)), kind, types.CompletionItemKind.Reference))
    for section in OAS2_MAPS:
        members = data.get(section)
        if isinstance(members, dict) and ("swagger" in data or section == "definitions"):
            for name in members:
                out.append(("#" + encode_pointer((section, name)), section, types.CompletionItemKind.Reference))
    return out


def relative_files(path: str) -> list[str]:
    """YAML/JSON files near `path`, relative to its folder (its own folder and below, and siblings of the parent)."""
    folder = os.path.dirname(path)
    out = []
    for current, dirs, files in os.walk(folder):
        depth = os.path.relpath(current, folder).count(os.sep) + (0 if current == folder else 1)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")) if depth < FILE_DEPTH else []
        for name in sorted(files):
            full = os.path.join(current, name)
            if name.lower().endswith(DESCRIPTION_SUFFIXES) and full != path:
                out.append(os.path.relpath(full, folder).replace(os.sep, "/"))
                if len(out) >= FILE_LIMIT:
                    return out
    parent = os.path.dirname(folder)
    if parent != folder:
        try:
            for name in sorted(os.listdir(parent)):
                if name.lower().endswith(DESCRIPTION_SUFFIXES):
                    out.append("../" + name)
        except OSError:
            pass
    return out[:FILE_LIMIT]
