"""Rulesets for the checker: discovered per file and cached inside a worker process.

The server drops a worker's cache by bumping the ruleset generation of the jobs it sends
(a ruleset file, or one of `Ruleset.files`, changed; settings changed). The lock covers
workers that run several checks in threads. A ruleset that fails to load is
remembered with its error (shown as a diagnostic in the ruleset file) and replaced by an empty
ruleset, so parser and $ref problems are still reported.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from dataclasses import dataclass

from apigov_ls.engine.types import Ruleset, RulesetError
from apigov_ls.server.config import Settings

RULESET_BASENAMES = tuple(f".spectral.{ext}" for ext in ("yaml", "yml", "json", "js", "mjs", "cjs"))


@dataclass
class LoadedRuleset:
    key: str                     # file path or built-in name
    ruleset: Ruleset
    error: RulesetError | None
    files: frozenset[str]        # files whose change invalidates this entry


class RulesetCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[tuple, LoadedRuleset] = {}

    def for_file(self, target: str, settings: Settings, overlays: dict[str, str], folders: list[str]) -> LoadedRuleset:
        from apigov_ls.engine.ruleset import discover_ruleset

        explicit = _absolute(settings.ruleset, folders)
        try:
            key = discover_ruleset(target, explicit)
        except RulesetError as err:
            return LoadedRuleset(explicit or "<ruleset>", Ruleset(rules={}), err, frozenset(filter(None, [explicit, err.file])))
        cache_key = (key, tuple(sorted(settings.severity_overrides.items())), settings.trusted)
        with self._lock:
            hit = self._loaded.get(cache_key)
            if hit is None:
                hit = self._load(key, settings, overlays)
                self._loaded[cache_key] = hit
            return hit

    def _load(self, key: str, settings: Settings, overlays: dict[str, str]) -> LoadedRuleset:
        from apigov_ls.engine.ruleset import load_ruleset, load_ruleset_text

        try:
            if key in overlays:  # the ruleset file is open in the editor: lint with what is typed
                ruleset = load_ruleset_text(overlays[key], key, trusted=settings.trusted)
            else:
                ruleset = load_ruleset(key, trusted=settings.trusted)
        except RulesetError as err:
            files = {f for f in (key, err.file) if f and os.path.isabs(f)}
            return LoadedRuleset(key, Ruleset(rules={}, source=key), err, frozenset(files))
        ruleset = apply_severity_overrides(ruleset, settings.severity_overrides)
        files = {f for f in [key, *ruleset.files] if f and os.path.isabs(f)}
        return LoadedRuleset(key, ruleset, None, frozenset(files))

def _absolute(ruleset: str | None, folders: list[str]) -> str | None:
    """A relative `ruleset` setting is relative to the first workspace folder; built-in names stay."""
    if not ruleset or os.path.isabs(ruleset) or ":" in ruleset and not os.path.exists(ruleset):
        return ruleset
    for folder in folders:
        candidate = os.path.join(folder, ruleset)
        if os.path.exists(candidate):
            return os.path.normpath(candidate)
    return os.path.abspath(ruleset)


def apply_severity_overrides(ruleset: Ruleset, overrides: dict) -> Ruleset:
    """The `severityOverrides` setting: change a rule's severity, or switch it off (None)."""
    if not overrides:
        return ruleset
    rules = dict(ruleset.rules)
    for name, severity in overrides.items():
        if name in rules:
            rules[name] = dataclasses.replace(rules[name], severity=severity)
    return dataclasses.replace(ruleset, rules=rules)
