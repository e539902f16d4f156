"""Run a ruleset over a Document: given -> field -> function -> results with locations."""

from __future__ import annotations

import math
import threading
import re
from dataclasses import dataclass
from typing import Any, Iterable

from apigov_ls.engine.types import (
    UNDEFINED,
    FunctionContext,
    JsonPath,
    LintResult,
    Rule,
    Ruleset,
    Severity,
)

#: parser-level codes whose severity a ruleset's parserOptions may change
_PARSER_OPTION_CODES = {"parser-duplicate-keys": "duplicateKeys", "parser-incompatible-values": "incompatibleValues"}


@dataclass(slots=True)
class _Job:
    rule: Rule
    given_index: int
    path_index: int  # index into the matcher's path list


def _given_for(rule: Rule, formats: frozenset[str]) -> list[str]:
    """`given` strings for a document's formats (the loader expands format-scoped aliases lazily)."""
    resolver = rule.extensions.get("given_for_formats") if rule.extensions else None
    return list(resolver(formats)) if resolver is not None else list(rule.given)


def rule_applies(rule: Rule, formats: frozenset[str]) -> bool:
    if rule.formats is None:
        return True
    return bool(rule.formats & formats)


def lint_document(
    document, ruleset: Ruleset, *, rules: Iterable[Rule] | None = None, merge_duplicates: bool = True
) -> list[LintResult]:
    """All results for `document`: parser and reference problems, then every enabled rule.

    With `merge_duplicates`, results that land on the same text (content used through several
    $refs) are reported once, where the content lives, as Spectral does for files."""
    results: list[LintResult] = []
    for p in document.problems:
        option = _PARSER_OPTION_CODES.get(p.code)
        if option and option in ruleset.parser_options:
            sev = ruleset.parser_options[option]
            if sev is None:
                continue
            p = LintResult(p.code, p.message, sev, p.path, p.source, p.range, related=p.related)
        results.append(p)
    if document.root.data is None:
        return results
    formats = document.formats
    active = [r for r in (rules if rules is not None else ruleset.rules.values()) if r.enabled and rule_applies(r, formats)]
    if not formats:
        results.append(_unrecognized(document))
    results.extend(run_rules(document, active))
    return dedupe(results) if merge_duplicates else results


def _unrecognized(document) -> LintResult:
    from apigov_ls.document.formats import FORMAT_LABELS

    labels = ", ".join(FORMAT_LABELS[f] for f in ("oas2", "oas3", "oas3_0", "oas3_1", "oas3_2"))
    return LintResult(
        "unrecognized-format",
        f"The provided document does not match any of the registered formats [{labels}]",
        Severity.WARN,
        (),
        document.source,
        document.root.source_map.lines.range(0, 0),
    )


_local = threading.local()


def _matcher(paths: list):
    """A Matcher per set of paths, kept per thread: it caches its walk plans between runs."""
    from apigov_ls.engine.jsonpath import Matcher

    cache = getattr(_local, "matchers", None)
    if cache is None:
        cache = _local.matchers = {}
    key = tuple(p.expr for p in paths)
    m = cache.get(key)
    if m is None:
        if len(cache) > 32:
            cache.clear()
        m = cache[key] = Matcher(paths)
    return m


#: built-in functions whose output is empty or not by the target value alone (and the options and
#: the document's formats), never by where the value is: the message may still name the place, so
#: only "nothing to report" is shared between places (see run_rules)
_JUDGED_BY_VALUE = frozenset({
    "truthy", "falsy", "defined", "undefined", "pattern", "length", "casing", "enumeration", "alphabetical",
    "xor", "or", "typedEnum", "schema", "oasSchema",
})


def _judged_by_value(rule: Rule) -> bool:
    """Whether every function of the rule is a built-in of _JUDGED_BY_VALUE (not a custom
    function that took its name) and runs in this process (no batched prefetch)."""
    from apigov_ls.engine.functions import get_function

    for then in rule.then:
        if then.function_name not in _JUDGED_BY_VALUE:
            return False
        spec = get_function(then.function_name)
        if spec is None or spec.fn is not then.function:
            return False
    return True


def _needed(rule: Rule, value: Any, verdicts: dict) -> bool:
    """False when every function of the rule was seen to report nothing for these very targets."""
    for then in rule.then:
        for _, target in _targets(then, (), value):
            seen = verdicts.get((id(then), id(target)))
            if seen is None or seen[1]:
                return True
    return False


def _shared_subtrees(document) -> set | None:
    shared = getattr(document, "shared_subtrees", None)
    return shared() if shared is not None else None


def _run_matchers(paths: list, root, shared) -> list:
    """Matches per path. Paths whose filters read the node's place (`@path`...) cannot replay
    shared subtrees (walk.py): they get a walk of their own, so they do not stop the others'."""
    if not shared:
        return _matcher(paths).run_lazy(root)
    placed = [i for i, p in enumerate(paths) if any(s[0] == "filter" and s[1].positional for s in p.steps)]
    if not placed:
        return _matcher(paths).run_lazy(root, shared)
    if len(placed) == len(paths):
        return _matcher(paths).run_lazy(root)
    free = [i for i in range(len(paths)) if i not in set(placed)]
    out: list = [None] * len(paths)
    for indices, found in ((free, _matcher([paths[i] for i in free]).run_lazy(root, shared)),
                           (placed, _matcher([paths[i] for i in placed]).run_lazy(root))):
        for i, hits in zip(indices, found):
            out[i] = hits
    return out


def run_rules(document, rules: list[Rule]) -> list[LintResult]:
    from apigov_ls.engine.jsonpath import compile_path

    results: list[LintResult] = []
    for resolved in (True, False):
        subset = [r for r in rules if r.resolved == resolved]
        if not subset:
            continue
        root = document.resolved if resolved else document.unresolved
        # content used through several $refs is one object in the resolved view: walked once
        shared = _shared_subtrees(document) if resolved else None
        paths = []
        jobs: list[_Job] = []
        index: dict[str, int] = {}
        for rule in subset:
            for gi, given in enumerate(_given_for(rule, document.formats)):
                if given not in index:
                    index[given] = len(paths)
                    paths.append(compile_path(given))
                jobs.append(_Job(rule, gi, index[given]))
        matches = _run_matchers(paths, root, shared)
        doc_view = document
        errors_reported: set[str] = set()
        # (id(then), id(target)) -> (target, reported anything): matches in a replayed subtree whose
        # targets reported nothing at the subtree's first place are not evaluated again
        verdicts: dict = {}
        for job in jobs:
            rule = job.rule
            hits = matches[job.path_index]
            judged = verdicts if _judged_by_value(rule) else None
            if type(hits) is not list:
                if judged is not None:
                    hits = hits.select(lambda value, rule=rule: _needed(rule, value, verdicts), id(rule))
                else:
                    hits = list(hits.select())
            if type(hits) is list:
                _prefetch_batched(document, rule, hits, resolved)
            for path, value in hits:
                try:
                    results.extend(_evaluate(document, doc_view, rule, path, value, resolved, verdicts=judged))
                except Exception as err:  # a broken function must not stop the other rules
                    if rule.name not in errors_reported:
                        errors_reported.add(rule.name)
                        results.append(_rule_error(document, rule, path, err, resolved))
    return results


def _prefetch_batched(document, rule: Rule, matches: list, resolved: bool) -> None:
    """Functions that run in another process (JavaScript) get every target of a rule in one call;
    the per-target calls below then read their answers."""
    for then in rule.then:
        prefetch = getattr(then.function, "prefetch", None)
        if prefetch is None or not matches:
            continue
        targets = [(tp, t, path) for path, value in matches for tp, t in _targets(then, path, value)]
        try:
            prefetch(document, rule, then.function_options, targets, resolved)
        except Exception:  # the per-target calls fail again and are reported as rule errors
            pass


def _rule_error(document, rule: Rule, path: JsonPath, err: Exception, resolved: bool) -> LintResult:
    source, rng, pointer, related = document.result_location(path, resolved)
    return LintResult(
        "rule-error",
        f'Rule "{rule.name}" failed and was skipped here: {type(err).__name__}: {err}',
        Severity.ERROR,
        path,
        source,
        rng,
        rule=rule,
        source_pointer=pointer,
    )


_FIELD_SPLIT = re.compile(r"\[['\"]((?:[^'\"\\]|\\.)*)['\"]\]|\[(\d+)\]|([^.\[\]]+)")


def field_path(field: str) -> tuple:
    """Spectral's `field`: lodash-style `a.b`, `['a.b']`, `a[0]` (a `$`-JSONPath is handled by the caller)."""
    out: list = []
    for m in _FIELD_SPLIT.finditer(field):
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) is not None:
            out.append(int(m.group(2)))
        else:
            out.append(m.group(3))
    return tuple(out)


def _get(value: Any, segments: tuple) -> Any:
    node = value
    for seg in segments:
        if isinstance(node, dict):
            key = seg if isinstance(seg, str) else str(seg)
            if key not in node:
                return UNDEFINED
            node = node[key]
        elif isinstance(node, list) and isinstance(seg, int) or (isinstance(node, list) and isinstance(seg, str) and seg.isdigit()):
            i = int(seg)
            if not 0 <= i < len(node):
                return UNDEFINED
            node = node[i]
        else:
            return UNDEFINED
    return node


def _targets(then, path: JsonPath, value: Any) -> list[tuple[JsonPath, Any]]:
    """Spectral's getLintTargets: what the function is called with for a `given` match."""
    fld = then.field
    if fld is None or not isinstance(value, (dict, list)):
        return [(path, value)]
    if fld == "@key":
        keys = list(value) if isinstance(value, dict) else [str(i) for i in range(len(value))]
        return [(path + (k,), k) for k in keys] or [(path, UNDEFINED)]
    if fld.startswith("$"):
        from apigov_ls.engine.jsonpath import compile_path

        found = compile_path(fld).find(value)
        return [(path + tuple(p), v) for p, v in found] or [(path, UNDEFINED)]
    segs = field_path(fld)
    return [(path + segs, _get(value, segs))]


def closest_path(data: Any, path: JsonPath) -> JsonPath:
    """The longest prefix of `path` that exists in `data` (Spectral's getClosestJsonPath)."""
    node = data
    for i, seg in enumerate(path):
        if isinstance(node, dict):
            key = seg if isinstance(seg, str) else str(seg)
            if key not in node:
                return path[:i]
            node = node[key]
        elif isinstance(node, list):
            try:
                idx = int(seg)
            except (TypeError, ValueError):
                return path[:i]
            if not 0 <= idx < len(node):
                return path[:i]
            node = node[idx]
        else:
            return path[:i]
    return path


def _evaluate(document, doc_view, rule: Rule, path: JsonPath, value: Any, resolved: bool, reuse: Any = None,
              verdicts: dict | None = None) -> list[LintResult]:
    """The results of one `given` match. `reuse` (incremental checks, see region_walk.py): an object
    whose `get(key, rpath)` may return the LintResult built for the same function output before,
    and whose `made` list receives each result's key (None: not reusable), in order. `verdicts`
    (only for rules judged by value, see run_rules) records whether each target reported anything."""
    out: list[LintResult] = []
    root = document.resolved if resolved else document.unresolved
    for index, then in enumerate(rule.then):
        for target_path, target in _targets(then, path, value):
            ctx = FunctionContext(doc_view, document, target_path, rule, path)
            produced = then.function(target, then.function_options, ctx)
            if verdicts is not None:
                verdicts[(id(then), id(target))] = (target, bool(produced))  # the target keeps its id
            if not produced:
                continue
            for res in produced:
                full = tuple(res.get("path") or target_path)
                rpath = closest_path(root, full)
                if reuse is not None:
                    key = None if "fix" in res else (index, full, res.get("message", ""))
                    reuse.made.append(key)
                    kept = None if key is None else reuse.get(key, rpath)
                    if kept is not None:
                        out.append(kept)
                        continue
                found_value = _get(root, rpath) if rpath else root
                message = format_message(rule, res.get("message", ""), rpath, full, found_value)
                source, rng, pointer, related = document.result_location(rpath, resolved)
                out.append(
                    LintResult(rule.name, message, rule.severity, rpath, source, rng, rule.documentation_url, related, rule, pointer, res.get("fix"))
                )
    return out


_TEMPLATE = re.compile(r"#{{\s*print\(\s*[\"'](\w+)[\"']\s*\)\s*}}|{{\s*(\w+)\s*}}")


def js_string(value: Any) -> str:
    """How JavaScript's String() prints a JSON value (for {{value}} in messages)."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else js_string(v) for v in value)
    return str(value)


def escaped_pointer(path: JsonPath) -> str:
    from apigov_ls.document.model import encode_pointer

    return "#" + encode_pointer(path)


_JS_NUMBER = re.compile(
    r"[+-]?(?:Infinity|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+"
)


def dot_path(path: JsonPath) -> str:
    """spectral-runtime's printPath(path, Dot): `responses[429].content`, `a['b c']`, `['']`."""
    out = ""
    for i, seg in enumerate(path):
        if isinstance(seg, int):
            out += f"[{seg}]"
            continue
        seg = seg if isinstance(seg, str) else str(seg)
        if seg == "":
            out += "['']"
        elif re.search(r"\s", seg):
            out += f"['{seg}']"
        elif _JS_NUMBER.fullmatch(seg):  # !Number.isNaN(Number(seg))
            out += f"[{seg}]"
        else:
            out += ("" if i == 0 else ".") + seg
    return out.replace("~1", "/").replace("~0", "~")


def format_message(rule: Rule, error: str, path: JsonPath, full_path: JsonPath, value: Any) -> str:
    """Spectral's message interpolation (`{{var}}` and `#{{print("var")}}`) for a result."""
    if len(full_path) > len(path):
        prop: Any = dot_path(full_path[max(len(path) - 1, 0):])
    else:
        prop = path[-1] if path else ""
    subs = {
        "property": "" if prop == "" else str(prop),
        "error": error,
        "path": escaped_pointer(path),
        "description": rule.description,
        "value": value,
    }

    def render(text: str) -> str:
        def repl(m: re.Match) -> str:
            if m.group(1) is not None:
                name = m.group(1)
                if name == "property":
                    return f'"{subs["property"]}" property ' if subs["property"] != "" else "The document "
                if name == "value":
                    from apigov_ls.engine.functions._spectral_text import print_value

                    return print_value(subs["value"])
                v = subs.get(name)
                return "" if v is None else str(v)
            name = m.group(2)
            if name not in subs:
                return m.group(0)
            v = subs[name]
            if v is None:
                return ""
            return js_string(v) if name == "value" else str(v)

        return _TEMPLATE.sub(repl, text) if "{{" in text else text

    result_message = render(error or "")
    subs["error"] = result_message
    if rule.message is None:
        return (rule.description if rule.description is not None else result_message).strip()
    return render(rule.message).strip()


def dedupe(results: list[LintResult]) -> list[LintResult]:
    """Drop results that point at the same place with the same code and message.

    Content used through several $refs is reported once, where it lives (Spectral does the same
    when the document has a source)."""
    seen: set = set()
    out: list[LintResult] = []
    for r in results:
        key = (r.code, r.source, r.source_pointer if r.source_pointer is not None else r.path, r.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out
