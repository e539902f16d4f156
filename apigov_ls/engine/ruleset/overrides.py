"""Applying `overrides` to one linted file.

Whole-file entries (`files: ["legacy/**/*.yaml"]`) change the rules for the files they match:
`effective_ruleset(ruleset, path)` returns that ruleset. Entries with a JSON Pointer
(`files: ["**#/paths/~1legacy"]`) change severities for part of a file: `pointer_overrides`
lists them and `severity_at` picks the one that applies to a result, as Spectral's
Rule.getSeverityForSource does (the longest matching pointer wins; on a tie, the later entry).
Globs are relative to the folder of the ruleset that declares them.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any
from urllib.parse import unquote

from apigov_ls.engine.ruleset.globs import glob_matches
from apigov_ls.engine.types import JsonPath, Override, Rule, Ruleset, RulesetError, Severity

#: (pointer as a tuple of str segments, {rule name: Severity or None (off)})
PointerOverride = tuple[tuple[str, ...], dict[str, "Severity | None"]]


def relative_to(override: Override, path: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), override.base_dir)
    return rel.replace(os.sep, "/")


def _split(pattern: str) -> tuple[str, str | None]:
    glob, sep, pointer = pattern.partition("#")
    return glob, (pointer if sep else None)


def effective_ruleset(ruleset: Ruleset, path: str) -> Ruleset:
    """`ruleset` with the whole-file overrides that match `path` applied (in order: last wins)."""
    rules = ruleset.rules
    changed = False
    for override in ruleset.overrides:
        rel = relative_to(override, path)
        if not any(p is None and glob_matches(rel, g) for g, p in map(_split, override.files)):
            continue
        if not changed:
            rules = dict(rules)
            changed = True
        for name, value in override.rules.items():
            rules[name] = _apply(rules.get(name), name, value, override)
    if not changed:
        return ruleset
    return dataclasses.replace(ruleset, rules=rules)


def _apply(current: Rule | None, name: str, value: Any, override: Override) -> Rule:
    if isinstance(value, Rule):
        return value
    if current is None:
        raise RulesetError(f'override: rule "{name}" is not defined in this ruleset or in any ruleset it extends', file=override.origin)
    if value is True:
        return dataclasses.replace(current, severity=current.extensions.get("severity_if_enabled") or Severity.WARN)
    if value is False or value is None:
        return dataclasses.replace(current, severity=None)
    extensions = {**current.extensions, "severity_if_enabled": value}
    return dataclasses.replace(current, severity=value, extensions=extensions)


def parse_pointer(pointer: str) -> tuple[str, ...]:
    """`/paths/~1pets%7Bid%7D/get` -> ("paths", "/pets{id}", "get") (RFC 6901, percent-decoded)."""
    pointer = unquote(pointer)
    if pointer in ("", "/"):
        return ()
    return tuple(seg.replace("~1", "/").replace("~0", "~") for seg in pointer.lstrip("/").split("/"))


def pointer_overrides(ruleset: Ruleset, path: str) -> list[PointerOverride]:
    """The `file#/pointer` entries that match `path`, in definition order.

    Segments are strings: compare them with `str()` of the result path's segments (list indices
    are ints there). A rule named here runs even if it is otherwise off, for results under the pointer.
    """
    out: list[PointerOverride] = []
    for override in ruleset.overrides:
        rel = relative_to(override, path)
        for glob, pointer in map(_split, override.files):
            if pointer is not None and glob_matches(rel, glob):
                out.append((parse_pointer(pointer), {n: v for n, v in override.rules.items() if not isinstance(v, Rule)}))
    return out


def severity_at(entries: list[PointerOverride], rule_name: str, path: JsonPath, default: Severity | None) -> Severity | None:
    """The severity of `rule_name` for a result at `path`: the longest pointer prefix wins, later on ties."""
    result = default
    best = -1
    target = tuple(str(p) for p in path)
    for pointer, rules in entries:
        if rule_name in rules and len(pointer) >= best and target[: len(pointer)] == pointer:
            best = len(pointer)
            result = rules[rule_name]
    return result
