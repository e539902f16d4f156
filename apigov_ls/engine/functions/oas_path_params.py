"""oasPathParam: path templates and path parameters agree (Spectral's path-params rule)."""

from __future__ import annotations

import re
from typing import Any

from apigov_ls.engine.functions import function
from apigov_ls.engine.functions.oas_common import OPERATION_KEYS, is_object, prop
from apigov_ls.engine.runner import js_string
from apigov_ls.engine.subtree_memo import memo_for
from apigov_ls.engine.types import UNDEFINED, JsonPath

_TEMPLATE = re.compile(r"(\{;?\??[a-zA-Z0-9_-]+\*?\})")
_TEMPLATE_PUNCTUATION = re.compile(r"[{}?*;]")


def _named_path_param(param: Any) -> bool:
    return prop(param, "in") == "path" and prop(param, "name") is not UNDEFINED


def _collect(param: Any, where: JsonPath, results: list[dict], seen: dict[str, JsonPath]) -> bool:
    """Check one parameter; True when it is a path parameter not seen before at this level."""
    if not _named_path_param(param):
        return False
    name = js_string(param["name"])
    if param.get("required") is not True:
        results.append({"message": f'Path parameter "{name}" must have "required" property that is set to "true".', "path": where})
    if name in seen:
        results.append({"message": f'Path parameter "{name}" must not be defined multiple times.', "path": where})
        return False
    return True


def _params_of(holder: dict, base: JsonPath, results: list[dict]) -> dict[str, JsonPath]:
    found: dict[str, JsonPath] = {}
    parameters = holder.get("parameters")
    if isinstance(parameters, list):
        for i, param in enumerate(parameters):
            if not is_object(param):
                continue
            where = base + ("parameters", i)
            if _collect(param, where, results, found):
                found[js_string(param["name"])] = where
    return found


@function("oasPathParam")
def oas_path_param(paths: Any, _options: Any, _context) -> list[dict] | None:
    if not isinstance(paths, dict):
        return None
    results: list[dict] = []
    normalized_paths: dict[str, str] = {}
    # re-run on every edit under `paths` when checked incrementally: unchanged path items
    # (same object, same key) give their results from the memo
    memo = memo_for(getattr(_context, "document", None), "oasPathParam")
    per_item = None
    if memo is not None:
        def item_results(path: str, item: dict) -> tuple[str, list]:
            kept: list = []
            _item_results(path, item, kept)
            return _TEMPLATE.sub("%", path), kept

        per_item = iter(memo.per_item(paths, item_results))
    for path, item in paths.items():
        if not is_object(item):
            continue
        kept = None
        if per_item is not None and isinstance(item, dict):
            normalized, kept = next(per_item)
        else:
            normalized = _TEMPLATE.sub("%", path)
        if normalized in normalized_paths:
            results.append(
                {"message": f'Paths "{normalized_paths[normalized]}" and "{path}" must not be equivalent.', "path": ("paths", path)}
            )
        else:
            normalized_paths[normalized] = path
        if kept is None:
            _item_results(path, item, results)
        else:
            results.extend(kept)
    return results


def _item_results(path: str, item: Any, results: list[dict]) -> None:
    """The results about one path item (its template and parameters)."""
    in_path: list[str] = []
    for m in _TEMPLATE.finditer(path):
        name = _TEMPLATE_PUNCTUATION.sub("", m.group(0))
        if name in in_path:
            results.append({"message": f'Path "{path}" must not use parameter "{{{name}}}" multiple times.', "path": ("paths", path)})
        else:
            in_path.append(name)

    if not isinstance(item, dict):
        return  # an array path item: JavaScript sees no parameters and no operations
    top = _params_of(item, ("paths", path), results)
    for method, operation in item.items():
        if not is_object(operation) or method == "parameters" or method not in OPERATION_KEYS:
            continue
        operation_path: JsonPath = ("paths", path, method)
        own = _params_of(operation, operation_path, results) if isinstance(operation, dict) else {}
        defined = {**top, **own}
        for name, where in defined.items():
            if name not in in_path:
                results.append({"message": f'Parameter "{name}" must be used in path "{path}".', "path": where})
        for name in in_path:
            if name not in defined:
                results.append(
                    {
                        "message": f'Operation must define parameter "{{{name}}}" as expected by path "{path}".',
                        "path": operation_path,
                    }
                )
