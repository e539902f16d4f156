"""The engine's front door: lint one file with a ruleset (used by the CLI and the server)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

from apigov_ls.document.model import Document, FileLoader, build_document
from apigov_ls.engine.ruleset import effective_ruleset, pointer_overrides, severity_at
from apigov_ls.engine.runner import lint_document
from apigov_ls.engine.types import LintResult, Ruleset, Severity


@dataclass
class LintReport:
    path: str
    document: Document | None
    results: list[LintResult] = field(default_factory=list)

    @property
    def recognized(self) -> bool:
        return self.document is not None and bool(self.document.formats)


def _with_severity(r: LintResult, severity) -> LintResult:
    return LintResult(**{**{f: getattr(r, f) for f in r.__slots__}, "severity": severity})  # type: ignore[attr-defined]


def lint_file(path: str, ruleset: Ruleset, *, text: str | None = None, loader: FileLoader | None = None) -> LintReport:
    """Parse `path` (or the given text for it), resolve its refs and run the ruleset.

    Whole-file `overrides` pick the rules; `file#/pointer` overrides then set the severity of
    each result by where its text lives (the longest matching pointer wins), and may switch a
    rule on only under their pointer.
    """
    path = path if path.startswith("<") else os.path.abspath(path)
    document = build_document(path, text, loader=loader)
    effective = effective_ruleset(ruleset, path)
    rules, entries = select_rules(effective, path)
    results = lint_document(document, effective, rules=rules)
    return LintReport(path, document, finish_results(results, document, entries, path))


def select_rules(effective: Ruleset, path: str) -> tuple[list | None, list]:
    """The rules to run for `path` (None: every enabled rule) and its pointer overrides."""
    entries = pointer_overrides(effective, path)
    rules = None
    if entries:
        named = {name for _, sevs in entries for name, sev in sevs.items() if sev is not None}
        rules = [r for r in effective.rules.values() if r.enabled]
        for name in named:
            rule = effective.rules.get(name)
            if rule is not None and not rule.enabled and "not_runnable" not in rule.extensions:
                sev = rule.extensions.get("severity_if_enabled") or Severity.WARN
                rules.append(dataclasses.replace(rule, severity=sev, extensions={**rule.extensions, "pointer_only": True}))
    return rules, entries


def finish_results(results: list[LintResult], document: Document, entries: list, path: str,
                   markers: bool | None = None) -> list[LintResult]:
    """Pointer-override severities, suppressions, then the reporting order. `markers`: whether
    the document's files name a suppression marker, when the caller knows (else searched)."""
    if entries:
        adjusted = []
        for r in results:
            if r.rule is None:
                adjusted.append(r)
                continue
            default = None if r.rule.extensions.get("pointer_only") else r.severity
            where = r.source_pointer if r.source_pointer is not None and r.source == path else r.path
            sev = severity_at(entries, r.code, where, default)
            if sev is not None:
                adjusted.append(r if sev == r.severity else _with_severity(r, sev))
        results = adjusted
    from apigov_ls.suppress import apply_suppressions  # x-lint-ignore / # apigov-ignore (one place for CLI and server)

    results = apply_suppressions(results, document, markers)
    results.sort(key=LintResult.sort_key)
    return results
