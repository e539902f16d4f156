"""textDocument/codeAction: quick fixes, "Ignore RULE here" and fix-all.

Quick fixes come with each check (fix_worker.finding_actions): they are answered from the
checker's analyses, and only from analyses of the files' current versions (a stale answer would
be a wrong edit; the request waits briefly for a running check instead). Fix-all re-lints in
rounds, so it runs in the root's worker, and only when the client asks for it by kind
(`context.only` naming `source`, `source.fixAll` or `source.fixAll.apigov`): clients ask for
code actions without `only` on every cursor move.
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from apigov_ls.server.checker import Analysis, Finding, FindingAction
from apigov_ls.server.convert import client_range, to_diagnostic
from apigov_ls.server.feature import LanguageFeature
from apigov_ls.server.workspace import path_to_uri, uri_to_path

log = logging.getLogger(__name__)

QUICKFIX = types.CodeActionKind.QuickFix.value
FIX_ALL_KIND = "source.fixAll.apigov"
#: how long a code action request waits for a pending or running check of its file
SETTLE_TIMEOUT = 5.0
#: fix-all re-lints the document (in rounds): give a large description time
FIX_ALL_TIMEOUT = 60.0


def wanted(kind: str, only: list[str] | None) -> bool:
    """`context.only` holds kinds and their parents ("source" asks for "source.fixAll.apigov")."""
    return only is None or any(kind == o or kind.startswith(o + ".") for o in only)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and \
        (b.start.line, b.start.character) <= (a.end.line, a.end.character)


def matches(finding: Finding, diagnostic: types.Diagnostic) -> bool:
    """A diagnostic the client sends back is this finding's: same code and range, or same code,
    line and message (Neovim 0.7 rebuilds diagnostics from its own, byte-column, copy)."""
    if diagnostic.code is None or str(diagnostic.code) != finding.code:
        return False
    rng = client_range(finding.range)
    return rng == diagnostic.range or (rng.start.line == diagnostic.range.start.line and diagnostic.message == finding.message)


class CodeActionFeature(LanguageFeature):
    code_action_kinds = (QUICKFIX, FIX_ALL_KIND)

    async def code_action(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        ls = self.server
        uri = params.text_document.uri
        path = uri_to_path(uri)
        if path is None:
            return None
        only = params.context.only
        only = [getattr(k, "value", k) for k in only] if only else None
        roots = ls.api.roots_for(path, ls.text_of(path))
        if not roots:
            return None
        await ls.checker.settled(roots, SETTLE_TIMEOUT)
        actions: list[types.CodeAction] = []
        if wanted(QUICKFIX, only):
            actions.extend(await self.quick_fixes(uri, path, params))
        if only is not None and wanted(FIX_ALL_KIND, only):
            fix_all = await self.fix_all(path, roots)
            if fix_all is not None:
                actions.append(fix_all)
        return actions or None

    # -- quick fixes ----------------------------------------------------------------------------
    def fresh_findings(self, path: str) -> list[tuple[Analysis, int]]:
        """(analysis, index) of the findings in `path`, from analyses whose files are all at their
        current versions."""
        now = self.server.open_versions()
        out, seen = [], set()
        for root, analysis in list(self.server.checker.analyses.items()):
            if path not in analysis.files or self.server.checker.busy(root) or not _current(analysis, now):
                continue
            for i, f in enumerate(analysis.findings):
                key = (f.code, f.range, f.message)
                if f.source == path and key not in seen:
                    seen.add(key)
                    out.append((analysis, i))
        return out

    async def fetch_actions(self, findings: list[tuple[Analysis, int]]) -> None:
        """Ask the checking workers for the actions of the findings that have none yet."""
        from apigov_ls.server.fix_worker import ActionsJob, run_finding_actions

        by_analysis: dict[int, tuple[Analysis, list[int]]] = {}
        for analysis, i in findings:
            if analysis.findings[i].actions is None:
                by_analysis.setdefault(id(analysis), (analysis, []))[1].append(i)
        for analysis, indexes in by_analysis.values():
            job = ActionsJob(analysis.root, analysis.check_id, indexes)
            try:
                found = await asyncio.wait_for(asyncio.wrap_future(self.server.check_pool.submit(run_finding_actions, job)),
                                               SETTLE_TIMEOUT)
            except Exception:
                log.exception("fixes for %s failed", analysis.root)
                continue
            if found is not None:  # None: the worker has moved on to a newer check
                for i, actions in zip(indexes, found):
                    analysis.findings[i].actions = actions

    async def quick_fixes(self, uri: str, path: str, params: types.CodeActionParams) -> list[types.CodeAction]:
        asked = list(params.context.diagnostics or ())
        chosen = []
        for analysis, i in self.fresh_findings(path):
            finding = analysis.findings[i]
            if asked:
                diagnostic = next((d for d in asked if matches(finding, d)), None)
                if diagnostic is None:
                    continue
            else:
                diagnostic = to_diagnostic(finding, path_to_uri)
                if not _overlaps(diagnostic.range, params.range):
                    continue
            chosen.append((analysis, i, diagnostic))
        await self.fetch_actions([(a, i) for a, i, _ in chosen])
        now = self.server.open_versions()
        ranked = []
        for analysis, i, diagnostic in chosen:
            if not _current(analysis, now):
                continue  # edited while the worker answered
            for action in analysis.findings[i].actions or ():
                ranked.append(((not action.preferred, action.kind == "ignore"), types.CodeAction(
                    title=action.title, kind=QUICKFIX, diagnostics=[diagnostic],
                    is_preferred=True if action.preferred else None,
                    edit=self.workspace_edit(_by_file(action)))))
        # the preferred (safe) fixes first, then the other fixes, the Ignore actions last
        ranked.sort(key=lambda r: r[0])
        return [action for _, action in ranked]

    # -- fix-all ----------------------------------------------------------------------------------
    async def fix_all(self, path: str, roots: set[str]) -> types.CodeAction | None:
        from apigov_ls.server.fix_worker import FixAllJob, run_fix_all

        ls = self.server
        root = path if path in roots else sorted(roots)[0]
        snapshot = ls.snapshot()
        job = FixAllJob(ls._job(root, snapshot), path)
        try:
            result = await asyncio.wait_for(asyncio.wrap_future(ls.check_pool.submit(run_fix_all, job)), FIX_ALL_TIMEOUT)
        except Exception:
            log.exception("fix-all of %s failed", path)
            return None
        now = ls.open_versions()
        if any(snapshot.versions.get(f) != now.get(f) for f in result.files):
            return None  # edited meanwhile: these edits would land in the wrong places
        if not result.edits:
            return None
        return types.CodeAction(
            title=f"Fix all auto-fixable apigov problems ({result.applied} fix{'es' if result.applied != 1 else ''})",
            kind=FIX_ALL_KIND, edit=self.workspace_edit(result.edits))

    # -- edits ---------------------------------------------------------------------------------------
    def workspace_edit(self, by_file: dict[str, list[tuple]]) -> types.WorkspaceEdit:
        """documentChanges with the open files' versions when the client takes them, else changes."""
        edits = {path_to_uri(p): [types.TextEdit(client_range(rng), text) for rng, text in items]
                 for p, items in by_file.items()}
        ws = self.server.client_capabilities.workspace
        if ws is not None and ws.workspace_edit is not None and ws.workspace_edit.document_changes:
            versions = self.server.open_versions()
            return types.WorkspaceEdit(document_changes=[
                types.TextDocumentEdit(types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=versions.get(uri_to_path(uri))), es)
                for uri, es in edits.items()])
        return types.WorkspaceEdit(changes=edits)


def _current(analysis: Analysis, now: dict[str, int]) -> bool:
    return all(analysis.versions.get(f) == now.get(f) for f in analysis.files)


def _by_file(action: FindingAction) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for path, rng, text in action.edits:
        out.setdefault(path, []).append((rng, text))
    return out
