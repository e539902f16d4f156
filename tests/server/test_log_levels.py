"""--log-level: apigov's loggers follow it, pygls's message bodies stay out unless DEBUG."""

from __future__ import annotations

import logging

import pytest

from apigov_ls.server.cli import configure_logging


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("apigov_ls").level, logging.getLogger("pygls").level)
    root.handlers.clear()
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    logging.getLogger("apigov_ls").setLevel(saved[2])
    logging.getLogger("pygls").setLevel(saved[3])


def _logged(level: str) -> set[str]:
    handler = _Collect()
    configure_logging(level, handler)
    logging.getLogger("apigov_ls.server.checker").info("apigov info")
    logging.getLogger("pygls.protocol.json_rpc").info("pygls info")
    logging.getLogger("pygls.protocol.json_rpc").debug("pygls debug")
    logging.getLogger("pygls.server").warning("pygls warning")
    logging.getLogger().handlers.remove(handler)
    return {r.getMessage() for r in handler.records}


def test_info_logs_apigov_but_not_pygls_message_bodies(restore_logging):
    assert _logged("INFO") == {"apigov info", "pygls warning"}


def test_debug_logs_pygls_too(restore_logging):
    assert _logged("DEBUG") == {"apigov info", "pygls info", "pygls debug", "pygls warning"}


def test_error_silences_warnings(restore_logging):
    assert _logged("ERROR") == set()
