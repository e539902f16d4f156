"""The language server: LSP handlers that dispatch to the workspace, checker and feature objects."""

from __future__ import annotations

import asyncio
import logging
import os
import multiprocessing

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from apigov_ls import __version__
from apigov_ls.document.positions import LineIndex
from apigov_ls.server.checker import Analysis, Checker, CheckJob
from apigov_ls.server.code_actions import CodeActionFeature
from apigov_ls.server.config import SECTION, parse_settings
from apigov_ls.server.convert import SOURCE, DiagnosticReuse, encoding_name, to_lsp_position
from apigov_ls.server.diagnostics import DiagnosticPublisher, DiagnosticStore, Entry
from apigov_ls.server.feature import LanguageFeature
from apigov_ls.server.pinned_pool import PinnedPool
from apigov_ls.server.protocol import AnsweringProtocol
from apigov_ls.server.rulesets import RULESET_BASENAMES
from apigov_ls.server.text_sync import IndexedDocument
from apigov_ls.server.workspace import ApiWorkspace, Snapshot, path_to_uri, scan_folders, uri_to_path

log = logging.getLogger(__name__)

WATCH_GLOBS = ("**/*.{yaml,yml,json}", "**/.spectral.{yaml,yml,json,js,mjs,cjs}", "**/*.{js,mjs,cjs,py}")
#: how long a pull or a cross-file request waits for a running check before answering
SETTLE_TIMEOUT = 10.0


class ApigovLanguageServer(LanguageServer):
    def __init__(self, max_check_workers: int = 2):
        super().__init__("apigov-ls", __version__, protocol_cls=AnsweringProtocol)
        self.api = ApiWorkspace()
        self.store = DiagnosticStore()
        self.publisher = DiagnosticPublisher(self, self.store)
        self.diagnostic_reuse = DiagnosticReuse()
        #: parse cache for navigation requests in this process (path -> (stamp, SourceFile))
        self.parse_cache: dict = {}
        # processes, not threads: libyaml holds the GIL while it composes a large file; each root
        # is checked by the same worker, which keeps its incremental state (pinned_pool.py)
        self.check_pool = PinnedPool(max_check_workers, mp_context=multiprocessing.get_context("spawn"))
        self.checker = Checker(self.check_pool, self._job, self.snapshot, self.open_versions, self._on_analysis,
                               edits_between=self.edits_between)
        self.ruleset_generation = 0
        self.features: list[LanguageFeature] = [CodeActionFeature(self)]
        self.scan_done: asyncio.Event | None = None
        #: root -> workspace symbols found by the first scan (roots not checked yet)
        self.symbol_index: dict[str, list] = {}
        #: ruleset problems already shown as messages (built-in rulesets have no file for a diagnostic)
        self._reported: set[tuple[str, str]] = set()

    def shutdown(self) -> None:
        """pygls calls this when the connection ends (exit, stdin EOF, broken pipe): stop the check
        workers at once, a running check included, so that the process can exit now and leaves no orphans."""
        self.check_pool.kill()
        super().shutdown()

    def add_feature(self, feature: LanguageFeature) -> None:
        self.features.append(feature)

    # -- positions ------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        return encoding_name(self.workspace.position_encoding)

    # -- open documents -------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        texts, versions, tokens = {}, {}, {}
        for uri, doc in self.workspace.text_documents.items():
            path = uri_to_path(uri)
            if path:
                texts[path] = doc.source
                versions[path] = doc.version if doc.version is not None else 0
                if isinstance(doc, IndexedDocument):
                    tokens[path] = doc.token
        return Snapshot(texts, versions, tokens)

    def edits_between(self, path: str, base: str, token: str) -> list | None:
        """The logged edits from the open text named `base` to the one named `token` (None: not known)."""
        doc = self.workspace.text_documents.get(path_to_uri(path))
        if not isinstance(doc, IndexedDocument) or doc.token != token:
            return None
        return doc.edits_since(base)

    def open_versions(self) -> dict[str, int]:
        out = {}
        for uri, doc in self.workspace.text_documents.items():
            path = uri_to_path(uri)
            if path:
                out[path] = doc.version if doc.version is not None else 0
        return out

    def text_of(self, path: str) -> str | None:
        doc = self.workspace.text_documents.get(path_to_uri(path))
        return doc.source if doc is not None else None

    def lines_of(self, path: str) -> LineIndex | None:
        """Line index of an open document's current text (kept up to date by edits, see text_sync)."""
        doc = self.workspace.text_documents.get(path_to_uri(path))
        if doc is None:
            return None
        return doc.line_index if isinstance(doc, IndexedDocument) else LineIndex(doc.source)

    # -- checks -----------------------------------------------------------------------------
    def _job(self, root: str, snapshot: Snapshot) -> CheckJob:
        return CheckJob(root, snapshot.overlays, self.api.settings, list(self.api.folders), self.api.included(root),
                        self.encoding, self.ruleset_generation)

    def is_ruleset_file(self, path: str) -> bool:
        if os.path.basename(path) in RULESET_BASENAMES:
            return True
        return any(path in a.ruleset_files for a in self.checker.analyses.values())

    def is_baseline_file(self, path: str) -> bool:
        """Whether `path` is the baseline file (setting `baseline`) of an active root."""
        from apigov_ls.server.fix_worker import baseline_path

        setting = self.api.settings.baseline
        if not setting:
            return False
        folders = list(self.api.folders)
        return any(baseline_path(setting, root, folders) == path for root in self.active_roots())

    def reload_rulesets(self) -> None:
        self.ruleset_generation += 1

    def document_changed(self, uri: str, delay: float) -> None:
        path = uri_to_path(uri)
        if path is None:
            return
        text = self.text_of(path)
        if self.is_ruleset_file(path):
            self.reload_rulesets()
            self.recheck_all(delay)
        roots = self.api.roots_for(path, text)
        known = path in self.checker.analyses or path in self.checker.states
        if known and path not in roots:
            self.stop_root(path)
        for root in roots:
            self.checker.schedule(root, delay)

    def recheck_all(self, delay: float = 0.0) -> None:
        for root in self.active_roots():
            self.checker.schedule(root, delay)

    def active_roots(self) -> set[str]:
        """Roots that are open, or that use an open file."""
        roots = set()
        for path in self.open_versions():
            roots |= self.api.roots_for(path, self.text_of(path))
        return roots

    def retire_inactive(self) -> None:
        active = self.active_roots()
        for root in set(self.checker.analyses) | set(self.checker.states):
            if root not in active:
                self.stop_root(root)

    def stop_root(self, root: str) -> None:
        self.checker.drop(root)
        self.checker.states.pop(root, None)
        self.diagnostic_reuse.forget(("root", root))
        changed = self.store.clear_origin(("root", root))
        changed |= self._sync_ruleset_errors()
        self.publisher.sync(changed)

    def _on_analysis(self, analysis: Analysis) -> None:
        root = analysis.root
        if not analysis.is_description:
            self.api.index.forget(root)
            self.checker.analyses.pop(root, None)
            self.publisher.sync(self.store.clear_origin(("root", root)) | self._sync_ruleset_errors())
            return
        self.api.index.set_files(root, analysis.files)
        self.symbol_index.pop(root, None)
        changed = self.store.set_origin(("root", root), *self._entries(analysis))
        changed |= self._sync_ruleset_errors()
        log.info("checked %s: %d results in %.2fs", root, len(analysis.findings), analysis.seconds)
        self.publisher.sync(changed)

    def _entries(self, analysis: Analysis) -> tuple[dict[str, list[Entry]], dict[str, int | None]]:
        uris: dict[str, str] = {}

        def uri_of(path: str) -> str:  # hundreds of findings, a handful of files
            uri = uris.get(path)
            if uri is None:
                uri = uris[path] = path_to_uri(path)
            return uri

        per_uri: dict[str, list[Entry]] = {uri_of(p): [] for p in analysis.files}
        diagnostics = self.diagnostic_reuse.convert(("root", analysis.root), analysis.findings, uri_of)
        for finding, diagnostic in zip(analysis.findings, diagnostics):
            per_uri.setdefault(uri_of(finding.source), []).append(Entry(diagnostic, finding))
        versions = {uri_of(p): analysis.versions.get(p) for p in analysis.files}
        return per_uri, versions

    def _sync_ruleset_errors(self) -> set[str]:
        """A ruleset that failed to load: one diagnostic in the file and at the line the loader names."""
        changed: set[str] = set()
        current: dict[str, list] = {}
        for analysis in self.checker.analyses.values():
            problem = analysis.ruleset_problem
            if problem is None:
                continue
            file = problem.file if problem.file and os.path.isabs(problem.file) else problem.key
            if not os.path.isabs(file):  # a built-in ruleset: no file to show it in
                if (problem.key, problem.reason) not in self._reported:
                    self._reported.add((problem.key, problem.reason))
                    self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"apigov: ruleset {problem.key}: {problem.reason}"))
                continue
            if all(p.reason != problem.reason or p.line != problem.line for p in current.get(file, [])):
                current.setdefault(file, []).append(problem)
        for origin in self.store.origins():
            if origin[0] == "ruleset" and origin[1] not in current:
                changed |= self.store.clear_origin(origin)
        for file, problems in current.items():
            text = self.text_of(file)
            if text is None:
                try:
                    with open(file, encoding="utf-8") as fh:
                        text = fh.read()
                except OSError:
                    text = ""
            lines = LineIndex(text)
            uri = path_to_uri(file)
            entries = []
            for problem in problems:
                line = max((problem.line or 1) - 1, 0)
                rng = types.Range(types.Position(line, 0), to_lsp_position(lines, line, len(lines.line_text(line)), self.encoding))
                entries.append(Entry(types.Diagnostic(rng, f"Invalid ruleset: {problem.reason}", severity=types.DiagnosticSeverity.Error,
                                                      code="invalid-ruleset", source=SOURCE)))
            doc = self.workspace.text_documents.get(uri)
            changed |= self.store.set_origin(("ruleset", file), {uri: entries}, {uri: doc.version if doc else None})
        return changed

    # -- settings ---------------------------------------------------------------------------
    def apply_settings(self, raw, *, privileged: bool = False) -> None:
        """Apply client settings; only initializationOptions are `privileged` (see config.PRIVILEGED)."""
        settings, errors = parse_settings(raw, self.api.settings, privileged=privileged)
        for message in errors:
            self.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"apigov settings: {message}"))
        if settings != self.api.settings:
            self.api.settings = settings
            self.reload_rulesets()

    async def pull_settings(self) -> None:
        ws = self.client_capabilities.workspace
        if ws is None or not ws.configuration:
            return
        try:
            values = await asyncio.wait_for(self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])), timeout=5)
        except Exception as err:  # a client that does not answer must not block startup
            log.warning("workspace/configuration failed: %s", err)
            return
        if values:
            self.apply_settings(values[0])

    # -- first scan ---------------------------------------------------------------------------
    async def first_scan(self) -> None:
        """Index the API descriptions of the workspace folders (which fragments each root uses)."""
        from apigov_ls.server.symbol_index import index_root

        token = "apigov-first-scan"
        progress = bool(self.client_capabilities.window and self.client_capabilities.window.work_done_progress)
        try:
            if progress:
                try:
                    await asyncio.wait_for(self.work_done_progress.create_async(token), timeout=5)
                except Exception:
                    progress = False
            if progress:
                self.work_done_progress.begin(token, types.WorkDoneProgressBegin(title="apigov: scanning API descriptions", percentage=0))
            roots = await asyncio.to_thread(scan_folders, list(self.api.folders), self.api)
            for i, root in enumerate(roots):
                entry = await asyncio.wrap_future(self.check_pool.submit(index_root, root))
                if entry is not None and root not in self.checker.analyses:
                    files, symbols = entry
                    self.api.index.set_files(root, files)
                    self.symbol_index[root] = symbols
                if progress:
                    self.work_done_progress.report(token, types.WorkDoneProgressReport(
                        message=os.path.basename(root), percentage=int(100 * (i + 1) / max(len(roots), 1))))
            if progress:
                self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=f"{len(roots)} API descriptions"))
            # fragments opened before the scan finished now know their roots
            for path in self.open_versions():
                for root in self.api.roots_for(path, self.text_of(path)):
                    if root not in self.checker.analyses and not self.checker.busy(root):
                        self.checker.schedule(root, 0)
        finally:
            if self.scan_done is not None:
                self.scan_done.set()

