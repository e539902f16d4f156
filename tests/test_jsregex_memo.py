"""JsRegex remembers answers per text (resolved documents repeat descriptions); the memo must not change them."""

from apigov_ls.engine import jsregex
from apigov_ls.engine.jsregex import compile_js


def test_remembered_answers_equal_fresh_ones(monkeypatch):
    monkeypatch.setattr(jsregex, "_SEEN_LIMIT", 3)
    regex = compile_js("<script", "i")
    texts = ["a <SCRIPT> b", "plain", "x<script", "plain", "", "a <SCRIPT> b", "no"] * 3
    assert [regex.test(t) for t in texts] == [regex._test(t) for t in texts] == [True, False, True, False, False, True, False] * 3
    assert len(regex._seen) <= 3


def test_sticky_regex_memo_keeps_anchoring():
    regex = compile_js("ab", "y")
    assert [regex.test(t) for t in ("abc", "cab", "abc", "cab")] == [True, False, True, False]
