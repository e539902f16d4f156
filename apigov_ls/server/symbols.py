"""Document outline and workspace symbols (operationIds, components) from a file's source map."""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types

from apigov_ls.document.model import SourceFile
from apigov_ls.engine.types import JsonPath
from apigov_ls.server.convert import offsets_to_lsp_range
from apigov_ls.server.symbol_index import COMPONENT_KINDS, HTTP_METHODS, OAS2_MAPS, WorkspaceEntry
from apigov_ls.server.workspace import path_to_uri, uri_to_path

K = types.SymbolKind
TOP_LEVEL = {"info": K.Namespace, "servers": K.Array, "tags": K.Array, "paths": K.Namespace, "webhooks": K.Namespace,
             "components": K.Namespace, "security": K.Array, "externalDocs": K.Object}


class _Outline:
    def __init__(self, sf: SourceFile, encoding: str):
        self.sf, self.sm, self.encoding = sf, sf.source_map, encoding

    def symbol(self, path: JsonPath, name: str, kind, detail: str | None = None, children=None):
        key = self.sm.key_span(path)
        vs, ve = self.sm.value_span(path)
        start = key[0] if key else vs
        sel = key or (vs, ve)
        lines = self.sm.lines
        return types.DocumentSymbol(
            name=name or "\u00a0", kind=kind, detail=detail,
            range=offsets_to_lsp_range(lines, min(start, vs), max(ve, sel[1]), self.encoding),
            selection_range=offsets_to_lsp_range(lines, *sel, self.encoding),
            children=children or None)

    def build(self) -> list[types.DocumentSymbol]:
        data = self.sf.data
        if not isinstance(data, dict):
            return []
        out = []
        for key, value in data.items():
            p = (key,)
            if key == "paths" or key == "webhooks":
                out.append(self.symbol(p, key, K.Namespace, children=self.paths(p, value)))
            elif key == "components" and isinstance(value, dict):
                kinds = [self.symbol(p + (kind,), kind, K.Namespace, children=self.named(p + (kind,), members, K(COMPONENT_KINDS.get(kind, K.Object))))
                         for kind, members in value.items()]
                out.append(self.symbol(p, key, K.Namespace, children=kinds))
            elif key in OAS2_MAPS:
                out.append(self.symbol(p, key, K.Namespace, children=self.named(p, value, K(OAS2_MAPS[key]))))
            elif key == "info" and isinstance(value, dict):
                out.append(self.symbol(p, key, K.Namespace, detail=_s(value.get("title")),
                                       children=[self.symbol(p + (k,), k, K.Property, detail=_s(v)) for k, v in value.items()]))
            elif key in ("servers", "tags") and isinstance(value, list):
                label = "url" if key == "servers" else "name"
                items = [self.symbol(p + (i,), _s(item.get(label)) if isinstance(item, dict) else str(i), K.String)
                         for i, item in enumerate(value)]
                out.append(self.symbol(p, key, K.Array, children=items))
            else:
                out.append(self.symbol(p, key, TOP_LEVEL.get(key, K.Property if not key.startswith("x-") else K.Field)))
        return out

    def paths(self, p: JsonPath, value: Any) -> list:
        if not isinstance(value, dict):
            return []
        out = []
        for route, item in value.items():
            ops = []
            if isinstance(item, dict):
                for method, op in item.items():
                    if method in HTTP_METHODS:
                        detail = _s(op.get("operationId")) if isinstance(op, dict) else None
                        ops.append(self.symbol(p + (route, method), method.upper(), K.Method, detail=detail))
            out.append(self.symbol(p + (route,), route, K.Interface, children=ops))
        return out

    def named(self, p: JsonPath, value: Any, kind) -> list:
        if not isinstance(value, dict):
            return []
        return [self.symbol(p + (name,), name, kind) for name in value]


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def outline_of(path: str, text: str, encoding: str) -> list[types.DocumentSymbol] | None:
    """Document symbols of a text, parsed where this runs (a worker process for large texts)."""
    from apigov_ls.document.model import FileError, FileLoader

    try:
        sf = FileLoader({path: text}).load(path)
    except (FileError, OSError):
        return None
    return _Outline(sf, encoding).build()


class Symbols:
    def __init__(self, server):
        self.ls = server
        #: path -> (text, outline): the last outline computed in a worker, per text
        self._outlines: dict[str, tuple[str, list | None]] = {}

    async def document_symbols(self, uri: str):
        from apigov_ls.server.navigation import QUICK_PARSE_LIMIT, Navigation

        path = uri_to_path(uri)
        if path is None:
            return None
        text = self.ls.text_of(path)
        if text is not None and len(text) > QUICK_PARSE_LIMIT:
            return await self._outline_off_loop(path, text)
        sf = await Navigation(self.ls).view(path)
        if sf is None:
            return None
        return _Outline(sf, self.ls.encoding).build()

    async def _outline_off_loop(self, path: str, text: str):
        """A large open text is parsed in a worker process: a parse here would stall every request."""
        cached = self._outlines.get(path)
        if cached is not None and cached[0] is text:
            return cached[1]
        outline = await asyncio.wrap_future(self.ls.check_pool.submit(outline_of, path, text, self.ls.encoding))
        self._outlines = {path: (text, outline)}  # one entry: the document being worked on
        return outline

    def workspace_symbols(self, query: str) -> list[types.WorkspaceSymbol]:
        from apigov_ls.document.positions import to_client_character

        entries: dict[tuple, WorkspaceEntry] = {}
        checked = set()
        for analysis in list(self.ls.checker.analyses.values()):
            checked |= set(analysis.files)
            for e in analysis.symbols:
                entries[(e.path, e.line, e.start, e.name)] = e
        for root_entries in list(self.ls.symbol_index.values()):
            for e in root_entries:
                if e.path not in checked:
                    entries.setdefault((e.path, e.line, e.start, e.name), e)
        q = query.lower()
        out = []
        enc = self.ls.encoding
        for e in entries.values():
            if q and not _fuzzy(q, e.name.lower()):
                continue
            rng = types.Range(types.Position(e.line, to_client_character(e.line_text, e.start, enc)),
                              types.Position(e.line, to_client_character(e.line_text, e.end, enc)))
            out.append(types.WorkspaceSymbol(name=e.name, kind=types.SymbolKind(e.kind), container_name=e.container,
                                             location=types.Location(path_to_uri(e.path), rng)))
        out.sort(key=lambda s: (s.name.lower(), s.location.uri))
        return out


def _fuzzy(query: str, name: str) -> bool:
    """Characters of the query appear in order in the name (as editors filter symbols)."""
    it = iter(name)
    return all(c in it for c in query)
