"""Neovim (Debian's 0.7.2 here) drives apigov-ls through editors/nvim/lua/apigov: diagnostics at the
right lines, a quick fix applied and its diagnostic cleared, fix-all on save, the file written."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from .conftest import EDITORS, STEP_TIMEOUT_S, require_program, run_editor, server_command
from .session_checks import check_session

SCRIPT = Path(__file__).resolve().parent / "nvim_check.lua"


def nvim_version(nvim: str) -> str:
    return subprocess.run([nvim, "--version"], capture_output=True, text=True).stdout.splitlines()[0]


def test_neovim_session(workspace: Path, tmp_path: Path):
    nvim = require_program("nvim")
    result_file = tmp_path / "result.json"
    started = time.monotonic()
    result, proc = run_editor(
        [nvim, "--headless", "--clean", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"],
        {
            "APIGOV_RTP": str(EDITORS / "nvim"),
            "APIGOV_CMD": json.dumps(server_command()),
            "APIGOV_FILE": str(workspace),
            "APIGOV_RESULT": str(result_file),
            "APIGOV_TIMEOUT_MS": str(STEP_TIMEOUT_S * 1000),
        },
        result_file,
    )
    elapsed = time.monotonic() - started
    check_session(result, workspace, "lnum")
    assert proc.returncode == 0, proc.stderr
    assert result["sync_kind"]["change"] == 2, "incremental sync: the fix reached the server as a range edit"
    print(f"{nvim_version(nvim)}: session in {elapsed:.1f} s; steps (ms): "
          + ", ".join(f"{s['name']} {s['ms']}" for s in result["steps"]))
