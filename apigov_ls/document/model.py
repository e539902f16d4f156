"""The document model: parsed files, the $ref graph and the resolved view.

A `Document` is one root API description plus every file it references. Rules read
`Document.resolved` (refs replaced by their targets) or `Document.unresolved`; a path in
either view is mapped back to the file and pointer that hold the text with `locate`, so a
problem inside referenced content is reported where that content lives.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote, urldefrag

from apigov_ls.document.formats import detect_formats
from apigov_ls.document.parse import DEFAULT_MAX_SIZE, ParsedText, parse_text
from apigov_ls.engine.types import JsonPath, LintResult, Range, Related, Severity

STDIN = "<stdin>"


# -- JSON pointers -----------------------------------------------------------------------
def decode_pointer(fragment: str) -> JsonPath:
    """`/a~1b/0` -> ('a/b', '0'); percent-encoding is decoded first (URI fragments)."""
    fragment = unquote(fragment)
    if fragment in ("", "/"):
        return () if fragment == "" else ("",)
    if not fragment.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {fragment!r}")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in fragment[1:].split("/"))


def encode_pointer(path: JsonPath) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def get_at(data: Any, path: JsonPath) -> tuple[bool, Any]:
    """(found, value) for a path whose segments may be strings even for list indices."""
    node = data
    for seg in path:
        if isinstance(node, dict):
            key = seg if isinstance(seg, str) else str(seg)
            if key not in node:
                return False, None
            node = node[key]
        elif isinstance(node, list):
            try:
                i = int(seg)
            except (TypeError, ValueError):
                return False, None
            if not 0 <= i < len(node) or (isinstance(seg, str) and not seg.isdigit()):
                return False, None
            node = node[i]
        else:
            return False, None
    return True, node


# -- files ----------------------------------------------------------------------------------
@dataclass(slots=True)
class SourceFile:
    """One parsed file of a description."""

    path: str
    parsed: ParsedText

    @property
    def data(self) -> Any:
        return self.parsed.data

    @property
    def text(self) -> str:
        return self.parsed.text

    @property
    def source_map(self):
        return self.parsed.source_map

    def range_of(self, pointer: JsonPath) -> Range:
        return self.parsed.source_map.report_range(pointer)


class FileError(Exception):
    """A file that cannot be read: the message is one line for the user."""


def read_text_file(path: str, max_size: int = DEFAULT_MAX_SIZE) -> str:
    """Read a regular file as UTF-8. Refuses folders, FIFOs and devices without blocking."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileError(f"{path}: no such file") from None
    except OSError as err:
        raise FileError(f"{path}: {err.strerror or err}") from None
    if stat.S_ISDIR(st.st_mode):
        raise FileError(f"{path}: is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise FileError(f"{path}: not a regular file")
    if st.st_size > max_size * 4:
        raise FileError(f"{path}: file is {st.st_size / 1048576:.1f} MB, over the size limit")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        raise FileError(f"{path}: {err.strerror or err}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FileError(f"{path}: not valid UTF-8 (byte {err.start})") from None


def syntax_for(path: str, text: str) -> str:
    low = path.lower()
    if low.endswith(".json"):
        return "json"
    if low.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip()[:1] in ("{", "[") else "yaml"


class FileLoader:
    """Reads and parses files for a description and caches them.

    `overlays` maps absolute paths to texts that win over the disk (open editor buffers).
    `allowed_roots`: when set, refs to files outside these folders are not read.
    """

    def __init__(
        self,
        overlays: dict[str, str] | None = None,
        *,
        allowed_roots: list[str] | None = None,
        max_size: int = DEFAULT_MAX_SIZE,
        cache: dict[str, tuple[Any, SourceFile]] | None = None,
    ):
        self.overlays = overlays if overlays is not None else {}
        self.allowed_roots = [os.path.realpath(r) for r in allowed_roots] if allowed_roots else None
        self.max_size = max_size
        #: path -> (stamp, SourceFile); stamp is the text for overlays, (mtime, size) for disk files
        self.cache = cache if cache is not None else {}

    def is_allowed(self, path: str) -> bool:
        if self.allowed_roots is None:
            return True
        real = os.path.realpath(path)
        return any(real == r or real.startswith(r + os.sep) for r in self.allowed_roots)

    def load(self, path: str) -> SourceFile:
        """Parse `path` (raises FileError when it cannot be read)."""
        if path in self.overlays:
            text = self.overlays[path]
            stamp: Any = ("overlay", hash(text), len(text))
            cached = self.cache.get(path)
            if cached and cached[0] == stamp and cached[1].text == text.lstrip("\ufeff"):
                return cached[1]
        else:
            try:
                st = os.stat(path)
                stamp = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
            cached = self.cache.get(path)
            if cached and stamp is not None and cached[0] == stamp:
                return cached[1]
            text = read_text_file(path, self.max_size)
        sf = SourceFile(path, parse_text(text, syntax=syntax_for(path, text), max_size=self.max_size))
        self.cache[path] = (stamp, sf)
        return sf


# -- refs -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Ref:
    """A `$ref` found in a file: the object holding it, and what it points at."""

    source: str            # file holding the $ref
    pointer: JsonPath      # path of the object holding "$ref" in that file
    value: str             # the raw $ref string
    target_source: str | None   # file it points to (None: remote, not fetched)
    target_pointer: JsonPath | None
    ok: bool = True


@dataclass
class RefGraph:
    refs: list[Ref] = field(default_factory=list)

    def targets_in(self, source: str) -> set[JsonPath]:
        """Pointers of `source` that some $ref points at."""
        return {r.target_pointer for r in self.refs if r.target_source == source and r.target_pointer is not None}

    def refs_to(self, source: str, pointer: JsonPath) -> list[Ref]:
        return [r for r in self.refs if r.target_source == source and r.target_pointer == pointer]

    def files(self) -> set[str]:
        return {r.target_source for r in self.refs if r.target_source}


def _is_remote(ref: str) -> bool:
    return ref.startswith(("http://", "https://", "//"))


class Document:
    """A root description, the files it references, its ref graph and its resolved view."""

    def __init__(self, root: SourceFile, loader: FileLoader):
        self.root = root
        self.source = root.path
        self.loader = loader
        self.files: dict[str, SourceFile] = {root.path: root}
        self.graph = RefGraph()
        self.problems: list[LintResult] = []
        self.formats: frozenset[str] = detect_formats(root.data)
        self._memo: dict[tuple[str, JsonPath], Any] = {}
        self._active: set[tuple[str, JsonPath]] = set()
        self._file_errors: dict[str, str] = {}
        #: refs left as `$ref` in the resolved view because their target leads back to them
        self._circular: set[tuple[str, JsonPath]] = set()
        self._targets: dict[tuple[str, str], tuple] = {}
        self._parse_problems(root)
        self._find_circular_refs()
        self.resolved = self._resolve_root()

    # -- Spectral's Document/DocumentInventory surface ------------------------------------------
    @property
    def data(self) -> Any:
        return self.root.data

    @property
    def unresolved(self) -> Any:
        return self.root.data

    # -- parse problems -------------------------------------------------------------------------
    def _parse_problems(self, sf: SourceFile) -> None:
        for p in sf.parsed.problems:
            self.problems.append(LintResult(p.code, p.message, p.severity, p.path, sf.path, p.range))

    # -- resolution --------------------------------------------------------------------------------
    def _file(self, path: str) -> SourceFile | None:
        if path in self.files:
            return self.files[path]
        if path in self._file_errors:
            return None
        if not self.loader.is_allowed(path):
            self._file_errors[path] = f"{path} is outside the workspace and was not read"
            return None
        try:
            sf = self.loader.load(path)
        except FileError as err:
            self._file_errors[path] = str(err)
            return None
        self.files[path] = sf
        self._parse_problems(sf)
        return sf

    def target_of(self, ref: str, source: str) -> tuple[str | None, JsonPath | None, str | None]:
        """(file, pointer, error) for a $ref string found in `source` (memoised: locating every
        result follows the same refs again and again)."""
        key = (ref, source)
        hit = self._targets.get(key)
        if hit is None:
            hit = self._targets[key] = self._target_of(ref, source)
        return hit

    def _target_of(self, ref: str, source: str) -> tuple[str | None, JsonPath | None, str | None]:
        if _is_remote(ref):
            return None, None, "remote"
        base, frag = urldefrag(ref)
        if base:
            base = unquote(base)
            if base.startswith("file://"):
                base = base[7:]
            if source == STDIN or source.startswith("<"):
                folder = os.getcwd()
            else:
                folder = os.path.dirname(source)
            target = os.path.normpath(os.path.join(folder, base))
        else:
            target = source
        try:
            pointer = decode_pointer(frag)
        except ValueError as err:
            return target, None, str(err)
        return target, pointer, None

    # -- circular references --------------------------------------------------------------------------
    def _find_circular_refs(self) -> None:
        """Mark the refs whose target leads back to the object holding them.

        Spectral's resolver leaves such refs unresolved, so a cycle of schemas that refer to each
        other stays a set of `$ref`s instead of an expansion that grows with every path through
        the cycle (Stripe's description would expand to tens of millions of nodes). A ref held at
        H with target T is circular when T reaches, through refs, a ref target U that contains H:
        U -> T is an edge (the ref sits inside U), so T and U are in one strongly connected
        component of the graph of ref targets.
        """
        refs: list[tuple[str, JsonPath, tuple[str, JsonPath]]] = []
        targets: set[tuple[str, JsonPath]] = set()
        seen_files: set[str] = set()
        todo = [self.root.path]
        while todo:
            path = todo.pop()
            if path in seen_files:
                continue
            seen_files.add(path)
            sf = self._file(path)
            if sf is None or sf.data is None:
                continue
            for holder, ref in _iter_refs(sf.data):
                target_file, pointer, error = self.target_of(ref, path)
                if error or target_file is None or pointer is None:
                    continue
                key = (target_file, pointer)
                refs.append((path, holder, key))
                targets.add(key)
                if target_file not in seen_files:
                    todo.append(target_file)
        if not refs:
            return
        # nodes: every ref target plus each file's root; a ref inside target U gives the edge U -> T
        by_file: dict[str, set[JsonPath]] = {}
        for f, ptr in targets:
            by_file.setdefault(f, set()).add(ptr)
        edges: dict[tuple[str, JsonPath], list[tuple[str, JsonPath]]] = {}
        holders: list[list[tuple[str, JsonPath]]] = []
        for source, holder, key in refs:
            owners = [(source, holder[:i]) for i in range(len(holder) + 1) if holder[:i] in by_file.get(source, ()) or i == 0]
            holders.append(owners)
            for owner in owners:
                edges.setdefault(owner, []).append(key)
        scc = _strongly_connected(edges)
        for (source, holder, key), owners in zip(refs, holders):
            comp = scc.get(key)
            if comp is not None and any(scc.get(owner) == comp for owner in owners):
                self._circular.add((source, holder))

    def _resolve_root(self) -> Any:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20000))
        try:
            return self._resolve(self.root.data, self.root.path, ())
        except RecursionError:
            self.problems.append(
                LintResult("invalid-ref", "References nest too deeply to resolve", Severity.ERROR, (), self.root.path, self.root.range_of(()))
            )
            return self.root.data
        finally:
            sys.setrecursionlimit(limit)

    def _resolve(self, node: Any, source: str, path: JsonPath) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                return self._resolve_ref(node, ref, source, path)
            out = None
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    r = self._resolve(v, source, path + (k,))
                    if r is not v:
                        if out is None:
                            out = dict(node)
                        out[k] = r
            return node if out is None else out
        if isinstance(node, list):
            out = None
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    r = self._resolve(v, source, path + (i,))
                    if r is not v:
                        if out is None:
                            out = list(node)
                        out[i] = r
            return node if out is None else out
        return node

    def _resolve_ref(self, node: dict, ref: str, source: str, path: JsonPath) -> Any:
        target_file, pointer, error = self.target_of(ref, source)
        where = self.files[source].source_map.value_range(path + ("$ref",))
        if error == "remote":
            self.graph.refs.append(Ref(source, path, ref, None, None, ok=False))
            self.problems.append(
                LintResult("remote-ref", f"Remote reference \"{ref}\" was not fetched (remote references are off)", Severity.INFO, path + ("$ref",), source, where)
            )
            return node
        if error is not None or target_file is None or pointer is None:
            self.graph.refs.append(Ref(source, path, ref, target_file, None, ok=False))
            self.problems.append(LintResult("invalid-ref", f"Invalid $ref \"{ref}\": {error}", Severity.ERROR, path + ("$ref",), source, where))
            return node
        tf = self._file(target_file)
        if tf is None:
            self.graph.refs.append(Ref(source, path, ref, target_file, pointer, ok=False))
            reason = self._file_errors.get(target_file, "cannot be read")
            self.problems.append(LintResult("invalid-ref", f"Cannot resolve \"{ref}\": {reason}", Severity.ERROR, path + ("$ref",), source, where))
            return node
        found, value = get_at(tf.data, pointer)
        if not found:
            self.graph.refs.append(Ref(source, path, ref, target_file, pointer, ok=False))
            self.problems.append(
                LintResult("invalid-ref", f"'{encode_pointer(pointer) or '#'}' does not exist" + (f" in {os.path.basename(target_file)}" if target_file != source else ""),
                           Severity.ERROR, path + ("$ref",), source, where)
            )
            return node
        self.graph.refs.append(Ref(source, path, ref, target_file, pointer))
        if (source, path) in self._circular:
            return node  # its target leads back here: keep the $ref (as Spectral does)
        key = (target_file, pointer)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return node  # circular: keep the $ref object in the resolved view
        self._active.add(key)
        try:
            resolved = self._resolve(value, target_file, pointer)
        finally:
            self._active.discard(key)
        self._memo[key] = resolved
        return resolved

    # -- locations ---------------------------------------------------------------------------------
    def locate(self, path: JsonPath, resolved: bool = True) -> tuple[SourceFile, JsonPath, list[tuple[str, JsonPath]]]:
        """The file and pointer that hold the value at `path`, and the $ref hops on the way.

        In the resolved view a path may cross `$ref`s; each one is followed into its target
        (possibly another file). Hops are (file, pointer of the $ref object) pairs.
        """
        sf = self.root
        node = sf.data
        pointer: list = []
        hops: list[tuple[str, JsonPath]] = []
        for seg in path:
            if resolved:
                node, sf, pointer = self._follow(node, sf, pointer, hops)
            if isinstance(node, dict):
                key = seg if isinstance(seg, str) else str(seg)
                if key not in node:
                    pointer.append(key)
                    node = None
                    continue
                node = node[key]
                pointer.append(key)
            elif isinstance(node, list):
                try:
                    i = int(seg)
                except (TypeError, ValueError):
                    pointer.append(seg)
                    node = None
                    continue
                node = node[i] if 0 <= i < len(node) else None
                pointer.append(i)
            else:
                pointer.append(seg)
                node = None
        if resolved:
            node, sf, pointer = self._follow(node, sf, pointer, hops)
        return sf, tuple(pointer), hops

    def _follow(self, node, sf, pointer, hops):
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 64:
            seen += 1
            target_file, target_pointer, error = self.target_of(node["$ref"], sf.path)
            if error or target_file is None or target_pointer is None:
                break
            tf = self.files.get(target_file)
            if tf is None:
                break
            found, value = get_at(tf.data, target_pointer)
            if not found:
                break
            hops.append((sf.path, tuple(pointer)))
            sf, node, pointer = tf, value, list(target_pointer)
        return node, sf, pointer

    def result_location(self, path: JsonPath, resolved: bool = True) -> tuple[str, Range, JsonPath, list[Related]]:
        """(file, range, pointer in that file, related locations) for a result at `path`."""
        sf, pointer, hops = self.locate(path, resolved)
        related = []
        if sf is not self.root and hops:
            for hop_file, hop_ptr in hops:
                hsf = self.files.get(hop_file)
                if hsf is not None:
                    related.append(Related(hop_file, hsf.source_map.value_range(hop_ptr + ("$ref",)), "referenced here"))
        return sf.path, sf.range_of(pointer), pointer, related

    def shared_subtrees(self) -> set[int]:
        """Ids of the containers the resolved view may hold at several places: every use of a
        `$ref` target is the same resolved object. The JSONPath walk visits each once per state."""
        return {id(v) for v in self._memo.values() if type(v) is dict or type(v) is list}

    def referenced_pointers(self, source: str | None = None) -> set[JsonPath]:
        return self.graph.targets_in(source or self.root.path)


def _iter_refs(data: Any):
    """(pointer of the holding object, $ref string) for every $ref in a file, without recursion."""
    stack: list[tuple[Any, JsonPath]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield path, ref
                continue
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    stack.append((v, path + (k,)))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    stack.append((v, path + (i,)))


def _strongly_connected(edges: dict) -> dict:
    """Tarjan's algorithm, iterative: node -> component id, for every node with an edge."""
    index: dict = {}
    low: dict = {}
    comp: dict = {}
    on_stack: set = set()
    stack: list = []
    counter = 0
    nodes = set(edges)
    for targets in edges.values():
        nodes.update(targets)
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(edges.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp[member] = index[node]
                    if member == node:
                        break
    return comp


def build_document(path: str, text: str | None = None, *, loader: FileLoader | None = None) -> Document:
    """Parse `path` (or `text` given for it) and everything it references."""
    loader = loader or FileLoader()
    if text is not None:
        loader.overlays.setdefault(path, text)
        if loader.overlays[path] != text:
            loader.overlays[path] = text
    root = loader.load(path)
    return Document(root, loader)
