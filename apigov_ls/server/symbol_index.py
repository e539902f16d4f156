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


#: what one workspace symbol is, before any position is looked up:
#: (name, kind, container, JSON path, whether the symbol's range is the value's span rather than the key's)
SymbolSpec = tuple[str, int, str, JsonPath, bool]


def symbol_specs(data) -> list[SymbolSpec]:
    """operationIds and components of one file's data, in workspace_entries' order (no source map: cheap)."""
    out: list[SymbolSpec] = []
    if not isinstance(data, dict):
        return out
    for section in ("paths", "webhooks"):
        paths = data.get(section)
        if isinstance(paths, dict):
            for route, item in paths.items():
                if not isinstance(item, dict):
                    continue
                for method, op in item.items():
                    if method in HTTP_METHODS and isinstance(op, dict) and isinstance(op.get("operationId"), str):
                        out.append((op["operationId"], METHOD, f"{method.upper()} {route}", (section, route, method, "operationId"), True))
    components = data.get("components")
    if isinstance(components, dict):
        for kind, members in components.items():
            if isinstance(members, dict):
                for name in members:
                    out.append((name, COMPONENT_KINDS.get(kind, OBJECT), f"components/{kind}", ("components", kind, name), False))
    for section, kind in OAS2_MAPS.items():
        members = data.get(section)
        if isinstance(members, dict):
            for name in members:
                out.append((name, kind, section, (section, name), False))
    return out


def located_entry(sf: SourceFile, spec: SymbolSpec) -> tuple[WorkspaceEntry, int, int]:
    """The entry of one spec, and the text it was read from: offsets of the start of its first line
    and of the end of its last line (an edit outside them and outside its region leaves it as it is)."""
    name, kind, container, path, value_span = spec
    sm = sf.source_map
    span = sm.value_span(path) if value_span else (sm.key_span(path) or sm.value_span(path))
    start = sm.lines.position(span[0])
    end = sm.lines.position(span[1])
    line_text = sm.lines.line_text(start.line)
    end_char = end.character if end.line == start.line else len(line_text)
    last_line = line_text if end.line == start.line else sm.lines.line_text(end.line)
    entry = WorkspaceEntry(name, kind, container, sf.path, start.line, start.character, end_char, line_text)
    return entry, span[0] - start.character, span[1] + len(last_line) - end.character


def workspace_entries(sf: SourceFile) -> list[WorkspaceEntry]:
    """operationIds and components of one file, with code-point positions."""
    return [located_entry(sf, spec)[0] for spec in symbol_specs(sf.data)]


def index_root(root: str) -> tuple[set[str], list[WorkspaceEntry]] | None:
    """For the first scan (worker process): the files a root uses and its workspace symbols."""
    try:
        doc = build_document(root, loader=FileLoader())
    except (FileError, OSError):
        return None
    entries = [e for sf in doc.files.values() for e in workspace_entries(sf)]
    return set(doc.files), entries


