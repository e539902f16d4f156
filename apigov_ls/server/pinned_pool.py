"""Worker processes that each keep the checks of the same roots.

A check of a root keeps incremental state (apigov_ls.incremental.IncrementalLinter) in the worker
that ran it, so every check of that root must go to the same worker. `PinnedPool` is N
single-process pools; `submit(fn, job)` pins a job's `root` to the worker with the least root
text pinned to it (a hash once put five multi-megabyte roots on one worker past 3 GB while the
other idled), other calls go to the least busy worker. `release(root)` unpins a closed root.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor


class PinnedPool:
    def __init__(self, workers: int, mp_context=None):
        self.pools = [ProcessPoolExecutor(max_workers=1, mp_context=mp_context) for _ in range(max(1, workers))]
        self._pending = [0] * len(self.pools)
        #: root -> (worker index, its size in bytes when pinned)
        self._pinned: dict[str, tuple[int, int]] = {}

    def worker_for(self, root: str, size: int = 0) -> int:
        """The worker a root is pinned to; a new root goes to the worker with the fewest bytes pinned."""
        pinned = self._pinned.get(root)
        if pinned is None:
            load = [[0, 0] for _ in self.pools]
            for index, weight in self._pinned.values():
                load[index][0] += weight
                load[index][1] += 1
            pinned = (min(range(len(self.pools)), key=lambda i: (*load[i], self._pending[i])), size)
            self._pinned[root] = pinned
        return pinned[0]

    def release(self, root: str, forget=None) -> None:
        """Unpin a root; `forget(root)`, if given, runs in its worker to drop what it kept for it."""
        pinned = self._pinned.pop(root, None)
        if pinned is not None and forget is not None:
            try:
                self.pools[pinned[0]].submit(forget, root)
            except RuntimeError:  # the pool is shut down
                pass

    def submit(self, fn, /, *args, **kwargs) -> Future:
        root = getattr(args[0], "root", None) if args else None
        if isinstance(root, str):
            index = self.worker_for(root, _size_of(args[0], root))
        else:
            index = min(range(len(self.pools)), key=self._pending.__getitem__)
        self._pending[index] += 1
        fut = self.pools[index].submit(fn, *args, **kwargs)
        fut.add_done_callback(lambda _f, i=index: self._done(i))
        return fut

    def _done(self, index: int) -> None:
        self._pending[index] -= 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for pool in self.pools:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def kill(self) -> None:
        """Stop every worker now, running checks included (the client is gone: nobody waits for them)."""
        processes = [p for pool in self.pools for p in (getattr(pool, "_processes", None) or {}).values()]
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            try:
                process.kill()
            except (OSError, ValueError):  # already gone or closed
                pass
        for process in processes:
            try:
                process.join(timeout=2)
            except (OSError, ValueError, AssertionError):
                pass


def _size_of(job, root: str) -> int:
    """The root's size: its open text, else its file's size (0 when unknown)."""
    text = getattr(job, "overlays", {}).get(root) if isinstance(getattr(job, "overlays", None), dict) else None
    if isinstance(text, str):
        return len(text)
    try:
        return os.path.getsize(root)
    except OSError:
        return 0
