"""A JavaScript ruleset as a RulesetSource: the definition Node serialised, checked like a file.

Rulesets that a JavaScript ruleset extends as objects (`extends: [oas]`) arrive inline; they are
kept aside (`inline`) and named `js-inline:<n>` in `extends`, so the schema check sees strings.
There are no useful line numbers: errors name the file only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from apigov_ls.document.parse import parse_text
from apigov_ls.engine.ruleset.source import RulesetSource
from apigov_ls.engine.types import JsonPath

INLINE_PREFIX = "js-inline:"


@dataclass(slots=True)
class JsRulesetSource(RulesetSource):
    #: folder relative paths in the ruleset are taken from (the JavaScript file's folder)
    base_dir: str = ""
    #: rulesets extended as objects, referenced from `extends` as `js-inline:<index>`
    inline: list[dict] = field(default_factory=list)
    #: for an inline ruleset that is Spectral's own (`spectral:oas`), that name
    builtin: str | None = None

    def line(self, pointer: JsonPath) -> int | None:  # type: ignore[override]
        return None

    def key_line(self, pointer: JsonPath) -> int | None:  # type: ignore[override]
        return None


def js_source(data: dict, name: str, path: str | None, base_dir: str) -> JsRulesetSource:
    inline: list[dict] = []
    data = dict(data)
    builtin = data.pop("x-apigov-builtin", None)
    if "extends" in data:
        data["extends"] = [_lift(item, inline) for item in data["extends"]]
    for ov in data.get("overrides") or []:
        if isinstance(ov, dict) and "extends" in ov:
            ov["extends"] = [_lift(item, inline) for item in ov["extends"]]
    parsed = parse_text(json.dumps(data, indent=1), syntax="json")
    return JsRulesetSource(name, path, parsed, base_dir=base_dir, inline=inline, builtin=builtin)


def _lift(item: Any, inline: list[dict]) -> Any:
    if isinstance(item, list) and item and isinstance(item[0], dict):
        return [_lift(item[0], inline), *item[1:]]
    if isinstance(item, dict):
        inline.append(item)
        return f"{INLINE_PREFIX}{len(inline) - 1}"
    return item
