"""bench/corpus.py and the parts of bench/peers.py that need no npm (measurement, rulesets, parsing)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
sys.path.insert(0, str(REPO / "bench"))

import corpus  # noqa: E402
import peers  # noqa: E402

needs_corpus = pytest.mark.skipif(not (SHARED / "corpus" / "MANIFEST.tsv").exists(),
                                  reason="shared corpus not present beside the repo")


@needs_corpus
def test_manifest_lists_existing_root_files():
    docs = corpus.load_manifest(SHARED / "corpus")
    assert len(docs) == len({d.rel_path for d in docs}) > 0
    for d in docs:
        assert d.path.is_file(), d.rel_path
        assert d.path.stat().st_size == d.bytes, d.rel_path
        assert d.total_bytes >= d.bytes


@needs_corpus
def test_multi_file_fragments_are_not_roots():
    docs = corpus.load_manifest(SHARED / "corpus")
    multi = [d for d in docs if d.multi_file]
    assert multi, "the corpus is expected to hold multi-file descriptions"
    for d in multi:
        root_dir = SHARED / "corpus" / d.fragment_root
        assert root_dir.is_dir() and d.rel_path.startswith(d.fragment_root + "/")
        others = [p for p in root_dir.rglob("*") if p.is_file() and p != d.path]
        assert others, d.rel_path
        rel = others[0].relative_to(SHARED / "corpus").as_posix()
        assert corpus.is_fragment(rel, docs)
        assert not corpus.is_fragment(d.rel_path, docs)
    single = next(d for d in docs if not d.multi_file)
    assert not corpus.is_fragment(single.rel_path, docs)


@needs_corpus
def test_find_doc_by_substring_must_be_unique():
    docs = corpus.load_manifest(SHARED / "corpus")
    target = docs[0]
    assert corpus.find_doc(target.rel_path, docs) is target
    with pytest.raises(KeyError):
        corpus.find_doc(".", docs)  # every path has a dot


@pytest.mark.parametrize("gnu_time", [peers.GNU_TIME, "/nonexistent/time"], ids=["gnu-time", "wait4"])
def test_measure_reports_exit_code_stdout_and_memory(tmp_path, monkeypatch, gnu_time):
    # 200 MB of touched memory must show in the peak RSS, whichever way it is measured.
    monkeypatch.setattr(peers, "GNU_TIME", gnu_time)
    code = "b = bytearray(200 * 1024 * 1024); print('hi'); raise SystemExit(3)"
    m = peers.measure_command([sys.executable, "-c", code], tmp_path, {}, 30)
    assert (m.returncode, m.timed_out, m.stdout.strip()) == (3, False, b"hi")
    assert m.peak_rss_mb is not None and m.peak_rss_mb > 200
    assert m.wall_s > 0 and m.cpu_s is not None and 0 < m.cpu_s


@pytest.mark.parametrize("gnu_time", [peers.GNU_TIME, "/nonexistent/time"], ids=["gnu-time", "wait4"])
def test_measure_kills_on_timeout_and_keeps_peak_memory(tmp_path, monkeypatch, gnu_time):
    monkeypatch.setattr(peers, "GNU_TIME", gnu_time)
    code = "import time; b = bytearray(100 * 1024 * 1024); time.sleep(30)"
    m = peers.measure_command([sys.executable, "-c", code], tmp_path, {}, 1.5)
    assert m.timed_out and m.returncode is None
    assert m.wall_s < 10
    assert m.peak_rss_mb is not None and m.peak_rss_mb > 100


def test_spectral_empty_quiet_output_means_no_results():
    run = peers.PeerRun("spectral", "d", "r", [], 0, 0.1, None)
    peers._parse(run, b"", empty_means=[])
    assert run.results == [] and run.ok
    crashed = peers.PeerRun("spectral", "d", "r", [], 2, 0.1, None)
    peers._parse(crashed, b"Error running Spectral!", empty_means=[])
    assert crashed.results is None and crashed.parse_error and not crashed.ok


def test_oas_ruleset_text():
    assert peers.ruleset_text("oas") == 'extends: [["spectral:oas", "all"]]\n'
    with pytest.raises(ValueError):
        peers.ruleset_text("nope")


@pytest.mark.skipif(not peers.spectral_bin(), reason="Spectral not installed (python bench/peers.py install)")
def test_owasp_ruleset_points_at_an_installed_file(tmp_path):
    path = peers.write_ruleset("owasp", tmp_path)
    assert str(peers.NODE_MODULES) in path.read_text()
    assert peers.owasp_ruleset_path().is_file()


def test_cpu_clock_timeout_ignores_idle_time_but_stops_busy_loops(tmp_path):
    sleeper = peers.measure_command([sys.executable, "-c", "import time; time.sleep(2.5)"], tmp_path, {}, 1.0,
                                    clock="cpu")
    assert not sleeper.timed_out and sleeper.returncode == 0 and sleeper.wall_s > 2
    spinner = peers.measure_command([sys.executable, "-c", "while True: pass"], tmp_path, {}, 1.0,
                                    clock="cpu", wall_cap=20)
    assert spinner.timed_out and spinner.cpu_s is not None and spinner.cpu_s >= 1.0
