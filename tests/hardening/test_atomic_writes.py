"""Nothing lost: a writer killed mid-write leaves the original file intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

# the child writes a large file with write_atomic; fsync (after the data, before the rename) is
# slowed down so that the parent can SIGKILL it exactly in the middle of the write
CHILD = textwrap.dedent(
    """
    import os, sys, time
    from apigov_ls import fsutil
    real_fsync = os.fsync
    def slow_fsync(fd):
        real_fsync(fd)
        print("WRITING", flush=True)
        time.sleep(60)
    os.fsync = slow_fsync
    fsutil.write_atomic(sys.argv[1], "x: " + "a" * (8 * 1024 * 1024) + "\\n")
    """
)


def test_sigkill_during_write_atomic_keeps_the_original(tmp_path):
    target = tmp_path / "api.yaml"
    original = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
    target.write_text(original)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "WRITING"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert target.read_text() == original
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "api.yaml"]
    # the half-written temporary is hidden and never under the target's name
    assert all(name.startswith(".api.yaml.") and name.endswith(".tmp") for name in leftovers), leftovers


def test_write_atomic_keeps_mode_and_replaces(tmp_path):
    from apigov_ls.fsutil import write_atomic

    target = tmp_path / "api.yaml"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    write_atomic(str(target), "new\n")
    assert target.read_text() == "new\n"
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["api.yaml"]
