"""Batch `apigov lint` over every root description of the corpus: --jobs 1, --jobs 2, and a second
run served by the results cache. One command (a benchmark, not a test):

    python bench/bench_batch.py [--jobs 1 2] [--json bench/results/batch.json]

Each run is a fresh `python -m apigov_ls.cli lint -f json -o ...` process in a temporary folder;
wall time and CPU time (user+system of the process and its workers) are recorded, and the
reports must be byte-identical across runs. Machines here are shared: read the CPU column too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import corpus_dir  # noqa: E402


def corpus_roots() -> list[str]:
    manifest = corpus_dir() / "MANIFEST.tsv"
    rows = manifest.read_text(encoding="utf-8").splitlines()[1:]
    return [str(corpus_dir() / row.split("\t")[0]) for row in rows if row.strip()]


def run(label: str, argv: list[str], cwd: str, env: dict) -> dict:
    report = os.path.join(cwd, f"report-{len(os.listdir(cwd))}.json")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "apigov_ls.cli", "lint", "-v", "-f", "json", "-o", report, *argv],
                          cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{label}: exit {proc.returncode}\n{proc.stderr}")
    stats = [line for line in proc.stderr.splitlines() if " file(s): " in line]
    with open(report, encoding="utf-8") as fh:
        text = fh.read()
    return {"run": label, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "exit": proc.returncode,
            "results": len(json.loads(text)), "stats": stats[-1] if stats else "", "_report": text}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="job counts to time without the cache (default: 1 2)")
    parser.add_argument("--json", default=str(HERE / "results" / "batch.json"), help="where to write the results")
    args = parser.parse_args()
    roots = corpus_roots()
    rows = []
    with tempfile.TemporaryDirectory(prefix="apigov-batch-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("APIGOV_CACHE_DIR", "APIGOV_JOBS")}
        for jobs in args.jobs:
            rows.append(run(f"--jobs {jobs}, no cache", ["--no-cache", "-j", str(jobs), *roots], tmp, env))
        fill = run(f"--jobs {max(args.jobs)}, filling the cache", ["-j", str(max(args.jobs)), *roots], tmp, env)
        rows.append(fill)
        rows.append(run("second run, cached", roots, tmp, env))
    reference = rows[0]["_report"]
    identical = all(r["_report"] == reference for r in rows)
    for r in rows:
        del r["_report"]

    print(f"{len(roots)} root descriptions of {corpus_dir()}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    print(f"{'run':<34} {'wall s':>8} {'CPU s':>8} {'results':>8}")
    for r in rows:
        print(f"{r['run']:<34} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} {r['results']:>8}")
    print("reports identical across runs:", identical)
    data = {"documents": len(roots), "cpus": os.cpu_count(), "python": platform.python_version(),
            "load_average": os.getloadavg(), "identical_reports": identical, "runs": rows}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print("wrote", args.json)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
