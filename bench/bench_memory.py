"""Resident memory of `apigov-ls` with the five largest corpus documents open at once (issue 7 c).

    python bench/bench_memory.py [--count 5] [--json bench/results/memory.json] [--source DIR]

A benchmark, not a test. Copies the largest root documents (by root file size; multi-file roots are
small, so digitalocean's 2907 files do not qualify) into a fresh workspace folder, starts the server
over stdio with a real client (bench/lsp_session.py), opens them all at once and waits until every
one is checked. RSS (VmRSS from /proc/PID/status) of the server and each process below it (check
workers, multiprocessing's resource tracker) is read: after initialize, every 0.5 s while the checks
run (peak of the sum), and once all are checked; VmHWM gives each process's own peak. Then it shuts
the server down and checks that no process it started is left behind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import load_manifest  # noqa: E402
from lsp_session import BenchClient, descendants, memory_snapshot, server_command, server_env, wait_gone  # noqa: E402


def largest(count: int) -> list:
    docs = sorted(load_manifest(), key=lambda d: d.bytes, reverse=True)
    return docs[:count]


async def sample(client: BenchClient, stop: asyncio.Event, peaks: dict) -> None:
    while not stop.is_set():
        snap = memory_snapshot(client.pid)
        if snap["total_rss_mb"] > peaks.get("total_rss_mb", 0):
            peaks.update(snap, at_s=time.perf_counter() - peaks["start"])
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass


async def run(args) -> dict:
    docs = largest(args.count)
    log_path = Path(args.json).parent / "logs" / f"{Path(args.json).stem}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="apigov-mem-bench-") as tmp:
        ws = Path(tmp)
        targets = []
        for doc in docs:
            target = ws / doc.path.name
            shutil.copyfile(doc.path, target)
            targets.append((doc, target))
        client = BenchClient()
        await client.launch(server_command(), log_path, ws, server_env(args.source))
        # stripe.yaml's `openapi:` key is ~1 MB into the file, past the 64 KB the server sniffs for one
        # (workspace.sniff_description): without `include` it is not taken for an API description
        await client.initialize(ws, {"include": [t.name for _, t in targets]} if args.include else None)
        await asyncio.sleep(args.idle_wait)
        idle = memory_snapshot(client.pid)
        peaks: dict = {"start": time.perf_counter()}
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample(client, stop, peaks))
        started = time.perf_counter()
        uris = [client.open(target, target.read_text(encoding="utf-8")) for _, target in targets]
        opened = []
        for (doc, _), uri in zip(targets, uris):
            settled = await client.settle(uri, args.timeout)
            pub = client.publish_for(uri, 1, started)
            opened.append({"document": doc.rel_path, "bytes": doc.bytes, "settled": settled is not None,
                           "published_s": pub.at - started if pub else None, "diagnostics": pub.count if pub else None})
        all_checked = time.perf_counter() - started
        stop.set()
        await sampler
        checked = memory_snapshot(client.pid)
        workers = descendants(client.pid)
        closed = await client.close_session()
        orphans = await wait_gone(workers)
    peaks.pop("start", None)
    return {"documents": opened, "idle_after_initialize": idle, "all_checked": checked, "peak_sampled": peaks,
            "all_checked_after_s": all_checked, "shutdown": closed, "orphans": orphans, "log": str(log_path),
            "source": args.source, "include_setting": args.include, "load_after": os.getloadavg()}


def print_report(r: dict) -> None:
    print(f"\n{'document':48} {'MB':>6} {'diagnostics':>11} {'published after s':>18}")
    for d in r["documents"]:
        pub = "-" if d["published_s"] is None else f"{d['published_s']:.1f}"
        print(f"{d['document'][:48]:48} {d['bytes'] / 1e6:6.2f} {str(d['diagnostics']):>11} {pub:>18}"
              f"{'' if d['settled'] else '  (not settled: timeout)'}")
    print(f"all checked after {r['all_checked_after_s']:.1f} s")
    print(f"\n{'when':28} {'process':34} {'pid':>7} {'RSS MB':>8} {'peak (VmHWM) MB':>16}")
    for label, snap in (("idle after initialize", r["idle_after_initialize"]), ("all five checked", r["all_checked"]),
                        ("largest sampled sum", r["peak_sampled"])):
        for p in snap.get("processes", []):
            print(f"{label:28} {p['role'][:34]:34} {p['pid']:>7} {p['rss_mb']:8.0f} {p['hwm_mb']:16.0f}")
        print(f"{label:28} {'SUM':34} {'':>7} {snap.get('total_rss_mb', 0):8.0f} {snap.get('total_hwm_mb', 0):16.0f}")
    print(f"\nshutdown {'clean' if r['shutdown']['clean_exit'] else 'KILLED'}; processes left behind: {r['orphans'] or 'none'}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=5, help="how many of the largest documents to open")
    ap.add_argument("--timeout", type=float, default=900, help="seconds to wait for each document's check")
    ap.add_argument("--idle-wait", type=float, default=3.0, help="seconds after initialize before the idle reading")
    ap.add_argument("--no-include", dest="include", action="store_false",
                    help="do not list the documents in the `include` setting (the server then skips any whose root key "
                         "is not in its first 64 KB, like stripe.yaml)")
    ap.add_argument("--source", help="run the server from this copy of the sources (PYTHONPATH)")
    ap.add_argument("--json", default=str(HERE / "results" / "memory.json"))
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}; opening: " + ", ".join(d.rel_path for d in largest(args.count)))
    result = asyncio.run(run(args))
    print_report(result)
    Path(args.json).write_text(json.dumps(result, indent=1))
    print(f"written to {args.json}")
    return 0 if not result["orphans"] else 1


if __name__ == "__main__":
    sys.exit(main())
