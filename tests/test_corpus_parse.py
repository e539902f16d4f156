"""Every corpus description parses, and reported key ranges hold their keys."""

import random

import pytest

from apigov_ls.document.formats import detect_formats
from apigov_ls.document.model import build_document

from conftest import CORPUS, corpus_roots, needs_shared


def _iter_keys(sm, node, path, out, limit):
    for key, entry in sm.iter_key_spans(node):
        out.append((path + (key,), entry))
        if len(out) >= limit:
            return
        child = node.get(key) if isinstance(node, dict) else None
        if isinstance(child, dict):
            _iter_keys(sm, child, path + (key,), out, limit)
        elif isinstance(child, list):
            for i, item in enumerate(child):
                if isinstance(item, dict):
                    _iter_keys(sm, item, path + (key, i), out, limit)


def _unquote(text):
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


@needs_shared
@pytest.mark.parametrize("root", corpus_roots(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_document_parses_with_right_key_ranges(root):
    doc = build_document(str(root))
    # real documents may hold broken refs (xsoar.json does); they must never fail to parse
    fatal = [p for p in doc.problems if p.code.startswith("parser-")]
    assert not fatal, fatal[:3]
    assert detect_formats(doc.data)
    rnd = random.Random(str(root))
    for sf in list(doc.files.values())[:50]:
        keys = []
        _iter_keys(sf.source_map, sf.data, (), keys, 200_000)
        for path, (ks, ke, vs, ve) in rnd.sample(keys, min(200, len(keys))):
            assert _unquote(sf.text[ks:ke]) == path[-1], (sf.path, path)
            rng = sf.source_map.key_range(path)
            line = sf.source_map.lines.line_text(rng.start.line)
            assert _unquote(line[rng.start.character : rng.end.character]) == path[-1] or rng.start.line != rng.end.line
