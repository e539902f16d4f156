"""The VS Code extension (editors/vscode): its node tests (activate() with `vscode` stubbed, and
the real server started with the extension's command line, spoken to through vscode-jsonrpc), and
the .vsix that `vsce package` builds. VS Code itself cannot be downloaded here (see README)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO, in_ci, require_program

VSCODE = REPO / "editors" / "vscode"


def require_node_modules() -> None:
    if not (VSCODE / "node_modules" / "vscode-languageclient").is_dir():
        message = "editors/vscode/node_modules is missing (run .ci/install-system or npm ci there)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def test_extension_node_tests():
    node = require_program("node")
    require_node_modules()
    proc = subprocess.run(
        [node, "--test", "test/activation.test.js", "test/protocol.test.js"],
        cwd=VSCODE, capture_output=True, text=True, timeout=180,
        # the protocol test starts `python -m apigov_ls.server` with this interpreter (apigov.server.pythonPath)
        env={**os.environ, "APIGOV_TEST_PYTHON": sys.executable},
    )
    summary = {k: v for k, v in (line[2:].split(" ", 1) for line in proc.stdout.splitlines()
                                 if line.startswith("# ") and line[2:].split(" ", 1)[0] in ("pass", "fail", "skipped"))}
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert summary.get("fail") == "0" and summary.get("skipped") == "0", summary
    assert int(summary["pass"]) >= 11, summary
    # the protocol test falls back to a hand-made edit (and says so) when no code actions are advertised
    assert "APIGOV-NO-CODE-ACTIONS" not in proc.stdout, "the server advertised no code actions"


def test_vsix_package(tmp_path: Path):
    require_program("npx")
    require_node_modules()
    vsix = tmp_path / "apigov.vsix"
    proc = subprocess.run(
        ["npx", "--no-install", "vsce", "package", "--allow-missing-repository", "--skip-license", "-o", str(vsix)],
        cwd=VSCODE, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("extension/package.json"))
        schema = z.read("extension/schemas/ruleset.schema.json")
    assert manifest["engines"]["vscode"] == "^1.91.0"
    assert manifest["main"] == "./src/extension.js"
    assert {"extension/src/extension.js", "extension/src/server.js", "extension/src/settings.js",
            "extension/readme.md", "extension.vsixmanifest"} <= names
    assert "extension/node_modules/vscode-languageclient/package.json" in names
    # the schema shipped is the server's own (copied at build time)
    assert schema == (REPO / "apigov_ls" / "schemas" / "ruleset.schema.json").read_bytes()
    assert manifest["contributes"]["jsonValidation"][0]["url"] == "./schemas/ruleset.schema.json"
    # tests, build scripts and dev tools stay out
    assert not [n for n in names if n.startswith(("extension/test/", "extension/scripts/"))]
    assert not [n for n in names if "/node_modules/@vscode/vsce" in n]
    assert manifest["capabilities"]["untrustedWorkspaces"]["supported"] == "limited"
