"""Real editors as LSP clients: shared helpers.

An editor that is missing skips its tests with a reason, except in CI (CI=true), where
.ci/install-system installs it and a missing editor is a failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EDITORS = REPO / "editors"
#: how long an editor may wait for one step (the machines running the tests are often loaded)
STEP_TIMEOUT_S = 30
SLASH = "oas3-server-trailing-slash"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if in_ci():
            pytest.fail(f"{name} is not installed: .ci/install-system should have installed it")
        pytest.skip(f"{name} is not installed (run .ci/install-system)")
    return path


def server_command() -> list[str]:
    """The `apigov-ls` console script of this interpreter's installation (what editors run by default)."""
    script = Path(sys.executable).with_name("apigov-ls")
    return [str(script)] if script.exists() else [sys.executable, "-m", "apigov_ls.server"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder with the fixture ruleset and description: returns the description's path."""
    for name in (".spectral.yaml", "api.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path / "api.yaml"


def run_editor(argv: list[str], env: dict[str, str], result: Path, timeout: float = 120) -> tuple[dict, subprocess.CompletedProcess]:
    proc = subprocess.run(argv, env={**os.environ, **env}, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
    if not result.exists():
        pytest.fail(f"the editor wrote no result (exit {proc.returncode})\nstdout: {proc.stdout}\nstderr: {proc.stderr}")
    return json.loads(result.read_text(encoding="utf-8")), proc


def fixture_lines(needle: str) -> list[int]:
    """0-based lines of the fixture description that contain `needle`."""
    text = (FIXTURES / "api.yaml").read_text(encoding="utf-8")
    return [i for i, line in enumerate(text.splitlines()) if needle in line]


def expected_fixed_text() -> str:
    """The fixture with both server URLs' trailing slashes removed (and nothing else changed)."""
    text = (FIXTURES / "api.yaml").read_text(encoding="utf-8")
    return text.replace("example.com/v1/\n", "example.com/v1\n")
