"""Parse YAML 1.2 and JSON into plain Python data plus source positions.

The hot path composes YAML nodes with ruamel's C parser (libyaml) and converts them to
plain data ourselves: the round-trip loader is 10x slower and we need start *and* end
offsets. Scalars are resolved with the YAML 1.2 core schema whatever libyaml thinks
(`on`/`yes` stay strings, `0777` is a decimal integer), mapping keys are always strings
(as in JavaScript, so `200:` is the key "200"), duplicate keys are reported, and alias
expansion is bounded so that a billion-laughs document is refused instead of expanded.
"""

from __future__ import annotations

import gc
import json
import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from apigov_ls.document.sourcemap import SourceMap
from apigov_ls.engine.types import Range, Severity

#: deeper than this is refused with a diagnostic (real descriptions stay far below 100)
MAX_DEPTH = 400
#: alias expansion: refuse when the expanded tree is this many times larger than the text's own nodes
ALIAS_EXPANSION_FACTOR = 10
ALIAS_EXPANSION_FLOOR = 200_000
#: default size limit for a file (characters); the server and CLI may configure it
DEFAULT_MAX_SIZE = 20 * 1024 * 1024


@dataclass(slots=True)
class ParseProblem:
    code: str
    message: str
    range: Range
    severity: Severity = Severity.ERROR
    #: the JSON path the problem belongs to, when it belongs to a node
    path: tuple = ()


@dataclass(slots=True)
class ParsedText:
    """The result of parsing one text: data, positions and the problems found."""

    text: str
    data: Any
    source_map: SourceMap
    problems: list[ParseProblem] = field(default_factory=list)
    syntax: str = "yaml"  # "yaml" or "json"

    @property
    def ok(self) -> bool:
        """False when the text could not be turned into data at all."""
        return not any(p.code in FATAL_CODES for p in self.problems)


FATAL_CODES = frozenset({"parser-syntax", "parser-alias-bomb", "parser-too-deep", "parser-too-large"})


class _AliasBomb(Exception):
    pass


class _TooDeep(Exception):
    def __init__(self, offset: int):
        self.offset = offset


def _make_yaml() -> YAML:
    y = YAML(typ="safe")
    # the C parser; tests assert it is in use (ruamel.yaml.clib must be installed)
    return y


_YAML = _make_yaml()
#: the pure-Python parser, used only when libyaml refuses a text: libyaml follows YAML 1.1 and
#: rejects `:` inside flow plain scalars (`[[spectral:oas, all]]`), which YAML 1.2 allows
_YAML_PURE = YAML(typ="safe", pure=True)

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_INT8 = re.compile(r"0o[0-7]+\Z")
_INT16 = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_FIRST = frozenset("0123456789-+.~nNtTfF")


def decimal_int(text: str) -> int | float:
    """int(text), or past Python's limit for decimal int() (4300 digits: a ValueError) the number
    JavaScript reads (a float: Infinity when that large), as Spectral would see it."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def resolve_plain_scalar(value: str) -> Any:
    """Resolve an untagged plain scalar with the YAML 1.2 core schema."""
    if not value:
        return None
    if value[0] not in _FIRST:
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT10.match(value):
        return decimal_int(value)
    if _INT8.match(value):
        return int(value[2:], 8)
    if _INT16.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return -math.inf if value[0] == "-" else math.inf
    if _NAN.match(value):
        return math.nan
    return value





_PLAIN = "!apigov-plain"
_STR_TAG = "tag:yaml.org,2002:str"
_EXPLICIT = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:null": lambda v: None,
    "tag:yaml.org,2002:bool": lambda v: v in _TRUE if v in _TRUE or v in _FALSE else v,
    "tag:yaml.org,2002:int": lambda v: r if isinstance(r := resolve_plain_scalar(v), int) and not isinstance(r, bool) else v,
    "tag:yaml.org,2002:float": lambda v: float(r) if isinstance(r := resolve_plain_scalar(v), (int, float)) and not isinstance(r, bool) else v,
}


if hasattr(pyyaml, "CSafeLoader"):

    class _FastLoader(pyyaml.CSafeLoader):
        """libyaml's composer without PyYAML's YAML 1.1 resolver.

        Plain scalars get a marker tag and are resolved with the YAML 1.2 core schema by the
        converter; explicit tags (`!!str 1`) are kept as written.
        """

        def resolve(self, kind, value, implicit):
            if kind is pyyaml.ScalarNode and implicit[0]:
                return _PLAIN
            return super().resolve(kind, value, implicit)

    def _compose_fast(text: str):
        loader = _FastLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()

else:  # pragma: no cover - PyYAML without libyaml: ruamel's C parser is the fast path
    _compose_fast = None


class _Converter:
    """Turns a composed node graph (PyYAML or ruamel nodes) into plain data and records positions.

    Aliases give back the very object built for their anchor (so memory stays flat), and every
    reuse adds the anchor's expanded size to a budget: past it the text is refused as an alias bomb.
    """

    __slots__ = ("positions", "problems", "line_range", "memo", "expanded", "limit", "ruamel_tags")

    def __init__(self, source_map: SourceMap, problems: list[ParseProblem], line_range, ruamel_tags: bool):
        self.positions = source_map.positions
        self.problems = problems
        self.line_range = line_range
        #: id(container node) -> (value, expanded size); None while the node is being built
        self.memo: dict[int, Any] = {}
        self.expanded = 0
        self.limit = 0
        self.ruamel_tags = ruamel_tags

    def convert(self, node, depth: int = 0, parent: tuple | None = None) -> Any:
        nid = node.id
        if nid == "scalar":
            self.expanded += 1
            return self.scalar(node)
        key = id(node)
        memo = self.memo
        if key in memo:
            hit = memo[key]
            if hit is None:  # an alias to an enclosing node: a cycle; JSON cannot hold it
                return {} if nid == "mapping" else []
            self.expanded += hit[1]
            if self.expanded > self.limit:
                raise _AliasBomb()
            return hit[0]
        if depth > MAX_DEPTH:
            raise _TooDeep(node.start_mark.index)
        memo[key] = None
        before = self.expanded
        self.expanded += 1
        depth += 1
        convert = self.convert
        if nid == "mapping":
            value: Any = {}
            positions: Any = {}
            merges = None
            for key_node, value_node in node.value:
                if key_node.id == "scalar":
                    k = key_node.value
                    if k == "<<" and not key_node.style:
                        merges = (merges or []) + [value_node]
                        continue
                else:
                    k = json.dumps(convert(key_node, depth, parent), sort_keys=True, default=str)
                if k in positions:
                    self._duplicate(k, key_node, parent)
                value[k] = convert(value_node, depth, (parent, k))
                positions[k] = (key_node.start_mark.index, key_node.end_mark.index, value_node.start_mark.index, value_node.end_mark.index)
            if merges:
                self._merge(value, positions, merges, depth, parent)
        else:
            value = []
            positions = []
            i = 0
            for item in node.value:
                value.append(convert(item, depth, (parent, i)))
                positions.append((item.start_mark.index, item.end_mark.index))
                i += 1
        self.positions[id(value)] = positions
        memo[key] = (value, self.expanded - before)
        return value

    def _merge(self, value: dict, positions: dict, merges: list, depth: int, parent) -> None:
        for merge in merges:
            sources = merge.value if merge.id == "sequence" else [merge]
            for src in sources:
                merged = self.convert(src, depth, parent)
                if isinstance(merged, dict):
                    src_pos = self.positions.get(id(merged), {})
                    for k, v in merged.items():
                        if k not in value:
                            value[k] = v
                            if k in src_pos:
                                positions[k] = src_pos[k]

    def _duplicate(self, k: str, key_node, parent) -> None:
        path: list = [k]
        link = parent
        while link is not None:
            link, seg = link
            path.append(seg)
        self.problems.append(
            ParseProblem(
                "parser-duplicate-keys",
                f'Duplicate key: "{k}"',
                self.line_range(key_node.start_mark.index, key_node.end_mark.index),
                Severity.ERROR,
                tuple(reversed(path)),
            )
        )

    def scalar(self, node) -> Any:
        text = node.value
        tag = node.tag
        if tag == _PLAIN:
            return resolve_plain_scalar(text)
        if node.style:  # quoted or block scalar: a string unless explicitly tagged
            if tag == _STR_TAG or tag not in _EXPLICIT:
                return text
            return _EXPLICIT[tag](text)
        if self.ruamel_tags:
            # ruamel's own YAML 1.2 resolver ran: a `str` tag on a value the core schema types means `!!str`
            resolved = resolve_plain_scalar(text)
            if tag == _STR_TAG and not isinstance(resolved, str):
                return text
            return resolved
        conv = _EXPLICIT.get(tag)
        return conv(text) if conv else resolve_plain_scalar(text)


def parse_text(text: str, *, syntax: str | None = None, max_size: int = DEFAULT_MAX_SIZE) -> ParsedText:
    """Parse YAML or JSON text. Never raises for bad input: problems are returned as data."""
    if text.startswith("\ufeff"):
        text = text[1:]
    sm = SourceMap(text)
    if syntax is None:
        syntax = "json" if text.lstrip()[:1] in ("{", "[") else "yaml"
    problems: list[ParseProblem] = []
    if len(text) > max_size:
        problems.append(
            ParseProblem(
                "parser-too-large",
                f"File is {len(text) / 1048576:.1f} MB, over the {max_size / 1048576:.0f} MB limit; it was not parsed.",
                sm.lines.range(0, 0),
            )
        )
        return ParsedText(text, None, sm, problems, syntax)
    if "\x00" in text:
        i = text.index("\x00")
        problems.append(ParseProblem("parser-syntax", "NUL character is not allowed here", sm.lines.range(i, i + 1)))
        return ParsedText(text, None, sm, problems, syntax)

    yaml_text = text
    if syntax == "json":
        try:
            json.loads(text, parse_int=decimal_int)
        except json.JSONDecodeError as err:
            # Python's JSON reader gives better messages; its pos is a code-point offset
            problems.append(ParseProblem("parser-syntax", f"Invalid JSON: {err.msg}", sm.lines.range(err.pos, err.pos + 1)))
            return ParsedText(text, None, sm, problems, syntax)
        except RecursionError:
            problems.append(ParseProblem("parser-too-deep", f"Nesting is deeper than {MAX_DEPTH} levels", sm.lines.range(0, 0)))
            return ParsedText(text, None, sm, problems, syntax)
        # raw tabs are only legal between tokens in JSON; libyaml dislikes them there, and a
        # space has the same width, so offsets stay the same
        if "\t" in text:
            yaml_text = text.replace("\t", " ")

    gc_was_enabled = gc.isenabled()
    gc.disable()  # halves compose time on multi-megabyte documents
    try:
        try:
            ruamel_tags = False
            try:
                node = _compose_fast(yaml_text) if _compose_fast else _YAML.compose(yaml_text)
                ruamel_tags = _compose_fast is None
            except (MarkedYAMLError, pyyaml.MarkedYAMLError):
                if syntax == "json":
                    # valid JSON that libyaml refuses (escaped surrogate pairs, very long keys)
                    return _parse_json_fallback(text, sm, problems)
                if len(yaml_text) > 256 * 1024:
                    raise
                # libyaml follows YAML 1.1 and refuses some YAML 1.2 texts (`[[spectral:oas, all]]`);
                # the pure-Python parser accepts them. Only for small texts: it is ~10x slower.
                node = _YAML_PURE.compose(yaml_text)
                ruamel_tags = True
        except (MarkedYAMLError, pyyaml.MarkedYAMLError) as err:
            mark = err.problem_mark or err.context_mark
            offset = mark.index if mark is not None else 0
            msg = err.problem or err.context or "YAML syntax error"
            if err.context and err.problem:
                msg = f"{err.problem} ({err.context})"
            problems.append(ParseProblem("parser-syntax", _sentence(msg), sm.lines.range(offset, offset + 1)))
            return ParsedText(text, None, sm, problems, syntax)
        except (YAMLError, pyyaml.YAMLError, ValueError, RecursionError, MemoryError) as err:
            problems.append(ParseProblem("parser-syntax", _sentence(str(err) or type(err).__name__), sm.lines.range(0, 0)))
            return ParsedText(text, None, sm, problems, syntax)
        if node is None:
            return ParsedText(text, None, sm, problems, syntax)
        conv = _Converter(sm, problems, sm.lines.range, ruamel_tags)
        conv.limit = max(ALIAS_EXPANSION_FLOOR, ALIAS_EXPANSION_FACTOR * (len(text) // 4 + 1))
        old_limit = sys.getrecursionlimit()
        if old_limit < MAX_DEPTH * 3 + 200:
            sys.setrecursionlimit(MAX_DEPTH * 3 + 200)
        try:
            data = conv.convert(node)
        except _AliasBomb:
            problems.append(
                ParseProblem(
                    "parser-alias-bomb",
                    "Aliases expand to more than the allowed size (a \"billion laughs\" document?); the file was not loaded.",
                    sm.lines.range(0, 0),
                )
            )
            return ParsedText(text, None, SourceMap(text), problems, syntax)
        except _TooDeep as deep:
            problems.append(
                ParseProblem("parser-too-deep", f"Nesting is deeper than {MAX_DEPTH} levels; the file was not loaded.", sm.lines.range(deep.offset, deep.offset + 1))
            )
            return ParsedText(text, None, SourceMap(text), problems, syntax)
        finally:
            sys.setrecursionlimit(old_limit)
        sm.root_span = (node.start_mark.index, node.end_mark.index)
        sm.root = data
        return ParsedText(text, data, sm, problems, syntax)
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse_json_fallback(text: str, sm: SourceMap, problems: list[ParseProblem]) -> ParsedText:
    from apigov_ls.document.jsonpos import JsonPositionError, read_json_with_positions

    try:
        data = read_json_with_positions(text, sm, problems, MAX_DEPTH, ParseProblem)
    except JsonPositionError as err:
        code = "parser-too-deep" if str(err) == "too deep" else "parser-syntax"
        problems.append(ParseProblem(code, _sentence(f"Invalid JSON: {err}"), sm.lines.range(err.offset, err.offset + 1)))
        return ParsedText(text, None, SourceMap(text), problems, "json")
    return ParsedText(text, data, sm, problems, "json")


def _sentence(msg: str) -> str:
    msg = " ".join(str(msg).split())
    return msg[:1].upper() + msg[1:] if msg else msg
