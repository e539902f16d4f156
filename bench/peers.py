"""Peer linters (Spectral, Redocly) for comparison and benchmarking.

    python bench/peers.py install           # npm-install the pinned peers into bench/.cache/peers
    python bench/peers.py status            # where they are, or why not
    python bench/peers.py spectral DOC [--ruleset oas|oas-recommended|owasp|PATH]
    python bench/peers.py redocly DOC

As a module: spectral_bin(), redocly_bin(), run_spectral(), run_redocly(),
write_ruleset(). Runs report parsed JSON results, wall time and peak RSS.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PEERS_DIR = BENCH_DIR / ".cache" / "peers"
NODE_MODULES = PEERS_DIR / "node_modules"

# Exact versions npm resolved when these were first installed (npm view, 2025-era registry).
PINNED = {
    "@stoplight/spectral-cli": "6.16.3",
    "@stoplight/spectral-owasp-ruleset": "2.0.1",
    "@stoplight/spectral-rulesets": "1.23.1",
    "@redocly/cli": "2.77.0",
}

DEFAULT_TIMEOUT_S = 300.0
GNU_TIME = "/usr/bin/time"


# ---------------------------------------------------------------- install / locate

def npm_bin() -> str | None:
    return shutil.which("npm")


def installed_version(package: str) -> str | None:
    manifest = NODE_MODULES / package / "package.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def missing_packages() -> list[str]:
    return [p for p, v in PINNED.items() if installed_version(p) != v]


def install(force: bool = False, quiet: bool = False) -> list[str]:
    """npm-install the pinned peers into PEERS_DIR if any is missing; returns what was installed."""
    todo = list(PINNED) if force else missing_packages()
    if not todo:
        return []
    npm = npm_bin()
    if npm is None:
        raise RuntimeError("npm not found on PATH: install Node.js >= 20.19 to use peer tools")
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    pkg_json = PEERS_DIR / "package.json"
    if not pkg_json.exists():
        # A private package.json keeps npm from walking up into the repository.
        pkg_json.write_text(json.dumps({"name": "apigov-bench-peers", "private": True}, indent=2) + "\n")
    specs = [f"{p}@{v}" for p, v in PINNED.items()]  # all at once so npm dedupes shared deps
    cmd = [npm, "install", "--no-audit", "--no-fund", "--save-exact", *specs]
    subprocess.run(cmd, cwd=PEERS_DIR, check=True,
                   stdout=subprocess.DEVNULL if quiet else None)
    still = missing_packages()
    if still:
        raise RuntimeError(f"npm install finished but these are still missing or at another version: {still}")
    return todo


@dataclass(frozen=True)
class Located:
    """An executable, or None with the reason it is not available."""
    path: Path | None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.path is not None


def _locate(package: str, bin_name: str) -> Located:
    if npm_bin() is None or shutil.which("node") is None:
        return Located(None, "node/npm not found on PATH")
    exe = NODE_MODULES / ".bin" / bin_name
    if not exe.exists() or installed_version(package) is None:
        return Located(None, f"{package} is not installed: run `python bench/peers.py install`")
    return Located(exe)


def spectral_bin() -> Located:
    return _locate("@stoplight/spectral-cli", "spectral")


def redocly_bin() -> Located:
    return _locate("@redocly/cli", "redocly")


def owasp_ruleset_path() -> Path:
    """Absolute path to the OWASP ruleset's entry file (the CLI resolves bare names relative to the ruleset)."""
    pkg_dir = NODE_MODULES / "@stoplight" / "spectral-owasp-ruleset"
    meta = json.loads((pkg_dir / "package.json").read_text(encoding="utf-8"))
    main = meta.get("main") or "dist/ruleset.js"
    return pkg_dir / main


# ---------------------------------------------------------------- rulesets

def ruleset_text(kind: str) -> str:
    """Spectral ruleset YAML for a named kind: oas (all rules), oas-recommended, owasp (all rules)."""
    if kind == "oas":
        return 'extends: [["spectral:oas", "all"]]\n'
    if kind == "oas-recommended":
        return 'extends: [["spectral:oas", "recommended"]]\n'
    if kind == "owasp":
        return f'extends: [[{json.dumps(str(owasp_ruleset_path()))}, "all"]]\n'
    raise ValueError(f"unknown ruleset kind {kind!r}")


def write_ruleset(kind: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{kind}.spectral.yaml"
    path.write_text(ruleset_text(kind), encoding="utf-8")
    return path


# ---------------------------------------------------------------- running

@dataclass
class PeerRun:
    tool: str
    document: str
    ruleset: str
    command: list[str]
    returncode: int | None
    wall_s: float
    peak_rss_mb: float | None
    timed_out: bool = False
    cpu_s: float | None = None            # user + system: less sensitive than wall time to a busy machine
    load_before: float | None = None      # 1-minute load average when the run started and ended
    load_after: float | None = None
    timeout_s: float | None = None
    timeout_clock: str = "wall"           # what timeout_s counted: "wall" or "cpu" seconds
    results: list | dict | None = None   # parsed JSON, None if stdout was not JSON
    parse_error: str | None = None
    stderr: str = ""
    stdout_bytes: int = 0
    meta: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.results is not None

    def summary(self) -> dict:
        """Everything but the (possibly huge) results."""
        d = asdict(self)
        d.pop("results")
        d["stderr"] = self.stderr[-4000:]
        return d


_MAXRSS = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")
_CPU = re.compile(r"(?:User|System) time \(seconds\):\s*([\d.]+)")


@dataclass
class Measurement:
    returncode: int | None   # None when killed on timeout
    wall_s: float
    cpu_s: float | None
    peak_rss_mb: float | None
    timed_out: bool
    stdout: bytes
    stderr: str
    load_before: float
    load_after: float


def _group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited meanwhile
        if int(fields[2]) == pgid:  # fields after "comm)": state ppid pgrp ...
            members.append(int(stat.parent.name))
    return members


def _kill_group(leader: int, spare_leader: bool):
    """SIGKILL a timed-out run's process group; returns the leader's rusage.

    With GNU time as the leader, kill the tool first and give time a moment to write its
    report, so a timed-out run still has a peak RSS (the peak until it was killed).
    """
    if spare_leader:
        for pid in _group_members(leader):
            if pid != leader:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        grace = time.perf_counter() + 5
        while time.perf_counter() < grace:
            pid, _status, rusage = os.wait4(leader, os.WNOHANG)
            if pid:
                return rusage
            time.sleep(0.05)
    try:
        os.killpg(leader, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return os.wait4(leader, 0)[2]


_CLK_TCK = os.sysconf("SC_CLK_TCK")


def _group_cpu_s(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a process group."""
    total = 0
    for pid in _group_members(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / _CLK_TCK


def measure_command(cmd: list[str], cwd: Path, env: dict, timeout: float,
                    clock: str = "wall", wall_cap: float | None = None) -> Measurement:
    """Run cmd with stdout/stderr to files; wall and CPU time, peak RSS (GNU time, else wait4 rusage).

    clock="wall": kill after `timeout` wall seconds. clock="cpu": kill after `timeout` CPU seconds
    (fair on a machine shared with other work) or after `wall_cap` wall seconds (default 4x timeout).
    """
    if clock not in ("wall", "cpu"):
        raise ValueError(f"clock must be 'wall' or 'cpu', not {clock!r}")
    load_before = os.getloadavg()[0]
    use_gnu_time = os.path.exists(GNU_TIME)
    with tempfile.TemporaryDirectory(prefix="peerrun-") as tmp:
        tmp_path = Path(tmp)
        time_file = tmp_path / "time.txt"
        full = [GNU_TIME, "-v", "-o", str(time_file), *cmd] if use_gnu_time else cmd
        out_path, err_path = tmp_path / "stdout", tmp_path / "stderr"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            start = time.perf_counter()
            # Own session so a timeout kills node as well as /usr/bin/time.
            proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=err,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            timed_out = False
            deadline = start + (timeout if clock == "wall" else (wall_cap or 4 * timeout))
            next_cpu_check = start + 1
            rusage = None
            while True:
                # wait4 gives this child's own rusage (fallback when GNU time is absent).
                pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    break
                now = time.perf_counter()
                over_cpu = False
                if clock == "cpu" and now >= next_cpu_check:
                    next_cpu_check = now + 1
                    over_cpu = _group_cpu_s(proc.pid) > timeout
                if now > deadline or over_cpu:
                    timed_out = True
                    rusage = _kill_group(proc.pid, spare_leader=use_gnu_time)
                    proc.returncode = None
                    break
                time.sleep(0.02)
            wall = time.perf_counter() - start
        peak_mb = cpu_s = None
        if use_gnu_time and time_file.exists():
            report = time_file.read_text(errors="replace")
            m = _MAXRSS.search(report)
            if m:
                peak_mb = int(m.group(1)) / 1024
            cpu = _CPU.findall(report)
            if len(cpu) == 2:
                cpu_s = float(cpu[0]) + float(cpu[1])
        if peak_mb is None and rusage is not None:
            peak_mb = rusage.ru_maxrss / 1024  # Linux reports kilobytes; on timeout: the peak until killed
            cpu_s = rusage.ru_utime + rusage.ru_stime
        stdout = out_path.read_bytes()
        stderr = err_path.read_text(errors="replace")
        if use_gnu_time and proc.returncode is not None and time_file.exists():
            # GNU time exits with the child's status; a signal-killed child shows in its report.
            sig = re.search(r"Command terminated by signal (\d+)", time_file.read_text(errors="replace"))
            if sig:
                stderr += f"\n[terminated by signal {sig.group(1)}]"
        return Measurement(proc.returncode, wall, cpu_s, peak_mb, timed_out, stdout, stderr,
                           load_before, os.getloadavg()[0])


def _peer_run(tool: str, document: Path, ruleset: str, cmd: list[str], m: Measurement, timeout: float,
              clock: str) -> PeerRun:
    return PeerRun(tool, str(document), ruleset, cmd, m.returncode, m.wall_s, m.peak_rss_mb, m.timed_out,
                   cpu_s=m.cpu_s, load_before=m.load_before, load_after=m.load_after, timeout_s=timeout,
                   timeout_clock=clock, stderr=m.stderr)


def _node_env() -> dict:
    env = dict(os.environ)
    env.setdefault("NODE_OPTIONS", "--max-old-space-size=8192")  # the largest corpus docs need > default heap
    env["REDOCLY_TELEMETRY"] = "off"
    env["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true"
    env["NO_COLOR"] = "1"
    return env


def _parse(run: PeerRun, stdout: bytes, empty_means: list | None) -> None:
    run.stdout_bytes = len(stdout)
    text = stdout.decode("utf-8", errors="replace").strip()
    if not text and empty_means is not None and run.returncode == 0:
        run.results = empty_means
        return
    try:
        run.results = json.loads(text)
    except ValueError as exc:
        run.parse_error = f"{exc}; stdout starts {text[:200]!r}"


def run_spectral(document: Path, ruleset: Path, timeout: float = DEFAULT_TIMEOUT_S, clock: str = "wall") -> PeerRun:
    """`spectral lint -q -f json`: exit 0 = no results at fail severity, 1 = results, 2 = crash/bad input."""
    exe = spectral_bin()
    if not exe:
        raise RuntimeError(exe.reason)
    cmd = [str(exe.path), "lint", "-q", "-f", "json", "-r", str(ruleset), str(document)]
    m = measure_command(cmd, document.parent, _node_env(), timeout, clock)
    run = _peer_run("spectral", document, str(ruleset), cmd, m, timeout, clock)
    if not m.timed_out:
        _parse(run, m.stdout, empty_means=[])
    return run


def run_redocly(document: Path, timeout: float = DEFAULT_TIMEOUT_S, extends: str = "recommended",
                max_problems: int = 1_000_000, clock: str = "wall") -> PeerRun:
    """`redocly lint --format json` with a built-in ruleset.

    Runs in the document's folder (Redocly reports sources relative to its cwd) unless that
    folder holds a Redocly config, which would override --extends; then from an empty dir.
    """
    exe = redocly_bin()
    if not exe:
        raise RuntimeError(exe.reason)
    # --max-problems: Redocly lists only the first 100 problems by default (totals still count all).
    cmd = [str(exe.path), "lint", "--format", "json", "--extends", extends,
           "--max-problems", str(max_problems), str(document)]
    configs = ("redocly.yaml", "redocly.yml", ".redocly.yaml", ".redocly.yml")
    if not any((document.parent / c).exists() for c in configs):
        m = measure_command(cmd, document.parent, _node_env(), timeout, clock)
    else:
        with tempfile.TemporaryDirectory(prefix="redocly-cwd-") as cwd:
            m = measure_command(cmd, Path(cwd), _node_env(), timeout, clock)
    run = _peer_run("redocly", document, extends, cmd, m, timeout, clock)
    if not m.timed_out:
        _parse(run, m.stdout, empty_means=None)
    return run


# ---------------------------------------------------------------- command line

def _status() -> int:
    print(f"peers dir: {PEERS_DIR}")
    for pkg, want in PINNED.items():
        have = installed_version(pkg)
        print(f"  {pkg:40} pinned {want:10} installed {have or '-'}")
    for name, loc in (("spectral", spectral_bin()), ("redocly", redocly_bin())):
        print(f"  {name}: {loc.path if loc else 'unavailable: ' + loc.reason}")
    return 0 if not missing_packages() else 1


def _print_run(run: PeerRun) -> None:
    print(json.dumps(run.results, indent=2) if run.results is not None else run.parse_error)
    rss = f"{run.peak_rss_mb:.0f} MB" if run.peak_rss_mb is not None else "?"
    cpu = f"{run.cpu_s:.2f}s" if run.cpu_s is not None else "?"
    print(f"[{run.tool}] exit {run.returncode} in {run.wall_s:.2f}s (CPU {cpu}), peak RSS {rss}"
          + (" (TIMED OUT)" if run.timed_out else ""), file=sys.stderr)
    if run.stderr.strip():
        print(run.stderr.strip()[-2000:], file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p_install = sub.add_parser("install", help="npm-install the pinned peers if missing")
    p_install.add_argument("--force", action="store_true")
    sub.add_parser("status")
    p_sp = sub.add_parser("spectral", help="lint one document with Spectral")
    p_sp.add_argument("document", type=Path)
    p_sp.add_argument("--ruleset", default="oas", help="oas | oas-recommended | owasp | path to a ruleset file")
    p_sp.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S)
    p_re = sub.add_parser("redocly", help="lint one document with Redocly")
    p_re.add_argument("document", type=Path)
    p_re.add_argument("--extends", default="recommended")
    p_re.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S)
    args = ap.parse_args(argv)

    if args.cmd == "install":
        done = install(force=args.force)
        print("installed: " + ", ".join(done) if done else "peers already installed")
        return _status()
    if args.cmd == "status":
        return _status()
    if args.cmd == "spectral":
        if Path(args.ruleset).exists():
            run = run_spectral(args.document.resolve(), Path(args.ruleset).resolve(), args.timeout)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                run = run_spectral(args.document.resolve(), write_ruleset(args.ruleset, Path(tmp)), args.timeout)
        _print_run(run)
        return 0 if run.ok else 1
    run = run_redocly(args.document.resolve(), args.timeout, args.extends)
    _print_run(run)
    return 0 if run.ok else 1


if __name__ == "__main__":
    sys.exit(main())
