"""Every measurement issue 7 asks for, in one command (a benchmark, not a test):

    python bench/bench_issue7.py [--out bench/results/issue7] [--only cold latency ...] [--dry-run]

It runs, one after the other, each with its own defaults (see bench/README.md for what each measures):

- cold      bench_cold.py            cold `apigov lint` (default ruleset and all spectral:oas rules) against Spectral 6
                                     and Redocly in the same run, on the issue's seven documents; CPU, wall, peak RSS
- latency   bench_edit_latency.py    edit latency through a real LSP client over stdio: github and pegel, 220 edits each
- memory    bench_memory.py          resident memory of the server with the five largest corpus documents open
- engine    bench_incremental.py     the same edit session against the engine alone (per kind, incremental/full)
- spread    bench_typing_spread.py   typing in 30 operations and 30 component schemas of github
- batch     bench_batch.py           `apigov lint --jobs` over the 39 corpus roots, and a cached second run

Each prints its own table and writes its JSON into --out. The peers are installed with npm into
bench/.cache/peers when missing (bench/peers.py). Expect about 30-40 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: name -> (script, extra arguments)
STEPS = {
    "cold": ("bench_cold.py", []),
    "latency": ("bench_edit_latency.py", []),
    "memory": ("bench_memory.py", []),
    "engine": ("bench_incremental.py", []),
    "spread": ("bench_typing_spread.py", []),
    "batch": ("bench_batch.py", ["--jobs", "1", "2"]),
}


def commands(out: Path, only: list[str]) -> list[tuple[str, list[str]]]:
    """(name, argv) of each step to run, in order."""
    return [(name, [sys.executable, str(HERE / script), *extra, "--json", str(out / f"{name}.json")])
            for name, (script, extra) in STEPS.items() if not only or name in only]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(HERE / "results" / "issue7"), help="folder for the JSON files")
    ap.add_argument("--only", nargs="+", choices=list(STEPS), default=[], help="run these steps only")
    ap.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = ap.parse_args(argv)
    out = Path(args.out)
    failed = []
    for name, cmd in commands(out, args.only):
        print(f"== {name}: {' '.join(cmd)}", flush=True)
        if args.dry_run:
            continue
        out.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        rc = subprocess.run(cmd, check=False).returncode
        print(f"== {name}: exit {rc} after {time.monotonic() - started:.0f} s", flush=True)
        if rc != 0:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
