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
