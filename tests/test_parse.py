import math

import pytest

from apigov_ls.document.parse import MAX_DEPTH, parse_text, resolve_plain_scalar


def key_text(parsed, path):
    s, e = parsed.source_map.key_span(path)
    return parsed.text[s:e]


def value_text(parsed, path):
    s, e = parsed.source_map.value_span(path)
    return parsed.text[s:e]


def test_uses_the_c_parser():
    from ruamel.yaml import YAML

    assert YAML(typ="safe").Parser.__name__ == "CParser", "ruamel.yaml.clib is not installed: parsing would be 5-10x slower"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("on", "on"), ("yes", "yes"), ("no", "no"), ("off", "off"), ("y", "y"),
        ("0777", 777), ("0o17", 15), ("0x1F", 31), ("-12", -12), ("+3", 3),
        ("1.5", 1.5), ("1e3", 1000.0), (".5", 0.5), ("true", True), ("False", False),
        ("null", None), ("~", None), ("", None), ("1_000", "1_000"), ("12:30", "12:30"),
        ("2001-12-14", "2001-12-14"), ("0b101", "0b101"),
    ],
)
def test_yaml_1_2_core_schema(text, expected):
    assert resolve_plain_scalar(text) == expected
    parsed = parse_text(f"k: {text}\n")
    assert parsed.data["k"] == expected
    assert type(parsed.data["k"]) is type(expected)


def test_special_floats_and_quoted_scalars():
    parsed = parse_text("a: .inf\nb: -.Inf\nc: .nan\nd: '1'\ne: \"true\"\nf: !!str 12\n")
    assert parsed.data["a"] == math.inf and parsed.data["b"] == -math.inf and math.isnan(parsed.data["c"])
    assert parsed.data["d"] == "1" and parsed.data["e"] == "true" and parsed.data["f"] == "12"


def test_keys_are_strings_like_javascript():
    parsed = parse_text("responses:\n  200:\n    description: ok\n  default: {}\n  true: x\n")
    assert list(parsed.data["responses"]) == ["200", "default", "true"]
    assert key_text(parsed, ("responses", "200")) == "200"


def test_positions_block_yaml_non_ascii():
    text = "info:\n  title: Café 😀 API\n  version: '1'\npaths: {}\n"
    parsed = parse_text(text)
    assert key_text(parsed, ("info", "version")) == "version"
    assert value_text(parsed, ("info", "version")) == "'1'"
    rng = parsed.source_map.value_range(("info", "version"))
    assert (rng.start.line, rng.start.character) == (2, 11)
    title = parsed.source_map.value_range(("info", "title"))
    assert (title.start.character, title.end.character) == (9, 19)  # code points: 😀 counts 1


def test_positions_flow_yaml_and_sequences():
    parsed = parse_text("tags: [{name: a}, {name: b, description: 'x y'}]\nlist:\n  - one\n  - two\n")
    assert key_text(parsed, ("tags", 1, "description")) == "description"
    assert value_text(parsed, ("tags", 1, "description")) == "'x y'"
    assert value_text(parsed, ("list", 1)) == "two"


def test_multiline_scalars():
    parsed = parse_text("a: |\n  line1\n  line2\nb: >-\n  folded\n  text\nc: plain\n  continued\nd: 1\n")
    assert parsed.data["a"] == "line1\nline2\n"
    assert parsed.data["b"] == "folded text"
    assert parsed.data["c"] == "plain continued"
    assert parsed.source_map.key_range(("d",)).start.line == 8


def test_json_positions_and_tabs():
    text = '{\n\t"openapi": "3.1.0",\n\t"info": {"title": "T\\u00e9", "version": "1"}\n}'
    parsed = parse_text(text, syntax="json")
    assert not parsed.problems
    assert parsed.data["info"]["title"] == "Té"
    assert key_text(parsed, ("info", "version")) == '"version"'
    assert parsed.source_map.key_range(("info",)).start.line == 2


def test_crlf_and_bom():
    parsed = parse_text("\ufeffa: 1\r\nb:\r\n  c: x\r\n")
    assert parsed.data == {"a": 1, "b": {"c": "x"}}
    rng = parsed.source_map.value_range(("b", "c"))
    assert (rng.start.line, rng.start.character, rng.end.character) == (2, 5, 6)


def test_duplicate_keys_are_reported_not_silent():
    parsed = parse_text("a: 1\nb: 2\na: 3\n")
    dups = [p for p in parsed.problems if p.code == "parser-duplicate-keys"]
    assert len(dups) == 1
    assert dups[0].range.start.line == 2 and '"a"' in dups[0].message
    parsed = parse_text('{"a": 1, "a": 2}', syntax="json")
    assert [p.code for p in parsed.problems] == ["parser-duplicate-keys"]


def test_anchors_aliases_and_merge_keys():
    parsed = parse_text("base: &b {x: 1, y: 2}\nuse: *b\nmerged:\n  <<: *b\n  y: 3\n")
    assert parsed.data["use"] == {"x": 1, "y": 2}
    assert parsed.data["merged"] == {"x": 1, "y": 3}


def test_billion_laughs_is_refused_quickly():
    import time

    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    t0 = time.perf_counter()
    parsed = parse_text("\n".join(lines) + "\n")
    elapsed = time.perf_counter() - t0
    assert parsed.data is None
    assert [p.code for p in parsed.problems] == ["parser-alias-bomb"]
    assert elapsed < 1.0


def test_deep_nesting_gives_a_diagnostic_not_a_recursion_error():
    deep = "[" * 10000 + "]" * 10000
    for syntax in ("json", "yaml"):
        parsed = parse_text(deep, syntax=syntax)
        assert parsed.data is None
        assert parsed.problems and parsed.problems[0].code in ("parser-too-deep", "parser-syntax")
    nested = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    assert parse_text(nested).problems[0].code == "parser-too-deep"


@pytest.mark.parametrize(
    "text,line",
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 2),
        ("a:\n  - x\n y: 1\n", 2),
        ("a: 'unclosed\nb: 1\n", 2),
        ("a: 1\n\tb: 2\n", 1),
    ],
)
def test_yaml_syntax_error_is_one_diagnostic_at_its_position(text, line):
    parsed = parse_text(text)
    assert parsed.data is None
    assert len(parsed.problems) == 1
    assert parsed.problems[0].code == "parser-syntax"
    assert parsed.problems[0].range.start.line == line


def test_json_syntax_error_position():
    parsed = parse_text('{\n  "a": 1,\n  "b": }\n', syntax="json")
    assert parsed.problems[0].code == "parser-syntax"
    assert parsed.problems[0].range.start.line == 2


def test_nul_and_size_limit():
    assert parse_text("a: \x00\n").problems[0].code == "parser-syntax"
    big = parse_text("a: " + "x" * 2000 + "\n", max_size=1000)
    assert big.problems[0].code == "parser-too-large" and big.data is None


def test_empty_document():
    parsed = parse_text("")
    assert parsed.data is None and not parsed.problems


def test_json_that_libyaml_refuses_still_parses_with_positions():
    text = '{\n  "body": "Hello! \\ud83d\\udc4d",\n  "k": {"x": 1, "x": 2},\n  "' + "l" * 1100 + '": [true, null, -1.5e3]\n}'
    parsed = parse_text(text, syntax="json")
    assert parsed.data["body"] == "Hello! 👍"
    assert parsed.data["l" * 1100] == [True, None, -1500.0]
    assert [p.code for p in parsed.problems] == ["parser-duplicate-keys"]
    assert parsed.problems[0].range.start.line == 2
    s, e = parsed.source_map.key_span(("k",))
    assert text[s:e] == '"k"'
    s, e = parsed.source_map.value_span(("l" * 1100, 2))
    assert text[s:e] == "-1.5e3"


@pytest.mark.parametrize("text", ['{"openapi": "3.0.0", "x": ' + "9" * 5000 + "}", "openapi: 3.0.0\nx: " + "9" * 5000 + "\n"])
def test_integers_past_pythons_digit_limit_read_as_javascript_numbers(text):
    """int() refuses decimal strings over 4300 digits (a ValueError: it was a traceback of `apigov lint`);
    JavaScript reads such a number as Infinity, and so does the parser now."""
    parsed = parse_text(text)
    assert parsed.ok and not parsed.problems
    assert parsed.data["x"] == math.inf
    assert parse_text('{"x": ' + "1" * 4300 + "}").data["x"] == int("1" * 4300)  # below the limit: exact
