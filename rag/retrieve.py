"""Retrieve stage: ``Query`` + a ``Side`` of its scope -> ranked passage ``Hit``s.

Three rankers, fused by a weighted sum of per-query normalised scores, over the passages the
scope allows (the side's documents, and within them the passages about the years asked):

* lexical: BM25 over character bigrams of each passage and its section path, queried with
  report-vocabulary terms (English words already mapped onto report terms by ``query.analyze``);
* dense: m3e-small cosine between the question and every sentence chunk; a passage scores the
  best of its sentences;
* cross-lingual (English questions): multilingual-e5-small cosine between the English question
  and the same chunks.

A passage whose role fits what the question wants (a result: the review; a target: the targets
and tasks) gets a small bonus. Dense search is exact (one matrix product over the allowed
chunks, over the slices of the side's documents) up to ``Settings.flat_max_chunks``; above it an
HNSW graph searched with the scope as a filter (a bitmap of the allowed chunks) returns the best
``ann_candidates`` chunks. Everything else is vectorised over the passages, so a query at a
million chunks stays in tens of milliseconds (``bench/scale.py``). Scores of the dense rankers are cosines (higher is better); the
fused score is a relative scale used for ranking and for the answerer's confidence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .chunk import passages_of
from .config import Settings
from .embed import Embedder
from .lexical import BM25, tokens
from .query import Query
from .scope import Side
from .store import StoredIndex
from .types import Chunk, Document, Hit, Passage

#: Fused-score bonus of a passage whose role fits what the question wants (target/result).
ROLE_BONUS = 0.25
#: ... and of a passage about the newest year when the question names no time.
CURRENT_BONUS = 0.1
#: ... and the penalty of a passage about a period (五年来) for a figure of one year.
PERIOD_PENALTY = 0.3


@dataclass
class Retrieval:
    hits: list[Hit]
    chunk_dense: np.ndarray | None = None  # chunk position -> best dense cosine (-1: not scored)
    timings_ms: dict[str, float] = field(default_factory=dict)
    ranking: list[tuple[str, int]] = field(default_factory=list)  # (source, line), best first, up to 10
    # the passages ranked after ``hits`` (up to 10 in all): a figure whose metric is exactly the one
    # asked may be read from them (a long review paragraph ranks below its short headings)
    more: list[Hit] = field(default_factory=list)


def _spread(scores: np.ndarray, scored: np.ndarray | None = None, mid: float | None = None) -> np.ndarray:
    """Map one ranker's scores onto [0, 1] relative to this query: best = 1, median = 0. With
    ``scored`` (a mask), only the scored entries count and the rest get 0; ``mid`` gives the median
    when only the best entries were scored (an approximate search: the median of a sample)."""
    if scores.size == 0:
        return scores
    pool = scores if scored is None else scores[scored]
    if pool.size == 0:
        return np.zeros_like(scores)
    top = float(pool.max())
    mid = float(np.median(pool)) if mid is None else min(mid, top)
    if top - mid <= 1e-9:
        return np.zeros_like(scores)
    out = np.clip((scores - mid) / (top - mid), 0.0, 1.0)
    if scored is not None:
        out[~scored] = 0.0
    return out


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, best first (ties in position order), without a full sort."""
    if len(scores) > 4 * k:
        kth = scores[np.argpartition(-scores, k - 1)[:k]].min()  # the k-th best score
        better = np.flatnonzero(scores > kth)
        sel = np.concatenate([better, np.flatnonzero(scores == kth)[: k - len(better)]])
        return sel[np.lexsort((sel, -scores[sel]))]
    return np.argsort(-scores, kind="stable")[:k]


def lexical_document(ps: Passage) -> str:
    """What BM25 indexes for a passage: its text and its section labels (not the part's)."""
    return " ".join(ps.section[1:]) + " " + ps.text


class Retriever:
    def __init__(self, documents: list[Document], index: StoredIndex, embedder: Embedder,
                 xembedder: Embedder | None, settings: Settings):
        self.settings = settings
        self.documents = {d.source: d for d in documents}
        self.passages: list[Passage] = [ps for d in documents for p in d.paragraphs for ps in passages_of(p)]
        self.index = index
        self.embedder = embedder
        self.xembedder = xembedder
        self.chunks: list[Chunk] = index.chunks
        # each paragraph's passages, in the order of the text
        self.paragraph_passages: dict[tuple[str, int], list[int]] = {}
        for i, ps in enumerate(self.passages):
            self.paragraph_passages.setdefault(ps.key, []).append(i)
        chunk_pass = []
        for c in self.chunks:
            cands = self.paragraph_passages[(c.source, c.line)]
            chunk_pass.append(next((i for i in cands if self.passages[i].start <= c.start < self.passages[i].end),
                                   cands[-1]))
        self.chunk_passage = np.array(chunk_pass, dtype=np.int64)
        self.passage_chunks: list[list[int]] = [[] for _ in self.passages]
        for ci, pi in enumerate(chunk_pass):
            self.passage_chunks[pi].append(ci)
        self.source_ids = {s: i for i, s in enumerate(self.documents)}
        self.passage_source = np.array([self.source_ids[ps.source] for ps in self.passages], dtype=np.int64)
        # each document's chunks are one contiguous slice (the store keeps them in document order)
        chunk_source = self.passage_source[self.chunk_passage] if len(self.chunks) else np.zeros(0, np.int64)
        self.chunk_slices: dict[int, tuple[int, int]] = {}
        for sid in np.unique(chunk_source):
            where = np.flatnonzero(chunk_source == sid)
            self.chunk_slices[int(sid)] = (int(where[0]), int(where[-1]) + 1)
        self.bm25 = BM25([tokens(lexical_document(ps)) for ps in self.passages])
        self._role = np.array([ps.role for ps in self.passages])
        self._always = np.isin(self._role, ("glossary", "front"))  # in scope whatever the years
        # years: one boolean column per year any passage is about, and how many years each is about
        years = sorted({y for ps in self.passages for y in ps.years})
        self._year_col = {y: i for i, y in enumerate(years)}
        self._about = np.zeros((len(self.passages), len(years)), dtype=bool)
        for i, ps in enumerate(self.passages):
            for y in ps.years:
                self._about[i, self._year_col[y]] = True
        self._n_years = self._about.sum(axis=1)
        self._current = np.array([bool(self.documents[ps.source].year in ps.years) for ps in self.passages])

    # -- scope -------------------------------------------------------------------------------
    def mask(self, side: Side | None) -> np.ndarray:
        """Passages a side allows: its documents, and in them the passages about its years
        (glossary entries always)."""
        if side is None:
            return np.ones(len(self.passages), dtype=bool)
        wanted = np.zeros(len(self.source_ids), dtype=bool)
        wanted[[self.source_ids[s] for s in side.sources if s in self.source_ids]] = True
        allowed = wanted[self.passage_source]
        if side.years:
            allowed &= self._about_years(side.years) | self._always
        return allowed

    def _about_years(self, years) -> np.ndarray:
        cols = [self._year_col[y] for y in years if y in self._year_col]
        if not cols:
            return np.zeros(len(self.passages), dtype=bool)
        return self._about[:, cols].any(axis=1)

    def prior(self, side: Side | None, rows: np.ndarray, figure: bool = False, plans: bool = False) -> np.ndarray:
        """Role and recency bonus of the allowed passages (see ``ROLE_BONUS``); ``figure``: the
        question asks a figure, which for one year is never read from a passage about a period;
        ``plans``: it asks what is being done (a list), which the plans say, not the review of results."""
        bonus = np.zeros(len(rows), dtype=np.float32)
        if side is None:
            return bonus
        roles = self._role[rows]
        if side.wants == "result":
            bonus += ROLE_BONUS * (roles == "review")
        elif side.wants == "target":
            bonus += ROLE_BONUS * np.isin(roles, ("targets", "tasks", "appendix"))
        elif plans:
            bonus += ROLE_BONUS / 2 * np.isin(roles, ("targets", "tasks", "appendix"))
        if not side.years:
            bonus += CURRENT_BONUS * self._current[rows]
        elif len(side.years) == 1:  # a passage about that year alone beats one about a period containing it
            only = self._about_years(side.years)[rows] & (self._n_years[rows] == 1)
            bonus += CURRENT_BONUS * only
            if figure:
                bonus -= PERIOD_PENALTY * (self._n_years[rows] > 1)  # 五年来…年均增长5.2%
            elif side.year_asked:  # "今年怎么稳外贸": this year's tasks before the plan period's
                bonus -= PERIOD_PENALTY / 2 * (self._n_years[rows] > 1)
        elif figure:  # a period asked: its figures are in the passages about the period, not one year's
            bonus -= PERIOD_PENALTY * (self._n_years[rows] == 1)
        return bonus

    # -- rankers -----------------------------------------------------------------------------
    def lexical_scores(self, q: Query, rows: np.ndarray) -> np.ndarray:
        toks: list[str] = []
        for t in q.terms:
            toks.extend(tokens(t.text, normalized=True))
        return self.bm25.scores(toks, rows=rows)

    def _dense(self, vectors: np.ndarray, qvec: np.ndarray, allowed: np.ndarray, ann=None,
               ) -> tuple[np.ndarray, np.ndarray, float | None]:
        """(best chunk cosine per passage, cosine per chunk, median), -1 where not scored; ``allowed``
        is the passage mask. Exact over the allowed documents' slices while they hold at most
        ``flat_max_chunks`` chunks (median None: that of the scores); else the HNSW graph, filtered
        to the allowed chunks, with the median of the allowed passages estimated from a sample, so
        that the fusion weighs this ranker as it would after an exact search."""
        everything = bool(allowed.all())
        chunk_ok = None if everything else allowed[self.chunk_passage]
        chunk_scores = np.full(len(self.chunks), -1.0, dtype=np.float32)
        q = qvec.astype(np.float32)
        sids = np.flatnonzero(np.bincount(self.passage_source[allowed], minlength=len(self.source_ids))).tolist()
        slices = [self.chunk_slices[s] for s in sids if s in self.chunk_slices]
        if ann is not None and sum(b - a for a, b in slices) > self.settings.flat_max_chunks:
            import faiss

            k = min(ann.ntotal, self.settings.ann_candidates)
            params = faiss.SearchParametersHNSW()
            params.efSearch = max(self.settings.hnsw_ef_search, k)
            bitmap = None
            if chunk_ok is not None:
                bitmap = np.packbits(chunk_ok, bitorder="little")
                params.sel = faiss.IDSelectorBitmap(len(chunk_ok), faiss.swig_ptr(bitmap))
            sims, ids = ann.search(q[None, :], k, params=params)
            keep = ids[0] >= 0
            ids, sims = ids[0][keep], sims[0][keep]
            chunk_scores[ids] = sims
            para = np.full(len(self.passages), -1.0, dtype=np.float32)
            np.maximum.at(para, self.chunk_passage[ids], sims)
            return para, chunk_scores, self._sampled_median(vectors, q, allowed)
        for a, b in slices:
            chunk_scores[a:b] = vectors[a:b] @ q
        if chunk_ok is not None:
            chunk_scores[~chunk_ok] = -1.0
        para = np.full(len(self.passages), -1.0, dtype=np.float32)
        for a, b in slices:
            np.maximum.at(para, self.chunk_passage[a:b], chunk_scores[a:b])
        return para, chunk_scores, None

    def _sampled_median(self, vectors: np.ndarray, q: np.ndarray, allowed: np.ndarray, n: int = 512) -> float:
        """The median best-chunk cosine of a fixed random sample of the allowed passages."""
        rows = np.flatnonzero(allowed)
        if len(rows) > n:
            rows = rows[np.random.default_rng(0).choice(len(rows), n, replace=False)]
        owner = np.array([i for i, r in enumerate(rows) for _ in self.passage_chunks[r]], dtype=np.int64)
        if not len(owner):
            return -1.0
        ids = np.array([c for r in rows for c in self.passage_chunks[r]], dtype=np.int64)
        best = np.full(len(rows), -np.inf, dtype=np.float32)
        np.maximum.at(best, owner, vectors[ids] @ q)
        return float(np.median(best[np.isfinite(best)]))

    def dense_text(self, q: Query) -> str:
        """What m3e-small (Chinese) reads: the question itself, or for English its report terms."""
        if q.lang == "en":
            return q.lexical_text or q.text
        return q.text

    # -- fusion ------------------------------------------------------------------------------
    def search(self, q: Query, side: Side | None = None, k: int | None = None,
               qvecs: dict[str, np.ndarray] | None = None) -> Retrieval:
        """Top passages for ``q`` within ``side``. ``qvecs`` caches query vectors across sides."""
        s = self.settings
        k = k or s.top_k
        qvecs = {} if qvecs is None else qvecs
        timings: dict[str, float] = {}
        t = time.perf_counter()
        allowed = self.mask(side)
        rows = np.flatnonzero(allowed)
        fused = self.prior(side, rows, figure=q.form == "figure" or q.asks_number, plans=q.form == "list")
        timings["scope"] = (time.perf_counter() - t) * 1000
        parts: dict[str, np.ndarray] = {}
        chunk_dense: np.ndarray | None = None
        if len(rows) == 0:
            return Retrieval([], None, timings, [])
        if s.use_lexical:
            t = time.perf_counter()
            parts["lexical"] = self.lexical_scores(q, rows)
            fused = fused + s.lexical_weight * _spread(parts["lexical"])
            timings["lexical"] = (time.perf_counter() - t) * 1000
        dense_w = s.dense_weight * (s.dense_weight_en if q.lang == "en" else 1.0)
        if s.use_dense and (dense_w > 0 or not (s.use_english_path and self.xembedder is not None)):
            t = time.perf_counter()
            if "dense" not in qvecs:
                qvecs["dense"] = self.embedder.encode_query(self.dense_text(q))
            timings["embed"] = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            para, chunk_dense, mid = self._dense(self.index.vectors, qvecs["dense"], allowed, self.index.ann)
            parts["dense"] = para[rows]
            fused = fused + (dense_w or s.dense_weight) * _spread(parts["dense"], parts["dense"] > -1, mid)
            timings["dense"] = (time.perf_counter() - t) * 1000
        if s.use_english_path and q.lang == "en" and self.xembedder is not None and self.index.xvectors is not None:
            t = time.perf_counter()
            if "xling" not in qvecs:
                qvecs["xling"] = self.xembedder.encode_query(q.text)
            para, xchunks, mid = self._dense(self.index.xvectors, qvecs["xling"], allowed, self.index.xann)
            parts["xling"] = para[rows]
            fused = fused + s.xling_weight * _spread(parts["xling"], parts["xling"] > -1, mid)
            chunk_dense = xchunks if chunk_dense is None else np.maximum(chunk_dense, xchunks)
            timings["xling"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        order = _top(fused, max(k, 10))
        hits = [Hit(self.passages[rows[j]], float(fused[j]), {name: float(v[j]) for name, v in parts.items()})
                for j in order]
        ranking = list(dict.fromkeys(h.passage.key for h in hits))  # top 10 lines, for evaluation
        timings["fusion"] = (time.perf_counter() - t) * 1000
        return Retrieval(hits=hits[:k], chunk_dense=chunk_dense, timings_ms=timings, ranking=ranking, more=hits[k:])
