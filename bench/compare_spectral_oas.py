"""Compare apigov's spectral:oas results with Spectral's (the oracle of make_oracle.py), per corpus document.

    python bench/compare_spectral_oas.py [--oracle /work/oracle] [--timeout 180] [--json OUT] [SUBSTR ...]

Both sides lint with `extends: [[spectral:oas, all]]` as the CLI does (the file has a source, so
results inside referenced content are reported once, where the content lives). A result is keyed
by (code, file, path in that file); loader codes (unrecognized-format, invalid-ref, parser, ...)
are left out. Prints, per document, Spectral's count, ours and the common multiset; then every
rule code whose counts differ.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

import corpus

from apigov_ls.document.model import build_document
from apigov_ls.engine.ruleset import load_ruleset_text
from apigov_ls.engine.runner import lint_document

NOT_RULES = {"unrecognized-format", "invalid-ref", "parser", "remote-ref"}


def _ours(path: Path, ruleset) -> Counter:
    document = build_document(str(path))
    out: Counter = Counter()
    for r in lint_document(document, ruleset):
        if r.code in NOT_RULES:
            continue
        pointer = r.source_pointer if r.source_pointer is not None else r.path
        out[(r.code, os.path.realpath(r.source or ""), tuple(str(p) for p in pointer))] += 1
    return out


def _theirs(results: list) -> Counter:
    return Counter(
        (r["code"], os.path.realpath(r.get("source") or ""), tuple(str(p) for p in r["path"]))
        for r in results
        if r["code"] not in NOT_RULES
    )


class _Timeout(Exception):
    pass


def _on_alarm(*_):
    raise _Timeout()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oracle", type=Path, default=Path("/work/oracle"))
    ap.add_argument("--timeout", type=int, default=180, help="seconds per document for our side")
    ap.add_argument("--json", type=Path, help="write the per-document differences here")
    ap.add_argument("only", nargs="*", help="only documents whose path contains one of these")
    args = ap.parse_args()

    ruleset = load_ruleset_text('extends: [["spectral:oas", "all"]]\n', str(Path(__file__).parent / "compare.spectral.yaml"))
    signal.signal(signal.SIGALRM, _on_alarm)
    spectral_codes: Counter = Counter()
    our_codes: Counter = Counter()
    common_codes: Counter = Counter()
    differences: dict = {}
    for doc in corpus.load_manifest():
        if args.only and not any(o in doc.rel_path for o in args.only):
            continue
        oracle_file = args.oracle / "spectral-oas" / (doc.rel_path + ".json")
        if not oracle_file.exists():
            print(f"{doc.rel_path}: no Spectral result in the oracle")
            continue
        theirs = _theirs(json.loads(oracle_file.read_text(encoding="utf-8")))
        started = time.time()
        signal.alarm(args.timeout)
        try:
            ours = _ours(doc.path, ruleset)
        except _Timeout:
            print(f"{doc.rel_path}: we did not finish within {args.timeout}s")
            continue
        finally:
            signal.alarm(0)
        common = ours & theirs
        for counter, source in ((spectral_codes, theirs), (our_codes, ours), (common_codes, common)):
            for key, n in source.items():
                counter[key[0]] += n
        differences[doc.rel_path] = {
            "ours_only": [[k[0], k[1], list(k[2])] for k in (ours - theirs).elements()],
            "spectral_only": [[k[0], k[1], list(k[2])] for k in (theirs - ours).elements()],
        }
        print(
            f"{doc.rel_path}: spectral {sum(theirs.values())} ours {sum(ours.values())} "
            f"common {sum(common.values())} ({time.time() - started:.1f}s)",
            flush=True,
        )
    print(f"TOTAL spectral {sum(spectral_codes.values())} ours {sum(our_codes.values())} common {sum(common_codes.values())}")
    for code in sorted(set(spectral_codes) | set(our_codes)):
        if not spectral_codes[code] == our_codes[code] == common_codes[code]:
            print(f"  {code}: spectral {spectral_codes[code]} ours {our_codes[code]} common {common_codes[code]}")
    if args.json:
        args.json.write_text(json.dumps(differences, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
