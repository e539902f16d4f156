"""Hostile YAML/JSON and $refs: refused with a diagnostic, in bounded time, never a crash or a hang."""

from __future__ import annotations

import io
import json
import os
import threading
import time

import pytest

from apigov_ls import cli
from apigov_ls.document.model import FileLoader, build_document
from apigov_ls.document.parse import parse_text

HEAD = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"


def timed(fn, *args, **kw):
    started = time.perf_counter()
    value = fn(*args, **kw)
    return value, time.perf_counter() - started


def codes(parsed) -> set[str]:
    return {p.code for p in parsed.problems}


def test_alias_bomb_refused_within_100_ms():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    parsed, seconds = timed(parse_text, "\n".join(lines) + "\n")
    assert "parser-alias-bomb" in codes(parsed)
    assert seconds < 0.1, seconds


@pytest.mark.parametrize("kind", ["yaml-block", "yaml-flow", "json"])
def test_nesting_10000_deep_is_a_diagnostic(kind):
    n = 10_000
    if kind == "yaml-block":
        n = 3_000  # 10,000 levels of block indentation is 50 MB: the size limit answers that one
        text = "".join(" " * i + "a:\n" for i in range(n)) + " " * n + "b: 1\n"
        syntax = "yaml"
    elif kind == "yaml-flow":
        text = "a: " + "[" * n + "]" * n + "\n"
        syntax = "yaml"
    else:
        text = '{"a": ' + "[" * n + "]" * n + "}"
        syntax = "json"
    parsed, seconds = timed(parse_text, text, syntax=syntax)
    assert "parser-too-deep" in codes(parsed)
    assert seconds < 10


def test_over_size_limit_is_a_clear_diagnostic():
    parsed = parse_text(HEAD + "x: " + "a" * 2000 + "\n", max_size=1000)
    problem = next(p for p in parsed.problems if p.code == "parser-too-large")
    assert "limit" in problem.message and not parsed.ok


def test_cli_max_file_size(tmp_path, capsys):
    api = tmp_path / "api.yaml"
    api.write_text(HEAD + "x-pad: " + "a" * 5000 + "\n")
    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(["lint", str(api), "--max-file-size", "2K", "-f", "json", "-q"])
    cli.cmd_lint(args, out, err)
    assert "parser-too-large" in out.getvalue()
    args = cli.build_parser().parse_args(["lint", str(api), "-f", "json", "-q"])
    out = io.StringIO()
    cli.cmd_lint(args, out, err)
    assert "parser-too-large" not in out.getvalue()


@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_ten_megabyte_line_and_huge_scalar_are_bounded(syntax):
    big = "a" * (10 * 1024 * 1024)
    if syntax == "yaml":
        text = HEAD + f"x-big: {big}\n"
    else:
        text = json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x-big": big})
    parsed, seconds = timed(parse_text, text, syntax=syntax)
    assert parsed.ok and len(parsed.data["x-big"]) == len(big)
    assert seconds < 10, seconds


# -- $refs ----------------------------------------------------------------------------------------
def ref_results(doc):
    return [r for r in doc.problems if "ref" in r.code]


def build_bounded(path, loader=None, limit=5.0):
    """build_document in a thread, failing the test (not hanging it) when it blocks."""
    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("doc", build_document(str(path), loader=loader or FileLoader())), daemon=True)
    started = time.perf_counter()
    worker.start()
    worker.join(limit)
    assert not worker.is_alive(), f"building {path} blocked for {limit} s"
    return box["doc"], time.perf_counter() - started


def test_self_and_cyclic_refs_terminate(tmp_path):
    (tmp_path / "a.yaml").write_text(HEAD + "components:\n  schemas:\n    A: {$ref: 'b.yaml#/B'}\n    S: {$ref: '#/components/schemas/S'}\n")
    (tmp_path / "b.yaml").write_text("B:\n  properties:\n    back: {$ref: 'a.yaml#/components/schemas/A'}\n")
    doc, _ = build_bounded(tmp_path / "a.yaml")
    schemas = doc.data["components"]["schemas"]
    # as in Spectral, refs that lead back to themselves stay $refs instead of expanding for ever
    assert schemas["S"] == {"$ref": "#/components/schemas/S"}
    assert "$ref" in str(schemas["A"])


@pytest.mark.parametrize("target", ["folder", "fifo", "/dev/zero"])
def test_refs_to_special_files_never_block(tmp_path, target):
    if target == "folder":
        (tmp_path / "sub").mkdir()
        ref = "sub"
    elif target == "fifo":
        os.mkfifo(tmp_path / "pipe.yaml")
        ref = "pipe.yaml"
    else:
        ref = "file:///dev/zero"
    (tmp_path / "api.yaml").write_text(HEAD + f"components:\n  schemas:\n    X: {{$ref: '{ref}'}}\n")
    doc, seconds = build_bounded(tmp_path / "api.yaml")
    assert ref_results(doc), [r.code for r in doc.problems]
    assert seconds < 5


def test_invalid_utf8_referenced_file_gets_a_diagnostic(tmp_path):
    (tmp_path / "bad.yaml").write_bytes(b"B: {type: \xff\xfe string}\n")
    (tmp_path / "api.yaml").write_text(HEAD + "components:\n  schemas:\n    X: {$ref: 'bad.yaml#/B'}\n")
    doc, _ = build_bounded(tmp_path / "api.yaml")
    assert any("UTF-8" in r.message for r in ref_results(doc)), [r.message for r in doc.problems]


def _outside_setup(tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "id.yaml").write_text("S: {type: string, description: TOPSECRET}\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "api.yaml").write_text(HEAD + "components:\n  schemas:\n    X: {$ref: '../secret/id.yaml#/S'}\n")
    return project, secret


def test_refs_outside_allowed_roots_are_not_read(tmp_path):
    project, secret = _outside_setup(tmp_path)
    doc, _ = build_bounded(project / "api.yaml", FileLoader(allowed_roots=[str(project)]))
    assert any("outside" in r.message for r in ref_results(doc))
    assert str(secret / "id.yaml") not in doc.files
    doc, _ = build_bounded(project / "api.yaml", FileLoader(allowed_roots=[str(project), str(secret)]))
    assert str(secret / "id.yaml") in doc.files


def test_cli_refuses_outside_refs_unless_allow_listed(tmp_path, monkeypatch):
    project, secret = _outside_setup(tmp_path)
    monkeypatch.chdir(project)
    out, err = io.StringIO(), io.StringIO()
    cli.cmd_lint(cli.build_parser().parse_args(["lint", "api.yaml", "-f", "json", "-q"]), out, err)
    assert "outside the workspace" in out.getvalue()
    out = io.StringIO()
    cli.cmd_lint(cli.build_parser().parse_args(["lint", "api.yaml", "-f", "json", "-q", "--allow-ref-root", str(secret)]), out, err)
    assert "outside the workspace" not in out.getvalue()


def test_remote_refs_are_not_fetched(tmp_path):
    (tmp_path / "api.yaml").write_text(HEAD + "components:\n  schemas:\n    X: {$ref: 'http://127.0.0.1:9/x.yaml#/X'}\n")
    doc, seconds = build_bounded(tmp_path / "api.yaml")
    assert "remote-ref" in {r.code for r in doc.problems}
    assert seconds < 2
