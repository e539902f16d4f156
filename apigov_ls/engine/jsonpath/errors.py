"""The error raised for JSONPath expressions we cannot compile."""


class JSONPathError(ValueError):
    """A `given` expression that is malformed or uses syntax this engine does not support.

    The message always quotes the expression and says what is wrong and where.
    """

    def __init__(self, expr: str, reason: str, pos: int | None = None):
        self.expr = expr
        self.reason = reason
        self.pos = pos
        where = f" at character {pos + 1}" if pos is not None else ""
        super().__init__(f"JSONPath {expr!r}: {reason}{where}")
