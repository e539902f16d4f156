"""Security / data-validation / governance scores (0-100) of one linted document.

The formula (also in docs/score.md):

    weight(rule)   = severity weight (error 10, warn 3, info 1, hint 0) x x-apigov.weight (default 1)
    size           = max(1, operations / 10)
    impact(rule)   = weight(rule) x min(4, 1 + log2(max(1, n / size)))      n = the rule's results
    penalty(cat)   = sum of impact(rule) over the rules of that category
    score(cat)     = round(100 x 50 / (50 + penalty(cat)))
    overall        = round(mean of the three category scores)

- The first result of a rule costs its full weight; more results of the same rule cost less and
  less (log), and a rule never costs more than 4x its weight: one rule with 500 results does not
  zero a score.
- Repeats are counted relative to the document's size (operations / 10), so a large API with the
  same proportion of problems as a small one scores the same; up to `size` results of a rule
  cost as much as one.
- 50 is the penalty that halves a score: five distinct errors give 50.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from apigov_ls.engine.types import LintResult, Severity

CATEGORIES = ("security", "data-validation", "governance")
DEFAULT_SEVERITY_WEIGHTS: dict[Severity, float] = {Severity.ERROR: 10.0, Severity.WARN: 3.0, Severity.INFO: 1.0, Severity.HINT: 0.0}
HALF_SCORE_PENALTY = 50.0
MAX_RULE_FACTOR = 4.0
OPERATIONS_PER_SIZE_UNIT = 10
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")


def parse_weights(text: str) -> dict[Severity, float]:
    """`error=10,warn=3` -> weights (unnamed severities keep their default). ValueError on bad input."""
    weights = dict(DEFAULT_SEVERITY_WEIGHTS)
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"expected SEVERITY=NUMBER, got {item!r}")
        severity = Severity.parse(name.strip())
        if severity is None:
            raise ValueError(f"no weight for 'off': {item!r}")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"not a number: {item!r}") from None
        if number < 0 or math.isinf(number) or math.isnan(number):
            raise ValueError(f"weight must be a finite number >= 0: {item!r}")
        weights[severity] = number
    return weights


def _x_apigov(rule: Any) -> dict:
    meta = getattr(rule, "extensions", {}).get("x-apigov") if rule is not None else None
    return meta if isinstance(meta, dict) else {}


def category_of(rule: Any, code: str | None = None) -> str:
    """The score category of a rule: its x-apigov.category, else derived from OWASP/Spectral origin."""
    meta = _x_apigov(rule)
    if meta.get("category") in CATEGORIES:
        return meta["category"]
    code = code or getattr(rule, "name", "") or ""
    owasp = str(meta.get("owasp") or "").upper()
    if code.startswith("owasp:") or owasp:
        api = owasp.split(":")[0] if owasp else code.split(":")[1].upper()
        return "data-validation" if api in ("API3", "API4") else "security"
    if (code.startswith("oas") and code.endswith("-schema")) or code.endswith("-example"):
        return "data-validation"
    return "governance"  # other spectral:oas rules and unknown custom rules


def rule_weight(rule: Any) -> float:
    value = _x_apigov(rule).get("weight", 1)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else 1.0


def count_operations(data: Any) -> int:
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, dict):
        return 0
    return sum(1 for item in paths.values() if isinstance(item, dict) for m in _HTTP_METHODS if isinstance(item.get(m), dict))


@dataclass
class RuleImpact:
    code: str
    category: str
    results: int
    impact: float


@dataclass
class Score:
    """Scores of one document (or the lowest of several, see `lowest`)."""

    categories: dict[str, int]
    overall: int
    operations: int = 0
    rules: list[RuleImpact] = field(default_factory=list)
    source: str | None = None

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "overall": self.overall,
            "categories": dict(self.categories),
            "operations": self.operations,
            "rules": [
                {"code": r.code, "category": r.category, "results": r.results, "impact": round(r.impact, 2)}
                for r in sorted(self.rules, key=lambda r: (-r.impact, r.code))
            ],
        }

    def line(self) -> str:
        parts = ", ".join(f"{c} {self.categories[c]}" for c in CATEGORIES)
        return f"Score {self.overall}/100 ({parts})"

    def below(self, minimum: float) -> list[str]:
        """Names (categories, then 'overall') whose score is below `minimum`."""
        low = [c for c in CATEGORIES if self.categories[c] < minimum]
        return low + (["overall"] if self.overall < minimum else [])


def score_results(results: Iterable[LintResult], *, operations: int = 0,
                  weights: dict[Severity, float] | None = None, source: str | None = None) -> Score:
    """Score one document's results (see the module docstring for the formula)."""
    weights = weights or DEFAULT_SEVERITY_WEIGHTS
    size = max(1.0, operations / OPERATIONS_PER_SIZE_UNIT)
    # group by rule and severity: an override may give one rule's results different severities
    groups: dict[tuple[str, Severity], list[LintResult]] = defaultdict(list)
    for r in results:
        groups[(r.code, Severity(r.severity))].append(r)
    penalty = {c: 0.0 for c in CATEGORIES}
    impacts: dict[str, RuleImpact] = {}
    for (code, severity), group in groups.items():
        rule = group[0].rule
        category = category_of(rule, code)
        n = len(group)
        factor = min(MAX_RULE_FACTOR, 1 + math.log2(max(1.0, n / size)))
        impact = weights.get(severity, 0.0) * rule_weight(rule) * factor
        penalty[category] += impact
        entry = impacts.setdefault(code, RuleImpact(code, category, 0, 0.0))
        entry.results += n
        entry.impact += impact
    categories = {c: round(100 * HALF_SCORE_PENALTY / (HALF_SCORE_PENALTY + penalty[c])) for c in CATEGORIES}
    overall = round(sum(categories.values()) / len(CATEGORIES))
    return Score(categories, overall, operations, list(impacts.values()), source)


def lowest(scores: list[Score]) -> Score:
    """Per category, the lowest score of several documents (the lint summary of many files)."""
    if len(scores) == 1:
        return scores[0]
    cats = {c: min(s.categories[c] for s in scores) for c in CATEGORIES}
    return Score(cats, min(s.overall for s in scores))
