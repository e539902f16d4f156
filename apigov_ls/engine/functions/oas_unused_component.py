"""oasUnusedComponent: components that nothing references (OpenAPI 3)."""

from __future__ import annotations

from typing import Any

from apigov_ls.engine.functions import function, get_function

_COMPONENT_TYPES = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers", "links", "callbacks")


@function("oasUnusedComponent")
def oas_unused_component(root: Any, _options: Any, context) -> list[dict] | None:
    if not isinstance(root, dict) or not isinstance(root.get("components"), dict):
        return None
    unreferenced = get_function("unreferencedReusableObject")
    if unreferenced is None:
        raise RuntimeError("the unreferencedReusableObject function is not available")
    results: list[dict] = []
    for kind in _COMPONENT_TYPES:
        section = root["components"].get(kind)
        if not isinstance(section, (dict, list)):
            continue
        found = unreferenced.fn(section, {"reusableObjectsLocation": f"#/components/{kind}"}, context)
        if isinstance(found, list):
            results.extend(found)
    return results
