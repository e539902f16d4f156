"""A JSON Schema validator that behaves like AJV (what Spectral uses), compiled to Python closures.

Why not the `jsonschema` library for the validation itself: Spectral's messages and paths come
from AJV's flat error list (one `required` error per missing property, one `additionalProperties`
error per extra key, branch errors of a failed `anyOf` followed by the `anyOf` error, `if` errors,
ajv-errors' `errorMessage` replacing errors), which jsonschema's error tree does not give; and
jsonschema's `unevaluatedProperties` re-validates subschemas so often that the OpenAPI 3.1
document schema took minutes on a 3 MB description. Here every schema node is compiled once into
a closure; evaluated properties are tracked while validating, as AJV does.

Supported: drafts 4, 6, 7, 2019-09, 2020-12 keywords (including $dynamicRef/$recursiveRef,
unevaluatedProperties/Items), `nullable` (as AJV: adds "null" to `type`), ajv-errors'
`errorMessage` (only with all_errors, as in Spectral), the ajv-formats formats.
`jsonschema` is still used to check a user's schema against its meta-schema (see schema.py).
"""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote, urldefrag, urljoin

from apigov_ls.engine.schema_formats import NUMBER_FORMATS, STRING_FORMATS
from apigov_ls.engine.schema_regex import JsRegexError, compile_js

DRAFTS = ("draft4", "draft6", "draft7", "draft2019-09", "draft2020-12")


class SchemaCompileError(Exception):
    """The schema cannot be compiled (bad $ref, bad regex, `nullable` without `type`...)."""


@dataclass(slots=True)
class AjvError:
    """One error as AJV reports it (instance_path is a tuple here, not a JSON pointer)."""

    keyword: str
    instance_path: tuple
    schema_path: str
    params: dict
    message: str
    #: the schema object that holds the failing keyword (Spectral's oasSchema looks at `nullable` there)
    schema: Any = None
    used: bool = False

    @property
    def pointer(self) -> str:
        return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in self.instance_path)


# ---------------------------------------------------------------- helpers


def path_tuple(linked) -> tuple:
    """Paths travel as linked pairs (parent, key) while validating: cheap to extend."""
    out = []
    while linked is not None:
        linked, key = linked
        out.append(key)
    out.reverse()
    return tuple(out)


def json_type(v: Any) -> str:
    if v is None:
        return "null"
    if v is True or v is False:
        return "boolean"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "array"
    return "undefined"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and math.isfinite(v) and v.is_integer()


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda v: v is True or v is False,
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


class _Unkeyable(Exception):
    pass


#: uniqueItems compares the items of arrays this long by key (_equal_key), shorter ones pairwise
_UNIQUE_KEYED_FROM = 4
#: ... unless their items hold more nodes than this, in all
_UNIQUE_KEY_NODES = 4096


def _equal_key(value: Any, budget: list) -> Any:
    """A hashable key such that json_equal(a, b) == (_equal_key(a) == _equal_key(b)): numbers
    by value (1 equals 1.0), booleans apart from numbers, objects whatever their key order.
    Raises _Unkeyable for NaN (never equal to itself) and for types json_equal compares otherwise."""
    t = type(value)
    if t is str or value is None:
        return value
    if t is bool:
        return ("b", value)
    if t is int:
        return ("n", value)
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unkeyable
    if t is float:
        if value != value:
            raise _Unkeyable
        return ("n", value)
    if t is dict:
        return ("d", frozenset((k, _equal_key(v, budget)) for k, v in value.items()))
    if t is list:
        return ("l", tuple(_equal_key(v, budget) for v in value))
    raise _Unkeyable


def json_equal(a: Any, b: Any) -> bool:
    """Deep equality with JSON semantics (True is not 1; 1 == 1.0)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if _is_number(a) and _is_number(b):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return a == b


def js_json(v: Any) -> str:
    """JSON.stringify as JavaScript prints it (1.0 is 1)."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _js_num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    return str(v)


def _escape(seg: str) -> str:
    return seg.replace("~", "~0").replace("/", "~1")


def _pointer_get(doc: Any, fragment: str) -> Any:
    node = doc
    if fragment == "":
        return doc
    for raw in fragment[1:].split("/"):
        seg = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and seg in node:
            node = node[seg]
        elif isinstance(node, list) and seg.isdigit() and int(seg) < len(node):
            node = node[int(seg)]
        else:
            raise SchemaCompileError(f"can't resolve reference #{fragment}")
    return node


def js_regex(pattern: str) -> re.Pattern:
    """A JavaScript regex (as AJV builds it, no `u` flag) as a Python pattern, cached."""
    try:
        return compile_js(pattern)
    except JsRegexError as exc:
        raise SchemaCompileError(f'pattern "{pattern}" is not a valid regular expression: {exc}') from None


# ---------------------------------------------------------------- registry of schema resources

_NOT_SUBSCHEMA_KEYS = frozenset({"enum", "const", "default", "examples", "example", "errorMessage"})


class SchemaRegistry:
    """Schema documents by URI, with their embedded resources and anchors."""

    def __init__(self) -> None:
        self.resources: dict[str, Any] = {}
        self.anchors: dict[tuple[str, str], Any] = {}
        self.dynamic_anchors: dict[tuple[str, str], Any] = {}
        self.base_of: dict[int, str] = {}
        self._keep: list[Any] = []

    def add(self, schema: Any, uri: str | None = None) -> str:
        """Register a schema document (and the resources inside it); returns its base URI."""
        self._keep.append(schema)
        own = _schema_id(schema)
        base = urldefrag(urljoin(uri or "", own or ""))[0] if (own or uri) else f"urn:apigov:schema:{id(schema)}"
        self._index(schema, base, is_root=True)
        return base

    def _index(self, node: Any, base: str, is_root: bool = False) -> None:
        if isinstance(node, list):
            for item in node:
                self._index(item, base)
            return
        if not isinstance(node, dict):
            return
        own = _schema_id(node)
        if own is not None:
            if own.startswith("#"):  # draft 4-7 plain-name fragment: "$id": "#foo"
                if len(own) > 1:
                    self.anchors[(base, own[1:])] = node
            else:
                base, frag = urldefrag(urljoin(base, own))
                self.resources.setdefault(base, node)
                if frag:
                    self.anchors[(base, frag)] = node
        if is_root:
            self.resources.setdefault(base, node)
        self.base_of[id(node)] = base
        anchor = node.get("$anchor")
        if isinstance(anchor, str):
            self.anchors[(base, anchor)] = node
        dyn = node.get("$dynamicAnchor")
        if isinstance(dyn, str):
            self.anchors.setdefault((base, dyn), node)
            self.dynamic_anchors[(base, dyn)] = node
        for key, value in node.items():
            if key in _NOT_SUBSCHEMA_KEYS:
                continue
            if key in ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies"):
                if isinstance(value, dict):
                    for sub in value.values():
                        self._index(sub, base)
                continue
            if isinstance(value, (dict, list)):
                self._index(value, base)

    def has_dynamic_anchors(self, base: str) -> bool:
        return any(b == base for (b, _name) in self.dynamic_anchors.keys())

    def resolve(self, base: str, ref: str) -> tuple[Any, str]:
        """(target node, its base URI) for a $ref written in a resource whose URI is `base`."""
        if ref.startswith("#"):
            url, frag = base, ref[1:]
        else:
            url, frag = urldefrag(urljoin(base, ref))
        frag = unquote(frag)
        doc = self.resources.get(url)
        if doc is None:
            raise SchemaCompileError(f"can't resolve reference {ref} from id {base}")
        if frag.startswith("/") or frag == "":
            target = _pointer_get(doc, frag) if frag else doc
            return target, self.base_of.get(id(target), url)
        node = self.anchors.get((url, frag))
        if node is None:
            raise SchemaCompileError(f"can't resolve reference {ref} from id {base}")
        return node, url


def _schema_id(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    v = node.get("$id")
    if v is None:  # draft 4 spelled it `id`; only trust it when it looks like a URI, not a property value
        v = node.get("id")
        if not (isinstance(v, str) and (v.startswith("#") or "://" in v or v.startswith("urn:"))):
            return None
    return v if isinstance(v, str) else None


# ---------------------------------------------------------------- the compiler

#: a compiled check: (instance, linked path, errors, dynamic scope, evaluated set or None) -> valid
Check = Callable[[Any, Any, list, tuple, Any], bool]

_UNTYPED = ("$ref", "$dynamicRef", "$recursiveRef", "const", "enum", "not", "anyOf", "oneOf", "allOf", "if")
_GROUPS = {
    "number": ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf", "format"),
    "string": ("maxLength", "minLength", "pattern", "format"),
    "array": ("maxItems", "minItems", "uniqueItems", "additionalItems", "prefixItems", "items", "contains"),
    "object": (
        "maxProperties", "minProperties", "required", "propertyNames", "additionalProperties",
        "dependencies", "properties", "patternProperties", "dependentRequired", "dependentSchemas",
    ),
}
_GROUP_TEST = {
    "number": _is_number,
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
_IN_PLACE = ("allOf", "anyOf", "oneOf", "if", "then", "else", "$ref", "$dynamicRef", "$recursiveRef", "dependentSchemas")


def _true_check(inst, path, errs, dyn, ev):
    return True


class Compiler:
    """Compiles schemas for one dialect and error mode. Reuse it: compiled nodes are cached."""

    def __init__(self, registry: SchemaRegistry, draft: str = "draft7", all_errors: bool = False,
                 formats: bool = True, memo: bool = False, dedupe_items: bool = False) -> None:
        if draft not in DRAFTS:
            raise ValueError(f"unknown draft {draft}")
        self.registry = registry
        self.draft = draft
        self.all_errors = all_errors
        self.formats = formats
        self.draft4 = draft == "draft4"
        self.modern = draft in ("draft2019-09", "draft2020-12")
        self._cache: dict[tuple[int, bool], list] = {}
        #: with `memo`, compiled nodes look their results up in the SubtreeMemo given to `errors`
        self._memo_state = _MemoState() if memo else None
        #: with `dedupe_items`, array items equal in content to an item met before in the same
        #: `errors` call take its answer (see _deduped)
        self._dedupe_state = _MemoState() if dedupe_items else None

    # -- entry points

    def compile(self, schema: Any, base: str | None = None) -> "CompiledSchema":
        if base is None:
            base = self.registry.base_of.get(id(schema)) or self.registry.add(schema)
        fn = self._node(schema, base, False, "#")
        dyn = (base,) if self._has_dynamic(base) else ()
        return CompiledSchema(fn, dyn, self._memo_state, self._dedupe_state)

    def _has_dynamic(self, base: str) -> bool:
        return self.registry.has_dynamic_anchors(base) or bool(
            isinstance(self.registry.resources.get(base), dict) and self.registry.resources[base].get("$recursiveAnchor") is True
        )

    # -- nodes

    def _node(self, node: Any, base: str, track: bool, sp: str) -> Check:
        """A compiled node; cached by (node, track). Cycles go through a forward cell."""
        key = (id(node), track)
        cell = self._cache.get(key)
        if cell is not None:
            if cell[0] is not None:
                return cell[0]
            return lambda inst, path, errs, dyn, ev: cell[0](inst, path, errs, dyn, ev)
        cell = [None, node]  # keeps `node` alive while its id is a cache key
        self._cache[key] = cell
        try:
            built = self._build(node, base, track, sp)
            cell[0] = built if self._memo_state is None or built is _true_check else _memoized(built, self._memo_state)
        except BaseException:
            # an invalid schema must fail the same way every time, not leave an empty cell behind
            del self._cache[key]
            raise
        return cell[0]

    def _build(self, node: Any, base: str, track: bool, sp: str) -> Check:
        if node is True:
            return _true_check
        if node is False:
            def false_schema(inst, path, errs, dyn, ev):
                errs.append(AjvError("false schema", path_tuple(path), sp, {}, "boolean schema is false", node))
                return False
            return false_schema
        if not isinstance(node, dict):
            raise SchemaCompileError(f"schema must be object or boolean at {sp}")
        own_id = _schema_id(node)
        if own_id is not None and not own_id.startswith("#"):
            base = self.registry.base_of.get(id(node), base)
        needs_eval = track or "unevaluatedProperties" in node or "unevaluatedItems" in node
        checks = self._keyword_checks(node, base, needs_eval, sp)
        checks += self._post_checks(node, base, sp)
        enter = self._dynamic_entry(node, base)
        all_errors = self.all_errors
        em = node.get("errorMessage") if self.all_errors else None

        if not checks:
            body: Check = _true_check
        elif len(checks) == 1:
            body = checks[0]
        else:
            def body(inst, path, errs, dyn, ev, checks=checks):
                ok = True
                for c in checks:
                    if not c(inst, path, errs, dyn, ev):
                        if not all_errors:
                            return False
                        ok = False
                return ok

        if "unevaluatedProperties" in node or "unevaluatedItems" in node:
            inner_body = body

            def body(inst, path, errs, dyn, ev):
                local: set = set()
                ok = inner_body(inst, path, errs, dyn, local)
                if ev is not None and isinstance(inst, (dict, list)):
                    ev.update(inst.keys() if isinstance(inst, dict) else range(len(inst)))
                return ok

        if em is not None:
            body = self._with_error_message(body, em, sp, node)
        if enter is not None:
            inner = body

            def body(inst, path, errs, dyn, ev):
                return inner(inst, path, errs, dyn + (enter,), ev)
        return body

    def _dynamic_entry(self, node: dict, base: str) -> str | None:
        """The resource to push on the dynamic scope when entering `node` (resource roots with dynamic anchors)."""
        if not self.modern or self.registry.resources.get(base) is not node:
            return None
        if node.get("$recursiveAnchor") is True or self.registry.has_dynamic_anchors(base):
            return base
        return None

    # -- keywords in AJV's order: untyped, number, string, array, object, then post keywords

    def _keyword_checks(self, node: dict, base: str, track: bool, sp: str) -> list[Check]:
        types = node.get("type")
        type_list = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
        if node.get("nullable") is True and "null" not in type_list:
            if not type_list:
                raise SchemaCompileError('"nullable" cannot be used without "type"')
            type_list.append("null")
        for t in type_list:
            if t not in _TYPE_TESTS:
                raise SchemaCompileError(f'type must be JSONType or JSONType[]: {t}')
        checks: list[Check] = []
        present_groups = [g for g, kws in _GROUPS.items() if any(k in node for k in kws)]
        # AJV checks the type up front unless it is one type whose keyword group the schema uses
        late_type = len(type_list) == 1 and type_list[0] in present_groups
        if type_list and not late_type:
            checks.append(self._type_check(node, type_list, sp))
        if "$ref" in node and not isinstance(node["$ref"], str):
            raise SchemaCompileError(f"$ref must be a string at {sp}")
        for kw in _UNTYPED:
            if kw in node:
                c = getattr(self, "_kw_" + kw.lstrip("$"))(node, base, track, sp)
                if c is not None:
                    checks.append(c)
        for group in ("number", "string", "array", "object"):
            if group not in present_groups:
                continue
            group_checks = []
            for kw in _GROUPS[group]:
                if kw in node:
                    c = getattr(self, "_kw_" + kw)(node, base, track, sp, group)
                    if c is not None:
                        group_checks.append(c)
            type_error = self._type_check(node, type_list, sp) if late_type and type_list[0] == group else None
            if group_checks or type_error:
                checks.append(self._group(group, group_checks, type_error))
        return checks

    def _group(self, group: str, group_checks: list[Check], type_error: Check | None) -> Check:
        test = _GROUP_TEST[group]
        all_errors = self.all_errors

        def grouped(inst, path, errs, dyn, ev):
            if not test(inst):
                return type_error(inst, path, errs, dyn, ev) if type_error is not None else True
            ok = True
            for c in group_checks:
                if not c(inst, path, errs, dyn, ev):
                    if not all_errors:
                        return False
                    ok = False
            return ok
        return grouped

    def _type_check(self, node: dict, type_list: list[str], sp: str) -> Check:
        tests = [_TYPE_TESTS[t] for t in type_list]
        shown = ",".join(_as_list(node.get("type")))  # AJV prints `type` as written, without nullable's null
        kw_sp = sp + "/type"

        def type_check(inst, path, errs, dyn, ev):
            for t in tests:
                if t(inst):
                    return True
            errs.append(AjvError("type", path_tuple(path), kw_sp, {"type": shown}, f"must be {shown}", node))
            return False
        return type_check

    def _error(self, errs, path, keyword, sp, params, message, node):
        errs.append(AjvError(keyword, path_tuple(path), sp + "/" + keyword, params, message, node))

    # ---- references

    def _kw_ref(self, node, base, track, sp):
        ref = node["$ref"]
        target, tbase = self.registry.resolve(base, ref)
        return self._node(target, tbase, track, ref)

    def _kw_dynamicRef(self, node, base, track, sp):
        ref = node["$dynamicRef"]
        return self._dynamic(ref, base, track, lambda url: self._dyn_anchor(url, ref))

    def _kw_recursiveRef(self, node, base, track, sp):
        ref = node["$recursiveRef"]

        def lookup(url):
            res = self.registry.resources.get(url)
            return res if isinstance(res, dict) and res.get("$recursiveAnchor") is True else None
        return self._dynamic(ref, base, track, lookup, recursive=True)

    def _dyn_anchor(self, url: str, ref: str):
        frag = urldefrag(ref)[1]
        return self.registry.dynamic_anchors.get((url, frag))

    def _dynamic(self, ref, base, track, lookup, recursive=False):
        target, tbase = self.registry.resolve(base, ref)
        static = self._node(target, tbase, track, ref)
        frag = urldefrag(ref)[1]
        is_dynamic = (
            (isinstance(target, dict) and target.get("$recursiveAnchor") is True) if recursive
            else (isinstance(target, dict) and target.get("$dynamicAnchor") == frag)
        )
        if not is_dynamic:
            return static
        compiled: dict[str, Check] = {}

        def dynamic_ref(inst, path, errs, dyn, ev):
            for url in dyn:  # outermost first
                cand = lookup(url)
                if cand is not None:
                    fn = compiled.get(url)
                    if fn is None:
                        fn = compiled[url] = self._node(cand, url, track, ref)
                    return fn(inst, path, errs, dyn, ev)
            return static(inst, path, errs, dyn, ev)
        return dynamic_ref

    # ---- untyped

    def _kw_const(self, node, base, track, sp):
        want = node["const"]
        kw_sp = sp + "/const"

        def const(inst, path, errs, dyn, ev):
            if json_equal(inst, want):
                return True
            errs.append(AjvError("const", path_tuple(path), kw_sp, {"allowedValue": want}, "must be equal to constant", node))
            return False
        return const

    def _kw_enum(self, node, base, track, sp):
        values = node["enum"]
        if not isinstance(values, list):
            raise SchemaCompileError(f"enum must be an array at {sp}")
        strings = frozenset(v for v in values if isinstance(v, str))
        only_strings = len(strings) == len(values)
        kw_sp = sp + "/enum"

        def enum(inst, path, errs, dyn, ev):
            if isinstance(inst, str):
                if inst in strings:
                    return True
            elif not only_strings and any(json_equal(inst, v) for v in values):
                return True
            errs.append(AjvError("enum", path_tuple(path), kw_sp, {"allowedValues": values},
                                 "must be equal to one of the allowed values", node))
            return False
        return enum

    def _kw_not(self, node, base, track, sp):
        sub = self._node(node["not"], base, False, sp + "/not")
        kw_sp = sp + "/not"

        def not_(inst, path, errs, dyn, ev):
            mark = len(errs)
            valid = sub(inst, path, errs, dyn, None)
            del errs[mark:]
            if not valid:
                return True
            errs.append(AjvError("not", path_tuple(path), kw_sp, {}, "must NOT be valid", node))
            return False
        return not_

    def _subs(self, node, kw, base, track, sp):
        subs = node[kw]
        if not isinstance(subs, list) or not subs:
            raise SchemaCompileError(f"{kw} must be a non-empty array at {sp}")
        return [self._node(s, base, track, f"{sp}/{kw}/{i}") for i, s in enumerate(subs)]

    def _kw_allOf(self, node, base, track, sp):
        subs = self._subs(node, "allOf", base, track, sp)
        all_errors = self.all_errors

        def all_of(inst, path, errs, dyn, ev):
            ok = True
            for s in subs:
                if not s(inst, path, errs, dyn, ev):
                    if not all_errors:
                        return False
                    ok = False
            return ok
        return all_of

    def _kw_anyOf(self, node, base, track, sp):
        subs = self._subs(node, "anyOf", base, track, sp)
        kw_sp = sp + "/anyOf"

        def any_of(inst, path, errs, dyn, ev):
            mark = len(errs)
            passed = False
            for s in subs:
                local = set() if ev is not None else None
                if s(inst, path, errs, dyn, local):
                    passed = True
                    if ev is not None:
                        ev.update(local)
                    else:
                        break  # without annotations to collect, AJV stops at the first match
            if passed:
                del errs[mark:]
                return True
            errs.append(AjvError("anyOf", path_tuple(path), kw_sp, {}, "must match a schema in anyOf", node))
            return False
        return any_of

    def _kw_oneOf(self, node, base, track, sp):
        subs = self._subs(node, "oneOf", base, track, sp)
        kw_sp = sp + "/oneOf"

        def one_of(inst, path, errs, dyn, ev):
            mark = len(errs)
            passing: list[int] = []
            found: set | None = None
            for i, s in enumerate(subs):
                local = set() if ev is not None else None
                if s(inst, path, errs, dyn, local):
                    passing.append(i)
                    found = local
            if len(passing) == 1:
                del errs[mark:]
                if ev is not None and found:
                    ev.update(found)
                return True
            params = {"passingSchemas": passing if passing else None}
            errs.append(AjvError("oneOf", path_tuple(path), kw_sp, params, "must match exactly one schema in oneOf", node))
            return False
        return one_of

    def _kw_if(self, node, base, track, sp):
        if "then" not in node and "else" not in node:
            return None
        cond = self._node(node["if"], base, track, sp + "/if")
        then = self._node(node["then"], base, track, sp + "/then") if "then" in node else None
        other = self._node(node["else"], base, track, sp + "/else") if "else" in node else None
        kw_sp = sp + "/if"
        all_errors = self.all_errors

        def if_(inst, path, errs, dyn, ev):
            mark = len(errs)
            local = set() if ev is not None else None
            ok = cond(inst, path, errs, dyn, local)
            del errs[mark:]
            if ok:
                if ev is not None:
                    ev.update(local)
                branch, name = then, "then"
            else:
                branch, name = other, "else"
            if branch is None or branch(inst, path, errs, dyn, ev):
                return True
            if not all_errors:  # AJV returns at the branch's first error, before adding its own
                return False
            errs.append(AjvError("if", path_tuple(path), kw_sp, {"failingKeyword": name}, f'must match "{name}" schema', node))
            return False
        return if_

    # ---- numbers

    def _limit(self, node, kw, sp, limit, cmp_name, test):
        kw_sp = sp + "/" + kw
        shown = _js_num(limit)

        def limit_check(inst, path, errs, dyn, ev):
            if test(inst):
                return True
            errs.append(AjvError(kw, path_tuple(path), kw_sp, {"comparison": cmp_name, "limit": limit},
                                 f"must be {cmp_name} {shown}", node))
            return False
        return limit_check

    def _kw_maximum(self, node, base, track, sp, group):
        m = node["maximum"]
        if self.draft4 and node.get("exclusiveMaximum") is True:
            return self._limit(node, "maximum", sp, m, "<", lambda v: v < m)
        return self._limit(node, "maximum", sp, m, "<=", lambda v: v <= m)

    def _kw_minimum(self, node, base, track, sp, group):
        m = node["minimum"]
        if self.draft4 and node.get("exclusiveMinimum") is True:
            return self._limit(node, "minimum", sp, m, ">", lambda v: v > m)
        return self._limit(node, "minimum", sp, m, ">=", lambda v: v >= m)

    def _kw_exclusiveMaximum(self, node, base, track, sp, group):
        m = node["exclusiveMaximum"]
        if self.draft4 or not _is_number(m):
            return None
        return self._limit(node, "exclusiveMaximum", sp, m, "<", lambda v: v < m)

    def _kw_exclusiveMinimum(self, node, base, track, sp, group):
        m = node["exclusiveMinimum"]
        if self.draft4 or not _is_number(m):
            return None
        return self._limit(node, "exclusiveMinimum", sp, m, ">", lambda v: v > m)

    def _kw_multipleOf(self, node, base, track, sp, group):
        m = node["multipleOf"]
        if not _is_number(m) or m <= 0:
            raise SchemaCompileError(f"multipleOf must be a positive number at {sp}")
        kw_sp = sp + "/multipleOf"

        def multiple_of(inst, path, errs, dyn, ev):
            if isinstance(inst, int) and isinstance(m, int):
                ok = inst % m == 0
            else:
                q = inst / m
                ok = math.isfinite(q) and q == int(q)
            if ok:
                return True
            errs.append(AjvError("multipleOf", path_tuple(path), kw_sp, {"multipleOf": m},
                                 f"must be multiple of {_js_num(m)}", node))
            return False
        return multiple_of

    def _kw_format(self, node, base, track, sp, group):
        fmt = node["format"]
        if not self.formats or not isinstance(fmt, str):
            return None
        test = (STRING_FORMATS if group == "string" else NUMBER_FORMATS).get(fmt)
        if test is None:
            return None  # unknown formats, and string formats on numbers (and the reverse), are ignored
        kw_sp = sp + "/format"

        def format_check(inst, path, errs, dyn, ev):
            if test(inst):
                return True
            errs.append(AjvError("format", path_tuple(path), kw_sp, {"format": fmt}, f'must match format "{fmt}"', node))
            return False
        return format_check

    # ---- strings

    def _kw_maxLength(self, node, base, track, sp, group):
        n = node["maxLength"]
        return self._count(node, "maxLength", sp, n, lambda v: len(v) <= n, f"must NOT have more than {n} characters")

    def _kw_minLength(self, node, base, track, sp, group):
        n = node["minLength"]
        return self._count(node, "minLength", sp, n, lambda v: len(v) >= n, f"must NOT have fewer than {n} characters")

    def _count(self, node, kw, sp, limit, test, message):
        kw_sp = sp + "/" + kw

        def count(inst, path, errs, dyn, ev):
            if test(inst):
                return True
            errs.append(AjvError(kw, path_tuple(path), kw_sp, {"limit": limit}, message, node))
            return False
        return count

    def _kw_pattern(self, node, base, track, sp, group):
        pattern = node["pattern"]
        rx = js_regex(pattern)
        kw_sp = sp + "/pattern"

        def pattern_check(inst, path, errs, dyn, ev):
            if rx.search(inst):
                return True
            errs.append(AjvError("pattern", path_tuple(path), kw_sp, {"pattern": pattern},
                                 f'must match pattern "{pattern}"', node))
            return False
        return pattern_check

    # ---- arrays

    def _kw_maxItems(self, node, base, track, sp, group):
        n = node["maxItems"]
        return self._count(node, "maxItems", sp, n, lambda v: len(v) <= n, f"must NOT have more than {n} items")

    def _kw_minItems(self, node, base, track, sp, group):
        n = node["minItems"]
        return self._count(node, "minItems", sp, n, lambda v: len(v) >= n, f"must NOT have fewer than {n} items")

    def _kw_uniqueItems(self, node, base, track, sp, group):
        if node["uniqueItems"] is not True:
            return None
        kw_sp = sp + "/uniqueItems"

        items = node.get("items")
        item_types = _as_list(items.get("type")) if isinstance(items, dict) else []
        # AJV uses a value->index map when `items` declares only scalar types; it then meets the pair
        # in another order (and names the later index first) than its pairwise deep comparison
        scalar_items = bool(item_types) and not any(t in ("object", "array") for t in item_types)

        def report(errs, path, i, j):
            errs.append(AjvError("uniqueItems", path_tuple(path), kw_sp, {"i": i, "j": j},
                                 f"must NOT have duplicate items (items ## {j} and {i} are identical)", node))
            return False

        def unique(inst, path, errs, dyn, ev):
            n = len(inst)
            if scalar_items:
                seen: dict = {}
                for i in range(n - 1, -1, -1):
                    item = inst[i]
                    key = (json_type(item), item) if not isinstance(item, (dict, list)) else (None, id(item))
                    if key in seen:
                        return report(errs, path, i, seen[key])
                    seen[key] = i
                return True
            if n >= _UNIQUE_KEYED_FROM:
                try:
                    budget = [_UNIQUE_KEY_NODES]
                    keys = [_equal_key(item, budget) for item in inst]
                except (_Unkeyable, TypeError, RecursionError):
                    keys = None
                if keys is not None:
                    # the pair the pairwise scan below meets first: the last item equal to an
                    # earlier one, and the last of those earlier ones
                    last: dict = {}
                    pair = None
                    for i, key in enumerate(keys):
                        j = last.get(key)
                        if j is not None:
                            pair = (i, j)
                        last[key] = i
                    return True if pair is None else report(errs, path, *pair)
            for i in range(n - 1, 0, -1):
                for j in range(i - 1, -1, -1):
                    if json_equal(inst[i], inst[j]):
                        return report(errs, path, i, j)
            return True
        return unique

    def _kw_prefixItems(self, node, base, track, sp, group):
        if self.draft != "draft2020-12":
            return None
        subs = [self._node(s, base, False, f"{sp}/prefixItems/{i}") for i, s in enumerate(node["prefixItems"])]
        return self._tuple_items(subs)

    def _tuple_items(self, subs):
        all_errors = self.all_errors

        def tuple_items(inst, path, errs, dyn, ev):
            ok = True
            for i, s in enumerate(subs[: len(inst)]):
                if not s(inst[i], (path, i), errs, dyn, None):
                    if not all_errors:
                        return False
                    ok = False
            if ev is not None:
                ev.update(range(min(len(subs), len(inst))))
            return ok
        return tuple_items

    def _kw_items(self, node, base, track, sp, group):
        items = node["items"]
        if isinstance(items, list):
            if self.draft == "draft2020-12":
                raise SchemaCompileError(f"items must be a schema in draft 2020-12 at {sp}")
            return self._tuple_items([self._node(s, base, False, f"{sp}/items/{i}") for i, s in enumerate(items)])
        start = len(node.get("prefixItems", [])) if self.draft == "draft2020-12" else 0
        return self._rest_items(node, "items", self._node(items, base, False, sp + "/items"), start, sp)

    def _kw_additionalItems(self, node, base, track, sp, group):
        items = node.get("items")
        if self.draft == "draft2020-12" or not isinstance(items, list):
            return None
        return self._rest_items(node, "additionalItems", self._node(node["additionalItems"], base, False, sp + "/additionalItems"),
                                len(items), sp)

    def _rest_items(self, node, kw, sub, start, sp):
        all_errors = self.all_errors
        kw_sp = sp + "/" + kw
        if node[kw] is False and start > 0:
            def too_many(inst, path, errs, dyn, ev):
                if len(inst) <= start:
                    return True
                errs.append(AjvError(kw, path_tuple(path), kw_sp, {"limit": start},
                                     f"must NOT have more than {start} items", node))
                return False
            return too_many

        if self._dedupe_state is not None and sub is not _true_check:
            sub = _deduped(sub, self._dedupe_state)

        def rest(inst, path, errs, dyn, ev):
            ok = True
            for i in range(start, len(inst)):
                if not sub(inst[i], (path, i), errs, dyn, None):
                    if not all_errors:
                        return False
                    ok = False
            if ev is not None:
                ev.update(range(len(inst)))
            return ok
        return rest

    def _kw_contains(self, node, base, track, sp, group):
        sub = self._node(node["contains"], base, False, sp + "/contains")
        lo = node.get("minContains", 1) if self.modern else 1
        hi = node.get("maxContains") if self.modern else None
        kw_sp = sp + "/contains"

        def contains(inst, path, errs, dyn, ev):
            mark = len(errs)
            hits = [i for i, item in enumerate(inst) if sub(item, (path, i), errs, dyn, None)]
            del errs[mark:]
            if ev is not None:
                ev.update(hits)
            if len(hits) >= lo and (hi is None or len(hits) <= hi):
                return True
            msg = (f"must contain at least {lo} valid item(s)" if hi is None
                   else f"must contain at least {lo} and no more than {hi} valid item(s)")
            errs.append(AjvError("contains", path_tuple(path), kw_sp, {"minContains": lo, "maxContains": hi}, msg, node))
            return False
        return contains

    # ---- objects

    def _kw_maxProperties(self, node, base, track, sp, group):
        n = node["maxProperties"]
        return self._count(node, "maxProperties", sp, n, lambda v: len(v) <= n, f"must NOT have more than {n} properties")

    def _kw_minProperties(self, node, base, track, sp, group):
        n = node["minProperties"]
        return self._count(node, "minProperties", sp, n, lambda v: len(v) >= n, f"must NOT have fewer than {n} properties")

    def _kw_required(self, node, base, track, sp, group):
        req = node["required"]
        if not isinstance(req, list) or not req:
            return None
        kw_sp = sp + "/required"
        all_errors = self.all_errors

        def required(inst, path, errs, dyn, ev):
            ok = True
            for name in req:
                if name not in inst:
                    errs.append(AjvError("required", path_tuple(path), kw_sp, {"missingProperty": name},
                                         f"must have required property '{name}'", node))
                    if not all_errors:
                        return False
                    ok = False
            return ok
        return required

    def _kw_propertyNames(self, node, base, track, sp, group):
        sub = self._node(node["propertyNames"], base, False, sp + "/propertyNames")
        kw_sp = sp + "/propertyNames"
        all_errors = self.all_errors

        def property_names(inst, path, errs, dyn, ev):
            ok = True
            for key in inst:
                if not sub(key, path, errs, dyn, None):
                    errs.append(AjvError("propertyNames", path_tuple(path), kw_sp, {"propertyName": key},
                                         "property name must be valid", node))
                    if not all_errors:
                        return False
                    ok = False
            return ok
        return property_names

    def _kw_additionalProperties(self, node, base, track, sp, group):
        props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        patterns = [js_regex(p) for p in node.get("patternProperties", {})] if isinstance(node.get("patternProperties"), dict) else []
        addl = node["additionalProperties"]
        kw_sp = sp + "/additionalProperties"
        all_errors = self.all_errors
        sub = None if addl is False else self._node(addl, base, False, kw_sp)
        if sub is _true_check:
            if not track:
                return None

            def mark_all(inst, path, errs, dyn, ev):
                ev.update(inst.keys())
                return True
            return mark_all

        def additional(inst, path, errs, dyn, ev):
            ok = True
            for key in inst:
                if key in props or (patterns and any(p.search(key) for p in patterns)):
                    continue
                if sub is None:
                    errs.append(AjvError("additionalProperties", path_tuple(path), kw_sp, {"additionalProperty": key},
                                         "must NOT have additional properties", node))
                    ok = False
                elif not sub(inst[key], (path, key), errs, dyn, None):
                    ok = False
                if not ok and not all_errors:
                    return False
            if ev is not None:
                ev.update(inst.keys())
            return ok
        return additional

    def _kw_properties(self, node, base, track, sp, group):
        props = node["properties"]
        if not isinstance(props, dict):
            raise SchemaCompileError(f"properties must be an object at {sp}")
        compiled = [(k, self._node(s, base, False, f"{sp}/properties/{_escape(k)}")) for k, s in props.items()]
        compiled = [(k, c) for k, c in compiled if c is not _true_check or track]
        names = list(props)
        if not compiled:
            return None
        all_errors = self.all_errors

        def properties(inst, path, errs, dyn, ev):
            ok = True
            if len(inst) < len(compiled):  # walk the smaller side; AJV's order is the schema's
                present = [(k, c) for k, c in compiled if k in inst]
            else:
                present = compiled
            for k, c in present:
                if k in inst and not c(inst[k], (path, k), errs, dyn, None):
                    if not all_errors:
                        return False
                    ok = False
            if ev is not None:
                ev.update(k for k in names if k in inst)
            return ok
        return properties

    def _kw_patternProperties(self, node, base, track, sp, group):
        pats = node["patternProperties"]
        if not isinstance(pats, dict):
            raise SchemaCompileError(f"patternProperties must be an object at {sp}")
        compiled = [(js_regex(p), self._node(s, base, False, f"{sp}/patternProperties/{_escape(p)}")) for p, s in pats.items()]
        all_errors = self.all_errors
        only_true = all(c is _true_check for _, c in compiled)
        if only_true and not track:
            return None

        def pattern_properties(inst, path, errs, dyn, ev):
            ok = True
            for rx, c in compiled:
                for key in inst:
                    if rx.search(key):
                        if ev is not None:
                            ev.add(key)
                        if c is not _true_check and not c(inst[key], (path, key), errs, dyn, None):
                            if not all_errors:
                                return False
                            ok = False
            return ok
        return pattern_properties

    def _kw_dependencies(self, node, base, track, sp, group):
        deps = node["dependencies"]
        if self.draft == "draft2020-12" or not isinstance(deps, dict):
            return None
        req = {k: v for k, v in deps.items() if isinstance(v, list)}
        schemas = {k: v for k, v in deps.items() if not isinstance(v, list)}
        checks = []
        if req:
            checks.append(self._dep_required(node, req, sp, "dependencies"))
        if schemas:
            checks.append(self._dep_schemas(schemas, base, track, sp, "dependencies"))
        return self._seq(checks)

    def _kw_dependentRequired(self, node, base, track, sp, group):
        if not self.modern or not isinstance(node["dependentRequired"], dict):
            return None
        return self._dep_required(node, node["dependentRequired"], sp, "dependentRequired")

    def _kw_dependentSchemas(self, node, base, track, sp, group):
        if not self.modern or not isinstance(node["dependentSchemas"], dict):
            return None
        return self._dep_schemas(node["dependentSchemas"], base, track, sp, "dependentSchemas")

    def _dep_required(self, node, req, sp, kw):
        kw_sp = sp + "/" + kw
        all_errors = self.all_errors

        def dep_required(inst, path, errs, dyn, ev):
            ok = True
            for prop, needed in req.items():
                if prop not in inst:
                    continue
                for name in needed:
                    if name not in inst:
                        errs.append(AjvError(kw, path_tuple(path), kw_sp,
                                             {"property": prop, "missingProperty": name, "depsCount": len(needed),
                                              "deps": ", ".join(needed)},
                                             f"must have {'property' if len(needed) == 1 else 'properties'} "
                                             f"{', '.join(needed)} when property {prop} is present", node))
                        if not all_errors:
                            return False
                        ok = False
            return ok
        return dep_required

    def _dep_schemas(self, schemas, base, track, sp, kw):
        compiled = [(k, self._node(s, base, track, f"{sp}/{kw}/{_escape(k)}")) for k, s in schemas.items()]
        all_errors = self.all_errors

        def dep_schemas(inst, path, errs, dyn, ev):
            ok = True
            for k, c in compiled:
                if k in inst and not c(inst, path, errs, dyn, ev):
                    if not all_errors:
                        return False
                    ok = False
            return ok
        return dep_schemas

    def _seq(self, checks: list[Check]) -> Check | None:
        if not checks:
            return None
        if len(checks) == 1:
            return checks[0]
        all_errors = self.all_errors

        def seq(inst, path, errs, dyn, ev):
            ok = True
            for c in checks:
                if not c(inst, path, errs, dyn, ev):
                    if not all_errors:
                        return False
                    ok = False
            return ok
        return seq

    # ---- post keywords: unevaluated*, run after the others with what they evaluated

    def _post_checks(self, node: dict, base: str, sp: str) -> list[Check]:
        checks = []
        if "unevaluatedProperties" in node and self.modern:
            checks.append(self._unevaluated(node, "unevaluatedProperties", base, sp, dict))
        if "unevaluatedItems" in node and self.modern:
            checks.append(self._unevaluated(node, "unevaluatedItems", base, sp, list))
        return checks

    def _unevaluated(self, node, kw, base, sp, kind):
        schema = node[kw]
        kw_sp = sp + "/" + kw
        sub = None if schema is False else self._node(schema, base, False, kw_sp)
        all_errors = self.all_errors
        is_props = kind is dict

        def unevaluated(inst, path, errs, dyn, ev):
            if not isinstance(inst, kind) or sub is _true_check:
                return True
            ok = True
            keys = inst if is_props else range(len(inst))
            for key in keys:
                if ev is not None and key in ev:
                    continue
                if sub is None:
                    if is_props:
                        errs.append(AjvError(kw, path_tuple(path), kw_sp, {"unevaluatedProperty": key},
                                             "must NOT have unevaluated properties", node))
                    else:
                        errs.append(AjvError(kw, path_tuple(path), kw_sp, {"limit": key},
                                             f"must NOT have more than {key} items", node))
                        return False
                    ok = False
                elif not sub(inst[key], (path, key), errs, dyn, None):
                    ok = False
                if not ok and not all_errors:
                    return False
            return ok
        return unevaluated

    # ---- ajv-errors' errorMessage

    def _with_error_message(self, body: Check, em: Any, sp: str, node: dict) -> Check:
        from apigov_ls.engine.schema_error_message import apply_error_message

        def with_error_message(inst, path, errs, dyn, ev):
            mark = len(errs)
            ok = body(inst, path, errs, dyn, ev)
            if len(errs) > mark:
                errs[mark:] = apply_error_message(errs[mark:], em, path_tuple(path), sp, inst, node)
            return ok
        return with_error_message


def _as_list(v: Any) -> list:
    return [v] if isinstance(v, str) else list(v) if isinstance(v, list) else []


class _MemoState(threading.local):
    #: the SubtreeMemo of the running `errors` call (per thread)
    table: Any = None


#: instance containers this close to the root are memoized (path items, operations, components);
#: deeper ones belong to a subtree small enough to validate again
MEMO_DEPTH = 3


def _memoized(check: Check, state: _MemoState) -> Check:
    """`check` with its result and errors, for container instances near the root, kept in the
    running memo per (check, instance object, dynamic scope). A check reads nothing but its
    instance and dynamic scope (the path only names errors), so an unchanged object (same
    identity: data is never mutated in place) gets the same answer; the errors are kept
    relative to the instance and re-rooted at the current path."""

    def memoized(inst, path, errs, dyn, ev):
        memo = state.table
        t = type(inst)
        if memo is None or ev is not None or (t is not dict and t is not list):
            return check(inst, path, errs, dyn, ev)
        p, depth = path, 0
        while p is not None:
            depth += 1
            if depth > MEMO_DEPTH:
                return check(inst, path, errs, dyn, ev)
            p = p[0]
        key = (id(check), id(inst), dyn)
        hit = memo.get(key, inst)
        if hit is not None:
            return _replayed(hit, path, errs)
        mark = len(errs)
        ok = check(inst, path, errs, dyn, ev)
        rel = _relative(errs[mark:], path)
        if rel is not None:  # None: an error outside this subtree, not kept
            memo.put(key, inst, (ok, rel))
        return ok
    return memoized


class _Outside(Exception):
    pass


#: items bigger than this (nodes) are validated without looking for an equal one
DEDUPE_MAX_NODES = 64


def _content_key(value: Any, budget: list) -> Any:
    """A hashable key equal for two values only when they are the same JSON (same types: True is
    not 1, 1 is not 1.0, -0.0 is not 0.0; same key order, which error order follows)."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return (t, value)
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unkeyable
    if t is float:
        return (t, repr(value))
    if t is dict:
        return (t, tuple((type(k), k, _content_key(v, budget)) for k, v in value.items()))
    if t is list:
        return (t, tuple(_content_key(v, budget) for v in value))
    raise _Unkeyable  # another type (a YAML date...): no key


def _deduped(check: Check, state: _MemoState) -> Check:
    """`check` for array items: an object item equal in content to one checked before in the same
    `errors` call gets that item's answer, its errors re-rooted at this item. A check reads nothing
    but its instance and dynamic scope (the path only names errors), and items are checked without
    annotations (ev is None), so equal content gives the same result. Documents repeat their
    parameters: Kubernetes' 4576 operation parameters are 190 distinct objects."""

    def deduped(inst, path, errs, dyn, ev):
        table = state.table
        if table is None or ev is not None or type(inst) is not dict:
            return check(inst, path, errs, dyn, ev)
        try:
            content = _content_key(inst, [DEDUPE_MAX_NODES])
        except (_Unkeyable, TypeError, RecursionError):
            return check(inst, path, errs, dyn, ev)
        key = (content, dyn)
        hit = table.get(key)
        if hit is not None:
            return _replayed(hit, path, errs)
        mark = len(errs)
        ok = check(inst, path, errs, dyn, ev)
        if len(errs) == mark:
            table[key] = (ok, ())
            return ok
        rel = _relative(errs[mark:], path)
        if rel is not None:  # None: an error outside this item, not kept
            table[key] = (ok, rel)
        return ok
    return deduped


def _below(p: tuple, prefix: tuple, n: int) -> tuple:
    if p[:n] != prefix:
        raise _Outside
    return p[n:]


def _relative(new_errors: list, path) -> list | None:
    """The errors an instance at `path` gave, re-rooted at it; None if one lies outside it."""
    prefix = path_tuple(path)
    n = len(prefix)
    try:
        return [_moved(e, lambda p: _below(p, prefix, n)) for e in new_errors]
    except _Outside:
        return None


def _replayed(hit: tuple, path, errs: list) -> bool:
    """A stored (ok, errors relative to the instance) answer given at `path`: its errors re-rooted there."""
    ok, rel = hit
    if rel:
        prefix = path_tuple(path)
        errs.extend(_moved(e, lambda p: prefix + p) for e in rel)
    return ok


def _moved(e: AjvError, where) -> AjvError:
    """A copy of `e` with its instance path (and those of the errors ajv-errors keeps in its
    params) mapped by `where`."""
    params = e.params
    inner = params.get("errors")
    if isinstance(inner, list) and inner and isinstance(inner[0], AjvError):
        params = dict(params, errors=[_moved(x, where) for x in inner])
    return AjvError(e.keyword, where(e.instance_path), e.schema_path, params, e.message, e.schema, e.used)


@dataclass(slots=True)
class CompiledSchema:
    fn: Check
    dyn: tuple = field(default=())
    memo_state: Any = None
    dedupe_state: Any = None

    def errors(self, instance: Any, memo: Any = None) -> list[AjvError]:
        """All errors; with `memo` (a SubtreeMemo, for a validator compiled with memo=True) unchanged
        subtrees of an instance validated before are not validated again."""
        dedupe = self.dedupe_state
        if dedupe is None:
            return self._errors(instance, memo)
        outer = dedupe.table
        dedupe.table = {}  # per call: equal items are looked for within one instance
        try:
            return self._errors(instance, memo)
        finally:
            dedupe.table = outer

    def _errors(self, instance: Any, memo: Any) -> list[AjvError]:
        errs: list[AjvError] = []
        state = self.memo_state
        if memo is None or state is None:
            self.fn(instance, None, errs, self.dyn, None)
            return errs
        memo.begin_pass()
        state.table = memo
        try:
            self.fn(instance, None, errs, self.dyn, None)
        finally:
            state.table = None
        return errs

    def is_valid(self, instance: Any) -> bool:
        return self.fn(instance, None, [], self.dyn, None)
