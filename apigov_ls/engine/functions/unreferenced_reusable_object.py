"""Spectral's `unreferencedReusableObject`: members of `reusableObjectsLocation` no $ref points at.

Spectral asks its resolver's dependency graph, whose nodes are every $ref target met while
resolving the root file and the files it references. A member `X` counts as referenced when some
$ref (in any of those files, from anywhere, even from an unused member) targets exactly
`<root file>#<location>/X`; a $ref into a member (`.../X/properties/a`) does not count.
"""

from __future__ import annotations

import os
from urllib.parse import unquote

from . import function

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "reusableObjectsLocation": {
            "type": "string",
            "format": "json-pointer-uri-fragment",
            "errorMessage": '"unreferencedReusableObject" and its "reusableObjectsLocation" option support only valid JSON Pointer fragments, i.e. "#", "#/foo", "#/paths/~1user"',
        },
    },
    "additionalProperties": False,
    "required": ["reusableObjectsLocation"],
    "errorMessage": {
        "type": '"unreferencedReusableObject" function has invalid options specified. Example valid options: { "reusableObjectsLocation": "#/components/schemas" }, { "reusableObjectsLocation": "#/$defs" }',
        "required": '"unreferencedReusableObject" function is missing "reusableObjectsLocation" option. Example valid options: { "reusableObjectsLocation": "#/components/schemas" }, { "reusableObjectsLocation": "#/$defs" }',
    },
}


def pointer_fragment_to_path(fragment: str) -> tuple[str, ...]:
    """`#/paths/~1user` -> ("paths", "/user") (URI-decoded, then ~1 and ~0)."""
    pointer = unquote(fragment[1:] if fragment.startswith("#") else fragment)
    if pointer == "":
        return ()
    return tuple(seg.replace("~1", "/").replace("~0", "~") for seg in pointer.split("/")[1:])


def _same_file(a, b) -> bool:
    if a is None or b is None:  # None: a remote file that was not fetched
        return False
    if a == b:  # most refs: the very path string (normpath costs ~1 us each, twice per ref)
        return True
    return os.path.normpath(str(a)) == os.path.normpath(str(b))


@function("unreferencedReusableObject", OPTIONS_SCHEMA)
def unreferenced_reusable_object(input, options, context):
    if not isinstance(input, dict):
        return None
    graph = getattr(context.document_inventory, "graph", None)
    if graph is None:
        return None
    location = pointer_fragment_to_path(options["reusableObjectsLocation"])
    root = getattr(context.document, "source", None)
    referenced = {
        tuple(ref.target_pointer)
        for ref in graph.refs
        if ref.target_pointer is not None and _same_file(ref.target_source, root)
    }
    return [
        {"message": "Potential orphaned reusable object has been detected", "path": (*location, name)}
        for name in input
        if (*location, name) not in referenced
    ] or None
