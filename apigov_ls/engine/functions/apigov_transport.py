"""apigov:security functions about transport (Postman's "Excessive data exposure" rules):
credentials and servers over plain HTTP, and OpenAPI 2.0 `schemes`, `produces` and `consumes`."""

from __future__ import annotations

from typing import Any

from apigov_ls.engine.functions import function
from apigov_ls.engine.functions.apigov_common import (
    get_path,
    is_oas2,
    iter_operations,
    operation_label,
    per_document,
    requirement_names,
    resolved_root,
    security_schemes,
    url_protocols,
)
from apigov_ls.engine.functions.apigov_security import credential_kind, credential_words, requirement_index

_KINDS = ["oauth2", "openIdConnect", "oauth1", "apiKey", "httpAuth"]

#: (path of the offending value, words for the message)
Transport = tuple[tuple, str]


def _server_transports(servers: Any, base: tuple) -> list[Transport]:
    out = []
    if isinstance(servers, list):
        for i, server in enumerate(servers):
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            if "http" in url_protocols(server["url"].strip(), server):
                out.append((base + (i, "url"), f'server "{server["url"]}"'))
    return out


def _scheme_transports(schemes: Any, base: tuple) -> list[Transport]:
    if not isinstance(schemes, list):
        return []
    return [(base + (i,), 'schemes include "http"') for i, s in enumerate(schemes) if isinstance(s, str) and s.strip().lower() == "http"]


def _root_transports(root: dict, oas2: bool) -> list[Transport]:
    if oas2:
        return _scheme_transports(root.get("schemes"), ("schemes",))
    return _server_transports(root.get("servers"), ("servers",))


def _operation_transports(root: dict, path: tuple, op: dict, oas2: bool) -> tuple[list[Transport], bool]:
    """The plain-HTTP transports an operation is served over, and whether they are the root's."""
    if oas2:
        if "schemes" in op:
            return _scheme_transports(op["schemes"], path + ("schemes",)), False
        return _root_transports(root, oas2), True
    if isinstance(op.get("servers"), list) and op["servers"]:
        return _server_transports(op["servers"], path + ("servers",)), False
    item = get_path(root, path[:2])
    if isinstance(item, dict) and isinstance(item.get("servers"), list) and item["servers"]:
        return _server_transports(item["servers"], path[:2] + ("servers",)), False
    return _root_transports(root, oas2), True


@function(
    "apigovCredentialsOverHttp",
    {
        "type": "object",
        "properties": {"kind": {"enum": _KINDS}, "scope": {"enum": ["global", "operation"]}},
        "required": ["kind", "scope"],
        "additionalProperties": False,
    },
)
def credentials_over_http(value: Any, options: dict, context) -> list[dict] | None:
    """Schemes of one kind that a security requirement uses while the API (scope `global`, given
    `$`) or an operation (scope `operation`, given each operation) is reachable over plain HTTP.

    An operation that inherits both the global security and the root servers is left to the
    global rule, so one insecure server gives one result, not one per operation."""
    root = resolved_root(context)
    if not isinstance(root, dict) or not isinstance(value, dict):
        return None
    oas2 = is_oas2(context)
    schemes = security_schemes(root, oas2)
    kind = options["kind"]
    global_security = root.get("security")
    if options["scope"] == "global":
        security, transports, inherited, prefix, path = global_security, _root_transports(root, oas2), False, "", ()
    else:
        path = tuple(context.path)
        security = value["security"] if "security" in value else global_security
        transports, inherited = _operation_transports(root, path, value, oas2)
        prefix = f"Operation {operation_label(path) or 'at ' + '/'.join(map(str, path))}: "
    if not transports:
        return None
    own_security = options["scope"] == "operation" and "security" in value
    global_names = set(requirement_names(global_security))
    results = []
    for name in requirement_names(security):
        scheme = schemes.get(name)
        if credential_kind(scheme, oas2) != kind:
            continue
        if inherited and (not own_security or name in global_names):
            continue  # the global rule reports this server once
        words = credential_words(kind, name, scheme)
        for where, how in transports:
            if inherited:
                where = path + ("security", requirement_index(security, name), name)
            verb = "is" if kind == "apiKey" else "are"
            results.append({"message": f"{prefix}{words} {verb} sent over plain HTTP ({how})", "path": where})
    return results or None


def _owner_words(path: tuple) -> str:
    op = operation_label(path)
    if op:
        return f" of operation {op}"
    if len(path) >= 2 and path[0] == "paths":
        return f" of path {path[1]}"
    return ""


@function("apigovServerHttp")
def server_http(server: Any, options: Any, context) -> list[dict] | None:
    """A server object whose URL is (or, through a `{scheme}` variable, can be) plain HTTP."""
    if not isinstance(server, dict) or not isinstance(server.get("url"), str):
        return None
    url = server["url"]
    if "http" not in url_protocols(url.strip(), server):
        return None
    how = "can use plain HTTP through its variables" if "{" in url.partition("://")[0] else "uses plain HTTP"
    return [{"message": f'Server "{url}"{_owner_words(tuple(context.path))} {how}', "path": tuple(context.path) + ("url",)}]


@function("apigovSchemesHttp")
def schemes_http(schemes: Any, options: Any, context) -> list[dict] | None:
    """OpenAPI 2.0 `schemes` (global or operation) that include `http`."""
    if not isinstance(schemes, list):
        return None
    path = tuple(context.path)
    op = operation_label(path)
    who = f"Operation {op}" if op else "The API"
    return [
        {"message": f'{who} accepts plain HTTP (schemes include "{s}")', "path": path + (i,)}
        for i, s in enumerate(schemes)
        if isinstance(s, str) and s.strip().lower() == "http"
    ] or None


# -- OpenAPI 2.0 produces / consumes ---------------------------------------------------------------------
_MEDIA_CHECKS = ("missing", "empty", "operation-missing", "operation-empty")


def _takes_body(root: dict, path: tuple, op: dict) -> bool:
    item = get_path(root, path[:2])
    params = list(op.get("parameters") or []) + list((item or {}).get("parameters") or [] if isinstance(item, dict) else [])
    return any(isinstance(p, dict) and p.get("in") in ("body", "formData") for p in params)


def _relevant(field: str, root: dict, path: tuple, op: dict) -> bool:
    """`produces` matters for every operation, `consumes` for operations that take a body."""
    return field == "produces" or _takes_body(root, path, op)


@function(
    "apigovMediaTypes",
    {
        "type": "object",
        "properties": {"field": {"enum": ["produces", "consumes"]}, "check": {"enum": list(_MEDIA_CHECKS)}},
        "required": ["field", "check"],
        "additionalProperties": False,
    },
)
def media_types(value: Any, options: dict, context) -> list[dict] | None:
    """`missing`/`empty` look at the root (given `$`); `operation-*` at one operation.

    `operation-missing` reports an operation without its own list only when the root has none
    and other operations have theirs; when none has one, `missing` reports the API once."""
    root = resolved_root(context)
    if not isinstance(root, dict) or not isinstance(value, dict):
        return None
    field, check = options["field"], options["check"]
    path = tuple(context.path)
    verb = "returns" if field == "produces" else "accepts"
    if check == "empty":
        if value.get(field) == []:
            return [{"message": f"The global {field} list is empty: the media types the API {verb} are not declared", "path": path + (field,)}]
        return None
    if check == "missing":
        if field in value:
            return None
        if not any(_relevant(field, root, p, op) for p, op in iter_operations(root)):
            return None
        return [{"message": f"The API does not declare the media types it {verb} (no global {field})", "path": path}]
    label = operation_label(path) or "/".join(map(str, path))
    if check == "operation-empty":
        if value.get(field) == []:
            return [{"message": f"Operation {label} has an empty {field} list", "path": path + (field,)}]
        return None
    if field in value or field in root or not _relevant(field, root, path, value):
        return None
    declaring = per_document(
        root, ("declaring", field), lambda: [p for p, op in iter_operations(root) if field in op and _relevant(field, root, p, op)]
    )
    if not declaring:
        return None
    return [{"message": f"Operation {label} does not declare the media types it {verb} (no {field}, none global)", "path": path}]
