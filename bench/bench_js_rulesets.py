"""Published JavaScript/npm rulesets: agreement with Spectral 6 and speed, in the same run.

    /tmp/venv/bin/python bench/bench_js_rulesets.py                 # agreement on the default docs + IBM timings
    /tmp/venv/bin/python bench/bench_js_rulesets.py --packages ibm --docs twilio/yaml/twilio_numbers_v2.yaml

The four packages are npm-installed (once) into bench/.cache/jsrulesets; each ruleset is a
one-line `.spectral.yaml` there (`extends: <package>`), linted by Spectral (bench/peers.py,
pinned 6.16.3) and by `apigov lint`, both as CLI processes from a cold start. Agreement is on
the set of (code, path) pairs: precision = shared / ours, recall = shared / Spectral's.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPUS = REPO.parent / "shared" / "corpus"
CACHE = BENCH / ".cache" / "jsrulesets"
sys.path.insert(0, str(BENCH))
import peers  # noqa: E402

PACKAGES = {
    "ibm": ("@ibm-cloud/openapi-ruleset", "1.33.17"),
    "apisyouwonthate": ("@apisyouwonthate/style-guide", "1.5.0"),
    "documentation": ("@stoplight/spectral-documentation", "1.3.1"),
    "baloise-zalando": ("@baloise/spectral-rules", "1.5.0"),
}
#: what each ruleset file extends (baloise: its Zalando file, as the issue names it)
EXTENDS = {
    "ibm": "@ibm-cloud/openapi-ruleset",
    "apisyouwonthate": "@apisyouwonthate/style-guide",
    "documentation": "@stoplight/spectral-documentation",
    "baloise-zalando": "@baloise/spectral-rules/zalando.yml",
}
DEFAULT_DOCS = [
    "twilio/yaml/twilio_numbers_v2.yaml",
    "vacuum-testfiles/api.github.com.yaml",
    "oai/v3.0/petstore-expanded.yaml",
    "oai/v3.0/uspto.yaml",
    "redocly/museum.yaml",
    "adyen/BalanceControlService-v1.yaml",
    "vacuum-testfiles/asana.yaml",
]
TIMED_DOCS = ["twilio/yaml/twilio_numbers_v2.yaml", "vacuum-testfiles/api.github.com.yaml"]


def install() -> None:
    missing = [f"{n}@{v}" for n, v in PACKAGES.values() if not (CACHE / "node_modules" / n / "package.json").is_file()]
    if not missing:
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    manifest = CACHE / "package.json"
    if not manifest.exists():
        manifest.write_text(json.dumps({"name": "apigov-js-rulesets", "private": True}))
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", *missing], cwd=CACHE, check=True)


def ruleset_file(key: str) -> Path:
    path = CACHE / f"{key}.spectral.yaml"
    path.write_text(f"extends: ['{EXTENDS[key]}']\n")
    return path


def run_ours(doc: Path, ruleset: Path, timeout: float) -> tuple[list, float, str]:
    cmd = [sys.executable, "-m", "apigov_ls.cli", "lint", "-q", "-f", "json", "-r", str(ruleset), str(doc)]
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t
    try:
        return json.loads(done.stdout or "[]"), wall, done.stderr
    except ValueError:
        return [], wall, done.stderr or done.stdout


def pairs(results: list) -> set[tuple]:
    return {(r["code"], tuple(str(p) for p in r["path"])) for r in results}


def compare(key: str, doc_rel: str, timeout: float) -> dict:
    doc = CORPUS / doc_rel
    ruleset = ruleset_file(key)
    spectral = peers.run_spectral(doc, ruleset, timeout=timeout)
    ours, ours_s, err = run_ours(doc, ruleset, timeout)
    row = {"ruleset": key, "doc": doc_rel, "spectral_s": round(spectral.wall_s, 2), "ours_s": round(ours_s, 2)}
    if spectral.timed_out or spectral.returncode == 2 or spectral.results is None:
        row["spectral_error"] = (spectral.stderr or "")[-300:].strip() or "timed out"
        return row
    s, o = pairs(spectral.results), pairs([r for r in ours if r["code"] != "rule-error"])
    shared = len(s & o)
    row.update(
        spectral=len(s), ours=len(o), precision=round(shared / len(o), 4) if o else 1.0,
        recall=round(shared / len(s), 4) if s else 1.0,
        missing=Counter(c for c, _ in s - o).most_common(6), extra=Counter(c for c, _ in o - s).most_common(6),
        rule_errors=[r["message"][:160] for r in ours if r["code"] == "rule-error"],
        ratio=round(ours_s / spectral.wall_s, 2) if spectral.wall_s else None,
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", nargs="*", default=list(PACKAGES), choices=list(PACKAGES))
    ap.add_argument("--docs", nargs="*", default=DEFAULT_DOCS)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--out", default=str(BENCH / "results" / "js_rulesets.json"))
    args = ap.parse_args()
    if not peers.spectral_bin():
        peers.install(quiet=True)
    install()
    rows = []
    for key in args.packages:
        for doc in args.docs:
            row = compare(key, doc, args.timeout)
            rows.append(row)
            print(json.dumps(row), flush=True)
    totals: dict[str, Counter] = {}
    for row in rows:
        if "precision" in row:
            t = totals.setdefault(row["ruleset"], Counter())
            t["spectral"] += row["spectral"]
            t["ours"] += row["ours"]
            t["shared"] += round(row["precision"] * row["ours"])
    for key, t in totals.items():
        print(f"{key}: precision {t['shared'] / max(1, t['ours']):.4f} recall {t['shared'] / max(1, t['spectral']):.4f} "
              f"({t['spectral']} Spectral pairs, {t['ours']} ours)")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
