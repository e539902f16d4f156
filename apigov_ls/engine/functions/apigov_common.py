"""Helpers shared by the apigov:security and apigov:governance functions (no rule functions here).

They read the resolved document (`context.document_inventory.resolved`) so content reached
through `$ref`, in this file or another, is seen; results keep resolved paths and the runner
maps them back to the file that holds the text.
"""

from __future__ import annotations

import itertools
import re
import threading
from typing import Any, Iterator

from apigov_ls.engine.types import JsonPath

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def resolved_root(context) -> Any:
    inventory = context.document_inventory
    return inventory.resolved if inventory is not None else context.document.data


def is_oas2(context) -> bool:
    return "oas2" in (context.document.formats or ())


def get_path(data: Any, path: JsonPath) -> Any:
    """The value at `path` in `data`, or None."""
    node = data
    for seg in path:
        if isinstance(node, dict):
            node = node.get(seg if isinstance(seg, str) else str(seg))
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
        else:
            return None
    return node


def operation_label(path: JsonPath) -> str | None:
    """`GET /pets` for a path under ('paths', '/pets', 'get', ...), else None."""
    if len(path) >= 3 and path[0] == "paths" and isinstance(path[2], str) and path[2] in HTTP_METHODS:
        return f"{path[2].upper()} {path[1]}"
    return None


def iter_operations(root: Any) -> Iterator[tuple[JsonPath, dict]]:
    paths = root.get("paths") if isinstance(root, dict) else None
    if not isinstance(paths, dict):
        return
    for key, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield ("paths", key, method), op


#: facts computed once per document, per thread (the server lints off the event loop);
#: only the latest document is kept
_memo = threading.local()


def per_document(root: Any, key: Any, compute) -> Any:
    """`compute()` once per (document, key): rules given per operation must not rescan all
    operations each time (that is quadratic on APIs with hundreds of operations)."""
    if getattr(_memo, "root", None) is not root:
        _memo.root, _memo.values = root, {}
    if key not in _memo.values:
        _memo.values[key] = compute()
    return _memo.values[key]


def security_schemes(root: Any, oas2: bool) -> dict:
    """The declared security schemes (securityDefinitions / components.securitySchemes), or {}."""
    if not isinstance(root, dict):
        return {}
    if oas2:
        found = root.get("securityDefinitions")
    else:
        components = root.get("components")
        found = components.get("securitySchemes") if isinstance(components, dict) else None
    return found if isinstance(found, dict) else {}


def requirement_names(security: Any) -> list[str]:
    """Scheme names used by a `security` list, in order, without repeats."""
    names: list[str] = []
    if isinstance(security, list):
        for requirement in security:
            if isinstance(requirement, dict):
                names.extend(n for n in requirement if n not in names)
    return names


def enforces_security(security: Any) -> bool:
    """A `security` list that every request must satisfy: non-empty, and no `{}` (anonymous) item."""
    return (
        isinstance(security, list)
        and bool(security)
        and all(isinstance(r, dict) and r for r in security)
    )


def any_operation_enforces(root: Any, document: Any = None) -> bool:
    """Whether some operation has a `security` of its own that every request must satisfy.
    For a document re-checked edit by edit, the answer per path item is kept while the item is
    the same object (apigov_ls/engine/subtree_memo.py), so an edit does not rescan every operation."""
    from apigov_ls.engine.subtree_memo import memo_for

    memo = memo_for(document, "any-operation-enforces")
    if memo is None:
        return any(enforces_security(op.get("security")) for _, op in iter_operations(root))
    paths = root.get("paths") if isinstance(root, dict) else None
    if not isinstance(paths, dict):
        return False
    # every item is asked (no early exit), so that the memo keeps all of them for the next pass
    answers = memo.per_item(paths, lambda _path, item: any(
        isinstance(op := item.get(m), dict) and enforces_security(op.get("security")) for m in HTTP_METHODS))
    return any(answers)


# -- transport ---------------------------------------------------------------------------------
_SCHEME_PREFIX = re.compile(r"^([^:/?#]*)://")
_VARIABLE = re.compile(r"{([^{}]+)}")
_MAX_EXPANSIONS = 64


def _variable_values(server: dict, name: str) -> list[str]:
    variables = server.get("variables")
    var = variables.get(name) if isinstance(variables, dict) else None
    if not isinstance(var, dict):
        return []
    values = [v for v in var.get("enum", []) if isinstance(v, str)] if isinstance(var.get("enum"), list) else []
    if isinstance(var.get("default"), str) and var["default"] not in values:
        values.append(var["default"])
    return values


def url_protocols(url: str, server: dict | None = None) -> set[str]:
    """The protocols (lower case) a server URL may use; {} for a relative URL.

    A variable in the scheme part (`{scheme}://host`) expands to its enum and default values.
    """
    head, sep, _ = url.partition("://")
    if not sep or "/" in head:
        return set()
    names = _VARIABLE.findall(head)
    if not names:
        return {head.lower()}
    if server is None:
        return set()
    choices = [_variable_values(server, n) for n in names]
    out: set[str] = set()
    for combo in itertools.islice(itertools.product(*choices), _MAX_EXPANSIONS):
        text = head
        for name, value in zip(names, combo):
            text = text.replace("{" + name + "}", value)
        out.add(text.lower())
    return out


def is_plain_http_url(url: Any, server: dict | None = None) -> bool:
    return isinstance(url, str) and "http" in url_protocols(url.strip(), server)


def http_servers(servers: Any) -> list[tuple[int, str]]:
    """(index, url) of the servers in a `servers` list that may be reached over plain HTTP."""
    out = []
    if isinstance(servers, list):
        for i, server in enumerate(servers):
            if isinstance(server, dict) and is_plain_http_url(server.get("url"), server):
                out.append((i, server["url"]))
    return out


# -- where a value is, in words -------------------------------------------------------------------
def describe(path: JsonPath) -> str:
    """A short human name for a location: `schema "Pet" property "tags"`, `GET /pets`, ..."""
    op = operation_label(path)
    if op is not None:
        return op
    if len(path) >= 3 and path[:2] == ("components", "schemas"):
        return _schema_words(str(path[2]), path[3:])
    if len(path) >= 2 and path[0] == "definitions":
        return _schema_words(str(path[1]), path[2:])
    if len(path) >= 2 and path[0] == "paths":
        return f"path {path[1]}"
    return "#/" + "/".join(str(p) for p in path)


def _schema_words(name: str, rest: JsonPath) -> str:
    props = [str(rest[i + 1]) for i in range(len(rest) - 1) if rest[i] == "properties"]
    if props:
        return f'schema "{name}" property "{".".join(props)}"'
    return f'schema "{name}"'
