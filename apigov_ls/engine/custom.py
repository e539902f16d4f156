"""Loading custom rule functions: the one place where workspace code is executed.

Every custom function goes through `load_custom_function`, so gating on workspace trust,
caching and error reporting live here and nowhere else. Convention (docs/custom-functions.md):
`<functionsDir>/<name>.py` defines a callable named `<name>` with `-` and other characters
that cannot appear in a Python name replaced by `_`, taking `(input, options, context)`;
an optional module-level `OPTIONS_SCHEMA` (JSON Schema) validates `functionOptions` at load.
JavaScript (`<name>.js`/`.mjs`/`.cjs`, and JavaScript rulesets) runs in the Node.js worker of
apigov_ls.engine.js, behind the same trust gate (docs/javascript.md).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import traceback

from apigov_ls.engine.functions import FunctionSpec
from apigov_ls.engine.types import RulesetError


class UntrustedFunctionError(RulesetError):
    """A custom function was not loaded because the workspace is not trusted."""


def python_name(function_name: str) -> str:
    """The Python attribute a function file must define: `is-object-schema` -> `is_object_schema`."""
    name = re.sub(r"\W", "_", function_name)
    return "_" + name if name[:1].isdigit() else name


#: (real path, mtime_ns, size) -> FunctionSpec; a changed file is loaded again
_CACHE: dict[tuple[str, int, int], FunctionSpec] = {}


_JS_EXTENSIONS = (".js", ".mjs", ".cjs")


def _untrusted(what: str, path: str) -> UntrustedFunctionError:
    return UntrustedFunctionError(f"{what} was not loaded: the workspace is not trusted", file=path)


def load_js_ruleset(path: str, trusted: bool) -> dict:
    """Evaluate a JavaScript ruleset (its module code runs) and return its serialised definition.

    Raises UntrustedFunctionError when `trusted` is False, RulesetError naming the file when
    Node.js is missing or the module fails."""
    if not trusted:
        raise _untrusted(f"JavaScript ruleset {os.path.basename(path)}", path)
    from apigov_ls.engine import js

    try:
        return js.load_js_ruleset(path)
    except js.JSRuntimeMissing as err:
        raise RulesetError(f"this ruleset is JavaScript and cannot be loaded: {err}", file=path) from None
    except js.JSError as err:
        raise RulesetError(f"evaluating the JavaScript ruleset failed: {err}", file=path) from None


def load_custom_function(path: str, name: str, trusted: bool) -> FunctionSpec:
    """Load the function `name` from the file `path` (Python, or JavaScript by extension).

    Without Node.js a JavaScript function still loads, as a function that fails with what to
    install (the runner reports it once per rule, and the other rules run).

    Raises UntrustedFunctionError when `trusted` is False (nothing is executed), and
    RulesetError naming the file (and line, when known) when the file is missing, does not
    import, or does not define the function.
    """
    if not trusted:
        raise _untrusted(f'custom function "{name}"', path)
    if path.lower().endswith(_JS_EXTENSIONS):
        return _load_js_function(path, name)
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError:
        raise RulesetError(f'custom function "{name}": file not found', file=path) from None
    key = (real, st.st_mtime_ns, st.st_size)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached

    module_name = "apigov_custom_functions._" + hashlib.sha1(real.encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(module_name, real)
    if spec is None or spec.loader is None:
        raise RulesetError(f'custom function "{name}": cannot load this file as Python', file=path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        sys.modules.pop(module_name, None)
        raise RulesetError(f'custom function "{name}": syntax error: {err.msg}', file=path, line=err.lineno) from None
    except Exception as err:  # the module's own code failed: report where, in that file
        sys.modules.pop(module_name, None)
        line = None
        for frame in traceback.extract_tb(err.__traceback__):
            if os.path.realpath(frame.filename) == real:
                line = frame.lineno
        raise RulesetError(
            f'custom function "{name}": importing the file failed: {type(err).__name__}: {err}', file=path, line=line
        ) from None

    attr = python_name(name)
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise RulesetError(
            f'custom function "{name}": the file does not define a function named "{attr}"', file=path
        )
    schema = getattr(module, "OPTIONS_SCHEMA", None)
    if schema is not None and not isinstance(schema, dict):
        raise RulesetError(f'custom function "{name}": OPTIONS_SCHEMA must be a dict (a JSON Schema)', file=path)
    # without a schema a custom function accepts any options, as in Spectral
    result = FunctionSpec(name, fn, schema if schema is not None else {})
    _CACHE[key] = result
    return result


def _load_js_function(path: str, name: str) -> FunctionSpec:
    from apigov_ls.engine import js

    if not os.path.isfile(path):
        raise RulesetError(f'custom function "{name}": file not found', file=path)
    try:
        return js.load_js_function(os.path.realpath(path), name)
    except js.JSRuntimeMissing as err:
        return js.missing_runtime_spec(name, str(err))
    except js.JSError as err:
        raise RulesetError(f'custom function "{name}": loading the JavaScript file failed: {err}', file=path) from None
