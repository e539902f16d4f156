"""Run the peer linters over the shared corpus and store their output as an oracle.

    python bench/make_oracle.py [--out /work/oracle] [--jobs 2] [--only SUBSTR] [--tools spectral-oas,...] [--resume]
    python bench/make_oracle.py --summary-only

Layout of OUT:
    rulesets/                       the Spectral rulesets used (absolute extends paths)
    spectral-oas/<doc>.json         Spectral, extends [["spectral:oas", "all"]]
    spectral-owasp/<doc>.json       Spectral, the OWASP ruleset, all rules
    redocly/<doc>.json              Redocly lint --format json, recommended ruleset
    <tool>/<doc>.stderr.txt         whatever the run printed on stderr, when anything
    timings.json                    {tool: {doc: run summary: exit code, wall_s, peak_rss_mb, ...}}
    SUMMARY.md                      per-document rule counts and timings
Only root files of multi-file descriptions are linted (their fragments are reached by $ref).
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
import peers  # noqa: E402
from oracle_summary import write_summary  # noqa: E402

TOOLS = ("spectral-oas", "spectral-owasp", "redocly")


def _run_one(tool: str, doc: corpus.CorpusDoc, rulesets: dict[str, Path], timeout: float,
             clock: str) -> peers.PeerRun:
    if tool == "redocly":
        return peers.run_redocly(doc.path, timeout, clock=clock)
    return peers.run_spectral(doc.path, rulesets[tool], timeout, clock)


def _store(out: Path, tool: str, doc: corpus.CorpusDoc, run: peers.PeerRun) -> None:
    target = out / tool / (doc.rel_path + ".json")
    target.parent.mkdir(parents=True, exist_ok=True)
    if run.results is not None:
        target.write_text(json.dumps(run.results, indent=1), encoding="utf-8")
    elif target.exists():
        target.unlink()  # a stale result from an earlier run would lie
    err_file = out / tool / (doc.rel_path + ".stderr.txt")
    if run.stderr.strip():
        err_file.write_text(run.stderr, encoding="utf-8")
    elif err_file.exists():
        err_file.unlink()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/work/oracle"))
    ap.add_argument("--jobs", type=int, default=2, help="parallel runs (the machine has 2 cores)")
    ap.add_argument("--timeout", type=float, default=peers.DEFAULT_TIMEOUT_S)
    ap.add_argument("--only", action="append", default=[], help="corpus path substring (repeatable)")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--timeout-clock", choices=("wall", "cpu"), default="wall",
                    help="cpu: the timeout counts CPU seconds (wall capped at 4x), fairer on a busy machine")
    ap.add_argument("--resume", action="store_true", help="skip runs already recorded in timings.json")
    ap.add_argument("--retry-timeouts", action="store_true",
                    help="re-run what timed out before (alone: only that; with --resume: that and what is missing)")
    ap.add_argument("--summary-only", action="store_true")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    timings_path = out / "timings.json"
    timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}

    docs = corpus.load_manifest()
    if args.summary_only:
        write_summary(out, docs, timings)
        return 0

    peers.install()
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        ap.error(f"unknown tools {sorted(unknown)}")
    rulesets = {
        "spectral-oas": peers.write_ruleset("oas", out / "rulesets"),
        "spectral-owasp": peers.write_ruleset("owasp", out / "rulesets"),
    }
    if args.only:
        docs_to_run = [d for d in docs if any(s in d.rel_path for s in args.only)]
    else:
        docs_to_run = docs
    def wanted(tool: str, doc: corpus.CorpusDoc) -> bool:
        record = timings.get(tool, {}).get(doc.rel_path)
        if args.retry_timeouts and record and record.get("timed_out"):
            return True
        if args.resume:
            return record is None
        return not args.retry_timeouts

    jobs = [(t, d) for d in docs_to_run for t in tools if wanted(t, d)]
    # Largest first, so the long runs do not end up alone at the tail.
    jobs.sort(key=lambda j: j[1].total_bytes, reverse=True)
    print(f"{len(jobs)} runs, {args.jobs} at a time, timeout {args.timeout:.0f}s {args.timeout_clock}", flush=True)

    lock = threading.Lock()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(_run_one, t, d, rulesets, args.timeout, args.timeout_clock): (t, d) for t, d in jobs}
        for n, fut in enumerate(as_completed(futures), 1):
            tool, doc = futures[fut]
            try:
                run = fut.result()
                summary = run.summary()
                summary["result_count"] = (len(run.results) if isinstance(run.results, list)
                                           else len(run.results.get("problems", [])) if isinstance(run.results, dict)
                                           else None)
            except Exception as exc:  # a harness failure is recorded, not fatal for the batch
                run, summary = None, {"tool": tool, "document": str(doc.path), "harness_error": repr(exc)}
            with lock:
                if run is not None:
                    _store(out, tool, doc, run)
                previous = timings.setdefault(tool, {}).get(doc.rel_path)
                if previous and previous.get("timed_out"):
                    # Keep the record of a failed attempt when re-running (e.g. with a longer timeout).
                    summary["earlier_attempts"] = previous.pop("earlier_attempts", []) + [previous]
                timings[tool][doc.rel_path] = summary
                timings_path.write_text(json.dumps(timings, indent=1, sort_keys=True), encoding="utf-8")
            status = ("TIMEOUT" if summary.get("timed_out") else summary.get("harness_error")
                      or f"exit {summary.get('returncode')} {summary.get('result_count')} results")
            print(f"[{n}/{len(jobs)} {time.perf_counter() - started:7.1f}s] {tool:15} {doc.rel_path}: "
                  f"{summary.get('wall_s', 0):.1f}s cpu {summary.get('cpu_s') or 0:.1f}s "
                  f"{summary.get('peak_rss_mb') or 0:.0f}MB load {summary.get('load_before') or 0:.1f} {status}",
                  flush=True)
    write_summary(out, corpus.load_manifest(), timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
