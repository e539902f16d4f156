"""The `format` checks Spectral gets from ajv-formats ("full" mode), ported to Python.

Spectral validates with AJV + ajv-formats; jsonschema's own FormatChecker accepts and rejects
different strings (its email check is just "contains @"), so results would differ. Unknown
formats are ignored, as AJV does with `strict: false`.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from apigov_ls.engine.schema_regex import JsRegexError, compile_js

_I = re.IGNORECASE


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)




class _LazyRe:
    """A regex compiled on first use: some of these are large, and most runs never check formats."""

    __slots__ = ("_args", "_re")

    def __init__(self, *args):
        self._args = args
        self._re = None

    def __getattr__(self, name):
        if self._re is None:
            self._re = re.compile(*self._args)
        return getattr(self._re, name)

_DATE = _LazyRe(r"(\d\d\d\d)-(\d\d)-(\d\d)", re.ASCII)
_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _date(s: str) -> bool:
    m = _DATE.fullmatch(s)
    if not m:
        return False
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 and _is_leap(year) else _DAYS[month])


_TIME = _LazyRe(r"(\d\d):(\d\d):(\d\d)(\.\d+)?(z|[+-]\d\d(?::?\d\d)?)?", re.ASCII | _I)


def _time(s: str, with_zone: bool = False) -> bool:
    m = _TIME.fullmatch(s)
    if not m:
        return False
    h, mi, sec = int(m[1]), int(m[2]), int(m[3])
    ok = (h <= 23 and mi <= 59 and sec <= 59) or (h == 23 and mi == 59 and sec == 60)
    # ajv tests `timeZone !== ""`: a missing zone is undefined, which passes
    return ok and (not with_zone or m[5] != "")


_DT_SEP = _LazyRe(r"t|\s", _I)


def _date_time(s: str) -> bool:
    parts = _DT_SEP.split(s)
    return len(parts) == 2 and _date(parts[0]) and _time(parts[1], True)


_IPV4_PART = r"(?:25[0-5]|2[0-4]\d|[01]?\d\d?)"
_H16 = r"[0-9a-f]{1,4}"
_IPV6_IN_URI = (
    rf"(?:(?:(?:{_H16}:){{6}}|::(?:{_H16}:){{5}}|(?:{_H16})?::(?:{_H16}:){{4}}|(?:(?:{_H16}:){{0,1}}{_H16})?::(?:{_H16}:){{3}}"
    rf"|(?:(?:{_H16}:){{0,2}}{_H16})?::(?:{_H16}:){{2}}|(?:(?:{_H16}:){{0,3}}{_H16})?::{_H16}:|(?:(?:{_H16}:){{0,4}}{_H16})?::)"
    rf"(?:{_H16}:{_H16}|(?:{_IPV4_PART}\.){{3}}{_IPV4_PART})|(?:(?:{_H16}:){{0,5}}{_H16})?::{_H16}|(?:(?:{_H16}:){{0,6}}{_H16})?::)"
)


def _uri_regex(quote: str, scheme_required: bool) -> "_LazyRe":
    """ajv-formats' `uri` and `uri-reference` regexes (they differ in the scheme and in `"`)."""
    unres = r"a-z0-9\-._~!$&'()*+,;="
    seg = rf"(?:[{unres}{quote}:@]|%[0-9a-f]{{2}})"
    host = (
        rf"(?:\[(?:{_IPV6_IN_URI}|[Vv][0-9a-f]+\.[{unres}:]+)\]|(?:{_IPV4_PART}\.){{3}}{_IPV4_PART}"
        rf"|(?:[{unres}{quote}]|%[0-9a-f]{{2}})*)"
    )
    hier = (
        rf"(?:\/?\/(?:(?:[{unres}:]|%[0-9a-f]{{2}})*@)?{host}(?::\d*)?(?:\/{seg}*)*"
        rf"|\/(?:{seg}+(?:\/{seg}*)*)?|{seg}+(?:\/{seg}*)*)"
    )
    scheme = r"(?:[a-z][a-z0-9+\-.]*:)" + ("" if scheme_required else "?")
    tail = rf"(?:\?(?:[{unres}{quote}:@/?]|%[0-9a-f]{{2}})*)?(?:#(?:[{unres}{quote}:@/?]|%[0-9a-f]{{2}})*)?"
    return _LazyRe(scheme + hier + ("" if scheme_required else "?") + tail, _I | re.ASCII)


_URI = _uri_regex("", True)
_URI_REF = _uri_regex('"', False)
_NOT_URI_FRAGMENT = _LazyRe(r"/|:")


def _uri(s: str) -> bool:
    return bool(_NOT_URI_FRAGMENT.search(s)) and bool(_URI.fullmatch(s))


_EMAIL = _LazyRe(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?",
    _I | re.ASCII,
)
_HOSTNAME = _LazyRe(
    r"(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?", _I | re.ASCII
)
_IPV4 = _LazyRe(rf"(?:{_IPV4_PART}\.){{3}}{_IPV4_PART}", re.ASCII)
_V4 = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
_IPV6 = _LazyRe(
    rf"((([0-9a-f]{{1,4}}:){{7}}([0-9a-f]{{1,4}}|:))|(([0-9a-f]{{1,4}}:){{6}}(:[0-9a-f]{{1,4}}|({_V4})|:))"
    rf"|(([0-9a-f]{{1,4}}:){{5}}(((:[0-9a-f]{{1,4}}){{1,2}})|:({_V4})|:))"
    rf"|(([0-9a-f]{{1,4}}:){{4}}(((:[0-9a-f]{{1,4}}){{1,3}})|((:[0-9a-f]{{1,4}})?:({_V4}))|:))"
    rf"|(([0-9a-f]{{1,4}}:){{3}}(((:[0-9a-f]{{1,4}}){{1,4}})|((:[0-9a-f]{{1,4}}){{0,2}}:({_V4}))|:))"
    rf"|(([0-9a-f]{{1,4}}:){{2}}(((:[0-9a-f]{{1,4}}){{1,5}})|((:[0-9a-f]{{1,4}}){{0,3}}:({_V4}))|:))"
    rf"|(([0-9a-f]{{1,4}}:){{1}}(((:[0-9a-f]{{1,4}}){{1,6}})|((:[0-9a-f]{{1,4}}){{0,4}}:({_V4}))|:))"
    rf"|(:(((:[0-9a-f]{{1,4}}){{1,7}})|((:[0-9a-f]{{1,4}}){{0,5}}:({_V4}))|:)))",
    _I | re.ASCII,
)
_DURATION = _LazyRe(r"P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)", re.ASCII)
_URI_TEMPLATE = _LazyRe(
    r"(?:(?:[^\x00-\x20\"'<>%\\^`{|}]|%[0-9a-f]{2})|\{[+#./;?&=,!@|]?(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3}|\*)?"
    r"(?:,(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3}|\*)?)*\})*",
    _I,
)
_URL = _LazyRe(
    r"(?:https?|ftp):\/\/(?:\S+(?::\S*)?@)?(?:(?!(?:10|127)(?:\.\d{1,3}){3})(?!(?:169\.254|192\.168)(?:\.\d{1,3}){2})"
    r"(?!172\.(?:1[6-9]|2\d|3[0-1])(?:\.\d{1,3}){2})(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}"
    r"(?:\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))|(?:(?:[a-z0-9\u00a1-\uffff]+-)*[a-z0-9\u00a1-\uffff]+)"
    r"(?:\.(?:[a-z0-9\u00a1-\uffff]+-)*[a-z0-9\u00a1-\uffff]+)*(?:\.(?:[a-z\u00a1-\uffff]{2,})))(?::\d{2,5})?(?:\/[^\s]*)?",
    _I,
)
_UUID = _LazyRe(r"(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}", _I)
_JSON_POINTER = _LazyRe(r"(?:\/(?:[^~/]|~0|~1)*)*")
_JSON_POINTER_FRAG = _LazyRe(r"#(?:\/(?:[a-z0-9_\-.!$&'()*+,;:=@]|%[0-9a-f]{2}|~0|~1)*)*", _I)
_REL_JSON_POINTER = _LazyRe(r"(?:0|[1-9][0-9]*)(?:#|(?:\/(?:[^~/]|~0|~1)*)*)")
# ajv's byte regex has the `m` flag: any line that is base64 passes
_BYTE = _LazyRe(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$", re.MULTILINE)
_Z_ANCHOR = _LazyRe(r"[^\\]\\Z")


def _regex(s: str) -> bool:
    if _Z_ANCHOR.search(s):
        return False
    try:
        compile_js(s)
    except JsRegexError:
        return False
    return True


def _full(pattern: re.Pattern) -> Callable[[str], bool]:
    return lambda s: pattern.fullmatch(s) is not None


def _js_integer(v: Any) -> bool:
    return isinstance(v, int) or (isinstance(v, float) and math.isfinite(v) and v.is_integer())


#: format name -> check for strings
STRING_FORMATS: dict[str, Callable[[str], bool]] = {
    "date": _date,
    "time": _time,
    "date-time": _date_time,
    "duration": _full(_DURATION),
    "uri": _uri,
    "uri-reference": _full(_URI_REF),
    "uri-template": _full(_URI_TEMPLATE),
    "url": _full(_URL),
    "email": _full(_EMAIL),
    "hostname": _full(_HOSTNAME),
    "ipv4": _full(_IPV4),
    "ipv6": _full(_IPV6),
    "regex": _regex,
    "uuid": _full(_UUID),
    "json-pointer": _full(_JSON_POINTER),
    "json-pointer-uri-fragment": _full(_JSON_POINTER_FRAG),
    "relative-json-pointer": _full(_REL_JSON_POINTER),
    "byte": lambda s: _BYTE.search(s) is not None,
    "password": lambda s: True,
    "binary": lambda s: True,
}

#: format name -> check for numbers (ajv-formats' OpenAPI number formats)
NUMBER_FORMATS: dict[str, Callable[[Any], bool]] = {
    "int32": lambda v: _js_integer(v) and -(2**31) <= v <= 2**31 - 1,
    "int64": _js_integer,
    "float": lambda v: True,
    "double": lambda v: True,
}
