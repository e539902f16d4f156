"""Evaluate many JSONPaths in one depth-first walk of a document (the nimma approach).

Each path's steps become states `(path, step index)`. During the walk every node carries the set
of states active at it (a `Plan`, interned per distinct set, so the work of deciding what a set
does with a child key is done once per set, not once per node). `..` is a state that stays
active for all children; child selectors move a state on to matching children; filters are
evaluated when their state is active on the parent. Subtrees with no active state are skipped.
A node's path is never built unless a path matches it: nodes carry a parent chain
`(parent_chain, key, value)` instead.

Steps after a `^` that is not at the end are evaluated per path (stepwise.py) from the nodes the
walk found for the part before it.

Shared subtrees: a resolved document uses one object for every place a `$ref` target is used.
Given the ids of such objects (`shared`), the walk visits each once per plan and records its hits
(`_Entry`); where the object is met again with the same plan, a `_Replay` stands in the hit lists
for those hits under the new place. The matches are the same as a full walk's: what the walk does
below a node depends only on the node's value and the plan, unless a filter reads `@path` or
`@parentProperty` (such plans are never replayed). `run_lazy` hands the replays to the caller
(`LazyHits.select`), which may skip the matches of a subtree it has already judged.
"""

from __future__ import annotations

import sys

from apigov_ls.engine.jsonpath.filters import chain_path
from apigov_ls.engine.jsonpath.jsvalues import canonical_index
from apigov_ls.engine.jsonpath.stepwise import evaluate as evaluate_steps
from apigov_ls.engine.jsonpath.stepwise import slice_indices, sort_document_order

_FINAL, _DESC, _WILD, _CHILD, _UNION, _SLICE, _FILTER, _TYPE = range(8)
_KIND = {"desc": _DESC, "wild": _WILD, "child": _CHILD, "union": _UNION, "slice": _SLICE,
         "filter": _FILTER, "type": _TYPE}


class _Program:
    """What the walk runs for one path: core steps, then `ups` parents, `~`, and leftover steps."""

    __slots__ = ("core", "ups", "want_key", "rest")

    def __init__(self, steps: list):
        core = list(steps)
        self.want_key = bool(core) and core[-1][0] == "key"
        if self.want_key:
            core.pop()
        self.rest = None
        first_up = next((i for i, s in enumerate(core) if s[0] == "parent"), None)
        if first_up is not None:
            end = first_up
            while end < len(core) and core[end][0] == "parent":
                end += 1
            if end < len(core):  # `^` in the middle: the walk stops at the parent run
                self.rest = core[end:] + ([("key",)] if self.want_key else [])
                self.want_key = False
            self.ups = end - first_up
            core = core[:first_up]
        else:
            self.ups = 0
        self.core = core


class _Plan:
    __slots__ = ("states", "finals", "typed", "typed_cache", "always", "names", "list_sel", "list_cache",
                 "key_filters", "dict_filters", "any_filters", "list_filters", "has_dict_filters", "dead", "list_filters_nondict", "built",
                 "single_name", "replayable")


class _Entry:
    """The hits below one shared node for one plan, per program, relative to the node's chain there.

    `items[pid]` holds chains (descendants of `chain`, or `chain` itself) and nested `_Replay`s."""

    __slots__ = ("node", "chain", "items", "rel")

    def __init__(self, node, chain, items: dict):
        self.node = node        # kept so that the id in the memo key is not reused
        self.chain = chain
        self.items = items
        self.rel: dict = {}     # id(chain) -> path relative to `chain` (see LazyHits._rel)


class _Replay:
    """In a hit list: the hits of `entry` for program `pid`, under `chain` (the node's chain here)."""

    __slots__ = ("chain", "entry", "pid")

    def __init__(self, chain, entry: _Entry, pid: int):
        self.chain = chain
        self.entry = entry
        self.pid = pid


class Matcher:
    """Runs several compiled paths over a document in one walk. Results per path, in document order."""

    def __init__(self, paths: list):
        self.paths = list(paths)
        unique: dict[int, int] = {}
        self._programs: list[_Program] = []
        self._slot: list[int] = []
        for cp in self.paths:
            if id(cp) not in unique:
                unique[id(cp)] = len(self._programs)
                self._programs.append(_Program(cp.steps))
            self._slot.append(unique[id(cp)])
        # global state table
        self._kind: list[int] = []
        self._arg: list = []
        self._pid: list[int] = []
        starts = []
        for pid, prog in enumerate(self._programs):
            starts.append(len(self._kind))
            for step in prog.core:
                self._kind.append(_KIND[step[0]])
                self._arg.append(step)
                self._pid.append(pid)
            self._kind.append(_FINAL)
            self._arg.append(None)
            self._pid.append(pid)
        # per state: whether it or a later state of its program is a filter reading the node's place
        # (states only ever move forward within a program, so such plans cannot be replayed)
        self._positional = [False] * len(self._kind)
        later = False
        for s in range(len(self._kind) - 1, -1, -1):
            if self._kind[s] == _FINAL:
                later = False
            elif self._kind[s] == _FILTER and self._arg[s][1].positional:
                later = True
            self._positional[s] = later
        self._interned: dict = {}
        self._merged: dict = {}
        self._root_states = frozenset(starts)

    # -- plans ---------------------------------------------------------------------------------
    def _close(self, states, value=None, typed=False) -> frozenset:
        """Add the states reachable without moving: after `..`, and after type tests that pass
        (only when `typed`, i.e. for a known value)."""
        kind, arg = self._kind, self._arg
        todo = list(states)
        out = set(states)
        while todo:
            s = todo.pop()
            k = kind[s]
            if k == _DESC or (typed and k == _TYPE and arg[s][2](value)):
                if s + 1 not in out:
                    out.add(s + 1)
                    todo.append(s + 1)
        return frozenset(out)

    def _plan(self, states) -> _Plan | None:
        """The interned plan for a state set. Its child transitions are built on first visit:
        building them eagerly would enumerate every reachable state set up front."""
        if not states:
            return None
        key = frozenset(states)
        plan = self._interned.get(key)
        if plan is None:
            plan = self._interned[key] = self._new_plan(self._close(key))
        return plan

    def _new_plan(self, states: frozenset, resolved: bool = False) -> _Plan:
        kind = self._kind
        plan = _Plan()
        plan.states = states
        plan.typed = not resolved and any(kind[s] == _TYPE for s in states)
        plan.typed_cache = {}
        plan.finals = tuple(sorted(self._pid[s] for s in states if kind[s] == _FINAL))
        plan.built = False
        positional = self._positional
        plan.replayable = not any(positional[s] for s in states)
        return plan

    def _build(self, plan: _Plan) -> None:
        kind, arg = self._kind, self._arg
        states = plan.states
        always: set = set()
        names: dict = {}
        list_sel: list = []
        filters: list = []
        for s in states:
            k = kind[s]
            if k == _DESC:
                always.add(s)
            elif k == _WILD:
                always.add(s + 1)
            elif k == _CHILD or k == _UNION:
                for key in (arg[s][1],) if k == _CHILD else arg[s][1]:
                    if type(key) is int:
                        names.setdefault(str(key), set()).add(s + 1)
                        list_sel.append((key, s + 1))
                    else:
                        names.setdefault(key, set()).add(s + 1)
                        idx = canonical_index(key)
                        if idx is not None:
                            list_sel.append((idx, s + 1))
            elif k == _SLICE:
                list_sel.append((arg[s][1:], s + 1))
            elif k == _FILTER:
                filters.append((arg[s][1], s + 1))
        plan.always = self._plan(always)
        plan.names = {name: self._plan(always | extra) for name, extra in names.items()}
        plan.list_sel = list_sel
        plan.list_cache = {}
        plan.key_filters = {}
        plan.dict_filters = []
        plan.any_filters = []
        filters.sort(key=lambda item: item[1])
        for f, nxt in filters:
            if f.only_keys is not None:
                for name in f.only_keys:
                    plan.key_filters.setdefault(name, []).append((f, nxt))
            elif f.needs_dict:
                plan.dict_filters.append((f.needs_key, f.needs_any, f.needs_eq, f, nxt))
            else:
                plan.any_filters.append((f, nxt))
        # array elements: filters bound to object keys cannot match an index unless numeric-looking
        plan.list_filters = [(f, nxt) for f, nxt in filters if f.only_keys is None or f.may_match_index]
        plan.list_filters_nondict = [(f, nxt) for f, nxt in plan.list_filters if not f.needs_dict]
        plan.has_dict_filters = bool(filters)
        plan.dead = plan.always is None and not names and not list_sel and not filters
        only = next(iter(names)) if len(names) == 1 else None
        plan.single_name = only if only is not None and plan.always is None and not filters else None
        plan.built = True

    def _for_value(self, plan: _Plan, value) -> _Plan:
        """Resolve type tests (`@string()`...) for the node's actual value."""
        t = type(value)
        cat = ("int" if value.is_integer() else "float") if t is float else t
        out = plan.typed_cache.get(cat)
        if out is None:
            out = plan.typed_cache[cat] = self._new_plan(self._close(plan.states, value, typed=True), resolved=True)
        return out

    def _list_plans(self, plan: _Plan, length: int) -> dict:
        """Plans per index for an array of this length (negative indices and slices need it)."""
        cached = plan.list_cache.get(length)
        if cached is None:
            extra: dict[int, set] = {}
            for sel, nxt in plan.list_sel:
                if type(sel) is int:
                    idx = sel + length if sel < 0 else sel
                    if 0 <= idx < length:
                        extra.setdefault(idx, set()).add(nxt)
                else:
                    for idx in slice_indices(length, *sel):
                        extra.setdefault(idx, set()).add(nxt)
            base = plan.always.states if plan.always is not None else frozenset()
            cached = {idx: self._plan(base | more) for idx, more in extra.items()}
            if len(plan.list_cache) < 64:
                plan.list_cache[length] = cached
        return cached

    def _merge(self, plan: _Plan | None, extras: list) -> _Plan:
        key = (id(plan), tuple(extras))
        out = self._merged.get(key)
        if out is None:
            base = plan.states if plan is not None else frozenset()
            out = self._merged[key] = self._plan(base | set(extras))
        return out

    # -- the walk ------------------------------------------------------------------------------
    def run(self, root, shared=None) -> list[list[tuple[tuple, object]]]:
        """(path, value) per path, in document order. `shared`: ids of containers that may occur
        at several places in `root` (walked once per plan; the results do not depend on it)."""
        return [hits if type(hits) is list else list(hits.select()) for hits in self.run_lazy(root, shared)]

    def run_lazy(self, root, shared=None) -> list:
        """Like `run`, but a path's matches may come as a `LazyHits` (iterate `select()`)."""
        hits: list[list] = [[] for _ in self._programs]
        plan = self._plan(self._root_states)
        if plan is not None:
            _ensure_recursion_limit()
            self._walk(root, plan, hits, shared or None)
        paths = _PathCache()
        summaries: dict = {}
        per_program = []
        for prog, chains in zip(self._programs, hits):
            if prog.ups or prog.rest is not None or not any(type(c) is _Replay for c in chains):
                per_program.append(self._finish(prog, _concrete(chains), root, paths))
            else:
                per_program.append(LazyHits(chains, prog.want_key, paths, summaries))
        return [per_program[slot] if type(per_program[slot]) is not list else list(per_program[slot])
                for slot in self._slot]

    def _walk(self, root, root_plan: _Plan, hits: list, shared=None) -> None:
        for_value = self._for_value
        list_plans = self._list_plans
        merge = self._merge
        build = self._build
        memo: dict = {}

        def enter(value, plan, chain):
            """A container below the root: replayed if it is shared and was walked with this plan."""
            if not plan.replayable or id(value) not in shared:
                return walk_node(value, plan, chain)
            key = (id(value), id(plan))
            entry = memo.get(key)
            if entry is None:
                starts = [len(h) for h in hits]
                walk_node(value, plan, chain)
                memo[key] = _Entry(value, chain, {pid: h[starts[pid]:] for pid, h in enumerate(hits) if len(h) > starts[pid]})
            else:
                for pid in entry.items:
                    hits[pid].append(_Replay(chain, entry, pid))

        def walk_node(value, plan, chain):
            # recursion, not an explicit stack: 2-3x faster in CPython (see run() for the depth limit)
            if plan.typed:
                plan = for_value(plan, value)
            for pid in plan.finals:
                hits[pid].append(chain)
            if not plan.built:
                build(plan)
            if plan.dead:
                return
            t = type(value)
            if t is dict:
                names, always = plan.names, plan.always
                if plan.single_name is not None:  # `.name` and nothing else: no need to scan the keys
                    k = plan.single_name
                    if k in value:
                        c = value[k]
                        nxt = names[k]
                        tc = type(c)
                        if tc is dict or tc is list:
                            visit(c, nxt, (chain, k, c))
                        elif nxt.finals or nxt.typed:
                            walk_node(c, nxt, (chain, k, c))
                    return
                has_filters = plan.has_dict_filters
                if has_filters:
                    key_filters, dict_filters, any_filters = plan.key_filters, plan.dict_filters, plan.any_filters
                for k, c in value.items():
                    nxt = names.get(k, always) if names else always
                    if has_filters:
                        extras = None
                        if key_filters:
                            candidates = key_filters.get(k)
                            if candidates:
                                for f, ns in candidates:
                                    if f.needs_dict and not _passes_guard(f, c):
                                        continue
                                    if f.test(c, k, chain, root):
                                        extras = [ns] if extras is None else extras + [ns]
                        if dict_filters and type(c) is dict:
                            for need, need_any, need_eq, f, ns in dict_filters:
                                if need is not None and need not in c:
                                    continue
                                if need_any is not None and c.keys().isdisjoint(need_any):
                                    continue
                                if need_eq is not None and type(x := c.get(need_eq[0])) is str and x != need_eq[1]:
                                    continue
                                if f.test(c, k, chain, root):
                                    extras = [ns] if extras is None else extras + [ns]
                        for f, ns in any_filters:
                            if f.test(c, k, chain, root):
                                extras = [ns] if extras is None else extras + [ns]
                        if extras is not None:
                            nxt = merge(nxt, extras)
                    if nxt is not None:
                        tc = type(c)
                        if tc is dict or tc is list:
                            visit(c, nxt, (chain, k, c))
                        elif nxt.finals or nxt.typed:
                            walk_node(c, nxt, (chain, k, c))
            elif t is list:
                always = plan.always
                index_plans = list_plans(plan, len(value)) if plan.list_sel else None
                all_filters, plain_filters = plan.list_filters, plan.list_filters_nondict
                for i, c in enumerate(value):
                    nxt = index_plans.get(i, always) if index_plans else always
                    filters = all_filters if type(c) is dict else plain_filters
                    if filters:
                        extras = None
                        for f, ns in filters:
                            if f.needs_dict and not _passes_guard(f, c):
                                continue
                            if f.test(c, i, chain, root):
                                extras = [ns] if extras is None else extras + [ns]
                        if extras is not None:
                            nxt = merge(nxt, extras)
                    if nxt is not None:
                        tc = type(c)
                        if tc is dict or tc is list:
                            visit(c, nxt, (chain, i, c))
                        elif nxt.finals or nxt.typed:
                            walk_node(c, nxt, (chain, i, c))

        visit = walk_node if shared is None else enter
        walk_node(root, root_plan, (None, None, root))

    def _finish(self, prog: _Program, chains: list, root, paths: "_PathCache") -> list:
        if prog.ups:
            ups = []
            for chain in chains:
                for _ in range(prog.ups):
                    chain = chain[0]
                    if chain is None:
                        break
                if chain is not None:
                    ups.append(chain)
            chains = ups
        if prog.rest is not None:
            return evaluate_steps(prog.rest, _unique_chains(chains), root)
        path_of = paths.get
        if prog.want_key:
            results = [(path_of(chain), chain[1]) for chain in chains if chain[0] is not None]  # the root has no key
        else:
            results = [(path_of(chain), chain[2]) for chain in chains]
        if prog.ups:
            # several children lead to the same parent; and parents were reached out of document order
            unique = {}
            for path, value in results:
                unique.setdefault(path, value)
            return sort_document_order(root, list(unique.items()))
        return results  # each node is visited once and each state set holds a path's end once


class LazyHits:
    """One path's matches where some come from replayed subtrees. `select()` yields (path, value)
    in document order, as `Matcher.run` lists them."""

    __slots__ = ("_items", "_want_key", "_paths", "_summaries")

    def __init__(self, items: list, want_key: bool, paths: "_PathCache", summaries: dict):
        self._items = items
        self._want_key = want_key
        self._paths = paths
        self._summaries = summaries  # shared by the run's LazyHits: (entry, pid, token) -> kept items

    def select(self, needed=None, token=None):
        """Every match; with `needed(value) -> bool`, a replayed subtree's matches whose value at
        the subtree's first place was not `needed` are left out. Decided once per subtree and
        `token` (which names what `needed` asks), when the subtree is first replayed: the caller
        must be done with the earlier matches by then (iterate, do not collect first)."""
        path_of = self._paths.get
        want_key = self._want_key
        for item in self._items:
            if type(item) is tuple:
                if not want_key:
                    yield path_of(item), item[2]
                elif item[0] is not None:  # the root has no key
                    yield path_of(item), item[1]
            else:
                out: list = []
                self._expand(path_of(item.chain), item.entry, item.pid, needed, token, out)
                yield from out

    def _expand(self, base: tuple, entry: _Entry, pid: int, needed, token, out: list) -> None:
        items = entry.items[pid] if needed is None else self._kept(entry, pid, needed, token)
        rel = self._rel
        for item in items:
            if type(item) is tuple:
                if item is entry.chain:  # the shared node itself: its key is the one at this place
                    if not self._want_key:
                        out.append((base, item[2]))
                    elif base:
                        out.append((base, base[-1]))
                else:
                    out.append((base + rel(entry, item), item[1] if self._want_key else item[2]))
            else:
                self._expand(base + rel(entry, item.chain), item.entry, item.pid, needed, token, out)

    def _kept(self, entry: _Entry, pid: int, needed, token) -> list:
        key = (id(entry), pid, token)
        kept = self._summaries.get(key)
        if kept is None:
            kept = []
            want_key = self._want_key
            for item in entry.items[pid]:
                if type(item) is tuple:
                    # with `~` the shared node's own key differs per place: always kept
                    if (want_key and item is entry.chain) or needed(item[1] if want_key else item[2]):
                        kept.append(item)
                elif self._kept(item.entry, item.pid, needed, token):
                    kept.append(item)
            self._summaries[key] = kept
        return kept

    @staticmethod
    def _rel(entry: _Entry, chain) -> tuple:
        """The path from the entry's node to `chain` (cached: every chain lives as long as the entry)."""
        cache = entry.rel
        found = cache.get(id(chain))
        if found is None:
            found = () if chain is entry.chain else LazyHits._rel(entry, chain[0]) + (chain[1],)
            cache[id(chain)] = found
        return found


def _concrete(items: list) -> list:
    """Hit chains with every replay expanded into chains under its own place."""
    if not any(type(item) is _Replay for item in items):
        return items
    out: list = []
    for item in items:
        if type(item) is tuple:
            out.append(item)
        else:
            _expand_chains(item.chain, item.entry, item.pid, out)
    return out


def _expand_chains(base, entry: _Entry, pid: int, out: list) -> None:
    rebuilt: dict = {}
    for item in entry.items[pid]:
        if type(item) is tuple:
            out.append(_rebase(item, entry.chain, base, rebuilt))
        else:
            _expand_chains(_rebase(item.chain, entry.chain, base, rebuilt), item.entry, item.pid, out)


def _rebase(chain, old, new, rebuilt: dict):
    """`chain` (a descendant of `old`, or `old`) rebuilt under `new`, sharing rebuilt ancestors."""
    if chain is old:
        return new
    got = rebuilt.get(id(chain))
    if got is None:
        got = rebuilt[id(chain)] = (_rebase(chain[0], old, new, rebuilt), chain[1], chain[2])
    return got


class _PathCache:
    """Path tuples for chain nodes, sharing the work for common ancestors.

    Keyed by `id(node)`, so the cache keeps every chain it was asked about alive (and with it the
    ancestors it cached): chains rebuilt for replayed hits (`_concrete`) are temporaries, and an id
    freed by one could otherwise be reused by another chain and get the dead chain's path."""

    __slots__ = ("_cache", "_alive")

    def __init__(self):
        self._cache: dict[int, tuple] = {}
        self._alive: list = []

    def get(self, chain) -> tuple:
        cache = self._cache
        found = cache.get(id(chain))
        if found is not None:
            return found
        pending = []
        node = chain
        while node[0] is not None:
            known = cache.get(id(node))
            if known is not None:
                break
            pending.append(node)
            node = node[0]
        else:
            known = ()
        # ids stay valid: every cached node is `chain` or its ancestor, and `chain` is kept
        self._alive.append(chain)
        for node in reversed(pending):
            known = known + (node[1],)
            cache[id(node)] = known
        return known


def _passes_guard(f, value) -> bool:
    """The cheap necessary condition of a filter (see filters.requirements)."""
    if type(value) is not dict:
        return False
    if f.needs_key is not None and f.needs_key not in value:
        return False
    if f.needs_eq is not None and type(x := value.get(f.needs_eq[0])) is str and x != f.needs_eq[1]:
        return False
    return f.needs_any is None or not value.keys().isdisjoint(f.needs_any)


def _ensure_recursion_limit() -> None:
    """The walk recurses once per nesting level. Resolved documents can nest deeper than the
    default limit of 1000 allows; since 3.11 Python-to-Python calls do not use the C stack,
    so a higher limit is safe. Only ever raised, never lowered."""
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)


_RECURSION_LIMIT = 20_000


def _unique_chains(chains: list) -> list:
    seen = set()
    out = []
    for chain in chains:
        p = chain_path(chain)
        if p not in seen:
            seen.add(p)
            out.append(chain)
    return out
