"""The retrieval internals that make a large index fast, checked against the simple versions: top-k
by partition, the relative spread with unscored entries, the HNSW path (with the scope as a filter)
against exact search on the real index, and the index build lock."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from rag.retrieve import Retriever, _spread, _top
from tests.conftest import NATIONAL_2024, ROOT, SHANDONG, WEIHAI


def test_top_matches_a_stable_sort_including_ties():
    rng = np.random.default_rng(1)
    for n in (5, 40, 1000, 20_000):
        scores = rng.integers(0, 50, n).astype(np.float32)  # many ties
        for k in (1, 5, 10):
            assert _top(scores, k).tolist() == np.argsort(-scores, kind="stable")[:k].tolist()


def test_spread_ignores_unscored_entries():
    scores = np.array([-1, -1, -1, -1, 0.5, 0.7, 0.9], dtype=np.float32)
    scored = scores > -1
    out = _spread(scores, scored)
    assert out.tolist()[:4] == [0, 0, 0, 0]
    assert out[-1] == 1.0 and out[-2] == 0.0 and 0 <= out[-3] <= out[-2]  # median of the scored = 0.7
    # without the mask the unscored entries would set the median and squash the scored ones together
    assert _spread(scores)[4] > 0.7


@pytest.fixture(scope="module")
def hnsw_retriever(pipeline):
    """The real index with HNSW graphs forced (flat_max_chunks=0), as a large corpus would run."""
    from rag import store

    s = replace(pipeline.settings, flat_max_chunks=0, ann_candidates=256)
    idx = replace(pipeline.index, ann=store.hnsw_index(pipeline.index.vectors, s),
                  xann=store.hnsw_index(pipeline.index.xvectors, s))
    return Retriever(pipeline.documents, idx, pipeline.embedder, pipeline.xembedder, s)


def _questions(n: int) -> list[str]:
    lines = (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    qs = [json.loads(x)["question"] for x in lines if x.strip()]
    return qs[:: max(1, len(qs) // n)][:n]


@pytest.mark.slow
def test_hnsw_search_agrees_with_exact_search(pipeline, hnsw_retriever):
    from rag.scope import Side

    everything = Side("", "", tuple(d.source for d in pipeline.documents), (), "")
    same, total = 0, 0
    for question in _questions(60):
        q = pipeline.analyze(question)
        exact = pipeline.retriever.search(q, everything)
        approx = hnsw_retriever.search(q, everything)
        total += 1
        same += exact.hits[0].passage.key == approx.hits[0].passage.key
    assert same / total >= 0.95, f"{same}/{total} first passages agree"


@pytest.mark.slow
def test_hnsw_search_respects_the_scope_as_a_filter(pipeline, hnsw_retriever):
    from rag.scope import Side

    one = Side("", "", (NATIONAL_2024,), (), "")
    weihai_2024 = Side("", "", (WEIHAI,), (2024,), "result")
    for question in _questions(20):
        q = pipeline.analyze(question)
        r = hnsw_retriever.search(q, one)
        assert r.hits and {h.passage.source for h in r.hits} == {NATIONAL_2024}
        scored = np.flatnonzero(r.chunk_dense > -1)
        assert {hnsw_retriever.chunks[i].source for i in scored} <= {NATIONAL_2024}
        r = hnsw_retriever.search(q, weihai_2024)
        assert all(h.passage.source == WEIHAI and (2024 in h.passage.years or h.passage.role in ("glossary", "front"))
                   for h in r.hits)


def test_the_build_lock_is_reentrant_and_excludes_other_processes(tmp_path):
    from rag import store

    probe = ("import fcntl, sys; f = open(sys.argv[1], 'w');\n"
             "try:\n    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB); print('free')\n"
             "except BlockingIOError:\n    print('held')")

    def other_process_sees() -> str:
        return subprocess.run([sys.executable, "-c", probe, str(tmp_path / ".lock")], capture_output=True,
                              text=True, timeout=30).stdout.strip()

    with store.build_lock(tmp_path):
        with store.build_lock(tmp_path):  # the same process again: no deadlock
            assert other_process_sees() == "held"
        assert other_process_sees() == "held"  # the outer hold is still in force
    assert other_process_sees() == "free"


@pytest.mark.parametrize("typed,source,line", [
    ("5g基站", WEIHAI, 29),            # the home document holds it: its line first, before Shandong's review
    ("赤字率", "national-", None),     # the home document does not: the best of the others
    ("山东 5G基站", SHANDONG, 30),      # a place typed: that place's report
])
def test_lookup_puts_the_home_document_first_where_it_holds_what_was_typed(pipeline, typed, source, line):
    hits = pipeline.search(typed, k=5)
    assert hits and hits[0].passage.source.startswith(source), [(h.passage.source, h.passage.line) for h in hits]
    if line is not None:
        assert hits[0].passage.line == line
    rest = [h.score for h in hits if h.passage.source != WEIHAI]
    assert rest == sorted(rest, reverse=True)  # the others keep their order
