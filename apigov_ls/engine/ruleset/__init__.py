"""Spectral-compatible rulesets (YAML/JSON) loaded into apigov_ls.engine.types.Ruleset.

Public API:
- load_ruleset(path_or_name, trusted=True) -> Ruleset   (cached by path and the mtimes of every file read;
  `.js`/`.mjs`/`.cjs` rulesets are evaluated in Node.js, see apigov_ls.engine.js)
- load_ruleset_text(text, path, trusted=True) -> Ruleset (an unsaved buffer; extends are read from disk)
- discover_ruleset(target_file, explicit=None) -> path | built-in name
- effective_ruleset(ruleset, path) -> Ruleset            (whole-file overrides applied)
- pointer_overrides(ruleset, path) / severity_at(...)    (`file#/pointer` overrides)
- given_for_formats(rule, formats) -> list[str]          (format-scoped aliases)
Every problem raises RulesetError with the file and 1-based line; schema problems raise
RulesetValidationError whose `.problems` lists each one.
"""

from __future__ import annotations

import os
import threading

from apigov_ls.engine import builtins
from apigov_ls.engine.ruleset.aliases import given_for_formats
from apigov_ls.engine.ruleset.discovery import RULESET_FILENAMES, discover_ruleset
from apigov_ls.engine.ruleset.loader import Loader
from apigov_ls.engine.ruleset.overrides import effective_ruleset, parse_pointer, pointer_overrides, severity_at
from apigov_ls.engine.ruleset.source import parse_source, read_source
from apigov_ls.engine.ruleset.validate import RulesetValidationError, ruleset_schema
from apigov_ls.engine.types import Ruleset, RulesetError

__all__ = [
    "RULESET_FILENAMES",
    "RulesetError",
    "RulesetValidationError",
    "discover_ruleset",
    "effective_ruleset",
    "given_for_formats",
    "load_ruleset",
    "load_ruleset_text",
    "parse_pointer",
    "pointer_overrides",
    "ruleset_schema",
    "severity_at",
]

_cache: dict[tuple[str, bool], tuple[dict[str, int | None], Ruleset]] = {}
_lock = threading.Lock()


def _stamp(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def load_ruleset(path_or_name: str, *, trusted: bool = True) -> Ruleset:
    """Load a ruleset file or a built-in ruleset (`spectral:oas`, `apigov:owasp`, ...)."""
    if builtins.is_builtin_name(path_or_name):
        path = builtins.builtin_ruleset_path(path_or_name)
        if path is None:
            if path_or_name in builtins.BUILTIN_RULESETS:
                raise RulesetError(f'built-in ruleset "{path_or_name}" is not available in this installation')
            raise RulesetError(f'unknown built-in ruleset "{path_or_name}"; known: {", ".join(sorted(builtins.BUILTIN_RULESETS))}')
        path, name = str(path), path_or_name
    elif "://" in path_or_name:
        raise RulesetError(f'remote rulesets are not downloaded: "{path_or_name}"; save a copy and pass its path')
    else:
        path = os.path.abspath(path_or_name)
        name = path
    key = (path, trusted)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and all(_stamp(f) == t for f, t in hit[0].items()):
        return hit[1]
    loader = Loader(trusted)
    ruleset = loader.load_root(loader.read(path, name))
    stamps = {f: _stamp(f) for f in ruleset.files}
    with _lock:
        _cache[key] = (stamps, ruleset)
    return ruleset


def load_ruleset_text(text: str, path: str, *, trusted: bool = True) -> Ruleset:
    """Load a ruleset from `text` as if it were the file `path` (not cached)."""
    path = os.path.abspath(path)
    return Loader(trusted).load_root(parse_source(text, path, path))


def clear_cache() -> None:
    with _lock:
        _cache.clear()
