"""The CI integrations as documented: the pre-commit hooks' entries and the GitHub Actions workflow
in docs/github-actions.md, run for real on a small workspace."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "editors" / "fixtures"
BIN = Path(sys.executable).parent


def run_entry(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a console-script command line with this interpreter's installation."""
    exe = BIN / command[0]
    if not exe.exists():
        pytest.skip(f"{command[0]} is not installed next to {sys.executable}")
    return subprocess.run([str(exe), *command[1:]], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    shutil.copy(FIXTURES / ".spectral.yaml", tmp_path / ".spectral.yaml")
    shutil.copy(FIXTURES / "api.yaml", tmp_path / "specs" / "api.yaml")
    (tmp_path / "docker-compose.yaml").write_text("services:\n  web:\n    image: nginx\n", encoding="utf-8")
    return tmp_path


def hooks() -> dict[str, dict]:
    return {h["id"]: h for h in YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}


def hook_argv(hook: dict, files: list[str]) -> list[str]:
    # how pre-commit calls a hook: entry, then args, then the matching staged files
    return [*shlex.split(hook["entry"]), *hook.get("args", []), *files]


def test_hooks_declared():
    declared = hooks()
    assert set(declared) == {"apigov-lint", "apigov-fix"}
    for hook in declared.values():
        assert hook["language"] == "python"
        assert set(hook["types_or"]) == {"yaml", "json"}


def test_lint_hook_passes_on_warnings_and_skips_other_yaml(project: Path):
    files = [".spectral.yaml", "docker-compose.yaml", "specs/api.yaml"]
    proc = run_entry(hook_argv(hooks()["apigov-lint"], files), project)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the fixture has warnings only
    assert "unrecognized-format" not in proc.stdout


def test_lint_hook_fails_on_an_error(project: Path):
    spec = project / "specs" / "api.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("openapi: 3.0.3", "openapi: 3.0.3\nx-dup: 1\nx-dup: 2"), encoding="utf-8")
    proc = run_entry(hook_argv(hooks()["apigov-lint"], ["specs/api.yaml"]), project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "parser-duplicate-keys" in proc.stdout or "duplicate" in proc.stdout.lower()


def test_fix_hook_rewrites_the_file(project: Path):
    spec = project / "specs" / "api.yaml"
    before = spec.read_text(encoding="utf-8")
    proc = run_entry(hook_argv(hooks()["apigov-fix"], ["docker-compose.yaml", "specs/api.yaml"]), project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = spec.read_text(encoding="utf-8")
    assert after != before  # pre-commit then stops the commit: the files changed
    assert after == before.replace("example.com/v1/\n", "example.com/v1\n")
    assert (project / "docker-compose.yaml").read_text(encoding="utf-8").startswith("services:")


def workflow() -> dict:
    text = (REPO / "docs" / "github-actions.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    return YAML(typ="safe").load(blocks[0])


def test_workflow_uploads_the_sarif_it_writes(project: Path):
    wf = workflow()
    job = wf["jobs"]["apigov"]
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    lint = next(s for s in steps if str(s.get("run", "")).startswith("apigov lint"))
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    argv = shlex.split(lint["run"])
    output = argv[argv.index("--output") + 1]
    assert upload["with"]["sarif_file"] == output
    assert steps.index(upload) > steps.index(lint) and lint.get("continue-on-error") is True

    proc = run_entry(argv, project)  # the documented command, in a checkout with specs/
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sarif = json.loads((project / output).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    fixture = (FIXTURES / "api.yaml").read_text(encoding="utf-8").splitlines()
    slash_lines = [i + 1 for i, line in enumerate(fixture) if line.strip().startswith("- url:")]
    located = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                      r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results)
    assert [x for x in located if x[0] == "oas3-server-trailing-slash"] == [
        ("oas3-server-trailing-slash", "specs/api.yaml", line) for line in slash_lines]
