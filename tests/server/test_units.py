"""Unit tests of the server's pure helpers: settings, globs, cursor lookups, the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from apigov_ls.engine.types import Severity
from apigov_ls.server.cli import parse_tcp
from apigov_ls.server.config import Settings, glob_match, parse_settings
from apigov_ls.server.cursor import component_pointer, ref_at, split_ref, yaml_ancestors
from apigov_ls.server.navigation import _segment_span, yaml_block_lines
from apigov_ls.server.workspace import sniff_description


def test_parse_settings_accepts_section_or_object_and_reports_bad_values():
    settings, errors = parse_settings({"apigov": {"run": "onSave", "severityOverrides": {"a": "off", "b": "error"}, "trusted": True}})
    assert errors == []
    assert settings.run == "onSave" and settings.trusted is True
    assert settings.severity_overrides == {"a": None, "b": Severity.ERROR}
    kept, errors = parse_settings({"run": "sometimes", "include": 3, "severityOverrides": {"x": "loud"}}, settings)
    assert kept.run == "onSave" and kept.include == ()
    assert len(errors) == 3
    assert parse_settings(None) == (Settings(), [])


def test_glob_match_relative_to_workspace_and_braces():
    root = "/ws"
    assert glob_match("/ws/api/v1/spec.yaml", "api/**/*.yaml", [root])
    assert glob_match("/ws/spec.yml", "**/*.{yaml,yml}", [root])
    assert not glob_match("/ws/api/spec.json", "api/*.yaml", [root])
    assert glob_match("/elsewhere/openapi.yaml", "openapi.yaml", [root])


def test_sniff_description_yaml_and_json():
    assert sniff_description("# c\nopenapi: 3.1.0\n", "a.yaml")
    assert sniff_description('{"swagger": "2.0"}', "a.json")
    assert not sniff_description("type: object\nproperties: {}\n", "a.yaml")
    assert not sniff_description("  openapi: nested\n", "a.yaml")


@pytest.mark.parametrize("line,col,value", [
    ("      $ref: '#/components/schemas/Pet'", 20, "#/components/schemas/Pet"),
    ('  "$ref": "other.json#/a~1b"', 15, "other.json#/a~1b"),
    ("  - $ref: ../p.yaml", 6, "../p.yaml"),
    ("  schema: {$ref: '#/x'}", 19, "#/x"),
])
def test_ref_at(line, col, value):
    found = ref_at(line, col)
    assert found is not None and found.value == value
    assert line[found.start:found.end] == value


def test_ref_at_outside_the_ref():
    assert ref_at("  description: $ref is mentioned", 3) is None


def test_split_ref_and_component_pointer():
    assert split_ref("../c/s.yaml#/components/schemas/A", "/w/p/x.yaml") == ("/w/c/s.yaml", ("components", "schemas", "A"))
    assert split_ref("#/definitions/a~1b", "/w/x.yaml") == ("/w/x.yaml", ("definitions", "a/b"))
    assert component_pointer(("components", "schemas", "A", "properties")) == ("components", "schemas", "A")
    assert component_pointer(("definitions", "A", "x")) == ("definitions", "A")
    assert component_pointer(("paths", "/a")) is None


def test_segment_span():
    ref = "file.yaml#/components/schemas/Pet/properties/x"
    s, e = _segment_span(ref, 2)
    assert ref[s:e] == "Pet"
    assert _segment_span("#/a%20b/c", 0) is None


def test_yaml_ancestors():
    lines = ["paths:", "  /a:", "    get:", "      security:", "        - ", "      responses:", "        "]
    # on the list item's own line: the item is not an ancestor yet
    assert yaml_ancestors(lines, 4, 10) == ["paths", "/a", "get", "security"]
    nested = ["security:", "  - api: []", "    "]
    assert yaml_ancestors(nested, 2, 4) == ["security", "-"]
    assert yaml_ancestors(lines, 6, 8) == ["paths", "/a", "get", "responses"]


def test_yaml_block_lines_follows_indentation():
    text = "a:\n  b:\n    c: 1\n    d:\n      e: 2\n  f: 3\nb:\n  c: 9\n"
    assert yaml_block_lines(text, ("a", "b", "d")) == (["    d:", "      e: 2"], False)
    assert yaml_block_lines(text, ("b", "c")) == (["  c: 9"], False)
    assert yaml_block_lines(text, ("a", "c")) is None


def test_parse_tcp():
    assert parse_tcp("127.0.0.1:2087") == ("127.0.0.1", 2087)
    assert parse_tcp(":2087") == ("127.0.0.1", 2087)
    with pytest.raises(Exception):
        parse_tcp("localhost")


def test_cli_version_and_bad_tcp():
    out = subprocess.run([sys.executable, "-m", "apigov_ls.server", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("apigov-ls ")
    bad = subprocess.run([sys.executable, "-m", "apigov_ls.server", "--tcp", "nohost"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "HOST:PORT" in bad.stderr


def test_trust_cannot_come_from_workspace_configuration():
    from apigov_ls.server.config import Settings, parse_settings

    settings, errors = parse_settings({"apigov": {"trusted": True, "allowedRefRoots": ["/"], "run": "onSave"}}, Settings(), privileged=False)
    assert settings.trusted is False and settings.allowed_ref_roots == () and settings.run == "onSave"
    assert errors and "initializationOptions" in errors[0]
    settings, errors = parse_settings({"trusted": True}, Settings(), privileged=True)
    assert settings.trusted is True and not errors


def test_sniff_description_finds_a_root_key_past_the_first_64_kb(tmp_path):
    # stripe.yaml sorts its keys: `openapi:` comes after 0.9 MB of components
    filler = "components:\n  schemas:\n" + "".join(f"    S{i}:\n      description: openapi: not a root key\n" for i in range(3000))
    text = filler + "info: {title: t, version: '1'}\nopenapi: 3.0.0\npaths: {}\n"
    assert len(text) > 65536
    assert sniff_description(text, "api.yaml")
    assert not sniff_description(filler, "api.yaml")
    assert sniff_description('{"components": {"x": "' + "y" * 70000 + '"}, "openapi": "3.0.0"}', "api.json")
    assert not sniff_description("openapix: 1\ndescription: swagger: 2\n", "a.yaml")
    big = tmp_path / "api.yaml"
    big.write_text(text, encoding="utf-8")
    (tmp_path / "fragment.yaml").write_text(filler, encoding="utf-8")
    from apigov_ls.server.workspace import _file_is_description
    assert _file_is_description(str(big))
    assert not _file_is_description(str(tmp_path / "fragment.yaml"))
