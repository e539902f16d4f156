"""Rule evaluation kept per region, so that an edit re-runs rules only where it can matter.

A document is split into a spine (root, `paths`, `components`, `components.schemas`...) and
regions (see apigov_ls/document/incremental_model.py). For each rule's `given` path, matches are
found by walking the spine and then each region with the JSONPath Matcher's own walk, and
results are stored per *unit*: the region a match lies in, or the spine node it is. After an
edit only the changed regions and the spine nodes above them are walked and evaluated again.
That is exact when a match inside a region depends only on the region (and on the walk state
reaching it, which is compared with the previous one), and when the rule's functions read
nothing but their input. Everything else is "global" and re-run in full on every edit:
  - paths using `^`, or filters reading `@root`, `@parent`, `@path`, `@parentProperty`;
  - functions not known to read only their input (custom functions, most of other rulesets).
Some functions read one more place: they are re-run in full when a region under it changed
(`DEPENDS`), or when the set of `$ref` targets changed (`GRAPH`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apigov_ls.engine import runner
from apigov_ls.engine.jsonpath import compile_path
from apigov_ls.engine.jsonpath.walk import Matcher, _PathCache, _ensure_recursion_limit, _passes_guard
from apigov_ls.engine.types import LintResult, Position, Range, Related, Rule

#: functions whose result depends only on their input value (and path), in either view
LOCAL_FUNCTIONS = frozenset({
    "truthy", "falsy", "defined", "undefined", "pattern", "length", "alphabetical", "enumeration",
    "casing", "xor", "or", "schema", "typedEnum", "oasDiscriminator", "oasOpFormDataConsumeCheck",
    "oasOpIdUnique", "oasOpParams", "oasOpSuccessResponse", "oasPathParam", "oasTagDefined", "serverVariables",
    "uniquenessTags", "oasDocumentSchema",
    # apigov rulesets: apigovOperation also reads its path item (`path[:2]`), which for the
    # operations it is given is the operation's own region
    "apigovOperation", "apigovParameter", "apigovSchemaDescription", "apigovSecuritySchemeCheck",
    "apigovServerHttp", "apigovSchemesHttp", "apigovSecuritySchemesDefined", "apigovSecrets",
})
#: local in the unresolved view only (it reads the unresolved parent of its input)
UNRESOLVED_LOCAL = frozenset({"refSiblings"})
#: functions that also read these document places
_SCHEMES = (("components", "securitySchemes"), ("securityDefinitions",))
DEPENDS = {
    "oasSecurityDefined": _SCHEMES,
    "oasSchema": (("jsonSchemaDialect",),),
    "oasExample": (("jsonSchemaDialect",),),  # it validates through oasSchema
    "apigovOAuthScopesDeclared": _SCHEMES,
    "apigovSchemeDefined": _SCHEMES,
    # the root's servers / schemes and security, and the operation's path item (its region)
    "apigovCredentialsOverHttp": _SCHEMES + (("servers",), ("schemes",), ("security",)),
    "apigovOperationSecurity": (("security",),),
}


def _any_operation_enforces_security(document) -> bool:
    from apigov_ls.engine.functions.apigov_common import any_operation_enforces

    return any_operation_enforces(document.resolved, document)


#: functions that also read a fact about the whole document: re-run in full when its value changes
FACTS = {
    "apigovOperationSecurity": _any_operation_enforces_security,
}
#: functions that read the $ref graph: re-run when the set of targets changes
GRAPH = frozenset({"oasUnusedComponent", "unreferencedReusableObject"})
#: functions whose results for one match depend on nothing but the matched value (compared by
#: identity), its path, the options and the formats; or also on a DEPENDS place, whose change
#: re-runs the job in full. A region walked again keeps their results for matches whose value is
#: the same object at the same path as last time (see _MatchMemo). Not here: functions reading a
#: parent (apigovOperation, apigovCredentialsOverHttp, refSiblings) or the unresolved source
#: behind a resolved value (the apigov governance functions).
MATCH_LOCAL = frozenset({
    "truthy", "falsy", "defined", "undefined", "pattern", "length", "alphabetical", "enumeration",
    "casing", "xor", "or", "schema", "typedEnum", "oasDiscriminator", "oasExample", "oasSchema",
    "oasOpFormDataConsumeCheck", "oasOpParams", "oasOpSuccessResponse", "serverVariables", "uniquenessTags",
    "oasSecurityDefined",
})
_CONTEXT_FILTER = re.compile(r"@(?:root|parent|path|parentProperty)\b")


@dataclass
class _Job:
    rule: Rule
    expr: str
    kind: str  # "regional" or "global"
    depends: tuple = ()
    graph: bool = False
    facts: tuple = ()
    #: the facts' values when the job last ran in full
    fact_values: tuple = ()
    #: every `then` reads only the keys of what `given` matched (`field: "@key"`), through a local
    #: function: a match on the spine gives the same results until the spine's keys change
    keys_only: bool = False
    #: unit path -> results, for regional jobs
    units: dict = field(default_factory=dict)
    #: spine unit -> the reuse key of each of its results (see _Reuse), parallel to units[unit]
    keys: dict = field(default_factory=dict)
    results: list = field(default_factory=list)
    slot: int = -1  # index in the group's regional matcher
    #: region unit -> (matches, result count per match) of its last evaluation, parallel to
    #: units[unit]; kept only for jobs whose functions are all MATCH_LOCAL
    memo: dict | None = None


def _classify(rule: Rule, expr: str, resolved: bool) -> tuple[str, tuple, bool, tuple]:
    cp = compile_path(expr)
    regional = True
    if _CONTEXT_FILTER.search(expr) or any(step[0] == "parent" for step in cp.steps):
        regional = False
    depends: list = []
    graph = False
    facts: list = []
    for then in rule.then:
        name = then.function_name
        if name in LOCAL_FUNCTIONS or (name in UNRESOLVED_LOCAL and not resolved):
            continue
        if name in DEPENDS or name in FACTS:
            depends.extend(DEPENDS.get(name, ()))
            if name in FACTS:
                facts.append(FACTS[name])
        elif name in GRAPH:
            graph = True
        else:
            regional = False
        if then.field is not None and then.field.startswith("$") and _CONTEXT_FILTER.search(then.field):
            regional = False
    return ("regional" if regional else "global"), tuple(depends), graph, tuple(facts)


def _keys_only(rule: Rule) -> bool:
    # {{value}} in the message prints the value at the key, which an edit below can change
    return (
        bool(rule.then)
        and all(t.field == "@key" and t.function_name in LOCAL_FUNCTIONS for t in rule.then)
        and "value" not in (rule.message or "")
    )


def _related(a: tuple, b: tuple) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


class _Group:
    """The jobs of one view (resolved or unresolved) and their stored results."""

    def __init__(self, document, rules: list[Rule], resolved: bool):
        self.resolved = resolved
        self.jobs: list[_Job] = []
        regional_paths: list = []
        slots: dict[str, int] = {}
        for rule in rules:
            if rule.resolved != resolved:
                continue
            for expr in runner._given_for(rule, document.formats):
                kind, depends, graph, facts = _classify(rule, expr, resolved)
                job = _Job(rule, expr, kind, depends, graph, facts, keys_only=_keys_only(rule))
                if kind == "regional" and all(t.function_name in MATCH_LOCAL for t in rule.then):
                    job.memo = {}
                if kind == "regional":
                    if expr not in slots:
                        slots[expr] = len(regional_paths)
                        regional_paths.append(compile_path(expr))
                    job.slot = slots[expr]
                self.jobs.append(job)
        self.matcher = Matcher(regional_paths) if regional_paths else None
        self.want_key = [bool(cp.steps) and cp.steps[-1][0] == "key" for cp in regional_paths]
        #: spine path -> walk states there (a different state set means a full re-run)
        self.spine_states: dict[tuple, frozenset] = {}

    def root(self, document):
        return document.resolved if self.resolved else document.unresolved


class RegionEvaluator:
    """Per-unit rule results for one IncrementalDocument (see module doc)."""

    def __init__(self, document, rules: list[Rule]):
        self.groups = [_Group(document, rules, True), _Group(document, rules, False)]
        self.order: dict[tuple, int] = {}
        #: the update in progress changed the spine's keys
        self._relayout = False

    # -- evaluation --------------------------------------------------------------------------
    def full(self, document) -> None:
        self._relayout = False
        self.order = _unit_order(document)
        for group in self.groups:
            self._run_group(document, group, None)
            for job in group.jobs:
                job.fact_values = tuple(fact(document) for fact in job.facts)

    def update(self, document, unresolved_changed: list, resolved_changed: list, graph_changed: bool,
               removed: list = (), relayout: bool = False) -> None:
        """Re-run what the changed regions can affect. `removed`: regions that left the document;
        `relayout`: the spine's keys changed (regions added, removed, renamed or moved)."""
        changed_all = set(unresolved_changed) | set(resolved_changed) | set(removed)
        facts: dict = {}  # each fact computed once per update
        self._relayout = relayout
        if relayout:
            self.order = _unit_order(document)
            for group in self.groups:
                for job in group.jobs:
                    for region in removed:
                        job.units.pop(region, None)
                        job.keys.pop(region, None)
                        if job.memo is not None:
                            job.memo.pop(region, None)
        for group in self.groups:
            changed = resolved_changed if group.resolved else unresolved_changed
            # a removed region: the spine nodes above it are walked (and evaluated) again
            self._run_group(document, group, list(changed) + list(removed) if removed else changed)
            for job in group.jobs:
                if job.kind == "global":
                    continue
                hit = job.graph and graph_changed
                if not hit and job.depends:
                    hit = any(_related(dep, region) for dep in job.depends for region in changed_all)
                if job.facts:
                    values = tuple(facts[f] if f in facts else facts.setdefault(f, f(document)) for f in job.facts)
                    hit = hit or values != job.fact_values
                    job.fact_values = values
                if hit:
                    self._rerun_job(document, group, job)
        for group in self.groups:
            for job in group.jobs:
                if job.kind == "global":
                    self._rerun_job(document, group, job)

    def _rerun_job(self, document, group: _Group, job: _Job) -> None:
        matches = compile_path(job.expr).find(group.root(document))
        results = _evaluate(document, job.rule, matches, group.resolved)
        if job.kind == "global":
            job.results = results
            return
        units: dict = {}
        job.keys = {}
        if job.memo is not None:
            job.memo = {}
        for r_matches, unit in _split(matches, self._unit_of):
            units[unit] = _evaluate(document, job.rule, r_matches, group.resolved)
        job.units = {u: v for u, v in units.items() if v}

    def _unit_of(self, path: tuple) -> tuple:
        for n in (3, 2, 1):
            if len(path) >= n and path[:n] in self.order and path[:n] not in self._spine:
                return path[:n]
        return path

    def _run_group(self, document, group: _Group, changed: list | None) -> None:
        """Walk and evaluate the regional jobs of `group`; all regions when `changed` is None."""
        self._spine = set(document.spine_paths)
        if changed is not None and not changed:
            return
        root = group.root(document)
        if group.matcher is None:
            if changed is None:
                for job in group.jobs:
                    if job.kind == "global":
                        self._rerun_job(document, group, job)
            return
        walk = _SpineWalk(group.matcher, root, self._spine, None if changed is None else set(changed))
        walk.run()
        if changed is not None:
            for spine_path, states in walk.states.items():
                if group.spine_states.get(spine_path) != states:
                    return self._run_group(document, group, None)  # the walk reaches regions differently now
        if changed is None:
            group.spine_states = dict(walk.states)
        else:
            group.spine_states.update(walk.states)
        paths = _PathCache()
        changed_set = set(changed) if changed is not None else set()
        for job in group.jobs:
            if job.kind != "regional":
                if changed is None:
                    self._rerun_job(document, group, job)
                continue
            # a graph-reading function at a spine node reads the graph and the spine's keys only:
            # `update` re-runs it when the graph changes, and both are re-run here when the
            # spine's keys changed
            keep_spine = (job.graph or job.keys_only) and changed is not None and not self._relayout
            previous: dict = {}
            memo = job.memo
            before: dict = {}  # region unit -> its results before this walk (for the match memo)
            if changed is None:
                job.units = {}
                job.keys = {}
                if memo is not None:
                    memo.clear()
            else:
                for unit in walk.visited:
                    if not (keep_spine and unit in walk.spine_visited):
                        if unit in job.keys:
                            previous[unit] = (job.units.get(unit), job.keys.pop(unit))
                        old = job.units.pop(unit, None)
                        if memo is not None and unit in walk.regions_walked:
                            before[unit] = old or []
            want_key = group.want_key[job.slot]
            for unit, chains in walk.hits[job.slot].items():
                if keep_spine and unit in walk.spine_visited:
                    continue
                in_region = unit in walk.regions_walked
                matches = []
                for chain in chains:
                    if not in_region:  # a spine node: the chain is absolute
                        if want_key:
                            if unit:
                                matches.append((unit, unit[-1]))
                        else:
                            matches.append((unit, chain[2]))
                        continue
                    path = unit + paths.get(chain)
                    if want_key:
                        matches.append((path, chain[1] if chain[0] is not None else unit[-1]))
                    else:
                        matches.append((path, chain[2]))
                # a spine node's results mostly lie in regions this edit left alone: reuse them
                reuse = None
                if not in_region:
                    reuse = _Reuse(*previous.get(unit, (None, None)), unit, changed_set, self)
                    results = _evaluate(document, job.rule, matches, group.resolved, reuse)
                elif memo is not None:
                    results = _evaluate_reusing(document, job, unit, matches, group.resolved, before.get(unit))
                else:
                    results = _evaluate(document, job.rule, matches, group.resolved)
                if results:
                    job.units[unit] = results
                    if reuse is not None and reuse.made is not None and len(reuse.made) == len(results):
                        job.keys[unit] = reuse.made
                else:
                    job.units.pop(unit, None)
            if memo is not None:  # regions walked again without a match keep no memo
                hits = walk.hits[job.slot]
                for unit in before.keys() - hits.keys():
                    memo.pop(unit, None)

    # -- results -------------------------------------------------------------------------------
    def results(self) -> list[LintResult]:
        out: list[LintResult] = []
        order = self.order
        for group in self.groups:
            errors: set[str] = set()
            for job in group.jobs:
                if job.kind == "global":
                    chunk = job.results
                else:
                    chunk = [r for unit in sorted(job.units, key=lambda u: order.get(u, len(order))) for r in job.units[unit]]
                for r in chunk:
                    if r.code == "rule-error":
                        if job.rule.name in errors:
                            continue
                        errors.add(job.rule.name)
                    out.append(r)
        return out

    def shift(self, source: str, old_end: Position, new_end: Position) -> None:
        """Move stored ranges in `source` that lie after an edit (old end -> new end)."""
        for group in self.groups:
            for job in group.jobs:
                if job.kind == "global":
                    job.results = [shift_result(r, source, old_end, new_end) for r in job.results]
                else:
                    for unit, results in job.units.items():
                        job.units[unit] = [shift_result(r, source, old_end, new_end) for r in results]


def _split(matches: list, unit_of) -> list:
    groups: dict = {}
    for path, value in matches:
        groups.setdefault(unit_of(path), []).append((path, value))
    return [(m, u) for u, m in groups.items()]


def _evaluate(document, rule: Rule, matches: list, resolved: bool, reuse: "_Reuse | None" = None) -> list[LintResult]:
    if not matches:
        return []
    runner._prefetch_batched(document, rule, matches, resolved)
    out: list[LintResult] = []
    for path, value in matches:
        try:
            out.extend(runner._evaluate(document, document, rule, path, value, resolved, reuse))
        except Exception as err:  # as in run_rules: a broken function does not stop the others
            out.append(runner._rule_error(document, rule, path, err, resolved))
            if reuse is not None:
                reuse.made = None  # keys no longer parallel to the results
                reuse = None
    return out


def _evaluate_reusing(document, job: _Job, unit: tuple, matches: list, resolved: bool, before: list | None) -> list[LintResult]:
    """`_evaluate` for a region unit of a MATCH_LOCAL job: a match whose value is the same object
    at the same path as in the unit's last evaluation keeps that evaluation's results (moved
    with every edit since by `shift`, like all stored results); the others are evaluated."""
    memo = job.memo
    last = memo.get(unit)
    if last is None:
        results, counts = _evaluate_counting(document, job.rule, matches, resolved)
        memo[unit] = (matches, counts)
        return results
    before = before or []  # no stored results: the last evaluation gave none
    old_matches, old_counts = last
    starts: list = []  # where each old match's results start in `before`
    at = 0
    for c in old_counts:
        starts.append(at)
        at += c if c >= 0 else ~c
    n_old = len(old_matches)
    index = None  # old path -> position, built at the first match that is not where it was
    plan: list = []
    todo: list = []
    for i, (path, value) in enumerate(matches):
        k = i
        if i >= n_old or old_matches[i][0] != path:  # matches are mostly where they were: compare in place first
            if index is None:
                index = {p: j for j, (p, _) in enumerate(old_matches)}
            k = index.get(path, -1)
        if k >= 0 and old_matches[k][1] is value and old_counts[k] >= 0:
            c = old_counts[k]
            plan.append(before[starts[k]: starts[k] + c] if c else ())
        else:
            plan.append(None)
            todo.append((path, value))
    fresh, fresh_counts = _evaluate_counting(document, job.rule, todo, resolved)
    out: list = []
    counts: list = []
    i = at = 0
    for part in plan:
        if part is None:
            c = fresh_counts[i]
            n = c if c >= 0 else ~c
            out.extend(fresh[at: at + n])
            at += n
            i += 1
            counts.append(c)
        else:
            out.extend(part)
            counts.append(len(part))
    memo[unit] = (matches, counts)
    return out


def _evaluate_counting(document, rule: Rule, matches: list, resolved: bool) -> tuple[list, list]:
    """`_evaluate`, and per match how many results it gave: `~n` (negative) for n results of
    which one lies outside the matched value (it can depend on more than the value: not reused)."""
    if not matches:
        return [], []
    runner._prefetch_batched(document, rule, matches, resolved)
    out: list[LintResult] = []
    counts: list[int] = []
    for path, value in matches:
        try:
            got = runner._evaluate(document, document, rule, path, value, resolved)
        except Exception as err:  # as in run_rules: a broken function does not stop the others
            got = [runner._rule_error(document, rule, path, err, resolved)]
        n = len(path)
        out.extend(got)
        counts.append(len(got) if all(r.path[:n] == path for r in got) else ~len(got))
    return out, counts


class _Reuse:
    """The results a spine unit gave last time, by what the function returned (then index, path,
    message): re-evaluating the unit after an edit builds (locates, formats) only the results
    that are new or lie where the edit can have changed them.

    A kept result is exact when its path lies under the unit, in a region that is not in this
    edit's changed list: the unit was last evaluated when a region under it last changed, so
    that region's value (and, in the resolved view, everything it reaches) is the same object
    now as then, and the stored result has been moved with every edit since (`shift`)."""

    __slots__ = ("made", "kept", "unit", "changed", "evaluator")

    def __init__(self, results, keys, unit: tuple, changed: set, evaluator: "RegionEvaluator"):
        self.made: list | None = []
        self.kept = {k: r for k, r in zip(keys, results) if k is not None} if results and keys else {}
        self.unit, self.changed, self.evaluator = unit, changed, evaluator

    def get(self, key, rpath: tuple):
        kept = self.kept.get(key)
        if kept is None or rpath[: len(self.unit)] != self.unit:
            return None
        region = self.evaluator._unit_of(rpath)
        if region in self.changed or region in self.evaluator._spine or region not in self.evaluator.order:
            return None
        return kept


def _unit_order(document) -> dict[tuple, int]:
    """Document (walk) order of spine nodes and regions: a node comes before its children."""
    spine = set(document.spine_paths)
    order: dict[tuple, int] = {}

    def visit(node: dict, prefix: tuple) -> None:
        order[prefix] = len(order)
        for k, v in node.items():
            path = prefix + (k,)
            if path in spine:
                visit(v, path)
            else:
                order[path] = len(order)

    visit(document.unresolved, ())
    return order


def _shift_pos(p: Position, old_end: Position, new_end: Position) -> Position:
    if p.line > old_end.line:
        return Position(p.line + new_end.line - old_end.line, p.character) if new_end.line != old_end.line else p
    if p.line == old_end.line and p.character >= old_end.character:
        return Position(new_end.line, new_end.character + p.character - old_end.character)
    return p


def _shift_range(r: Range, old_end: Position, new_end: Position) -> Range:
    s, e = _shift_pos(r.start, old_end, new_end), _shift_pos(r.end, old_end, new_end)
    return r if s is r.start and e is r.end else Range(s, e)


def shift_result(r: LintResult, source: str, old_end: Position, new_end: Position) -> LintResult:
    rng = _shift_range(r.range, old_end, new_end) if r.source == source else r.range
    related = r.related
    if related:
        related = [Related(x.source, _shift_range(x.range, old_end, new_end), x.message) if x.source == source else x for x in related]
    if rng is r.range and all(a is b for a, b in zip(related, r.related)):
        return r
    return LintResult(r.code, r.message, r.severity, r.path, r.source, rng, r.documentation_url, related, r.rule,
                      r.source_pointer, r.fix)


class _SpineWalk:
    """The Matcher's walk restricted to the spine paths leading to some regions.

    Spine nodes get the same walk states as in a full walk (filters see the real values); each
    region below is walked with the Matcher's own walk, its hits kept relative to the region."""

    def __init__(self, matcher: Matcher, root, spine: set, regions: set | None):
        self.m = matcher
        self.root = root
        self.spine = spine
        self.regions = regions
        n = len(matcher._programs)
        #: program -> unit -> chains
        self.hits: list[dict] = [dict() for _ in range(n)]
        self.states: dict[tuple, frozenset] = {}
        self.visited: set = set()
        self.spine_visited: set = set()
        self.regions_walked: set = set()
        if regions is not None:
            self.wanted = {r[:i] for r in regions for i in range(len(r))}

    def run(self) -> None:
        plan = self.m._plan(self.m._root_states)
        _ensure_recursion_limit()
        self._spine_node(self.root, plan, (), (None, None, self.root))

    def _spine_node(self, value, plan, path: tuple, chain) -> None:
        m = self.m
        self.visited.add(path)
        self.spine_visited.add(path)
        if plan is None:
            self.states[path] = frozenset()
            return
        if plan.typed:
            plan = m._for_value(plan, value)
        self.states[path] = plan.states
        for pid in plan.finals:
            self.hits[pid].setdefault(path, []).append(chain)
        if not plan.built:
            m._build(plan)
        if plan.dead or type(value) is not dict:
            return
        for k, c in value.items():
            child = path + (k,)
            if child in self.spine:
                if self.regions is not None and child not in self.wanted:
                    continue
                self._spine_node(c, _child_plan(m, plan, k, c, chain, self.root), child, (chain, k, c))
            else:
                if self.regions is not None and child not in self.regions:
                    continue
                self.visited.add(child)
                self.regions_walked.add(child)
                nxt = _child_plan(m, plan, k, c, chain, self.root)
                if nxt is None:
                    continue
                if type(c) in (dict, list) or nxt.finals or nxt.typed:
                    local: list[list] = [[] for _ in self.hits]
                    m._walk(c, nxt, local)
                    for pid, chains in enumerate(local):
                        if chains:
                            self.hits[pid][child] = chains


def _child_plan(m: Matcher, plan, k, c, chain, root):
    """The plan a dict child gets in Matcher._walk (same transitions, same filters)."""
    if plan.dead:
        return None
    names, always = plan.names, plan.always
    if plan.single_name is not None:
        return names[k] if k == plan.single_name else None
    nxt = names.get(k, always) if names else always
    if plan.has_dict_filters:
        extras = None
        candidates = plan.key_filters.get(k) if plan.key_filters else None
        if candidates:
            for f, ns in candidates:
                if f.needs_dict and not _passes_guard(f, c):
                    continue
                if f.test(c, k, chain, root):
                    extras = [ns] if extras is None else extras + [ns]
        if plan.dict_filters and type(c) is dict:
            for need, need_any, need_eq, f, ns in plan.dict_filters:
                if need is not None and need not in c:
                    continue
                if need_any is not None and c.keys().isdisjoint(need_any):
                    continue
                if need_eq is not None and type(x := c.get(need_eq[0])) is str and x != need_eq[1]:
                    continue
                if f.test(c, k, chain, root):
                    extras = [ns] if extras is None else extras + [ns]
        for f, ns in plan.any_filters:
            if f.test(c, k, chain, root):
                extras = [ns] if extras is None else extras + [ns]
        if extras is not None:
            nxt = m._merge(nxt, extras)
    return nxt
