"""Base class for optional language features plugged into the server (esbonio-style).

The server owns the LSP handlers and fans requests out to registered features. Code actions
live here as a hook: `CodeActionFeature` (apigov_ls.server.code_actions, registered by default)
subclasses `LanguageFeature` and implements `code_action`; more are added with
`server.add_feature(...)` before the handlers are registered. The server advertises
`codeActionProvider` with the features' kinds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from lsprotocol import types

if TYPE_CHECKING:
    from apigov_ls.server.server import ApigovLanguageServer


class LanguageFeature:
    #: code action kinds this feature offers (empty: it offers none)
    code_action_kinds: Sequence[str] = ()

    def __init__(self, server: "ApigovLanguageServer"):
        self.server = server

    def code_action(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        """Code actions for a range (or a coroutine returning them: the server awaits it);
        `self.server.checker.analyses` holds the checks' Findings with their fixes."""
        return None
