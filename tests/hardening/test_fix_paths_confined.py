"""`apigov lint --fix` and `apigov baseline` read $refs only under the same roots as `apigov lint`."""

import json

from apigov_ls.cli import main


def test_fix_and_baseline_do_not_read_outside_the_roots(tmp_path, monkeypatch, capsys):
    ws = tmp_path / "ws"
    ws.mkdir()
    (tmp_path / "secret.yaml").write_text("Thing:\n  type: string\n  enum: [a, a]\n")
    (ws / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    X: {$ref: '../secret.yaml#/Thing'}\n"
    )
    monkeypatch.chdir(ws)
    before = (tmp_path / "secret.yaml").read_text()
    main(["lint", "api.yaml", "--fix", "-r", "spectral:oas", "-f", "json"])
    out = json.loads(capsys.readouterr().out)
    assert any(r["code"] == "invalid-ref" and "outside the workspace" in r["message"] for r in out)
    assert (tmp_path / "secret.yaml").read_text() == before  # the duplicate enum outside was neither read nor fixed
    main(["baseline", "api.yaml", "-r", "spectral:oas", "-o", str(ws / "baseline.json")])
    capsys.readouterr()
    text = (ws / "baseline.json").read_text()
    assert "duplicated-entry-in-enum" not in text and "invalid-ref" in text
