"""JavaScript regular expressions, run with Python's `re`.

Spectral rulesets carry ECMAScript regexes (`pattern`'s `match`/`notMatch`, and the regexes the
`casing` function builds). This module translates the JS syntax to an equivalent Python pattern
once, at load time, and is the ONE place where such regexes are compiled and run.

Rulesets are untrusted input, and Python's `re` cannot be interrupted: `^(a+)+$` against a long
"aaaa...b" runs for ever. Patterns therefore run on the `regex` module (same syntax as `re` in its
default V0 mode) with a time budget per test: a test that exceeds REGEX_TIME_BUDGET raises
JsRegexTimeout, which the rule runner reports as a `rule-error` naming the rule.

Translated: `(?<name>..)`, `\\k<name>`, `\\d \\w \\s \\b` with JS (ASCII digit/word, Unicode space)
semantics, `$`/`^` as end/start of input (of line with `m`, any JS line terminator), `.` (no line
terminators unless `s`), `[^]` and `[]`, `\\/` and the other identity escapes, `\\cX`, `\\xHH`,
`\\uHHHH` (surrogate pairs joined), `\\u{...}` with `u`, `\\0`, legacy octal escapes, literal `{`/`}`/`]`
where JS (Annex B) reads them as literals. Flags: d g i m s u y (`g`, `y`, `d` change nothing for
a single `test` from index 0, which is how Spectral uses a regex).

Refused with JsRegexError (a clear message, at load time): `\\p{..}`, the `v` flag, inline modifiers
`(?i:..)`, lookbehinds Python cannot run (variable width), duplicate or non-identifier group names,
and anything that is a syntax error in JavaScript.

Known differences: backreferences to a group that did not take part match the empty string in JS
but fail in Python; JS without `u` sees astral characters as two UTF-16 units, Python as one.
"""

from __future__ import annotations

import re

import regex as _regex_mod

__all__ = ["JsRegex", "JsRegexError", "JsRegexTimeout", "REGEX_TIME_BUDGET", "compile_js", "parse_regex_literal"]

#: seconds one `test` may run before it is abandoned (real patterns take microseconds); the
#: regex module checks its clock coarsely, so a test can overshoot this (about 2 s measured)
REGEX_TIME_BUDGET = 0.5


class JsRegexError(ValueError):
    """A regex that JavaScript rejects, or that cannot be run faithfully with Python's `re`."""


class JsRegexTimeout(RuntimeError):
    """A regex test ran over its time budget (catastrophic backtracking)."""


_LINE_TERMINATORS = "\\n\\r\\u2028\\u2029"
# ECMAScript WhiteSpace + LineTerminator (what `\s` matches in JS)
_JS_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_WORD = "A-Za-z0-9_"
_CLASS_ESCAPES = {"d": "0-9", "w": _WORD, "s": _JS_SPACE}
_CONTROL_ESCAPES = {"t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}
_VALID_FLAGS = set("dgimsuyv")
_SYNTAX_CHARS = set("^$\\.*+?()[]{}|/")


class JsRegex:
    """A compiled JavaScript regex. `test(s)` is JS `RegExp.prototype.test` from index 0."""

    __slots__ = ("source", "flags", "python_pattern", "_compiled", "_timed_out_at", "_seen")

    def __init__(self, source: str, flags: str, python_pattern: str, compiled):
        self.source = source
        self.flags = flags
        self.python_pattern = python_pattern
        self._compiled = compiled
        #: length of the shortest value this regex ran out of time on: longer ones fail at once,
        #: so a rule matching many long values costs one budget, not one per value
        self._timed_out_at: int | None = None
        #: answers for texts already tested: a resolved document repeats the same descriptions
        #: thousands of times (kubernetes: 365k `$..description` values, far fewer distinct)
        self._seen: dict[str, bool] = {}

    def test(self, text: str) -> bool:
        seen = self._seen.get(text)
        if seen is not None:
            return seen
        answer = self._test(text)
        if len(self._seen) >= _SEEN_LIMIT:
            self._seen.clear()
        self._seen[text] = answer
        return answer

    def _test(self, text: str) -> bool:
        # `y` (sticky) anchors at lastIndex, which Spectral resets to 0 before each test
        if self._timed_out_at is not None and len(text) >= self._timed_out_at:
            raise JsRegexTimeout(f"/{self.source}/{self.flags} already ran over its time budget on a value this long")
        try:
            if "y" in self.flags:
                return self._compiled.match(text, timeout=REGEX_TIME_BUDGET) is not None
            return self._compiled.search(text, timeout=REGEX_TIME_BUDGET) is not None
        except TimeoutError:
            self._timed_out_at = len(text)
            raise JsRegexTimeout(
                f"/{self.source}/{self.flags} ran over its {REGEX_TIME_BUDGET:g} s time budget on a {len(text)}-character value"
            ) from None

    def __repr__(self) -> str:
        return f"/{self.source}/{self.flags}"


#: remembered answers per regex (cleared when full; a few MB at most)
_SEEN_LIMIT = 8192
_cache: dict[tuple[str, str], JsRegex] = {}


def compile_js(source: str, flags: str = "") -> JsRegex:
    """Compile JS regex `source` with `flags` (like `new RegExp(source, flags)`); raises JsRegexError."""
    key = (source, flags)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    if any(f not in _VALID_FLAGS for f in flags) or len(set(flags)) != len(flags):
        raise JsRegexError(f"Invalid flags supplied to RegExp constructor '{flags}'")
    if "v" in flags:
        raise JsRegexError(f"/{source}/{flags}: the 'v' (unicodeSets) flag is not supported")
    python_pattern = _Translator(source, flags).translate()
    py_flags = _regex_mod.IGNORECASE if "i" in flags else 0
    try:
        re.compile(python_pattern, py_flags)  # the translation targets `re` syntax: keep its errors
        compiled = _regex_mod.compile(python_pattern, py_flags | _regex_mod.VERSION0)
    except (re.error, _regex_mod.error) as exc:
        raise JsRegexError(f"Unsupported regular expression: /{source}/{flags}: Python's re cannot run it ({exc})") from None
    regex = JsRegex(source, flags, python_pattern, compiled)
    _cache[key] = regex
    return regex


# Spectral's REGEXP_PATTERN /^\/(.+)\/([a-z]*)$/: `.` stops at line terminators, greedy
_LITERAL_FORM = re.compile(r"/([^\n\r\u2028\u2029]+)/([a-z]*)")


def parse_regex_literal(pattern: str) -> tuple[str, str]:
    """Split a Spectral pattern string: `/src/flags` gives (src, flags); anything else is the source."""
    m = _LITERAL_FORM.fullmatch(pattern)
    if m is not None:
        return m.group(1), m.group(2)
    return pattern, ""


class _Translator:
    def __init__(self, source: str, flags: str):
        self.src = source
        self.flags = flags
        self.unicode = "u" in flags
        self.multiline = "m" in flags
        self.dotall = "s" in flags
        self.i = 0
        self.group_names: set[str] = set()
        self.opened = 0                      # capturing groups opened so far
        self.closed: set[int] = set()        # capturing groups already closed
        self.group_count = self._count_groups()
        self.has_named = bool(re.search(r"\(\?<(?![=!])", source))

    # -- helpers -----------------------------------------------------------------------------
    def error(self, what: str) -> JsRegexError:
        return JsRegexError(f"Invalid regular expression: /{self.src}/{self.flags}: {what}")

    def unsupported(self, what: str) -> JsRegexError:
        return JsRegexError(f"Unsupported regular expression: /{self.src}/{self.flags}: {what} is not supported")

    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.src[j] if j < len(self.src) else ""

    def _count_groups(self) -> int:
        """Number of capturing groups (needed to tell `\\1` backreference from octal escape)."""
        count, i, in_class, s = 0, 0, False, self.src
        while i < len(s):
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if in_class:
                in_class = c != "]"
            elif c == "[":
                in_class = True
            elif c == "(" and (not s.startswith("?", i + 1) or (s.startswith("?<", i + 1) and s[i + 3 : i + 4] not in ("=", "!"))):
                count += 1
            i += 1
        return count

    # -- top level ---------------------------------------------------------------------------
    def translate(self) -> str:
        out = self.disjunction()
        if self.i < len(self.src):
            # only an unmatched ')' stops a top-level disjunction
            raise self.error("Unmatched ')'")
        return out

    def disjunction(self) -> str:
        parts = [self.alternative()]
        while self.peek() == "|":
            self.i += 1
            parts.append(self.alternative())
        return "|".join(parts)

    def alternative(self) -> str:
        out: list[str] = []
        while self.i < len(self.src) and self.peek() not in ("|", ")"):
            atom, quantifiable = self.term()
            if self.peek() in ("*", "+", "?") or (self.peek() == "{" and self.quantifier_braces() is not None):
                if not quantifiable:
                    raise self.error("Nothing to repeat")
                atom += self.quantifier()
            out.append(atom)
        return "".join(out)

    def quantifier_braces(self) -> tuple[str, int] | None:
        m = re.compile(r"\{(\d+)(,(\d*))?\}").match(self.src, self.i)
        if m is None:
            return None
        lo = int(m.group(1))
        if m.group(3):
            if int(m.group(3)) < lo:
                raise self.error("numbers out of order in {} quantifier")
        return m.group(0), m.end()

    def quantifier(self) -> str:
        c = self.peek()
        if c == "{":
            text, end = self.quantifier_braces()
            self.i = end
            q = text
        else:
            self.i += 1
            q = c
        if self.peek() == "?":
            self.i += 1
            q += "?"
        # JS has no possessive quantifiers: `a*+` is "nothing to repeat"
        if self.peek() in ("*", "+", "?") or (self.peek() == "{" and self.quantifier_braces() is not None):
            raise self.error("Nothing to repeat")
        return q

    # -- terms -------------------------------------------------------------------------------
    def term(self) -> tuple[str, bool]:
        """One atom or assertion; returns (python text, may be quantified)."""
        c = self.peek()
        if c == "^":
            self.i += 1
            return (f"(?:(?<=[{_LINE_TERMINATORS}])|\\A)" if self.multiline else "\\A"), False
        if c == "$":
            self.i += 1
            return (f"(?=[{_LINE_TERMINATORS}]|\\Z)" if self.multiline else "\\Z"), False
        if c == ".":
            self.i += 1
            return ("[\\s\\S]" if self.dotall else f"[^{_LINE_TERMINATORS}]"), True
        if c == "(":
            return self.group()
        if c == "[":
            return self.char_class(), True
        if c == "\\":
            return self.atom_escape()
        if c in ("*", "+", "?"):
            raise self.error("Nothing to repeat")
        if c == "{":
            if self.unicode or self.quantifier_braces() is not None:
                raise self.error("Nothing to repeat" if not self.unicode else "Lone quantifier brackets")
            self.i += 1
            return "\\{", True
        if c in ("}", "]"):
            if self.unicode:
                raise self.error("Lone quantifier brackets")
            self.i += 1
            return re.escape(c), True
        return self.literal_char(), True

    def literal_char(self) -> str:
        cp = self.read_code_point()
        return _escape_cp(cp)

    def read_code_point(self) -> int:
        c = self.src[self.i]
        self.i += 1
        return ord(c)

    def group(self) -> tuple[str, bool]:
        self.i += 1  # (
        head = ""
        quantifiable = True
        number = None
        if self.peek() == "?":
            two = self.src[self.i : self.i + 3]
            if two.startswith("?:"):
                self.i += 2
                head = "(?:"
            elif two.startswith("?="):
                self.i += 2
                head, quantifiable = "(?=", not self.unicode
            elif two.startswith("?!"):
                self.i += 2
                head, quantifiable = "(?!", not self.unicode
            elif two in ("?<=", "?<!"):
                self.i += 3
                head, quantifiable = "(" + two, False
            elif two.startswith("?<"):
                end = self.src.find(">", self.i + 2)
                if end < 0:
                    raise self.error("Invalid capture group name")
                name = self.src[self.i + 2 : end]
                if not name.isidentifier():
                    raise self.unsupported(f"capture group name {name!r}")
                if name in self.group_names:
                    raise self.unsupported(f"duplicate capture group name {name!r}")
                self.group_names.add(name)
                self.i = end + 1
                head = f"(?P<{name}>"
                self.opened += 1
                number = self.opened
            elif re.match(r"\?[-imsx]+:", self.src[self.i :]):
                raise self.unsupported("inline modifier group (?flags:...)")
            else:
                raise self.error("Invalid group")
        else:
            head = "("
            self.opened += 1
            number = self.opened
        body = self.disjunction()
        if self.peek() != ")":
            raise self.error("Unterminated group")
        self.i += 1
        if number is not None:
            self.closed.add(number)
        return head + body + ")", quantifiable

    # -- escapes outside classes -------------------------------------------------------------
    def atom_escape(self) -> tuple[str, bool]:
        self.i += 1  # backslash
        if self.i >= len(self.src):
            raise self.error("\\ at end of pattern")
        c = self.src[self.i]
        if c in "dws":
            self.i += 1
            return f"[{_CLASS_ESCAPES[c]}]", True
        if c in "DWS":
            self.i += 1
            return f"[^{_CLASS_ESCAPES[c.lower()]}]", True
        if c == "b":
            self.i += 1
            return f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))", False
        if c == "B":
            self.i += 1
            return f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))", False
        if c == "k" and (self.unicode or self.has_named):
            m = re.compile(r"k<([^>]*)>").match(self.src, self.i)
            if m is None or m.group(1) not in self._all_group_names():
                raise self.error("Invalid named reference")
            self.i = m.end()
            if m.group(1) not in self.group_names:
                return "(?:)", True          # forward reference: matches "" in JS
            return f"(?P={m.group(1)})", True
        if c in "123456789":
            m = re.compile(r"\d+").match(self.src, self.i)
            n = int(m.group(0))
            if n <= self.group_count:
                self.i = m.end()
                # JS: a reference to a group not yet closed (forward, or its own) matches ""
                return (f"(?:\\{n})" if n in self.closed else "(?:)"), True
            if self.unicode:
                raise self.error("Invalid escape")
            if c in "89":
                self.i += 1
                return re.escape(c), True
            return _escape_cp(self.legacy_octal()), True
        cp = self.character_escape(in_class=False)
        return _escape_cp(cp), True

    def _all_group_names(self) -> set[str]:
        return set(re.findall(r"\(\?<([^=!>][^>]*)>", self.src))

    def legacy_octal(self) -> int:
        """Annex B octal escape (`\\1`..`\\377` when not a backreference); self.i is at the first digit."""
        m = re.compile(r"[0-3][0-7]{0,2}|[4-7][0-7]?").match(self.src, self.i)
        self.i = m.end()
        return int(m.group(0), 8)

    def character_escape(self, in_class: bool) -> int:
        """Escapes that stand for one character; self.i is just after the backslash."""
        c = self.src[self.i]
        if c in _CONTROL_ESCAPES:
            self.i += 1
            return ord(_CONTROL_ESCAPES[c])
        if c == "c":
            nxt = self.peek(1)
            if nxt.isascii() and nxt.isalpha():
                self.i += 2
                return ord(nxt) % 32
            if in_class and not self.unicode and (nxt.isdigit() or nxt == "_"):
                self.i += 2
                return ord(nxt) % 32
            if self.unicode:
                raise self.error("Invalid unicode escape")
            return ord("\\")  # Annex B: `\c` is a literal backslash, the `c` follows as itself
        if c == "0" and not self.peek(1).isdigit():
            self.i += 1
            return 0
        if c == "0" or (in_class and c in "1234567"):
            if self.unicode:
                raise self.error("Invalid class escape" if in_class else "Invalid decimal escape")
            return self.legacy_octal()
        if c == "x":
            m = re.compile(r"x([0-9A-Fa-f]{2})").match(self.src, self.i)
            if m:
                self.i = m.end()
                return int(m.group(1), 16)
            if self.unicode:
                raise self.error("Invalid escape")
            self.i += 1
            return ord("x")
        if c == "u":
            return self.unicode_escape()
        if c in ("p", "P") and self.unicode:
            raise self.unsupported("Unicode property escape \\p{...}")
        # identity escapes: any syntax char (and `/`, `-` in classes); without `u` any other char too
        self.i += 1
        if self.unicode and c not in _SYNTAX_CHARS and not (in_class and c == "-"):
            raise self.error("Invalid escape")
        return ord(c)

    def unicode_escape(self) -> int:
        if self.unicode:
            m = re.compile(r"u\{([0-9A-Fa-f]+)\}").match(self.src, self.i)
            if m:
                value = int(m.group(1), 16)
                if value > 0x10FFFF:
                    raise self.error("Invalid Unicode escape")
                self.i = m.end()
                return value
        m = re.compile(r"u([0-9A-Fa-f]{4})").match(self.src, self.i)
        if m is None:
            if self.unicode:
                raise self.error("Invalid Unicode escape")
            self.i += 1
            return ord("u")
        self.i = m.end()
        value = int(m.group(1), 16)
        # join a surrogate pair (Python strings hold code points, not UTF-16 units)
        if 0xD800 <= value <= 0xDBFF:
            m2 = re.compile(r"\\u([dD][c-fC-F][0-9A-Fa-f]{2})").match(self.src, self.i)
            if m2:
                self.i = m2.end()
                low = int(m2.group(1), 16)
                return 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        return value

    # -- character classes -------------------------------------------------------------------
    def char_class(self) -> str:
        self.i += 1  # [
        negated = False
        if self.peek() == "^":
            negated = True
            self.i += 1
        items: list[str] = []
        while True:
            if self.i >= len(self.src):
                raise self.error("Unterminated character class")
            if self.peek() == "]":
                self.i += 1
                break
            start = self.class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                end = self.class_atom()
                if isinstance(start, str) or isinstance(end, str):
                    if self.unicode:
                        raise self.error("Invalid character class")
                    # Annex B: a range with a class escape is the items and a literal '-'
                    items += [_class_text(start), "\\-", _class_text(end)]
                    continue
                if start > end:
                    raise self.error("Range out of order in character class")
                items.append(f"{_escape_class_cp(start)}-{_escape_class_cp(end)}")
            else:
                items.append(_class_text(start))
        body = "".join(items)
        if not body:
            return "[\\s\\S]" if negated else "(?!)"
        return f"[{'^' if negated else ''}{body}]"

    def class_atom(self) -> int | str:
        """A code point, or a str holding Python class text for `\\d`-like escapes."""
        c = self.peek()
        if c != "\\":
            return self.read_code_point()
        self.i += 1
        if self.i >= len(self.src):
            raise self.error("\\ at end of pattern")
        c = self.src[self.i]
        if c in "dws":
            self.i += 1
            return _CLASS_ESCAPES[c]
        if c in "DWS":
            # inside a class Python's \D \W \S stand in (they are Unicode-aware: tiny difference)
            self.i += 1
            return "\\" + c
        if c == "b":
            self.i += 1
            return 8
        if c == "B" and not self.unicode:
            self.i += 1
            return ord("B")
        if c == "k" and not self.unicode and not self.has_named:
            self.i += 1
            return ord("k")
        return self.character_escape(in_class=True)


def _escape_cp(cp: int) -> str:
    ch = chr(cp)
    if ch.isalnum() and ch.isascii() or ch == "_":
        return ch
    if cp < 0x20 or 0xD800 <= cp <= 0xDFFF or cp in (0x2028, 0x2029, 0x7F):
        return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"
    return re.escape(ch)


def _escape_class_cp(cp: int) -> str:
    ch = chr(cp)
    if ch.isascii() and (ch.isalnum() or ch == "_" or ch == " "):
        return ch
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _class_text(atom: int | str) -> str:
    return atom if isinstance(atom, str) else _escape_class_cp(atom)
