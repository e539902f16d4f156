"""LSP method wiring: each handler is a few lines that hand over to the server's objects."""

from __future__ import annotations

import asyncio
import inspect
import logging

from lsprotocol import types

from apigov_ls.server.config import SECTION
from apigov_ls.server.server import SETTLE_TIMEOUT, WATCH_GLOBS, ApigovLanguageServer
from apigov_ls.server.text_sync import use_indexed_documents
from apigov_ls.server.workspace import uri_to_path

log = logging.getLogger(__name__)

COMPLETION_TRIGGERS = ["#", "/", "'", '"', " "]


def register_handlers(ls: ApigovLanguageServer) -> None:
    from apigov_ls.server.completion import Completion
    from apigov_ls.server.navigation import Navigation
    from apigov_ls.server.symbols import Symbols

    nav = Navigation(ls)
    symbols = Symbols(ls)
    completion = Completion(ls, nav)

    @ls.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams):
        use_indexed_documents(ls.workspace)
        ls.apply_settings(params.initialization_options, privileged=True)
        folders = [uri_to_path(f.uri) for f in (params.workspace_folders or [])]
        if not folders and params.root_uri:
            folders = [uri_to_path(params.root_uri)]
        ls.api.folders = [f for f in folders if f]

    @ls.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams):
        from apigov_ls.server.checker import warm_up

        for _ in range(2):
            ls.check_pool.submit(warm_up)
        ls.scan_done = asyncio.Event()
        await ls.pull_settings()
        await _register_dynamic(ls)
        asyncio.get_running_loop().create_task(ls.first_scan())

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams):
        settings = params.settings
        if isinstance(settings, dict) and SECTION in settings:
            ls.apply_settings(settings[SECTION])
        else:
            await ls.pull_settings()
        ls.reload_rulesets()
        ls.recheck_all(0)

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams):
        path = uri_to_path(params.text_document.uri)
        if path is not None:
            ls.lines_of(path)  # index the lines now, not on the first keystroke
        ls.document_changed(params.text_document.uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams):
        if ls.api.settings.run == "onType":
            ls.document_changed(params.text_document.uri, ls.api.settings.debounce_ms / 1000)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams):
        ls.document_changed(params.text_document.uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams):
        path = uri_to_path(params.text_document.uri)
        ls.retire_inactive()
        if path is not None:
            if ls.is_ruleset_file(path):  # the disk version of a ruleset applies again
                ls.reload_rulesets()
                ls.recheck_all(0)
            for root in ls.api.index.roots_using(path):  # now read from disk
                if root in ls.active_roots():
                    ls.checker.schedule(root, 0)

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams):
        open_paths = set(ls.open_versions())
        recheck_all = baseline_changed = False
        roots: set[str] = set()
        for change in params.changes:
            path = uri_to_path(change.uri)
            if path is None:
                continue
            if change.type == types.FileChangeType.Deleted:
                ls.api.index.forget(path)
            recheck_all |= ls.is_ruleset_file(path)
            baseline_changed |= ls.is_baseline_file(path)
            if path not in open_paths:  # open files follow the editor, not the disk
                roots |= ls.api.index.roots_using(path)
        if recheck_all:
            ls.reload_rulesets()
        if recheck_all or baseline_changed:  # a baseline edit changes what is reported, not the rules
            ls.recheck_all(0)
        active = ls.active_roots()
        for root in roots & active:
            ls.checker.schedule(root, 0)

    @ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                types.DiagnosticOptions(identifier="apigov", inter_file_dependencies=True, workspace_diagnostics=False))
    async def document_diagnostic(params: types.DocumentDiagnosticParams):
        path = uri_to_path(params.text_document.uri)
        if path is not None:
            roots = ls.api.roots_for(path, ls.text_of(path))
            await ls.checker.settled(roots, SETTLE_TIMEOUT)
        return ls.publisher.report(params.text_document.uri, params.previous_result_id)

    @ls.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(params: types.DefinitionParams):
        return await nav.definition(params.text_document.uri, params.position)

    @ls.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(params: types.ReferenceParams):
        return await nav.references(params.text_document.uri, params.position, params.context.include_declaration)

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams):
        return await nav.hover(params.text_document.uri, params.position)

    @ls.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(params: types.PrepareRenameParams):
        return await nav.prepare_rename(params.text_document.uri, params.position)

    @ls.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    async def rename(params: types.RenameParams):
        return await nav.rename(params.text_document.uri, params.position, params.new_name)

    @ls.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(params: types.DocumentSymbolParams):
        return await symbols.document_symbols(params.text_document.uri)

    @ls.feature(types.WORKSPACE_SYMBOL)
    def workspace_symbol(params: types.WorkspaceSymbolParams):
        return symbols.workspace_symbols(params.query)

    @ls.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=COMPLETION_TRIGGERS))
    async def complete(params: types.CompletionParams):
        return await completion.complete(params.text_document.uri, params.position)

    kinds = sorted({k for f in ls.features for k in f.code_action_kinds})
    if kinds:
        @ls.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=kinds))
        async def code_action(params: types.CodeActionParams):
            actions: list = []
            for feature in ls.features:
                found = feature.code_action(params)
                if inspect.isawaitable(found):  # features may wait for a check or a worker
                    found = await found
                actions.extend(found or [])
            return actions or None

    @ls.feature(types.SHUTDOWN)
    def shutdown(*_):
        ls.check_pool.shutdown(wait=False, cancel_futures=True)
        ls.checker.states.clear()


async def _register_dynamic(ls: ApigovLanguageServer) -> None:
    """File watchers and configuration changes, registered when the client allows it."""
    ws = ls.client_capabilities.workspace
    registrations = []
    if ws is not None and ws.did_change_watched_files is not None and ws.did_change_watched_files.dynamic_registration:
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in WATCH_GLOBS]
        registrations.append(types.Registration(id="apigov-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)))
    if ws is not None and ws.did_change_configuration is not None and ws.did_change_configuration.dynamic_registration:
        registrations.append(types.Registration(id="apigov-config", method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                                                register_options=types.DidChangeConfigurationRegistrationOptions(section=SECTION)))
    if not registrations:
        return
    try:
        await asyncio.wait_for(ls.client_register_capability_async(types.RegistrationParams(registrations)), timeout=5)
    except Exception as err:
        log.warning("dynamic registration failed: %s", err)
