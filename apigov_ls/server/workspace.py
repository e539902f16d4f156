"""Which files are API descriptions, which roots use a file, and snapshots of open editors.

A *root* is an API description (a root `openapi`/`swagger` key, or a file matched by the
`include` globs). Every other file reached through `$ref` is a fragment, checked in the context
of each root that uses it. `RootIndex` maps fragments to their roots; it is filled by the first
workspace scan and updated after every completed check.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Iterable

from pygls.uris import from_fs_path, to_fs_path

from apigov_ls.server.config import Settings

DESCRIPTION_SUFFIXES = (".yaml", ".yml", ".json")
SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", "dist", "build"}
#: the workspace scan stops after this many candidate files (huge monorepos)
SCAN_LIMIT = 5000
#: matched at the start of a line (YAML) or at the key's opening quote (JSON)
_YAML_ROOT_KEY = re.compile(r"['\"]?(?:openapi|swagger)['\"]?[ \t]*:")
_JSON_ROOT_KEY = re.compile(r"\"(?:openapi|swagger)\"\s*:")


def uri_to_path(uri: str) -> str | None:
    path = to_fs_path(uri)
    return os.path.normpath(path) if path else None


def path_to_uri(path: str) -> str:
    return from_fs_path(path) or path


def sniff_description(text: str, path: str) -> bool:
    """Cheap test for a root `openapi`/`swagger` key (confirmed after parsing).

    The whole text is searched: the key need not come first (stripe.yaml sorts its keys and has
    `openapi:` at 0.9 MB). The regexes run in C; 3.4 MB take a few milliseconds."""
    json = path.lower().endswith(".json") or text[:4096].lstrip()[:1] == "{"
    pattern = _JSON_ROOT_KEY if json else _YAML_ROOT_KEY
    for key in ("openapi", "swagger"):
        # str.find skips to the few places the word occurs; the regex then checks just there
        at = text.find(key)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1 if not json else max(at - 1, 0)
            if pattern.match(text, start, at + len(key) + 64):
                return True
            at = text.find(key, at + len(key))
    return False


def has_description_suffix(path: str) -> bool:
    return path.lower().endswith(DESCRIPTION_SUFFIXES)


@dataclass(frozen=True)
class Snapshot:
    """Open editor texts and versions at one moment: what a check runs on."""

    overlays: dict[str, str]
    versions: dict[str, int]
    #: path -> token naming each open text (IndexedDocument.token), for sending edits instead of texts
    tokens: dict[str, str] = field(default_factory=dict)


class RootIndex:
    """Roots known in the workspace and the files each one uses."""

    def __init__(self) -> None:
        self.files_of: dict[str, frozenset[str]] = {}

    def set_files(self, root: str, files: Iterable[str]) -> None:
        self.files_of[root] = frozenset(files) | {root}

    def forget(self, root: str) -> None:
        self.files_of.pop(root, None)

    def roots_using(self, path: str) -> set[str]:
        return {root for root, files in self.files_of.items() if path in files}


class ApiWorkspace:
    def __init__(self) -> None:
        self.settings = Settings()
        self.folders: list[str] = []
        self.index = RootIndex()

    def excluded(self, path: str) -> bool:
        return self.settings.matches(path, self.settings.exclude, self.folders)

    def included(self, path: str) -> bool:
        return self.settings.matches(path, self.settings.include, self.folders)

    def is_root(self, path: str, text: str) -> bool:
        """Whether a file is linted as an API description in its own right."""
        if self.excluded(path):
            return False
        if self.included(path):
            return True
        return has_description_suffix(path) and sniff_description(text, path)

    def roots_for(self, path: str, text: str | None) -> set[str]:
        """Roots to re-check when `path` changes: itself if it is one, and every root using it."""
        roots = {r for r in self.index.roots_using(path) if not self.excluded(r)}
        if text is not None and self.is_root(path, text):
            roots.add(path)
        elif path in roots and text is not None:
            roots.discard(path)  # it used to be a description and no longer is
        return roots


def scan_folders(folders: list[str], workspace: ApiWorkspace, limit: int = SCAN_LIMIT) -> list[str]:
    """Files under the workspace folders that are API descriptions (see `_file_is_description`)."""
    found: list[str] = []
    seen = 0
    for folder in folders:
        for current, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(files):
                path = os.path.join(current, name)
                if not (has_description_suffix(path) or workspace.included(path)) or workspace.excluded(path):
                    continue
                seen += 1
                if seen > limit:
                    return found
                if workspace.included(path) or _file_is_description(path):
                    found.append(os.path.normpath(path))
    return found


#: the workspace scan reads no more of a file than this to find its root key
SCAN_READ_LIMIT = 20 * 1024 * 1024


def _file_is_description(path: str) -> bool:
    """`sniff_description` on a file: its first 64 KB, then (rarely) the rest, up to SCAN_READ_LIMIT."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
            if sniff_description(head.decode("utf-8", "replace"), path):
                return True
            if len(head) < 65536:
                return False
            rest = fh.read(SCAN_READ_LIMIT)
    except OSError:
        return False
    return sniff_description((head + rest).decode("utf-8", "replace"), path)
