"""apigov:security functions for security requirements and scheme declarations (Postman's
"Broken object level authorization", "Broken user authentication" and "Improper assets
management" rules). Messages name the scheme, scope and operation involved."""

from __future__ import annotations

from typing import Any

from apigov_ls.engine.functions import function
from apigov_ls.engine.functions.apigov_common import (
    any_operation_enforces,
    enforces_security,
    get_path,
    is_oas2,
    is_plain_http_url,
    iter_operations,
    operation_label,
    per_document,
    resolved_root,
    security_schemes,
)


def _owner(path) -> str:
    op = operation_label(path)
    return f"operation {op}" if op else "the global security"


def _schemes_location(oas2: bool) -> str:
    return "securityDefinitions" if oas2 else "components.securitySchemes"


def _declared_scopes(scheme: dict, oas2: bool) -> set[str] | None:
    """Scopes an OAuth 2 scheme declares (all flows together); None when it is not OAuth 2."""
    if scheme.get("type") != "oauth2":
        return None
    if oas2:
        scopes = scheme.get("scopes")
        return set(scopes) if isinstance(scopes, dict) else set()
    out: set[str] = set()
    flows = scheme.get("flows")
    if isinstance(flows, dict):
        for flow in flows.values():
            if isinstance(flow, dict) and isinstance(flow.get("scopes"), dict):
                out.update(flow["scopes"])
    return out


@function("apigovOAuthScopesDeclared")
def oauth_scopes_declared(requirement: Any, options: Any, context) -> list[dict] | None:
    """Each scope a security requirement asks of an OAuth 2 scheme is declared by that scheme."""
    if not isinstance(requirement, dict):
        return None
    oas2 = is_oas2(context)
    schemes = security_schemes(resolved_root(context), oas2)
    results = []
    for name, scopes in requirement.items():
        scheme = schemes.get(name)
        declared = _declared_scopes(scheme, oas2) if isinstance(scheme, dict) else None
        if declared is None or not isinstance(scopes, list):
            continue  # undefined schemes are apigov-sec-scheme-undefined's business
        for i, scope in enumerate(scopes):
            if isinstance(scope, str) and scope not in declared:
                results.append({
                    "message": f'Scope "{scope}" used by {_owner(context.path)} is not declared by OAuth scheme "{name}"',
                    "path": tuple(context.path) + (name, i),
                })
    return results or None


@function("apigovSchemeDefined")
def scheme_defined(requirement: Any, options: Any, context) -> list[dict] | None:
    """Each scheme named in a security requirement is declared."""
    if not isinstance(requirement, dict):
        return None
    oas2 = is_oas2(context)
    schemes = security_schemes(resolved_root(context), oas2)
    return [
        {
            "message": f'Security scheme "{name}" used by {_owner(context.path)} is not defined in {_schemes_location(oas2)}',
            "path": tuple(context.path) + (name,),
        }
        for name in requirement
        if name not in schemes
    ] or None


@function("apigovSecuritySchemesDefined")
def security_schemes_defined(root: Any, options: Any, context) -> list[dict] | None:
    """The document declares its security schemes (the object may be empty: another rule says so)."""
    if not isinstance(root, dict):
        return None
    oas2 = is_oas2(context)
    if oas2:
        present = "securityDefinitions" in root
    else:
        components = root.get("components")
        present = isinstance(components, dict) and "securitySchemes" in components
    if present:
        return None
    return [{"message": f"The API declares no security schemes ({_schemes_location(oas2)} is not defined)", "path": ()}]


_OPERATION_CHECKS = ("empty", "no-scheme", "unsecured")


def _any_operation_enforces(root: Any, document: Any = None) -> bool:
    return per_document(root, "any-operation-enforces", lambda: any_operation_enforces(root, document))


@function(
    "apigovOperationSecurity",
    {"type": "object", "properties": {"check": {"enum": list(_OPERATION_CHECKS)}}, "required": ["check"], "additionalProperties": False},
)
def operation_security(op: Any, options: dict, context) -> list[dict] | None:
    """`empty`: `security: []`; `no-scheme`: a `{}` item; `unsecured`: no security of its own and
    no global security enforced, while other operations do enforce some (when none does, the one
    apigov-sec-global-security-missing result says it all)."""
    if not isinstance(op, dict):
        return None
    label = operation_label(context.path) or "the operation"
    path = tuple(context.path)
    security = op.get("security")
    check = options["check"]
    if check == "empty":
        if security == []:
            return [{"message": f"Operation {label} has an empty security list: it needs no authentication", "path": path + ("security",)}]
        return None
    if check == "no-scheme":
        if not isinstance(security, list):
            return None
        return [
            {"message": f"Security requirement {i} of operation {label} names no scheme: it lets anonymous requests through", "path": path + ("security", i)}
            for i, requirement in enumerate(security)
            if requirement == {}
        ] or None
    if "security" in op:
        return None
    root = resolved_root(context)
    if enforces_security(root.get("security") if isinstance(root, dict) else None):
        return None
    if not _any_operation_enforces(root, context.document_inventory):
        return None
    return [{"message": f"Operation {label} does not enforce any security scheme", "path": path}]


# -- security scheme declarations ---------------------------------------------------------------------
#: IANA HTTP Authentication Scheme Registry (https://www.iana.org/assignments/http-authschemes), lower case
IANA_HTTP_SCHEMES = frozenset({
    "basic", "bearer", "concealed", "digest", "dpop", "gnap", "hoba", "mutual", "negotiate", "oauth",
    "privatetoken", "scram-sha-1", "scram-sha-256", "vapid",
})

_SCHEME_CHECKS = (
    "http-scheme-registered",
    "oauth1-deprecated",
    "implicit-flow",
    "password-flow",
    "authorization-url-https",
    "token-url-https",
    "refresh-url-https",
    "openid-connect-url-https",
)

_URL_FIELDS = {
    "authorization-url-https": ("authorizationUrl", "Authorization URL"),
    "token-url-https": ("tokenUrl", "Token URL"),
    "refresh-url-https": ("refreshUrl", "Refresh URL"),
}


def is_oauth1(scheme: Any) -> bool:
    """OAuth 1.0 as Postman recognises it: an HTTP scheme whose `scheme` is `oauth` (RFC 5849)."""
    return isinstance(scheme, dict) and scheme.get("type") == "http" and str(scheme.get("scheme", "")).strip().lower() == "oauth"


def _flows(scheme: dict, oas2: bool) -> list[tuple[str, dict, tuple]]:
    """(flow name, object holding its URLs, path of that object relative to the scheme)."""
    if scheme.get("type") != "oauth2":
        return []
    if oas2:
        return [(str(scheme.get("flow", "")), scheme, ())]
    flows = scheme.get("flows")
    if not isinstance(flows, dict):
        return []
    return [(name, flow, ("flows", name)) for name, flow in flows.items() if isinstance(flow, dict)]


@function(
    "apigovSecuritySchemeCheck",
    {"type": "object", "properties": {"check": {"enum": list(_SCHEME_CHECKS)}}, "required": ["check"], "additionalProperties": False},
)
def security_scheme_check(scheme: Any, options: dict, context) -> list[dict] | None:
    """One declared security scheme (given: each entry of securitySchemes / securityDefinitions)."""
    if not isinstance(scheme, dict):
        return None
    name = context.path[-1] if context.path else "?"
    path = tuple(context.path)
    oas2 = is_oas2(context)
    check = options["check"]
    if check == "http-scheme-registered":
        value = scheme.get("scheme")
        if scheme.get("type") == "http" and isinstance(value, str) and value.strip().lower() not in IANA_HTTP_SCHEMES:
            return [{
                "message": f'HTTP authentication scheme "{value}" of security scheme "{name}" is not in the IANA HTTP Authentication Scheme registry',
                "path": path + ("scheme",),
            }]
        return None
    if check == "oauth1-deprecated":
        if is_oauth1(scheme):
            return [{"message": f'Security scheme "{name}" uses the deprecated OAuth 1.0 protocol', "path": path + ("scheme",)}]
        return None
    if check in ("implicit-flow", "password-flow"):
        wanted = "implicit" if check == "implicit-flow" else "password"
        for flow, _, rel in _flows(scheme, oas2):
            if flow == wanted:
                where = path + (rel or ("flow",))
                return [{"message": f'OAuth scheme "{name}" uses the deprecated {wanted} flow', "path": where}]
        return None
    if check == "openid-connect-url-https":
        url = scheme.get("openIdConnectUrl")
        if scheme.get("type") == "openIdConnect" and is_plain_http_url(url):
            return [{"message": f'OpenID Connect URL "{url}" of security scheme "{name}" uses plain HTTP', "path": path + ("openIdConnectUrl",)}]
        return None
    field, label = _URL_FIELDS[check]
    results = []
    for flow, holder, rel in _flows(scheme, oas2):
        url = holder.get(field)
        if is_plain_http_url(url):
            where = f" ({flow} flow)" if rel else ""
            results.append({
                "message": f'{label} "{url}" of OAuth scheme "{name}"{where} uses plain HTTP: credentials and tokens travel as plain text',
                "path": path + rel + (field,),
            })
    return results or None


# -- helpers for the transport rules ------------------------------------------------------------------
def credential_kind(scheme: Any, oas2: bool) -> str | None:
    """oauth2 | openIdConnect | oauth1 | apiKey | httpAuth, for the plain-HTTP rules."""
    if not isinstance(scheme, dict):
        return None
    kind = scheme.get("type")
    if kind in ("oauth2", "apiKey"):
        return kind
    if oas2:
        return "httpAuth" if kind == "basic" else None
    if kind == "openIdConnect":
        return "openIdConnect"
    if kind == "http":
        return "oauth1" if is_oauth1(scheme) else "httpAuth"
    return None


def credential_words(kind: str, name: str, scheme: dict) -> str:
    """How a message names a scheme: `API key "api_key"`, `HTTP Basic credentials of "basicAuth"`."""
    if kind == "apiKey":
        return f'API key "{name}"'
    if kind == "oauth2":
        return f'OAuth 2 credentials of scheme "{name}"'
    if kind == "openIdConnect":
        return f'OpenID Connect credentials of scheme "{name}"'
    if kind == "oauth1":
        return f'OAuth 1.0 credentials of scheme "{name}"'
    http = "Basic" if scheme.get("type") == "basic" else str(scheme.get("scheme", "")).strip().capitalize() or "auth"
    return f'HTTP {http} credentials of scheme "{name}"'


def requirement_index(security: Any, name: str) -> int | None:
    if isinstance(security, list):
        for i, requirement in enumerate(security):
            if isinstance(requirement, dict) and name in requirement:
                return i
    return None


def path_item_of(root: Any, path) -> Any:
    return get_path(root, tuple(path[:2])) if len(path) >= 2 else None
