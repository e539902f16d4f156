"""Emacs + lsp-mode (Debian's Emacs 28 with elpa-lsp-mode 8.0 here) drives apigov-ls through the
documented `(apigov-lsp-mode-setup)` of editors/emacs/apigov.el: diagnostics at the right lines, a
quick fix applied and its diagnostic cleared, fix-all on save (`apigov-fix-on-save'), the file
written, the server shut down."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import EDITORS, STEP_TIMEOUT_S, in_ci, require_program, run_editor, server_command
from .session_checks import check_session

SCRIPT = Path(__file__).resolve().parent / "lsp_mode_check.el"


def require_lsp_mode(emacs: str) -> None:
    """lsp-mode is not part of Emacs; Debian packages it as elpa-lsp-mode."""
    probe = subprocess.run([emacs, "--batch", "--eval", "(require 'lsp-mode)"], capture_output=True, text=True,
                           timeout=60)
    if probe.returncode != 0:
        message = f"lsp-mode is not available to {emacs} (apt-get install elpa-lsp-mode): {probe.stderr.strip()[-300:]}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def test_lsp_mode_session(workspace: Path, tmp_path: Path):
    emacs = require_program("emacs")
    require_lsp_mode(emacs)
    result_file = tmp_path / "result.json"
    state = tmp_path / "emacs-state"
    home = tmp_path / "home"
    state.mkdir()
    home.mkdir()
    started = time.monotonic()
    # no -Q: Debian's site-start puts elpa-lsp-mode on the load path. HOME elsewhere: lsp-mode
    # must not read or write the user's session file
    result, proc = run_editor(
        [emacs, "--batch", "-l", str(SCRIPT)],
        {
            "HOME": str(home),
            "APIGOV_EMACS_DIR": str(EDITORS / "emacs"),
            "APIGOV_CMD": json.dumps(server_command()),
            "APIGOV_FILE": str(workspace),
            "APIGOV_RESULT": str(result_file),
            "APIGOV_STATE": str(state),
            "APIGOV_TIMEOUT": str(STEP_TIMEOUT_S),
        },
        result_file,
    )
    elapsed = time.monotonic() - started
    check_session(result, workspace, "line")
    assert proc.returncode == 0, proc.stderr
    # Flymake (lsp-mode's diagnostics UI without flycheck) shows what the server published
    assert result["flymake_initial"] == len(result["initial"])
    assert result["flymake_after_save"] == len(result["after_save"])
    # the imported project root went to the scratch session file, not the user's
    assert str(workspace.parent) in (state / "lsp-session").read_text(encoding="utf-8")
    assert not (home / ".emacs.d" / ".lsp-session-v1").exists()
    assert result["fix_on_save_hook"], "apigov-fix-on-save did not put the fix-all on before-save-hook"
    print(f"Emacs {result['emacs']} with {result['lsp_mode']}: session in {elapsed:.1f} s; steps (ms): "
          + ", ".join(f"{s['name']} {s['ms']}" for s in result["steps"])
          + (f"; lsp-mode's shutdown errors: {result['shutdown_errors']}" if result["shutdown_errors"] else ""))


def test_apigov_el_byte_compiles_cleanly(tmp_path: Path):
    """apigov.el compiles without a warning with Eglot and lsp-mode loadable (as a user's Emacs has them)."""
    emacs = require_program("emacs")
    require_lsp_mode(emacs)
    source = tmp_path / "apigov.el"
    source.write_bytes((EDITORS / "emacs" / "apigov.el").read_bytes())
    proc = subprocess.run(
        [emacs, "--batch", "--eval", "(progn (package-activate-all) (setq byte-compile-error-on-warn t))",
         "-f", "batch-byte-compile", str(source)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0 and source.with_suffix(".elc").exists(), proc.stderr
