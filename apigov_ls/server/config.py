"""Server settings: initializationOptions, workspace/configuration section "apigov", didChangeConfiguration."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from typing import Any

from apigov_ls.engine.types import Severity

SECTION = "apigov"
RUN_MODES = ("onType", "onSave")


@dataclass(frozen=True)
class Settings:
    #: explicit ruleset (path or built-in name); None: nearest .spectral.* per file
    ruleset: str | None = None
    run: str = "onType"
    #: rule name -> Severity, or None for "off"
    severity_overrides: dict[str, Severity | None] = field(default_factory=dict)
    #: files matching these globs are linted even without a root openapi/swagger key
    include: tuple[str, ...] = ()
    #: files matching these globs are never linted
    exclude: tuple[str, ...] = ()
    #: workspace trust: custom ruleset code (functions) only runs when true
    trusted: bool = False
    debounce_ms: int = 200
    #: files larger than this (characters) are not parsed; None: the parser's default (20 MB)
    max_file_size: int | None = None
    #: besides the workspace folders, $refs may read files under these folders
    allowed_ref_roots: tuple[str, ...] = ()
    #: baseline file (apigov_ls.baseline): results it records are not reported; relative paths are
    #: resolved against the workspace folder holding the checked file
    baseline: str | None = None

    def matches(self, path: str, patterns: tuple[str, ...], roots: list[str]) -> bool:
        return any(glob_match(path, p, roots) for p in patterns)


def glob_match(path: str, pattern: str, roots: list[str]) -> bool:
    """Match an absolute path against a glob that may be absolute or relative to a workspace root."""
    candidates = [path]
    for root in roots:
        if path.startswith(root.rstrip(os.sep) + os.sep):
            candidates.append(os.path.relpath(path, root))
    regex = _glob_regex(pattern)
    return any(regex.fullmatch(c.replace(os.sep, "/")) for c in candidates) or (
        "/" not in pattern and fnmatch.fnmatch(os.path.basename(path), pattern)
    )


def _glob_regex(pattern: str) -> re.Pattern:
    """`**` crosses folders, `*` and `?` do not, `{a,b}` alternates."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "{":
            end = pattern.find("}", i)
            if end > i:
                out.append("(?:" + "|".join(re.escape(a) for a in pattern[i + 1 : end].split(",")) + ")")
                i = end + 1
                continue
            out.append(re.escape(c))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


#: settings that widen what the server reads or runs: accepted only from initializationOptions, which
#: the user's editor configuration sends. workspace/configuration may be answered from files in the
#: workspace itself (Eglot reads .dir-locals.el without asking), so a cloned repository must not be
#: able to trust itself.
PRIVILEGED = ("trusted", "allowedRefRoots")


def parse_settings(raw: Any, base: Settings | None = None, *, privileged: bool = True) -> tuple[Settings, list[str]]:
    """Settings from a client's JSON (either the "apigov" section or an object holding it).

    Unknown keys are ignored; invalid values keep the previous setting and are reported. With
    `privileged=False` (workspace/configuration, didChangeConfiguration) the PRIVILEGED keys are ignored."""
    base = base or Settings()
    errors: list[str] = []
    if isinstance(raw, dict) and isinstance(raw.get(SECTION), dict):
        raw = raw[SECTION]
    if not isinstance(raw, dict):
        return base, ([] if raw is None else [f"settings must be an object, got {type(raw).__name__}"])
    if not privileged and any(k in raw for k in PRIVILEGED):
        ignored = [k for k in PRIVILEGED if k in raw]
        raw = {k: v for k, v in raw.items() if k not in PRIVILEGED}
        errors.append(f"{', '.join(ignored)} can only be set in initializationOptions (the editor's own configuration); ignored")
    values: dict[str, Any] = {}
    if "ruleset" in raw:
        if raw["ruleset"] is None or (isinstance(raw["ruleset"], str) and raw["ruleset"].strip() == ""):
            values["ruleset"] = None
        elif isinstance(raw["ruleset"], str):
            values["ruleset"] = os.path.expanduser(raw["ruleset"])
        else:
            errors.append("ruleset must be a path or a built-in ruleset name")
    if "run" in raw:
        if raw["run"] in RUN_MODES:
            values["run"] = raw["run"]
        else:
            errors.append(f"run must be one of {', '.join(RUN_MODES)}")
    if "severityOverrides" in raw:
        overrides, bad = _overrides(raw["severityOverrides"])
        values["severity_overrides"] = overrides
        errors.extend(bad)
    for key in ("include", "exclude"):
        if key in raw:
            v = raw[key]
            if isinstance(v, str):
                v = [v]
            if isinstance(v, list) and all(isinstance(x, str) for x in v):
                values[key] = tuple(v)
            else:
                errors.append(f"{key} must be a list of glob patterns")
    if "trusted" in raw:
        if isinstance(raw["trusted"], bool):
            values["trusted"] = raw["trusted"]
        else:
            errors.append("trusted must be true or false")
    if "debounceMs" in raw:
        if isinstance(raw["debounceMs"], int) and not isinstance(raw["debounceMs"], bool) and 0 <= raw["debounceMs"] <= 5000:
            values["debounce_ms"] = raw["debounceMs"]
        else:
            errors.append("debounceMs must be an integer between 0 and 5000")
    if "maxFileSize" in raw:
        v = raw["maxFileSize"]
        if v is None:
            values["max_file_size"] = None
        elif isinstance(v, int) and not isinstance(v, bool) and v > 0:
            values["max_file_size"] = v
        else:
            errors.append("maxFileSize must be a positive number of bytes")
    if "allowedRefRoots" in raw:
        v = raw["allowedRefRoots"]
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            values["allowed_ref_roots"] = tuple(os.path.abspath(os.path.expanduser(x)) for x in v)
        else:
            errors.append("allowedRefRoots must be a list of folders")
    if "baseline" in raw:
        v = raw["baseline"]
        if v is None or (isinstance(v, str) and v.strip() == ""):
            values["baseline"] = None
        elif isinstance(v, str):
            values["baseline"] = os.path.expanduser(v.strip())
        else:
            errors.append("baseline must be the path of a baseline file")
    merged = {**base.__dict__, **values}
    return Settings(**merged), errors


def _overrides(raw: Any) -> tuple[dict[str, Severity | None], list[str]]:
    if not isinstance(raw, dict):
        return {}, ["severityOverrides must be an object {rule: severity|off}"]
    out: dict[str, Severity | None] = {}
    errors = []
    for rule, value in raw.items():
        try:
            out[str(rule)] = Severity.parse(value)
        except ValueError as err:
            errors.append(f"severityOverrides.{rule}: {err}")
    return out, errors
