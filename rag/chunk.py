"""Chunk stage: ``Paragraph``s -> ``Passage``s (retrieval units) and ``Chunk``s (what is embedded).

A passage is a block of a paragraph: a whole short paragraph, or one subsection of a long one
(``structure.blocks``). Every sentence of a passage becomes one chunk, prefixed by the
passage's title so that "新建5g基站900座" keeps its context ("高水平打造智慧城市"). A sentence
longer than the model's limit is cut into overlapping windows: nothing is silently truncated.
Ids derive from the source, the line, the offsets and the text, so the same inputs give the
same ids. Pure and deterministic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from .structure import blocks
from .text import sentences
from .types import Chunk, Paragraph, Passage

TokenCounter = Callable[[str], int]

#: Paragraph kinds that are retrieved and embedded (addresses and bare headings are not: their
#: words reach the passages below them through the section path). The masthead (title, occasion,
#: speaker) answers "when was the report delivered, by whom".
INDEXED_KINDS = frozenset({"title", "masthead", "text", "section", "glossary"})


def char_tokens(text: str) -> int:
    """An upper bound of BERT-Chinese tokens (one per character, plus [CLS]/[SEP])."""
    return len(text) + 2


def chunk_id(source: str, line: int, start: int, end: int, text: str) -> str:
    key = f"{source}\x00{line}\x00{start}\x00{end}\x00{text}".encode()
    return hashlib.sha1(key).hexdigest()[:16]


def passages_of(p: Paragraph, max_chars: int = 600) -> list[Passage]:
    if p.kind not in INDEXED_KINDS:
        return []
    out = []
    for start, end, title in blocks(p.text, max_chars=max_chars):
        section = p.section + ((title,) if title and p.section[-1:] != (title,) else ())
        out.append(Passage(p.source, p.line, start, end, title or p.title, section, p.role, p.years,
                           p.text[start:end]))
    return out


def passages(paragraphs: Iterable[Paragraph]) -> list[Passage]:
    out: list[Passage] = []
    for p in paragraphs:
        out.extend(passages_of(p))
    return out


def _context(title: str, sentence: str) -> str:
    if not title or sentence.startswith(title):
        return sentence
    return f"{title}：{sentence}"


def _windows(text: str, start: int, limit: int, overlap: int, count: TokenCounter) -> list[tuple[int, int]]:
    """Overlapping [start, end) character windows of ``text`` each within ``limit`` tokens."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        j = len(text)
        while count(text[i:j]) > limit and j > i + 1:
            j = i + max(1, int((j - i) * 0.9))
        spans.append((start + i, start + j))
        if j >= len(text):
            break
        back = 0  # step back by roughly `overlap` tokens worth of characters
        while back < (j - i) // 2 and count(text[j - back - 1 : j]) <= overlap:
            back += 1
        i = max(i + 1, j - back)
    return spans


def chunk_passage(ps: Passage, paragraph_text: str, *, max_tokens: int = 256, overlap_tokens: int = 32,
                  count: TokenCounter = char_tokens) -> list[Chunk]:
    chunks: list[Chunk] = []
    for s in sentences(ps.text):
        a, b = ps.start + s.start, ps.start + s.end
        text = _context(ps.title, s.text)
        if count(text) <= max_tokens:
            chunks.append(Chunk(chunk_id(ps.source, ps.line, a, b, text), ps.source, ps.line, "sentence", a, b, text))
            continue
        for wa, wb in _windows(s.text, a, max_tokens, overlap_tokens, count):
            piece = paragraph_text[wa:wb]
            chunks.append(Chunk(chunk_id(ps.source, ps.line, wa, wb, piece), ps.source, ps.line, "window", wa, wb,
                                piece))
    return chunks


def chunk_paragraphs(paragraphs: Iterable[Paragraph], **kwargs) -> list[Chunk]:
    out: list[Chunk] = []
    for p in paragraphs:
        for ps in passages_of(p):
            out.extend(chunk_passage(ps, p.text, **kwargs))
    return out
