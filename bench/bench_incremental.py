"""Engine-only edit latency: replay an editing session directly against IncrementalLinter.

One command (a benchmark, not a test):

    python bench/bench_incremental.py [--docs NAME...] [--rulesets R...] [--bursts N] [--burst-chars N]
                                      [--structural N] [--json bench/results/incremental.json]

The session comes from bench/edit_scripts.py (the same kinds as the LSP benchmark
bench/bench_edit_latency.py: typing in summaries/descriptions, renaming a path, adding a response,
deleting an operation and undoing it, pasting a component). Each edit is turned into one
TextEdit and timed around `IncrementalLinter.update` (CPU time of this process, and wall time);
no LSP, no server, no results cache: this measures the engine alone. Reported per document and
ruleset: p50/p95/max per kind and overall, and how each update was done (incremental / full).
Machines here are shared: read the CPU columns.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from corpus import corpus_dir  # noqa: E402
from edit_scripts import index_of, json_typing_session, session, summarize  # noqa: E402

from apigov_ls.document.incremental import TextEdit  # noqa: E402
from apigov_ls.engine.ruleset import load_ruleset  # noqa: E402
from apigov_ls.incremental import IncrementalLinter  # noqa: E402

DOCS = ["vacuum-testfiles/api.github.com.yaml", "redocly/museum.yaml"]
RULESETS = ["apigov:recommended", "spectral:oas"]
KINDS = ["type", "rename-path", "add-response", "delete-operation", "undo-delete", "paste-component"]


def to_text_edit(text: str, change, line_starts: list[int]) -> TextEdit:
    """An LSP change (line, UTF-16 character) of `text` as code-point offsets."""

    def offset(pos: tuple[int, int]) -> int:
        line, character = pos
        if line >= len(line_starts):
            return len(text)
        start = line_starts[line]
        end = text.find("\n", start)
        return start + index_of(text[start: len(text) if end < 0 else end], character)

    return TextEdit(offset(change.start), offset(change.end), change.text)


def line_starts_of(text: str) -> list[int]:
    starts = [0]
    i = text.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def edits_for(path: Path, text: str, args) -> list:
    """The session's edits: the YAML script, or typing bursts in descriptions for a JSON document
    (the structural kinds of the YAML script find their targets by indentation)."""
    if path.suffix == ".json":
        return json_typing_session(text, bursts=args.bursts, burst_chars=args.burst_chars)[0]
    return session(text, bursts=args.bursts, burst_chars=args.burst_chars, structural=args.structural)[0]


def replay(path: Path, ruleset_name: str, args) -> dict:
    text = path.read_text(encoding="utf-8")
    edits = edits_for(path, text, args)
    ruleset = load_ruleset(ruleset_name)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    c0, w0 = time.process_time(), time.perf_counter()
    linter = IncrementalLinter(str(path), ruleset, text=text)
    initial = {"cpu_ms": (time.process_time() - c0) * 1000, "wall_ms": (time.perf_counter() - w0) * 1000}
    cpu: dict[str, list[float]] = defaultdict(list)
    wall: dict[str, list[float]] = defaultdict(list)
    modes: dict[str, Counter] = defaultdict(Counter)
    current = linter.text
    starts = line_starts_of(current)
    for edit in edits:
        te = to_text_edit(current, edit.change, starts)
        c0, w0 = time.process_time(), time.perf_counter()
        linter.update([te])
        c1, w1 = time.process_time(), time.perf_counter()
        current = linter.text
        starts = line_starts_of(current)
        for kind in (edit.kind, "all"):
            cpu[kind].append((c1 - c0) * 1000)
            wall[kind].append((w1 - w0) * 1000)
            modes[kind][linter.last_mode] += 1
    kinds = [k for k in KINDS + ["all"] if k in cpu]
    return {
        "document": str(path.relative_to(corpus_dir())),
        "bytes": len(text.encode("utf-8")),
        "ruleset": ruleset_name,
        "initial_check": initial,
        "results": len(linter.results),
        "kinds": {k: {"cpu_ms": summarize(cpu[k]), "wall_ms": summarize(wall[k]), "modes": dict(modes[k])} for k in kinds},
    }


def fmt(v) -> str:
    return "-" if v is None else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def table(run: dict) -> str:
    head = f"{run['document']} ({run['bytes'] // 1024} KiB), {run['ruleset']}: initial check {fmt(run['initial_check']['cpu_ms'])} ms CPU, {run['results']} results at the end"
    rows = [head, f"  {'kind':<17}{'n':>5}{'p50':>9}{'p95':>9}{'max':>9}   {'wall p50':>9}{'wall p95':>9}   modes",
            "  " + "-" * 84]
    for kind, s in run["kinds"].items():
        c, w = s["cpu_ms"], s["wall_ms"]
        modes = " ".join(f"{m}={n}" for m, n in sorted(s["modes"].items()))
        rows.append(f"  {kind:<17}{c['n']:>5}{fmt(c['p50']):>9}{fmt(c['p95']):>9}{fmt(c['max']):>9}   {fmt(w['p50']):>9}{fmt(w['p95']):>9}   {modes}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", nargs="+", default=DOCS, help="corpus paths (default: %(default)s)")
    ap.add_argument("--rulesets", nargs="+", default=RULESETS)
    ap.add_argument("--bursts", type=int, default=4, help="typing bursts (default 4)")
    ap.add_argument("--burst-chars", type=int, default=30, help="keystrokes per burst (default 30)")
    ap.add_argument("--structural", type=int, default=20,
                    help="rounds of rename-path, add-response, delete-operation, undo-delete, paste-component (default 20)")
    ap.add_argument("--json", default=str(HERE / "results" / "incremental.json"))
    args = ap.parse_args(argv)
    runs = []
    for name in args.docs:
        path = corpus_dir() / name
        if not path.is_file():
            print(f"skipped {name}: not in the corpus", file=sys.stderr)
            continue
        for ruleset in args.rulesets:
            run = replay(path, ruleset, args)
            runs.append(run)
            print(table(run), flush=True)
            print()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE.parent).stdout.strip()
    except OSError:
        commit = ""
    out = {"commit": commit, "python": platform.python_version(), "unit": "ms per IncrementalLinter.update",
           "session": {"bursts": args.bursts, "burst_chars": args.burst_chars, "structural": args.structural}, "runs": runs}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"written {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
