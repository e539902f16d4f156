"""Shared helpers for the apigov:security and apigov:governance rule tests: case tables made
of patches over base documents, `# expect:` markers in multi-file fixtures, x-apigov examples."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from apigov_ls.document.model import encode_pointer
from apigov_ls.document.parse import parse_text
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.lint import lint_file

DATA = Path(__file__).resolve().parent / "data"

#: codes that come from the document loader, not from rules
NOT_RULES = {"unrecognized-format", "invalid-ref", "remote-ref"}

_VERSIONS = {"oas3": [("3.0", "3.0.3"), ("3.1", "3.1.0")], "oas2": [("2.0", None)]}


def read_yaml(path: Path) -> Any:
    parsed = parse_text(path.read_text(encoding="utf-8"), syntax="yaml")
    assert not [p for p in parsed.problems if p.severity == 0], f"{path}: {parsed.problems}"
    return parsed.data


def deep_merge(base: Any, patch: Any) -> Any:
    """`patch` over `base`: mappings merge, None deletes, {"=": v} replaces, the rest replaces."""
    if isinstance(patch, dict) and set(patch) == {"="}:
        return copy.deepcopy(patch["="])
    if not isinstance(patch, dict) or not isinstance(base, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = deep_merge(out.get(key), value)
    return out


def version_bases(bases: dict, family: str) -> list[tuple[str, dict]]:
    """(label, base document) for each OpenAPI version a family of cases runs on."""
    out = []
    for label, openapi in _VERSIONS[family]:
        doc = copy.deepcopy(bases[family])
        if openapi is not None:
            doc["openapi"] = openapi
        out.append((label, doc))
    return out


def case_table(cases_file: Path) -> tuple[dict, list]:
    """(bases, [(rule, version label, kind, patch, expected pointers or None)])."""
    table = read_yaml(cases_file)
    rows = []
    for rule, families in table["rules"].items():
        for family, kinds in families.items():
            for label, _ in version_bases(table["bases"], family):
                for i, case in enumerate(kinds.get("fail", [])):
                    rows.append((rule, label, f"fail{i}", family, case["patch"], case["at"]))
                for i, patch in enumerate(kinds.get("pass", [])):
                    rows.append((rule, label, f"pass{i}", family, patch, None))
    return table["bases"], rows


def lint_data(data: dict, ruleset, tmp_path: Path) -> list:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return [r for r in lint_file(str(path), ruleset).results if r.code not in NOT_RULES]


def pointer_of(result) -> str:
    return encode_pointer(result.source_pointer if result.source_pointer is not None else result.path)


_EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


def expected_markers(folder: Path) -> set[tuple[str, int, str]]:
    """(file relative to folder, 0-based line, code) for every `# expect: code, code` comment."""
    out = set()
    for file in sorted(folder.rglob("*.yaml")):
        for line_no, line in enumerate(file.read_text(encoding="utf-8").splitlines()):
            m = _EXPECT.search(line)
            if m and not line.lstrip().startswith("#"):
                for code in m.group(1).split(","):
                    out.add((file.relative_to(folder).as_posix(), line_no, code.strip()))
    return out


def reported(folder: Path, root: str, ruleset) -> set[tuple[str, int, str]]:
    report = lint_file(str(folder / root), ruleset)
    return {
        (Path(r.source).relative_to(folder).as_posix(), r.range.start.line, r.code)
        for r in report.results
        if r.code not in NOT_RULES
    }


def example_rows(name: str) -> list[tuple[str, str, str]]:
    """(rule, fail YAML, pass YAML) from each rule's x-apigov examples."""
    ruleset = load_ruleset(name)
    return [
        (rule.name, rule.extensions["x-apigov"]["examples"]["fail"], rule.extensions["x-apigov"]["examples"]["pass"])
        for rule in ruleset.rules.values()
    ]


def lint_text(text: str, ruleset, tmp_path: Path, name: str) -> set[str]:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return {r.code for r in lint_file(str(path), ruleset).results if r.code not in NOT_RULES}
