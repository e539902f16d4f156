"""The shapes shared by the rule engine, the CLI and the language server.

Nothing here imports pygls: the engine is a library and the server is a thin layer over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Callable

#: A location inside a JSON/YAML value: keys are str, list indices are int.
JsonPath = tuple[str | int, ...]


class Severity(IntEnum):
    """Spectral's numbering: 0 error .. 3 hint (the `json` output uses these numbers)."""

    ERROR = 0
    WARN = 1
    INFO = 2
    HINT = 3

    @property
    def label(self) -> str:
        return ("error", "warn", "info", "hint")[self.value]

    @classmethod
    def parse(cls, value: Any) -> "Severity | None":
        """`error|warn|info|hint|off` or 0-3 (as Spectral); `off`/-1 gives None. Raises ValueError."""
        if isinstance(value, bool):
            raise ValueError(f"invalid severity {value!r}")
        if isinstance(value, int):
            if value == -1:
                return None
            if 0 <= value <= 3:
                return cls(value)
            raise ValueError(f"invalid severity {value!r}: expected 0-3")
        if isinstance(value, str):
            v = value.strip().lower()
            names = {"error": 0, "warn": 1, "warning": 1, "info": 2, "information": 2, "hint": 3}
            if v == "off":
                return None
            if v in names:
                return cls(names[v])
        raise ValueError(f"invalid severity {value!r}: expected error, warn, info, hint, off or 0-3")


@dataclass(frozen=True, slots=True)
class Position:
    """Zero-based line and character; characters are Unicode code points."""

    line: int
    character: int


@dataclass(frozen=True, slots=True)
class Range:
    start: Position
    end: Position

    def to_json(self) -> dict:
        return {
            "start": {"line": self.start.line, "character": self.start.character},
            "end": {"line": self.end.line, "character": self.end.character},
        }


ZERO_RANGE = Range(Position(0, 0), Position(0, 0))


@dataclass(slots=True)
class Related:
    """Extra location attached to a result (for example: where referenced content is used)."""

    source: str
    range: Range
    message: str


@dataclass(slots=True)
class LintResult:
    """One problem found in one file.

    `path` is the JSON path in the document the rule looked at (Spectral's `path`);
    `source` is the file that holds the offending text and `range` is in that file.
    """

    code: str
    message: str
    severity: Severity
    path: JsonPath
    source: str | None
    range: Range
    documentation_url: str | None = None
    related: list[Related] = field(default_factory=list)
    #: the rule that produced it (None for parser-level results)
    rule: Any = None
    #: set when the offending content lives in a referenced file: the path there
    source_pointer: JsonPath | None = None
    #: a quick fix a custom function attached to the result (apigov_ls.fixes.Fix or a callable)
    fix: Any = None

    @property
    def location_path(self) -> JsonPath:
        """The path in the file that holds the text (what people and fingerprints should see)."""
        return self.source_pointer if self.source_pointer is not None else self.path

    def to_spectral_json(self) -> dict:
        # like Spectral's CLI: the path is where the text lives (inside a referenced file or component)
        path = self.location_path
        out = {
            "code": self.code,
            "path": [str(p) for p in path],
            "message": self.message,
            "severity": int(self.severity),
            "range": self.range.to_json(),
        }
        if self.source is not None:
            out["source"] = self.source
        return out

    def sort_key(self) -> tuple:
        return (self.source or "", self.range.start.line, self.range.start.character, self.code, self.message)


class _Undefined:
    """JavaScript's `undefined`: a missing value, distinct from `None` (JSON null)."""

    __slots__ = ()
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


#: the value a function receives for a `field` that is absent
UNDEFINED: Any = _Undefined()


@dataclass(slots=True)
class FunctionContext:
    """What a rule function receives as its third argument (Spectral's `context`).

    - `document`: the Document (see apigov_ls/document/model.py): `.data` is the root file's
      unresolved data, `.formats` the detected formats, `.source` the root file path.
    - `document_inventory`: the same Document, which also has `.resolved` (the resolved data),
      `.unresolved`, `.graph` (the RefGraph) and `.files`.
    - `path`: path of the value given to the function (the `given` match, plus `field` if any).
    - `given_path`: path of the `given` match itself.
    - `rule`: the Rule being evaluated.
    """

    document: Any
    document_inventory: Any
    path: JsonPath
    rule: Any
    given_path: JsonPath = ()


#: A rule function: (input, options, context) -> list of {"message": str, "path": JsonPath?} or None.
RuleFunction = Callable[[Any, Any, Any], "list[dict] | None"]


class RulesetError(Exception):
    """An invalid ruleset. Names the file, the line (1-based, when known) and what is wrong."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None, pointer: JsonPath | None = None):
        self.reason = message
        self.file = file
        self.line = line
        self.pointer = pointer
        where = file or "<ruleset>"
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {message}")


@dataclass(slots=True)
class Then:
    """One `then` entry of a rule."""

    function_name: str
    function: RuleFunction
    field: str | None = None          # None, "@key", or a property path ("a.b", "['x-y']", "$.x" style as Spectral)
    function_options: Any = None


@dataclass(slots=True)
class Rule:
    """A rule after loading (extends and overrides applied)."""

    name: str
    given: list[str]                  # JSONPath expressions, aliases already expanded
    then: list[Then]
    severity: Severity | None         # None: the rule is off
    description: str | None = None
    message: str | None = None        # template with {{error}} {{description}} {{path}} {{property}} {{value}}
    formats: frozenset[str] | None = None   # None: every format
    resolved: bool = True
    recommended: bool = True
    documentation_url: str | None = None
    #: where the rule was defined (file path), for error messages and `apigov explain`
    origin: str | None = None
    #: free-form metadata for built-in rules: tags, OWASP category, score category, fix id
    tags: tuple[str, ...] = ()
    extensions: dict = field(default_factory=dict)
    #: compiled `given` paths (filled by the engine)
    compiled: list = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return self.severity is not None


@dataclass(slots=True)
class Override:
    """One `overrides` entry: `files` globs (optionally `glob#/json/pointer`) with rule settings."""

    files: list[str]
    #: rule name -> severity (None = off) for rules already defined; full Rule for new definitions
    rules: dict[str, Any]
    base_dir: str
    origin: str | None = None


@dataclass(slots=True)
class Ruleset:
    rules: dict[str, Rule]
    source: str | None = None                 # file path, or a built-in name like "spectral:oas"
    documentation_url: str | None = None
    overrides: list[Override] = field(default_factory=list)
    aliases: dict[str, Any] = field(default_factory=dict)
    parser_options: dict[str, Any] = field(default_factory=dict)   # duplicateKeys / incompatibleValues -> Severity|None
    #: files this ruleset was built from (itself, extended files, function files): watched by the server
    files: list[str] = field(default_factory=list)
    #: names of custom functions loaded from the workspace (the CLI prints them; the server gates them on trust)
    custom_functions: list[str] = field(default_factory=list)

    def enabled_rules(self) -> list[Rule]:
        return [r for r in self.rules.values() if r.enabled]
