"""`apigov rules`, `apigov explain` and `apigov score`, and the score options of `apigov lint`.

cli.py registers these with `register(subparsers)` / `add_score_options(lint_parser)` and runs
them with `run(args, out, err)`; `lint_score(args, reports, err)` gives lint its summary line and
whether --min-score failed.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from apigov_ls.engine.types import Rule, Severity

COMMANDS = ("rules", "explain", "score")


class ScoreUsageError(Exception):
    """Bad --score-weights / --min-score values (exit 2)."""


def _weights_arg(text: str):
    from apigov_ls.score import parse_weights

    try:
        return parse_weights(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _min_score_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("expected a score between 0 and 100")
    return value


def add_score_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--score-weights", type=_weights_arg, metavar="SEV=W,...",
                        help="severity weights of the score, e.g. error=10,warn=3,info=1,hint=0 (docs/score.md)")
    parser.add_argument("--min-score", type=_min_score_arg, metavar="N",
                        help="exit 1 when a category score (security, data-validation, governance) or the overall score is below N")


def register(sub) -> None:
    rules = sub.add_parser("rules", help="list the rules of a ruleset")
    rules.add_argument("-r", "--ruleset", help="ruleset file or built-in name (default: as `apigov lint` in this folder)")
    rules.add_argument("-s", "--severity", help="only rules at this severity (error, warn, info, hint, off)")
    group = rules.add_mutually_exclusive_group()
    group.add_argument("-t", "--tag", help="only rules with this tag")
    group.add_argument("-c", "--category", choices=("security", "data-validation", "governance"), help="only rules of this category")
    rules.add_argument("-f", "--format", choices=("table", "json"), default="table", help="output format (default: table)")

    explain = sub.add_parser("explain", help="show the documentation of a rule")
    explain.add_argument("rule", metavar="RULE", help="rule code, e.g. owasp:api2:2023-no-http-basic")
    explain.add_argument("-r", "--ruleset", help="look the rule up in this ruleset too (default: every built-in ruleset)")

    score = sub.add_parser("score", help="security, data-validation and governance scores (0-100) of API descriptions")
    score.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or glob patterns")
    score.add_argument("-r", "--ruleset", help="ruleset file or built-in name (default: as `apigov lint`)")
    score.add_argument("-f", "--format", choices=("text", "json"), default="text", help="output format (default: text)")
    add_score_options(score)


def run(args: argparse.Namespace, out, err) -> int:
    if args.command == "rules":
        return cmd_rules(args, out)
    if args.command == "explain":
        return cmd_explain(args, out, err)
    return cmd_score(args, out, err)


# -- rules ------------------------------------------------------------------------------------------------


def _ruleset(explicit: str | None, target: str):
    from apigov_ls.engine.ruleset import discover_ruleset, load_ruleset

    return load_ruleset(discover_ruleset(target, explicit))


def _severity_name(rule: Rule) -> str:
    return rule.severity.label if rule.severity is not None else "off"


def rule_row(rule: Rule) -> dict[str, Any]:
    from apigov_ls.docs import rule_meta
    from apigov_ls.score import category_of

    meta = rule_meta(rule)
    return {
        "code": rule.name,
        "severity": _severity_name(rule),
        "category": category_of(rule),
        "owasp": meta.get("owasp"),
        "tags": list(rule.tags),
        "formats": sorted(rule.formats) if rule.formats else [],
        "description": rule.description or meta.get("what") or "",
        "documentationUrl": rule.documentation_url,
        "origin": rule.origin,
    }


def select_rules(rules: list[Rule], *, severity: str | None = None, tag: str | None = None, category: str | None = None) -> list[Rule]:
    from apigov_ls.score import category_of

    if severity is not None:
        wanted = Severity.parse(severity)  # ValueError on a bad name
        rules = [r for r in rules if r.severity == wanted]
    if tag is not None:
        rules = [r for r in rules if tag in r.tags]
    if category is not None:
        rules = [r for r in rules if category_of(r) == category]
    return rules


def cmd_rules(args: argparse.Namespace, out) -> int:
    from apigov_ls.cli import UsageError
    from apigov_ls.reporters.common import display_width

    ruleset = _ruleset(args.ruleset, os.path.join(os.getcwd(), "openapi.yaml"))
    try:
        rules = select_rules(list(ruleset.rules.values()), severity=args.severity, tag=args.tag, category=args.category)
    except ValueError as err:
        raise UsageError(str(err)) from None
    rows = [rule_row(r) for r in rules]
    if args.format == "json":
        out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    header = ["CODE", "SEVERITY", "CATEGORY", "OWASP", "DESCRIPTION"]
    table = [header] + [[r["code"], r["severity"], r["category"], r["owasp"] or "", _first_sentence(r["description"])] for r in rows]
    widths = [max(display_width(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row[:-1])]
        out.write("  ".join(cells + [row[-1]]).rstrip() + "\n")
    out.write(f"\n{len(rows)} rule(s)\n")
    return 0


def _first_sentence(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    cut = text.find(". ")
    text = text[: cut + 1] if 0 < cut < limit else text
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# -- explain ----------------------------------------------------------------------------------------------


def find_rule(code: str, ruleset_ref: str | None = None) -> tuple[str, Rule] | None:
    from apigov_ls.docs import DOCUMENTED_RULESETS
    from apigov_ls.engine import builtins
    from apigov_ls.engine.ruleset import load_ruleset

    refs = ([ruleset_ref] if ruleset_ref else []) + [n for n in DOCUMENTED_RULESETS if builtins.builtin_ruleset_path(n)]
    for ref in refs:
        rule = load_ruleset(ref).rules.get(code)
        if rule is not None:
            return (rule.origin if builtins.is_builtin_name(rule.origin or "") else ref), rule
    return None


def cmd_explain(args: argparse.Namespace, out, err) -> int:
    from apigov_ls.cli import UsageError
    from apigov_ls.docs import markdown_to_text, render_page, rule_doc

    found = find_rule(args.rule, args.ruleset)
    if found is None:
        raise UsageError(f'unknown rule "{args.rule}" (list them with `apigov rules`)')
    name, rule = found
    out.write(markdown_to_text(render_page(rule_doc(rule, name))))
    if rule.documentation_url:
        out.write(f"\nOnline: {rule.documentation_url}\n")
    return 0


# -- score ------------------------------------------------------------------------------------------------


def score_report(report, weights=None):
    from apigov_ls.score import count_operations, score_results

    data = report.document.data if report.document is not None else None
    return score_results(report.results, operations=count_operations(data), weights=weights, source=report.path)


def _failures(scores, minimum: float | None) -> list[str]:
    if minimum is None:
        return []
    lines = []
    for s in scores:
        low = s.below(minimum)
        if low:
            detail = ", ".join(f"{name} {s.overall if name == 'overall' else s.categories[name]}" for name in low)
            lines.append(f"{os.path.relpath(s.source) if s.source else 'stdin'}: score below {minimum:g}: {detail}")
    return lines


def lint_score(args: argparse.Namespace, reports: list) -> tuple[str, list[str]]:
    """The stylish summary line and --min-score failures for `apigov lint`."""
    return scores_summary(args, [score_report(r, args.score_weights) for r in reports])


def scores_summary(args: argparse.Namespace, scores: list) -> tuple[str, list[str]]:
    """lint_score from scores already computed (`apigov lint` keeps operation counts, not documents)."""
    from apigov_ls.score import lowest

    if not scores:
        return "", []
    summary = lowest(scores).line()
    if len(scores) > 1:
        summary = summary.replace("Score ", f"Score (lowest of {len(scores)} files) ", 1)
    return summary, _failures(scores, args.min_score)


def cmd_score(args: argparse.Namespace, out, err) -> int:
    from apigov_ls.cli import UsageError, expand_paths
    from apigov_ls.document.model import FileError, FileLoader
    from apigov_ls.lint import lint_file

    paths = expand_paths(args.paths)
    if not paths:
        raise UsageError("no API descriptions found in " + ", ".join(args.paths))
    loader = FileLoader()
    cache: dict = {}
    scores = []
    for path in paths:
        from apigov_ls.cli import _load_ruleset

        _, ruleset = _load_ruleset(args.ruleset, path, cache)
        try:
            report = lint_file(path, ruleset, loader=loader)
        except FileError as e:
            raise UsageError(str(e)) from None
        scores.append(score_report(report, args.score_weights))
    if args.format == "json":
        out.write(json.dumps([s.to_json() for s in scores], indent=2) + "\n")
    else:
        for s in scores:
            out.write(f"{os.path.relpath(s.source)}: {s.line()}\n")
            for impact in sorted(s.rules, key=lambda r: (-r.impact, r.code))[:5]:
                out.write(f"  penalty {impact.impact:5.1f}  {impact.category:<15}  {impact.code} ({impact.results} result{'s' if impact.results != 1 else ''})\n")
    failures = _failures(scores, args.min_score)
    for line in failures:
        err.write(f"apigov: {line}\n")
    return 1 if failures else 0
