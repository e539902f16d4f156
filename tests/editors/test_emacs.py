"""Emacs + Eglot (Debian's Emacs 28 with elpa-eglot here) drives apigov-ls through
editors/emacs/apigov.el: diagnostics in Flymake at the right lines, a quick fix applied and its
diagnostic cleared, fix-all on save (`apigov-fix-on-save'), the file written, the server shut down."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import EDITORS, STEP_TIMEOUT_S, in_ci, require_program, run_editor, server_command
from .session_checks import check_session

SCRIPT = Path(__file__).resolve().parent / "eglot_check.el"


def require_eglot(emacs: str) -> None:
    """Eglot is built in from Emacs 29; Debian's Emacs 28 needs the elpa-eglot package."""
    probe = subprocess.run([emacs, "--batch", "--eval", "(require 'eglot)"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        message = f"Eglot is not available to {emacs} (apt-get install elpa-eglot): {probe.stderr.strip()[-300:]}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def test_eglot_session(workspace: Path, tmp_path: Path):
    emacs = require_program("emacs")
    require_eglot(emacs)
    result_file = tmp_path / "result.json"
    started = time.monotonic()
    # no -Q: Debian's site-start puts elpa-eglot on the load path
    result, proc = run_editor(
        [emacs, "--batch", "-l", str(SCRIPT)],
        {
            "APIGOV_EMACS_DIR": str(EDITORS / "emacs"),
            "APIGOV_CMD": json.dumps(server_command()),
            "APIGOV_FILE": str(workspace),
            "APIGOV_RESULT": str(result_file),
            "APIGOV_TIMEOUT": str(STEP_TIMEOUT_S),
        },
        result_file,
    )
    elapsed = time.monotonic() - started
    check_session(result, workspace, "line")
    assert proc.returncode == 0, proc.stderr
    print(f"Emacs {result['emacs']} with {result['eglot']}: session in {elapsed:.1f} s; steps (ms): "
          + ", ".join(f"{s['name']} {s['ms']}" for s in result["steps"]))
