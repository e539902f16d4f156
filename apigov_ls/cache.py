"""The results cache of `apigov lint`: a second run over unchanged files is near-instant.

One entry per (root file, ruleset location, max file size), in `<cache dir>/v1/<hash>.json`
(so a changed file overwrites its entry instead of adding one). An entry holds:

- `key`: a hash of what the results depend on besides the files: the apigov version, a
  fingerprint of the installed engine and built-in rules (paths, sizes, mtimes: an edited
  checkout does not reuse results of older code), the Python version, the ruleset (the contents
  of every file it was built from: extends, function files, $ref'd schemas) and --max-file-size;
- `reads`: every file the lint read or tried to read through $ref, root first, each with its
  state (hash of its text, or missing / outside the allowed roots / ...). A hit re-checks them
  all, so a change in a referenced file, or a ref that becomes readable, is a miss. The allowed
  roots are not in the key: what they decide is in the states ("denied" vs a text hash);
- `outcome`: the raw results (before --baseline filtering) in apigov_ls.outcome's compact form.

Entries are written atomically; an entry that cannot be read or decoded is a miss (and is
overwritten), never an error. The cache folder holds a `.gitignore` (`*`) and a CACHEDIR.TAG,
as ruff's does.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import lru_cache

from apigov_ls import __version__
from apigov_ls.outcome import FORMAT, FileOutcome, decode, encode, file_state

DEFAULT_DIR = ".apigov_cache"
ENV_DIR = "APIGOV_CACHE_DIR"
LAYOUT = "v1"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by apigov.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def cache_dir(explicit: str | None) -> str:
    """--cache-dir, else $APIGOV_CACHE_DIR, else .apigov_cache in the current folder."""
    return os.path.abspath(explicit or os.environ.get(ENV_DIR) or DEFAULT_DIR)


def _sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """apigov's version and the size and mtime of every source and data file of the installed package."""
    import apigov_ls

    folders = [os.path.dirname(os.path.abspath(apigov_ls.__file__))]
    try:
        from importlib.resources import files

        folders.append(str(files("apigov_ls.rules")))
    except (ImportError, TypeError, ValueError):
        pass
    h = hashlib.sha256(f"{__version__}\x00{FORMAT}\x00{sys.version_info[:2]}".encode())
    for top in dict.fromkeys(folders):
        for folder, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                if name.endswith((".py", ".yaml", ".yml", ".json", ".mjs", ".js")):
                    try:
                        st = os.stat(os.path.join(folder, name))
                    except OSError:
                        continue
                    h.update(f"{os.path.relpath(os.path.join(folder, name), top)}\x00{st.st_size}\x00{st.st_mtime_ns}\x00".encode())
    return h.hexdigest()


def _content_hash(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return "unreadable"


def ruleset_fingerprint(where: str, files: list[str]) -> str:
    """The ruleset's location and the contents of every file it was built from."""
    parts = [where]
    for path in sorted(set(files)):
        parts += [path, _content_hash(path)]
    return _sha(*parts)


def ensure_cache_dir(directory: str) -> None:
    """Create the folder with its .gitignore and CACHEDIR.TAG (first use only)."""
    from apigov_ls.fsutil import write_atomic

    os.makedirs(os.path.join(directory, LAYOUT), exist_ok=True)
    for name, text in ((".gitignore", "# created by apigov\n*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)):
        if not os.path.exists(os.path.join(directory, name)):
            write_atomic(os.path.join(directory, name), text)


class ResultsCache:
    """Look up and store lint outcomes. Never raises for a damaged or unwritable cache."""

    def __init__(self, directory: str, *, max_size: int, load_ruleset):
        self.directory = directory
        self.max_size = max_size
        #: where -> Ruleset; called only when the ruleset's files changed since it was last indexed
        self.load_ruleset = load_ruleset
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._rulesets: dict[str, tuple[str, list[str]]] = {}
        self._ready = False

    # -- rulesets: a fingerprint without loading them (loading the built-in ones takes most of a cached run)
    def _ruleset_index_path(self, where: str) -> str:
        return os.path.join(self.directory, LAYOUT, "ruleset-" + _sha(where)[:40] + ".json")

    def ruleset_info(self, where: str) -> tuple[str, list[str]]:
        """(fingerprint, custom function names) of the ruleset at `where`: from its index entry when
        none of the files it was built from changed, else by loading it (and indexing it again)."""
        if where in self._rulesets:
            return self._rulesets[where]
        info = None
        try:
            with open(self._ruleset_index_path(where), encoding="utf-8") as fh:
                entry = json.load(fh)
            if entry["engine"] == engine_fingerprint() and entry["where"] == where and all(
                _content_hash(p) == h for p, h in entry["files"]
            ):
                info = (ruleset_fingerprint(where, [p for p, _ in entry["files"]]), [str(n) for n in entry["custom_functions"]])
        except (OSError, ValueError, KeyError, TypeError):
            info = None
        if info is None:
            ruleset = self.load_ruleset(where)
            files = sorted(set(ruleset.files))
            info = (ruleset_fingerprint(where, files), list(ruleset.custom_functions))
            entry = {"engine": engine_fingerprint(), "where": where, "files": [[p, _content_hash(p)] for p in files],
                     "custom_functions": info[1]}
            self._write(self._ruleset_index_path(where), json.dumps(entry))
        self._rulesets[where] = info
        return info

    def _key(self, path: str, where: str) -> str:
        return _sha(engine_fingerprint(), self.ruleset_info(where)[0], str(self.max_size), path)

    def _write(self, target: str, text: str) -> bool:
        from apigov_ls.fsutil import write_atomic

        try:
            if not self._ready:
                ensure_cache_dir(self.directory)
                self._ready = True
            write_atomic(target, text)
            return True
        except OSError:
            return False  # a read-only or full disk: the lint itself is fine

    def entry_path(self, path: str, where: str) -> str:
        return os.path.join(self.directory, LAYOUT, _sha(path, where, str(self.max_size))[:40] + ".json")

    def lookup(self, path: str, where: str, loader) -> FileOutcome | None:
        """The stored outcome of `path` when the key and every file it read are unchanged."""
        outcome = self._valid_entry(path, where, loader)
        if outcome is None:
            self.misses += 1
        else:
            self.hits += 1
        return outcome

    def _valid_entry(self, path: str, where: str, loader) -> FileOutcome | None:
        key = self._key(path, where)  # outside the try: an invalid ruleset is the user's error
        try:
            with open(self.entry_path(path, where), encoding="utf-8") as fh:
                entry = json.load(fh)
            if entry.get("key") != key:
                return None
            outcome = decode(entry["outcome"])
            reads = outcome.reads
            if outcome.path != path or not reads or reads[0][0] != path:
                return None
            # the root is read whatever the allowed roots; $ref'd files only inside them
            for i, (p, state) in enumerate(reads):
                if file_state(p, loader, check_allowed=i > 0) != state:
                    return None
            return outcome
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None  # no entry, or a damaged one: lint again and overwrite it

    def store(self, outcome: FileOutcome, where: str) -> None:
        if outcome.error is not None or not outcome.reads or outcome.reads[0][0] != outcome.path:
            return
        try:
            text = json.dumps({"key": self._key(outcome.path, where), "outcome": encode(outcome)},
                              ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError):
            return  # a value JSON cannot hold (from a custom function's result): not cached
        if self._write(self.entry_path(outcome.path, where), text):
            self.writes += 1
