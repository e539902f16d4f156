"""Workspace symbols of a file (operationIds, components), computed in the checker's worker processes.

Kinds are LSP SymbolKind numbers; this module does not import lsprotocol so workers start fast.
"""

from __future__ import annotations

from dataclasses import dataclass

from apigov_ls.document.model import FileError, FileLoader, SourceFile, build_document
from apigov_ls.engine.types import JsonPath

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
# LSP SymbolKind numbers
CLASS, METHOD, FIELD, VARIABLE, OBJECT, KEY, EVENT, STRUCT, CONSTANT, INTERFACE, FUNCTION, MODULE = 5, 6, 8, 13, 19, 20, 24, 23, 14, 11, 12, 2
COMPONENT_KINDS = {
    "schemas": CLASS, "responses": EVENT, "parameters": VARIABLE, "examples": CONSTANT,
    "requestBodies": STRUCT, "headers": FIELD, "securitySchemes": KEY, "links": INTERFACE,
    "callbacks": FUNCTION, "pathItems": MODULE,
}
OAS2_MAPS = {"definitions": CLASS, "parameters": VARIABLE, "responses": EVENT, "securityDefinitions": KEY}


@dataclass(frozen=True)
class WorkspaceEntry:
    name: str
    kind: int
    container: str
    path: str
    line: int
    start: int      # code points on `line`
    end: int
    line_text: str  # kept to convert columns to the client's encoding without the file


def workspace_entries(sf: SourceFile) -> list[WorkspaceEntry]:
    """operationIds and components of one file, with code-point positions."""
    data, sm = sf.data, sf.source_map
    out: list[WorkspaceEntry] = []
    if not isinstance(data, dict):
        return out

    def add(name: str, kind, container: str, path: JsonPath, value_span: bool = False):
        span = sm.value_span(path) if value_span else (sm.key_span(path) or sm.value_span(path))
        start = sm.lines.position(span[0])
        end = sm.lines.position(span[1])
        end_char = end.character if end.line == start.line else len(sm.lines.line_text(start.line))
        out.append(WorkspaceEntry(name, kind, container, sf.path, start.line, start.character, end_char, sm.lines.line_text(start.line)))

    for section in ("paths", "webhooks"):
        paths = data.get(section)
        if isinstance(paths, dict):
            for route, item in paths.items():
                if not isinstance(item, dict):
                    continue
                for method, op in item.items():
                    if method in HTTP_METHODS and isinstance(op, dict) and isinstance(op.get("operationId"), str):
                        add(op["operationId"], METHOD, f"{method.upper()} {route}", (section, route, method, "operationId"), True)
    components = data.get("components")
    if isinstance(components, dict):
        for kind, members in components.items():
            if isinstance(members, dict):
                for name in members:
                    add(name, COMPONENT_KINDS.get(kind, OBJECT), f"components/{kind}", ("components", kind, name))
    for section, kind in OAS2_MAPS.items():
        members = data.get(section)
        if isinstance(members, dict):
            for name in members:
                add(name, kind, section, (section, name))
    return out


def index_root(root: str) -> tuple[set[str], list[WorkspaceEntry]] | None:
    """For the first scan (worker process): the files a root uses and its workspace symbols."""
    try:
        doc = build_document(root, loader=FileLoader())
    except (FileError, OSError):
        return None
    entries = [e for sf in doc.files.values() for e in workspace_entries(sf)]
    return set(doc.files), entries


