"""Baseline files: accept today's results, report only new ones.

`apigov baseline FILE... -o baseline.json` records every result as its rule code, its file
(relative to the baseline file's folder), the JSON pointer where its text lives and a
fingerprint: a hash of code + file + pointer + normalised message. Line numbers are not part
of it, so a result survives edits that move it. `apigov lint --baseline FILE` drops results
whose fingerprint is recorded (each recorded entry absorbs one result: a second identical
problem is new).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter

from apigov_ls.document.model import encode_pointer
from apigov_ls.engine.types import LintResult

VERSION = 1


def normalize_message(message: str) -> str:
    return re.sub(r"\s+", " ", message).strip()


def _file_key(source: str | None, base_dir: str) -> str:
    if not source or source.startswith("<"):
        return source or "<stdin>"
    return os.path.relpath(source, base_dir).replace(os.sep, "/")


def entry_for(result: LintResult, base_dir: str) -> dict:
    file = _file_key(result.source, base_dir)
    pointer = encode_pointer(tuple(result.location_path))
    raw = "\x00".join((result.code, file, pointer, normalize_message(result.message)))
    return {
        "code": result.code,
        "file": file,
        "path": pointer,
        "fingerprint": hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32],
    }


def build_baseline(results: list[LintResult], baseline_path: str) -> dict:
    base = os.path.dirname(os.path.abspath(baseline_path))
    entries = sorted((entry_for(r, base) for r in results), key=lambda e: (e["file"], e["path"], e["code"], e["fingerprint"]))
    return {"version": VERSION, "tool": "apigov", "results": entries}


def write_baseline(results: list[LintResult], baseline_path: str) -> int:
    """Write the baseline atomically; returns how many results it records."""
    from apigov_ls.fsutil import write_atomic

    data = build_baseline(results, baseline_path)
    os.makedirs(os.path.dirname(os.path.abspath(baseline_path)), exist_ok=True)
    write_atomic(baseline_path, json.dumps(data, indent=2) + "\n")
    return len(data["results"])


class BaselineError(ValueError):
    pass


def load_baseline(baseline_path: str) -> Counter:
    """Fingerprint -> how many results it accepts."""
    try:
        with open(baseline_path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise BaselineError(f"{baseline_path}: no such baseline file") from None
    except (OSError, ValueError) as err:
        raise BaselineError(f"{baseline_path}: not a baseline file ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise BaselineError(f'{baseline_path}: not a baseline file (no "results" list)')
    return Counter(e["fingerprint"] for e in data["results"] if isinstance(e, dict) and isinstance(e.get("fingerprint"), str))


def new_results(results: list[LintResult], baseline_path: str) -> list[LintResult]:
    """The results the baseline does not account for."""
    accepted = load_baseline(baseline_path)
    base = os.path.dirname(os.path.abspath(baseline_path))
    out = []
    for r in results:
        fp = entry_for(r, base)["fingerprint"]
        if accepted[fp] > 0:
            accepted[fp] -= 1
        else:
            out.append(r)
    return out
