"""Rule functions: Spectral's core functions, the OpenAPI-specific ones, and custom ones.

Each function is small and pure: `fn(input, options, context) -> list[{"message", "path"?}] | None`.
Each declares a JSON Schema for its options, so a ruleset with bad options fails at load time
with a message that names the rule and the option (as Spectral's functions do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import jsonschema


class FunctionOptionsError(ValueError):
    """Options that do not fit a function's schema. The message says what is wrong."""


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    fn: Callable[[Any, Any, Any], "list[dict] | None"]
    #: JSON Schema (draft 7) for `functionOptions`; None: the function takes no options
    options_schema: dict | None = None
    #: called after schema validation; may normalise the options (compile regexes...) or raise
    prepare: Callable[[Any], Any] | None = None

    def check_options(self, options: Any) -> Any:
        """Validate (and prepare) options; raises FunctionOptionsError with a readable message."""
        if self.options_schema is None:
            if options not in (None, {}):
                raise FunctionOptionsError(f'"{self.name}" function does not accept any options')
        else:
            from ._option_errors import option_errors  # Spectral's wording (honours `errorMessage`)

            messages = option_errors(self.name, self.options_schema, options)
            if messages:
                raise FunctionOptionsError("; ".join(messages[:3]))
        return self.prepare(options) if self.prepare else options


def _describe(err: jsonschema.ValidationError) -> str:
    where = "".join(f"[{p!r}]" if isinstance(p, int) else f'."{p}"' for p in err.absolute_path)
    return f"{where.lstrip('.') + ' ' if where else ''}{err.message}"


_REGISTRY: dict[str, FunctionSpec] = {}


def register(spec: FunctionSpec) -> FunctionSpec:
    _REGISTRY[spec.name] = spec
    return spec


def function(name: str, options_schema: dict | None = None, prepare: Callable[[Any], Any] | None = None):
    """Decorator: register a built-in function under `name`."""

    def wrap(fn):
        register(FunctionSpec(name, fn, options_schema, prepare))
        return fn

    return wrap


def get_function(name: str) -> FunctionSpec | None:
    _load_builtins()
    return _REGISTRY.get(name)


def builtin_names() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


_loaded = False


def _load_builtins() -> None:
    """Import the modules that register built-in functions (once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil

    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
