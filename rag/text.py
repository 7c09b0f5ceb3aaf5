"""Text utilities shared by every stage: normalisation for matching, sentence and clause
splitting with offsets, language detection.

Matching is insensitive to case and to full/half width (the report writes ``5g``); the
normalisation keeps one character per character so offsets stay valid in the original text.
Figures live in ``rag.figures``; the grounding check in ``rag.grounding``; what a user types is
normalised by ``rag.normalize``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
# Markup pasted in with a question: a script or style element whole, then any tag.
_MARKUP_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_MARKUP_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*)?/?>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")

# Sentence ends inside a paragraph. Semicolons end a sentence too: reports string whole
# programmes together with them.
SENTENCE_END = "。！？；!?;"
# Clause boundaries inside a sentence.
CLAUSE_END = SENTENCE_END + "，,：:"

# Common abbreviations users type inside Chinese questions; they do not make a question English.
_ABBREVIATIONS = {"gdp", "cpi", "g", "ai", "k", "n", "ppi", "pm", "km", "app", "gdp's"}


class _NormTable(dict):
    """ord -> normalised character, filled on first sight (``str.translate`` asks ``__missing__``)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        n = unicodedata.normalize("NFKC", ch)
        self[code] = out = n.lower() if len(n) == 1 else ch.lower()
        return out


_NORM = _NormTable()


def normalize(text: str) -> str:
    """Full width -> half width, lower case, one output character per input character."""
    return text.translate(_NORM)


def clean_input(text: str) -> str:
    """Strip control and zero-width characters and collapse whitespace (user input only)."""
    text = _CONTROL.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def strip_markup(text: str) -> str:
    """The question without markup pasted in with it (``<b>社零</b>增长目标``, a ``<script>`` element),
    for reading it; what is shown and stored stays as submitted. A tag between Latin words leaves a
    space, between Chinese none."""
    text = _MARKUP_TAG.sub("\x00", _MARKUP_BLOCK.sub("\x00", text))
    text = re.sub(r"(?<=[A-Za-z0-9])\x00+(?=[A-Za-z0-9])", " ", text).replace("\x00", "")
    return re.sub(r"\s+", " ", text).strip()


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def english_words(text: str) -> list[str]:
    return [w.lower() for w in _LATIN_WORD.findall(text) if w.lower() not in _ABBREVIATIONS]


def detect_language(text: str) -> str:
    """'en' when the question is written in English (Chinese characters few or absent), else 'zh'."""
    words = english_words(text)
    cjk = cjk_count(text)
    if not words:
        return "zh"
    if cjk == 0:
        return "en"
    return "en" if len(words) >= 3 and cjk <= 2 * len(words) else "zh"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def _split(text: str, enders: str) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in enders:
            if text[start : i + 1].strip():
                spans.append(Span(start, i + 1, text[start : i + 1]))
            start = i + 1
    if start < len(text) and text[start:].strip():
        spans.append(Span(start, len(text), text[start:]))
    return spans


def sentences(text: str) -> list[Span]:
    """Sentences with offsets; the terminator stays with its sentence."""
    return _split(text, SENTENCE_END)


def clauses(text: str) -> list[Span]:
    """Clauses with offsets (split at commas, colons and sentence ends)."""
    return _split(text, CLAUSE_END)


def strip_punct(text: str) -> str:
    return text.strip().strip(CLAUSE_END + "、 ")
