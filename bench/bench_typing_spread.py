"""Engine typing latency spread over a document's regions: operations *and* components.

One command (a benchmark, not a test):

    python bench/bench_typing_spread.py [--doc vacuum-testfiles/api.github.com.yaml] [--ruleset apigov:recommended]
                                        [--regions 40] [--keys 3] [--json bench/results/typing_spread.json]

bench_incremental.py types in operation summaries only. A component can be `$ref`'d from hundreds of
places, and an edit in it changes the resolved view wherever it is used, so its cost depends on how
widely it is referenced. This script picks `--regions` operations and `--regions` component schemas
spread evenly over the document (one-line plain `description:`/`summary:` scalars, so appending letters
keeps the YAML valid), types `--keys` letters at the end of that line in each, and times every
`IncrementalLinter.update` (CPU time of this process). Reported: p50/p95/max per class, how many
regions each edit re-checked, and the slowest regions. Machines here are shared: read CPU times and
compare revisions in the same run (`PYTHONPATH=<export>`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from corpus import corpus_dir  # noqa: E402
from edit_scripts import summarize  # noqa: E402

from apigov_ls.document.incremental import TextEdit  # noqa: E402
from apigov_ls.engine.ruleset import load_ruleset  # noqa: E402
from apigov_ls.incremental import IncrementalLinter  # noqa: E402

_PLAIN_LINE = re.compile(r"^(\s*)(description|summary): ([A-Za-z][^#'\"\n]*[A-Za-z0-9.)])$")


def typing_lines(text: str) -> dict[str, list[int]]:
    """Offsets of line ends where letters can be appended, by class: inside an operation under
    `paths:` or inside a schema under `components: schemas:` (indentation decides)."""
    out: dict[str, list[int]] = {"operation": [], "component": []}
    top = sub = ""
    pos = 0
    for line in text.splitlines(keepends=True):
        end = pos + len(line.rstrip("\r\n"))
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if stripped.strip() and not stripped.startswith("#"):
            if indent == 0:
                top, sub = stripped.split(":", 1)[0], ""
            elif indent == 2:
                sub = stripped.split(":", 1)[0]
            m = _PLAIN_LINE.match(line.rstrip("\r\n"))
            if m:
                if top == "paths" and indent == 6:  # paths: /x: get: description
                    out["operation"].append(end)
                elif top == "components" and sub == "schemas" and indent >= 6:
                    out["component"].append(end)
        pos += len(line)
    return out


def spread(items: list, n: int) -> list:
    if len(items) <= n:
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def replay(doc: Path, ruleset_name: str, regions: int, keys: int) -> dict:
    text = doc.read_text(encoding="utf-8")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    c0 = time.process_time()
    linter = IncrementalLinter(str(doc), load_ruleset(ruleset_name), text=text)
    initial = (time.process_time() - c0) * 1000
    targets = typing_lines(text)
    # every target is an offset in the original text: type from the end backwards, so offsets before
    # an edit stay valid
    plan = sorted(((off, cls) for cls, offs in targets.items() for off in spread(offs, regions)), reverse=True)
    cpu: dict[str, list[float]] = {"operation": [], "component": []}
    per_region: list[dict] = []
    modes: dict[str, int] = {}
    for off, cls in plan:
        times = []
        for k in range(keys):
            c0 = time.process_time()
            linter.update([TextEdit(off + k, off + k, "x")])
            times.append((time.process_time() - c0) * 1000)
            modes[linter.last_mode] = modes.get(linter.last_mode, 0) + 1
        cpu[cls].extend(times)
        per_region.append({"class": cls, "region": "/".join(map(str, linter.last_region)), "rechecked": linter.last_rechecked,
                           "cpu_ms": times})
    slowest = sorted(per_region, key=lambda r: -max(r["cpu_ms"]))[:8]
    return {
        "document": str(doc.relative_to(corpus_dir())),
        "ruleset": ruleset_name,
        "initial_cpu_ms": initial,
        "keys_per_region": keys,
        "modes": modes,
        "classes": {cls: summarize(v) for cls, v in cpu.items()},
        "all": summarize(cpu["operation"] + cpu["component"]),
        "slowest": slowest,
        "regions": per_region,
    }


def fmt(v) -> str:
    return "-" if v is None else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--doc", default="vacuum-testfiles/api.github.com.yaml")
    ap.add_argument("--ruleset", default="apigov:recommended")
    ap.add_argument("--regions", type=int, default=40, help="operations and component schemas each (default 40)")
    ap.add_argument("--keys", type=int, default=3, help="letters typed per region (default 3)")
    ap.add_argument("--json", default=str(HERE / "results" / "typing_spread.json"))
    args = ap.parse_args(argv)
    run = replay(corpus_dir() / args.doc, args.ruleset, args.regions, args.keys)
    print(f"{run['document']}, {run['ruleset']}: initial check {fmt(run['initial_cpu_ms'])} ms CPU; modes {run['modes']}")
    print(f"  {'class':<11}{'n':>5}{'p50':>9}{'p95':>9}{'max':>9}")
    for cls, s in list(run["classes"].items()) + [("all", run["all"])]:
        print(f"  {cls:<11}{s['n']:>5}{fmt(s['p50']):>9}{fmt(s['p95']):>9}{fmt(s['max']):>9}")
    print("  slowest regions (CPU ms per keystroke, regions re-checked):")
    for r in run["slowest"]:
        print(f"    {r['class']:<10} {r['region']:<60} {' '.join(fmt(t) for t in r['cpu_ms'])}  ({r['rechecked']})")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(run, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
