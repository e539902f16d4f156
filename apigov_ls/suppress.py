"""Suppressing results where they are: `x-lint-ignore` keys and `# apigov-ignore:` comments.

- `x-lint-ignore: rule` (or a list of rules; `"*"` for all) on any object silences those rules
  for results at or under that object (vacuum's convention). It is looked up along the path
  in the file that holds the text and along the result's path in the root document.
- `# apigov-ignore: rule[, rule]` in YAML, on the line(s) of comments directly above the line
  where the result starts, or at the end of that line (or of the line where it ends).

`apply_suppressions` is called once, by `apigov_ls.lint.lint_file`, so the CLI and the language
server agree. `ignore_fix` builds the "Ignore RULE here" quick fix that writes one of them.
The baseline file (apigov_ls.baseline) is the third layer, applied by the CLI.
"""

from __future__ import annotations

import re
from typing import Any

from apigov_ls.document.model import get_at
from apigov_ls.engine.types import LintResult

IGNORE_KEY = "x-lint-ignore"
_COMMENT = re.compile(r"#\s*apigov-ignore:\s*([^#\n\r]*)")


def _names(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value.strip()}
    if isinstance(value, list):
        return {v.strip() for v in value if isinstance(v, str)}
    return set()


def _ignored_along(data: Any, path, code: str) -> bool:
    node = data
    for seg in (None, *path):
        if seg is not None:
            found, node = get_at(node, (seg,))
            if not found:
                return False
        if isinstance(node, dict) and IGNORE_KEY in node:
            names = _names(node[IGNORE_KEY])
            if code in names or "*" in names:
                return True
    return False


def _comment_rules(line: str) -> set[str]:
    m = _COMMENT.search(line)
    if not m:
        return set()
    return {x.strip() for x in m.group(1).split(",") if x.strip()}


def _ignored_by_comment(sf, result: LintResult) -> bool:
    lines = sf.source_map.lines
    start, end = result.range.start.line, result.range.end.line
    codes: set[str] = set()
    for n in {start, end}:
        if "#" in lines.line_text(n):
            codes |= _comment_rules(lines.line_text(n))
    n = start - 1
    while n >= 0 and lines.line_text(n).lstrip().startswith("#"):
        codes |= _comment_rules(lines.line_text(n))
        n -= 1
    return result.code in codes or "*" in codes


def is_suppressed(result: LintResult, document) -> bool:
    files = document.files
    sf = files.get(result.source) if result.source else None
    if sf is not None:
        if _ignored_along(sf.data, result.location_path, result.code):
            return True
        if sf.parsed.syntax == "yaml" and "apigov-ignore" in sf.text and _ignored_by_comment(sf, result):
            return True
    return result.source_pointer is not None and _ignored_along(document.root.data, result.path, result.code)


#: the texts that name a suppression (an incremental caller counts them edit by edit instead)
MARKERS = (IGNORE_KEY, "apigov-ignore")


def marker_count(text: str) -> int:
    """Occurrences of the suppression markers in `text` (neither overlaps itself, so counts of
    disjoint pieces add up: see `marker_count_after`)."""
    return sum(text.count(m) for m in MARKERS)


def marker_count_after(count: int, old_text: str, new_text: str, start: int, end: int, inserted: int) -> int:
    """`marker_count(new_text)` from `count` = `marker_count(old_text)`, for old_text[start:end]
    replaced by `inserted` characters: only occurrences overlapping the edit can change, and they
    lie within a marker's length of it."""
    reach = max(len(m) for m in MARKERS) - 1
    lo = max(0, start - reach)
    return count - marker_count(old_text[lo: end + reach]) + marker_count(new_text[lo: start + inserted + reach])


def apply_suppressions(results: list[LintResult], document, used: bool | None = None) -> list[LintResult]:
    """The results not silenced by `x-lint-ignore` or `# apigov-ignore:` (cheap when neither is used).
    `used`: whether any file of the document names a marker, when the caller knows (else searched)."""
    if document is None or not results:
        return results
    if used is None:
        used = any(IGNORE_KEY in sf.text or "apigov-ignore" in sf.text for sf in document.files.values())
    if not used:
        return results
    return [r for r in results if not is_suppressed(r, document)]


def ignore_fix(result: LintResult, document):
    """The "Ignore RULE here" fix: a `# apigov-ignore:` comment above the line in YAML, an
    `x-lint-ignore` entry on the closest object in JSON. None when it cannot be placed."""
    from apigov_ls.fixes.edits import EditError
    from apigov_ls.fixes.model import Fix, Safety, TextEdit
    from apigov_ls.fixes.registry import editor

    if result.source is None or result.source not in document.files or result.code.startswith("parser-"):
        return None
    ed = editor(document, result.source)
    title = f"Ignore {result.code} here"
    try:
        if ed.syntax == "yaml":
            line = result.range.start.line
            lines = ed.sf.source_map.lines
            above = lines.line_text(line - 1) if line > 0 else ""
            if _comment_rules(above) and above.lstrip().startswith("#"):
                end = lines.line_end(line - 1)
                edit = TextEdit(ed.file, end, end, f", {result.code}")
            else:
                at = lines.starts[line] if line < len(lines.starts) else len(ed.text)
                text = lines.line_text(line)
                indent = text[: len(text) - len(text.lstrip(" "))]
                edit = TextEdit(ed.file, at, at, f"{indent}# apigov-ignore: {result.code}{ed.style.nl}")
            return Fix(title, Safety.SAFE, [edit], result.code, kind="ignore")
        ptr = tuple(result.location_path)
        while True:
            found, node = get_at(ed.data, ptr)
            if found and isinstance(node, dict) and "$ref" not in node:
                break
            if not ptr:
                return None
            ptr = ptr[:-1]
        existing = node.get(IGNORE_KEY)
        if existing is None:
            edits = ed.set_key(ptr, IGNORE_KEY, result.code)
        elif isinstance(existing, list):
            edits = ed.insert_item(ptr + (IGNORE_KEY,), result.code) if existing else ed.replace_value(ptr + (IGNORE_KEY,), [result.code])
        else:
            edits = ed.replace_value(ptr + (IGNORE_KEY,), [existing, result.code])
        return Fix(title, Safety.SAFE, edits, result.code, kind="ignore")
    except (EditError, KeyError, ValueError):
        return None
