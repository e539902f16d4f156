"""Info, descriptions, summaries and operationIds.

Placeholders (contact, license, descriptions) are unsafe: someone has to write the real text.
Removing a trailing period from a summary is safe. A derived operationId is unsafe: generated
SDKs name their methods after it, and a name derived from the path is a guess.
"""

from __future__ import annotations

import re

from apigov_ls.fixes.builtin.common import METHODS, SAFE, UNSAFE, Target, iter_dicts, words
from apigov_ls.fixes.registry import fixer

CONTACT = {"name": "TODO: API support", "url": "https://example.com/support", "email": "api@example.com"}
LICENSE = {"name": "TODO: license name", "url": "https://example.com/license"}


def _info(t: Target) -> tuple:
    ptr = t.ptr[: t.ptr.index("info") + 1] if "info" in t.ptr else ()
    if ptr != ("info",) or not isinstance(t.ed.get(ptr), dict):
        raise ValueError("no info object")
    return ptr


@fixer("info-contact", "apigov-gov-info-contact")
def add_contact(result, document):
    t = Target(result, document)
    info = _info(t)
    if "contact" in t.ed.get(info):
        return None
    return t.fix("Add a placeholder contact", UNSAFE, t.ed.set_key(info, "contact", dict(CONTACT)))


@fixer("contact-properties", "apigov-gov-info-contact-name", "apigov-gov-info-contact-url-or-email", "apigov-gov-info-contact-email", "apigov-gov-info-contact-url")
def complete_contact(result, document):
    t = Target(result, document)
    info = _info(t)
    contact = t.ed.get(info).get("contact")
    if not isinstance(contact, dict):
        return None
    missing = {k: v for k, v in CONTACT.items() if not contact.get(k)}
    return t.fix("Complete the contact with placeholders", UNSAFE, t.ed.set_keys(info + ("contact",), missing)) if missing else None


@fixer("info-license", "apigov-gov-info-license", "license-url", "apigov-gov-info-license-url")
def add_license(result, document):
    t = Target(result, document)
    info = _info(t)
    lic = t.ed.get(info).get("license")
    if lic is None:
        return t.fix("Add a placeholder license", UNSAFE, t.ed.set_key(info, "license", dict(LICENSE)))
    if isinstance(lic, dict) and not lic.get("url") and "identifier" not in lic:
        return t.fix("Add a placeholder license URL", UNSAFE, t.ed.set_key(info + ("license",), "url", LICENSE["url"]))
    return None


@fixer("apigov-gov-info-terms-of-service")
def add_terms(result, document):
    t = Target(result, document)
    info = _info(t)
    return t.fix("Add a placeholder terms of service URL", UNSAFE, t.ed.set_key(info, "termsOfService", "https://example.com/terms"))


def _placeholder(key: str, text: str):
    def fix(result, document):
        t = Target(result, document)
        holder = t.ptr[:-1] if t.ptr and t.ptr[-1] == key else t.ptr
        node = t.ed.get(holder)
        # a key next to $ref would be ignored (and reported) in OpenAPI 2.0/3.0
        if not isinstance(node, dict) or "$ref" in node or (isinstance(node.get(key), str) and node[key].strip()):
            return None
        label = node.get("name") if isinstance(node.get("name"), str) else None
        value = text if label is None else f"{text} ({label})"
        return t.fix(f"Add a placeholder {key}", UNSAFE, t.ed.set_key(holder, key, value))

    return fix


fixer("info-description", "apigov-gov-info-description")(_placeholder("description", "TODO: describe this API"))
fixer("operation-description", "apigov-gov-operation-description")(_placeholder("description", "TODO: describe this operation"))
fixer("oas2-parameter-description", "oas3-parameter-description", "apigov-gov-parameter-description")(
    _placeholder("description", "TODO: describe this parameter")
)
fixer("tag-description")(_placeholder("description", "TODO: describe this tag"))
fixer("apigov-gov-schema-description", "apigov-gov-property-description")(_placeholder("description", "TODO: describe this schema"))


@fixer("apigov-gov-operation-summary")
def add_summary(result, document):
    t = Target(result, document)
    if not (len(t.ptr) >= 3 and t.ptr[-1] in METHODS and isinstance(t.value, dict)) or t.value.get("summary"):
        return None
    summary = f"TODO: summarize {t.ptr[-1].upper()} {t.ptr[-2]}"
    return t.fix("Add a placeholder summary", UNSAFE, t.ed.set_key(t.ptr, "summary", summary))


@fixer("apigov-gov-operation-summary-no-period")
def drop_summary_period(result, document):
    t = Target(result, document)
    ptr = t.ptr if t.ptr and t.ptr[-1] == "summary" else t.ptr + ("summary",)
    summary = t.ed.get(ptr)
    if not isinstance(summary, str):
        return None
    body = summary.rstrip()
    periods = len(body) - len(body.rstrip("."))
    if not periods or periods == len(body):
        return None
    return t.fix("Remove the trailing period", SAFE, t.ed.replace_in_scalar(ptr, "." * periods, "", last=True))


def operation_id_for(method: str, path: str) -> str:
    """`get` `/users/{userId}/pets` -> `getUsersByUserIdPets`."""
    parts = [method.lower()]
    for seg in path.strip("/").split("/"):
        param = re.fullmatch(r"\{([^}]*)\}", seg)
        w = words(param.group(1) if param else seg)
        if param and w:
            parts.append("By")
        parts.extend(x[:1].upper() + x[1:] for x in w)
    return "".join(parts)


def _operation_ids(document) -> set[str]:
    ids = set()
    for sf in document.files.values():
        for _, d in iter_dicts(sf.data):
            if isinstance(d.get("operationId"), str) and isinstance(d.get("responses"), dict):
                ids.add(d["operationId"])
    return ids


@fixer("operation-operationId")
def add_operation_id(result, document):
    t = Target(result, document)
    if len(t.ptr) < 2 or t.ptr[-1] not in METHODS or not isinstance(t.value, dict) or "operationId" in t.value:
        return None
    path = result.path[-2] if len(result.path) >= 2 else t.ptr[-2]
    base = operation_id_for(t.ptr[-1], str(path))
    taken = _operation_ids(document)
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    before = next((k for k in ("parameters", "requestBody", "responses") if k in t.value), None)
    after = next((k for k in ("summary", "description", "tags") if k in t.value), None)
    edits = t.ed.set_key(t.ptr, "operationId", name, after=after) if after else t.ed.set_key(t.ptr, "operationId", name, before=before)
    return t.fix(f'Add operationId "{name}"', UNSAFE, edits)
