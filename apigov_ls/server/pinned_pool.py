"""Worker processes that each keep the checks of the same roots.

A check of a root keeps incremental state (apigov_ls.incremental.IncrementalLinter) in the worker
that ran it, so every check of that root must go to the same worker. `PinnedPool` is N
single-process pools; `submit(fn, job)` picks one by the job's `root` (a stable hash), other
calls go to the least busy worker.
"""

from __future__ import annotations

import zlib
from concurrent.futures import Future, ProcessPoolExecutor


class PinnedPool:
    def __init__(self, workers: int, mp_context=None):
        self.pools = [ProcessPoolExecutor(max_workers=1, mp_context=mp_context) for _ in range(max(1, workers))]
        self._pending = [0] * len(self.pools)

    def worker_for(self, root: str) -> int:
        return zlib.crc32(root.encode("utf-8", "surrogatepass")) % len(self.pools)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        root = getattr(args[0], "root", None) if args else None
        if isinstance(root, str):
            index = self.worker_for(root)
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
