"""The LSP protocol with one fix: requests whose params do not deserialize get an error response.

pygls 2.1 raises JsonRpcInvalidParams while decoding such a request and only logs it (plus a
showMessage): the request id is never answered and a client waiting on it hangs (lsp-stack.md,
"Gotchas"). Here the request is answered with InvalidParams (-32602) before pygls reports it.
"""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol


class AnsweringProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "method" in data and data.get("id") is not None:
                error = JsonRpcInvalidParams(f"Invalid params for {data['method']}")
                self._send_response(data["id"], error=error.to_response_error())
            raise
