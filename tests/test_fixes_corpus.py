"""`apigov lint --fix` on copies of the ten smallest corpus descriptions, then a re-lint: no
result that a safe fix would remove remains, and no rule reports a code it did not report before.
(Run on the whole corpus by hand: `APIGOV_FIX_FULL_CORPUS=1 pytest tests/test_fixes_corpus.py`.)"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from apigov_ls.cli import main
from apigov_ls.document.model import FileLoader
from apigov_ls.engine.ruleset import load_ruleset
from apigov_ls.fixes import fixes_for
from apigov_ls.lint import lint_file

from conftest import CORPUS, corpus_roots, needs_shared

#: codes a safe fix may newly cause, and why
EXPECTED_NEW = {
    # operation-tag-defined declares a missing tag by name; safe fixes add no placeholder text
    "tag-description",
}
ALL_RULES = "extends: [[spectral:oas, all], [spectral:owasp, all], [apigov:security, all], [apigov:governance, all]]\n"


def _tree(root: Path) -> Path:
    """The folder to copy: the root's own folder, or the corpus entry's top folder for multi-file ones."""
    rel = root.relative_to(CORPUS)
    return CORPUS / rel.parts[0] / rel.parts[1] if len(rel.parts) > 2 else root.parent


def _tree_size(root: Path) -> int:
    folder = _tree(root)
    if folder == root.parent and len(root.relative_to(CORPUS).parts) <= 2:
        return root.stat().st_size
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _chosen() -> list[Path]:
    roots = [r for r in corpus_roots() if r.is_file()]
    if os.environ.get("APIGOV_FIX_FULL_CORPUS"):
        return roots
    return sorted(roots, key=_tree_size)[:10]


@needs_shared
@pytest.mark.parametrize("root", _chosen(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_fix_corpus_document(root: Path, tmp_path: Path, capsys):
    ruleset_file = tmp_path / "ruleset.yaml"
    ruleset_file.write_text(ALL_RULES)
    rel = root.relative_to(_tree(root))
    work = tmp_path / "doc"
    if _tree(root) == root.parent and len(root.relative_to(CORPUS).parts) <= 2:
        work.mkdir()
        shutil.copy(root, work / root.name)
    else:
        shutil.copytree(_tree(root), work)
    target = work / rel
    ruleset = load_ruleset(str(ruleset_file))
    before = lint_file(str(target), ruleset, loader=FileLoader())

    code = main(["lint", "--fix", "-q", "-r", str(ruleset_file), "-f", "json", str(target)])
    assert code in (0, 1)
    capsys.readouterr()

    after = lint_file(str(target), ruleset, loader=FileLoader())
    assert not [p for p in after.results if p.code.startswith("parser-") and p.code not in {r.code for r in before.results}]
    new_codes = {r.code for r in after.results} - {r.code for r in before.results} - EXPECTED_NEW
    assert not new_codes, f"new result codes after --fix: {new_codes}"
    left = Counter(r.code for r in after.results if any(f.is_safe for f in fixes_for(r, after.document)))
    assert not left, f"results with a safe fix remain: {dict(left)}"
