"""JavaScript rule functions as Python callables with Spectral's `(input, options, context)` contract.

The runner asks each function for every target of a rule at once (`prefetch`): one message to
the worker per rule and `then` entry, however many nodes the rule matches. The per-target call
the runner makes afterwards reads the answer from a per-thread cache; a call without a prefetch
(a single target) still works, with one round trip.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from apigov_ls.engine.functions import FunctionOptionsError, FunctionSpec
from apigov_ls.engine.js import runtime
from apigov_ls.engine.types import UNDEFINED


class JSFunctionError(RuntimeError):
    """The JavaScript function threw for this target (the runner reports it as a rule-error)."""


class JsFunction:
    """A function living in the Node worker: `fn_id` there, reloadable from `path` after a restart."""

    def __init__(self, name: str, fn_id: int, path: str | None, validates: bool):
        self.name = name
        self.path = path
        self.validates = validates
        self._fn_id = fn_id
        self._generation = runtime.generation
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"<JavaScript function {self.name} from {self.path}>"

    def fn_id(self) -> int:
        worker = runtime.get_worker()
        if self._generation != runtime.generation:
            if self.path is None:
                raise JSFunctionError(
                    f'the Node.js worker restarted and "{self.name}" (defined inside a JavaScript ruleset) is gone: reload the ruleset'
                )
            self._fn_id = worker.request("loadFunction", path=self.path, name=self.name)["fn"]
            self._generation = runtime.generation
        return self._fn_id

    # -- batching ---------------------------------------------------------------------------------
    def prefetch(self, document, rule, options: Any, targets: list[tuple], resolved: bool) -> None:
        """Run the function on every `(target_path, target_value, given_path)` in one request."""
        if not targets:
            return
        answers = self._call(document, rule, options, targets, resolved)
        cache = self._cache_for(document, rule, options, create=True)
        for (path, _value, _given), answer in zip(targets, answers):
            cache[tuple(path)] = answer

    def __call__(self, input: Any, options: Any, context) -> list[dict] | None:
        document = context.document_inventory
        cache = self._cache_for(document, context.rule, options)
        path = tuple(context.path)
        if cache is not None and path in cache:
            answer = cache.pop(path)
        else:
            resolved = bool(getattr(context.rule, "resolved", True))
            answer = self._call(document, context.rule, options, [(path, input, context.given_path)], resolved)[0]
        if answer is None:
            return None
        if isinstance(answer, dict):
            raise JSFunctionError(answer.get("error") or "the function threw")
        return [{"message": r.get("message", ""), **({"path": tuple(r["path"])} if "path" in r else {})} for r in answer]

    def _cache_for(self, document, rule, options, create: bool = False) -> dict | None:
        """Answers of the last prefetch for (rule, options) on `document`, kept per thread."""
        local = self._local
        current = getattr(local, "document", None)
        if current is None or current() is not document:
            if not create:
                return None
            local.document, local.caches = weakref.ref(document), {}
        key = (id(rule), id(options))
        if create:
            local.caches[key] = {}
        return local.caches.get(key)

    def _call(self, document, rule, options, targets, resolved: bool) -> list:
        worker = runtime.get_worker()
        fn_id = self.fn_id()
        doc_id = worker.document_id(document)
        payload = []
        for path, value, given in targets:
            if isinstance(value, (dict, list)):
                literal = None  # looked up by path in the worker's copy of the document
            elif value is UNDEFINED:
                literal = []
            else:
                literal = [value]
            payload.append([list(path), literal, list(given)])
        return worker.request(
            "call", fn=fn_id, doc=doc_id, resolved=resolved, options=options, rule=_rule_json(rule), targets=payload
        )


def _rule_json(rule) -> dict:
    """What Spectral's `context.rule` offers that functions read (name, definition.severity...)."""
    if rule is None:
        return {}
    severity = rule.severity.label if rule.severity is not None else "off"
    definition = {
        "description": rule.description, "message": rule.message, "severity": severity,
        "given": list(rule.given), "recommended": rule.recommended, "resolved": rule.resolved,
    }
    return {
        "name": rule.name, "description": rule.description, "message": rule.message,
        "severity": int(rule.severity) if rule.severity is not None else -1,
        "given": list(rule.given), "recommended": rule.recommended, "enabled": rule.enabled,
        "documentationUrl": rule.documentation_url, "formats": sorted(rule.formats) if rule.formats else None,
        "definition": definition,
    }


def function_spec(name: str, fn: JsFunction) -> FunctionSpec:
    """A FunctionSpec for the loader: options are checked by the function's own validator
    (functions made with Spectral's createRulesetFunction have one), at load time."""

    def prepare(options: Any) -> Any:
        if fn.validates:
            problem = runtime.get_worker().request("validateOptions", fn=fn.fn_id(), options=options)
            if problem:
                raise FunctionOptionsError(problem)
        return options

    return FunctionSpec(name, fn, {}, prepare)


def load_js_function(path: str, name: str) -> FunctionSpec:
    """Load `module.exports = fn` / `export default fn` from `path` in the worker."""
    worker = runtime.get_worker()
    from apigov_ls.engine.js.packages import with_fallback

    info = with_fallback(lambda: worker.request("loadFunction", path=path, name=name))
    return function_spec(name, JsFunction(name, info["fn"], path, info["validates"]))


def missing_runtime_spec(name: str, reason: str) -> FunctionSpec:
    """Node.js is absent: the rule stays on and reports, once, what to install."""

    def fail(_input, _options, _context):
        raise runtime.JSRuntimeMissing(f'JavaScript function "{name}" cannot run: {reason}')

    return FunctionSpec(name, fail, {})
