"""A Document whose resolved view is updated region by region after an edit.

The root file is cut into *regions*: the members of `paths`, `webhooks`, `definitions`,
`parameters`, `responses`, `securityDefinitions` and of each `components.*` map, and every
other top-level member. The dicts above them (the root, `paths`, `components`,
`components.schemas`...) are the *spine*. Each region is resolved on its own (same algorithm as
`Document._resolve`, same memo); every `$ref` lookup is recorded against the unit doing it (a
region, or the memo entry being built), so when a region's text changes we know which memo
entries and which other regions read it, transitively, and re-resolve only those.

Circular refs are kept as `$ref` exactly as `Document` keeps them (`Document._circular`, found
from the whole ref graph before resolving, so the resolved view does not depend on resolution
order). An edit that changes where the edited region's refs are or point recomputes that set;
if it changed, the update is not incremental.

Incremental updates need: one file (no external refs), a dict root and no `$ref` on the spine.
Otherwise `incremental` is False and callers rebuild the whole Document.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from itertools import chain, repeat
from typing import Any

from apigov_ls.document.formats import detect_formats
from apigov_ls.document.model import Document, Ref, encode_pointer, get_at
from apigov_ls.engine.types import LintResult, Severity

#: top-level maps whose members are regions
REGION_PARENTS = frozenset({"paths", "webhooks", "definitions", "parameters", "responses", "securityDefinitions"})


def spine_and_regions(root: Any) -> tuple[list[tuple], list[tuple]] | None:
    """(spine paths, region paths) in document order; None when the spine holds a `$ref`."""
    if type(root) is not dict or "$ref" in root:
        return None
    spine: list[tuple] = [()]
    regions: list[tuple] = []
    for k, v in root.items():
        if type(v) is dict and (k in REGION_PARENTS or k == "components"):
            if "$ref" in v:
                return None
            spine.append((k,))
            for m, mv in v.items():
                if k == "components" and type(mv) is dict:
                    if "$ref" in mv:
                        return None
                    spine.append((k, m))
                    regions.extend((k, m, x) for x in mv)
                else:
                    regions.append((k, m))
        else:
            regions.append((k,))
    return spine, regions


def region_depth(root: Any, path: tuple) -> int | None:
    """How many segments of `path` name its region (None: `path` is on the spine)."""
    if not path:
        return None
    head = root.get(path[0]) if type(root) is dict else None
    if type(head) is dict and (path[0] in REGION_PARENTS or path[0] == "components"):
        if len(path) < 2:
            return None
        if path[0] == "components" and type(head.get(path[1])) is dict:
            return 3 if len(path) >= 3 else None
        return 2
    return 1


def _related(a: tuple, b: tuple) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _ref_edges(refs) -> list[tuple]:
    """What `_circular` depends on in a region: where each $ref is and where it points."""
    return [(r.pointer, r.target_source, r.target_pointer) for r in refs]


class IncrementalDocument(Document):
    """Document + per-region resolution units and the $ref lookups each unit made."""

    def __init__(self, root, loader):
        self.incremental = False
        self.cyclic = False
        self.graph_changed = False
        self.region_paths: list[tuple] = []
        self.spine_paths: list[tuple] = []
        self._unit: Any = None
        #: unit -> resolved value / problems / refs / targets looked up
        self._values: dict[tuple, Any] = {}
        self._unit_problems: dict[tuple, list] = {}
        self._unit_refs: dict[tuple, list] = {}
        self._unit_lookups: dict[Any, set] = {}
        #: target key (file, pointer) -> units that looked it up; bucketed by the target's region
        self._readers: dict[tuple, set] = {}
        self._by_region: dict[tuple, set] = {}
        #: per region: id(unresolved container) -> (container, path, resolved, refs, lookups), for
        #: containers holding $refs; kept across an edit of the region's own text, so unchanged
        #: parts keep their resolved objects (and every cache keyed by them stays warm)
        self._subtrees: dict[tuple, dict] = {}
        self._cache_old: dict | None = None
        self._cache_new: dict | None = None
        self._lookup_stack: list[set] = []
        self._base_problems: list = []
        #: the refs of regions removed by the update in progress
        self._removed_refs: list = []
        super().__init__(root, loader)

    # -- initial resolution -----------------------------------------------------------------
    def _resolve_root(self) -> Any:
        layout = spine_and_regions(self.root.data)
        if layout is None:
            return super()._resolve_root()
        self.spine_paths, self.region_paths = layout
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20000))
        parse_problems = self._base_problems = list(self.problems)
        try:
            for path in self.region_paths:
                self._resolve_region(path)
        except RecursionError:
            self.problems = parse_problems
            self.incremental = False
            self._memo.clear()
            return super()._resolve_root()
        finally:
            sys.setrecursionlimit(limit)
        self.incremental = len(self.files) == 1 and not self.cyclic
        self._collect()
        return self._build_resolved()

    def _resolve_region(self, path: tuple) -> None:
        found, value = get_at(self.root.data, path)
        unit = ("r", path)
        self._unit = unit
        problems, refs = [], []
        self.problems, self.graph.refs = problems, refs
        self._cache_old, self._cache_new = self._subtrees.get(path, {}), {}
        try:
            self._values[path] = self._resolve(value, self.root.path, path) if found else value
            self._subtrees[path] = self._cache_new
        finally:
            self._cache_old = self._cache_new = None
        self._unit_problems[path] = problems
        self._unit_refs[path] = refs
        self._unit = None

    def _resolve(self, node: Any, source: str, path) -> Any:
        cache_old = self._cache_old
        if cache_old is None or type(node) not in (dict, list) or self._unit is None or self._unit[0] != "r":
            return super()._resolve(node, source, path)
        hit = cache_old.get(id(node))
        if hit is not None and hit[0] is node and hit[1] == path:
            self._cache_new[id(node)] = hit
            self.graph.refs.extend(hit[3])
            for key in hit[4]:
                self._note_lookup(key)
            return hit[2]
        refs_before, problems_before = len(self.graph.refs), len(self.problems)
        self._lookup_stack.append(set())
        try:
            resolved = super()._resolve(node, source, path)
        finally:
            looked = self._lookup_stack.pop()
        if self._lookup_stack:
            self._lookup_stack[-1] |= looked
        # problems carry ranges that later edits move: subtrees with problems are not kept
        if resolved is not node and len(self.problems) == problems_before:
            self._cache_new[id(node)] = (node, path, resolved, self.graph.refs[refs_before:], looked)
        return resolved

    def _collect(self) -> None:
        """The document-wide lists from the per-region ones (document order)."""
        # C-level loops: this runs on every edit over every region (thousands on large documents)
        paths, none = self.region_paths, repeat(())
        self.problems = list(chain(self._base_problems, chain.from_iterable(map(self._unit_problems.get, paths, none))))
        refs: list[Ref] = list(chain.from_iterable(map(self._unit_refs.get, paths, none)))
        self.graph.refs = refs

    def _build_resolved(self) -> Any:
        """The resolved root: spine dicts copied only where a region's resolved value differs."""
        data = self.root.data
        values = self._values

        def build(node: dict, prefix: tuple) -> dict:
            out = None
            for k, v in node.items():
                path = prefix + (k,)
                if path in values:
                    r = values[path]
                elif type(v) is dict and path in self._spine_set:
                    r = build(v, path)
                else:
                    r = v
                if r is not v:
                    if out is None:
                        out = dict(node)
                    out[k] = r
            return node if out is None else out

        self._spine_set = set(self.spine_paths)
        return build(data, ())

    # -- $ref resolution with dependency tracking (mirrors Document._resolve_ref) -----------
    def _note_lookup(self, key: tuple) -> None:
        unit = self._unit
        if unit is None:
            return
        readers = self._readers.get(key)
        if readers is None:
            readers = self._readers[key] = set()
            depth = region_depth(self.root.data, key[1]) if key[0] == self.root.path else None
            bucket = key[1][:depth] if depth is not None and len(key[1]) >= depth else ("<spine>",)
            self._by_region.setdefault(bucket, set()).add(key)
        readers.add(unit)
        self._unit_lookups.setdefault(unit, set()).add(key)
        if self._lookup_stack:
            self._lookup_stack[-1].add(key)

    def _resolve_ref(self, node: dict, ref: str, source: str, path) -> Any:
        target_file, pointer, error = self.target_of(ref, source)
        if target_file is not None and pointer is not None:
            self._note_lookup((target_file, pointer))
        if error is not None or target_file is None or pointer is None or target_file not in self.files:
            return super()._resolve_ref(node, ref, source, path)
        tf = self.files[target_file]
        where = self.files[source].source_map.value_range(path + ("$ref",))
        found, value = get_at(tf.data, pointer)
        if not found:
            self.graph.refs.append(Ref(source, path, ref, target_file, pointer, ok=False))
            self.problems.append(
                LintResult("invalid-ref", f"'{encode_pointer(pointer) or '#'}' does not exist" + (f" in {os.path.basename(target_file)}" if target_file != source else ""),
                           Severity.ERROR, path + ("$ref",), source, where)
            )
            return node
        self.graph.refs.append(Ref(source, path, ref, target_file, pointer))
        if (source, path) in self._circular:
            return node  # kept as $ref, like Document: its target leads back here
        key = (target_file, pointer)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:  # a cycle `_circular` missed: resolution order would matter
            self.cyclic = True
            return node
        # a memo entry is its own unit; its refs and problems repeat those of the region holding
        # the target (same paths), so they are not kept twice
        saved = self._unit, self.problems, self.graph.refs, self._lookup_stack
        self._unit, self.problems, self.graph.refs, self._lookup_stack = ("m", key), [], [], []
        self._active.add(key)
        try:
            resolved = self._resolve(value, target_file, pointer)
        finally:
            self._active.discard(key)
            self._unit, self.problems, self.graph.refs, self._lookup_stack = saved
        self._memo[key] = resolved
        return resolved

    # -- updates ------------------------------------------------------------------------------
    def _circular_changed(self) -> bool:
        """Recompute `_circular` (the edited region's $refs changed): whether it differs. Other
        regions were resolved with the old set, so a different one needs a full resolution."""
        before = self._circular
        self._circular = set()
        self._find_circular_refs()
        return self._circular != before

    def _drop_region(self, region: tuple) -> None:
        """Forget a region that left the document (its refs count as gone for `graph_changed`)."""
        unit = ("r", region)
        self._values.pop(region, None)
        self._unit_problems.pop(region, None)
        self._removed_refs.append(self._unit_refs.pop(region, ()))
        self._subtrees.pop(region, None)
        for key in self._unit_lookups.pop(unit, ()):
            readers = self._readers.get(key)
            if readers is not None:
                readers.discard(unit)

    def _cycles_unreachable(self, edited: list[tuple], edges_before: list) -> bool:
        """Whether no cycle can pass through the edited regions, before or after the edit, so that
        `_circular` is the same without recomputing it (a whole-document pass: ~0.3 s on github).

        True when no `$ref` target, before or after, lies in, above or below an edited region, and
        none of their refs was circular: the refs held in such a region then have no ref target
        containing them, only the file's root (which no ref targets), so they are in no cycle,
        and they add no edge between ref targets (renaming a path or a component nobody refers
        to, pasting or deleting one)."""
        root = self.root.path
        if any(source == root and any(holder[: len(r)] == r for r in edited) for source, holder in self._circular):
            return False
        heads = {r[0] for r in edited}
        targets = chain(
            ((r.target_source, r.target_pointer) for refs in self._unit_refs.values() for r in refs),
            ((source, pointer) for edges in edges_before for _, source, pointer in edges),
        )
        for source, pointer in targets:
            if source == root and pointer is not None and (not pointer or pointer[0] in heads):
                if any(_related(pointer, r) for r in edited):
                    return False
        return True

    def map_problems(self, fn) -> None:
        """Replace each stored $ref problem by fn(problem) (ranges moved by an edit)."""
        for path, problems in self._unit_problems.items():
            if problems:
                self._unit_problems[path] = [fn(p) for p in problems]

    def update_region(self, region: tuple) -> list[tuple] | None:
        """The root file's data changed inside `region`: re-resolve what depends on it.

        Returns the regions whose resolved value was recomputed (document order), or None when
        the caller must rebuild the Document (the update is not incremental). `graph_changed`
        then tells whether the set of $ref targets changed (it can only change in those regions)."""
        return self.update_regions([region])

    def update_regions(self, regions: list[tuple], removed: list[tuple] = (), layout: tuple | None = None) -> list[tuple] | None:
        """`update_region` for several regions at once, some of them new (`layout`: the new
        (spine paths, region paths), when regions were added or removed), and for the regions
        `removed`: their units are dropped and whatever read a pointer under them re-resolved."""
        if not self.incremental:
            return None
        edited = list(regions) + list(removed)
        edges_before = [_ref_edges(self._unit_refs.get(r, ())) for r in edited]
        if layout is not None:
            self.spine_paths, self.region_paths = layout
        for region in removed:
            self._drop_region(region)
        dirty: set = {("r", region) for region in regions}
        stale: set = set()
        work = list(edited)
        seen_ptrs: set = set()
        root_path = self.root.path
        while work:
            ptr = work.pop()
            if ptr in seen_ptrs:
                continue
            seen_ptrs.add(ptr)
            depth = region_depth(self.root.data, ptr)
            buckets = [("<spine>",)]
            if depth is not None and len(ptr) >= depth:
                buckets.append(ptr[:depth])
            else:  # a spine pointer: everything under it
                buckets.extend(b for b in self._by_region if b != ("<spine>",) and _related(b, ptr))
            for bucket in buckets:
                for key in self._by_region.get(bucket, ()):
                    if key[0] != root_path or not _related(key[1], ptr):
                        continue
                    memo_unit = ("m", key)
                    if memo_unit not in dirty:
                        dirty.add(memo_unit)
                        work.append(key[1])
                    for unit in self._readers.get(key, ()):
                        stale.add(unit)  # what it read changed: nothing of it can be reused
                        if unit not in dirty:
                            dirty.add(unit)
                            if unit[0] == "m":
                                work.append(unit[1][1])
        for unit in dirty:
            if unit[0] == "m":
                self._memo.pop(unit[1], None)
            for key in self._unit_lookups.pop(unit, ()):
                readers = self._readers.get(key)
                if readers is not None:
                    readers.discard(unit)
        order = {p: i for i, p in enumerate(self.region_paths)}
        regions = sorted((u[1] for u in dirty if u[0] == "r"), key=lambda p: order.get(p, -1))
        # a region that read a changed target keeps the resolved subtrees that did not read one
        # (same objects: every cache keyed by them stays warm); the others are resolved again
        changed_keys = {u[1] for u in dirty if u[0] == "m"}
        for unit in stale:
            if unit[0] == "r":
                kept = self._subtrees.get(unit[1])
                if kept:
                    self._subtrees[unit[1]] = {i: e for i, e in kept.items() if changed_keys.isdisjoint(e[4])}
        targets_before = Counter(r.target_pointer for p in regions for r in self._unit_refs.get(p, ()))
        targets_before.update(r.target_pointer for refs in self._removed_refs for r in refs)
        self._removed_refs = []
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20000))
        try:
            for path in regions:
                self._resolve_region(path)
        except RecursionError:
            self.incremental = False
            return None
        finally:
            sys.setrecursionlimit(limit)
        edges_after = [_ref_edges(self._unit_refs.get(r, ())) for r in edited]
        if self.cyclic or (edges_after != edges_before and not self._cycles_unreachable(edited, edges_before)
                           and self._circular_changed()):
            self.incremental = False
            return None
        self._collect()
        self.resolved = self._build_resolved()
        self.formats = detect_formats(self.root.data)
        self.graph_changed = targets_before != Counter(r.target_pointer for p in regions for r in self._unit_refs.get(p, ()))
        return regions
