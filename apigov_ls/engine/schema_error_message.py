"""ajv-errors' `errorMessage` keyword, as Spectral's OpenAPI schemas use it.

Applied after a schema object has been validated, to the errors it produced:
- `errorMessage: "text"` replaces every error of this schema object and of its inline
  subschemas (not those reached through a `$ref`) with one error "text";
- `errorMessage: {keyword: "text"}` replaces the errors of that keyword of this object;
- `errorMessage: {required: {prop: "text"}}` replaces the error for one missing property;
- `errorMessage: {properties: {name: "text"}}` replaces all errors inside a child property;
- `_` is the message for whatever errors are left.
Replaced errors are dropped and the new ones (keyword "errorMessage") are appended, as ajv-errors
does. Its `${...}` templates are not interpreted (Spectral's schemas do not use them).
"""

from __future__ import annotations

from typing import Any

from apigov_ls.engine.schema_compiler import AjvError

_PROPERTY_PARAM = {"required": "missingProperty", "dependencies": "property", "dependentRequired": "property"}


def _direct_keyword(err: AjvError, sp: str) -> bool:
    """The error comes from a keyword of this very schema object (schemaPath is `<sp>/<keyword>`)."""
    rest = err.schema_path[len(sp):] if err.schema_path.startswith(sp) else None
    return rest is not None and rest.startswith("/") and "/" not in rest[1:]


def apply_error_message(errors: list[AjvError], em: Any, here: tuple, sp: str, data: Any, node: dict) -> list[AjvError]:
    new: list[AjvError] = []
    em_sp = sp + "/errorMessage"

    def report(message: str, caught: list[AjvError], path: tuple = here) -> None:
        new.append(AjvError("errorMessage", path, em_sp, {"errors": caught}, message, node))

    def usable(err: AjvError) -> bool:
        return err.keyword != "errorMessage" and not err.used

    if isinstance(em, dict):
        keyword_msgs = {k: v for k, v in em.items() if k not in ("properties", "items", "_") and not isinstance(v, dict)}
        keyword_prop_msgs = {k: v for k, v in em.items() if k not in ("properties", "items") and isinstance(v, dict)}
        if keyword_msgs:
            caught: dict[str, list[AjvError]] = {k: [] for k in keyword_msgs}
            for err in errors:
                if usable(err) and err.instance_path == here and err.keyword in caught and _direct_keyword(err, sp):
                    caught[err.keyword].append(err)
                    err.used = True
            for k, errs in caught.items():
                if errs:
                    report(str(keyword_msgs[k]), errs)
        if keyword_prop_msgs:
            caught_props = {k: {p: [] for p in v} for k, v in keyword_prop_msgs.items()}
            for err in errors:
                if not (usable(err) and err.instance_path == here and err.keyword in caught_props and _direct_keyword(err, sp)):
                    continue
                bucket = caught_props[err.keyword].get(str(err.params.get(_PROPERTY_PARAM.get(err.keyword, ""), "")))
                if bucket is not None:
                    bucket.append(err)
                    err.used = True
            for k, by_prop in caught_props.items():
                for p, errs in by_prop.items():
                    if errs:
                        report(str(keyword_prop_msgs[k][p]), errs)
        _child_errors(errors, em, here, data, usable, report)
        message = em.get("_")
    else:
        message = em
    if isinstance(message, str):
        depth = len(here)
        caught_all = [
            err for err in errors
            if usable(err) and err.instance_path[:depth] == here
            and err.schema_path.startswith(sp) and err.schema_path[len(sp):len(sp) + 1] == "/"
        ]
        for err in caught_all:
            err.used = True
        if caught_all:
            report(message, caught_all)
    return [e for e in errors if not e.used] + new


def _child_errors(errors, em: dict, here: tuple, data: Any, usable, report) -> None:
    props, items = em.get("properties"), em.get("items")
    if isinstance(data, list) and isinstance(items, list):
        messages = {i: m for i, m in enumerate(items)}
    elif isinstance(data, dict) and isinstance(props, dict):
        messages = dict(props)
    else:
        return
    depth = len(here)
    caught: dict[Any, list[AjvError]] = {k: [] for k in messages}
    for err in errors:
        if usable(err) and len(err.instance_path) > depth and err.instance_path[:depth] == here:
            child = err.instance_path[depth]
            if child in caught:
                caught[child].append(err)
                err.used = True
    for child, errs in caught.items():
        if errs:
            report(str(messages[child]), errs, here + (child,))
