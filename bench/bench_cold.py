"""Cold `apigov lint` against Spectral 6 and Redocly, in the same run, on the issue's documents.

One command (a benchmark, not a test):

    python bench/bench_cold.py [--docs NAME...] [--repeat N] [--timeout S] [--json bench/results/cold.json]

Installs the peers with npm into bench/.cache/peers when missing (bench/peers.py). For each document
it runs, one after another: apigov with the default ruleset, apigov and Spectral with the same ruleset file,
spectral:oas with all its rules (`extends: [[spectral:oas, all]]`), and Redocly with its recommended
ruleset; it records wall time, CPU time (user+system, less sensitive to a busy machine) and peak
RSS, and prints ratios peer/apigov per document. Machines here are shared: read the CPU ratios.

apigov runs with Python's bytecode cache on, as an installed package does (pip compiles .pyc files at install
time): this machine sets PYTHONDONTWRITEBYTECODE=1, with which every run compiled apigov's modules again
(~0.3 CPU s of a 0.9 s pegel run). The cache goes to bench/.cache/pycache, filled by one untimed run per ruleset.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peers  # noqa: E402
from corpus import corpus_dir  # noqa: E402

DOCS = [
    "vacuum-testfiles/pegel-online-api.yaml",
    "twilio/yaml/twilio_numbers_v2.yaml",
    "box/openapi.json",
    "openai/openapi.yaml",
    "vacuum-testfiles/api.github.com.yaml",
    "kubernetes/swagger.json",
    "digitalocean/specification/DigitalOcean-public.v2.yaml",
]


def apigov_cmd(document: Path, ruleset: str | None, out: Path) -> list[str]:
    # --no-cache: a cold run, whatever APIGOV_CACHE_DIR says
    cmd = [sys.executable, "-m", "apigov_ls.cli", "lint", str(document), "-f", "json", "-o", str(out), "-q", "--no-cache"]
    if ruleset:
        cmd += ["-r", ruleset]
    return cmd


def apigov_env() -> dict:
    """The environment apigov runs in: bytecode cached, as in an installed package (pip writes .pyc files at
    install time). Machines here set PYTHONDONTWRITEBYTECODE=1, with which every run compiled apigov's ~100
    modules again (~0.3 CPU s per run); the cache goes to bench/.cache/pycache, not into the source tree."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(HERE / ".cache" / "pycache")
    return env


def warm_bytecode(document: Path, rulesets: list) -> None:
    """One untimed run per ruleset: it compiles (and caches) every module a timed run imports."""
    for ruleset in rulesets:
        run_apigov(document, ruleset, 300)


def run_apigov(document: Path, ruleset: str | None, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="apigov-bench-") as tmp:
        out = Path(tmp) / "out.json"
        # run from an empty folder so no .spectral.* file is discovered
        m = peers.measure_command(apigov_cmd(document, ruleset, out), Path(tmp), apigov_env(), timeout, "cpu")
        count = None
        if out.exists():
            try:
                count = len(json.loads(out.read_text()))
            except ValueError:
                pass
    return {"wall_s": m.wall_s, "cpu_s": m.cpu_s, "peak_rss_mb": m.peak_rss_mb, "results": count,
            "timed_out": m.timed_out, "returncode": m.returncode, "stderr": m.stderr[-500:]}


def peer_row(run) -> dict:
    count = len(run.results) if isinstance(run.results, list) else (
        run.results.get("totals", {}).get("errors", 0) + run.results.get("totals", {}).get("warnings", 0)
        if isinstance(run.results, dict) else None)
    return {"wall_s": run.wall_s, "cpu_s": run.cpu_s, "peak_rss_mb": run.peak_rss_mb, "results": count,
            "timed_out": run.timed_out, "returncode": run.returncode}


def best(rows: list[dict]) -> dict:
    """Median of repeated runs (wall and CPU), max of peak RSS."""
    if len(rows) == 1:
        return rows[0]
    out = dict(rows[-1])
    for key in ("wall_s", "cpu_s"):
        vals = [r[key] for r in rows if r.get(key) is not None]
        out[key] = statistics.median(vals) if vals else None
    out["peak_rss_mb"] = max((r["peak_rss_mb"] or 0) for r in rows)
    return out


def ratio(a, b) -> str:
    if not a or not b:
        return "-"
    return f"{a / b:.1f}x"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", nargs="*", help="corpus-relative paths (default: the issue's seven documents)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool and document (median reported)")
    ap.add_argument("--timeout", type=float, default=300, help="CPU seconds per run before it is killed")
    ap.add_argument("--no-peers", action="store_true", help="measure apigov only")
    ap.add_argument("--json", default=str(HERE / "results" / "cold.json"), help="where to write the rows")
    args = ap.parse_args()

    if not args.no_peers:
        peers.install(quiet=True)
        if not peers.spectral_bin() or not peers.redocly_bin():
            print("peers unavailable:", peers.spectral_bin().reason, peers.redocly_bin().reason, file=sys.stderr)
            return 2
    corpus = corpus_dir()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        oas_ruleset = peers.write_ruleset("oas", Path(tmp))
        warm_bytecode(corpus / (args.docs or DOCS)[0], [None, str(oas_ruleset)])
        for rel in args.docs or DOCS:
            doc = corpus / rel
            row: dict = {"document": rel}
            row["apigov_default"] = best([run_apigov(doc, None, args.timeout) for _ in range(args.repeat)])
            # the very ruleset file Spectral runs (all spectral:oas rules, not only the recommended ones)
            row["apigov_oas"] = best([run_apigov(doc, str(oas_ruleset), args.timeout) for _ in range(args.repeat)])
            if not args.no_peers:
                row["spectral"] = best([peer_row(peers.run_spectral(doc, oas_ruleset, args.timeout, "cpu")) for _ in range(args.repeat)])
                row["redocly"] = best([peer_row(peers.run_redocly(doc, args.timeout, clock="cpu")) for _ in range(args.repeat)])
            rows.append(row)
            print_row(row)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"load": os.getloadavg(), "rows": rows}, indent=2))
    print(f"\nrows written to {args.json}; 1-minute load average now {os.getloadavg()[0]:.1f}")
    return 0


_HEADER = False


def print_row(row: dict) -> None:
    global _HEADER
    if not _HEADER:
        print(f"{'document':48} {'tool':16} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'results':>8}   cpu ratio vs apigov(oas)")
        _HEADER = True
    base = row["apigov_oas"].get("cpu_s")
    for tool in ("apigov_default", "apigov_oas", "spectral", "redocly"):
        r = row.get(tool)
        if not r:
            continue
        flag = " (timed out)" if r.get("timed_out") else ""
        print(f"{row['document'][:48]:48} {tool:16} {r['wall_s'] or 0:7.2f} {r['cpu_s'] or 0:7.2f} {r['peak_rss_mb'] or 0:8.0f} "
              f"{str(r['results']):>8}   {ratio(r.get('cpu_s'), base)}{flag}")


if __name__ == "__main__":
    sys.exit(main())
