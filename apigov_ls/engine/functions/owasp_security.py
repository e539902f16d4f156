"""The OWASP ruleset's own functions (spectral-owasp-ruleset 2.0.1, src/functions/*.ts).

- checkSecurity: operations of the given methods must have a non-empty security requirement,
  their own or the document's (owasp:api2:2023-read-restricted / -write-restricted).
- differentSecuritySchemes: an admin path must not share a security requirement with a
  non-admin path (owasp:api5:2023-admin-security-unique).

Both take the document root (`given: $`) and walk `paths` exactly as the JS does, including its
quirks (noted below), so results match Spectral's.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from . import function
from ._spectral_text import js_truthy

_METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


def _js_keys(value: Any) -> list[str]:
    """Object.keys(): a list's indices are its keys too."""
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, list):
        return [str(i) for i in range(len(value))]
    return []


def _member(container: Any, key: str) -> Any:
    return container[key] if isinstance(container, dict) else container[int(key)]


def _is_js_object(value: Any) -> bool:
    """typeof value === "object" (true for null and arrays too)."""
    return value is None or isinstance(value, (dict, list))


def _operations(paths: Any) -> Iterator[tuple[str, str, Any]]:
    """(path key, method, operation) for every operation object, in document order."""
    if not _is_js_object(paths):
        return
    for path_key in _js_keys(paths):
        item = _member(paths, path_key)
        if not _is_js_object(item):
            continue
        for method in _js_keys(item):
            operation = _member(item, method)
            # the JS accepts null here and then fails destructuring it; we skip it instead
            if method in _METHODS and isinstance(operation, (dict, list)):
                yield path_key, method, operation


def _security_of(operation: Any) -> tuple[bool, Any]:
    """(present, value) of the operation's own `security` (JS: `=== undefined` when absent)."""
    if isinstance(operation, dict) and "security" in operation:
        return True, operation["security"]
    return False, None


def _js_length_is_zero(value: Any) -> bool:
    return isinstance(value, (list, str)) and len(value) == 0


_CHECK_SECURITY_OPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "schemesPath": {"type": "array"},
        "nullable": True,
        "methods": {"type": "array"},
    },
    "required": [],
}


@function("checkSecurity", _CHECK_SECURITY_OPTIONS)
def check_security(root: Any, options: Any, context) -> list[dict] | None:
    options = options or {}
    schemes_path = options.get("schemesPath")
    nullable = options.get("nullable")
    methods = options.get("methods")
    if not isinstance(root, dict):
        return None
    global_security = root.get("security")
    # JS builds the path with the schemesPath array as one segment; String(array) joins it
    schemes_segment = ",".join(str(s) for s in schemes_path) if isinstance(schemes_path, list) else "undefined"
    errors: list[dict] = []
    for path_key, method, operation in _operations(root.get("paths")):
        if isinstance(methods, list) and method not in methods:
            continue
        present, security = _security_of(operation)
        where = f"{path_key},{method}"
        if not present:
            security, where = global_security, "$.security"
        if not js_truthy(security) or _js_length_is_zero(security):
            errors.append({
                "message": f"Operation has undefined security scheme in {where}.",
                "path": ("paths", path_key, method, "security", schemes_segment),
            })
        if isinstance(security, list):
            for idx, entry in enumerate(security):
                if not _is_js_object(entry):
                    continue
                # upstream tests `nullable === false`, so an unset `nullable` never reports this
                if len(_js_keys(entry)) == 0 and nullable is False:
                    errors.append({
                        "message": f"Operation referencing empty security scheme in {where}.",
                        "path": ("paths", path_key, method, "security", idx),
                    })
    return errors or None


_DIFFERENT_SCHEMES_OPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"adminUrl": {"type": "string"}},
    "required": [],
}


def _json_stringify(value: Any) -> str:
    """JSON.stringify for parsed JSON/YAML values (key order kept, no spaces)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@function("differentSecuritySchemes", _DIFFERENT_SCHEMES_OPTIONS)
def different_security_schemes(root: Any, options: Any, context) -> list[dict] | None:
    admin_url = (options or {}).get("adminUrl", "/admin")
    if not isinstance(root, dict):
        return None
    non_admin_hashes: set[str] = set()
    admin_entries: list[tuple[str, str, tuple]] = []
    for path_key, method, operation in _operations(root.get("paths")):
        present, security = _security_of(operation)
        if not present or not isinstance(security, list):
            continue  # no security of its own: left to the rules that check for security
        for idx, entry in enumerate(security):
            if not _is_js_object(entry):
                continue
            digest = _json_stringify(entry)
            if admin_url in path_key:
                admin_entries.append((path_key, digest, ("paths", path_key, method, "security", idx)))
            else:
                non_admin_hashes.add(digest)
    errors = [
        {"message": f"Admin endpoint {uri} has the same security requirement as a non-admin endpoint.", "path": path}
        for uri, digest, path in admin_entries
        if digest in non_admin_hashes
    ]
    return errors or None
