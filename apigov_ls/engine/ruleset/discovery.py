"""Which ruleset applies to a file: `-r` first, then the nearest .spectral.{yaml,yml,json,js,mjs,cjs} upward,
then the built-in default."""

from __future__ import annotations

import os

from apigov_ls.engine import builtins

RULESET_FILENAMES = (".spectral.yaml", ".spectral.yml", ".spectral.json", ".spectral.js", ".spectral.mjs", ".spectral.cjs")


def discover_ruleset(target_file: str, explicit: str | None = None) -> str:
    """A ruleset file path or a built-in name for `target_file`.

    `explicit` (the CLI's `-r`, the editor's setting) wins; a relative path is taken from the
    current folder. Otherwise the nearest ruleset file from the target's folder up to the
    filesystem root; otherwise `apigov:recommended` when shipped, else `spectral:oas`.
    """
    if explicit:
        if builtins.is_builtin_name(explicit) or "://" in explicit:
            return explicit
        return os.path.abspath(os.path.expanduser(explicit))
    folder = os.path.dirname(os.path.abspath(target_file))
    while True:
        for name in RULESET_FILENAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return builtins.default_ruleset_name()
