"""`#Alias` references in `given`, as Spectral resolves them (packages/core/src/ruleset/alias.ts).

An alias is a list of expressions, or a format-scoped `{targets: [{formats, given}]}`; the
reference may be followed by more path (`#PathItem.get`), and aliases may use aliases.
For a scoped alias, the last target whose formats meet the document's formats wins; with no
matching target (or unknown formats) the alias contributes no expression.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from apigov_ls.engine.types import Rule

_ALIAS = re.compile(r"^#([A-Za-z0-9_-]+)")

#: pass as `formats` to expand every target of scoped aliases (to validate them all)
ALL_TARGETS = object()


class AliasError(ValueError):
    pass


def normalize_format(name: str) -> str:
    """Spectral's YAML spellings -> format names: oas3.0 -> oas3_0, json-schema-2019-09 -> ...-draft-2019-09."""
    if name in ("json-schema-2019-09", "json-schema-2020-12"):
        name = name.replace("json-schema-", "json-schema-draft-")
    return name.replace(".", "_")


def is_scoped(value: Any) -> bool:
    return isinstance(value, dict)


def uses_scoped_alias(exprs: Iterable[str], aliases: dict[str, Any]) -> bool:
    """True when any expression reaches a format-scoped alias (directly or through other aliases)."""
    seen: set[str] = set()

    def visit(expr: str) -> bool:
        m = _ALIAS.match(expr) if isinstance(expr, str) else None
        if m is None or m.group(1) in seen or m.group(1) not in aliases:
            return False
        seen.add(m.group(1))
        value = aliases[m.group(1)]
        if is_scoped(value):
            return True
        return any(visit(e) for e in _as_list(value))

    return any(visit(e) for e in exprs)


def expand(expr: str, aliases: dict[str, Any], formats: Any = None) -> list[str]:
    """Expand `expr` to concrete JSONPath strings. Raises AliasError for unknown or circular aliases.

    `formats`: the document's formats (a set), None (unknown: scoped aliases give nothing),
    or ALL_TARGETS (every target of every scoped alias: for validation).
    """
    return _expand(expr, aliases, formats, ())


def _expand(expr: str, aliases: dict[str, Any], formats: Any, stack: tuple[str, ...]) -> list[str]:
    if not expr.startswith("#"):
        return [expr]
    m = _ALIAS.match(expr)
    if m is None:
        raise AliasError(f'"{expr}": an alias reference must match #Name (letters, digits, _ and -)')
    name = m.group(1)
    if name in stack:
        raise AliasError(f'alias "{stack[0]}" is circular: {" -> ".join(stack + (name,))}')
    if name not in aliases:
        raise AliasError(f'alias "{name}" is not defined')
    rest = expr[m.end():]
    value = aliases[name]
    if is_scoped(value):
        targets = value.get("targets") or []
        if formats is ALL_TARGETS:
            chosen = [g for t in targets for g in _as_list(t.get("given"))]
        else:
            chosen = _pick_target(targets, formats)
    else:
        chosen = _as_list(value)
    out: list[str] = []
    for item in chosen:
        out.extend(_expand(item + rest, aliases, formats, stack + (name,)))
    return out


def _pick_target(targets: list[dict], formats: Any) -> list[str]:
    if not formats:
        return []
    for target in reversed(targets):  # the last matching target wins, as overrides do
        if any(normalize_format(f) in formats for f in target.get("formats") or []):
            return _as_list(target.get("given"))
    return []


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def given_for_formats(rule: Rule, formats: Any) -> list[str]:
    """The concrete `given` expressions of `rule` for a document with `formats`.

    Rules whose `given` uses a format-scoped alias carry `extensions["given_for_formats"]`
    (a function of the formats set); all others have their expressions in `rule.given`.
    """
    resolver = rule.extensions.get("given_for_formats")
    return resolver(formats) if resolver is not None else rule.given


class GivenResolver:
    """`extensions["given_for_formats"]`: expands a rule's raw `given` for a set of formats (cached)."""

    __slots__ = ("raw", "aliases", "_cache")

    def __init__(self, raw: list[str], aliases: dict[str, Any]):
        self.raw = raw
        self.aliases = aliases
        self._cache: dict[frozenset, list[str]] = {}

    def __call__(self, formats: Any) -> list[str]:
        key = frozenset(formats or ())
        hit = self._cache.get(key)
        if hit is None:
            hit = [e for expr in self.raw for e in expand(expr, self.aliases, key)]
            self._cache[key] = hit
        return hit

    def __repr__(self) -> str:
        return f"GivenResolver({self.raw!r})"
