"""Edit latency of `apigov-ls` through a real LSP client over stdio (issue 7 b). A benchmark, not a test.

    python bench/bench_edit_latency.py [--docs github pegel] [--debounce default 0] [--json bench/results/edit_latency.json]

For each document and debounce setting it starts the server (apigov-ls's main() with apigov's loggers
at INFO, see lsp_session.server_command; stderr to bench/results/logs/), opens a copy of the
document in a fresh workspace folder, waits for the
first diagnostics, then replays a scripted session (bench/edit_scripts.py: typing bursts, path
renames, added responses, deleted operations and their undo, pasted components) as incremental
`textDocument/didChange` notifications.

What is timed, per edit: from the didChange being sent to the arrival of the publishDiagnostics
for that version. The server publishes only when a file's diagnostics changed, so an edit that
changes nothing is never published: after each edit the client also asks `textDocument/diagnostic`,
which the server answers once no check of the document is pending or running, and such an edit
counts as "unchanged" with that answer's arrival as its time. Typing is sent at --key-interval-ms
per keystroke; a burst is timed from its last keystroke. An earlier keystroke is "published", or
"unchanged" when a check finished (server log line) before the next keystroke was sent, else
"superseded" (debounced away, or checked and thrown away because a newer version came in).
Edits with no answer within --timeout count as timeouts.

Per edit the server's own log says how long the worker's check took ("checked ...: in S s"); the
rest of the latency, less the debounce, is queueing, pickling, the main process and the pipe.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import edit_scripts  # noqa: E402
from corpus import corpus_dir  # noqa: E402
from lsp_session import (BenchClient, cpu_by_role, descendants, memory_snapshot, server_command, server_env,  # noqa: E402
                         sync_kind, wait_gone)

DOCS = {"github": "vacuum-testfiles/api.github.com.yaml",    # 3.4 MB, the document
        "pegel": "vacuum-testfiles/pegel-online-api.yaml"}   # ~20 KB
DEFAULT_DEBOUNCE_MS = 200  # apigov_ls/server/config.py Settings.debounce_ms
PEER_LSP_NOTE = ("peers: not measured. Spectral's language server exists only inside the vscode-spectral extension and "
                 "Redocly's only inside its VS Code extension; npm has no standalone server to drive over stdio "
                 "(@stoplight/spectral-language-server, spectral-language-server, @redocly/openapi-language-server: "
                 "404 on 2026-11-23). The cold CLI comparison is bench/bench_cold.py.")


async def wait_first(client: BenchClient, uri: str, sent: float, timeout: float) -> dict:
    """The first diagnostics after opening: the publish for version 1 (or settled with none)."""
    deadline = sent + timeout
    while time.perf_counter() < deadline:
        pub = client.publish_for(uri, 1, sent)
        if pub:
            return {"status": "published", "latency_s": pub.at - sent, "diagnostics": pub.count, "bytes": pub.bytes}
        settled = await client.settle(uri, max(deadline - time.perf_counter(), 0.1))
        pub = client.publish_for(uri, 1, sent)
        if pub:
            return {"status": "published", "latency_s": pub.at - sent, "diagnostics": pub.count, "bytes": pub.bytes}
        if settled is not None and client.checks:
            return {"status": "unchanged", "latency_s": settled - sent, "diagnostics": 0, "bytes": 0}
        await client.wait_news(1.0)
    return {"status": "timeout", "latency_s": None}


def outcome(client: BenchClient, uri: str, version: int, sent: float, settled: float | None) -> dict:
    pub = client.publish_for(uri, version, sent)
    if pub:
        return {"status": "published", "latency_s": pub.at - sent, "diagnostics": pub.count, "bytes": pub.bytes}
    if settled is None:
        return {"status": "timeout", "latency_s": None}
    return {"status": "unchanged", "latency_s": settled - sent}


def keystroke_outcome(client: BenchClient, uri: str, version: int, sent: float, next_sent: float) -> dict:
    """A keystroke before the burst's last: published, checked with nothing to publish, or superseded.

    The server logs "checked ROOT" only for a check whose versions were still current when it
    finished, so a log line that arrived before the next keystroke was sent is taken to be this
    version's check (inferred from arrival order; the line carries no version)."""
    pub = client.publish_for(uri, version, sent)
    if pub:
        return {"status": "published", "latency_s": pub.at - sent, "diagnostics": pub.count}
    line = next((c for c in client.checks if sent <= c.at < next_sent), None)
    if line:
        return {"status": "unchanged", "latency_s": line.at - sent, "worker_s": line.seconds}
    return {"status": "superseded", "latency_s": None}


def cpu_used(before: dict, after: dict) -> dict:
    return {"cpu_main_s": after["main"] - before["main"], "cpu_workers_s": after["workers"] - before["workers"]}


async def replay(client: BenchClient, uri: str, edits: list, args) -> list[dict]:
    records: list[dict] = []
    version, i = 1, 0
    below = descendants(client.pid)  # the check workers live as long as the server
    while i < len(edits):
        edit = edits[i]
        cpu0 = cpu_by_role(client.pid, below)
        if edit.kind != "type":
            version += 1
            sent = client.change(uri, version, edit.change)
            settled = await client.settle(uri, args.timeout)
            records.append({"kind": edit.kind, "version": version, "sent": sent,
                            **outcome(client, uri, version, sent, settled), **cpu_used(cpu0, cpu_by_role(client.pid, below))})
            i += 1
            continue
        j = i
        while j < len(edits) and edits[j].kind == "type" and edits[j].burst == edit.burst:
            j += 1
        sends = []
        for k in range(i, j):
            version += 1
            sends.append((version, client.change(uri, version, edits[k].change)))
            if k < j - 1:
                await asyncio.sleep(args.key_interval_ms / 1000)
        settled = await client.settle(uri, args.timeout)
        for n, (v, sent) in enumerate(sends[:-1]):
            records.append({"kind": "keystroke", "version": v, "sent": sent, "burst": edit.burst,
                            **keystroke_outcome(client, uri, v, sent, sends[n + 1][1])})
        v, sent = sends[-1]
        records.append({"kind": "type-burst", "version": v, "sent": sent, "burst": edit.burst, "keystrokes": j - i,
                        **outcome(client, uri, v, sent, settled), **cpu_used(cpu0, cpu_by_role(client.pid, below))})
        i = j
    return records


def attribute_checks(records: list[dict], client: BenchClient, end: float) -> None:
    """Worker check time of the last check logged between an edit and the next one."""
    timed = sorted((r for r in records if r["kind"] != "keystroke"), key=lambda r: r["sent"])
    for n, rec in enumerate(timed):
        until = timed[n + 1]["sent"] if n + 1 < len(timed) else end
        since = rec["sent"] if rec["kind"] != "type-burst" else min(
            (r["sent"] for r in records if r.get("burst") == rec["burst"]), default=rec["sent"])
        lines = [c for c in client.checks if since <= c.at < until]
        rec["checks_logged"] = len(lines)
        if lines:
            rec["worker_s"] = lines[-1].seconds


def typing_session(text: str, bursts: int, burst_chars: int, adds: int) -> list:
    """Typing bursts and added responses only, alternating: the edits the incremental engine
    re-checks in one region (rename-path, paste-component and delete/undo are full checks today, and
    a 40 s full check under load delays the typing that follows it)."""
    script = edit_scripts.EditScript(text)
    edits: list = []
    for n in range(max(bursts, adds)):
        if n < bursts:
            edits.extend(script.type_burst(burst_chars))
        if n < adds:
            edits.append(script.add_response())
    return edits


async def run_session(rel: str, debounce: int | None, args, log_dir: Path) -> dict:
    source = corpus_dir() / rel
    text = source.read_text(encoding="utf-8")
    if args.session == "typing":
        edits = typing_session(text, args.bursts, args.burst_chars, args.rounds)
    else:
        edits, _ = edit_scripts.session(text, bursts=args.bursts, burst_chars=args.burst_chars, structural=args.rounds)
    label = f"{Path(rel).stem}-debounce{'default' if debounce is None else debounce}"
    log_path = log_dir / f"{label}.log"
    log_path.unlink(missing_ok=True)
    settings = {} if debounce is None else {"debounceMs": debounce}
    with tempfile.TemporaryDirectory(prefix="apigov-edit-bench-") as tmp:
        ws = Path(tmp)
        target = ws / source.name
        target.write_text(text, encoding="utf-8")
        client = BenchClient(settings)
        await client.launch(server_command(args.plain), log_path, ws, server_env(args.source))
        result = await client.initialize(ws, settings or None)
        sent = time.perf_counter()
        uri = client.open(target, text)
        first = await wait_first(client, uri, sent, args.open_timeout)
        print(f"  {label}: sync {sync_kind(result)}, first diagnostics {first['status']} "
              f"after {first['latency_s'] or 0:.2f}s ({first.get('diagnostics')} diagnostics); replaying {len(edits)} edits",
              flush=True)
        records = await replay(client, uri, edits, args) if first["status"] != "timeout" else []
        attribute_checks(records, client, time.perf_counter())
        memory = memory_snapshot(client.pid)
        workers = descendants(client.pid)
        closed = await client.close_session()
        orphans = await wait_gone(workers)
    return {"document": rel, "bytes": len(text.encode("utf-8")), "debounce_ms": DEFAULT_DEBOUNCE_MS if debounce is None else debounce,
            "debounce_setting": "default" if debounce is None else debounce, "text_document_sync": sync_kind(result),
            "first": first, "edits": len(edits), "records": records, "summary": summarize(records),
            "memory_after": memory, "shutdown": closed, "orphans": orphans, "log": str(log_path),
            "key_interval_ms": args.key_interval_ms, "session": args.session}


def summarize(records: list[dict]) -> dict:
    kinds = sorted({r["kind"] for r in records})
    out = {}
    for kind in [*kinds, "overall"]:
        rows = [r for r in records if (r["kind"] == kind if kind != "overall" else r["kind"] != "keystroke")]
        lat = [r["latency_s"] for r in rows if r["latency_s"] is not None]
        worker = [r["worker_s"] for r in rows if r.get("worker_s") is not None]
        count = {s: sum(1 for r in rows if r["status"] == s) for s in ("published", "unchanged", "superseded", "timeout")}
        out[kind] = {**edit_scripts.summarize(lat), **count, "edits": len(rows),
                     "worker_p50": edit_scripts.percentile(worker, 50),
                     "cpu_main_p50": edit_scripts.percentile([r["cpu_main_s"] for r in rows if "cpu_main_s" in r], 50),
                     "cpu_workers_p50": edit_scripts.percentile([r["cpu_workers_s"] for r in rows if "cpu_workers_s" in r], 50)}
    return out


def ms(v) -> str:
    return "-" if v is None else f"{v * 1000:.0f}"


def print_table(sessions: list[dict]) -> None:
    print(f"\n{'document':28} {'debounce':>8} {'kind':17} {'n':>4} {'pub':>4} {'unch':>4} {'supr':>4} {'tout':>4} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'worker':>7} {'cpu main':>8} {'cpu wrk':>7}")
    for s in sessions:
        doc = Path(s["document"]).name[:28]
        first = s["first"]
        print(f"{doc:28} {s['debounce_ms']:>8} {'open (first)':17} {1:>4} {'':>4} {'':>4} {'':>4} {'':>4} "
              f"{ms(first['latency_s']):>7}")
        for kind, st in s["summary"].items():
            print(f"{doc:28} {s['debounce_ms']:>8} {kind:17} {st['edits']:>4} {st['published']:>4} {st['unchanged']:>4} "
                  f"{st['superseded']:>4} {st['timeout']:>4} {ms(st['p50']):>7} {ms(st['p95']):>7} {ms(st['max']):>7} "
                  f"{ms(st['worker_p50']):>7} {ms(st['cpu_main_p50']):>8} {ms(st['cpu_workers_p50']):>7}")
    print("\nn: edits (keystroke: all but the last of each burst; type-burst: timed from its last keystroke); "
          "pub: answered by a publishDiagnostics for that version; unch: diagnostics unchanged, so nothing published "
          "(timed to the server's answer to textDocument/diagnostic, for keystrokes to the server's 'checked' log line); "
          "supr: keystroke versions never checked (debounced or thrown away for a newer one); "
          "tout: timeouts. worker: p50 of the worker's own check time (wall, server log); cpu main / cpu wrk: p50 of the "
          "CPU time (ms) the server's main process / its workers used per edit (per burst for type-burst), from /proc: "
          "unlike wall times these hardly depend on the machine's load.")
    for s in sessions:
        mem = s["memory_after"]
        per = ", ".join(f"{p['role']} {p['rss_mb']:.0f}" for p in mem["processes"])
        cpu = ", ".join(f"{p['role']} {p['cpu_s']:.1f}" for p in mem["processes"])
        print(f"{Path(s['document']).name} debounce {s['debounce_ms']}: RSS after the session {mem['total_rss_mb']:.0f} MB "
              f"({per}); CPU s used {mem['total_cpu_s']:.1f} ({cpu}); shutdown {'clean' if s['shutdown']['clean_exit'] else 'KILLED'}, "
              f"orphan processes: {s['orphans'] or 'none'}; sync {s['text_document_sync']}")
    print(PEER_LSP_NOTE)


async def main_async(args) -> int:
    log_dir = Path(args.json).parent / "logs" / Path(args.json).stem
    log_dir.mkdir(parents=True, exist_ok=True)
    sessions = []
    print(f"server from {args.source or HERE.parent} ({git_head(args.source)}); load average before: "
          f"{os.getloadavg()[0]:.1f} (2-core machine shared with other engineers)")
    out = {"server": server_command(args.plain), "plain_server": args.plain, "source": args.source or str(HERE.parent),
           "commit": git_head(args.source), "peers": PEER_LSP_NOTE, "sessions": sessions}
    for name in args.docs:
        rel = DOCS.get(name, name)
        for d in args.debounce:
            sessions.append(await run_session(rel, None if d == "default" else int(d), args, log_dir))
            out["load_after"] = os.getloadavg()
            Path(args.json).write_text(json.dumps(out, indent=1))  # after every session: a long run keeps what it did
    print_table(sessions)
    print(f"\nwritten to {args.json} (logs in {log_dir}); 1-minute load average now {os.getloadavg()[0]:.1f}")
    return 0 if all(not s["orphans"] for s in sessions) else 1


def git_head(source: str | None) -> str | None:
    """The commit measured: HEAD of this checkout, or the name of an exported --source folder."""
    if source:
        return Path(source).name
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()
    except OSError:
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", nargs="*", default=list(DOCS), help="names in DOCS or corpus-relative paths")
    ap.add_argument("--debounce", nargs="*", default=["default", "0"], help="'default' (200 ms, not sent) and/or debounceMs values")
    ap.add_argument("--bursts", type=int, default=4, help="typing bursts")
    ap.add_argument("--burst-chars", type=int, default=30, help="keystrokes per burst")
    ap.add_argument("--rounds", type=int, default=20, help="rounds of rename/add-response/delete/undo/paste (5 edits each)")
    ap.add_argument("--session", choices=["full", "typing"], default="full",
                    help="full: bench/edit_scripts.py's session; typing: --bursts typing bursts and --rounds added responses only")
    ap.add_argument("--key-interval-ms", type=float, default=80, help="time between keystrokes")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per edit before it counts as a timeout")
    ap.add_argument("--open-timeout", type=float, default=300, help="seconds to wait for the first diagnostics")
    ap.add_argument("--plain", action="store_true", help="start `apigov-ls` as is (no worker check times: its INFO log is not used)")
    ap.add_argument("--source", help="run the server from this copy of the sources (PYTHONPATH), e.g. an exported older commit")
    ap.add_argument("--json", default=str(HERE / "results" / "edit_latency.json"))
    args = ap.parse_args()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
