"""serverVariables: server URL variables are declared, used, and substitute to valid URLs.

Port of Spectral's shared serverVariables function (oas3-server-variables). Substituted URLs
are checked the way JavaScript's `new URL(x)` accepts or rejects them (see _is_valid_url).
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Iterator
from urllib.parse import quote, unquote

import jsonschema

from apigov_ls.engine.functions import function
from apigov_ls.engine.functions.oas_common import js_includes

#: Spectral's input schema; anything else gives one "Invalid Server Object" result
_SERVER_SCHEMA = {
    "type": "object",
    "properties": {
        "url": {"type": "string"},
        "variables": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "enum": {"type": "array", "items": {"type": "string"}},
                    "default": {"type": "string"},
                    "description": {"type": "string"},
                    "examples": {"type": "string"},
                },
                "patternProperties": {"^x-": True},
                "additionalProperties": False,
            },
        },
    },
    "required": ["url"],
}
_SERVER_VALIDATOR = jsonschema.Draft7Validator(_SERVER_SCHEMA)

_OPTIONS = {
    "type": ["object", "null"],
    "properties": {"checkSubstitutions": {"type": "boolean"}, "requireDefault": {"type": "boolean"}},
    "additionalProperties": False,
}

_URL_VARIABLE = re.compile(r"{(.+?)}")


def _url_variables(url: Any) -> list[str]:
    return [m.group(1) for m in _URL_VARIABLE.finditer(url)] if isinstance(url, str) else []


def _encode_uri(value: str) -> str:
    """JavaScript's encodeURI."""
    return quote(value, safe=";,/?:@&=+$-_.!~*'()#")


def _substitutions(url: str, variables: list[tuple[str, list[str]]]) -> Iterator[str]:
    """Every URL made by replacing each `{name}` with each of its values (lazily)."""
    names = ["{" + name + "}" for name, _ in variables]
    choices = [[_encode_uri(v) for v in values] for _, values in variables]
    for combo in itertools.product(*choices):
        out = url
        for name, value in zip(names, combo):
            out = out.replace(name, value)
        yield out


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_SPECIAL = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_FORBIDDEN_HOST = set("\x00\t\n\r #/:<>?@[\\]^|")
_FORBIDDEN_DOMAIN = _FORBIDDEN_HOST | set("%\x7f") | {chr(c) for c in range(0x20)}


def _valid_port(port: str) -> bool:
    return port == "" or (port.isdigit() and port.isascii() and int(port) <= 65535)


def _valid_ipv4_like(host: str) -> bool:
    """A host whose last label is a number must be an IPv4 address."""
    labels = host.split(".")
    if labels and labels[-1] == "":
        labels = labels[:-1]
    if not labels or not re.fullmatch(r"\d+|0[xX][0-9a-fA-F]*", labels[-1]):
        return True
    if len(labels) > 4:
        return False
    try:
        nums = [int(x, 16) if x[:2].lower() == "0x" else int(x, 8) if len(x) > 1 and x[0] == "0" else int(x) for x in labels]
    except ValueError:
        return False
    if any(n > 255 for n in nums[:-1]):
        return False
    return nums[-1] < 256 ** (5 - len(nums))


def _is_valid_url(url: str) -> bool:
    """Whether `new URL(url)` (WHATWG URL, no base) would accept `url`. Covers the common cases."""
    url = url.strip("\x00 \t\n\r\x0b\x0c")
    m = _SCHEME.match(url)
    if not m:
        return False  # a relative reference needs a base
    scheme = m.group(0)[:-1].lower()
    rest = url[m.end():]
    if scheme == "file":
        return True
    special = scheme in _SPECIAL
    if not special and not rest.startswith("//"):
        return True  # an opaque path (mailto:, urn:...) is always accepted
    rest = rest.lstrip("/\\") if special else rest[2:]
    authority = re.split(r"[/?#\\]" if special else r"[/?#]", rest, maxsplit=1)[0]
    host_port = authority.rsplit("@", 1)[-1]
    if host_port.startswith("["):
        close = host_port.find("]")
        if close < 0:
            return False
        host, port = host_port[: close + 1], host_port[close + 1:]
        if port and not port.startswith(":"):
            return False
        return _valid_port(port[1:])
    host, _, port = host_port.partition(":")
    if not _valid_port(port):
        return False
    if not special:
        return not any(c in _FORBIDDEN_HOST for c in host)
    host = unquote(host)
    if host == "" or any(c in _FORBIDDEN_DOMAIN for c in host):
        return False
    return _valid_ipv4_like(host)


@function("serverVariables", options_schema=_OPTIONS)
def server_variables(server: Any, options: Any, context) -> list[dict] | None:
    if not _SERVER_VALIDATOR.is_valid(server):
        return [{"message": "Invalid Server Object"}]
    opts = options or {}
    path = context.path
    url = server["url"]
    variables = server.get("variables")
    found = _url_variables(url)
    defined = list(variables) if variables is not None else []
    results: list[dict] = []

    for name in defined:
        if name not in found:
            results.append({"message": f'Server\'s "variables" object has unused defined "{name}" url variable.', "path": path + ("variables", name)})
    if not found:
        return results
    missing = [v for v in found if v not in defined]
    if missing:
        results.append(
            {
                "message": f"Not all server's variables are described with \"variables\" object. Missed: {', '.join(missing)}.",
                "path": path + ("variables",),
            }
        )
    if variables is None:
        return results

    pairs: list[tuple[str, list[str]]] = []
    for name in defined:
        if name not in found:
            continue
        variable = variables[name]
        if "enum" in variable:
            pairs.append((name, variable["enum"]))
            if "default" in variable and not js_includes(variable["enum"], variable["default"]):
                results.append(
                    {"message": f'Server Variable "{name}" has a default not listed in the enum.', "path": path + ("variables", name, "default")}
                )
        elif "default" in variable:
            pairs.append((name, [variable["default"]]))
        else:
            pairs.append((name, []))
        if "default" not in variable and opts.get("requireDefault") is True:
            results.append({"message": f'Server Variable "{name}" has a missing default.', "path": path + ("variables", name)})

    if opts.get("checkSubstitutions") is True and pairs:
        invalid: list[str] = []
        for candidate in _substitutions(url, pairs):
            if not _is_valid_url(candidate):
                invalid.append(candidate)
                if len(invalid) == 5:
                    break
        if len(invalid) == 5:
            results.append(
                {
                    "message": f"At least 5 substitutions of server variables resulted in invalid URLs: {', '.join(invalid)} and more",
                    "path": path + ("variables",),
                }
            )
        elif invalid:
            results.append(
                {
                    "message": f"A few substitutions of server variables resulted in invalid URLs: {', '.join(invalid)}",
                    "path": path + ("variables",),
                }
            )
    return results
