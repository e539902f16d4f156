"""Path parameters, 204 bodies and casing."""

from __future__ import annotations

import re

from apigov_ls.fixes.builtin.common import METHODS, SAFE, UNSAFE, Target, is_oas2, words
from apigov_ls.fixes.registry import fixer

_UNDECLARED = re.compile(r'Operation must define parameter "\{(.*)\}" as expected by path')
_NOT_REQUIRED = re.compile(r'Path parameter "(.*)" must have "required" property')


@fixer("path-params")
def declare_path_parameter(result, document):
    # safe: the path template already requires the parameter; declaring it as a string says no more
    t = Target(result, document)
    missing = _UNDECLARED.match(result.message)
    if missing:
        if not (t.ptr and t.ptr[-1] in METHODS and isinstance(t.value, dict)):
            return None
        name = missing.group(1)
        param = {"name": name, "in": "path", "required": True}
        param.update({"type": "string"} if is_oas2(document) else {"schema": {"type": "string"}})
        if isinstance(t.value.get("parameters"), list) and t.value["parameters"]:
            edits = t.ed.insert_item(t.ptr + ("parameters",), param)
        elif "parameters" in t.value:
            edits = t.ed.replace_value(t.ptr + ("parameters",), [param])
        else:
            before = "requestBody" if "requestBody" in t.value else "responses" if "responses" in t.value else None
            edits = t.ed.set_key(t.ptr, "parameters", [param], before=before)
        return t.fix(f'Declare path parameter "{name}"', SAFE, edits)
    not_required = _NOT_REQUIRED.match(result.message)
    if not_required and isinstance(t.value, dict) and t.value.get("in") == "path":
        # path parameters are always required: saying so changes nothing
        return t.fix("Mark the path parameter required", SAFE, t.ed.set_key(t.ptr, "required", True))
    return None


@fixer("apigov-gov-204-no-body")
def remove_204_body(result, document):
    t = Target(result, document)
    if len(t.ptr) < 2 or t.ptr[-2] != "204" or t.ptr[-1] not in ("content", "schema"):
        return None
    return t.fix("Remove the body of the 204 response", UNSAFE, t.ed.remove_key(t.ptr[:-1], t.ptr[-1]))


def to_case(text: str, kind: str, separator: str | None = None) -> str:
    """`text` in Spectral's casing `kind` (flat, camel, pascal, kebab, cobol, snake, macro)."""
    w = [x.lower() for x in words(text)] or [text]
    if kind == "flat":
        out = "".join(w)
    elif kind == "camel":
        out = w[0] + "".join(x.capitalize() for x in w[1:])
    elif kind == "pascal":
        out = "".join(x.capitalize() for x in w)
    elif kind == "kebab":
        out = "-".join(w)
    elif kind == "cobol":
        out = "-".join(w).upper()
    elif kind == "snake":
        out = "_".join(w)
    elif kind == "macro":
        out = "_".join(w).upper()
    else:
        raise ValueError(kind)
    return out


@fixer(functions=("casing",))
def fix_casing(result, document):
    # unsafe: a rename changes the contract (property names, parameters, paths)
    rule = result.rule
    then = next((x for x in rule.then if x.function_name == "casing"), None) if rule else None
    options = then.function_options if then else None
    if not isinstance(options, dict) or options.get("separator"):
        return None  # separated segments (paths) are too varied to rename automatically
    t = Target(result, document)
    kind = options.get("type")
    if then.field == "@key":
        holder, key = t.ptr[:-1], t.ptr[-1]
        if not isinstance(key, str):
            return None
        new = to_case(key, kind)
        if new == key or new in t.ed.get(holder) or t.document.graph.refs_to(t.ed.file, t.ptr):
            return None
        return t.fix(f'Rename "{key}" to "{new}"', UNSAFE, t.ed.rename_key(holder, key, new))
    if not isinstance(t.value, str):
        return None
    new = to_case(t.value, kind)
    if new == t.value:
        return None
    return t.fix(f'Rename "{t.value}" to "{new}"', UNSAFE, t.ed.replace_value(t.ptr, new))
