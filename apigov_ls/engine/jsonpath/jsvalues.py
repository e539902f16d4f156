"""JavaScript value semantics for filter expressions, over plain Python JSON data.

Filter expressions in Spectral rulesets are JavaScript run by nimma; rulesets rely on JS
behaviour (missing members are `undefined`, `==` coerces, `0`/`''`/`null` are falsy), so the
operators here follow the ECMAScript rules for the value kinds a JSON document can hold:
dict (object), list (array), str, int/float (number), bool, None (null) and UNDEFINED.
A JS TypeError (member of null, calling a non-function) is raised as JSThrow; the filter
step turns it into "this node does not match".
"""

from __future__ import annotations

import math
import re


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED = _Undefined()


class JSThrow(Exception):
    """A JavaScript TypeError during filter evaluation: the node under test does not match."""


class JSConstructor:
    """`Object`, `Array`, `String`...: what `x.constructor` yields (rulesets test `.constructor.name`)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"[Function: {self.name}]"


CTORS = {n: JSConstructor(n) for n in ("Object", "Array", "String", "Number", "Boolean", "RegExp", "Function")}


class JSRegExp:
    __slots__ = ("source", "flags", "compiled", "is_global")

    def __init__(self, source: str, flags: str):
        self.source = source
        self.flags = flags
        self.compiled = compile_js_regex(source, flags)
        self.is_global = "g" in flags


class JSMethod:
    """A method read without calling it (`@.name.match && ...`): truthy, typeof 'function'."""

    __slots__ = ("receiver", "name")

    def __init__(self, receiver, name: str):
        self.receiver = receiver
        self.name = name


# -- methods we implement, per receiver kind (calling anything else is refused at compile time)
STRING_METHODS = frozenset({"match", "startsWith", "endsWith", "includes", "indexOf", "lastIndexOf",
                            "toLowerCase", "toUpperCase", "trim", "toString"})
ARRAY_METHODS = frozenset({"includes", "indexOf", "join", "toString"})
REGEXP_METHODS = frozenset({"test"})
OBJECT_METHODS = frozenset({"hasOwnProperty", "toString"})
CTOR_METHODS = frozenset({"isArray"})
SUPPORTED_METHODS = STRING_METHODS | ARRAY_METHODS | REGEXP_METHODS | OBJECT_METHODS | CTOR_METHODS


def is_number(v) -> bool:
    t = type(v)
    return t is int or t is float


def typeof(v) -> str:
    t = type(v)
    if t is str:
        return "string"
    if t is int or t is float:
        return "number"
    if t is bool:
        return "boolean"
    if v is UNDEFINED:
        return "undefined"
    if t is JSMethod or t is JSConstructor:
        return "function"
    return "object"  # dict, list, None, RegExp


def truthy(v) -> bool:
    t = type(v)
    if t is bool:
        return v
    if t is str:
        return v != ""
    if t is int:
        return v != 0
    if t is float:
        return v != 0.0 and v == v
    return v is not None and v is not UNDEFINED


_NUMERIC = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\Z")
_JS_SPACE = " \t\n\r\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def string_to_number(s: str) -> float:
    s = s.strip(_JS_SPACE)
    if s == "":
        return 0
    if _NUMERIC.match(s):
        return float(s.replace("Infinity", "inf"))
    low = s.lower()
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if low.startswith(prefix):
            try:
                return int(s[2:], base)
            except ValueError:
                return math.nan
    return math.nan


def to_number(v):
    t = type(v)
    if t is int or t is float:
        return v
    if t is bool:
        return 1 if v else 0
    if t is str:
        return string_to_number(v)
    if v is None:
        return 0
    if v is UNDEFINED:
        return math.nan
    return to_number(to_primitive(v))


def number_to_string(n) -> str:
    if type(n) is int:
        return str(n)
    if n != n:
        return "NaN"
    if n in (math.inf, -math.inf):
        return "Infinity" if n > 0 else "-Infinity"
    if n.is_integer() and abs(n) < 1e21:
        return str(int(n))
    r = repr(n)
    if "e" in r:  # JS writes 1e+21 and 1e-7
        mant, exp = r.split("e")
        sign = "-" if exp.startswith("-") else "+"
        return f"{mant.removesuffix('.0')}e{sign}{exp.lstrip('+-').lstrip('0') or '0'}"
    return r


def to_string(v) -> str:
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int or t is float:
        return number_to_string(v)
    if v is None:
        return "null"
    if v is UNDEFINED:
        return "undefined"
    if t is list:
        return ",".join("" if x is None or x is UNDEFINED else to_string(x) for x in v)
    if t is dict:
        return "[object Object]"
    if t is JSRegExp:
        return f"/{v.source}/{v.flags}"
    if t is JSConstructor:
        return f"function {v.name}() {{ [native code] }}"
    return "function () { [native code] }"


def to_primitive(v):
    """Objects become their string form (what `valueOf` then `toString` gives for plain JSON data)."""
    t = type(v)
    if t is dict or t is list or t is JSRegExp or t is JSConstructor or t is JSMethod:
        return to_string(v)
    return v


def _is_object(v) -> bool:
    t = type(v)
    return t is dict or t is list or t is JSRegExp or t is JSConstructor or t is JSMethod


def strict_equals(a, b) -> bool:
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a == b
    if ta is str and tb is str:
        return a == b
    if ta is JSMethod and tb is JSMethod:
        return a.name == b.name and a.receiver is b.receiver
    if _is_object(a) or _is_object(b):
        return a is b
    return a is b  # None / UNDEFINED


def loose_equals(a, b) -> bool:
    ta, tb = type(a), type(b)
    if ta is tb or (is_number(a) and is_number(b)):
        return strict_equals(a, b)
    a_nullish = a is None or a is UNDEFINED
    b_nullish = b is None or b is UNDEFINED
    if a_nullish or b_nullish:
        return a_nullish and b_nullish
    if ta is bool:
        return loose_equals(1 if a else 0, b)
    if tb is bool:
        return loose_equals(a, 1 if b else 0)
    if is_number(a) and tb is str:
        return a == string_to_number(b)
    if ta is str and is_number(b):
        return string_to_number(a) == b
    a_obj, b_obj = _is_object(a), _is_object(b)
    if a_obj and not b_obj:
        return loose_equals(to_primitive(a), b)
    if b_obj and not a_obj:
        return loose_equals(a, to_primitive(b))
    return False


def compare(op: str, a, b) -> bool:
    """`<`, `<=`, `>`, `>=` with JS coercion: two strings compare as text, anything else as numbers."""
    a, b = to_primitive(a), to_primitive(b)
    if type(a) is str and type(b) is str:
        x, y = a, b
    else:
        x, y = to_number(a), to_number(b)
        if x != x or y != y:
            return False
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def same_value_zero(a, b) -> bool:
    if type(a) is float and type(b) is float and a != a and b != b:
        return True
    return strict_equals(a, b)


def canonical_index(name: str) -> int | None:
    """'3' -> 3; '03', '-1', '1.0' are plain keys, as for JS array properties."""
    if name.isdigit() and name.isascii() and (name == "0" or name[0] != "0"):
        return int(name)
    return None


def has_property(obj, key) -> bool:
    """JS `key in obj`."""
    t = type(obj)
    if t is dict:
        k = to_string(key)
        return k in obj or k in ("constructor", "hasOwnProperty", "toString")
    if t is list:
        k = to_string(key)
        idx = canonical_index(k)
        return (idx is not None and idx < len(obj)) or k == "length" or k in ARRAY_METHODS or k == "constructor"
    if t is JSRegExp or t is JSConstructor or t is JSMethod:
        return False
    raise JSThrow(f"Cannot use 'in' operator to search for '{to_string(key)}' in {to_string(obj)}")


def get_member(obj, key):
    """`obj[key]` / `obj.key`: own data first, then the few built-ins rulesets use."""
    t = type(obj)
    if t is dict:
        k = key if type(key) is str else to_string(key)
        v = obj.get(k, UNDEFINED)
        if v is UNDEFINED:
            if k == "constructor":
                return CTORS["Object"]
            if k in OBJECT_METHODS:
                return JSMethod(obj, k)
        return v
    if obj is None or obj is UNDEFINED:
        raise JSThrow(f"Cannot read properties of {to_string(obj)} (reading '{to_string(key)}')")
    if t is list or t is str:
        if type(key) is int or (type(key) is float and key.is_integer()):
            idx = int(key)
        else:
            k = to_string(key)
            if k == "length":
                return len(obj)
            if k == "constructor":
                return CTORS["Array" if t is list else "String"]
            if k in (ARRAY_METHODS if t is list else STRING_METHODS):
                return JSMethod(obj, k)
            idx = canonical_index(k)
            if idx is None:
                return UNDEFINED
        return obj[idx] if 0 <= idx < len(obj) else UNDEFINED
    k = to_string(key)
    if t is bool or t is int or t is float:
        if k == "constructor":
            return CTORS["Boolean" if t is bool else "Number"]
        if k == "toString":
            return JSMethod(obj, k)
        return UNDEFINED
    if t is JSConstructor:
        if k == "name":
            return obj.name
        if k == "isArray" and obj.name == "Array":
            return JSMethod(obj, k)
        return UNDEFINED
    if t is JSRegExp:
        if k == "test":
            return JSMethod(obj, k)
        if k == "source":
            return obj.source
        if k == "flags":
            return obj.flags
        if k == "global":
            return obj.is_global
        return UNDEFINED
    return UNDEFINED


def _as_regexp(v) -> JSRegExp:
    if type(v) is JSRegExp:
        return v
    src = "(?:)" if v is UNDEFINED else to_string(v)
    try:
        return JSRegExp(src, "")
    except re.error as exc:
        raise JSThrow(f"Invalid regular expression: /{src}/: {exc}") from None


def _match(s: str, rx: JSRegExp):
    if rx.is_global:
        found = [m.group(0) for m in rx.compiled.finditer(s)]
        return found or None
    m = rx.compiled.search(s)
    if m is None:
        return None
    return [m.group(0)] + [UNDEFINED if g is None else g for g in m.groups()]


def _index_of(haystack: list, needle) -> int:
    for i, x in enumerate(haystack):
        if strict_equals(x, needle):
            return i
    return -1


def call_method(obj, name: str, args: list):
    """`obj.name(...args)`; a missing method is a JS TypeError (the node does not match)."""
    t = type(obj)
    if obj is None or obj is UNDEFINED:
        raise JSThrow(f"Cannot read properties of {to_string(obj)} (reading '{name}')")
    arg0 = args[0] if args else UNDEFINED
    if t is str and name in STRING_METHODS:
        if name == "match":
            return _match(obj, _as_regexp(arg0))
        if name == "startsWith":
            return obj.startswith(to_string(arg0), int(to_number(args[1])) if len(args) > 1 else 0)
        if name == "endsWith":
            return obj.endswith(to_string(arg0)) if len(args) < 2 else obj[: int(to_number(args[1]))].endswith(to_string(arg0))
        if name == "includes":
            return to_string(arg0) in obj
        if name == "indexOf":
            return obj.find(to_string(arg0))
        if name == "lastIndexOf":
            return obj.rfind(to_string(arg0))
        if name == "toLowerCase":
            return obj.lower()
        if name == "toUpperCase":
            return obj.upper()
        if name == "trim":
            return obj.strip(_JS_SPACE)
        return obj  # toString
    if t is list and name in ARRAY_METHODS:
        if name == "includes":
            return any(same_value_zero(x, arg0) for x in obj)
        if name == "indexOf":
            return _index_of(obj, arg0)
        sep = "," if arg0 is UNDEFINED or name == "toString" else to_string(arg0)
        return sep.join("" if x is None or x is UNDEFINED else to_string(x) for x in obj)
    if t is JSRegExp and name == "test":
        return obj.compiled.search(to_string(arg0)) is not None
    if t is JSConstructor and name == "isArray" and obj.name == "Array":
        return type(arg0) is list
    if t is dict:
        own = obj.get(name, UNDEFINED)
        if own is UNDEFINED and name == "hasOwnProperty":
            return to_string(arg0) in obj
        if own is UNDEFINED and name == "toString":
            return "[object Object]"
    elif name == "toString" and t in (bool, int, float):
        return to_string(obj)
    raise JSThrow(f"{to_string(obj)[:40]}.{name} is not a function")


# -- regular expressions -----------------------------------------------------------------------

_FLAG_BITS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


def compile_js_regex(source: str, flags: str) -> re.Pattern:
    """Translate a JS regex to Python `re`. Raises re.error (or ValueError for bad flags)."""
    bits = 0
    for f in flags:
        if f in _FLAG_BITS:
            bits |= _FLAG_BITS[f]
        elif f not in "gud":
            raise ValueError(f"unsupported regular expression flag {f!r}")
    if "u" not in flags:
        bits |= re.ASCII  # JS \d \w \b are ASCII-only
    return re.compile(_translate_regex(source, "m" in flags), bits)


def _translate_regex(src: str, multiline: bool) -> str:
    out: list[str] = []
    i, n = 0, len(src)
    in_class = False
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n:
            nxt = src[i + 1]
            if nxt == "k" and src.startswith("<", i + 2):  # \k<name> back-reference
                end = src.index(">", i + 3)
                out.append(f"(?P={src[i + 3:end]})")
                i = end + 1
                continue
            if nxt == "d" and not in_class:
                out.append("[0-9]")
            elif nxt == "/":
                out.append("/")
            else:
                out.append(src[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "[":
                out.append("\\[")
                i += 1
                continue
            out.append(c)
            i += 1
            continue
        if c == "[":
            if src.startswith("[^]", i):
                out.append("[\\s\\S]")
                i += 3
                continue
            if src.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            in_class = True
            out.append(c)
            if src.startswith("^", i + 1):
                out.append("^")
                i += 1
            i += 1
            continue
        if c == "(" and src.startswith("(?<", i) and not src.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
            continue
        if c == "$" and not multiline:  # JS `$` is the very end; Python's also matches before a final \n
            out.append(r"\Z")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)
