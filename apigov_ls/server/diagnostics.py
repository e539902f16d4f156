"""The diagnostics store, and publishing it: pushed, or answered to textDocument/diagnostic.

Diagnostics are kept per origin (a root's check, a ruleset's load error) and per file URI; a
file's diagnostics are the union over origins, so a fragment used by two roots shows each
problem once. Clients that advertise `textDocument.diagnostic` pull; all others get pushes,
never both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Hashable

from lsprotocol import types

from apigov_ls.server.checker import Finding

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    diagnostic: types.Diagnostic
    #: the checker's Finding behind it (None for ruleset load errors); hover and code actions read it
    result: Finding | None = None

    def key(self) -> tuple:
        r = self.diagnostic.range
        return (self.diagnostic.code, r.start.line, r.start.character, r.end.line, r.end.character, self.diagnostic.message)


class DiagnosticStore:
    def __init__(self) -> None:
        self._by_origin: dict[Hashable, dict[str, list[Entry]]] = {}
        self.versions: dict[str, int | None] = {}
        self._result_ids: dict[str, int] = {}

    def set_origin(self, origin: Hashable, per_uri: dict[str, list[Entry]], versions: dict[str, int | None]) -> set[str]:
        """Replace what `origin` says; returns URIs whose diagnostics changed."""
        before = self._by_origin.get(origin, {})
        touched = set(before) | set(per_uri)
        old = {uri: self._keys(uri) for uri in touched}
        self._by_origin[origin] = {uri: entries for uri, entries in per_uri.items() if entries}
        self.versions.update(versions)
        return self._changed(old)

    def clear_origin(self, origin: Hashable) -> set[str]:
        before = self._by_origin.get(origin)
        if not before:
            self._by_origin.pop(origin, None)
            return set()
        old = {uri: self._keys(uri) for uri in before}
        del self._by_origin[origin]
        return self._changed(old)

    def origins(self) -> list[Hashable]:
        return list(self._by_origin)

    def _changed(self, old: dict[str, list]) -> set[str]:
        changed = {uri for uri, keys in old.items() if keys != self._keys(uri)}
        for uri in changed:
            self._result_ids[uri] = self._result_ids.get(uri, 0) + 1
        return changed

    def _keys(self, uri: str) -> list:
        # whole diagnostics: a change of severity or related locations must be sent too
        return [e.diagnostic for e in self.entries(uri)]

    def entries(self, uri: str) -> list[Entry]:
        seen, out = set(), []
        for per_uri in self._by_origin.values():
            for e in per_uri.get(uri, ()):
                k = e.key()
                if k not in seen:
                    seen.add(k)
                    out.append(e)
        out.sort(key=lambda e: e.key()[1:])
        return out

    def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        return [e.diagnostic for e in self.entries(uri)]

    def result_id(self, uri: str) -> str:
        return str(self._result_ids.get(uri, 0))

    def uris(self) -> set[str]:
        return {uri for per_uri in self._by_origin.values() for uri in per_uri}


def client_pulls(capabilities: types.ClientCapabilities) -> bool:
    td = capabilities.text_document
    return td is not None and td.diagnostic is not None


def client_refreshes(capabilities: types.ClientCapabilities) -> bool:
    ws = capabilities.workspace
    return bool(ws is not None and ws.diagnostics is not None and ws.diagnostics.refresh_support)


class DiagnosticPublisher:
    """Sends what changed in the store: publishDiagnostics, or a refresh request for pulling clients."""

    def __init__(self, server, store: DiagnosticStore):
        self.server = server
        self.store = store

    @property
    def pull(self) -> bool:
        return client_pulls(self.server.client_capabilities)

    def sync(self, changed: set[str]) -> None:
        if not changed:
            return
        if self.pull:
            if client_refreshes(self.server.client_capabilities):
                self.server.workspace_diagnostic_refresh(None)
            return
        for uri in sorted(changed):
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=self.store.diagnostics(uri), version=self.store.versions.get(uri)))

    def report(self, uri: str, previous_result_id: str | None) -> types.DocumentDiagnosticReport:
        result_id = self.store.result_id(uri)
        if previous_result_id is not None and previous_result_id == result_id:
            return types.UnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.FullDocumentDiagnosticReport(items=self.store.diagnostics(uri), result_id=result_id)
