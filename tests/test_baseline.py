"""Baselines: `apigov baseline` records results; `apigov lint --baseline` reports only new ones,
even after the recorded ones moved to other lines."""

from __future__ import annotations

import json

from apigov_ls.cli import main

DOC = """\
openapi: 3.0.3
info: {title: T, version: '1'}
servers:
  - url: https://api.test/v1/
paths:
  /a/:
    get:
      responses:
        '200': {description: ok}
"""


def _json_results(capsys):
    return json.loads(capsys.readouterr().out or "[]")


def test_baseline_then_only_new_results(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    api = tmp_path / "api.yaml"
    api.write_text(DOC)
    assert main(["lint", "-r", "spectral:oas", "-f", "json", str(api)]) in (0, 1)
    before = _json_results(capsys)
    assert before

    assert main(["baseline", "-r", "spectral:oas", str(api), "-o", "base/baseline.json"]) == 0
    capsys.readouterr()
    data = json.loads((tmp_path / "base" / "baseline.json").read_text())
    assert len(data["results"]) == len(before)
    assert {e["file"] for e in data["results"]} == {"../api.yaml"}
    assert all(set(e) >= {"code", "file", "path", "fingerprint"} for e in data["results"])

    # lines move and a new problem appears: only that one is reported
    api.write_text("# a comment that moves every line\n" + DOC.replace("paths:\n", "paths:\n  /b/:\n    get:\n      responses:\n        '200': {description: ok}\n"))
    code = main(["lint", "-r", "spectral:oas", "-f", "json", "--baseline", "base/baseline.json", str(api)])
    after = _json_results(capsys)
    assert after and all("/b/" in r["path"] for r in after if r["code"] != "operation-operationId-unique")
    assert {tuple(r["path"]) for r in after}.isdisjoint({tuple(r["path"]) for r in before})
    assert code in (0, 1)


def test_missing_baseline_is_a_usage_error(tmp_path, capsys):
    api = tmp_path / "api.yaml"
    api.write_text(DOC)
    assert main(["lint", "--baseline", str(tmp_path / "nope.json"), str(api)]) == 2
    assert "no such baseline file" in capsys.readouterr().err
