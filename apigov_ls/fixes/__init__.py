"""Quick fixes: minimal text edits bound to rule results, safe or unsafe (ruff's model).

Public API (see docs/fixes.md):
- `Fix`, `TextEdit`, `Safety`, `apply_edits`: what a fix is and how its edits apply.
- `FileEditor` (and `editor(document, file)`): the editing helpers fixes are written with.
- `fixer(...)`: register a fix function for rule codes or rule functions.
- `fixes_for(result, document)`: the fixes offered for one result; `ignore_fix` for suppressions.
- `fix_document(path, ruleset, unsafe=...)`: fix-all in rounds; `write_fixed` writes atomically.
"""

from apigov_ls.fixes.edits import EditError, FileEditor
from apigov_ls.fixes.fixall import FixOutcome, fix_document, write_fixed
from apigov_ls.fixes.model import EditConflict, Fix, Safety, TextEdit, apply_edits
from apigov_ls.fixes.registry import editor, fixable_codes, fixer, fixes_for
from apigov_ls.suppress import ignore_fix


def code_actions(result, document, *, include_ignore: bool = True) -> list[Fix]:
    """What an editor offers for one result: its fixes, then "Ignore RULE here"."""
    out = fixes_for(result, document)
    if include_ignore:
        ignore = ignore_fix(result, document)
        if ignore is not None:
            out.append(ignore)
    return out


def edit_ranges(fix: Fix, document) -> dict[str, list[tuple]]:
    """A fix's edits as file -> [(Range, new_text)] with code-point (line, character) positions,
    for editors (the language server converts them to its client's encoding)."""
    out: dict[str, list[tuple]] = {}
    for e in fix.edits:
        lines = document.files[e.file].source_map.lines
        out.setdefault(e.file, []).append((lines.range(e.start_offset, e.end_offset), e.new_text))
    return out


__all__ = [
    "EditConflict", "EditError", "FileEditor", "Fix", "FixOutcome", "Safety", "TextEdit", "apply_edits",
    "code_actions", "edit_ranges", "editor", "fix_document", "fixable_codes", "fixer", "fixes_for", "ignore_fix", "write_fixed",
]
