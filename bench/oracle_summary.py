"""Write OUT/SUMMARY.md from an oracle made by make_oracle.py: timings, failures, rule counts."""
from __future__ import annotations

import json
import platform
import os
from collections import Counter
from pathlib import Path

import corpus
import peers

SPECTRAL_TOOLS = ("spectral-oas", "spectral-owasp")
# Spectral codes that mean "could not lint this properly" rather than a finding.
SPECTRAL_TROUBLE_CODES = {"unrecognized-format", "parser", "invalid-ref"}
SEVERITY = {0: "error", 1: "warn", 2: "info", 3: "hint"}


def _load_results(out: Path, tool: str, rel: str):
    path = out / tool / (rel + ".json")
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _codes(tool: str, results) -> Counter:
    if results is None:
        return Counter()
    if tool == "redocly":
        return Counter(p["ruleId"] for p in results.get("problems", []))
    return Counter(r["code"] for r in results)


def _num(v, fmt: str) -> str:
    return format(v, fmt) if v is not None else "?"


def _cell(t: dict | None) -> str:
    """wall s / CPU s / peak MB; a timeout shows what it had used when killed."""
    if not t:
        return "not run"
    if t.get("harness_error"):
        return "harness error"
    cell = f"{_num(t['wall_s'], '.1f')} / {_num(t.get('cpu_s'), '.1f')} / {_num(t.get('peak_rss_mb'), '.0f')}"
    if t.get("timed_out"):
        cell = f"TIMEOUT ({cell})"
    if t.get("timeout_clock") == "cpu":
        cell += " †"
    for e in t.get("earlier_attempts", []):
        cell += f"; earlier TIMEOUT at {e['wall_s']:.0f} s wall ({_num(e.get('cpu_s'), '.0f')} s CPU)"
    return cell


def _problems(tool: str, t: dict | None, results) -> list[str]:
    """Why a run is not a clean lint: crash, timeout, unparsable output, stderr noise, trouble codes."""
    if not t:
        return []
    notes = []
    if t.get("harness_error"):
        notes.append(f"harness error {t['harness_error']}")
    if t.get("timed_out") and t.get("timeout_clock") == "cpu":
        notes.append(f"used its {t['timeout_s']:.0f} s CPU budget without finishing ({t['wall_s']:.0f} s wall,"
                     f" {_num(t.get('peak_rss_mb'), '.0f')} MB); earlier it hit the 300 s wall limit")
    elif t.get("timed_out"):
        notes.append(f"timed out after {t['wall_s']:.0f}s")
    elif t.get("returncode") not in (0, 1):
        notes.append(f"exit code {t.get('returncode')}")
    if t.get("parse_error"):
        notes.append(f"output not JSON: {t['parse_error'][:160]}")
    stderr = (t.get("stderr") or "").strip()
    if tool == "redocly" and "Failed to parse" in stderr:
        tail = " ".join(stderr[stderr.index("Failed to parse"):].split())
        notes.append(f"stderr: {tail[:240]}")
    if stderr and tool != "redocly":  # Redocly always chats on stderr
        first = next((ln for ln in stderr.splitlines() if ln.strip()), "")
        notes.append(f"stderr: {first[:200]}")
    if tool in SPECTRAL_TOOLS and results:
        for code, n in sorted(_codes(tool, results).items()):
            if code in SPECTRAL_TROUBLE_CODES:
                msg = next(r["message"] for r in results if r["code"] == code)
                notes.append(f"{n}x `{code}` (e.g. {msg[:160]!r})")
    return notes


def _fmt_counts(counts: Counter) -> str:
    return ", ".join(f"`{c}` {n}" for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"


def write_summary(out: Path, docs: list[corpus.CorpusDoc], timings: dict) -> Path:
    lines = ["# Peer-linter oracle for the shared corpus", ""]
    lines += [
        "Made by `bench/make_oracle.py` (see bench/README.md). Versions: "
        + ", ".join(f"{p} {v}" for p, v in peers.PINNED.items())
        + f"; node {os.popen('node --version').read().strip()}; {platform.machine()}, {os.cpu_count()} cores.",
        "",
        "- spectral-oas: `extends: [[\"spectral:oas\", \"all\"]]`; spectral-owasp: the OWASP ruleset, all rules"
        " (`rulesets/`). Both `spectral lint -q -f json`.",
        "- redocly: `redocly lint --format json --extends recommended`.",
        "- Up to 2 runs in parallel on a 2-core machine that other engineers were using at the same time"
        " (1-minute load average up to ~11): **wall times are inflated, often several-fold; compare CPU"
        " seconds (user+system)**. Peak RSS and CPU from `/usr/bin/time -v`. Timeout 300 s wall per run;"
        " a timed-out run shows what it had used when killed.",
        "- Multi-file descriptions are linted through their root file only.",
        "",
        "## Timings (wall s / CPU s / peak RSS MB)",
        "",
        "| document | KB | spectral-oas | spectral-owasp | redocly | load |",
        "| --- | ---: | --- | --- | --- | ---: |",
    ]
    loaded = {}
    for d in docs:
        cells, loads = [], []
        for tool in ("spectral-oas", "spectral-owasp", "redocly"):
            t = timings.get(tool, {}).get(d.rel_path)
            loaded[tool, d.rel_path] = _load_results(out, tool, d.rel_path)
            cells.append(_cell(t))
            loads += [t[k] for k in ("load_before", "load_after") if t and t.get(k) is not None]
        cells.append(f"{max(loads):.1f}" if loads else "?")
        kb = f"{d.total_bytes / 1024:.0f}" + ("*" if d.multi_file else "")
        lines.append(f"| {d.rel_path} | {kb} | " + " | ".join(cells) + " |")
    lines += ["", "`*` multi-file: size of all its files. load: highest 1-minute load average seen at the start"
              " or end of that document's runs. `†` re-run after a wall-clock timeout with a 300 s *CPU* budget"
              " (wall capped at 1200 s), because the 300 s wall limit was mostly spent waiting for a CPU.", ""]

    lines += ["## Failures and errors", ""]
    any_problem = False
    for d in docs:
        for tool in ("spectral-oas", "spectral-owasp", "redocly"):
            notes = _problems(tool, timings.get(tool, {}).get(d.rel_path), loaded[tool, d.rel_path])
            if notes:
                any_problem = True
                lines.append(f"- **{d.rel_path}** ({tool}): " + "; ".join(notes))
    if not any_problem:
        lines.append("None.")
    lines.append("")

    lines += ["## Result counts per document", "",
              "| document | spectral-oas | spectral-owasp | redocly errors / warnings |",
              "| --- | ---: | ---: | ---: |"]
    for d in docs:
        row = []
        for tool in SPECTRAL_TOOLS:
            r = loaded[tool, d.rel_path]
            row.append(str(len(r)) if r is not None else "-")
        rr = loaded["redocly", d.rel_path]
        row.append(f"{rr['totals']['errors']} / {rr['totals']['warnings']}" if isinstance(rr, dict) and "totals" in rr else "-")
        lines.append(f"| {d.rel_path} | " + " | ".join(row) + " |")
    lines.append("")

    for tool in SPECTRAL_TOOLS:
        total = Counter()
        for d in docs:
            total += _codes(tool, loaded[tool, d.rel_path])
        lines += [f"## {tool}: results per rule code, whole corpus", "", _fmt_counts(total), ""]

    lines += ["## Spectral results per rule code, per document", ""]
    for d in docs:
        lines.append(f"### {d.rel_path}")
        lines.append("")
        for tool in SPECTRAL_TOOLS:
            r = loaded[tool, d.rel_path]
            if r is None:
                lines.append(f"- {tool}: no results file")
                continue
            sev = Counter(SEVERITY.get(x.get("severity"), "?") for x in r)
            lines.append(f"- {tool} ({len(r)}: " + ", ".join(f"{k} {v}" for k, v in sorted(sev.items())) + "): "
                         + _fmt_counts(_codes(tool, r)))
        lines.append("")

    path = out / "SUMMARY.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
