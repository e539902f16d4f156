"""Spectral's `json` output: a tab-indented JSON list, one object per result.

Same keys as Spectral (code, path, message, severity 0-3, range, source, documentationUrl when set);
`source` stays the absolute file path, as in Spectral, so scripts that read it keep working.
"""

from __future__ import annotations

import json

from apigov_ls.engine.types import LintResult

from .common import sort_results


def render_json(results: list[LintResult], *, cwd: str) -> str:
    items = []
    for result in sort_results(results, cwd):
        item = result.to_spectral_json()
        if result.documentation_url:
            item["documentationUrl"] = result.documentation_url
        items.append(item)
    # ensure_ascii=False: JSON.stringify keeps non-ASCII characters as they are
    return json.dumps(items, indent="\t", ensure_ascii=False) + "\n"
