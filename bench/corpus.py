"""Locate the shared OpenAPI corpus and the documents to lint in it.

The corpus lives in ../shared/corpus beside the repository (override with the
APIGOV_SHARED environment variable). MANIFEST.tsv lists one row per API
description; for multi-file descriptions the row names the root file, and the
other files under its root dir are fragments that are only reached by $ref.
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared folder: $APIGOV_SHARED if set, else ../shared beside the repo."""
    env = os.environ.get("APIGOV_SHARED")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def corpus_dir() -> Path:
    return shared_dir() / "corpus"


@dataclass(frozen=True)
class CorpusDoc:
    rel_path: str            # path relative to the corpus dir, as in MANIFEST.tsv
    path: Path               # absolute path of the (root) file
    format_version: str      # "2.0", "3.0.3", "3.1.0", ...
    serialization: str       # "json" | "yaml"
    bytes: int               # size of the root file
    total_bytes: int         # size of all its files (differs from bytes for multi-file docs)
    operations: int
    multi_file: bool
    fragment_root: str | None  # corpus-relative dir holding the fragments, for multi-file docs
    source_repo: str


# e.g. "yes (5 files); root dir oai/v2.0/yaml/petstore-separate/ ; 4786 bytes total"
_ROOT_DIR = re.compile(r"root dir (\S+)")
_TOTAL_BYTES = re.compile(r"(\d+) bytes total")


def load_manifest(corpus: Path | None = None) -> list[CorpusDoc]:
    """Every document the manifest lists (root files only), in manifest order."""
    corpus = corpus or corpus_dir()
    docs = []
    with open(corpus / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            multi = row["multi_file"].startswith("yes")
            m = _ROOT_DIR.search(row["multi_file"]) if multi else None
            total = _TOTAL_BYTES.search(row["multi_file"]) if multi else None
            docs.append(CorpusDoc(
                rel_path=row["path"],
                path=corpus / row["path"],
                format_version=row["format_version"],
                serialization=row["serialization"],
                bytes=int(row["bytes"]),
                total_bytes=int(total.group(1)) if total else int(row["bytes"]),
                operations=int(row["operations"]),
                multi_file=multi,
                fragment_root=m.group(1).rstrip("/") if m else None,
                source_repo=row["source_repo"],
            ))
    return docs


def is_fragment(rel_path: str, docs: list[CorpusDoc]) -> bool:
    """True for a file under a multi-file description's root dir that is not its root file."""
    for d in docs:
        if d.fragment_root and rel_path.startswith(d.fragment_root + "/") and rel_path != d.rel_path:
            return True
    return False


def find_doc(name: str, docs: list[CorpusDoc] | None = None) -> CorpusDoc:
    """A manifest entry by exact corpus-relative path, or by a unique substring of it."""
    docs = docs if docs is not None else load_manifest()
    exact = [d for d in docs if d.rel_path == name]
    if exact:
        return exact[0]
    hits = [d for d in docs if name in d.rel_path]
    if len(hits) != 1:
        raise KeyError(f"{name!r} matches {len(hits)} corpus documents")
    return hits[0]
