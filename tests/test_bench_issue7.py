"""bench/bench_issue7.py runs every issue-7 benchmark in one command: each step's script exists and
takes the `--json` path it is given. No benchmark runs here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
import bench_issue7  # noqa: E402


def test_dry_run_lists_every_step_with_its_json_file(tmp_path, capsys):
    assert bench_issue7.main(["--out", str(tmp_path), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    for name in bench_issue7.STEPS:
        assert f"== {name}: " in printed and str(tmp_path / f"{name}.json") in printed
    assert not any(tmp_path.iterdir())  # nothing ran, nothing written
    only = bench_issue7.commands(tmp_path, ["cold", "spread"])
    assert [name for name, _ in only] == ["cold", "spread"]


@pytest.mark.parametrize("name", list(bench_issue7.STEPS))
def test_each_step_script_accepts_its_arguments(name):
    script, extra = bench_issue7.STEPS[name]
    shown = subprocess.run([sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    for flag in ["--json", *[a for a in extra if a.startswith("--")]]:
        assert flag in shown.stdout
