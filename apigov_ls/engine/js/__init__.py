"""JavaScript in rulesets: Spectral custom functions (`.js`, CommonJS or ESM), JavaScript rulesets
(`.spectral.js`/`.mjs`/`.cjs`, npm packages whose entry is JavaScript) and npm-package `extends`.

Everything JavaScript runs in one long-lived Node.js worker (runtime.py, worker.mjs); why Node and
not an embedded engine is written down in docs/javascript.md. Loading goes through
apigov_ls.engine.custom (the trust gate); this package is what it calls.

Public API:
- load_js_function(path, name) -> FunctionSpec      (a `.js` function file)
- load_js_ruleset(path) -> dict                     (a JavaScript ruleset, serialised; functions stay in Node)
- resolve_package(spec, from_dir) -> path           (Node's resolution of `@scope/pkg[/file]`)
- JSRuntimeMissing, JSError, stop_worker()
"""

from __future__ import annotations

from apigov_ls.engine.js.functions import JSFunctionError, JsFunction, function_spec, load_js_function, missing_runtime_spec
from apigov_ls.engine.js.packages import PackageNotFound, looks_like_package, resolve_package
from apigov_ls.engine.js.runtime import JSError, JSRuntimeMissing, get_worker, stop_worker

JS_EXTENSIONS = (".js", ".mjs", ".cjs")


def load_js_ruleset(path: str) -> dict:
    """Evaluate the JavaScript ruleset at `path` in Node; rule functions are named `js:<id>:<name>`."""
    from apigov_ls.engine.js.packages import with_fallback

    worker = get_worker()
    return with_fallback(lambda: worker.request("loadRuleset", path=path))["ruleset"]


__all__ = [
    "JS_EXTENSIONS",
    "JSError",
    "JSFunctionError",
    "JSRuntimeMissing",
    "JsFunction",
    "PackageNotFound",
    "function_spec",
    "get_worker",
    "load_js_function",
    "load_js_ruleset",
    "looks_like_package",
    "missing_runtime_spec",
    "resolve_package",
    "stop_worker",
]
