"""Straightforward step-by-step evaluation of one path (JSONPath-Plus semantics).

Used for the parts of a path the shared walk cannot handle (steps after a `^` in the middle)
and as the independent reference the tests compare the shared walk against.

Nodes are chain tuples `(parent_chain, key, value)`; the root is `(None, None, root)`.
"""

from __future__ import annotations

from apigov_ls.engine.jsonpath.filters import chain_path
from apigov_ls.engine.jsonpath.jsvalues import canonical_index


def children(value):
    """(key, child) pairs in document order."""
    t = type(value)
    if t is dict:
        return value.items()
    if t is list:
        return enumerate(value)
    return ()


def child_by_key(value, key):
    """The child selected by `.key` / `[key]`, or raise KeyError. Ints index arrays (negative from
    the end) and name objects' keys; digit strings also index arrays."""
    t = type(value)
    if t is dict:
        k = key if type(key) is str else str(key)
        return k, value[k]
    if t is list:
        idx = key if type(key) is int else canonical_index(key)
        if idx is None:
            raise KeyError(key)
        if idx < 0:
            idx += len(value)
        if 0 <= idx < len(value):
            return idx, value[idx]
    raise KeyError(key)


def slice_indices(length: int, start, stop, step) -> range:
    return range(length)[slice(start, stop, step)]


def apply_step(step, nodes: list, root) -> list:
    kind = step[0]
    out: list = []
    if kind == "child":
        key = step[1]
        for node in nodes:
            try:
                k, c = child_by_key(node[2], key)
            except KeyError:
                continue
            out.append((node, k, c))
    elif kind == "union":
        for node in nodes:
            seen = set()
            for key in step[1]:
                try:
                    k, c = child_by_key(node[2], key)
                except KeyError:
                    continue
                if k not in seen:
                    seen.add(k)
                    out.append((node, k, c))
    elif kind == "wild":
        for node in nodes:
            out.extend((node, k, c) for k, c in children(node[2]))
    elif kind == "slice":
        for node in nodes:
            v = node[2]
            if type(v) is list:
                out.extend((node, i, v[i]) for i in slice_indices(len(v), *step[1:]))
    elif kind == "filter":
        f = step[1]
        for node in nodes:
            for k, c in children(node[2]):
                if f.test(c, k, node, root):
                    out.append((node, k, c))
    elif kind == "desc":
        for node in nodes:
            stack = [node]
            while stack:
                cur = stack.pop()
                out.append(cur)
                kids = [(cur, k, c) for k, c in children(cur[2])]
                kids.reverse()
                stack.extend(kids)
        out = _dedupe(out)
    elif kind == "type":
        test = step[2]
        out = [node for node in nodes if test(node[2])]
    elif kind == "parent":
        out = _dedupe([node[0] for node in nodes if node[0] is not None])
    else:
        raise AssertionError(kind)
    return out


def _dedupe(nodes: list) -> list:
    seen = set()
    out = []
    for node in nodes:
        p = chain_path(node)
        if p not in seen:
            seen.add(p)
            out.append(node)
    return out


def evaluate(steps: list, start_nodes: list, root) -> list:
    """Apply `steps` to chain nodes; returns (path, value) pairs, deduplicated, in document order."""
    nodes = start_nodes
    want_key = bool(steps) and steps[-1][0] == "key"
    for step in steps[:-1] if want_key else steps:
        nodes = apply_step(step, nodes, root)
        if not nodes:
            return []
    results = {}
    for node in nodes:
        if want_key:
            if node[0] is None:
                continue  # the root has no key
            path, value = chain_path(node), node[1]
        else:
            path, value = chain_path(node), node[2]
        results.setdefault(path, value)
    return sort_document_order(root, list(results.items()))


def sort_document_order(root, results: list) -> list:
    """Sort (path, value) pairs so that a node comes before its descendants and siblings keep order."""
    if len(results) < 2:
        return results
    positions: dict[int, dict] = {}

    def order_key(path):
        key = []
        v = root
        for k in path:
            if type(v) is dict:
                pos = positions.get(id(v))
                if pos is None:
                    pos = positions[id(v)] = {name: i for i, name in enumerate(v)}
                key.append(pos[k])
            else:
                key.append(k)
            v = v[k]
        return key

    return sorted(results, key=lambda item: order_key(item[0]))
