"""Parse time and peak memory of the document model on the largest corpus descriptions.

A benchmark, not a test: `python bench/bench_parse.py [--top N] [--json out.json]`.
Each document is parsed in a fresh subprocess so peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import load_manifest  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from apigov_ls.document.parse import parse_text
from apigov_ls.document.model import build_document
path = sys.argv[1]
text = open(path, encoding="utf-8-sig").read()
t0 = time.perf_counter(); parsed = parse_text(text, syntax="json" if path.endswith(".json") else "yaml"); t1 = time.perf_counter()
doc = build_document(path); t2 = time.perf_counter()
print(json.dumps({"parse_s": t1 - t0, "document_s": t2 - t1, "files": len(doc.files), "refs": len(doc.graph.refs),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--top", type=int, default=8, help="how many of the largest documents (default 8)")
    ap.add_argument("--json", help="also write the rows to this JSON file")
    args = ap.parse_args()
    docs = sorted(load_manifest(), key=lambda d: d.total_bytes, reverse=True)[: args.top]
    rows = []
    print(f"{'document':55} {'MB':>6} {'parse s':>8} {'doc s':>7} {'files':>6} {'peak MB':>8}")
    for d in docs:
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, str(d.path)], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{d.rel_path:55} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(out.stdout)
        row.update(document=d.rel_path, mb=d.total_bytes / 1e6, wall_s=time.perf_counter() - t0)
        rows.append(row)
        print(f"{d.rel_path:55} {row['mb']:6.2f} {row['parse_s']:8.2f} {row['document_s']:7.2f} {row['files']:6d} {row['peak_mb']:8.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
