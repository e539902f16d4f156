"""Writing files without ever leaving a partial one behind."""

from __future__ import annotations

import os
import tempfile


def write_atomic(path: str, text: str, *, expect_mtime_ns: int | None = None) -> None:
    """Write `text` to `path` through a temporary file in the same folder and an atomic rename.

    A reader (or a crash) sees either the old file or the new one, never half of it. With
    `expect_mtime_ns`, refuse to overwrite a file that changed on disk since it was read.
    """
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if expect_mtime_ns is not None:
        try:
            if os.stat(path).st_mtime_ns != expect_mtime_ns:
                raise FileExistsError(f"{path} changed on disk since it was read; not overwritten")
        except FileNotFoundError:
            pass
    mode = None
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
