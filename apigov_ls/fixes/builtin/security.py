"""Security requirements and schemes. All unsafe: they change who may call the API and how."""

from __future__ import annotations

from collections import Counter

from apigov_ls.fixes.builtin.common import METHODS, UNSAFE, Target, is_oas2
from apigov_ls.fixes.registry import editor, fixer


def _schemes(document) -> dict:
    data = document.root.data
    found = data.get("securityDefinitions") if is_oas2(document) else (data.get("components") or {}).get("securitySchemes")
    return found if isinstance(found, dict) else {}


def _preferred_scheme(document) -> str | None:
    """The scheme operations use most, else the first declared one."""
    schemes = _schemes(document)
    if not schemes:
        return None
    counts: Counter = Counter()
    for item in (document.root.data.get("paths") or {}).values():
        if isinstance(item, dict):
            for m in METHODS:
                for req in (item.get(m) or {}).get("security") or [] if isinstance(item.get(m), dict) else []:
                    if isinstance(req, dict):
                        counts.update(k for k in req if k in schemes)
    return counts.most_common(1)[0][0] if counts else next(iter(schemes))


def _global_security(document, code: str):
    name = _preferred_scheme(document)
    if name is None:
        return None
    ed = editor(document, document.source)
    root = ed.data
    value = [{name: []}]
    if isinstance(root.get("security"), list) and not root["security"]:
        edits = ed.replace_value(("security",), value)
    elif "security" in root:
        return None
    else:
        after = next((k for k in ("servers", "host", "basePath", "info") if k in root), None)
        edits = ed.set_key((), "security", value, after=after)
    from apigov_ls.fixes.model import Fix

    return Fix(f'Require "{name}" for every operation (global security)', UNSAFE, edits, code)


@fixer("apigov-sec-global-security-missing", "apigov-sec-global-security-empty")
def add_global_security(result, document):
    return _global_security(document, result.code)


@fixer("apigov-sec-operation-security-empty")
def remove_empty_operation_security(result, document):
    t = Target(result, document)
    op = t.ptr[:-1] if t.ptr and t.ptr[-1] == "security" else t.ptr
    if t.ed.get(op).get("security") != []:
        return None
    return t.fix("Remove the empty security list (use the global security)", UNSAFE, t.ed.remove_key(op, "security"))


@fixer("owasp:api2:2023-read-restricted", "owasp:api2:2023-write-restricted")
def secure_operation(result, document):
    t = Target(result, document)
    op = t.value
    if not isinstance(op, dict):
        return None
    if op.get("security") == [] and document.root.data.get("security"):
        return t.fix("Remove the empty security list (use the global security)", UNSAFE, t.ed.remove_key(t.ptr, "security"))
    if "security" not in op and not document.root.data.get("security"):
        return _global_security(document, result.code)
    return None


@fixer("owasp:api2:2023-no-api-keys-in-url")
def api_key_in_header(result, document):
    t = Target(result, document)
    if t.value not in ("query", "path"):
        return None
    return t.fix("Send the API key in a header", UNSAFE, t.ed.replace_value(t.ptr, "header"))
