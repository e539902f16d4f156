"""Shared test helpers: where ../shared is, and skipping when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
CONFORMANCE = SHARED / "conformance"
RULESETS = SHARED / "rulesets"

needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared (corpus, conformance, rulesets) is not beside the repository")


def corpus_roots() -> list[Path]:
    """Root documents of the corpus (multi-file descriptions by their root file), from MANIFEST.tsv."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    rows = manifest.read_text(encoding="utf-8").splitlines()[1:]
    return [CORPUS / row.split("\t")[0] for row in rows if row.strip()]


@pytest.fixture(autouse=True)
def _isolated_lint_cache(monkeypatch, tmp_path_factory):
    """`apigov lint` caches results in .apigov_cache of the current folder: give each test its own
    cache folder (created only if a test lints), so no test reuses another's results or leaves a
    cache in the repository. Lint runs in-process serially unless a test asks for --jobs."""
    import uuid

    base = tmp_path_factory.getbasetemp() / "apigov-cache"
    monkeypatch.setenv("APIGOV_CACHE_DIR", str(base / uuid.uuid4().hex))
    monkeypatch.setenv("APIGOV_JOBS", "1")
