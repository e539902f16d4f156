"""refSiblings: nothing may sit next to a `$ref` (OpenAPI 2 and 3.0 ignore such siblings)."""

from __future__ import annotations

from typing import Any

from apigov_ls.engine.functions import function
from apigov_ls.engine.functions.oas_common import is_object, js_keys


def _parent_value(data: Any, path: tuple) -> Any:
    """The object holding the last segment of `path` (Spectral's getParentValue)."""
    if not path:
        return None
    node = data
    for seg in path[:-1]:
        if isinstance(node, dict):
            node = node.get(seg if isinstance(seg, str) else str(seg))
        elif isinstance(node, list):
            try:
                i = int(seg)
            except (TypeError, ValueError):
                return None
            node = node[i] if 0 <= i < len(node) else None
        else:
            return None
    return node


@function("refSiblings")
def ref_siblings(_value: Any, _options: Any, context) -> list[dict] | None:
    holder = _parent_value(context.document.data, tuple(context.path))
    if not is_object(holder):
        return None
    keys = js_keys(holder)
    if len(keys) == 1:
        return None
    owner = tuple(context.path)[:-1]
    return [
        {"message": "$ref must not be placed next to any other properties", "path": owner + (key,)}
        for key in keys
        if key != "$ref"
    ]
