"""JSONPath for Spectral `given` expressions (the JSONPath-Plus dialect, as nimma runs it).

    compile_path(expr) -> CompiledPath        cached; raises JSONPathError on unsupported syntax
    CompiledPath.find(root) -> [(path, value)]  document order, one result per path
    Matcher(paths).run(root) -> [[(path, value)], ...]   all paths in one walk of the document

Paths are tuples of str keys and int indices. For `...~` the value is the key and the path is the
node's own path; for `...^` the result is the parent node.
"""

from __future__ import annotations

from functools import lru_cache

from apigov_ls.engine.jsonpath.errors import JSONPathError
from apigov_ls.engine.jsonpath.stepwise import evaluate as _evaluate_steps
from apigov_ls.engine.jsonpath.syntax import parse_path
from apigov_ls.engine.jsonpath.walk import Matcher

__all__ = ["JSONPathError", "CompiledPath", "compile_path", "Matcher"]


class CompiledPath:
    """A parsed `given` path. `steps` is the parsed form (see syntax.py)."""

    __slots__ = ("expr", "steps", "_matcher")

    def __init__(self, expr: str, steps: list):
        self.expr = expr
        self.steps = steps
        self._matcher = None

    def find(self, root) -> list[tuple[tuple, object]]:
        if self._matcher is None:
            self._matcher = Matcher([self])
        return self._matcher.run(root)[0]

    def find_stepwise(self, root) -> list[tuple[tuple, object]]:
        """The same results by plain step-by-step evaluation (slower; the tests' reference)."""
        return _evaluate_steps(self.steps, [(None, None, root)], root)

    def __repr__(self) -> str:
        return f"CompiledPath({self.expr!r})"


@lru_cache(maxsize=4096)
def compile_path(expr: str) -> CompiledPath:
    return CompiledPath(expr, parse_path(expr))
