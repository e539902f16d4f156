"""Which kind of API description a document is (Spectral's format names)."""

from __future__ import annotations

import re
from typing import Any

OAS2 = "oas2"
OAS3 = "oas3"
OAS3_0 = "oas3_0"
OAS3_1 = "oas3_1"
OAS3_2 = "oas3_2"

ALL_FORMATS = frozenset({OAS2, OAS3, OAS3_0, OAS3_1, OAS3_2})

FORMAT_LABELS = {
    OAS2: "OpenAPI 2.0 (Swagger)",
    OAS3: "OpenAPI 3.x",
    OAS3_0: "OpenAPI 3.0.x",
    OAS3_1: "OpenAPI 3.1.x",
    OAS3_2: "OpenAPI 3.2.x",
}

_V30 = re.compile(r"^3\.0(?:\.[0-9]*)?$")
_V31 = re.compile(r"^3\.1(?:\.[0-9]*)?$")
_V32 = re.compile(r"^3\.2(?:\.[0-9]*)?$")


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_int(value: Any) -> int | None:
    """JavaScript's parseInt(String(value)) for the cases that matter here."""
    m = re.match(r"\s*([-+]?\d+)", _js_string(value))
    return int(m.group(1)) if m else None


def detect_formats(data: Any) -> frozenset[str]:
    """The formats a document matches, as Spectral computes them.

    A 3.1 document is {oas3, oas3_1}. A 3.2 document is {oas3, oas3_2, oas3_1}: 3.1 rules apply
    to it unless a rule names oas3_2 explicitly (no peer knows 3.2 yet).
    """
    if not isinstance(data, dict):
        return frozenset()
    if "swagger" in data and _parse_int(data["swagger"]) == 2:
        return frozenset({OAS2})
    if "openapi" in data and _parse_int(data["openapi"]) == 3:
        version = _js_string(data["openapi"])
        out = {OAS3}
        if _V30.match(version):
            out.add(OAS3_0)
        elif _V31.match(version):
            out.add(OAS3_1)
        elif _V32.match(version):
            out.update((OAS3_2, OAS3_1))
        return frozenset(out)
    return frozenset()


def primary_format(formats: frozenset[str]) -> str | None:
    for name in (OAS2, OAS3_2, OAS3_1, OAS3_0, OAS3):
        if name in formats:
            return name
    return None


def looks_like_api_description(data: Any) -> bool:
    return isinstance(data, dict) and ("openapi" in data or "swagger" in data)
