"""Definition, references, hover and rename, served from the last completed checks.

Requests never wait for a parse of a large file: the $ref under the cursor is read from the
current line, targets come from the last model (or a quick parse of a small file), and a
YAML text search gives hover previews when no model exists yet.
"""

from __future__ import annotations

import asyncio
import os
import re
from urllib.parse import unquote, urldefrag

from lsprotocol import types

from apigov_ls.document.model import FileError, FileLoader, SourceFile, encode_pointer
from apigov_ls.document.positions import LineIndex, from_client_character
from apigov_ls.engine.types import JsonPath
from apigov_ls.server.convert import contains, offsets_to_lsp_range
from apigov_ls.server.cursor import component_pointer, node_at, ref_at, split_ref
from apigov_ls.server.workspace import path_to_uri, uri_to_path

#: open texts up to this size are parsed on demand when the last model is stale
QUICK_PARSE_LIMIT = 400_000
PREVIEW_LINES = 15
COMPONENT_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
#: how long cross-file requests wait for running checks
SETTLE_TIMEOUT = 5.0


class Navigation:
    def __init__(self, server):
        self.ls = server

    # -- reading files -----------------------------------------------------------------------
    def model_file(self, path: str) -> SourceFile | None:
        """The last parse of `path` in this process (any version)."""
        cached = self.ls.parse_cache.get(path)
        return cached[1] if cached else None

    async def view(self, path: str, allow_slow: bool = True) -> SourceFile | None:
        """A parsed file matching the editor's current text when that is affordable."""
        text = self.ls.text_of(path)
        model = self.model_file(path)
        if text is None:  # not open: the disk file (the loader's cache checks its mtime)
            if model is None and not allow_slow and os.path.isfile(path) and os.path.getsize(path) > QUICK_PARSE_LIMIT:
                return None
            loader = FileLoader(cache=self.ls.parse_cache)
            try:
                return await asyncio.to_thread(loader.load, path)
            except (FileError, OSError):
                return None
        if model is not None and len(model.text) == len(text.lstrip("\ufeff")) and model.text == text.lstrip("\ufeff"):
            return model
        if len(text) > QUICK_PARSE_LIMIT and (model is not None or not allow_slow):
            return model  # stale positions beat a multi-second wait
        loader = FileLoader({path: text}, cache=self.ls.parse_cache)
        return await asyncio.to_thread(loader.load, path)

    def current_lines(self, path: str) -> LineIndex | None:
        """Line index of the current text: the open document's (maintained by edits) or the disk file's."""
        lines = self.ls.lines_of(path)
        if lines is not None:
            return lines
        try:
            with open(path, encoding="utf-8-sig") as fh:
                return LineIndex(fh.read())
        except OSError:
            return None

    def line_at(self, uri: str, pos: types.Position) -> tuple[str, str, int] | None:
        """(path, line text, code-point column) of a client position (hover, definition)."""
        path = uri_to_path(uri)
        lines = self.current_lines(path) if path else None
        if lines is None:
            return None
        line = lines.line_text(pos.line)
        return path, line, from_client_character(line, pos.character, self.ls.encoding)

    def cursor(self, uri: str, pos: types.Position) -> tuple[str, LineIndex, int, int] | None:
        """(path, lines, code-point column, offset) of a client position."""
        path = uri_to_path(uri)
        if path is None:
            return None
        lines = self.current_lines(path)
        if lines is None:
            return None
        col = from_client_character(lines.line_text(pos.line), pos.character, self.ls.encoding)
        return path, lines, col, lines.offset(pos.line, col)

    def location(self, sf: SourceFile, pointer: JsonPath) -> types.Location | None:
        sm = sf.source_map
        if pointer and not sm.has(pointer):
            return None
        span = sm.key_span(pointer) if pointer else (0, 0)
        span = span or sm.value_span(pointer)
        return types.Location(path_to_uri(sf.path), offsets_to_lsp_range(sm.lines, span[0], span[1], self.ls.encoding))

    # -- definition ------------------------------------------------------------------------
    async def definition(self, uri: str, pos: types.Position):
        where = self.line_at(uri, pos)
        if where is None:
            return None
        path, line, col = where
        ref = ref_at(line, col)
        if ref is None:
            return None
        target, pointer = split_ref(ref.value, path)
        if pointer is None or not os.path.exists(target) and self.ls.text_of(target) is None:
            return None
        found = self.searched_location(target, pointer)
        if found is not None:
            return found
        sf = await self.view(target)
        return self.location(sf, pointer) if sf is not None else None

    def large_open_yaml(self, path: str) -> LineIndex | None:
        """Lines of an open YAML text too large to parse per request (searched by indentation instead)."""
        if path.lower().endswith(".json"):
            return None
        lines = self.ls.lines_of(path)
        return lines if lines is not None and len(lines.text) > QUICK_PARSE_LIMIT else None

    def searched_location(self, path: str, pointer: JsonPath) -> types.Location | None:
        """The key of `pointer` in a large open YAML text, found in its current text (no parse)."""
        lines = self.large_open_yaml(path)
        found = yaml_key_offset(lines.text, pointer) if lines is not None and pointer else None
        if found is None:
            return None
        at, indent = found
        line = lines.position(at).line
        quoted = lines.line_text(line)[indent:indent + 1] in ("'", '"')
        width = len(str(pointer[-1])) + (2 if quoted else 0)
        return types.Location(path_to_uri(path), offsets_to_lsp_range(lines, at + indent, at + indent + width, self.ls.encoding))

    # -- hover --------------------------------------------------------------------------------
    async def hover(self, uri: str, pos: types.Position):
        parts = [self._diagnostic_help(entry.result, entry.diagnostic)
                 for entry in self.ls.store.entries(uri) if contains(entry.diagnostic.range, pos)]
        where = self.line_at(uri, pos)
        if where is not None:
            path, line, col = where
            ref = ref_at(line, col)
            if ref is not None:
                preview = await self._ref_preview(path, ref.value)
                if preview:
                    parts.append(preview)
        if not parts:
            return None
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(parts)))

    @staticmethod
    def _diagnostic_help(result, diagnostic: types.Diagnostic) -> str:
        text = f"**{diagnostic.code}**: {diagnostic.message}"
        description = result.description if result is not None else None
        if description and description.strip() != diagnostic.message.strip():
            text += f"\n\n{description}"
        url = result.documentation_url if result is not None else None
        if url:
            text += f"\n\n[Documentation]({url})"
        return text

    async def _ref_preview(self, path: str, ref: str) -> str | None:
        target, pointer = split_ref(ref, path)
        if pointer is None:
            return None
        # a large open text: its current lines, searched (a parse would be stale or take seconds)
        found = yaml_block_lines(self.ls.text_of(target), pointer) if self.large_open_yaml(target) and pointer else None
        sf = None if found is not None else await self.view(target, allow_slow=False)
        if found is not None:
            snippet, more = found
        elif sf is not None and sf.source_map.has(pointer):
            sm = sf.source_map
            start = (sm.key_span(pointer) or sm.value_span(pointer))[0] if pointer else 0
            end = sm.value_span(pointer)[1]
            first = sm.lines.position(start).line
            last = sm.lines.position(end).line
            snippet = [sm.lines.line_text(i) for i in range(first, min(last, first + PREVIEW_LINES - 1) + 1)]
            more = last - first + 1 > PREVIEW_LINES
        else:
            text = self.ls.text_of(target)
            if text is None or not pointer:
                return None
            found = yaml_block_lines(text, pointer)
            if found is None:
                return None
            snippet, more = found
        lang = "json" if target.lower().endswith(".json") else "yaml"
        snippet = _dedent(snippet)
        name = os.path.basename(target) if target != path else ""
        header = f"`{name}#{encode_pointer(pointer)}`" if pointer else f"`{name}`"
        body = "\n".join(snippet) + ("\n…" if more else "")
        return f"{header}\n```{lang}\n{body}\n```"

    # -- references ---------------------------------------------------------------------------
    async def target_at(self, uri: str, pos: types.Position, components_only: bool):
        """(file, pointer, name span in the current line or text) of what the cursor designates."""
        where = self.cursor(uri, pos)
        if where is None:
            return None
        path, lines, col, offset = where
        ref = ref_at(lines.line_text(pos.line), col)
        if ref is not None:
            target, pointer = split_ref(ref.value, path)
            if pointer is None:
                return None
            comp = component_pointer(pointer)
            if components_only:
                if comp is None:
                    return None
                span = _segment_span(ref.value, len(comp) - 1)
                if span is None:
                    return None
                base = lines.starts[pos.line] + ref.start
                return target, comp, (base + span[0], base + span[1]), lines
            return target, comp or pointer, None, lines
        sf = await self.view(path)
        if sf is None:
            return None
        node = node_at(sf.source_map, sf.data, offset)
        comp = component_pointer(node.path)
        if node.on_key and comp is not None and len(node.path) == len(comp):
            ks, ke = node.key_span
            if sf.text[ks:ke][:1] in ("'", '"'):
                ks, ke = ks + 1, ke - 1
            return path, comp, (ks, ke), sf.source_map.lines
        if components_only:
            return None
        if node.on_key:
            return path, comp or node.path, None, lines
        return None

    async def references(self, uri: str, pos: types.Position, include_declaration: bool):
        found = await self.target_at(uri, pos, components_only=False)
        if found is None:
            return None
        target, pointer, _, _ = found
        await self.ls.checker.settled(self.ls.active_roots(), SETTLE_TIMEOUT)
        out, seen = [], set()
        if include_declaration:
            sf = await self.view(target)
            loc = self.location(sf, pointer) if sf is not None else None
            if loc is not None:
                out.append(loc)
        for ref in self._refs():
            if ref.target_source != target or ref.target_pointer != pointer or (ref.source, ref.pointer) in seen:
                continue
            seen.add((ref.source, ref.pointer))
            sf = await self.view(ref.source)
            if sf is None or not sf.source_map.has(ref.pointer + ("$ref",)):
                continue
            sm = sf.source_map
            s, e = sm.value_span(ref.pointer + ("$ref",))
            out.append(types.Location(path_to_uri(ref.source), offsets_to_lsp_range(sm.lines, s, e, self.ls.encoding)))
        return out

    def _refs(self):
        for analysis in list(self.ls.checker.analyses.values()):
            yield from analysis.refs

    # -- rename -------------------------------------------------------------------------------
    async def prepare_rename(self, uri: str, pos: types.Position):
        found = await self.target_at(uri, pos, components_only=True)
        if found is None:
            return None
        _, pointer, (s, e), lines = found
        return types.PrepareRenamePlaceholder(offsets_to_lsp_range(lines, s, e, self.ls.encoding), str(pointer[-1]))

    async def rename(self, uri: str, pos: types.Position, new_name: str):
        from pygls.exceptions import JsonRpcInvalidParams

        if not COMPONENT_NAME.match(new_name):
            raise JsonRpcInvalidParams(f"'{new_name}' is not a valid component name (letters, digits, '.', '_', '-')")
        found = await self.target_at(uri, pos, components_only=True)
        if found is None:
            return None
        target, pointer, _, _ = found
        await self.ls.checker.settled(self.ls.active_roots(), SETTLE_TIMEOUT)
        edits: dict[str, list[types.TextEdit]] = {}
        enc = self.ls.encoding
        sf = await self.view(target)
        if sf is None or not sf.source_map.has(pointer):
            return None
        ks, ke = sf.source_map.key_span(pointer)
        if sf.text[ks:ke][:1] in ("'", '"'):
            ks, ke = ks + 1, ke - 1
        edits.setdefault(path_to_uri(target), []).append(types.TextEdit(offsets_to_lsp_range(sf.source_map.lines, ks, ke, enc), new_name))
        seen = set()
        depth = len(pointer)
        for ref in self._refs():
            tp = ref.target_pointer
            if ref.target_source != target or tp is None or tuple(tp[:depth]) != pointer or (ref.source, ref.pointer) in seen:
                continue
            seen.add((ref.source, ref.pointer))
            rsf = await self.view(ref.source)
            if rsf is None:
                continue
            edit = _ref_edit(rsf, ref.pointer + ("$ref",), ref.value, depth - 1, new_name, enc)
            if edit is not None:
                edits.setdefault(path_to_uri(ref.source), []).append(edit)
        return types.WorkspaceEdit(changes=edits)


def _segment_span(ref: str, index: int) -> tuple[int, int] | None:
    """Code-point span, within a $ref string, of segment `index` of its fragment pointer."""
    base, frag = urldefrag(ref)
    if unquote(frag) != frag or "#" not in ref:
        return None
    segments = frag[1:].split("/") if frag.startswith("/") else []
    if index >= len(segments):
        return None
    start = ref.index("#") + 2 + sum(len(s) + 1 for s in segments[:index])
    return start, start + len(segments[index])


def _ref_edit(sf: SourceFile, path: JsonPath, value: str, index: int, new_name: str, enc: str) -> types.TextEdit | None:
    sm = sf.source_map
    if not sm.has(path):
        return None
    s, e = sm.value_span(path)
    raw = sf.text[s:e]
    quote = 1 if raw[:1] in ("'", '"') else 0
    span = _segment_span(value, index)
    encoded = new_name.replace("~", "~0").replace("/", "~1")
    if span is not None and raw[quote:len(raw) - quote] == value:
        return types.TextEdit(offsets_to_lsp_range(sm.lines, s + quote + span[0], s + quote + span[1], enc), encoded)
    # escapes in the text: rewrite the whole value
    base, frag = urldefrag(value)
    segments = frag.split("/")
    segments[index + 1] = encoded
    return types.TextEdit(offsets_to_lsp_range(sm.lines, s, e, enc), '"' + base + "#" + "/".join(segments) + '"')


_FIRST_LINE = re.compile(r"^( *)[^ \n#]", re.M)


def _key_line(text: str, needle: str, begin: int, stop: int) -> int:
    """Offset of the first line at or after `begin` (a line start) that starts with `needle` + blank."""
    def ends_key(at: int) -> bool:
        return at + len(needle) == len(text) or text[at + len(needle)] in " \t\r\n"

    if begin == 0 and text.startswith(needle) and ends_key(0):
        return 0
    at = max(begin - 1, 0)
    while True:
        at = text.find("\n" + needle, at, stop)
        if at < 0 or ends_key(at + 1):
            return at + 1 if at >= 0 else -1
        at += 1


def yaml_key_offset(text: str, pointer: JsonPath) -> tuple[int, int] | None:
    """(offset of the key's line, key indent) of a block-style YAML key path, found by indentation (no parse).

    Each step searches forward from its parent's line and checks that no line closes the parent
    block before the hit, so the cost follows the distance to the key, not the size of the file."""
    begin, indent, key_at = 0, -1, 0
    for seg in pointer:
        first = _FIRST_LINE.search(text, begin)
        if first is None or len(first.group(1)) <= indent:
            return None
        child_indent = len(first.group(1))
        pad = " " * child_indent
        found = -1
        for needle in (f"{pad}{seg}:", f"{pad}'{seg}':", f'{pad}"{seg}":'):
            at = _key_line(text, needle, begin, found if found >= 0 else len(text))
            if at >= 0 and (found < 0 or at < found):
                found = at
        # a line indented no deeper than the parent key closes its block
        if found < 0 or (indent >= 0 and re.compile(r"^ {0,%d}[^ \n#]" % indent, re.M).search(text, begin, found)):
            return None
        key_at, indent = found, child_indent
        nl = text.find("\n", key_at)
        begin = len(text) if nl < 0 else nl + 1
    return key_at, indent


def yaml_block_lines(text: str, pointer: JsonPath) -> tuple[list[str], bool] | None:
    """The first PREVIEW_LINES lines of a block-style YAML key path (no parse), and whether more follow."""
    found = yaml_key_offset(text, pointer)
    if found is None:
        return None
    at, indent = found
    block: list[str] = []
    while at <= len(text) and len(block) <= PREVIEW_LINES:
        nl = text.find("\n", at)
        line = text[at: nl if nl >= 0 else len(text)].rstrip("\r")
        stripped = line.lstrip(" ")
        if block and stripped and not stripped.startswith("#") and len(line) - len(stripped) <= indent:
            break
        block.append(line)
        if nl < 0:
            break
        at = nl + 1
    more = len(block) > PREVIEW_LINES
    block = block[:PREVIEW_LINES]
    while block and not block[-1].strip():
        block.pop()
    return block, more


def _dedent(lines: list[str]) -> list[str]:
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(widths) if widths else 0
    return [line[cut:] for line in lines]
