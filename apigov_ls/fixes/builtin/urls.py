"""Trailing slashes on servers, hosts and paths; plain-HTTP URLs and schemes upgraded to HTTPS."""

from __future__ import annotations

from apigov_ls.fixes.builtin.common import SAFE, UNSAFE, Target
from apigov_ls.fixes.edits import EditError
from apigov_ls.fixes.registry import fixer


@fixer("oas3-server-trailing-slash", "oas2-host-trailing-slash")
def strip_trailing_slash(result, document):
    # the server URL is joined with paths that start with "/": its own trailing slash only doubles it
    t = Target(result, document)
    if not isinstance(t.value, str):
        return None
    slashes = len(t.value) - len(t.value.rstrip("/"))
    if slashes == 0 or slashes == len(t.value):
        return None
    return t.fix("Remove the trailing slash", SAFE, t.ed.replace_in_scalar(t.ptr, "/" * slashes, "", suffix=True))


@fixer("path-keys-no-trailing-slash", "apigov-gov-path-trailing-slash")
def path_without_trailing_slash(result, document):
    # unsafe: /a/ and /a are different URLs for many servers
    t = Target(result, document)
    if len(t.ptr) < 2 or not isinstance(t.ptr[-1], str):
        return None
    path = t.ptr[-1]
    new = path.rstrip("/") or "/"
    paths = t.ed.get(t.ptr[:-1])
    if new == path or new in paths:
        return None
    return t.fix(f'Rename path to "{new}"', UNSAFE, t.ed.rename_key(t.ptr[:-1], path, new))


@fixer(
    "owasp:api8:2023-no-server-http",
    "apigov-sec-server-http",
    "apigov-sec-operation-server-http",
    "apigov-sec-oauth-authorization-url-http",
    "apigov-sec-oauth-token-url-http",
    "apigov-sec-oauth-refresh-url-http",
    "apigov-sec-openid-connect-url-http",
)
def use_https(result, document):
    # unsafe: the host may not serve HTTPS at that address
    t = Target(result, document)
    ptr = t.ptr
    if isinstance(t.value, dict) and isinstance(t.value.get("url"), str):
        ptr = ptr + ("url",)
    value = t.ed.get(ptr)
    if not isinstance(value, str) or not value.lower().startswith("http://"):
        return None
    return t.fix("Use https://", UNSAFE, t.ed.replace_in_scalar(ptr, value[:7], "https://"))


@fixer("owasp:api8:2023-no-scheme-http", "apigov-sec-schemes-http", "apigov-sec-operation-schemes-http")
def drop_http_scheme(result, document):
    t = Target(result, document)
    ptr, schemes = t.ptr, t.value
    if isinstance(schemes, str):
        ptr, schemes = t.ptr[:-1], t.ed.get(t.ptr[:-1])
    if not isinstance(schemes, list):
        return None
    http = [i for i, s in enumerate(schemes) if s == "http"]
    if not http:
        return None
    if "https" in schemes:
        return t.fix('Remove the "http" scheme', UNSAFE, t.ed.remove_items(ptr, http))
    edits = t.ed.replace_value(ptr + (http[0],), "https") + t.ed.remove_items(ptr, http[1:])
    if not edits:
        raise EditError("nothing to change")
    return t.fix('Use the "https" scheme', UNSAFE, edits)
