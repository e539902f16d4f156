"""oasSecurityDefined: security requirements name defined schemes and scopes."""

from __future__ import annotations

from typing import Any

from apigov_ls.engine.functions import function
from apigov_ls.engine.runner import js_string

_OPTIONS = {
    "type": "object",
    "properties": {"oasVersion": {"enum": [2, 3]}},
    "additionalProperties": False,
}


def _valid_requirement(requirement: Any) -> bool:
    """Spectral's input schema: an object whose values are lists of strings."""
    return isinstance(requirement, dict) and all(
        isinstance(scopes, list) and all(isinstance(s, str) for s in scopes) for scopes in requirement.values()
    )


def _scope_defined(oas_version: int, scope: str, scheme: Any) -> bool:
    if not isinstance(scheme, dict):
        return False
    if oas_version == 2:
        return isinstance(scheme.get("scopes"), dict) and scope in scheme["scopes"]
    flows = scheme.get("flows")
    if isinstance(flows, dict):
        for flow in flows.values():
            if isinstance(flow, dict) and isinstance(flow.get("scopes"), dict) and scope in flow["scopes"]:
                return True
    return False


@function("oasSecurityDefined", options_schema=_OPTIONS)
def oas_security_defined(requirement: Any, options: Any, context) -> list[dict] | None:
    if not _valid_requirement(requirement) or not requirement:
        return None
    data = context.document.data
    if not isinstance(data, dict):
        return None
    oas_version = (options or {}).get("oasVersion")
    if oas_version == 2:
        schemes = data.get("securityDefinitions")
    else:
        components = data.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    path = context.path
    results: list[dict] = []
    for name, scopes in requirement.items():
        if not isinstance(schemes, dict) or name not in schemes:
            owner = "API" if len(path) == 2 else "Operation"
            location = "securityDefinitions" if oas_version == 2 else "components.securitySchemes"
            results.append(
                {"message": f'{owner} "security" values must match a scheme defined in the "{location}" object.', "path": path + (name,)}
            )
            continue
        for i, scope in enumerate(scopes):
            if not _scope_defined(oas_version, scope, schemes[name]):
                results.append({"message": f'"{js_string(scope)}" must be listed among scopes.', "path": path + (name, i)})
    return results or None
