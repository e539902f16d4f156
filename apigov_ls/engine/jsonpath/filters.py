"""Filter expressions `[?(...)]`: a parser for the JavaScript subset real rulesets use, compiled
to Python closures, plus a static analysis that lets the matcher skip most evaluations.

A compiled filter is called as `fn(value, key, parent_chain, root)`:
`value` is `@`, `key` is `@property`, `parent_chain` is the chain node of the container
(see walk.py: a tuple `(grandparent_chain, container_key, container_value)`), `root` is `@root`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from apigov_ls.engine.jsonpath import jsvalues as js
from apigov_ls.engine.jsonpath.errors import JSONPathError
from apigov_ls.engine.jsonpath.jsvalues import UNDEFINED, JSThrow

FilterFn = Callable[[Any, Any, tuple, Any], Any]

TYPE_SELECTORS = ("string", "number", "integer", "boolean", "null", "array", "object", "scalar")

_PUNCT = ("===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ",", "-", "+", "?", ":")
_AT_NAMES = {"property", "parentProperty", "path", "parent", "root"}
_IDENT_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$")
_IDENT_CHARS = _IDENT_START | set("0123456789")
_KEYWORD_LITERALS = {"true": True, "false": False, "null": None, "undefined": UNDEFINED,
                     "NaN": float("nan"), "Infinity": float("inf")}
#: members that exist on strings/arrays too: `@.length` being truthy does not prove `@` is an object
_BUILTIN_MEMBERS = js.SUPPORTED_METHODS | {"length", "constructor", "name", "source", "flags", "global", "__proto__",
                                          "prototype", "valueOf", "isPrototypeOf", "propertyIsEnumerable",
                                          "toLocaleString"}


def type_test(name: str) -> Callable[[Any], bool]:
    """The JSONPath-Plus type selectors `@string()`... (as nimma: `@object()` is any non-null object)."""
    if name == "string":
        return lambda v: type(v) is str
    if name == "number":
        return lambda v: type(v) in (int, float)
    if name == "integer":
        return lambda v: type(v) is int or (type(v) is float and v.is_integer())
    if name == "boolean":
        return lambda v: type(v) is bool
    if name == "null":
        return lambda v: v is None
    if name == "array":
        return lambda v: type(v) is list
    if name == "object":
        return lambda v: type(v) in (dict, list)
    if name == "scalar":
        return lambda v: type(v) not in (dict, list)
    raise KeyError(name)


# -- AST --------------------------------------------------------------------------------------
# Nodes are tuples: (kind, ...). Kinds: lit, cur, at (name), ident (name), member (obj, name-node),
# call (callee, args), unary (op, e), bin (op, l, r), and, or, cond, regex, array, typetest.


class _Parser:
    def __init__(self, text: str, pos: int, expr: str, offset: int = 0):
        self.s = text
        self.pos = pos
        self.expr = expr  # the whole JSONPath, for messages

    def error(self, reason: str, pos: int | None = None):
        raise JSONPathError(self.expr, reason, self.pos if pos is None else pos)

    # lexer -------------------------------------------------------------------------------
    def skip_ws(self):
        s, n = self.s, len(self.s)
        while self.pos < n and s[self.pos] in " \t\r\n":
            self.pos += 1

    def peek_punct(self, *ops: str) -> str | None:
        self.skip_ws()
        for op in ops:
            if self.s.startswith(op, self.pos):
                # `=`-family operators must not be a prefix of a longer one we do not know
                return op
        return None

    def take(self, op: str) -> bool:
        if self.peek_punct(op) == op:
            self.pos += len(op)
            return True
        return False

    def expect(self, op: str):
        if not self.take(op):
            found = self.s[self.pos : self.pos + 10] or "the end"
            self.error(f"expected '{op}' in filter expression, found {found!r}")

    # grammar -----------------------------------------------------------------------------
    def parse_expression(self):
        node = self.parse_or()
        if self.take("?"):
            a = self.parse_expression()
            self.expect(":")
            b = self.parse_expression()
            node = ("cond", node, a, b)
        return node

    def parse_or(self):
        node = self.parse_and()
        while self.take("||"):
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self):
        node = self.parse_equality()
        while self.take("&&"):
            node = ("and", node, self.parse_equality())
        return node

    def parse_equality(self):
        node = self.parse_relational()
        while True:
            op = self.peek_punct("===", "!==", "==", "!=")
            if op is None:
                return node
            self.pos += len(op)
            node = ("bin", op, node, self.parse_relational())

    def parse_relational(self):
        node = self.parse_regex_match()
        while True:
            self.skip_ws()
            if self.s.startswith("in", self.pos) and not self._ident_continues(self.pos + 2):
                self.pos += 2
                node = ("bin", "in", node, self.parse_regex_match())
                continue
            op = self.peek_punct("<=", ">=", "<", ">")
            if op is None:
                self._refuse_arithmetic()
                return node
            self.pos += len(op)
            node = ("bin", op, node, self.parse_regex_match())

    def parse_regex_match(self):
        """Nimma's `a ~= "regex"` (binds tighter than any other operator): `/regex/.test(a)`."""
        node = self.parse_unary()
        while self.take("~="):
            start = self.pos
            right = self.parse_unary()
            if right[0] != "lit" or not isinstance(right[1], str):
                self.error("expected a string literal after ~=", start)
            try:
                regex = js.JSRegExp(right[1], "")
            except Exception as exc:  # re.error
                self.error(f"regular expression {right[1]!r} cannot be used: {exc}", start)
            node = ("call", ("lit", regex), "test", [node])
        return node

    def _refuse_arithmetic(self):
        self.skip_ws()
        s, i = self.s, self.pos
        if i < len(s) and s[i] in "+-*/%&|=" and not s.startswith(("&&", "||", "==", "=>"), i):
            self.error(f"operator {s[i]!r} is not supported in filter expressions")

    def _ident_continues(self, pos: int) -> bool:
        return pos < len(self.s) and self.s[pos] in _IDENT_CHARS

    def parse_unary(self):
        self.skip_ws()
        if self.take("!"):
            return ("unary", "!", self.parse_unary())
        if self.take("-"):
            operand = self.parse_unary()
            if operand[0] == "lit" and js.is_number(operand[1]):
                return ("lit", -operand[1])  # -1 is a literal (`indexOf(x) === -1`)
            return ("unary", "-", operand)
        if self.take("+"):
            return ("unary", "+", self.parse_unary())
        for word in ("typeof", "void"):
            if self.s.startswith(word, self.pos) and not self._ident_continues(self.pos + len(word)):
                self.pos += len(word)
                operand = self.parse_unary()
                if word == "void" and operand[0] == "lit":
                    return ("lit", UNDEFINED)  # `void 0` is how rulesets write undefined
                return ("unary", word, operand)
        return self.parse_postfix(self.parse_primary())

    def parse_postfix(self, node):
        while True:
            self.skip_ws()
            if self.s.startswith(".", self.pos) and not self.s.startswith("...", self.pos):
                self.pos += 1
                self.skip_ws()
                name = self.read_ident()
                if name is None:
                    self.error("expected a member name after '.'")
                node = ("member", node, ("lit", name))
            elif self.s.startswith("[", self.pos):
                self.pos += 1
                key = self.parse_expression()
                self.expect("]")
                node = ("member", node, key)
            elif self.s.startswith("(", self.pos):
                self.pos += 1
                args = []
                if not self.take(")"):
                    while True:
                        args.append(self.parse_expression())
                        if self.take(")"):
                            break
                        self.expect(",")
                node = self._make_call(node, args)
            else:
                return node

    def _make_call(self, callee, args):
        if callee[0] != "member" or callee[2][0] != "lit" or type(callee[2][1]) is not str:
            self.error("only method calls such as .match(), .test(), .includes() are supported in filters")
        name = callee[2][1]
        if name not in js.SUPPORTED_METHODS:
            self.error(f"method .{name}() is not supported in filter expressions")
        return ("call", callee[1], name, args)

    def read_ident(self) -> str | None:
        s, start = self.s, self.pos
        if start < len(s) and s[start] in _IDENT_START:
            end = start + 1
            while end < len(s) and s[end] in _IDENT_CHARS:
                end += 1
            self.pos = end
            return s[start:end]
        return None

    def parse_primary(self):
        self.skip_ws()
        s, pos = self.s, self.pos
        if pos >= len(s):
            self.error("unexpected end of filter expression")
        c = s[pos]
        if c == "@":
            self.pos += 1
            name = self.read_ident()
            if name is None:
                return ("cur",)
            if name in TYPE_SELECTORS and s.startswith("()", self.pos):
                self.pos += 2
                return ("typetest", name)
            if name in _AT_NAMES:
                return ("at", name)
            self.error(f"unknown filter variable '@{name}'", pos)
        if c == "(":
            self.pos += 1
            node = self.parse_expression()
            self.expect(")")
            return node
        if c in "'\"":
            return ("lit", self.read_string())
        if c.isdigit() or (c == "." and pos + 1 < len(s) and s[pos + 1].isdigit()):
            return ("lit", self.read_number())
        if c == "/":
            return self.read_regex()
        if c == "[":
            self.pos += 1
            items = []
            if not self.take("]"):
                while True:
                    items.append(self.parse_expression())
                    if self.take("]"):
                        break
                    self.expect(",")
            return ("array", items)
        name = self.read_ident()
        if name is not None:
            if name in _KEYWORD_LITERALS:
                return ("lit", _KEYWORD_LITERALS[name])
            if name in ("Array", "Object", "String", "Number", "Boolean"):
                return ("lit", js.CTORS[name])
            self.error(f"unknown identifier '{name}' in filter expression", pos)
        self.error(f"unexpected {c!r} in filter expression")

    def read_string(self) -> str:
        s, quote = self.s, self.s[self.pos]
        i = self.pos + 1
        out = []
        while i < len(s):
            c = s[i]
            if c == quote:
                self.pos = i + 1
                return "".join(out)
            if c == "\\" and i + 1 < len(s):
                e = s[i + 1]
                simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
                if e in simple:
                    out.append(simple[e])
                    i += 2
                elif e == "u" and s[i + 2 : i + 6].isalnum() and len(s[i + 2 : i + 6]) == 4:
                    out.append(chr(int(s[i + 2 : i + 6], 16)))
                    i += 6
                elif e == "x":
                    out.append(chr(int(s[i + 2 : i + 4], 16)))
                    i += 4
                else:
                    out.append(e)
                    i += 2
                continue
            out.append(c)
            i += 1
        self.error("unterminated string in filter expression")

    def read_number(self):
        s, start = self.s, self.pos
        i = start
        if s.startswith(("0x", "0X"), i):
            i += 2
            while i < len(s) and s[i] in "0123456789abcdefABCDEF":
                i += 1
            self.pos = i
            return int(s[start + 2 : i], 16)
        while i < len(s) and (s[i].isdigit() or s[i] == "."):
            i += 1
        if i < len(s) and s[i] in "eE":
            i += 1
            if i < len(s) and s[i] in "+-":
                i += 1
            while i < len(s) and s[i].isdigit():
                i += 1
        self.pos = i
        text = s[start:i]
        try:
            f = float(text)
        except ValueError:
            self.error(f"bad number {text!r}", start)
        return int(f) if f.is_integer() and "." not in text and "e" not in text.lower() else f

    def read_regex(self):
        s, start = self.s, self.pos
        i = start + 1
        in_class = False
        while i < len(s):
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            elif c == "/" and not in_class:
                break
            elif c == "\n":
                break
            i += 1
        if i >= len(s) or s[i] != "/":
            self.error("unterminated regular expression literal", start)
        source = s[start + 1 : i]
        j = i + 1
        while j < len(s) and s[j].isalpha():
            j += 1
        flags = s[i + 1 : j]
        self.pos = j
        try:
            return ("lit", js.JSRegExp(source, flags))
        except Exception as exc:  # re.error or a bad flag
            self.error(f"regular expression /{source}/{flags} cannot be used: {exc}", start)


def parse_filter(text: str, pos: int, expr: str) -> tuple[Any, int]:
    """Parse a JS expression starting at `pos`; returns (ast, position after it)."""
    p = _Parser(text, pos, expr)
    node = p.parse_expression()
    p.skip_ws()
    return node, p.pos


# -- compilation to closures ------------------------------------------------------------------


def chain_path(chain) -> tuple:
    keys = []
    while chain is not None and chain[0] is not None:
        keys.append(chain[1])
        chain = chain[0]
    keys.reverse()
    return tuple(keys)


def path_string(path) -> str:
    """nimma's `@path`: $['paths']['/a'][0] (strings quoted, array indices bare)."""
    return "$" + "".join(f"[{k}]" if type(k) is int else f"['{k}']" for k in path)


def compile_node(node) -> FilterFn:
    kind = node[0]
    if kind == "lit":
        value = node[1]
        return lambda v, k, c, r: value
    if kind == "cur":
        return lambda v, k, c, r: v
    if kind == "at":
        name = node[1]
        if name == "property":
            return lambda v, k, c, r: k
        if name == "parent":
            return lambda v, k, c, r: c[2]
        if name == "parentProperty":
            return lambda v, k, c, r: c[1]
        if name == "root":
            return lambda v, k, c, r: r
        return lambda v, k, c, r: path_string(chain_path(c) + (k,))
    if kind == "typetest":
        test = type_test(node[1])
        return lambda v, k, c, r: test(v)
    if kind == "array":
        items = [compile_node(x) for x in node[1]]
        return lambda v, k, c, r: [f(v, k, c, r) for f in items]
    if kind == "member":
        obj = compile_node(node[1])
        if node[2][0] == "lit":
            name = node[2][1]
            get = js.get_member
            if node[1][0] == "cur" and type(name) is str and name not in _BUILTIN_MEMBERS:
                # `@.name` on an object: the hot path, without the generic member lookup
                return lambda v, k, c, r: v.get(name, UNDEFINED) if type(v) is dict else get(v, name)
            return lambda v, k, c, r: get(obj(v, k, c, r), name)
        key = compile_node(node[2])
        return lambda v, k, c, r: js.get_member(obj(v, k, c, r), key(v, k, c, r))
    if kind == "call":
        obj = compile_node(node[1])
        name = node[2]
        args = [compile_node(a) for a in node[3]]
        call = js.call_method
        return lambda v, k, c, r: call(obj(v, k, c, r), name, [a(v, k, c, r) for a in args])
    if kind == "unary":
        op, e = node[1], compile_node(node[2])
        if op == "!":
            t = js.truthy
            return lambda v, k, c, r: not t(e(v, k, c, r))
        if op == "typeof":
            return _compile_typeof(node[2], e)
        if op == "void":
            return lambda v, k, c, r: (e(v, k, c, r), UNDEFINED)[1]
        if op == "-":
            return lambda v, k, c, r: -js.to_number(e(v, k, c, r))
        return lambda v, k, c, r: js.to_number(e(v, k, c, r))
    if kind == "and":
        a, b = compile_node(node[1]), compile_node(node[2])
        t = js.truthy

        def and_(v, k, c, r):
            x = a(v, k, c, r)
            return b(v, k, c, r) if t(x) else x
        return and_
    if kind == "or":
        a, b = compile_node(node[1]), compile_node(node[2])
        t = js.truthy

        def or_(v, k, c, r):
            x = a(v, k, c, r)
            return x if t(x) else b(v, k, c, r)
        return or_
    if kind == "cond":
        test, a, b = compile_node(node[1]), compile_node(node[2]), compile_node(node[3])
        return lambda v, k, c, r: a(v, k, c, r) if js.truthy(test(v, k, c, r)) else b(v, k, c, r)
    if kind == "bin":
        return _compile_binary(node)
    raise AssertionError(f"unknown filter node {kind}")


#: node kinds whose compiled function always returns a Python bool
def _returns_bool(node) -> bool:
    kind = node[0]
    if kind in ("typetest",):
        return True
    if kind == "unary" and node[1] == "!":
        return True
    if kind == "bin":
        return True
    if kind == "call" and node[2] in ("test", "startsWith", "endsWith", "includes", "hasOwnProperty", "isArray"):
        return True
    if kind in ("and", "or"):
        return _returns_bool(node[1]) and _returns_bool(node[2])
    return False


def compile_bool(node) -> FilterFn:
    """Compile for a truth test: the function returns a value whose Python truth is the JS truth."""
    kind = node[0]
    if kind == "and":
        a, b = compile_bool(node[1]), compile_bool(node[2])
        return lambda v, k, c, r: a(v, k, c, r) and b(v, k, c, r)
    if kind == "or":
        a, b = compile_bool(node[1]), compile_bool(node[2])
        return lambda v, k, c, r: a(v, k, c, r) or b(v, k, c, r)
    if kind == "unary" and node[1] == "!":
        a = compile_bool(node[2])
        return lambda v, k, c, r: not a(v, k, c, r)
    if kind == "cur":
        t = js.truthy
        return lambda v, k, c, r: type(v) is dict or t(v)
    fn = compile_node(node)
    if _returns_bool(node):
        return fn
    t = js.truthy
    return lambda v, k, c, r: t(fn(v, k, c, r))


def _compile_typeof(operand, e):
    # `typeof @.a.b` where @.a is missing throws in JS too; only a bare missing name would not
    return lambda v, k, c, r: js.typeof(e(v, k, c, r))


def _compile_binary(node):
    op, a, b = node[1], compile_node(node[2]), compile_node(node[3])
    # comparisons against a literal are the hot path: specialise them
    if node[3][0] == "lit" and op in ("===", "!=="):
        lit = node[3][1]
        if type(lit) is str:
            if op == "===":
                return lambda v, k, c, r: (x := a(v, k, c, r)) == lit and type(x) is str
            return lambda v, k, c, r: not ((x := a(v, k, c, r)) == lit and type(x) is str)
        if lit is UNDEFINED or lit is None:
            if op == "===":
                return lambda v, k, c, r: a(v, k, c, r) is lit
            return lambda v, k, c, r: a(v, k, c, r) is not lit
    if node[3][0] == "lit" and type(node[3][1]) is str and op in ("==", "!="):
        lit, loose = node[3][1], js.loose_equals
        if op == "==":
            return lambda v, k, c, r: x == lit if type(x := a(v, k, c, r)) is str else loose(x, lit)
        return lambda v, k, c, r: x != lit if type(x := a(v, k, c, r)) is str else not loose(x, lit)
    if op == "===":
        return lambda v, k, c, r: js.strict_equals(a(v, k, c, r), b(v, k, c, r))
    if op == "!==":
        return lambda v, k, c, r: not js.strict_equals(a(v, k, c, r), b(v, k, c, r))
    if op == "==":
        return lambda v, k, c, r: js.loose_equals(a(v, k, c, r), b(v, k, c, r))
    if op == "!=":
        return lambda v, k, c, r: not js.loose_equals(a(v, k, c, r), b(v, k, c, r))
    if op == "in":
        return lambda v, k, c, r: js.has_property(b(v, k, c, r), a(v, k, c, r))
    cmp = js.compare
    return lambda v, k, c, r: cmp(op, a(v, k, c, r), b(v, k, c, r))


# -- static analysis: necessary conditions -----------------------------------------------------


def _member_root_key(node) -> str | None:
    """For `@.K`, `@.K.x`, `@['K'][0]`...: K, when reading it proves `@` is a dict that has K."""
    while node[0] == "member":
        inner = node[1]
        if inner[0] == "cur":
            key = node[2]
            if key[0] == "lit" and type(key[1]) is str and key[1] not in _BUILTIN_MEMBERS and js.canonical_index(key[1]) is None:
                return key[1]
            return None
        node = inner
    if node[0] == "call":
        return _member_root_key(node[1]) if node[1][0] == "member" else None
    return None


def _deep_member(node) -> bool:
    """`@.K.x` or `@.K.m()`: evaluating it throws (no match) unless @.K is not null/undefined."""
    return (node[0] == "member" and node[1][0] in ("member", "call")) or node[0] == "call"


_MAX_CLAUSES = 16


def requirements(node) -> tuple[bool, frozenset]:
    """Necessary conditions for the filter to be truthy: (`@` must be a dict, clauses), where each
    clause is a set of keys of which `@` must have at least one."""
    kind = node[0]
    if kind == "and":
        d1, c1 = requirements(node[1])
        d2, c2 = requirements(node[2])
        return d1 or d2, c1 | c2
    if kind == "or":
        d1, c1 = requirements(node[1])
        d2, c2 = requirements(node[2])
        clauses = frozenset(a | b for a in c1 for b in c2)
        return d1 and d2, clauses if len(clauses) <= _MAX_CLAUSES else frozenset()
    if kind in ("member", "call"):
        key = _member_root_key(node)
        return (True, frozenset({frozenset({key})})) if key is not None else (False, frozenset())
    if kind == "bin":
        op, left, right = node[1], node[2], node[3]
        relational = op in ("<", "<=", ">", ">=")
        keys = set()
        for side, other in ((left, right), (right, left)):
            key = _member_root_key(side)
            if key is None:
                continue
            # evaluating @.K.x proves K exists whatever the comparison says
            if _deep_member(side) or ((relational or other[0] == "lit") and _proves_defined(op, other[1] if other[0] == "lit" else None)):
                keys.add(key)
        return bool(keys), frozenset(frozenset({k}) for k in keys)
    return False, frozenset()


def equality_guard(node) -> tuple[str, str] | None:
    """(K, text) when the filter can only be truthy if `@.K` is that text or not a string at all
    (`@.type == 'string'` inside a conjunction: loose equality lets ['string'] or 5 == '5' through)."""
    kind = node[0]
    if kind == "and":
        return equality_guard(node[1]) or equality_guard(node[2])
    if kind == "bin" and node[1] in ("==", "==="):
        for side, other in ((node[2], node[3]), (node[3], node[2])):
            if (side[0] == "member" and side[1] == ("cur",) and side[2][0] == "lit" and type(side[2][1]) is str
                    and side[2][1] not in _BUILTIN_MEMBERS and other[0] == "lit" and type(other[1]) is str):
                return side[2][1], other[1]
    return None


def _proves_defined(op: str, literal) -> bool:
    """`X op literal` being true proves X is not undefined (so `@.K` is an own key)."""
    if op in ("<", "<=", ">", ">="):
        return True  # undefined coerces to NaN and every comparison with NaN is false
    if op == "===":
        return literal is not UNDEFINED
    if op == "==":
        return literal is not UNDEFINED and literal is not None
    if op == "!==":
        return literal is UNDEFINED
    if op == "!=":
        return literal is UNDEFINED or literal is None
    return False


def property_keys(node) -> frozenset | None:
    """If the filter can only be truthy when `@property` is one of some strings: that set."""
    kind = node[0]
    if kind == "and":
        a, b = property_keys(node[1]), property_keys(node[2])
        if a is None:
            return b
        if b is None:
            return a
        return a & b
    if kind == "or":
        a, b = property_keys(node[1]), property_keys(node[2])
        return None if a is None or b is None else a | b
    if kind == "bin" and node[1] in ("===", "=="):  # applied to object children only: keys are strings
        for side, other in ((node[2], node[3]), (node[3], node[2])):
            if side == ("at", "property") and other[0] == "lit" and type(other[1]) is str:
                return frozenset({other[1]})
    return None


@dataclass(frozen=True, slots=True)
class CompiledFilter:
    source: str
    fn: FilterFn
    #: the filter needs `@` to be a dict, having this key / at least one of these keys
    needs_dict: bool
    needs_key: str | None
    needs_any: frozenset | None
    #: (K, text): `@.K` must be `text` or a non-string
    needs_eq: tuple | None
    #: if set, only children of an object whose key is in this set can match
    only_keys: frozenset | None
    #: with only_keys: whether an array index could still match (`@property == '0'`)
    may_match_index: bool
    #: reads where the node is (`@path`, `@parentProperty`), not only what it holds: the walk
    #: cannot replay a shared subtree's matches found with this filter (walk.py)
    positional: bool = True

    def test(self, value, key, parent_chain, root) -> bool:
        try:
            return self.fn(value, key, parent_chain, root)
        except JSThrow:
            return False
        except RecursionError:
            return False


def compile_filter(ast, source: str) -> CompiledFilter:
    needs_dict, clauses = requirements(ast)
    singles = sorted(next(iter(c)) for c in clauses if len(c) == 1)
    wider = sorted((c for c in clauses if len(c) > 1), key=lambda c: (len(c), sorted(c)))
    only = property_keys(ast)
    return CompiledFilter(
        source=source,
        fn=compile_bool(ast),
        needs_dict=needs_dict,
        needs_key=singles[0] if singles else None,
        needs_any=wider[0] if wider and not singles else None,
        needs_eq=equality_guard(ast),
        only_keys=only,
        may_match_index=only is not None and any(js.string_to_number(k) == js.string_to_number(k) for k in only),
        positional=reads_position(ast),
    )


#: `@`-names whose value depends on the node's place in the document rather than on the values
#: at and below its container (`@parent` is the container itself, `@property` its own key)
_POSITIONAL_NAMES = frozenset({"path", "parentProperty"})


def reads_position(node) -> bool:
    """Whether a filter AST reads `@path` or `@parentProperty` anywhere."""
    if type(node) is list:
        return any(reads_position(item) for item in node)
    if type(node) is not tuple or not node or node[0] == "lit":
        return False
    if node[0] == "at":
        return node[1] in _POSITIONAL_NAMES
    return any(reads_position(part) for part in node[1:])
