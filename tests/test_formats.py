import pytest

from apigov_ls.document.formats import detect_formats, primary_format


@pytest.mark.parametrize(
    "doc,expected,primary",
    [
        ({"swagger": "2.0"}, {"oas2"}, "oas2"),
        ({"swagger": 2}, {"oas2"}, "oas2"),
        ({"openapi": "3.0.3"}, {"oas3", "oas3_0"}, "oas3_0"),
        ({"openapi": "3.1.0"}, {"oas3", "oas3_1"}, "oas3_1"),
        ({"openapi": "3.2.0"}, {"oas3", "oas3_2", "oas3_1"}, "oas3_2"),
        ({"openapi": "3.5"}, {"oas3"}, "oas3"),
        ({"openapi": "4.0.0"}, set(), None),
        ({"asyncapi": "2.0.0"}, set(), None),
        ([1, 2], set(), None),
    ],
)
def test_detect(doc, expected, primary):
    fmts = detect_formats(doc)
    assert fmts == expected
    assert primary_format(fmts) == primary
