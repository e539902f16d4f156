"""JSONPath engine: one shared walk (Matcher) against one walk per path (CompiledPath.find).

Times are CPU time (process_time): the machine may be shared. A benchmark, not a test: `python bench/bench_jsonpath.py [file] [--repeat N]`.
Default file: ../shared/corpus/vacuum-testfiles/api.github.com.yaml. It is timed twice:
as parsed (`parse_text`, $refs left in place) and, when the document model is available,
resolved (`build_document(...).resolved`: $refs replaced by their shared targets, a DAG).
The paths are the `given` expressions of Spectral's oas and OWASP rulesets, aliases expanded.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from apigov_ls.document.parse import parse_text
from apigov_ls.engine.jsonpath import Matcher, compile_path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEFAULT_FILE = SHARED / "corpus" / "vacuum-testfiles" / "api.github.com.yaml"

_OPERATION = "$.paths[*][get,put,post,delete,options,head,patch,trace]"
_EXAMPLE_GUARD = ("@property !== 'properties' && @ && (@ && @.example !== void 0 || @.default !== void 0) "
                  "&& (@.enum || @.type || @.format || @.$ref || @.properties || @.items)")

PATHS = [
    # spectral:oas (aliases #PathItem, #OperationObject, #ResponseObject... expanded)
    "$",
    "$.paths",
    "$.info.contact",
    "$.tags",
    "$.tags[*]",
    _OPERATION,
    _OPERATION + ".parameters",
    _OPERATION + ".responses[*]",
    _OPERATION + ".security[*]",
    _OPERATION + ".servers[*]",
    _OPERATION + ".callbacks[*][*][*].callbacks",
    "$.security[*]",
    "$.paths[*].parameters[?(@ && @.in)]",
    _OPERATION + ".parameters[?(@ && @.in)]",
    "$.components.parameters[?(@ && @.in)]",
    "$.components.responses[*]",
    "$.components.links[*]",
    "$.servers[*]",
    "$.servers[*].url",
    "$.paths[*].servers[*]",
    "$..[description,title]",
    "$..[?(@property === '$ref')]",
    '$..[?(@ && @.type=="array")]',
    '$..[?(@ && @.type && @.type.constructor.name === "Array" && @.type.includes("array"))]',
    "$..[?(@ && @.enum && @.type)]",
    "$..[?(@property !== 'properties' && @ != null && @.enum && @.enum.constructor.name === 'Array')]",
    "$.components.examples[*]",
    "$.paths[*][*]..content[*].examples[*]",
    "$.paths[*][*]..parameters[*].examples[*]",
    "$.paths[*][*]..headers[*].examples[*]",
    "$..content..[?(@ && @.schema && (@.example !== void 0 || @.examples))]",
    "$..headers..[?(@ && @.schema && (@.example !== void 0 || @.examples))]",
    "$..parameters..[?(@ && @.schema && (@.example !== void 0 || @.examples))]",
    f"$.components.schemas..[?({_EXAMPLE_GUARD})]",
    f"$..content..[?({_EXAMPLE_GUARD})]",
    f"$..parameters..[?({_EXAMPLE_GUARD})]",
    "$.webhooks[*][*].servers",
    # OWASP
    '$.paths..parameters[*][?(@property === "name" && (@ === "id" || @.match(/(_id|Id|-id)$/)))]^.schema',
    '$..[securitySchemes][?(@ && @.type=="apiKey")].in',
    "$..parameters[?(@ && @.in && @.in.match(/query|path/))].name",
    "$.paths..responses",
    "$.paths[*]..responses[?(@property.match(/^(2|4)/))]",
    '$..[?(@ && @.type=="integer")]',
    '$..[?(@ && @.type=="string")]',
    '$..[?(@ && @.type=="object" && @.additionalProperties )]',
    "$.paths.*~",
    "$..properties[*]~",
]


def _time(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def count_nodes(root) -> int:
    n, stack = 0, [root]
    while stack:
        v = stack.pop()
        n += 1
        if type(v) is dict:
            stack.extend(v.values())
        elif type(v) is list:
            stack.extend(v)
    return n


def bench(label: str, data, repeat: int) -> None:
    compiled = [compile_path(p) for p in PATHS]
    matcher = Matcher(compiled)
    nodes = count_nodes(data)
    t_shared, shared = _time(lambda: matcher.run(data), repeat)
    t_each, each = _time(lambda: [cp.find(data) for cp in compiled], repeat)
    same = shared == each
    hits = sum(len(r) for r in shared)
    print(f"{label}: {nodes:,} nodes, {len(compiled)} paths, {hits:,} results")
    print(f"  Matcher.run (one walk)      {t_shared * 1000:9.1f} ms")
    print(f"  CompiledPath.find x{len(compiled):<3}      {t_each * 1000:9.1f} ms   ({t_each / t_shared:.1f}x)")
    print(f"  results identical: {same}")
    slow = sorted(((_time(lambda cp=cp: cp.find(data), 1)[0], cp.expr) for cp in compiled), reverse=True)[:5]
    print("  slowest single paths: " + "; ".join(f"{t * 1000:.0f} ms {e}" for t, e in slow))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    text = Path(args.file).read_text(encoding="utf-8-sig")
    parsed = parse_text(text)
    bench(f"{Path(args.file).name} as parsed", parsed.data, args.repeat)
    try:
        from apigov_ls.document.model import build_document
    except ImportError:
        print("(document model not available: resolved view skipped)")
        return 0
    resolved = build_document(args.file).resolved
    bench(f"{Path(args.file).name} resolved", resolved, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
