"""Whole-document schema validation (rules oas2-schema / oas3-schema): how long it takes.

    python bench/bench_schema.py [corpus-relative paths...] [--jsonschema] [--fastjsonschema]

Default documents: the largest 2.0, 3.0 and 3.1 descriptions of the corpus. For each it prints
the parse time and the time of our compiled AJV-like validator (apigov_ls.engine.schema_compiler)
with formats on and off. Options:
  --jsonschema      also time the `jsonschema` library on the same schema (Draft 2020-12 validator,
                    with and without its FormatChecker). Not run for 3.1/3.2: their schema uses
                    unevaluatedProperties, and jsonschema needed minutes for one 3 MB document.
  --fastjsonschema  also time fastjsonschema (if installed; not a project dependency) for 2.0/3.0.
                    It has no draft 2019+/2020 keywords, so it cannot run the 3.1/3.2 schemas.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import corpus_dir  # noqa: E402

from apigov_ls.document.formats import detect_formats  # noqa: E402
from apigov_ls.document.parse import parse_text  # noqa: E402
from apigov_ls.engine.functions.oas_schema import document_schema_name  # noqa: E402
from apigov_ls.engine.schema_compiler import Compiler  # noqa: E402
from apigov_ls.engine.schema_registry import (  # noqa: E402
    OAS_SCHEMA_FILES,
    base_registry,
    document_validator,
    load_package_schema,
)

DEFAULT_DOCS = [
    "vacuum-testfiles/api.github.com.yaml",  # 3.0.3, 3.4 MB
    "kubernetes/swagger.json",  # 2.0, 3.7 MB
    "openai/openapi.yaml",  # 3.1.0, 3.0 MB
]


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def bench_doc(rel: str, with_jsonschema: bool, with_fast: bool) -> None:
    path = corpus_dir() / rel
    text = path.read_text(encoding="utf-8")
    t = time.perf_counter()
    data = parse_text(text).data
    parse_s = time.perf_counter() - t
    name = document_schema_name(detect_formats(data))
    print(f"\n{rel}  ({len(text) / 1e6:.1f} MB, schema {name}); parse {parse_s:.2f}s")

    validator = document_validator(name)
    dt, errors = best_of(lambda: validator.errors(data))
    print(f"  compiled (ours), formats on : {dt:6.2f}s  {len(errors)} errors")
    no_formats = Compiler(base_registry(), "draft2020-12", True, formats=False).compile(
        base_registry().resources[load_package_schema(OAS_SCHEMA_FILES[name])["$id"].rstrip("#")]
    )
    dt, _ = best_of(lambda: no_formats.errors(data))
    print(f"  compiled (ours), formats off: {dt:6.2f}s")
    dt, ok = best_of(lambda: validator.is_valid(data))
    print(f"  compiled (ours), is_valid   : {dt:6.2f}s  valid={ok}")

    schema = load_package_schema(OAS_SCHEMA_FILES[name])
    if with_jsonschema and name in ("oas2_0", "oas3_0"):
        import jsonschema
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        registry = Registry().with_resources(
            (uri, Resource.from_contents(base_registry().resources[uri], default_specification=DRAFT202012))
            for uri in ("http://json-schema.org/draft-04/schema",)
        )
        for label, checker in (("no formats", None), ("FormatChecker", jsonschema.FormatChecker())):
            v = jsonschema.Draft202012Validator(schema, registry=registry, format_checker=checker)
            dt, n = best_of(lambda: sum(1 for _ in v.iter_errors(data)), repeat=1)
            print(f"  jsonschema, {label:13s}   : {dt:6.2f}s  {n} errors")
    if with_fast and name in ("oas2_0", "oas3_0"):
        try:
            import fastjsonschema
        except ImportError:
            print("  fastjsonschema: not installed")
        else:
            draft7 = dict(schema, **{"$schema": "http://json-schema.org/draft-07/schema#"})
            t = time.perf_counter()
            try:
                check = fastjsonschema.compile(draft7, handlers={"http": lambda uri: base_registry().resources[uri.split("#")[0]]},
                                               formats={"regex": lambda s: True})
            except Exception as exc:  # noqa: BLE001 - report whatever it cannot compile
                print(f"  fastjsonschema: cannot compile: {exc}")
                return
            compile_s = time.perf_counter() - t

            def run_fast():
                try:
                    check(data)
                    return True
                except fastjsonschema.JsonSchemaValueException:
                    return False

            dt, ok = best_of(run_fast)
            print(f"  fastjsonschema (bool)       : {dt:6.2f}s  valid={ok} (compile {compile_s:.2f}s)")


def main(argv: list[str]) -> None:
    docs = [a for a in argv if not a.startswith("--")] or DEFAULT_DOCS
    t = time.perf_counter()
    for name in OAS_SCHEMA_FILES:
        document_validator(name)
    print(f"load + compile the four OpenAPI schemas: {time.perf_counter() - t:.2f}s")
    for rel in docs:
        bench_doc(rel, "--jsonschema" in argv, "--fastjsonschema" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
