"""The output formats of `apigov lint` (apigov_ls.reporters)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from apigov_ls.engine.types import LintResult, Position, Range, Related, Rule, Severity
from apigov_ls.reporters import FORMATS, no_results_message, render

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json"


def rng(line: int, char: int, end_line: int | None = None, end_char: int | None = None) -> Range:
    end = Position(line if end_line is None else end_line, char + 1 if end_char is None else end_char)
    return Range(Position(line, char), end)


def result(code, message, severity, path, source, range_, **kw) -> LintResult:
    return LintResult(code=code, message=message, severity=severity, path=path, source=source, range=range_, **kw)


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    (tmp_path / "api").mkdir()
    return tmp_path


@pytest.fixture
def files(cwd: Path) -> dict[str, str]:
    return {
        "main": str(cwd / "api" / "main.yaml"),
        "clean": str(cwd / "api" / "clean.yaml"),
        "odd": str(cwd / "api" / "my spec, é:1.yaml"),
    }


@pytest.fixture
def results(files) -> list[LintResult]:
    """Deliberately out of order: every format must sort them."""
    security_rule = Rule(
        name="owasp-auth",
        given=["$"],
        then=[],
        severity=Severity.ERROR,
        description="Operations must be protected",
        documentation_url="https://example.test/rules/owasp-auth",
        tags=("security", "owasp:api2"),
    )
    return [
        result(
            "owasp-auth",
            "Operation has no security: it is public, anyone, anywhere",
            Severity.ERROR,
            ("paths", "/pets", "get"),
            files["main"],
            rng(16, 4, 16, 7),
            rule=security_rule,
            documentation_url="https://example.test/rules/owasp-auth",
            related=[Related(files["odd"], rng(0, 0), "referenced here")],
        ),
        result(
            "info-contact",
            'Info object must have "contact" object.',
            Severity.WARN,
            ("info",),
            files["main"],
            rng(2, 9, 2, 20),
        ),
        result(
            "description-i18n",
            "Beschreibung fehlt: « 説明 » 100%\nsecond line ]]> <b>&amp;\r\nthird",
            Severity.INFO,
            ("paths", "/pets", "get", "parameters", 0, "description"),
            files["odd"],
            rng(4, 2, 5, 0),
        ),
        result("parser", "Unexpected token", Severity.HINT, (), None, rng(0, 0)),
    ]


def test_formats_are_the_spectral_names():
    assert FORMATS == ("stylish", "json", "sarif", "junit", "github-actions", "text")
    with pytest.raises(ValueError, match="unknown format 'pretty'"):
        render("pretty", [], files=[])


# --- text -----------------------------------------------------------------------------------------


def test_text_one_line_per_result_sorted(results, files, cwd):
    out = render("text", results, files=list(files.values()), cwd=str(cwd))
    assert out.splitlines() == [
        '<stdin>:1:1 hint parser "Unexpected token"',
        'api/main.yaml:3:10 warning info-contact "Info object must have "contact" object."',
        'api/main.yaml:17:5 error owasp-auth "Operation has no security: it is public, anyone, anywhere"'
        " https://example.test/rules/owasp-auth",
        'api/my spec, é:1.yaml:5:3 information description-i18n '
        '"Beschreibung fehlt: « 説明 » 100%\\nsecond line ]]> <b>&amp;\\nthird"',
    ]
    assert out.endswith("\n")
    assert render("text", [], files=[], cwd=str(cwd)) == ""


def test_paths_outside_cwd_stay_absolute(results, files, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = render("text", results[:1], files=[files["main"]], cwd=str(elsewhere))
    assert out.startswith(f"{files['main']}:17:5 error owasp-auth")


# --- stylish --------------------------------------------------------------------------------------


def test_stylish_matches_spectrals_own_expected_layout(tmp_path):
    # Spectral's stylish.test.ts ("should display proper severity level") with its mixed-errors fixture
    src = str(tmp_path / "petstore.oas3.json")
    desc = "Operation `description` must be present and non-empty string."
    fixture = [
        result("info-contact", "Info object should contain `contact` object.", Severity.HINT, ("info",), src, rng(2, 9)),
        result("info-description", "OpenAPI object info `description` must be present and non-empty string.",
               Severity.WARN, ("info",), src, rng(2, 9)),
        result("info-matches-stoplight", "Info must contain Stoplight", Severity.ERROR, ("info", "title"), src,
               rng(4, 13)),
        result("operation-description", desc, Severity.INFO, ("paths", "/pets", "get"), src, rng(16, 12)),
        result("operation-description", desc, Severity.INFO, ("paths", "/pets", "post"), src, rng(63, 13)),
        result("operation-description", desc, Severity.INFO, ("paths", "/pets/{petId}", "get"), src, rng(85, 12)),
    ]
    out = render("stylish", fixture[::-1], files=[src], cwd=str(tmp_path))
    expected_table = """
  3:10         hint  info-contact            Info object should contain `contact` object.                             info
  3:10      warning  info-description        OpenAPI object info `description` must be present and non-empty string.  info
  5:14        error  info-matches-stoplight  Info must contain Stoplight                                              info.title
 17:13  information  operation-description   Operation `description` must be present and non-empty string.            paths./pets.get
 64:14  information  operation-description   Operation `description` must be present and non-empty string.            paths./pets.post
 86:13  information  operation-description   Operation `description` must be present and non-empty string.            paths./pets/{petId}.get"""
    assert out == (
        "\npetstore.oas3.json"
        + expected_table
        + "\n\n\u2716 6 problems (1 error, 1 warning, 3 infos, 1 hint)\n"
    )

    coloured = render("stylish", fixture, files=[src], cwd=str(tmp_path), color=True)
    assert "\x1b[4mpetstore.oas3.json\x1b[24m\n" in coloured
    assert "  3:10         \x1b[37mhint\x1b[39m  info-contact" in coloured
    assert " 17:13  \x1b[34minformation\x1b[39m  operation-description" in coloured
    # the summary takes the colour of the worst severity present, bold
    assert coloured.endswith("\x1b[31m\x1b[1m\u2716 6 problems (1 error, 1 warning, 3 infos, 1 hint)\x1b[22m\x1b[39m\n")
    assert "\x1b[" not in out


def test_stylish_groups_by_file_and_keeps_columns_with_wide_text(results, files, cwd):
    out = render("stylish", results, files=list(files.values()), cwd=str(cwd), summary="API score: 72/100 (C)")
    lines = out.split("\n")
    headings = [line for line in lines if line and not line.startswith(" ")]
    assert headings == ["<stdin>", "api/main.yaml", "api/my spec, é:1.yaml",
                        "\u2716 4 problems (1 error, 1 warning, 1 info, 1 hint)", "API score: 72/100 (C)"]
    # one row per result: the multi-line message is folded into its row
    assert " 5:3  information  description-i18n  Beschreibung fehlt: « 説明 » 100% second line ]]> <b>&amp; third" \
           "  paths./pets.get.parameters[0].description" in lines
    main_rows = [line for line in lines if "info-contact" in line or "owasp-auth" in line]
    # the message column starts at the same offset in both rows of a file
    assert main_rows[0].index("Info object") == main_rows[1].index("Operation has")
    assert out.endswith("API score: 72/100 (C)\n")


def test_stylish_empty_prints_nothing_but_the_summary_line(cwd):
    assert render("stylish", [], files=[str(cwd / "a.yaml")], cwd=str(cwd)) == ""
    assert render("stylish", [], files=[], cwd=str(cwd), summary="API score: 100/100 (A)") == "API score: 100/100 (A)\n"
    assert no_results_message(Severity.ERROR) == "No results with a severity of 'error' found!"
    assert no_results_message(Severity.WARN) == "No results with a severity of 'warn' or higher found!"


# --- json -----------------------------------------------------------------------------------------


def test_json_is_spectrals_shape(results, files, cwd):
    out = render("json", results, files=list(files.values()), cwd=str(cwd))
    assert out.startswith("[\n\t{\n\t\t\"code\": ")  # tab-indented, as JSON.stringify(x, null, '\t')
    assert "説明" in out  # not \u-escaped
    items = json.loads(out)
    assert [i["code"] for i in items] == ["parser", "info-contact", "owasp-auth", "description-i18n"]
    assert items[0] == {
        "code": "parser",
        "path": [],
        "message": "Unexpected token",
        "severity": 3,
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
    }
    assert list(items[2]) == ["code", "path", "message", "severity", "range", "source", "documentationUrl"]
    assert items[2]["source"] == files["main"]
    assert items[2]["documentationUrl"] == "https://example.test/rules/owasp-auth"
    assert items[3]["path"] == ["paths", "/pets", "get", "parameters", "0", "description"]
    assert items[3]["message"] == results[2].message
    assert items[3]["severity"] == 2
    assert json.loads(render("json", [], files=[], cwd=str(cwd))) == []


# --- sarif ----------------------------------------------------------------------------------------


def sarif_validator():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")


def assert_uris_well_formed(log: dict) -> None:
    """jsonschema has no `uri` format checker without extra packages: check the URIs we write here."""
    run = log["runs"][0]
    absolute = [log["$schema"], run["originalUriBaseIds"]["%SRCROOT%"]["uri"]]
    absolute += [r["helpUri"] for r in run["tool"]["driver"]["rules"] if "helpUri" in r]
    for uri in absolute:
        assert _URI_CHARS.match(uri) and urlsplit(uri).scheme, uri
    for artifact in run["artifacts"]:
        assert _URI_CHARS.match(artifact["location"]["uri"]), artifact


def test_sarif_validates_against_the_oasis_schema(results, files, cwd):
    out = render("sarif", results, files=list(files.values()), cwd=str(cwd), tool_version="1.2.3")
    log = json.loads(out)
    errors = sorted(sarif_validator().iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])
    assert_uris_well_formed(log)

    empty = json.loads(render("sarif", [], files=[files["clean"]], cwd=str(cwd)))
    assert not list(sarif_validator().iter_errors(empty))
    assert empty["runs"][0]["results"] == []
    assert empty["runs"][0]["artifacts"] == [{"location": {"uri": "api/clean.yaml", "uriBaseId": "%SRCROOT%"}}]


def test_sarif_schema_rejects_a_broken_log():
    # the validation above means something: a result without a message is refused
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "a"}]}]}
    assert list(sarif_validator().iter_errors(bad))


def test_sarif_content(results, files, cwd):
    log = json.loads(render("sarif", results, files=list(files.values()), cwd=str(cwd), tool_version="1.2.3"))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "apigov" and driver["version"] == "1.2.3"
    rules = {r["id"]: r for r in driver["rules"]}
    assert rules["owasp-auth"] == {
        "id": "owasp-auth",
        "shortDescription": {"text": "Operations must be protected"},
        "helpUri": "https://example.test/rules/owasp-auth",
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "owasp:api2"]},
    }
    assert rules["info-contact"]["defaultConfiguration"] == {"level": "warning"}
    assert rules["parser"]["defaultConfiguration"] == {"level": "note"}  # hint -> note

    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert uris == ["api/clean.yaml", "api/main.yaml", "api/my%20spec%2C%20%C3%A9%3A1.yaml"]
    assert all(a["location"]["uriBaseId"] == "%SRCROOT%" for a in run["artifacts"])
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == cwd.as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"

    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert [r["ruleId"] for r in run["results"]] == ["parser", "info-contact", "owasp-auth", "description-i18n"]
    for r in run["results"]:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    owasp = by_rule["owasp-auth"]
    assert owasp["level"] == "error"
    assert owasp["message"] == {"text": "Operation has no security: it is public, anyone, anywhere"}
    (loc,) = owasp["locations"]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": "api/main.yaml", "uriBaseId": "%SRCROOT%", "index": 1}
    assert loc["physicalLocation"]["region"] == {"startLine": 17, "startColumn": 5, "endLine": 17, "endColumn": 8}
    (related,) = owasp["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["index"] == 2
    assert related["message"] == {"text": "referenced here"}
    assert by_rule["info-contact"]["level"] == "warning"
    assert by_rule["description-i18n"]["level"] == "note"
    assert by_rule["description-i18n"]["message"]["text"] == results[2].message
    assert by_rule["description-i18n"]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5, "startColumn": 3, "endLine": 6, "endColumn": 1}
    assert "locations" not in by_rule["parser"]  # stdin: no file to point at


def test_sarif_outside_cwd_uses_file_uri(files, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = result("x", "m", Severity.WARN, ("a",), files["odd"], rng(0, 0))
    log = json.loads(render("sarif", [r], files=[files["odd"]], cwd=str(elsewhere)))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == Path(files["odd"]).as_uri()
    assert "uriBaseId" not in location
    assert not list(sarif_validator().iter_errors(log))


def test_sarif_fingerprints_survive_line_moves_but_not_path_changes(files, cwd):
    def fingerprint(line: int, path=("info",), code="info-contact", source=files["main"]) -> str:
        r = result(code, "msg", Severity.WARN, path, source, rng(line, 2))
        log = json.loads(render("sarif", [r], files=[source], cwd=str(cwd)))
        (value,) = log["runs"][0]["results"][0]["partialFingerprints"].values()
        return value

    assert fingerprint(3) == fingerprint(40)
    assert fingerprint(3) != fingerprint(3, path=("info", "title"))
    assert fingerprint(3) != fingerprint(3, code="info-description")
    assert fingerprint(3) != fingerprint(3, source=files["odd"])
    # the same code on the same path twice: two distinct fingerprints
    twice = [result("dup", "m", Severity.WARN, ("info",), files["main"], rng(line, 0)) for line in (1, 2)]
    log = json.loads(render("sarif", twice, files=[files["main"]], cwd=str(cwd)))
    prints = [list(r["partialFingerprints"].values())[0] for r in log["runs"][0]["results"]]
    assert len(set(prints)) == 2


# --- junit ----------------------------------------------------------------------------------------


def test_junit_parses_back_with_escaping_intact(results, files, cwd):
    out = render("junit", results, files=list(files.values()), cwd=str(cwd))
    assert out.startswith('<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n')
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["<stdin>", "api/clean.yaml", "api/main.yaml", "api/my spec, é:1.yaml"]

    clean = suites["api/clean.yaml"]
    assert (clean.get("tests"), clean.get("failures")) == ("1", "0")
    (case,) = clean.findall("testcase")
    assert case.find("failure") is None and case.get("classname") == "api/clean"

    main = suites["api/main.yaml"]
    assert (main.get("tests"), main.get("failures"), main.get("package")) == ("2", "2", "org.spectral")
    names = [c.get("name") for c in main.findall("testcase")]
    assert names == ["org.spectral.info-contact(#/info)", "org.spectral.owasp-auth(#/paths/~1pets/get)"]
    failure = main.findall("testcase")[0].find("failure")
    assert failure.get("message") == 'Info object must have "contact" object.'
    assert failure.text == 'line 3, col 10, Info object must have "contact" object. (info-contact) at path #/info'
    owasp_failure = main.findall("testcase")[1].find("failure")
    assert owasp_failure.text.endswith("at path #/paths/~1pets/get, https://example.test/rules/owasp-auth")

    (odd_case,) = suites["api/my spec, é:1.yaml"].findall("testcase")
    assert odd_case.get("name") == "org.spectral.description-i18n(#/paths/~1pets/get/parameters/0/description)"
    odd = odd_case.find("failure")
    # attribute keeps its line breaks (XML normalises \r\n inside CDATA to \n)
    assert odd.get("message") == results[2].message
    assert odd.text == (
        "line 5, col 3, " + results[2].message.replace("\r\n", "\n")
        + " (description-i18n) at path #/paths/~1pets/get/parameters/0/description"
    )
    assert suites["<stdin>"].find("testcase").get("name") == "org.spectral.parser(#)"


def test_junit_survives_characters_xml_forbids(files, cwd):
    r = result("ctl", "bell\x07 and nul\x00 and 😀", Severity.ERROR, ("a",), files["main"], rng(0, 0))
    root = ET.fromstring(render("junit", [r], files=[files["main"]], cwd=str(cwd)).encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == "bell\ufffd and nul\ufffd and 😀"


def test_junit_fail_severity_keeps_only_severe_results(results, files, cwd):
    out = render("junit", results, files=[files["main"]], cwd=str(cwd), fail_severity=Severity.ERROR)
    root = ET.fromstring(out.encode("utf-8"))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert [c.get("name") for c in suites["api/main.yaml"].findall("testcase")] == [
        "org.spectral.owasp-auth(#/paths/~1pets/get)"]
    assert "<stdin>" not in suites  # its only result is a hint


def test_junit_empty(files, cwd):
    root = ET.fromstring(render("junit", [], files=[files["clean"]], cwd=str(cwd)).encode("utf-8"))
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "api/clean.yaml" and suite.find("testcase/failure") is None
    assert ET.fromstring(render("junit", [], files=[], cwd=str(cwd))).findall("testsuite") == []


# --- github-actions -------------------------------------------------------------------------------


def test_github_actions_commands_and_escaping(results, files, cwd):
    out = render("github-actions", results, files=list(files.values()), cwd=str(cwd))
    assert out.splitlines() == [
        "::notice line=1,col=1,endLine=1,endColumn=2,title=parser::Unexpected token",
        "::warning file=api/main.yaml,line=3,col=10,endLine=3,endColumn=21,title=info-contact::"
        'Info object must have "contact" object.',
        # `:` and `,` are escaped only in properties; the message keeps them
        "::error file=api/main.yaml,line=17,col=5,endLine=17,endColumn=8,title=owasp-auth::"
        "Operation has no security: it is public, anyone, anywhere",
        "::notice file=api/my spec%2C é%3A1.yaml,line=5,col=3,endLine=6,endColumn=1,title=description-i18n::"
        "Beschreibung fehlt: « 説明 » 100%25%0Asecond line ]]> <b>&amp;%0D%0Athird",
    ]
    assert render("github-actions", [], files=[], cwd=str(cwd)) == ""


def test_github_actions_escapes_title_properties(files, cwd):
    r = result("ns:rule,x%", "m", Severity.ERROR, (), files["main"], rng(0, 0))
    out = render("github-actions", [r], files=[files["main"]], cwd=str(cwd))
    assert out == "::error file=api/main.yaml,line=1,col=1,endLine=1,endColumn=2,title=ns%3Arule%2Cx%25::m\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_handles_empty_and_stdin_only(fmt, cwd):
    assert isinstance(render(fmt, [], files=[], cwd=str(cwd)), str)
    only_stdin = [result("parser", "bad", Severity.ERROR, (), None, rng(0, 0))]
    out = render(fmt, only_stdin, files=[None], cwd=str(cwd))
    assert "parser" in out and out.endswith("\n")


def test_stylish_aligns_columns_by_display_width(cwd):
    import unicodedata

    def columns(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    src = str(cwd / "a.yaml")
    rows = [
        result("r1", "説明がありません", Severity.WARN, ("info", "title"), src, rng(0, 0)),
        result("r2", "no description", Severity.WARN, ("info", "summary"), src, rng(1, 0)),
    ]
    lines = [line for line in render("stylish", rows, files=[src], cwd=str(cwd)).splitlines() if "info." in line]
    assert len(lines) == 2
    starts = [columns(line[: line.index("info.")]) for line in lines]
    assert starts[0] == starts[1]
