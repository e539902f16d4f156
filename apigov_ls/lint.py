"""The engine's front door: lint one file with a ruleset (used by the CLI and the server)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from apigov_ls.document.model import Document, FileLoader, build_document
from apigov_ls.engine.runner import lint_document
from apigov_ls.engine.types import LintResult, Ruleset


@dataclass
class LintReport:
    path: str
    document: Document | None
    results: list[LintResult] = field(default_factory=list)

    @property
    def recognized(self) -> bool:
        return self.document is not None and bool(self.document.formats)


def apply_pointer_overrides(results: list[LintResult], ruleset: Ruleset, path: str) -> list[LintResult]:
    """`overrides` entries targeting `file#/pointer`: change or drop results located under the pointer."""
    try:
        from apigov_ls.engine.ruleset import pointer_overrides
    except ImportError:  # the loader module is optional for callers that build rulesets by hand
        return results
    entries = pointer_overrides(ruleset, path)
    if not entries:
        return results
    out = []
    for r in results:
        ptr = r.source_pointer if r.source_pointer is not None else r.path
        keep = r
        for pointer, rules in entries:
            if r.code in rules and tuple(str(p) for p in ptr[: len(pointer)]) == tuple(str(p) for p in pointer):
                sev = rules[r.code]
                keep = None if sev is None else LintResult(**{**_fields(r), "severity": sev})
        if keep is not None:
            out.append(keep)
    return out


def _fields(r: LintResult) -> dict:
    return {f: getattr(r, f) for f in r.__slots__}  # type: ignore[attr-defined]


def lint_file(path: str, ruleset: Ruleset, *, text: str | None = None, loader: FileLoader | None = None) -> LintReport:
    """Parse `path` (or the given text for it), resolve its refs and run the ruleset."""
    path = path if path.startswith("<") else os.path.abspath(path)
    document = build_document(path, text, loader=loader)
    try:
        from apigov_ls.engine.ruleset import effective_ruleset

        effective = effective_ruleset(ruleset, path)
    except ImportError:
        effective = ruleset
    results = lint_document(document, effective)
    results = apply_pointer_overrides(results, effective, path)
    results.sort(key=LintResult.sort_key)
    return LintReport(path, document, results)
