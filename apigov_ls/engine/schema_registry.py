"""Shared schema resources and compiled-validator caches for the schema functions.

The package's OpenAPI document schemas (apigov_ls/schemas, Spectral's copies) and the JSON
Schema meta-schemas (from jsonschema-specifications, a dependency of jsonschema) are indexed
once. Schemas that come from a linted document get an overlay registry per document, so they
are compiled once per document and dropped with it.
"""

from __future__ import annotations

import json
import threading
import weakref
from functools import lru_cache
from importlib import resources
from typing import Any

from apigov_ls.engine.schema_compiler import CompiledSchema, Compiler, SchemaRegistry

#: document format -> package schema file (Spectral's oasDocumentSchema picks the same way)
OAS_SCHEMA_FILES = {
    "oas2_0": "oas2.0.json",
    "oas3_0": "oas3.0.json",
    "oas3_1": "oas3.1.json",
    "oas3_2": "oas3.2.json",
}
_SUPPORT_FILES = (
    "json-schema-draft-04.json",
    "json-schema-draft-2020-12.json",
    "json-schema-draft-2020-12-validation.json",
    "oas3.1-dialect.json",
    "oas3.1-meta.json",
    "oas3.2-dialect.json",
    "oas3.2-meta.json",
)

_lock = threading.Lock()


def load_package_schema(name: str) -> Any:
    return json.loads(resources.files("apigov_ls.schemas").joinpath(name).read_text(encoding="utf-8"))


class LayeredRegistry(SchemaRegistry):
    """A registry that falls back to a parent for resources it does not hold."""

    def __init__(self, parent: SchemaRegistry | None = None) -> None:
        super().__init__()
        if parent is not None:
            self.resources = _Fallback(self.resources, parent.resources)
            self.anchors = _Fallback(self.anchors, parent.anchors)
            self.dynamic_anchors = _Fallback(self.dynamic_anchors, parent.dynamic_anchors)
            self.base_of = _Fallback(self.base_of, parent.base_of)


class _Fallback(dict):
    def __init__(self, own: dict, parent: dict) -> None:
        super().__init__(own)
        self._parent = parent

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self._parent.get(key, default)

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or key in self._parent

    def __getitem__(self, key):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self._parent[key]

    def setdefault(self, key, default=None):
        if key in self:
            return self[key]
        self[key] = default
        return default

    def items(self):
        merged = dict(self._parent.items())
        merged.update(dict.items(self))
        return merged.items()

    def __iter__(self):
        return iter(dict(self.items()))

    def keys(self):
        return dict(self.items()).keys()


@lru_cache(maxsize=1)
def base_registry() -> SchemaRegistry:
    reg = SchemaRegistry()
    for name in (*OAS_SCHEMA_FILES.values(), *_SUPPORT_FILES):
        reg.add(load_package_schema(name))
    try:  # the official meta-schemas; the package copies above win where both exist
        from jsonschema_specifications import REGISTRY

        for uri in REGISTRY:
            reg.add(REGISTRY.contents(uri), uri)
    except ImportError:  # pragma: no cover - shipped with jsonschema
        pass
    return reg


class ValidatorFactory:
    """Compiles and caches validators per (dialect, all_errors) over one registry."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self._compilers: dict[tuple[str, bool], Compiler] = {}
        self._compiled: dict[tuple[int, str, bool], tuple[Any, CompiledSchema]] = {}

    def get(self, schema: Any, dialect: str, all_errors: bool) -> CompiledSchema:
        key = (id(schema), dialect, all_errors)
        hit = self._compiled.get(key)
        if hit is not None and hit[0] is schema:
            return hit[1]
        with _lock:
            compiler = self._compilers.get((dialect, all_errors))
            if compiler is None:
                compiler = self._compilers[(dialect, all_errors)] = Compiler(self.registry, dialect, all_errors)
            compiled = compiler.compile(schema)
            self._compiled[key] = (schema, compiled)  # holding `schema` keeps its id from being reused
        return compiled


@lru_cache(maxsize=1)
def global_factory() -> ValidatorFactory:
    """For schemas from rulesets (function options) and the package's document schemas."""
    return ValidatorFactory(LayeredRegistry(base_registry()))


_per_document: "weakref.WeakKeyDictionary[Any, ValidatorFactory]" = weakref.WeakKeyDictionary()


def factory_for(owner: Any) -> ValidatorFactory:
    """The factory for schemas taken from one document (`owner`: its document inventory)."""
    if owner is None:
        return global_factory()
    try:
        factory = _per_document.get(owner)
        if factory is None:
            factory = _per_document[owner] = ValidatorFactory(LayeredRegistry(base_registry()))
        return factory
    except TypeError:  # not weak-referenceable
        return global_factory()


def document_validator(schema_name: str, memo: bool = False) -> CompiledSchema:
    """The all-errors validator of one OpenAPI document schema (`oas2_0`, `oas3_0`, `oas3_1`, `oas3_2`).

    memo=True: a separately compiled copy whose `errors(instance, memo)` reuses the results of
    unchanged subtrees (for documents re-checked edit by edit; see subtree_memo.py)."""
    return _memo_document_validator(schema_name) if memo else _document_validator(schema_name)


@lru_cache(maxsize=None)
def _memo_document_validator(schema_name: str) -> CompiledSchema:
    reg = base_registry()
    schema = reg.resources[_schema_uri(schema_name)]
    factory = global_factory()
    with _lock:
        return Compiler(factory.registry, "draft2020-12", True, memo=True, dedupe_items=True).compile(schema)


@lru_cache(maxsize=None)
def _document_validator(schema_name: str) -> CompiledSchema:
    reg = base_registry()
    schema = reg.resources[_schema_uri(schema_name)]
    factory = global_factory()
    with _lock:
        # its own compiler: repeated parameters and the like are validated once per document
        return Compiler(factory.registry, "draft2020-12", True, dedupe_items=True).compile(schema)


@lru_cache(maxsize=None)
def _schema_uri(schema_name: str) -> str:
    from urllib.parse import urldefrag

    return urldefrag(load_package_schema(OAS_SCHEMA_FILES[schema_name])["$id"])[0]
