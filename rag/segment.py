"""Word segmentation (jieba), loaded once and taught the corpus's vocabulary.

Used to find a question's words (and drop its scaffolding) and to find word boundaries (a
two-character city name inside a longer word is not a place). Matching itself runs on
character bigrams (``rag.lexical``), so a segmentation error cannot hide a match.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from functools import lru_cache

_lock = threading.Lock()
_ready = False
_taught: set[str] = set()


def init(words: Iterable[str] = ()) -> None:
    """Load jieba once (about a second) and add ``words`` to its dictionary."""
    global _ready
    with _lock:
        import jieba

        if not _ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _ready = True
        for w in words:
            if len(w) > 1 and w not in _taught:
                jieba.add_word(w, tag="nz")  # report vocabulary: terms, mostly nouns
                _taught.add(w)


def segment(text: str) -> list[str]:
    if not _ready:
        init()
    import jieba

    return jieba.lcut(text)


def boundaries(text: str) -> set[int]:
    """Offsets in ``text`` where a word starts or ends."""
    out = {0}
    pos = 0
    for tok in segment(text):
        pos += len(tok)
        out.add(pos)
    return out


_pos = None


def pos_tags(text: str, hmm: bool = True) -> list[tuple[str, str]]:
    """(word, part of speech) with jieba's own dictionary only: the corpus vocabulary taught to the
    segmenter above is tagged as nouns, which would hide its verbs (投资, 建设). ``hmm=False``: the
    dictionary's words only, no guessed ones (about six times faster)."""
    global _pos
    if _pos is None:
        with _lock:
            if _pos is None:
                import jieba
                import jieba.posseg as pseg

                tok = jieba.Tokenizer()
                tok.initialize()
                _pos = pseg.POSTokenizer(tok)
    return [(p.word, p.flag) for p in _pos.cut(text, HMM=hmm)]


@lru_cache(maxsize=8192)
def word_class(word: str) -> str:
    """jieba's part of speech of a word it reads as one word ("能耗" -> "n", "保住" -> "v"), else ""."""
    tags = pos_tags(word)
    return tags[0][1] if len(tags) == 1 else ""
