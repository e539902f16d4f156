"""SARIF 2.1.0 for GitHub code scanning (validated in the tests against the OASIS schema).

One run; `tool.driver.rules` has one entry per rule code that produced a result. Files under `cwd`
are addressed relative to the `%SRCROOT%` base (which code scanning maps to the repository root);
files elsewhere by absolute `file:` URI. Columns are Unicode code points (`columnKind`), as our
ranges are. `partialFingerprints` hash the rule code, the file and the JSON path (not the line),
so code scanning keeps tracking an alert when unrelated edits move it up or down.

Results read from stdin have no file: they are reported without a location.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from apigov_ls.engine.types import LintResult, Range, Severity

from .common import relative_to_cwd, sort_results

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "apigovPathFingerprint/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARN: "warning", Severity.INFO: "note", Severity.HINT: "note"}


def _information_uri() -> str | None:
    """The project's home page from the package metadata; left out while pyproject names none."""
    try:
        urls = metadata.metadata("apigov-ls").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "repository", "source") and url.strip():
            return url.strip()
    return None


def _artifact_location(source: str, cwd: str) -> dict:
    rel = relative_to_cwd(source, cwd)
    if rel is not None:
        return {"uri": quote(rel), "uriBaseId": SRCROOT}
    return {"uri": Path(os.path.abspath(os.path.join(cwd, source))).as_uri()}


def _region(rng: Range) -> dict:
    return {
        "startLine": rng.start.line + 1,
        "startColumn": rng.start.character + 1,
        "endLine": max(rng.end.line, rng.start.line) + 1,
        "endColumn": rng.end.character + 1,
    }


def _rule_descriptor(code: str, rule, first: LintResult) -> dict:
    description = getattr(rule, "description", None) or code
    descriptor: dict = {"id": code, "shortDescription": {"text": description}}
    help_uri = getattr(rule, "documentation_url", None) or first.documentation_url
    if help_uri:
        descriptor["helpUri"] = help_uri
    severity = getattr(rule, "severity", None)
    level = _LEVELS[Severity(severity if severity is not None else first.severity)]
    descriptor["defaultConfiguration"] = {"level": level}
    tags = list(getattr(rule, "tags", ()) or ())
    if tags:
        descriptor["properties"] = {"tags": tags}
    return descriptor


def fingerprint(code: str, file_uri: str, path) -> str:
    key = json.dumps([code, file_uri, [str(p) for p in path]], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def render_sarif(
    results: list[LintResult], *, files: list[str | None], cwd: str, tool_version: str
) -> str:
    ordered = sort_results(results, cwd)

    # artifacts: every linted file, then any other file a result or related location points into
    artifacts: list[dict] = []
    artifact_index: dict[str, int] = {}
    locations: dict[str, dict] = {}  # source -> artifactLocation, computed once per file

    def artifact(source: str) -> dict:
        if source not in locations:
            locations[source] = _artifact_location(source, cwd)
        location = locations[source]
        key = location["uri"]
        if key not in artifact_index:
            artifact_index[key] = len(artifacts)
            artifacts.append({"location": dict(location)})
        return {**location, "index": artifact_index[key]}

    for f in sorted((f for f in files if f is not None), key=lambda f: _artifact_location(f, cwd)["uri"]):
        artifact(f)

    rules: list[dict] = []
    rule_index: dict[str, int] = {}
    for r in ordered:
        if r.code not in rule_index:
            rule_index[r.code] = len(rules)
            rules.append(_rule_descriptor(r.code, r.rule, r))

    sarif_results = []
    seen: dict[str, int] = {}
    for r in ordered:
        item: dict = {
            "ruleId": r.code,
            "ruleIndex": rule_index[r.code],
            "level": _LEVELS[Severity(r.severity)],
            "message": {"text": r.message or r.code},
        }
        file_uri = ""
        if r.source is not None:
            location = artifact(r.source)
            file_uri = location["uri"]
            item["locations"] = [{"physicalLocation": {"artifactLocation": location, "region": _region(r.range)}}]
        related = [rel for rel in r.related if rel.source is not None]
        if related:
            item["relatedLocations"] = [
                {
                    "id": i,
                    "physicalLocation": {"artifactLocation": artifact(rel.source), "region": _region(rel.range)},
                    "message": {"text": rel.message or r.message or r.code},
                }
                for i, rel in enumerate(related)
            ]
        # the same rule can fire twice on one path: number repeats, as code scanning does for its own hashes
        digest = fingerprint(r.code, file_uri, r.location_path)
        seen[digest] = seen.get(digest, 0) + 1
        item["partialFingerprints"] = {FINGERPRINT_KEY: f"{digest}:{seen[digest]}"}
        sarif_results.append(item)

    driver: dict = {"name": "apigov", "version": tool_version}
    info = _information_uri()
    if info:
        driver["informationUri"] = info
    driver["rules"] = rules

    run: dict = {"tool": {"driver": driver}}
    if Path(cwd).is_absolute():
        base = Path(cwd).as_uri()
        run["originalUriBaseIds"] = {SRCROOT: {"uri": base if base.endswith("/") else base + "/"}}
    run["artifacts"] = artifacts
    run["results"] = sarif_results
    run["columnKind"] = "unicodeCodePoints"

    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return _layout(log, 0) + "\n"


# Lists whose entries are written one per line. Python's json only uses its fast C encoder without
# `indent`: fully indented SARIF took seconds for 20,000 results and was twice the size.
_ONE_PER_LINE = frozenset({"rules", "artifacts", "results"})


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _layout(value, level: int, one_per_line: bool = False) -> str:
    if not isinstance(value, (dict, list)) or not value:
        return _compact(value)
    inner, outer = "  " * (level + 1), "  " * level
    if isinstance(value, list):
        items = [_compact(v) if one_per_line else _layout(v, level + 1) for v in value]
        return "[\n" + ",\n".join(inner + item for item in items) + "\n" + outer + "]"
    fields = [
        f"{inner}{_compact(key)}: {_layout(v, level + 1, key in _ONE_PER_LINE and isinstance(v, list))}"
        for key, v in value.items()
    ]
    return "{\n" + ",\n".join(fields) + "\n" + outer + "}"
