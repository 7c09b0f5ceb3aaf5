"""Text utilities shared by every stage: normalisation for matching, sentence and clause
splitting with offsets, figures (numbers with unit and qualifier), language detection.

Matching is insensitive to case and to full/half width (the report writes ``5g``); the
normalisation keeps one character per character so offsets stay valid in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")

# Sentence ends inside a paragraph. Semicolons end a sentence too: the report strings whole
# programmes together with them.
_SENT_END = "。！？；!?;"
# Clause boundaries inside a sentence.
_CLAUSE_END = _SENT_END + "，,：:"

# A figure: a number, optionally a space-broken sequence from the scraping artifact is NOT
# merged (we never invent the lost '+').
NUMBER = re.compile(r"(?<![a-z\d.])\d+(?:\.\d+)?(?![a-z\d])", re.IGNORECASE)  # "5g", "n1" are names
# A figure with its magnitude/unit and qualifier as written, e.g. 5.5%左右, 2万人以上, 103.4公里.
_UNIT = (
    r"(?:%|‰|[万亿千百]*(?:亿元|万元|元|万吨|吨|万亩|亩|公顷|平方公里|公里|千米|米|万人|人次|人|万户|户|"
    r"场次|场|家|座|个|项|件|所|条|次|名|张|台|艘|套|处|批|期|年|天|小时|倍|平方米|千瓦|万千瓦|"
    r"[万亿千百]))?"
)
FIGURE = re.compile(r"(?<![a-z\d.])\d+(?:\.\d+)?(?![a-z\d])" + _UNIT + r"(?:左右|以上|以下|以内|多|余)?", re.IGNORECASE)

# Common English abbreviations users type inside Chinese questions; they do not make a question English.
_ABBREVIATIONS = {"gdp", "cpi", "g", "ai", "k", "n", "ppi", "pm", "km"}


def normalize(text: str) -> str:
    """Full width -> half width, lower case, one output character per input character."""
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n.lower() if len(n) == 1 else ch.lower())
    return "".join(out)


def clean_input(text: str) -> str:
    """Strip control and zero-width characters and collapse whitespace (user input only)."""
    text = _CONTROL.sub(" ", text)
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
    return _split(text, _SENT_END)


def clauses(text: str) -> list[Span]:
    """Clauses with offsets (split at commas, colons and sentence ends)."""
    return _split(text, _CLAUSE_END)


def strip_punct(text: str) -> str:
    return text.strip().strip(_CLAUSE_END + "、 ")


# Counts written in Chinese numerals: 九大工程, 十个方面, 第三轮, 六个注重.
CN_FIGURE = re.compile(r"第?[一二三四五六七八九十两百千]+(?:大|个|项|轮|类|件|条|批|方面|注重|张|支)")


_QUOTED = re.compile(r"“[^”]{0,20}”")


def figures(text: str) -> list[str]:
    """Figures as written, e.g. ['5.5%左右', '3.3万人']; Chinese-numeral counts last (['九大']).

    A bare number inside quotation marks is a name, not a figure (“1 6”项目推进体系).
    """
    names = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    out = []
    for m in FIGURE.finditer(text):
        bare = m.group(0).replace(".", "").isdigit()
        if bare and any(a <= m.start() < b for a, b in names):
            continue
        out.append(m.group(0))
    return out + [m.group(0) for m in CN_FIGURE.finditer(text)]


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


_CITATION_MARK = re.compile(r"\[\d+\]")
_LINE_REF = re.compile(r"(?:第\s*\d+\s*行|\b[Ll]ine\s+\d+|\bL\d+\b)")


def unsupported_figures(text: str, quotes: list[str]) -> list[str]:
    """Numbers in ``text`` that appear in none of ``quotes`` (citation marks and line refs excluded).

    This is the grounding contract: an answer may only contain figures that a cited quote
    contains verbatim. Numbers are compared as whole tokens (``5`` is not found in ``5.5``).
    """
    body = _LINE_REF.sub(" ", _CITATION_MARK.sub(" ", text))
    allowed: set[str] = set()
    for q in quotes:
        allowed.update(numbers(normalize(q)))
    return [n for n in numbers(normalize(body)) if n not in allowed]
