"""Built-in ruleset names and the YAML files that define them.

The files live in the top-level `rules/` folder, installed as the package `apigov_ls.rules`,
so built-in rules are plain Spectral rulesets that anyone can read and copy.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: name usable in `extends` / `-r` -> file(s) under rules/, the first one present is used
BUILTIN_RULESETS: dict[str, str | tuple[str, ...]] = {
    "spectral:oas": "spectral-oas.yaml",
    "spectral:owasp": "spectral-owasp.yaml",
    # until an apigov-specific file exists, apigov:oas is Spectral's OpenAPI ruleset
    "apigov:oas": ("apigov-oas.yaml", "spectral-oas.yaml"),
    # until an apigov-specific file exists, apigov:owasp is Stoplight's OWASP ruleset
    "apigov:owasp": ("apigov-owasp.yaml", "spectral-owasp.yaml"),
    "apigov:security": "apigov-security.yaml",
    "apigov:governance": "apigov-governance.yaml",
    "apigov:secrets": "apigov-secrets.yaml",
    "apigov:recommended": "apigov-recommended.yaml",
}

#: Spectral's built-ins for other document kinds. apigov lints OpenAPI only, and their rules are
#: scoped to AsyncAPI/Arazzo formats, so extending them contributes no rules (as in Spectral
#: for an OpenAPI document) instead of failing the whole ruleset.
FOREIGN_BUILTINS: dict[str, str] = {
    "spectral:asyncapi": "AsyncAPI",
    "spectral:arazzo": "Arazzo",
}

#: used when no ruleset is given and none is found beside the linted file
DEFAULT_RULESET = "apigov:recommended"
FALLBACK_DEFAULT_RULESET = "spectral:oas"


def is_builtin_name(name: str) -> bool:
    """`spectral:...` / `apigov:...` names (not paths, not URLs)."""
    prefix, sep, rest = name.partition(":")
    return bool(sep) and prefix in ("spectral", "apigov") and bool(rest) and "/" not in rest


def builtin_ruleset_path(name: str) -> Path | None:
    """The file of a built-in ruleset, or None when the name is unknown or its file is not shipped."""
    candidates = BUILTIN_RULESETS.get(name)
    if candidates is None:
        return None
    for filename in (candidates,) if isinstance(candidates, str) else candidates:
        resource = files("apigov_ls.rules").joinpath(filename)
        if resource.is_file():
            return Path(str(resource))
    return None


def default_ruleset_name() -> str:
    return DEFAULT_RULESET if builtin_ruleset_path(DEFAULT_RULESET) is not None else FALLBACK_DEFAULT_RULESET
