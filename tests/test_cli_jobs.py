"""`apigov lint --jobs N`: the same report and exit code as a serial run, errors reported as a
serial run reports them, and a clean stop on Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apigov_ls.cli import main
from apigov_ls.reporters import FORMATS

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DATA = REPO / "tests" / "data"
REF_DOCS = [DATA / "governance/refs/oas30/openapi.yaml", DATA / "governance/refs/oas2/swagger.yaml",
            DATA / "governance/refs/oas31/openapi.yaml", DATA / "security/refs/oas31/openapi.yaml",
            DATA / "security/refs/oas30/openapi.yaml", DATA / "security/refs/oas2/swagger.yaml"]
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")


def lint(capsys, *argv) -> tuple[int, str, str]:
    code = main(["lint", "--no-cache", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _jobs_used(err: str) -> int:
    return int(re.search(r"with (\d+) job", err).group(1))


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_jobs_give_the_serial_report(fmt, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    docs = [str(p) for p in REF_DOCS]
    serial = lint(capsys, *docs, "-f", fmt, "-F", "hint", "-j", "1", "-v")
    parallel = lint(capsys, *docs, "-f", fmt, "-F", "hint", "-j", "2", "-v")
    assert (_jobs_used(serial[2]), _jobs_used(parallel[2])) == (1, 2)
    assert parallel[:2] == serial[:2] and serial[1].strip()


@needs_corpus
def test_corpus_documents_in_two_jobs(capsys, tmp_path, monkeypatch):
    rows = [line.split("\t") for line in (CORPUS / "MANIFEST.tsv").read_text().splitlines()[1:] if line.strip()]
    small = sorted((int(r[7]), r[0]) for r in rows if int(r[7]) < 60_000)
    multi = [r[0] for r in rows if r[11] == "yes"][:1]
    docs = [str(CORPUS / p) for p in dict.fromkeys([p for _, p in small[:5]] + multi)]
    monkeypatch.chdir(tmp_path)
    for fmt in ("json", "sarif", "stylish", "junit"):
        assert lint(capsys, *docs, "-f", fmt, "-j", "2")[:2] == lint(capsys, *docs, "-f", fmt, "-j", "1")[:2], fmt


def test_unreadable_file_among_others_is_the_serial_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REF_DOCS[3], tmp_path / "a.yaml")
    (tmp_path / "bad.yaml").write_bytes(b"openapi: 3.0.0\ninfo: \xff\n")
    (tmp_path / "c.yaml").write_text("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
    argv = ("a.yaml", "bad.yaml", "missing.yaml", "c.yaml")
    serial, parallel = lint(capsys, *argv, "-j", "1"), lint(capsys, *argv, "-j", "3")
    assert serial == parallel
    assert serial[0] == 2 and "bad.yaml" in serial[2] and serial[2].count("\n") == 1


def test_unknown_format_and_exit_codes_match(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text("name: not an api\n")
    shutil.copy(REF_DOCS[0], tmp_path / "a.yaml")
    for extra in ((), ("--ignore-unknown-format",)):
        serial = lint(capsys, "a.yaml", "config.yaml", "-f", "json", "-j", "1", *extra)
        parallel = lint(capsys, "a.yaml", "config.yaml", "-f", "json", "-j", "2", *extra)
        assert serial == parallel
    assert serial[0] != 2 and lint(capsys, "a.yaml", "config.yaml", "-j", "2")[0] == 2


@pytest.mark.skipif(shutil.which("node") is None and not os.environ.get("APIGOV_NODE"), reason="Node.js is not installed")
def test_javascript_functions_in_workers(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "js"
    shutil.copytree(DATA / "js_functions", folder)
    shutil.copy(folder / "api.yaml", folder / "api2.yaml")
    monkeypatch.chdir(folder)
    serial = lint(capsys, "api.yaml", "api2.yaml", "-f", "json", "-j", "1")
    parallel = lint(capsys, "api.yaml", "api2.yaml", "-f", "json", "-j", "2")
    assert parallel[:2] == serial[:2] and json.loads(serial[1])


def test_jobs_values(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # a small ruleset: spawned workers (when the test process has threads) load it quickly
    (tmp_path / ".spectral.yaml").write_text("rules:\n  c:\n    given: $.info\n    then: {field: contact, function: truthy}\n")
    for i in range(3):
        (tmp_path / f"a{i}.yaml").write_text(f"openapi: 3.0.0\ninfo: {{title: t{i}, version: '1'}}\npaths: {{}}\n")
    files = ["a0.yaml", "a1.yaml", "a2.yaml"]
    assert _jobs_used(lint(capsys, *files, "-j", "auto", "-v")[2]) == min(3, len(os.sched_getaffinity(0)))
    monkeypatch.setenv("APIGOV_JOBS", "8")
    assert _jobs_used(lint(capsys, *files, "-v")[2]) == 3  # no more processes than files
    monkeypatch.setenv("APIGOV_JOBS", "many")
    code, _, err = lint(capsys, *files)
    assert code == 2 and "APIGOV_JOBS" in err
    with pytest.raises(SystemExit) as exc:
        main(["lint", "-j", "-1", *files])
    assert exc.value.code == 2


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@needs_corpus
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to find the worker processes")
def test_ctrl_c_stops_workers_cleanly(tmp_path):
    rows = [line.split("\t") for line in (CORPUS / "MANIFEST.tsv").read_text().splitlines()[1:] if line.strip()]
    biggest = [str(CORPUS / r[0]) for r in sorted(rows, key=lambda r: -int(r[7]))[:4]]
    env = {**os.environ, "APIGOV_JOBS": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "apigov_ls.cli", "lint", "--no-cache", *biggest],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.1)
    assert len(workers) >= 2, "the workers did not start"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    time.sleep(0.2)
    alive = [w for w in workers if Path(f"/proc/{w}").exists() and "zombie" not in Path(f"/proc/{w}/status").read_text()]
    assert alive == []
