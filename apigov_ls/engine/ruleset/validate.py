"""Check a ruleset document against apigov_ls/schemas/ruleset.schema.json.

Each problem becomes one RulesetError at the line of the offending key or value. The schema
carries `errorMessage` texts (VS Code shows them too); this module turns jsonschema's errors
into those sentences and adds "did you mean" hints for misspelled properties.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib.resources import files

import jsonschema

from apigov_ls.engine.ruleset.source import RulesetSource
from apigov_ls.engine.types import RulesetError


class RulesetValidationError(RulesetError):
    """The first schema problem; `.problems` holds all of them (one RulesetError each)."""

    def __init__(self, problems: list[RulesetError]):
        first = problems[0]
        super().__init__(first.reason, first.file, first.line, first.pointer)
        self.problems = problems


@lru_cache(maxsize=1)
def ruleset_schema() -> dict:
    return json.loads(files("apigov_ls.schemas").joinpath("ruleset.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft7Validator:
    # local $refs inlined once: resolving them on every node made validation 5x slower
    return jsonschema.Draft7Validator(_inline_refs(ruleset_schema(), ruleset_schema()))


def _inline_refs(node, root):
    if isinstance(node, list):
        return [_inline_refs(v, root) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target = root
        for seg in ref[2:].split("/"):
            target = target[seg]
        return _inline_refs(target, root)  # the schema has no recursive definitions
    return {k: (v if k == "definitions" else _inline_refs(v, root)) for k, v in node.items()}


def validate_ruleset(src: RulesetSource, max_problems: int = 20) -> None:
    """Raise RulesetValidationError listing the schema problems of `src` (none: return)."""
    problems: list[RulesetError] = []
    seen: set[tuple] = set()
    for err in sorted(_validator().iter_errors(src.data), key=_order):
        for leaf in _leaves(err):
            problem = _to_problem(src, leaf)
            key = (problem.line, problem.reason)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
        if len(problems) >= max_problems:
            break
    if problems:
        raise RulesetValidationError(problems)


def _order(err: jsonschema.ValidationError) -> tuple:
    return tuple(str(p) for p in err.absolute_path)


def _leaves(err: jsonschema.ValidationError):
    """oneOf/anyOf errors: keep the most relevant branch's error, unless the branches are the point."""
    if err.validator == "anyOf" and all(e.validator == "required" for e in err.context):
        yield err
        return
    if err.context:
        yield from _leaves(jsonschema.exceptions.best_match(err.context))
        return
    yield err


_CONTEXT_NAMES = {"rules": "rule", "aliases": "alias", "overrides": "override"}


def _where(path: tuple) -> str:
    """Name the enclosing rule/alias/override for the message: ` in rule "x"`."""
    for i, seg in enumerate(path[:-1]):
        if seg in _CONTEXT_NAMES and i + 1 < len(path):
            inner = path[i + 1]
            label = _CONTEXT_NAMES[seg]
            if seg == "overrides":
                return f" in override #{int(inner) + 1}" + _where(path[i + 2:])
            return f' in {label} "{inner}"'
    return ""


def _to_problem(src: RulesetSource, err: jsonschema.ValidationError) -> RulesetError:
    path = tuple(err.absolute_path)
    schema = err.schema if isinstance(err.schema, dict) else {}
    if err.validator == "additionalProperties":
        allowed = sorted(set(schema.get("properties", {})))
        extras = [k for k in err.instance if k not in schema.get("properties", {})
                  and not any(_matches(p, k) for p in schema.get("patternProperties", {}))]
        key = extras[0] if extras else "?"
        hint = difflib.get_close_matches(key, allowed, n=1)
        msg = f'unknown property "{key}"{_where(path + (key,))}'
        msg += f'; did you mean "{hint[0]}"?' if hint else f"; expected one of: {', '.join(allowed)}"
        return src.error(msg, path + (key,), at_key=True)
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        what = _where(path + ("x",)) or (" in the ruleset" if not path else f" in {'/'.join(map(str, path))}")
        return src.error(f'missing required property "{missing}"{what.replace(" in ", " for ", 1)}', path, at_key=True)
    if err.validator == "anyOf" and "anyOfErrorMessage" in schema:
        return src.error(schema["anyOfErrorMessage"] + _where(path + ("x",)), path, at_key=True)
    if "propertyNames" in err.schema_path and isinstance(err.instance, str):
        return src.error(f"{schema.get('errorMessage', err.message)}: \"{err.instance}\"", path + (err.instance,), at_key=True)
    message = schema.get("errorMessage") if isinstance(schema.get("errorMessage"), str) else None
    if message is None:
        message = err.message
    name = next((p for p in reversed(path) if isinstance(p, str)), None)
    if name is not None and message.startswith("must"):
        message = f"`{name}` {message}"
    elif isinstance(path[-1] if path else None, str) and not message.startswith(("`", "a ", "an ")):
        message = f"`{name}`: {message}"
    if err.validator == "enum" and not isinstance(err.instance, (dict, list)):
        message += f" (got {json.dumps(err.instance)})"
        close = difflib.get_close_matches(str(err.instance), [str(v) for v in err.validator_value], n=1)
        if close:
            message += f'; did you mean "{close[0]}"?'
    elif err.validator in ("type", "pattern") and not isinstance(err.instance, (dict, list)):
        message += f" (got {json.dumps(err.instance)})"
    return src.error(message + _where(path), path)


def _matches(pattern: str, key: str) -> bool:
    import re

    return re.search(pattern, key) is not None
