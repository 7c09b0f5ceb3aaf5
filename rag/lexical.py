"""Lexical ranking suited to Chinese: BM25 over character bigrams (plus whole Latin/number tokens).

Character bigrams need no word segmentation, so a segmentation error cannot hide a match
(jieba splits 社零增长 as 社/零增长); jieba is used only to drop question words from queries.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from .text import normalize

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9][a-z0-9.%]*")
_jieba_lock = threading.Lock()
_jieba_ready = False


def tokens(text: str, *, normalized: bool = False) -> list[str]:
    """Character bigrams of Chinese runs (a lone character stays a unigram) and Latin/number tokens."""
    t = text if normalized else normalize(text)
    out: list[str] = []
    for run in _RUN.findall(t):
        if run[0].isascii():
            out.append(run.rstrip("."))
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def init_segmenter(words: Iterable[str] = ()) -> None:
    """Load jieba once (about a second) and teach it the report's vocabulary."""
    global _jieba_ready
    with _jieba_lock:
        if _jieba_ready:
            return
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        for w in words:
            if len(w) > 1:
                jieba.add_word(w)
        _jieba_ready = True


def segment(text: str) -> list[str]:
    if not _jieba_ready:
        from .lexicon import load_lexicon

        lex = load_lexicon()
        init_segmenter({t for terms in lex.zh.values() for t in terms} | {t for terms in lex.en.values() for t in terms})
    import jieba

    return jieba.lcut(text)


class BM25:
    """Okapi BM25 over pre-tokenised documents; ``scores`` returns one float per document."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.n = len(docs)
        self.lengths = np.array([len(d) for d in docs], dtype=np.float32)
        self.avgdl = float(self.lengths.mean()) if self.n else 0.0
        self.tf: list[Counter] = [Counter(d) for d in docs]
        df: Counter = Counter()
        for c in self.tf:
            df.update(c.keys())
        self.df = df
        self.idf = {t: math.log(1 + (self.n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._norm = self.k1 * (1 - self.b + self.b * self.lengths / max(self.avgdl, 1e-9))

    def idf_of(self, token: str) -> float:
        return self.idf.get(token, 0.0)

    def scores(self, query: Iterable[str], weights: dict[str, float] | None = None) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        qtf = Counter(query)
        for tok in qtf:
            idf = self.idf.get(tok)
            if not idf:
                continue
            w = idf * (weights.get(tok, 1.0) if weights else 1.0)
            tf = np.array([c.get(tok, 0) for c in self.tf], dtype=np.float32)
            out += w * tf * (self.k1 + 1) / (tf + self._norm)
        return out
