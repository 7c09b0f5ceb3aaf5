"""Chunking: deterministic ids, offsets that map back, nothing over the model's limit."""

from __future__ import annotations

import json

import pytest

from rag.chunk import chunk_paragraph, chunk_paragraphs
from rag.ingest import load_document
from rag.types import Paragraph
from tests.conftest import SOURCE


@pytest.fixture(scope="module")
def paragraphs():
    return load_document(SOURCE).paragraphs


def test_ids_are_deterministic_and_unique(paragraphs):
    a = chunk_paragraphs(paragraphs)
    b = chunk_paragraphs(load_document(SOURCE).paragraphs)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)


def test_ids_change_with_content():
    p = Paragraph("x.txt", 2, "subsection", ("s", "t"), "标题", "标题。内容一。")
    q = Paragraph("x.txt", 2, "subsection", ("s", "t"), "标题", "标题。内容二。")
    assert {c.id for c in chunk_paragraph(p)} != {c.id for c in chunk_paragraph(q)}


def test_offsets_point_into_the_paragraph_and_cover_it(paragraphs):
    for p in paragraphs:
        chunks = chunk_paragraph(p)
        covered = set()
        for c in chunks:
            piece = p.text[c.start:c.end]
            assert piece and piece in c.text  # the embedded text carries the original piece
            covered.update(range(c.start, c.end))
        if p.kind != "title":
            assert covered == set(range(len(p.text)))  # nothing dropped


def test_sentences_carry_their_subsection_title(paragraphs):
    p = next(p for p in paragraphs if p.line == 29)
    texts = [c.text for c in chunk_paragraph(p)]
    assert "高水平打造智慧城市：新建5g基站900座,筑牢数字威海建设根基。" in texts


def test_long_sentences_become_overlapping_windows():
    text = "很长的句子" * 200 + "。"
    p = Paragraph("x.txt", 3, "preamble", ("a", "b"), "b", text)
    chunks = chunk_paragraph(p, max_tokens=128, overlap_tokens=16)
    assert len(chunks) > 1 and all(c.kind == "window" for c in chunks)
    assert all(len(c.text) + 2 <= 128 for c in chunks)
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start < a.end  # overlap: nothing falls between windows


@pytest.mark.slow
def test_no_indexed_text_exceeds_the_model_limit(built_index):
    from rag.embed import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder()
    manifest = json.loads((built_index / "manifest.json").read_text())
    chunks = [json.loads(line) for line in (built_index / "chunks.jsonl").read_text().splitlines()]
    lengths = [emb.count_tokens(c["text"]) for c in chunks]
    assert max(lengths) <= manifest["params"]["max_tokens"] <= 512
    assert manifest["counts"]["longest_chunk_tokens"] == max(lengths)
    # the longest paragraph (535 tokens) is over the limit: it must have been split, not cut
    assert manifest["counts"]["chunks"] > manifest["counts"]["paragraphs"]


@pytest.mark.slow
def test_advert_absent_from_the_index(built_index):
    for name in ("chunks.jsonl", "cedict_en.json", "manifest.json"):
        text = (built_index / name).read_text(encoding="utf-8")
        assert "凯发" not in text and "k8国际" not in text
