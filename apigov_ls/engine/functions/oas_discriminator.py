"""oasDiscriminator: an OpenAPI 2 discriminator names a defined, required property."""

from __future__ import annotations

from typing import Any

from apigov_ls.engine.functions import function
from apigov_ls.engine.functions.oas_common import is_object, js_keys


@function("oasDiscriminator")
def oas_discriminator(schema: Any, _options: Any, context) -> list[dict] | None:
    if not isinstance(schema, dict) or not isinstance(schema.get("discriminator"), str):
        return None
    name = schema["discriminator"]
    results: list[dict] = []
    properties = schema.get("properties")
    if not is_object(properties) or name not in js_keys(properties):
        results.append({"message": "The discriminator property must be defined in this schema.", "path": context.path + ("properties",)})
    required = schema.get("required")
    if not isinstance(required, list) or name not in [r for r in required if isinstance(r, str)]:
        results.append({"message": "The discriminator property must be in the required property list.", "path": context.path + ("required",)})
    return results
