"""What `apigov lint` keeps of one linted file, and a compact JSON form of it.

The CLI needs far less than a LintReport: the results, whether the file was an API description,
its operation count (for the score) and, for the results cache, every file the lint read. The
compact form (`encode`/`decode`) carries this between worker processes and into the cache; it
rebuilds results that every reporter renders exactly as the originals (the rule behind a result
is kept as a RuleSummary of the fields reporters and scores read).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from apigov_ls.engine.types import LintResult, Position, Range, Related, Severity

#: bumped when the compact form changes (old cache entries then miss)
FORMAT = 1


@dataclass(slots=True)
class RuleSummary:
    """The parts of a Rule that reporters (sarif) and scores read, rebuilt from the compact form."""

    name: str
    description: str | None
    documentation_url: str | None
    severity: Severity | None
    tags: tuple[str, ...]
    extensions: dict


@dataclass
class FileOutcome:
    path: str
    results: list[LintResult] = field(default_factory=list)
    recognized: bool = False
    #: parsed to data but not an OpenAPI/Swagger description (exit 2 unless --ignore-unknown-format)
    unknown: bool = False
    operations: int = 0
    #: (path, state) of every file the lint read or tried to read, root first; None: not cacheable
    reads: list[tuple[str, str]] | None = None
    #: the file could not be read (FileError's one-line message)
    error: str | None = None


# -- file states: what a cached result depends on ---------------------------------------------------


def text_state(text: str) -> str:
    return "text:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def file_state(path: str, loader, *, check_allowed: bool = True) -> str:
    """How `path` looks to a FileLoader now, as a short string equal for equal lint inputs.

    A readable file gives the hash of the text the parser would see (UTF-8, BOM stripped); a file
    the loader would refuse gives why (outside the allowed roots, missing, too large, ...)."""
    if check_allowed and not loader.is_allowed(path):
        return "denied"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "missing"
    except OSError as err:
        return f"error:{err.errno}"
    if not os.path.isfile(path):
        return "special"
    if st.st_size > loader.max_size * 4:
        return f"large:{st.st_size}"
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        return f"error:{err.errno}"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "undecodable:" + hashlib.sha256(raw).hexdigest()
    return text_state(text[1:] if text.startswith("\ufeff") else text)


def _reads(document, loader) -> list[tuple[str, str]] | None:
    """States of the files `document` read (from the very texts it linted) and of those it could not."""
    reads = [(p, text_state(sf.text)) for p, sf in document.files.items()]
    for p in getattr(document, "_file_errors", {}):
        state = file_state(p, loader)
        if state.startswith("text:"):
            return None  # readable now, unreadable while linting: it changed under us, do not cache
        reads.append((p, state))
    return reads


def lint_outcome(path: str, ruleset, *, loader, text: str | None = None) -> FileOutcome:
    """Lint one file (as `apigov lint` does) and keep what the CLI needs."""
    from apigov_ls.document.model import FileError
    from apigov_ls.lint import lint_file
    from apigov_ls.score import count_operations

    try:
        report = lint_file(path, ruleset, text=text, loader=loader)
    except FileError as e:
        return FileOutcome(path, error=str(e))
    doc = report.document
    data = doc.root.data if doc is not None else None
    return FileOutcome(
        report.path,
        report.results,
        recognized=report.recognized,
        unknown=not report.recognized and doc is not None and data is not None,
        operations=count_operations(data),
        reads=_reads(doc, loader) if doc is not None and text is None else None,
    )


# -- the compact form ---------------------------------------------------------------------------------------


def _range(r: Range) -> list[int]:
    return [r.start.line, r.start.character, r.end.line, r.end.character]


def _unrange(v: list[int]) -> Range:
    return Range(Position(v[0], v[1]), Position(v[2], v[3]))


def _rule_entry(rule: Any) -> dict:
    meta = (getattr(rule, "extensions", None) or {}).get("x-apigov")
    severity = getattr(rule, "severity", None)
    return {
        "name": getattr(rule, "name", None),
        "description": getattr(rule, "description", None),
        "documentation_url": getattr(rule, "documentation_url", None),
        "severity": None if severity is None else int(severity),
        "tags": list(getattr(rule, "tags", ()) or ()),
        "x-apigov": meta if isinstance(meta, dict) else None,
    }


def encode(outcome: FileOutcome) -> dict:
    """A JSON-able dict (file names and rules stored once, results as short lists)."""
    sources: dict[str | None, int] = {}
    rules: dict[int, int] = {}
    rule_entries: list[dict] = []

    def src(name: str | None) -> int:
        return sources.setdefault(name, len(sources))

    def rule_index(rule: Any) -> int:
        if rule is None:
            return -1
        if id(rule) not in rules:
            rules[id(rule)] = len(rule_entries)
            rule_entries.append(_rule_entry(rule))
        return rules[id(rule)]

    results = []
    for r in outcome.results:
        results.append([
            r.code, r.message, int(r.severity), list(r.path), src(r.source), _range(r.range), r.documentation_url,
            [[src(rel.source), _range(rel.range), rel.message] for rel in r.related],
            rule_index(r.rule), None if r.source_pointer is None else list(r.source_pointer),
        ])
    return {
        "format": FORMAT,
        "path": outcome.path,
        "recognized": outcome.recognized,
        "unknown": outcome.unknown,
        "operations": outcome.operations,
        "error": outcome.error,
        "reads": outcome.reads,
        "sources": list(sources),
        "rules": rule_entries,
        "results": results,
    }


def decode(data: dict) -> FileOutcome:
    """The FileOutcome `encode` was given (raises KeyError/TypeError/ValueError on a damaged dict)."""
    if data.get("format") != FORMAT:
        raise ValueError("another compact format")
    sources = data["sources"]
    rules = [
        RuleSummary(e["name"], e["description"], e["documentation_url"],
                    None if e["severity"] is None else Severity(e["severity"]), tuple(e["tags"]),
                    {"x-apigov": e["x-apigov"]} if e["x-apigov"] is not None else {})
        for e in data["rules"]
    ]
    results = [
        LintResult(
            code, message, Severity(sev), tuple(path), sources[source], _unrange(rng), doc_url,
            [Related(sources[s], _unrange(rr), m) for s, rr, m in related],
            rules[rule] if rule >= 0 else None, None if pointer is None else tuple(pointer),
        )
        for code, message, sev, path, source, rng, doc_url, related, rule, pointer in data["results"]
    ]
    reads = data["reads"]
    return FileOutcome(
        data["path"], results, recognized=bool(data["recognized"]), unknown=bool(data["unknown"]),
        operations=int(data["operations"]), reads=None if reads is None else [(p, s) for p, s in reads],
        error=data["error"],
    )
