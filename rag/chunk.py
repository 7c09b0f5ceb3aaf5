"""Chunk stage: ``Paragraph``s -> ``Chunk``s to embed (pure and deterministic).

Every sentence of a paragraph becomes one chunk, prefixed by its subsection title so a
sentence such as "新建5g基站900座" keeps its context ("高水平打造智慧城市"). A piece longer than
the model's limit is cut into overlapping windows: nothing is silently truncated. Ids derive
from the source, the line, the offsets and the text, so the same inputs give the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from .text import sentences
from .types import Chunk, Paragraph

TokenCounter = Callable[[str], int]


def char_tokens(text: str) -> int:
    """An upper bound of BERT-Chinese tokens (one per character, plus [CLS]/[SEP])."""
    return len(text) + 2


def chunk_id(source: str, line: int, start: int, end: int, text: str) -> str:
    key = f"{source}\x00{line}\x00{start}\x00{end}\x00{text}".encode()
    return hashlib.sha1(key).hexdigest()[:16]


def _context(p: Paragraph, sentence: str) -> str:
    title = p.title
    if not title or sentence.startswith(title) or p.kind == "title":
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
        # step back by roughly `overlap` tokens worth of characters
        back = 0
        while back < (j - i) // 2 and count(text[j - back - 1 : j]) <= overlap:
            back += 1
        i = max(i + 1, j - back)
    return spans


def chunk_paragraph(
    p: Paragraph, *, max_tokens: int = 256, overlap_tokens: int = 32, count: TokenCounter = char_tokens
) -> list[Chunk]:
    if p.kind == "title":
        return []
    chunks: list[Chunk] = []
    for s in sentences(p.text):
        text = _context(p, s.text)
        if count(text) <= max_tokens:
            chunks.append(Chunk(chunk_id(p.source, p.line, s.start, s.end, text), p.source, p.line,
                                "sentence", s.start, s.end, text))
            continue
        for a, b in _windows(s.text, s.start, max_tokens, overlap_tokens, count):
            piece = p.text[a:b]
            chunks.append(Chunk(chunk_id(p.source, p.line, a, b, piece), p.source, p.line, "window", a, b, piece))
    return chunks


def chunk_paragraphs(paragraphs: Iterable[Paragraph], **kwargs) -> list[Chunk]:
    out: list[Chunk] = []
    for p in paragraphs:
        out.extend(chunk_paragraph(p, **kwargs))
    return out
