"""Retrieve stage: ``Query`` -> ranked paragraph ``Hit``s.

Three rankers, fused by a weighted sum of per-query normalised scores:

* lexical: BM25 over character bigrams of the paragraphs, queried with report-vocabulary terms
  (English words already mapped onto report terms by ``query.analyze``);
* dense: m3e-small cosine between the question and every sentence chunk; a paragraph scores
  the best of its sentences;
* cross-lingual (English path): multilingual-e5-small cosine between the English question and
  the same chunks.

Scores of the dense rankers are cosines (higher is better); the fused score is a relative
scale used for ranking and for the answerer's confidence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .config import Settings
from .embed import Embedder
from .lexical import BM25, tokens
from .query import Query
from .store import StoredIndex
from .types import Chunk, Hit, Paragraph


@dataclass
class Retrieval:
    hits: list[Hit]
    chunk_dense: dict[int, float] = field(default_factory=dict)  # chunk position -> best dense cosine
    timings_ms: dict[str, float] = field(default_factory=dict)
    ranking: list[tuple[str, int]] = field(default_factory=list)  # (source, line), best first, up to 10


def _spread(scores: np.ndarray) -> np.ndarray:
    """Map one ranker's scores onto [0, 1] relative to this query: best = 1, median = 0."""
    if scores.size == 0:
        return scores
    top = float(scores.max())
    mid = float(np.median(scores))
    if top - mid <= 1e-9:
        return np.zeros_like(scores)
    return np.clip((scores - mid) / (top - mid), 0.0, 1.0)


class Retriever:
    def __init__(self, paragraphs: list[Paragraph], index: StoredIndex, embedder: Embedder,
                 xembedder: Embedder | None, settings: Settings):
        self.settings = settings
        self.paragraphs = [p for p in paragraphs if p.kind != "title"]
        self._pos = {(p.source, p.line): i for i, p in enumerate(self.paragraphs)}
        self.chunks: list[Chunk] = index.chunks
        self.chunk_para = np.array([self._pos[(c.source, c.line)] for c in self.chunks], dtype=np.int64)
        self.index = index
        self.embedder = embedder
        self.xembedder = xembedder
        self.bm25 = BM25([tokens(p.text) for p in self.paragraphs])

    # -- rankers -------------------------------------------------------------------------
    def lexical_scores(self, q: Query) -> np.ndarray:
        toks: list[str] = []
        for t in q.terms:
            toks.extend(tokens(t.text, normalized=True))
        return self.bm25.scores(toks)

    def _dense(self, faiss_index, qvec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = faiss_index.ntotal
        sims, ids = faiss_index.search(qvec[None, :].astype(np.float32), n)
        chunk_scores = np.full(n, -1.0, dtype=np.float32)
        chunk_scores[ids[0]] = sims[0]
        para = np.full(len(self.paragraphs), -1.0, dtype=np.float32)
        np.maximum.at(para, self.chunk_para, chunk_scores)
        return para, chunk_scores

    def dense_text(self, q: Query) -> str:
        """What m3e-small (Chinese) reads: the question itself, or for English its report terms."""
        if q.lang == "en":
            return q.lexical_text or q.text
        return q.text

    # -- fusion --------------------------------------------------------------------------
    def search(self, q: Query, k: int | None = None) -> Retrieval:
        s = self.settings
        k = k or s.top_k
        timings: dict[str, float] = {}
        fused = np.zeros(len(self.paragraphs), dtype=np.float32)
        parts: dict[str, np.ndarray] = {}
        chunk_dense: np.ndarray | None = None

        if s.use_lexical:
            t = time.perf_counter()
            parts["lexical"] = self.lexical_scores(q)
            fused += s.lexical_weight * _spread(parts["lexical"])
            timings["lexical"] = (time.perf_counter() - t) * 1000
        dense_w = s.dense_weight * (s.dense_weight_en if q.lang == "en" else 1.0)
        if s.use_dense and (dense_w > 0 or not (s.use_english_path and self.xembedder is not None)):
            t = time.perf_counter()
            text = self.dense_text(q)
            qvec = self.embedder.encode_query(text)
            timings["embed"] = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            parts["dense"], chunk_dense = self._dense(self.index.vectors, qvec)
            fused += (dense_w or s.dense_weight) * _spread(parts["dense"])
            timings["dense"] = (time.perf_counter() - t) * 1000
        if s.use_english_path and q.lang == "en" and self.xembedder is not None and self.index.xvectors is not None:
            t = time.perf_counter()
            xvec = self.xembedder.encode_query(q.text)
            parts["xling"], xchunks = self._dense(self.index.xvectors, xvec)
            fused += s.xling_weight * _spread(parts["xling"])
            chunk_dense = xchunks if chunk_dense is None else np.maximum(chunk_dense, xchunks)
            timings["xling"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        order = np.argsort(-fused, kind="stable")[:max(k, 10)]
        hits = [
            Hit(self.paragraphs[i], float(fused[i]), {name: float(v[i]) for name, v in parts.items()})
            for i in order
        ]
        ranking = [(h.paragraph.source, h.paragraph.line) for h in hits]  # top 10, for evaluation
        hits = hits[:k]
        timings["fusion"] = (time.perf_counter() - t) * 1000
        dense_map = {} if chunk_dense is None else {i: float(v) for i, v in enumerate(chunk_dense)}
        return Retrieval(hits=hits, chunk_dense=dense_map, timings_ms=timings, ranking=ranking)
