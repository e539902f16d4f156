"""Base class for optional language features plugged into the server (esbonio-style).

The server owns the LSP handlers and fans requests out to registered features. Code actions
live here as a hook: a `CodeActionFeature` (quick fixes, written separately) subclasses
`LanguageFeature`, implements `code_action`, and is added with `server.add_feature(...)` before
the server starts; the server then advertises `codeActionProvider` with the feature's kinds.
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
        """Code actions for a range; `self.server.diagnostics.entries(uri)` gives the engine results."""
        return None
