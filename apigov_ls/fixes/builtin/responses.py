"""Missing error responses (401, 429, 500, 4XX) and the Retry-After header of 429 responses.

Unsafe: they add to the API's contract. An existing error response component is reused when
the document has one; otherwise the new response uses the error media type and schema the
document already uses most for 4xx/5xx responses.
"""

from __future__ import annotations

import re
from collections import Counter

from apigov_ls.fixes.builtin.common import METHODS, UNSAFE, Target, is_oas2, ref_to
from apigov_ls.fixes.edits import EditError
from apigov_ls.fixes.registry import fixer

_DESCRIPTIONS = {
    "400": "Bad request",
    "4XX": "Client error",
    "401": "Unauthorized",
    "429": "Too many requests",
    "500": "Internal server error",
}
#: words in a response component's name that say which status it is for
_NAME_HINTS = {
    "401": ("401", "unauthori", "unauthenticated"),
    "429": ("429", "toomany", "ratelimit"),
    "500": ("500", "internal", "servererror"),
    "400": ("400", "badrequest"),
    "4XX": ("4xx", "badrequest", "clienterror"),
}


def _retry_after(oas2: bool) -> dict:
    bounds = {"type": "integer", "format": "int32", "minimum": 0, "maximum": 86400}
    desc = "Seconds to wait before retrying"
    return {"description": desc, **bounds} if oas2 else {"description": desc, "schema": bounds}


def _error_style(document) -> tuple[str, object]:
    """(media type, schema) most used by the document's 4xx/5xx responses."""
    cached = document.__dict__.get("_fix_error_style")
    if cached is None:
        cached = document.__dict__["_fix_error_style"] = _count_error_style(document)
    return cached


def _count_error_style(document) -> tuple[str, object]:
    media: Counter = Counter()
    schemas: Counter = Counter()
    for item in (document.resolved.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        for m in METHODS:
            op = item.get(m)
            if not isinstance(op, dict) or not isinstance(op.get("responses"), dict):
                continue
            for status, resp in op["responses"].items():
                if str(status)[:1] in "45" and isinstance(resp, dict) and isinstance(resp.get("content"), dict):
                    for mt, body in resp["content"].items():
                        media[mt] += 1
                        if isinstance(body, dict) and isinstance(body.get("schema"), dict) and isinstance(body["schema"].get("$ref"), str):
                            schemas[body["schema"]["$ref"]] += 1
    mt = media.most_common(1)[0][0] if media else "application/json"
    ref = schemas.most_common(1)[0][0] if schemas else None
    return mt, ref


def _component_for(document, status: str) -> str | None:
    """Name of a components.responses entry with content that fits `status`."""
    comps = (document.root.data.get("components") or {}).get("responses")
    if not isinstance(comps, dict):
        return None
    for name, resp in comps.items():
        flat = re.sub(r"[^a-z0-9]", "", name.lower())
        if any(h in flat for h in _NAME_HINTS[status]) and isinstance(resp, dict) and (resp.get("content") or "$ref" in resp):
            return name
    return None


def _new_response(t: Target, status: str) -> object:
    document = t.document
    if is_oas2(document):
        return {"description": _DESCRIPTIONS[status]}
    comp = _component_for(document, status)
    if comp is not None:
        return {"$ref": ref_to(document, t.ed.file, ("components", "responses", comp))}
    mt, ref = _error_style(document)
    schema = {"$ref": _relocate(document, t.ed.file, ref)} if ref else {"type": "object"}
    # no `headers` on a new 429: a headers object must also carry CORS headers (owasp api8)
    out = {"description": _DESCRIPTIONS[status]}
    # an inline placeholder schema gets an example, so the new response is complete (apigov-gov-response-example)
    out["content"] = {mt: {"schema": schema} if ref else {"schema": schema, "example": {}}}
    return out


def _relocate(document, file: str, ref: str) -> str:
    """A ref written in the root file, rewritten for use in `file`."""
    if ref.startswith("#"):
        from apigov_ls.document.model import decode_pointer

        return ref_to(document, file, decode_pointer(ref[1:]))
    return ref


def _responses_fix(result, document, status: str):
    t = Target(result, document)
    ptr = t.ptr
    while ptr and ptr[-1] != "responses":
        ptr = ptr[:-1]
    responses = t.ed.get(ptr) if ptr else None
    if not isinstance(responses, dict):
        return None
    if is_oas2(document) and status == "4XX":
        status = "400"
    existing = responses.get(status)
    if existing is None:
        return t.fix(f"Add a {status} response", UNSAFE, t.ed.set_key(ptr, status, _new_response(t, status)))
    if isinstance(existing, dict) and "$ref" not in existing and "content" not in existing and not is_oas2(document):
        mt, ref = _error_style(document)
        schema = {"$ref": _relocate(document, t.ed.file, ref)} if ref else {"type": "object"}
        return t.fix(f"Add content to the {status} response", UNSAFE, t.ed.set_key(ptr + (status,), "content", {mt: {"schema": schema}}))
    return None


@fixer("owasp:api8:2023-define-error-responses-401")
def add_401(result, document):
    return _responses_fix(result, document, "401")


@fixer("owasp:api8:2023-define-error-responses-500", "apigov-gov-operation-5xx-response")
def add_500(result, document):
    return _responses_fix(result, document, "500")


@fixer("owasp:api4:2023-rate-limit-responses-429")
def add_429(result, document):
    return _responses_fix(result, document, "429")


@fixer("owasp:api8:2023-define-error-validation")
def add_4xx(result, document):
    return _responses_fix(result, document, "4XX")


@fixer("owasp:api4:2023-rate-limit-retry-after")
def add_retry_after(result, document):
    t = Target(result, document)
    headers = t.ptr if t.ptr and t.ptr[-1] == "headers" else None
    if headers is None or not isinstance(t.value, dict):
        raise EditError("not a headers object")
    return t.fix("Add a Retry-After header", UNSAFE, t.ed.set_key(headers, "Retry-After", _retry_after(is_oas2(document))))
