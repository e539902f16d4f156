"""Where an edit's time goes outside the engine: the server's per-edit steps, timed one by one in-process.

    python bench/server_costs.py [--doc vacuum-testfiles/api.github.com.yaml] [--repeat 5]

A benchmark, not a test; complements bench_edit_latency.py (which sees only the end-to-end time and
the worker's own check time). For one document it replays, outside any event loop, what the server
does for one didChange of one open root (apigov_ls/server):
 1. the open document applies the incremental change: pygls's TextDocument, and the server's own
    IndexedDocument (apigov_ls/server/text_sync.py) when this checkout has it
 2. the main process pickles the CheckJob (the open texts) for the worker pool; the worker unpickles it
 3. the worker checks (checker.run_check; an IncrementalLinter after the first run)
 4. the worker pickles the Analysis; the main process unpickles it
 5. the main process turns findings into lsprotocol Diagnostics (ApigovLanguageServer._entries)
 6. DiagnosticStore.set_origin: the diff against the previous diagnostics
 7. serializing the publishDiagnostics notification to JSON (pygls's converter + json.dumps)
Each step is timed with the server's own code; p50 over --repeat edits (a one-line edit in a
description near the middle of the document, so every check is incremental and the result changes
in size only by what the edit changes).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import edit_scripts  # noqa: E402
from corpus import corpus_dir  # noqa: E402


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--doc", default="vacuum-testfiles/api.github.com.yaml")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=str(HERE / "results" / "server_costs.json"))
    args = ap.parse_args()

    from lsprotocol import types
    from pygls.protocol import default_converter
    from pygls.workspace import TextDocument

    from apigov_ls.server.checker import CheckJob, run_check
    from apigov_ls.server.config import Settings
    from apigov_ls.server.diagnostics import DiagnosticStore
    from apigov_ls.server.server import ApigovLanguageServer
    from apigov_ls.server.workspace import path_to_uri

    path = str(corpus_dir() / args.doc)
    text = Path(path).read_text(encoding="utf-8")
    uri = path_to_uri(path)
    docs = {"pygls TextDocument": TextDocument(uri, text, version=1)}
    try:
        from apigov_ls.server.text_sync import IndexedDocument

        docs["server IndexedDocument"] = IndexedDocument(uri, text, version=1)
    except ImportError:  # older checkouts: the server used pygls's TextDocument
        pass
    store = DiagnosticStore()
    converter = default_converter()
    script = edit_scripts.EditScript(text)
    targets = script.typing_targets()
    line = targets[len(targets) // 2]
    steps: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    held: dict[str, str] = {}

    def check(current: str) -> None:
        job = CheckJob(path, {path: current}, Settings(), [str(Path(path).parent)], False, "utf-16", 0)
        if hasattr(job, "held"):  # the server names the parts it holds: unchanged ones are left out
            job.held = dict(held)
        blob, t = timed(pickle.dumps, job)
        steps.setdefault("2 pickle CheckJob (main)", []).append(t)
        sizes["CheckJob pickle bytes"] = len(blob)
        job, t = timed(pickle.loads, blob)
        steps.setdefault("2 unpickle CheckJob (worker)", []).append(t)
        analysis, t = timed(run_check, job)
        steps.setdefault("3 check (worker, run_check)", []).append(t)
        blob, t = timed(pickle.dumps, analysis)
        steps.setdefault("4 pickle Analysis (worker)", []).append(t)
        sizes["Analysis pickle bytes"] = len(blob)
        sizes["findings"] = len(analysis.findings)
        for part in ("findings", "refs", "symbols"):  # which fields the pickling is spent on
            piece, t = timed(pickle.dumps, getattr(analysis, part))
            _, t2 = timed(pickle.loads, piece)
            steps.setdefault(f"4   of which Analysis.{part}: pickle + unpickle", []).append(t + t2)
            sizes[f"Analysis.{part} pickle bytes"] = len(piece)
        analysis, t = timed(pickle.loads, blob)
        steps.setdefault("4 unpickle Analysis (main)", []).append(t)
        held.update(getattr(analysis, "tokens", {}))
        sizes["refs sent"] = len(analysis.refs) if analysis.refs is not None else 0
        sizes["symbols sent"] = len(analysis.symbols) if analysis.symbols is not None else 0
        (per_uri, versions), t = timed(ApigovLanguageServer._entries, None, analysis)
        steps.setdefault("5 findings -> Diagnostics (main)", []).append(t)
        _, t = timed(store.set_origin, ("root", path), per_uri, versions)
        steps.setdefault("6 DiagnosticStore.set_origin (main)", []).append(t)
        t0 = time.perf_counter()
        params = types.PublishDiagnosticsParams(uri=uri, diagnostics=store.diagnostics(uri), version=1)
        body = json.dumps({"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
                           "params": converter.unstructure(params)})
        steps.setdefault("7 publish: diagnostics + JSON (main)", []).append(time.perf_counter() - t0)
        sizes["publish bytes"] = len(body)

    print(f"{args.doc}: {len(text) / 1e6:.1f} MB, {text.count(chr(10))} lines; first (full) check...", flush=True)
    check(text)
    steps = {}  # the first check is the cold one: not an edit
    for n in range(args.repeat):
        for name, doc in docs.items():
            col = edit_scripts.utf16_len(script.lines[line])
            change = types.TextDocumentContentChangePartial(range=types.Range(types.Position(line, col), types.Position(line, col)), text="x")
            _, t = timed(doc.apply_change, change)
            steps.setdefault(f"1 {name} applies the change (main)", []).append(t)
        script.lines[line] += "x"
        assert len({d.source for d in docs.values()}) == 1
        check(doc.source)

    print(f"\n{'step':52} {'p50 ms':>8} {'max ms':>8}")
    for name in sorted(steps):
        vals = steps[name]
        print(f"{name:52} {edit_scripts.percentile(vals, 50) * 1000:8.1f} {max(vals) * 1000:8.1f}")
    main_steps = [k for k in steps if "(main)" in k and not (len(docs) > 1 and k.startswith("1 pygls"))]
    total_main = sum(edit_scripts.percentile(steps[k], 50) for k in main_steps)
    print(f"{'main process per edit (sum of p50s)':52} {total_main * 1000:8.1f}")
    for k, v in sizes.items():
        print(f"  {k}: {v:,}")
    out = {"document": args.doc, "repeat": args.repeat, "sizes": sizes,
           "steps_p50_ms": {k: edit_scripts.percentile(v, 50) * 1000 for k, v in steps.items()},
           "steps_ms": {k: [x * 1000 for x in v] for k, v in steps.items()}}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=1))
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
