"""apigov-secret-in-description: credentials pasted into an API description.

Values a description publishes to every reader (`example`, `examples`, `default`, `enum`,
`x-` extensions, server URLs) are checked for the shapes of real credentials. The value itself
never appears in a message: `mask_secret` keeps a short prefix naming the kind and, for long
values, the last four characters (`ghp_****...****1234`).

The detector (`find_secret`) is separate from the document walk so the CLI and tests can use it.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterator

from apigov_ls.engine.functions import function
from apigov_ls.engine.subtree_memo import SubtreeMemo, memo_for

#: (kind label, pattern); group "prefix" is the part kept in the masked value
_TOKEN_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("AWS access key ID", re.compile(r"(?<![A-Z0-9])(?P<prefix>AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("GitHub token", re.compile(r"(?<![A-Za-z0-9_])(?P<prefix>gh[pousr]_)[A-Za-z0-9]{36,}(?![A-Za-z0-9_])")),
    ("GitHub token", re.compile(r"(?<![A-Za-z0-9_])(?P<prefix>github_pat_)[A-Za-z0-9_]{50,}")),
    ("GitLab token", re.compile(r"(?<![A-Za-z0-9_])(?P<prefix>glpat-)[A-Za-z0-9_-]{20,}")),
    ("Slack token", re.compile(r"(?<![A-Za-z0-9])(?P<prefix>xox[baprs]-)[A-Za-z0-9-]{10,}")),
    ("Stripe live key", re.compile(r"(?<![A-Za-z0-9])(?P<prefix>[sr]k_live_)[A-Za-z0-9]{16,}")),
    ("Google API key", re.compile(r"(?<![A-Za-z0-9_-])(?P<prefix>AIza)[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
]
_JWT = re.compile(r"(?<![A-Za-z0-9_-])(?P<prefix>eyJ)[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}")
_PEM = re.compile(r"-----BEGIN (?P<prefix>(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----(?P<body>[\sA-Za-z0-9+/=:,-]*)")
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/\s:@?#]*):(?P<password>[^/\s@?#]+)@")

#: names whose values are credentials by meaning (compared without `-`, `_` and case)
_SECRET_NAME = re.compile(r"(password|passwd|passphrase|secret|token|apikey|accesskey|privatekey|credential)s?$")
#: credential-like names whose values are not credentials: pagination cursors, hashes of a secret
_NOT_SECRET_NAME = re.compile(r"(page|next|continuation|cursor|sync|pagination|delta|resume|idempotency)tokens?$|^(hashed|hash|masked|last4|fingerprint)")

#: words that mark a value as a stand-in
_PLACEHOLDER_WORDS = re.compile(
    r"example|sample|dummy|placeholder|changeme|change_me|redacted|your[-_ ]|my[-_]?(api)?[-_]?(key|token|secret|password)|"
    r"xxx|\*\*\*|\.\.\.|password|secret|^(password|secret|token|apikey|api_key|pass|pwd|string|null|none|test|demo|fake|invalid)$",
    re.IGNORECASE,
)

#: the payload of the sample token printed on jwt.io ({"sub":"1234567890","name":"John Doe",...}):
#: public, and API docs paste it (sometimes mangled) as their example token
_JWT_IO_PAYLOAD = "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIi"

DEFAULT_ENTROPY_THRESHOLD = 3.5
DEFAULT_MIN_LENGTH = 16


@dataclass(frozen=True)
class SecretHit:
    kind: str
    masked: str


def shannon_entropy(text: str) -> float:
    """Bits per character of `text` (0 for empty)."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def mask_secret(secret: str, prefix: str = "") -> str:
    """`prefix****...****last4`; the last four only when the secret is long enough to hide the rest."""
    tail = secret[-4:] if len(secret) - len(prefix) >= 12 else ""
    return f"{prefix}****...****{tail}"


def is_placeholder(value: str, prefix: str = "") -> bool:
    """Obvious stand-ins: <token>, {token}, ${TOKEN}, xxx, your-api-key, example, changeme, one repeated char."""
    v = value.strip()
    if not v:
        return True
    if re.match(r"(sk|rk|pk)_test_|pk_live_", v):
        return True  # Stripe test-mode keys and publishable keys are meant to be shown
    if re.search(r"<[^>]*>|\{[^}]*\}|\$\{|%[A-Z_]+%|\$[A-Z_]{3,}", v):
        return True
    if _PLACEHOLDER_WORDS.search(v):
        return True
    body = v[len(prefix):] if prefix and v.startswith(prefix) else v
    body = re.sub(r"[-_.]", "", body)
    if len(set(body.lower())) <= 2:
        return True
    # a short unit repeated (GEZDGNBV...GEZDGNBV..., abcabcabc)
    for unit in range(1, len(body) // 2 + 1):
        if len(body) % unit == 0 and body[:unit] * (len(body) // unit) == body:
            return True
    # sequential filler such as 1234567890abcdef / abcdefghij...
    if re.fullmatch(r"(0123456789|1234567890|abcdefghij|ABCDEFGHIJ)+.*", body) and shannon_entropy(body) < 4.5:
        return True
    return False


def _b64url_json(part: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _jwt_hit(value: str) -> SecretHit | None:
    for m in _JWT.finditer(value):
        token = m.group(0)
        header_part, payload_part, _ = token.split(".", 2)
        header = _b64url_json(header_part)
        if not isinstance(header, dict) or "alg" not in header and "typ" not in header:
            continue
        if is_placeholder(token, "eyJ"):
            continue
        return SecretHit("JSON Web Token", mask_secret(token, "eyJ"))
    return None


PATTERNS = "patterns"
ENTROPY = "entropy"


def find_secret(value: str, *, name: str | None = None, entropy_threshold: float = DEFAULT_ENTROPY_THRESHOLD,
                min_length: int = DEFAULT_MIN_LENGTH, detect: tuple[str, ...] = (PATTERNS, ENTROPY)) -> SecretHit | None:
    """The first credential-looking thing in `value`, masked; `name` is the key or parameter it belongs to.

    detect: PATTERNS (known token shapes, keys, URLs with passwords) and/or ENTROPY (random-looking
    values of credential names).
    """
    if not isinstance(value, str) or len(value) < 8 or _JWT_IO_PAYLOAD in value:
        return None
    if PATTERNS in detect:
        hit = _pattern_hit(value)
        if hit is not None:
            return hit
    if ENTROPY in detect and name and is_secret_name(name):
        if PATTERNS not in detect and _pattern_hit(value) is not None:
            return None  # the pattern rule reports it
        return _entropy_hit(value, name, entropy_threshold, min_length)
    return None


def _pattern_hit(value: str) -> SecretHit | None:
    for kind, pattern in _TOKEN_PATTERNS:
        for m in pattern.finditer(value):
            if not is_placeholder(m.group(0), m.group("prefix")):
                return SecretHit(kind, mask_secret(m.group(0), m.group("prefix")))
    if "eyJ" in value:
        hit = _jwt_hit(value)
        if hit:
            return hit
    if "PRIVATE KEY" in value:
        for m in _PEM.finditer(value):
            body = re.sub(r"\s|^[A-Za-z-]+:.*$", "", m.group("body"), flags=re.MULTILINE)
            if len(body) >= 40 and not is_placeholder(body):
                return SecretHit("private key", f"-----BEGIN {m.group('prefix')}-----****...****")
    if "://" in value:
        for m in _URL_CREDENTIALS.finditer(value):
            password = m.group("password")
            if not is_placeholder(password) and not is_placeholder(m.group("user") + ":" + password):
                masked = f"{m.group('scheme')}{m.group('user')}:{mask_secret(password)}@"
                return SecretHit("password in a URL", masked)
    return None


def _entropy_hit(value: str, name: str, entropy_threshold: float, min_length: int) -> SecretHit | None:
    candidate = value.strip()
    if (
        len(candidate) >= min_length
        and not re.search(r"\s", candidate)
        and re.search(r"[0-9]", candidate)
        and re.search(r"[A-Za-z]", candidate)
        and shannon_entropy(candidate) >= entropy_threshold
        and not is_placeholder(candidate)
        and not re.match(r"^[a-z][a-z0-9+.-]*://", candidate, re.IGNORECASE)
    ):
        return SecretHit(f'high-entropy value of "{name}"', mask_secret(candidate))
    return None


def is_secret_name(name: str) -> bool:
    flat = re.sub(r"[-_.\s]", "", name).lower()
    return bool(_SECRET_NAME.search(flat)) and not _NOT_SECRET_NAME.search(flat)


# -- the document walk ----------------------------------------------------------------------------------

_VALUE_KEYS = {"example", "examples", "default", "enum", "const"}


def _owner_name(container: dict, path: tuple) -> str | None:
    """What a value-bearing object describes: a parameter/header `name`, else its key (a property name)."""
    name = container.get("name")
    if isinstance(name, str):
        return name
    if path and isinstance(path[-1], str):
        return path[-1]
    return None


def _strings(value: Any, path: tuple, name: str | None, depth: int = 0) -> Iterator[tuple[tuple, str, str | None]]:
    """Every string inside an example-like value, with the nearest key as its name."""
    if depth > 64:
        return
    if isinstance(value, str):
        yield path, value, name
    elif isinstance(value, dict):
        for k, v in value.items():
            # an OAS 3 Example Object: its `value` belongs to the owner, not to a key named "value"
            inner = name if k in ("value", "default", "example") else str(k)
            yield from _strings(v, path + (k,), inner, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, path + (i,), name, depth + 1)


def _candidates(node: Any, path: tuple, depth: int = 0) -> Iterator[tuple[tuple, str, str | None, str]]:
    """(path, string, name, where) for every published value in the document."""
    if depth > 256:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                continue
            sub = path + (key,)
            if key in _VALUE_KEYS:
                owner = _owner_name(node, path)
                for p, s, n in _strings(value, sub, owner):
                    yield p, s, n, key
            elif key.startswith("x-"):
                for p, s, n in _strings(value, sub, key[2:]):
                    yield p, s, n, key
            elif key == "servers" and isinstance(value, list):
                for i, server in enumerate(value):
                    if isinstance(server, dict) and isinstance(server.get("url"), str):
                        yield sub + (i, "url"), server["url"], None, "server URL"
                    if isinstance(server, dict):
                        yield from _candidates(server, sub + (i,), depth + 1)
            elif isinstance(value, (dict, list)):
                yield from _candidates(value, sub, depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, (dict, list)):
                yield from _candidates(value, path + (i,), depth + 1)


_OPTIONS_SCHEMA = {
    "type": ["object", "null"],
    "properties": {
        "entropyThreshold": {"type": "number", "minimum": 0, "maximum": 8},
        "minLength": {"type": "integer", "minimum": 8},
        "detect": {"type": "array", "items": {"enum": [PATTERNS, ENTROPY]}, "minItems": 1, "uniqueItems": True},
    },
    "additionalProperties": False,
}


def scan_document(data: Any, *, entropy_threshold: float = DEFAULT_ENTROPY_THRESHOLD, min_length: int = DEFAULT_MIN_LENGTH,
                  detect: tuple[str, ...] = (PATTERNS, ENTROPY), memo: SubtreeMemo | None = None) -> list[tuple[tuple, str, SecretHit]]:
    """(path, where, hit) for each credential-looking published value of `data`.

    With a `memo` (kept across the edits of one document), containers near the root whose
    object is unchanged since the last scan give their hits without being walked again."""

    def check(text: str, name: str | None) -> SecretHit | None:
        return find_secret(text, name=name, entropy_threshold=entropy_threshold, min_length=min_length, detect=detect)

    if memo is None:
        out = []
        for path, text, name, where in _candidates(data, ()):
            hit = check(text, name)
            if hit is not None:
                out.append((path, where, hit))
        return out
    memo.begin_pass()
    return _memo_hits(data, (), 0, check, memo)


#: containers this close to the root are memoized: the path items, operations and components
#: an edit leaves alone; below that a changed subtree is small enough to scan again
_MEMO_DEPTH = 3


def _memo_hits(node: Any, path: tuple, depth: int, check, memo: SubtreeMemo) -> list:
    """`_candidates` + `check` for one container, its hits taken from `memo` when it is unchanged."""
    if len(path) > _MEMO_DEPTH:
        out = []
        for p, text, name, where in _candidates(node, path, depth):
            hit = check(text, name)
            if hit is not None:
                out.append((p, where, hit))
        return out
    # a container's hits depend on its content and its own key (the owner name of its value keys)
    key = (id(node), path[-1] if path else None)
    n = len(path)
    rel = memo.get(key, node)
    if rel is not None:
        return [(path + p, where, hit) for p, where, hit in rel]
    out = _container_hits(node, path, depth, check, memo)
    memo.put(key, node, [(p[n:], where, hit) for p, where, hit in out])
    return out


def _container_hits(node: Any, path: tuple, depth: int, check, memo: SubtreeMemo) -> list:
    """`_candidates(node, path, depth)` checked, with child containers through `_memo_hits`.

    The hits of a mapping are kept per member with the mapping's path: when it is met again as a
    new object (an edit below it copies it), members that are the same objects keep their hits
    without a memo lookup each (the 600 path items of `paths` on every edit in one of them)."""
    out: list = []
    if depth > 256:
        return out
    if isinstance(node, dict):
        slot = ("members", path)
        last = memo.last(slot)
        members: dict = {}
        for key, value in node.items():
            if not isinstance(key, str):
                continue
            owner = _owner_name(node, path) if key in _VALUE_KEYS else None
            kept = last.get(key) if last is not None else None
            if kept is not None and kept[0] is value and kept[1] == owner:
                hits = kept[2]
            else:
                hits = _member_hits(key, value, path + (key,), owner, depth, check, memo)
            members[key] = (value, owner, hits)
            out.extend(hits)
        memo.put(slot, node, members)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, (dict, list)):
                out.extend(_memo_hits(value, path + (i,), depth + 1, check, memo))
    return out


def _member_hits(key: str, value: Any, sub: tuple, owner: str | None, depth: int, check, memo: SubtreeMemo) -> list:
    """The hits of one member `key: value` of a mapping at depth `depth` (`sub`: its path)."""
    if key in _VALUE_KEYS:
        return _value_hits(value, sub, owner, key, check, memo)
    if key.startswith("x-"):
        return _value_hits(value, sub, key[2:], key, check, memo)
    if key == "servers" and isinstance(value, list):
        out: list = []
        for i, server in enumerate(value):
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                hit = check(server["url"], None)
                if hit is not None:
                    out.append((sub + (i, "url"), "server URL", hit))
            if isinstance(server, dict):
                out.extend(_memo_hits(server, sub + (i,), depth + 1, check, memo))
        return out
    if isinstance(value, (dict, list)):
        return _memo_hits(value, sub, depth + 1, check, memo)
    return []


def _value_hits(value: Any, path: tuple, owner: str | None, where: str, check, memo: SubtreeMemo) -> list:
    """The hits of `_strings(value, path, owner)` (an example-like value under `where`). Near the
    root (`components.examples`, a root `x-` extension) each member's hits are memoized: the
    container holding the value is new after every edit below it, the value itself is not."""
    if not isinstance(value, dict):
        return [(p, where, hit) for p, text, name in _strings(value, path, owner) if (hit := check(text, name)) is not None]
    n = len(path) + 1
    out: list = []
    for k, v in value.items():
        inner = owner if k in ("value", "default", "example") else str(k)
        sub = path + (k,)
        if not isinstance(v, (dict, list)):
            out.extend((p, where, hit) for p, text, name in _strings(v, sub, inner, 1) if (hit := check(text, name)) is not None)
            continue
        key = ("value", id(v), inner, where)
        rel = memo.get(key, v)
        if rel is None:
            hits = [(p, where, hit) for p, text, name in _strings(v, sub, inner, 1) if (hit := check(text, name)) is not None]
            memo.put(key, v, [(p[n:], w, hit) for p, w, hit in hits])
            out.extend(hits)
        else:
            out.extend((sub + p, w, hit) for p, w, hit in rel)
    return out


@function("apigovSecrets", _OPTIONS_SCHEMA)
def secrets_in_description(target: Any, options: Any, context) -> list[dict] | None:
    """Credentials in example/default/enum/x- values and server URLs under the given node."""
    options = options or {}
    base = tuple(context.path)
    results = []
    # a whole-document scan (`given: $`) is re-run on every edit: memoize it per subtree
    # (one memo per set of options: each pass drops what it did not use)
    settings = dict(
        entropy_threshold=options.get("entropyThreshold", DEFAULT_ENTROPY_THRESHOLD),
        min_length=options.get("minLength", DEFAULT_MIN_LENGTH),
        detect=tuple(options.get("detect") or (PATTERNS, ENTROPY)),
    )
    memo = None if base else memo_for(getattr(context, "document", None), ("apigovSecrets",) + tuple(settings.values()))
    hits = scan_document(target, memo=memo, **settings)
    for path, where, hit in hits:
        label = where if where == "server URL" else f"`{where}` value"
        results.append({
            "message": f"{label} looks like a real {hit.kind} ({hit.masked}): remove it, rotate it, and use a placeholder",
            "path": base + path,
        })
    return results or None
