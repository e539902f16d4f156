"""Which fix functions apply to a result: by rule code, by the rule's function, or from the result itself."""

from __future__ import annotations

from typing import Any, Callable

from apigov_ls.engine.types import LintResult
from apigov_ls.fixes.edits import EditError, FileEditor
from apigov_ls.fixes.model import Fix

#: (result, document) -> Fix | list[Fix] | None
FixFunction = Callable[[LintResult, Any], "Fix | list[Fix] | None"]

_BY_CODE: dict[str, list[FixFunction]] = {}
_BY_FUNCTION: dict[str, list[FixFunction]] = {}


def fixer(*codes: str, functions: tuple[str, ...] = ()) -> Callable[[FixFunction], FixFunction]:
    """Register a fix function for rule codes and/or for every rule that uses a rule function
    (for example `casing`, whatever the rule's name)."""

    def register(fn: FixFunction) -> FixFunction:
        for code in codes:
            _BY_CODE.setdefault(code, []).append(fn)
        for name in functions:
            _BY_FUNCTION.setdefault(name, []).append(fn)
        return fn

    return register


def fixable_codes() -> set[str]:
    _load_builtins()
    return set(_BY_CODE)


def fix_functions_for(result: LintResult) -> list[FixFunction]:
    _load_builtins()
    found = list(_BY_CODE.get(result.code, ()))
    rule = result.rule
    for then in getattr(rule, "then", None) or ():
        for fn in _BY_FUNCTION.get(then.function_name, ()):
            if fn not in found:
                found.append(fn)
    return found


def fixes_for(result: LintResult, document) -> list[Fix]:
    """Every fix offered for `result` (not the "Ignore" suppressions: see apigov_ls.suppress).

    A custom rule function may attach its own fix to a result (key "fix": a Fix, or a callable
    (result, document) -> Fix); it comes first. A fix function that cannot handle the result
    returns None or raises EditError, and is skipped.
    """
    out: list[Fix] = []
    own = getattr(result, "fix", None)
    candidates: list[Any] = []
    if own is not None:
        candidates.append(own)
    candidates.extend(fix_functions_for(result))
    for cand in candidates:
        try:
            made = cand(result, document) if callable(cand) and not isinstance(cand, Fix) else cand
        except (EditError, KeyError, IndexError, TypeError, ValueError):
            continue
        for fix in made if isinstance(made, list) else [made]:
            if isinstance(fix, Fix) and fix.edits:
                if fix.code is None:
                    fix.code = result.code
                out.append(fix)
    return out


def editor(document, source: str | None) -> FileEditor:
    """The (cached) FileEditor of a file of `document`."""
    cache = document.__dict__.setdefault("_fix_editors", {})
    sf = document.files[source or document.source]
    ed = cache.get(sf.path)
    # the incremental linter edits its document's SourceFile in place: a new text is a new editor
    if ed is None or ed.sf is not sf or ed.text is not sf.text or ed.data is not sf.data or ed.smap is not sf.source_map:
        ed = cache[sf.path] = FileEditor(sf)
    return ed


_loaded = False


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from apigov_ls.fixes import builtin  # noqa: F401  (registers the built-in fixes)
