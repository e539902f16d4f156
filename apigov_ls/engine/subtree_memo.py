"""Results memoized per data subtree, kept across the edits of one document.

The incremental parser never mutates a container in place (apigov_ls/document/incremental.py):
an edit copies the containers on the path to the change and shares everything else, and the
resolved view keeps the resolved objects of unchanged subtrees (incremental_model.py). So a
result computed for a container (keyed by its `id`, the container itself kept beside the
result so the id cannot be reused) is still right for the same object in the next version of
the document. Each whole-document pass keeps only the entries it used or made, so subtrees
that left the document are not kept alive.

Only documents that are re-checked edit by edit get a memo (`memo_for`): for a one-off lint
the bookkeeping would cost without ever paying off.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Callable

_lock = threading.Lock()
_memos: "weakref.WeakKeyDictionary[Any, dict[Any, SubtreeMemo]]" = weakref.WeakKeyDictionary()


class SubtreeMemo:
    """key -> value for container nodes, two generations: the last pass and the current one."""

    __slots__ = ("old", "new", "_last")

    def __init__(self) -> None:
        self.old: dict = {}
        self.new: dict = {}
        #: per_item's last call: its (key, member) pairs and their values, in order
        self._last: tuple | None = None

    def begin_pass(self) -> None:
        """A new whole-document pass: what the last one used is what this one can reuse."""
        if self.new:
            self.old, self.new = self.new, {}

    def get(self, key: Any, node: Any) -> Any:
        """The value stored for `key` if it was stored for this very `node`, else None."""
        hit = self.new.get(key)
        if hit is None:
            hit = self.old.get(key)
            if hit is None or hit[0] is not node:
                return None
            self.new[key] = hit
        elif hit[0] is not node:
            return None
        return hit[1]

    def last(self, key: Any) -> Any:
        """The value stored for `key` in this pass or the last, whatever node it was stored for."""
        hit = self.new.get(key) or self.old.get(key)
        return None if hit is None else hit[1]

    def put(self, key: Any, node: Any, value: Any) -> None:
        self.new[key] = (node, value)

    def per_item(self, mapping: dict, compute: Callable[[Any, dict], Any]) -> list:
        """`compute(key, item)` for every object member of `mapping`, in order: a member that is
        the same object under the same key as in the last call keeps its value.

        An edit copies `mapping` with one member changed (same keys, same order), so members are
        first compared with the last call's at the same position (no hashing); a dict of the last
        call's members is built only once a member is not where it was (a key added or removed)."""
        last_items, last_values = self._last or ((), ())
        n_last = len(last_items)
        by_key = None
        items: list = []
        out: list = []
        for key, item in mapping.items():
            if not isinstance(item, dict):
                continue
            i = len(items)
            items.append((key, item))
            if i < n_last and last_items[i][0] == key:  # where it was: the same member, or an edited one
                out.append(last_values[i] if last_items[i][1] is item else compute(key, item))
                continue
            if by_key is None:
                by_key = {k: (it, v) for (k, it), v in zip(last_items, last_values)}
            hit = by_key.get(key)
            out.append(hit[1] if hit is not None and hit[0] is item else compute(key, item))
        self._last = (items, out)
        return list(out)

    def __len__(self) -> int:
        return len(self.new) + (len(self._last[0]) if self._last else 0)


def memo_for(document: Any, name: Any) -> SubtreeMemo | None:
    """The memo `name` of a document re-checked edit by edit (IncrementalDocument), else None."""
    if document is None or not getattr(document, "incremental", False):
        return None
    with _lock:
        try:
            per_doc = _memos.get(document)
            if per_doc is None:
                per_doc = _memos[document] = {}
        except TypeError:  # not weak-referenceable
            return None
        memo = per_doc.get(name)
        if memo is None:
            memo = per_doc[name] = SubtreeMemo()
        return memo
