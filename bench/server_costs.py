"""Where an edit's time goes outside the engine: the server's per-edit steps, timed one by one in-process.

    python bench/server_costs.py [--doc vacuum-testfiles/api.github.com.yaml] [--repeat 5]

A benchmark, not a test; complements bench_edit_latency.py (which sees only the end-to-end time and
the worker's own check time). For one document it replays, outside any event loop, what the server
does for one didChange of one open root (apigov_ls/server):
 1. the open document applies the incremental change: pygls's TextDocument, and the server's own
    IndexedDocument (apigov_ls/server/text_sync.py) when this checkout has it
 2. the main process pickles the CheckJob for the worker pool; the worker unpickles it. The job carries
    the open text whole, or (checkouts with text_deltas.py) only the edits since the text the worker
    holds, built by the server's own Checker._send_edits from IndexedDocument's edit log
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
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import edit_scripts  # noqa: E402
from corpus import corpus_dir  # noqa: E402


#: step name -> CPU seconds of each run (time.process_time: the machine is shared, wall times vary with its load)
CPU: dict[str, list[float]] = {}
_last_cpu: list[float] = [0.0]


def timed(fn, *args):
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args)
    _last_cpu[0] = time.process_time() - c
    return out, time.perf_counter() - t


def record(steps: dict, name: str, seconds: float) -> None:
    """Wall seconds of the step just timed, and its CPU seconds."""
    steps.setdefault(name, []).append(seconds)
    CPU.setdefault(name, []).append(_last_cpu[0])


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
    server_self = SimpleNamespace()  # what ApigovLanguageServer._entries reads of the server
    try:
        from apigov_ls.server.convert import DiagnosticReuse

        server_self.diagnostic_reuse = DiagnosticReuse()
    except ImportError:  # older checkouts: every finding converted every time
        pass
    indexed = docs.get("server IndexedDocument")
    sender = root_state = None
    if hasattr(indexed, "token"):  # the checkout sends edits instead of texts
        from apigov_ls.server.checker import Checker, _RootState
        from apigov_ls.server.workspace import Snapshot

        sender = Checker(None, None, None, None, None, edits_between=lambda p, base, token: indexed.edits_since(base))
        root_state = _RootState()
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
        if sender is not None:
            sender._send_edits(root_state, job, Snapshot({path: current}, {path: 1}, {path: indexed.token}))
        blob, t = timed(pickle.dumps, job)
        record(steps, "2 pickle CheckJob (main)", t)
        sizes["CheckJob pickle bytes"] = len(blob)
        job, t = timed(pickle.loads, blob)
        record(steps, "2 unpickle CheckJob (worker)", t)
        analysis, t = timed(run_check, job)
        record(steps, "3 check (worker, run_check)", t)
        blob, t = timed(pickle.dumps, analysis)
        record(steps, "4 pickle Analysis (worker)", t)
        sizes["Analysis pickle bytes"] = len(blob)
        sizes["findings"] = len(analysis.findings)
        for part in ("findings", "refs", "symbols"):  # which fields the pickling is spent on
            piece, t = timed(pickle.dumps, getattr(analysis, part))
            _, t2 = timed(pickle.loads, piece)
            record(steps, f"4   of which Analysis.{part}: pickle + unpickle", t + t2)
            sizes[f"Analysis.{part} pickle bytes"] = len(piece)
        analysis, t = timed(pickle.loads, blob)
        record(steps, "4 unpickle Analysis (main)", t)
        held.update(getattr(analysis, "tokens", {}))
        sizes["refs sent"] = len(analysis.refs) if analysis.refs is not None else 0
        sizes["symbols sent"] = len(analysis.symbols) if analysis.symbols is not None else 0
        (per_uri, versions), t = timed(ApigovLanguageServer._entries, server_self, analysis)
        record(steps, "5 findings -> Diagnostics (main)", t)
        _, t = timed(store.set_origin, ("root", path), per_uri, versions)
        record(steps, "6 DiagnosticStore.set_origin (main)", t)
        t0, c0 = time.perf_counter(), time.process_time()
        params = types.PublishDiagnosticsParams(uri=uri, diagnostics=store.diagnostics(uri), version=1)
        body = json.dumps({"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
                           "params": converter.unstructure(params)})
        _last_cpu[0] = time.process_time() - c0
        record(steps, "7 publish: diagnostics + JSON (main)", time.perf_counter() - t0)
        sizes["publish bytes"] = len(body)

    print(f"{args.doc}: {len(text) / 1e6:.1f} MB, {text.count(chr(10))} lines; first (full) check...", flush=True)
    check(text)
    steps = {}  # the first check is the cold one: not an edit
    CPU.clear()
    for n in range(args.repeat):
        for name, doc in docs.items():
            col = edit_scripts.utf16_len(script.lines[line])
            change = types.TextDocumentContentChangePartial(range=types.Range(types.Position(line, col), types.Position(line, col)), text="x")
            _, t = timed(doc.apply_change, change)
            record(steps, f"1 {name} applies the change (main)", t)
        script.lines[line] += "x"
        assert len({d.source for d in docs.values()}) == 1
        check(doc.source)

    print(f"\n{'step':52} {'p50 ms':>8} {'max ms':>8} {'cpu p50':>8}")
    for name in sorted(steps):
        vals, cpu = steps[name], CPU.get(name, [0.0])
        print(f"{name:52} {edit_scripts.percentile(vals, 50) * 1000:8.1f} {max(vals) * 1000:8.1f} "
              f"{edit_scripts.percentile(cpu, 50) * 1000:8.1f}")
    main_steps = [k for k in steps if "(main)" in k and not (len(docs) > 1 and k.startswith("1 pygls"))]
    total_main = sum(edit_scripts.percentile(steps[k], 50) for k in main_steps)
    cpu_main = sum(edit_scripts.percentile(CPU[k], 50) for k in main_steps if k in CPU)
    print(f"{'main process per edit (sum of p50s)':52} {total_main * 1000:8.1f} {'':8} {cpu_main * 1000:8.1f}")
    for k, v in sizes.items():
        print(f"  {k}: {v:,}")
    out = {"document": args.doc, "repeat": args.repeat, "sizes": sizes,
           "steps_p50_ms": {k: edit_scripts.percentile(v, 50) * 1000 for k, v in steps.items()},
           "steps_cpu_p50_ms": {k: edit_scripts.percentile(v, 50) * 1000 for k, v in CPU.items() if k in steps},
           "steps_ms": {k: [x * 1000 for x in v] for k, v in steps.items()}}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=1))
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
