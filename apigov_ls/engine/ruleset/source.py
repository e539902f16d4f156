"""One ruleset file, parsed with positions, so every error can name its file and line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apigov_ls.document.parse import ParsedText, parse_text
from apigov_ls.engine.types import JsonPath, RulesetError


@dataclass(slots=True)
class RulesetSource:
    #: file path, or a built-in name (spectral:oas) for built-in rulesets
    name: str
    #: real file path on disk (None for an unsaved buffer without a file)
    path: str | None
    parsed: ParsedText

    @property
    def data(self) -> Any:
        return self.parsed.data

    def line(self, pointer: JsonPath) -> int:
        """1-based line of the node at `pointer` (its key for containers, as editors show it)."""
        return self.parsed.source_map.report_range(tuple(pointer)).start.line + 1

    def key_line(self, pointer: JsonPath) -> int:
        """1-based line of the key of the member at `pointer` (for 'unknown property' errors)."""
        rng = self.parsed.source_map.key_range(tuple(pointer))
        return rng.start.line + 1 if rng is not None else self.line(pointer)

    def error(self, message: str, pointer: JsonPath = (), *, at_key: bool = False) -> RulesetError:
        line = self.key_line(pointer) if at_key else self.line(pointer)
        return RulesetError(message, file=self.name, line=line, pointer=tuple(pointer))


def parse_source(text: str, name: str, path: str | None) -> RulesetSource:
    """Parse ruleset text; a syntax error or a non-mapping document is a RulesetError."""
    syntax = "json" if name.lower().endswith(".json") else None
    parsed = parse_text(text, syntax=syntax)
    for problem in parsed.problems:
        if problem.code != "parser-duplicate-keys":
            raise RulesetError(problem.message, file=name, line=problem.range.start.line + 1)
    src = RulesetSource(name, path, parsed)
    # a key given twice silently drops the first rule or setting: refuse it
    dup = next((p for p in parsed.problems if p.code == "parser-duplicate-keys"), None)
    if dup is not None:
        raise RulesetError(dup.message, file=name, line=dup.range.start.line + 1, pointer=tuple(dup.path))
    if parsed.data is None:
        raise RulesetError("the ruleset is empty", file=name, line=1)
    if not isinstance(parsed.data, dict):
        raise RulesetError("a ruleset must be a mapping (object) at the top level", file=name, line=1)
    return src


def read_source(path: str, name: str | None = None) -> RulesetSource:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise RulesetError("ruleset file not found", file=name or path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise RulesetError(f"cannot read the ruleset: {err}", file=name or path) from None
    return parse_source(text, name or path, path)
