"""Rule documentation: docs/rules/<code>.md for every built-in rule, and docs/rules/README.md.

    python -m apigov_ls.docs [--out DIR] [--check]

A page says what a rule checks, why it matters (with its OWASP category), a failing and a passing
example and how to fix it. The text comes from the rule itself: its `description` and its
`x-apigov` block (category, owasp, why, fix, examples). Rules ported from Spectral carry no such
block; their text lives in rules/docs-metadata.yaml, keyed by rule code, with the same fields.
`apigov explain` renders the same page in the terminal.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Sequence

from apigov_ls.engine.types import LintResult, Rule, Ruleset, Severity

#: rulesets documented under docs/rules, in index order (the first definition of a code wins)
DOCUMENTED_RULESETS = ("spectral:oas", "spectral:owasp", "apigov:security", "apigov:governance", "apigov:secrets")
DOCS_URL = "https://github.com/apigov-ls/apigov-ls/blob/main/docs/rules/"
OWASP_TITLES = {
    "API1": "Broken Object Level Authorization",
    "API2": "Broken Authentication",
    "API3": "Broken Object Property Level Authorization",
    "API4": "Unrestricted Resource Consumption",
    "API5": "Broken Function Level Authorization",
    "API6": "Unrestricted Access to Sensitive Business Flows",
    "API7": "Server Side Request Forgery",
    "API8": "Security Misconfiguration",
    "API9": "Improper Inventory Management",
    "API10": "Unsafe Consumption of APIs",
}
EXAMPLES_ATTRIBUTION = (
    "Examples of the `spectral:oas` rules are taken from the rule tests of Stoplight Spectral "
    "(github.com/stoplightio/spectral, Apache-2.0), and those of the `spectral:owasp` rules from "
    "github.com/stoplightio/spectral-owasp-ruleset (MIT), converted from JSON to YAML; the page of each "
    "such rule names the test case it comes from."
)


def doc_filename(code: str) -> str:
    return code.replace(":", "-") + ".md"


def doc_url(code: str) -> str:
    return DOCS_URL + doc_filename(code)


@lru_cache(maxsize=1)
def docs_metadata() -> dict[str, dict]:
    """rules/docs-metadata.yaml: x-apigov-like blocks for rules that do not carry their own."""
    from apigov_ls.document.parse import parse_text

    resource = files("apigov_ls.rules").joinpath("docs-metadata.yaml")
    if not resource.is_file():
        return {}
    data = parse_text(resource.read_text(encoding="utf-8")).data
    return data if isinstance(data, dict) else {}


@dataclass
class RuleDoc:
    code: str
    ruleset: str
    severity: str
    category: str
    owasp: str | None
    fixable: bool
    what: str
    why: str | None
    fix: str | None
    fail: str | None
    pass_: str | None
    example_source: str | None
    notes: str | None
    documentation_url: str | None
    formats: tuple[str, ...]
    recommended: bool


def rule_meta(rule: Rule) -> dict:
    """The rule's x-apigov block, completed by rules/docs-metadata.yaml (the rule's own keys win)."""
    own = rule.extensions.get("x-apigov")
    own = own if isinstance(own, dict) else {}
    extra = docs_metadata().get(rule.name) or {}
    merged = {**extra, **own}
    if "examples" in extra and "examples" not in own:
        merged["examples"] = extra["examples"]
    return merged


def _severity_label(rule: Rule) -> str:
    sev = rule.severity if rule.severity is not None else rule.extensions.get("severity_if_enabled")
    label = Severity(sev).label if sev is not None else "off"
    return label if rule.severity is not None else f"{label} (off by default)"


def rule_doc(rule: Rule, ruleset: str) -> RuleDoc:
    from apigov_ls.score import category_of

    meta = rule_meta(rule)
    examples = meta.get("examples") if isinstance(meta.get("examples"), dict) else {}
    owasp = meta.get("owasp")
    return RuleDoc(
        code=rule.name,
        ruleset=ruleset,
        severity=_severity_label(rule),
        category=category_of(rule),
        owasp=str(owasp) if owasp else None,
        fixable=bool(meta.get("fixable")),
        what=(rule.description or meta.get("what") or "").strip(),
        why=meta.get("why"),
        fix=meta.get("fix"),
        fail=examples.get("fail"),
        pass_=examples.get("pass"),
        example_source=meta.get("exampleSource"),
        notes=meta.get("notes"),
        documentation_url=rule.documentation_url,
        formats=tuple(sorted(rule.formats)) if rule.formats else (),
        recommended=rule.recommended,
    )


def builtin_rules() -> list[tuple[str, Rule]]:
    """(ruleset name, rule) for every rule of the documented built-in rulesets that are installed."""
    from apigov_ls.engine import builtins
    from apigov_ls.engine.ruleset import load_ruleset

    seen: set[str] = set()
    out = []
    for name in DOCUMENTED_RULESETS:
        if builtins.builtin_ruleset_path(name) is None:
            continue
        for rule in load_ruleset(name).rules.values():
            # only rules the file defines itself (an extended ruleset documents its own rules)
            if rule.name not in seen and rule.origin == name:
                seen.add(rule.name)
                out.append((name, rule))
    return out


def owasp_label(owasp: str) -> str:
    key = owasp.split(":")[0].upper()
    title = OWASP_TITLES.get(key)
    return f"OWASP {owasp} {title}" if title else f"OWASP {owasp}"


def render_page(doc: RuleDoc) -> str:
    lines = [f"# {doc.code}", ""]
    facts = [f"Ruleset: `{doc.ruleset}`", f"Severity: {doc.severity}", f"Category: {doc.category}"]
    if doc.owasp:
        facts.append(owasp_label(doc.owasp))
    if doc.formats:
        facts.append("Formats: " + ", ".join(doc.formats))
    lines += [" · ".join(facts), "", "## What it checks", "", doc.what or "(no description)", ""]
    if doc.why:
        lines += ["## Why it matters", "", doc.why.strip()]
        if doc.owasp:
            lines += ["", f"This rule belongs to {owasp_label(doc.owasp)} of the OWASP API Security Top 10."]
        lines.append("")
    if doc.fail:
        lines += ["## Failing example", "", "```yaml", doc.fail.rstrip("\n"), "```", ""]
    if doc.pass_:
        lines += ["## Passing example", "", "```yaml", doc.pass_.rstrip("\n"), "```", ""]
    if doc.example_source:
        lines += [f"Examples adapted from {doc.example_source} (see [the index](README.md) for licences).", ""]
    if doc.fix:
        lines += ["## How to fix", "", doc.fix.strip(), ""]
    if doc.notes:
        lines += ["## Notes", "", doc.notes.strip(), ""]
    lines += [
        "## Turning it off",
        "",
        "```yaml",
        "# .spectral.yaml",
        f"extends: [{doc.ruleset}]",
        "rules:",
        f"  {_yaml_key(doc.code)}: off",
        "```",
        "",
    ]
    return "\n".join(lines)


def _yaml_key(code: str) -> str:
    return f"'{code}'" if re.search(r"[:$#{}\[\],&*!|>'\"%@`]", code) else code


def render_index(docs: list[RuleDoc]) -> str:
    lines = [
        "# Built-in rules",
        "",
        "Generated by `python -m apigov_ls.docs` from the rulesets under `rules/` and `rules/docs-metadata.yaml`;"
        " do not edit by hand.",
        "",
        "| Code | Ruleset | Severity | Category | OWASP | Fixable |",
        "|---|---|---|---|---|---|",
    ]
    for d in docs:
        lines.append(
            f"| [{d.code}]({doc_filename(d.code)}) | {d.ruleset} | {d.severity} | {d.category} | {d.owasp or ''} | {'yes' if d.fixable else 'no'} |"
        )
    lines += ["", "## Sources of the examples", "", EXAMPLES_ATTRIBUTION, ""]
    return "\n".join(lines)


def generate() -> dict[str, str]:
    """File name -> text of every page and the index."""
    docs = [rule_doc(rule, name) for name, rule in builtin_rules()]
    pages = {doc_filename(d.code): render_page(d) for d in docs}
    pages["README.md"] = render_index(docs)
    return pages


def write(out_dir: str | os.PathLike) -> list[str]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(generate().items()):
        target = out / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(name)
    return written


def stale_pages(out_dir: str | os.PathLike) -> list[str]:
    """Pages missing or different from what the generator writes (and stray *.md pages)."""
    out = Path(out_dir)
    expected = generate()
    bad = [n for n, t in sorted(expected.items()) if not (out / n).is_file() or (out / n).read_text(encoding="utf-8") != t]
    if out.is_dir():
        bad += sorted(p.name for p in out.glob("*.md") if p.name not in expected)
    return bad


# -- examples through the engine --------------------------------------------------------------------------


def single_rule_ruleset(rule: Rule) -> Ruleset:
    """A ruleset with only `rule`, switched on (rules that are off by default are documented too)."""
    if rule.severity is None:
        rule = dataclasses.replace(rule, severity=rule.extensions.get("severity_if_enabled") or Severity.WARN)
    return Ruleset(rules={rule.name: rule}, source=rule.origin)


def lint_example(rule: Rule, text: str, *, directory: str | None = None) -> list[LintResult]:
    """Results of `rule` alone on the example document `text`."""
    from apigov_ls.lint import lint_file

    path = os.path.join(directory or os.getcwd(), "example.yaml")
    report = lint_file(path, single_rule_ruleset(rule), text=text)
    return [r for r in report.results if r.code == rule.name]


# -- terminal rendering -------------------------------------------------------------------------------------


def markdown_to_text(markdown: str) -> str:
    """Plain text for a terminal: headings underlined, code fences indented, links as `text (url)`."""
    out: list[str] = []
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append("    " + line)
            continue
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            title = heading.group(2)
            out += [title, ("=" if len(heading.group(1)) == 1 else "-") * len(title)]
            continue
        line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", lambda m: m.group(1) if m.group(2).endswith(".md") else f"{m.group(1)} ({m.group(2)})", line)
        line = re.sub(r"`([^`]+)`", r"\1", line)
        out.append(line)
    return "\n".join(out).rstrip() + "\n"


def default_out_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "docs" / "rules"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apigov_ls.docs", description="write docs/rules/*.md from the built-in rulesets")
    parser.add_argument("--out", default=None, help="output folder (default: docs/rules of this checkout)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a page is missing or out of date")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else default_out_dir()
    if args.check:
        bad = stale_pages(out)
        for name in bad:
            print(f"out of date: {out / name}", file=sys.stderr)
        return 1 if bad else 0
    written = write(out)
    print(f"{len(written)} page(s) written to {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
