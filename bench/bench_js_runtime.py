"""Which JavaScript runtime for custom functions: the Node.js worker vs an embedded V8 (mini-racer).

    /tmp/venv/bin/python bench/bench_js_runtime.py [DOC]              # the Node.js worker
    /tmp/jsbench-venv/bin/python bench/bench_js_runtime.py --mini-racer [DOC]
                                                                     # mini-racer, from a scratch venv
Measures, for each: start-up, one tiny round trip, sending one document (twilio_numbers_v2 by
default) and one function over 5,000 targets in one batch. mini-racer is not a project
dependency: install it into a scratch venv (`python -m venv /tmp/jsbench-venv &&
/tmp/jsbench-venv/bin/pip install mini-racer`). Results are in docs/javascript.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DOC = REPO.parent / "shared" / "corpus" / "twilio" / "yaml" / "twilio_numbers_v2.yaml"
FUNCTION = "(input, options, context) => (typeof input === 'string' && input.length > options.max ? [{message: 'long'}] : undefined)"


def timed(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def load_data(doc: Path):
    sys.path.insert(0, str(REPO))
    from apigov_ls.document.model import build_document

    return build_document(str(doc))


def strings(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings(v, path + (i,))
    elif isinstance(node, str):
        yield path, node


def bench_node(doc: Path) -> dict:
    sys.path.insert(0, str(REPO))
    from apigov_ls.engine.js import runtime

    out: dict = {}
    t = time.perf_counter()
    worker = runtime.Worker(runtime.node_executable())
    out["start_s"] = time.perf_counter() - t
    out["round_trip_ms"] = timed(lambda: worker.request("hello"), 200) * 1000
    document = load_data(doc)
    out["send_document_s"] = timed(lambda: (worker._documents.clear(), worker.document_id(document)), 3)
    fn_file = Path("/tmp/apigov-bench-fn.js")
    fn_file.write_text("module.exports = " + FUNCTION + ";\n")
    fn_id = worker.request("loadFunction", path=str(fn_file), name="f")["fn"]
    targets = [[list(p), [v], list(p)] for p, v in list(strings(document.resolved))[:5000]]
    doc_id = worker.document_id(document)
    out["targets"] = len(targets)
    out["batch_call_s"] = timed(lambda: worker.request("call", fn=fn_id, doc=doc_id, resolved=True, options={"max": 20}, rule={}, targets=targets), 3)
    out["per_target_calls_s"] = timed(lambda: [worker.request("call", fn=fn_id, doc=doc_id, resolved=True, options={"max": 20}, rule={}, targets=[t]) for t in targets[:500]]) * len(targets) / 500
    worker.close()
    return out


def bench_mini_racer(doc: Path) -> dict:
    from py_mini_racer import MiniRacer

    out: dict = {}
    t = time.perf_counter()
    ctx = MiniRacer()
    out["start_s"] = time.perf_counter() - t
    out["round_trip_ms"] = timed(lambda: ctx.eval("1"), 200) * 1000
    document = load_data(doc)
    text = json.dumps(document.resolved)
    out["send_document_s"] = timed(lambda: ctx.eval(f"globalThis.doc = JSON.parse({json.dumps(text)}); 0"), 3)
    ctx.eval(f"globalThis.f = {FUNCTION}")
    targets = [[list(p), [v]] for p, v in list(strings(document.resolved))[:5000]]
    out["targets"] = len(targets)
    batch = "(ts, o) => JSON.stringify(ts.map(([p, [v]]) => f(v, o, {path: p, document: {data: doc}}) || null))"
    ctx.eval(f"globalThis.batch = {batch}")
    out["batch_call_s"] = timed(lambda: ctx.call("batch", targets, {"max": 20}), 3)
    out["per_target_calls_s"] = timed(lambda: [ctx.call("batch", [t], {"max": 20}) for t in targets[:500]]) * len(targets) / 500
    out["note"] = "no require/import, no node_modules: rulesets would have to be bundled first"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("doc", nargs="?", default=str(DEFAULT_DOC))
    ap.add_argument("--mini-racer", action="store_true")
    args = ap.parse_args()
    result = bench_mini_racer(Path(args.doc)) if args.mini_racer else bench_node(Path(args.doc))
    print(json.dumps({"runtime": "mini-racer" if args.mini_racer else "node-worker", **result}, indent=2))
    sys.stdout.flush()
    os._exit(0)  # mini-racer's V8 threads keep the interpreter from exiting


if __name__ == "__main__":
    main()
