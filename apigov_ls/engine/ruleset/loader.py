"""Build a Ruleset from ruleset files: extends (with modes), rules, functions, aliases, overrides.

Semantics follow Spectral 6 (packages/core/src/ruleset/ruleset.ts and mergers/rules.ts):
- rules of extended rulesets come first, later `extends` entries win, then the file's own `rules`;
- a new rule is enabled when its ruleset is extended with "all", or with "recommended" (the
  default, also for the root ruleset) and the rule is not `recommended: false`;
- `true`/`false` switch an inherited rule on/off at its defined severity; a severity value sets
  it and switches it on (`off` switches it off); an object redefines it field by field and switches
  it on; naming a rule that no extended ruleset defines is an error;
- extending with "off" switches off every rule that ruleset brings, including the rules it
  inherited and re-enabled (Spectral >= 6.16, stoplightio/spectral#2889);
- a rule without `formats` takes its file's top-level `formats`; a file's `documentationUrl`
  gives `<url>#<rule-name>` to the rules it names that have none;
- only the root ruleset's `overrides` count; legacy `except:` becomes overrides, as Spectral 6's
  migrator does;
- `extends` may name an npm package (`@scope/pkg`, `@scope/pkg/file.yml`), resolved from the
  node_modules folders above the ruleset; JavaScript rulesets (files or package entries) are
  evaluated in Node.js and their functions stay there (apigov_ls.engine.js).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass, field
from typing import Any

from apigov_ls.engine import builtins, js
from apigov_ls.engine.custom import UntrustedFunctionError, load_custom_function, load_js_ruleset
from apigov_ls.engine.jsonpath import JSONPathError, compile_path
from apigov_ls.engine.functions import FunctionOptionsError, FunctionSpec, builtin_names, get_function
from apigov_ls.engine.ruleset.jssource import INLINE_PREFIX, JsRulesetSource, js_source
from apigov_ls.engine.ruleset.aliases import ALL_TARGETS, AliasError, GivenResolver, expand, normalize_format, uses_scoped_alias
from apigov_ls.engine.ruleset.refs import inline_file_refs
from apigov_ls.engine.ruleset.source import RulesetSource, read_source
from apigov_ls.engine.ruleset.validate import validate_ruleset
from apigov_ls.engine.types import JsonPath, Override, Rule, Ruleset, RulesetError, Severity, Then

MODES = ("recommended", "all", "off")
#: Spectral's DEFAULT_PARSER_OPTIONS
DEFAULT_PARSER_OPTIONS = {"duplicateKeys": Severity.ERROR, "incompatibleValues": Severity.ERROR}
_RULESET_EXTS = (".yaml", ".yml", ".json")
_JS_EXTS = (".js", ".mjs", ".cjs")
#: custom function files, in the order they are looked for
_FUNCTION_EXTS = (".py", ".js", ".mjs", ".cjs")


@dataclass(slots=True)
class _Entry:
    """A rule while loading: `rule.severity` is its defined severity; `enabled` says if it runs."""

    rule: Rule
    enabled: bool


@dataclass(slots=True)
class _FileContext:
    src: RulesetSource
    base_dir: str
    aliases: dict[str, Any]
    formats: frozenset[str] | None
    functions: list[str]
    functions_dir: str
    rules: dict[str, _Entry] = field(default_factory=dict)


class Loader:
    def __init__(self, trusted: bool = True):
        self.trusted = trusted
        self.files: list[str] = []
        self.custom_functions: list[str] = []
        self._stack: list[str] = []
        #: an extended ruleset was skipped as not OpenAPI (spectral:asyncapi): its rule names are unknown
        self.foreign_extends = False

    # -- entry point --------------------------------------------------------------------
    def read(self, path: str, name: str | None = None) -> RulesetSource:
        """A ruleset file as a source: YAML/JSON parsed, JavaScript evaluated in Node (trusted only)."""
        if path.lower().endswith(_JS_EXTS):
            data = load_js_ruleset(path, self.trusted)
            return js_source(data, name or path, path, os.path.dirname(os.path.abspath(path)))
        return read_source(path, name)

    def load_root(self, src: RulesetSource) -> Ruleset:
        data = _migrate_except(src.data)
        ctx = self._load(src, "recommended", data)
        rules = {name: _finalize(entry) for name, entry in ctx.rules.items()}
        overrides = [self._override(ctx, i, ov, pointer, rules) for i, (ov, pointer) in enumerate(_override_items(src.data))]
        parser_options = dict(DEFAULT_PARSER_OPTIONS)
        for key, value in (data.get("parserOptions") or {}).items():
            parser_options[key] = Severity.parse(value)
        return Ruleset(
            rules=rules,
            source=src.name,
            documentation_url=data.get("documentationUrl"),
            overrides=overrides,
            aliases=dict(ctx.aliases),
            parser_options=parser_options,
            files=list(self.files),
            custom_functions=list(self.custom_functions),
        )

    # -- one file -----------------------------------------------------------------------
    def _load(self, src: RulesetSource, mode: str, data: dict | None = None) -> _FileContext:
        key = os.path.realpath(src.path) if src.path and not isinstance(src, JsRulesetSource) else src.name
        if src.path and src.path not in self.files:
            self.files.append(src.path)
        self._stack.append(key)
        try:
            validate_ruleset(src)
            data = src.data if data is None else data
            if isinstance(src, JsRulesetSource):
                base_dir = src.base_dir
            else:
                base_dir = os.path.dirname(os.path.abspath(src.path)) if src.path else os.getcwd()
            ctx = _FileContext(
                src=src,
                base_dir=base_dir,
                aliases=dict(data.get("aliases") or {}),
                formats=_formats(data.get("formats")),
                functions=list(data.get("functions") or []),
                functions_dir=os.path.join(base_dir, data.get("functionsDir") or "functions"),
            )
            for ref, ext_mode, pointer in _extends_items(data.get("extends"), ("extends",)):
                for name, entry in self._extend(ctx, ref, ext_mode, pointer).items():
                    ctx.rules[name] = entry
            doc_url = data.get("documentationUrl")
            for name, value in (data.get("rules") or {}).items():
                entry = self._rule_entry(ctx, name, value, ("rules", name), ctx.rules.get(name), mode)
                if doc_url is not None and entry.rule.documentation_url is None:
                    entry.rule = dataclasses.replace(entry.rule, documentation_url=f"{doc_url}#{name}")
                ctx.rules[name] = entry
            if mode == "off":
                ctx.rules = {n: _Entry(e.rule, False) for n, e in ctx.rules.items()}
            return ctx
        finally:
            self._stack.pop()

    def _extend(self, ctx: _FileContext, ref: str, mode: str, pointer: JsonPath) -> dict[str, _Entry]:
        src = ctx.src
        if ref in builtins.FOREIGN_BUILTINS:
            self.foreign_extends = True
            return {}
        if isinstance(src, JsRulesetSource) and ref.startswith(INLINE_PREFIX):
            child: RulesetSource = self._inline(src, int(ref[len(INLINE_PREFIX):]))
            if child.builtin in builtins.FOREIGN_BUILTINS:  # spectral:asyncapi as an object
                self.foreign_extends = True
                return {}
        else:
            path, name = self._resolve_extend(ctx, ref, pointer)
            real = os.path.realpath(path)
            if real in self._stack:
                chain = " -> ".join(self._stack[self._stack.index(real):] + [real])
                raise src.error(f'extends "{ref}" makes a cycle: {chain}', pointer)
            try:
                child = self.read(path, name)
            except RulesetError as err:
                raise _via(err, src, pointer) from None
        try:
            return self._load(child, mode).rules
        except RulesetError as err:
            raise _via(err, src, pointer) from None

    def _resolve_extend(self, ctx: _FileContext, ref: str, pointer: JsonPath) -> tuple[str, str]:
        src = ctx.src
        if builtins.is_builtin_name(ref):
            path = builtins.builtin_ruleset_path(ref)
            if path is None:
                if ref in builtins.BUILTIN_RULESETS:
                    raise src.error(f'built-in ruleset "{ref}" is not available in this installation', pointer)
                known = sorted(builtins.BUILTIN_RULESETS) + sorted(builtins.FOREIGN_BUILTINS)
                hint = difflib.get_close_matches(ref, known, n=1)
                raise src.error(
                    f'unknown built-in ruleset "{ref}"' + (f'; did you mean "{hint[0]}"?' if hint else f"; known: {', '.join(known)}"),
                    pointer,
                )
            return str(path), ref
        if "://" in ref:
            raise src.error(
                f'extends "{ref}": remote rulesets are not downloaded; save a copy next to this ruleset and extend it by path',
                pointer,
            )
        path = os.path.normpath(os.path.join(ctx.base_dir, os.path.expanduser(ref)))
        if os.path.isfile(path):
            return path, path
        if js.looks_like_package(ref):
            try:
                found = js.resolve_package(ref, ctx.base_dir)
            except js.PackageNotFound as err:
                if ref.lower().endswith(_RULESET_EXTS + _JS_EXTS) and "/" not in ref:
                    raise src.error(f"extended ruleset file not found: {path}", pointer) from None
                raise src.error(f'extends "{ref}": {err}', pointer) from None
            if not found.lower().endswith(_RULESET_EXTS + _JS_EXTS):
                raise src.error(f'extends "{ref}": the package entry {found} is not a ruleset (YAML, JSON or JavaScript)', pointer)
            return found, found
        raise src.error(f"extended ruleset file not found: {path}", pointer)

    def _inline(self, src: JsRulesetSource, index: int) -> JsRulesetSource:
        data = src.inline[index]
        builtin = data.get("x-apigov-builtin")
        name = builtin or f"{src.name}#extends[{index}]"
        return js_source(data, name, src.path, src.base_dir)

    # -- rules --------------------------------------------------------------------------
    def _rule_entry(
        self, ctx: _FileContext, name: str, value: Any, pointer: JsonPath, existing: _Entry | None, mode: str,
        aliases: dict[str, Any] | None = None,
    ) -> _Entry:
        src = ctx.src
        if isinstance(value, dict):
            if existing is not None:
                return _Entry(self._build_rule(ctx, name, value, pointer, existing.rule, aliases), True)
            rule = self._build_rule(ctx, name, value, pointer, None, aliases)
            return _Entry(rule, mode == "all" or (mode == "recommended" and rule.recommended))
        if existing is None:
            if self.foreign_extends:
                hint = " (it may belong to an AsyncAPI/Arazzo ruleset, which apigov does not load)"
            else:
                hint = _did_you_mean(name, ctx.rules)
            raise src.error(f'rule "{name}" is not defined in this ruleset or in any ruleset it extends{hint}', pointer, at_key=True)
        if isinstance(value, bool):
            return _Entry(existing.rule, value)
        severity = Severity.parse(value)
        if severity is None:
            return _Entry(existing.rule, False)
        return _Entry(dataclasses.replace(existing.rule, severity=severity), True)

    def _build_rule(
        self, ctx: _FileContext, name: str, value: dict, pointer: JsonPath, base: Rule | None,
        aliases: dict[str, Any] | None = None,
    ) -> Rule:
        """A rule from its definition; fields it does not state come from `base` (Object.assign)."""
        src = ctx.src
        aliases = ctx.aliases if aliases is None else aliases
        extensions: dict[str, Any] = dict(base.extensions) if base is not None else {}
        extensions.pop("given_for_formats", None)
        extensions.pop("not_runnable", None)

        raw_given = value["given"] if isinstance(value["given"], list) else [value["given"]]
        given_pointer = pointer + ("given",)
        given: list[str] = []
        for i, expr in enumerate(raw_given):
            where = given_pointer + (i,) if isinstance(value["given"], list) else given_pointer
            try:
                given.extend(expand(expr, aliases, None))
                for concrete in expand(expr, aliases, ALL_TARGETS):
                    _check_jsonpath(concrete)
            except (AliasError, ValueError) as err:
                raise src.error(f'rule "{name}": {err}', where) from None
        if uses_scoped_alias(raw_given, aliases):
            extensions["given_for_formats"] = GivenResolver(raw_given, aliases)

        raw_then = value["then"] if isinstance(value["then"], list) else [value["then"]]
        then: list[Then] = []
        for j, item in enumerate(raw_then):
            where = pointer + ("then", j) if isinstance(value["then"], list) else pointer + ("then",)
            try:
                spec = self._function(ctx, item["function"], name, where + ("function",))
            except UntrustedFunctionError as err:
                extensions["not_runnable"] = err.reason
                continue
            then.append(self._then(ctx, name, spec, item, where))

        for key, extra in value.items():
            if key.startswith("x-"):
                extensions[key] = extra
        if isinstance(value.get("extensions"), dict):
            extensions.update(value["extensions"])
        if "type" in value:
            extensions["type"] = value["type"]

        def pick(key: str, default: Any) -> Any:
            if key in value:
                return value[key]
            return default

        if "severity" in value:
            severity = Severity.parse(value["severity"])
            if severity is None:  # defined as off: it stays off until switched on with a severity
                extensions["defined_off"] = True
                severity = Severity.WARN
        else:
            severity = base.severity if base is not None else Severity.WARN
        formats = _formats(value["formats"]) if "formats" in value else (base.formats if base is not None else ctx.formats)
        rule = Rule(
            name=name,
            given=given,
            then=then,
            severity=severity,
            description=pick("description", base.description if base else None),
            message=pick("message", base.message if base else None),
            formats=formats,
            resolved=pick("resolved", base.resolved if base else True),
            recommended=pick("recommended", base.recommended if base else True),
            documentation_url=pick("documentationUrl", base.documentation_url if base else None),
            origin=src.name,
            tags=tuple(value["tags"]) if "tags" in value else (base.tags if base else ()),
            extensions=extensions,
        )
        return rule

    def _function(self, ctx: _FileContext, fname: str, rule_name: str, pointer: JsonPath) -> FunctionSpec:
        src = ctx.src
        spec = get_function(fname)
        if spec is not None:
            return spec
        if isinstance(src, JsRulesetSource) and fname.startswith("js:"):
            return self._ruleset_js_function(src, fname, rule_name)
        candidates = [os.path.join(ctx.functions_dir, fname + ext) for ext in _FUNCTION_EXTS]
        found = next((p for p in candidates if os.path.isfile(p)), None)
        # Postman's exported custom rules name a function file without declaring it in `functions:`
        postman_js = found is not None and found.endswith(".js") and not isinstance(src, JsRulesetSource)
        if fname not in ctx.functions and not postman_js:
            hint = difflib.get_close_matches(fname, builtin_names() + ctx.functions, n=1)
            raise src.error(
                f'rule "{rule_name}": unknown function "{fname}"'
                + (f'; did you mean "{hint[0]}"?' if hint else "; declare custom functions in `functions:`"),
                pointer,
            )
        if found is None:
            raise src.error(
                f'rule "{rule_name}": custom function "{fname}" not found: none of '
                + ", ".join(candidates) + " exists",
                pointer,
            )
        try:
            spec = load_custom_function(found, fname, self.trusted)
        except UntrustedFunctionError:
            raise
        except RulesetError as err:
            err.args = (f"{err} (custom function of rule \"{rule_name}\", {_where(src, pointer)})",)
            raise
        if found not in self.files:
            self.files.append(found)
        if fname not in self.custom_functions:
            self.custom_functions.append(fname)
        return spec

    def _ruleset_js_function(self, src: JsRulesetSource, fname: str, rule_name: str) -> FunctionSpec:
        """A function object of a JavaScript ruleset: it already lives in the worker (`js:<id>:<name>`)."""
        _, fn_id, name = fname.split(":", 2)
        fn = js.JsFunction(name, int(fn_id), None, validates=True)
        if name not in self.custom_functions:
            self.custom_functions.append(name)
        return js.function_spec(name, fn)

    def _then(self, ctx: _FileContext, rule_name: str, spec: FunctionSpec, item: dict, where: JsonPath) -> Then:
        src = ctx.src
        options = item.get("functionOptions")
        opt_pointer = where + ("functionOptions",) if "functionOptions" in item else where
        if options is not None and not isinstance(src, JsRulesetSource):  # JavaScript rulesets: options as given
            try:
                options = inline_file_refs(options, ctx.base_dir, self.files)
            except ValueError as err:
                raise src.error(f'rule "{rule_name}": {err}', opt_pointer) from None
        try:
            prepared = spec.check_options(options)
        except FunctionOptionsError as err:
            if not isinstance(src, JsRulesetSource):
                raise src.error(f'rule "{rule_name}": {err}', opt_pointer) from None
            # Spectral compiles a JavaScript ruleset's schemas when the rule first matches: so do we
            return Then(function_name=spec.name, function=_failing(f'rule "{rule_name}": {err}'), field=item.get("field"))
        return Then(function_name=spec.name, function=spec.fn, field=item.get("field"), function_options=prepared)

    # -- overrides ----------------------------------------------------------------------
    def _override(self, ctx: _FileContext, index: int, ov: dict, pointer: JsonPath, root_rules: dict[str, Rule]) -> Override:
        src = ctx.src
        files = list(ov["files"])
        has_pointer = any("#" in f for f in files)
        if has_pointer:
            extra = sorted(set(ov) - {"files", "rules"})
            if extra:
                raise src.error(
                    f'override #{index + 1}: with JSON Pointers in `files` only `rules` severities are allowed, not "{extra[0]}"',
                    pointer + (extra[0],), at_key=True,
                )
        out: dict[str, Any] = {}
        for ref, mode, ext_pointer in _extends_items(ov.get("extends"), pointer + ("extends",)):
            for name, entry in self._extend(ctx, ref, mode, ext_pointer).items():
                out[name] = _finalize(entry)
        aliases = {**ctx.aliases, **(ov.get("aliases") or {})}
        for name, value in (ov.get("rules") or {}).items():
            where = pointer + ("rules", name)
            if has_pointer and (isinstance(value, (bool, dict))):
                raise src.error(
                    f'override #{index + 1}: with JSON Pointers in `files`, rule "{name}" must be given a severity '
                    "(error, warn, info, hint, off)", where,
                )
            known = out.get(name) or root_rules.get(name)
            if isinstance(value, dict):
                base = None
                if known is not None:  # finalized rules keep their defined severity aside
                    defined = known.extensions.get("severity_if_enabled") or Severity.WARN
                    base = _Entry(dataclasses.replace(known, severity=defined), True)
                out[name] = _finalize(self._rule_entry(ctx, name, value, where, base, "recommended", aliases))
                continue
            if known is None and not self.foreign_extends and not _defined_in_other_override(src.data, name):
                raise src.error(
                    f'override #{index + 1}: rule "{name}" is not defined in this ruleset or in any ruleset it extends'
                    + _did_you_mean(name, root_rules),
                    where, at_key=True,
                )
            out[name] = value if isinstance(value, bool) else Severity.parse(value)
        return Override(files=files, rules=out, base_dir=ctx.base_dir, origin=src.name)


# -- helpers ----------------------------------------------------------------------------
def _finalize(entry: _Entry) -> Rule:
    rule = entry.rule
    extensions = dict(rule.extensions)
    extensions["severity_if_enabled"] = rule.severity
    runnable = "not_runnable" not in extensions
    on = entry.enabled and runnable and not (extensions.pop("defined_off", False))
    return dataclasses.replace(rule, severity=rule.severity if on else None, extensions=extensions)


def _via(err: RulesetError, src: RulesetSource, pointer: JsonPath) -> RulesetError:
    """Say which `extends` entry led to an error raised in an extended file."""
    where = _where(src, pointer)
    chain = getattr(err, "extended_from", [])
    chain.append(where)
    err.extended_from = chain  # type: ignore[attr-defined]
    err.args = (f"{err.args[0]} (extended from {where})",)
    return err


def _failing(message: str):
    def fail(_input, _options, context):
        # Spectral's schema function ignores a $ref it cannot resolve when the rule is `resolved`
        if "can't resolve reference" in message and getattr(getattr(context, "rule", None), "resolved", False):
            return None
        raise FunctionOptionsError(message)

    return fail


def _where(src: RulesetSource, pointer: JsonPath) -> str:
    line = src.line(pointer)
    return src.name if line is None else f"{src.name}:{line}"


def _did_you_mean(name: str, rules: dict) -> str:
    hint = difflib.get_close_matches(name, list(rules), n=1)
    return f'; did you mean "{hint[0]}"?' if hint else ""


def _formats(value: Any) -> frozenset[str] | None:
    return None if value is None else frozenset(normalize_format(f) for f in value)


def _extends_items(value: Any, pointer: JsonPath):
    """(ref, mode, pointer) for `extends: x`, `[x, y]` and `[[x, all], y]`."""
    if value is None:
        return
    if isinstance(value, str):
        yield value, "recommended", pointer
        return
    for i, item in enumerate(value):
        if isinstance(item, list):
            yield item[0], item[1], pointer + (i, 0)
        else:
            yield item, "recommended", pointer + (i,)


def _migrate_except(data: dict) -> dict:
    """Spectral 5's `except: {"file#/pointer": [rules]}` -> overrides (Spectral 6's migrator)."""
    if "except" not in data:
        return data
    return {k: v for k, v in data.items() if k != "except"}


def _override_items(data: dict):
    """(override, pointer) pairs: `overrides` entries, then legacy `except` entries."""
    for i, ov in enumerate(data.get("overrides") or []):
        yield ov, ("overrides", i)
    for pattern, names in (data.get("except") or {}).items():
        files = ["**" + pattern if pattern.startswith("#") else pattern]
        yield {"files": files, "rules": {n: "off" for n in names}}, ("except", pattern)


def _defined_in_other_override(data: dict, name: str) -> bool:
    return any(isinstance((ov.get("rules") or {}).get(name), dict) for ov in data.get("overrides") or [])


def _check_jsonpath(expr: str) -> None:
    """Compile `expr` with the engine's JSONPath compiler (cached there, so linting reuses it)."""
    try:
        compile_path(expr)
    except JSONPathError as err:
        raise ValueError(f"invalid `given`: {err}") from None
