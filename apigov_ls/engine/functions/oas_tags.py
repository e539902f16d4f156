"""uniquenessTags: top-level tag names are unique (Spectral's shared function)."""

from __future__ import annotations

from typing import Any

from apigov_ls.engine.functions import function


@function("uniquenessTags")
def uniqueness_tags(tags: Any, _options: Any, context) -> list[dict] | None:
    # Spectral's input schema: a list of objects that all have a string `name`
    if not isinstance(tags, list) or not all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in tags):
        return None
    names = [t["name"] for t in tags]
    return [
        {"message": f'"tags" object contains duplicate tag name "{name}".', "path": context.path + (i, "name")}
        for i, name in enumerate(names)
        if names.index(name) != i
    ]
