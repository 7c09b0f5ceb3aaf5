"""Chunking: passages (blocks of paragraphs), deterministic ids, offsets that map back, nothing over
the model's limit and nothing cut off."""

from __future__ import annotations

import json

import pytest

from rag.chunk import chunk_paragraphs, chunk_passage, passages, passages_of
from rag.ingest import load_document
from rag.text import sentences
from rag.types import Paragraph
from tests.conftest import SEEDS, SOURCE


@pytest.fixture(scope="module")
def paragraphs():
    return load_document(SOURCE).paragraphs


def test_ids_are_deterministic_and_unique(paragraphs):
    a = chunk_paragraphs(paragraphs)
    b = chunk_paragraphs(load_document(SOURCE).paragraphs)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)


def test_ids_change_with_content():
    p = Paragraph("x.txt", 2, "text", "tasks", ("s", "t"), "标题", "标题。内容一。", (2025,))
    q = Paragraph("x.txt", 2, "text", "tasks", ("s", "t"), "标题", "标题。内容二。", (2025,))
    assert {c.id for c in chunk_paragraphs([p])} != {c.id for c in chunk_paragraphs([q])}


@pytest.mark.parametrize("name", [p.name for p in sorted(SEEDS.glob("*.txt"))])
def test_passages_and_chunks_cover_every_indexed_paragraph(name):
    for p in load_document(SEEDS / name).paragraphs:
        ps = passages_of(p)
        if not ps:
            continue
        assert ps[0].start == 0 and ps[-1].end == len(p.text)  # blocks tile the paragraph
        assert all(a.end == b.start for a, b in zip(ps, ps[1:], strict=False))
        covered = set()
        for c in chunk_paragraphs([p]):
            piece = p.text[c.start:c.end]
            assert piece and piece in c.text  # the embedded text carries the original piece
            covered.update(range(c.start, c.end))
        assert covered == set(range(len(p.text))), (name, p.line)  # nothing dropped


def test_sentences_carry_their_block_title(paragraphs):
    p = next(p for p in paragraphs if p.line == 29)
    texts = [c.text for c in chunk_paragraphs([p])]
    assert "高水平打造智慧城市：新建5G基站900座,筑牢数字威海建设根基。" in texts


def test_long_paragraphs_are_split_into_titled_passages():
    d = load_document(SEEDS / "shandong-2026-government-work-report.txt")
    ps = passages([p for p in d.paragraphs if p.line == 47])
    assert len(ps) >= 5 and "全力释放消费潜能" in [x.title for x in ps]
    assert all(len(x.text) < 800 for x in ps)


def test_a_sentence_over_the_limit_is_windowed_not_cut():
    long_sentence = "，".join(f"推进第{i}项重点工程建设并完成年度投资任务" for i in range(60)) + "。"
    text = "标题。" + long_sentence + "其后一句。"
    p = Paragraph("x.txt", 3, "text", "tasks", ("a", "b"), "标题", text, (2025,))
    chunks = [c for ps in passages_of(p) for c in chunk_passage(ps, text, max_tokens=128, overlap_tokens=16)]
    windows = [c for c in chunks if c.kind == "window"]
    s = next(s for s in sentences(text) if len(s.text) > 128)
    assert len(windows) > 1 and all(len(c.text) + 2 <= 128 for c in windows)
    assert windows[0].start == s.start and windows[-1].end == s.end  # the whole sentence is covered
    for a, b in zip(windows, windows[1:], strict=False):
        assert b.start < a.end  # overlap: nothing falls between windows
    assert [c.kind for c in chunks].count("sentence") == 2  # the short sentences stay whole


@pytest.mark.slow
def test_no_indexed_text_exceeds_the_model_limit(built_index):
    from rag.embed import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder()
    manifest = json.loads((built_index / "manifest.json").read_text())
    for entry in manifest["documents"]:
        seg = built_index / "docs" / entry["segment"]
        meta = json.loads((seg / "segment.json").read_text())
        chunks = [json.loads(line) for line in (seg / "chunks.jsonl").read_text().splitlines()]
        lengths = [emb.count_tokens(c["text"]) for c in chunks]
        assert max(lengths) <= manifest["params"]["max_tokens"] <= 512
        assert meta["counts"]["longest_chunk_tokens"] == max(lengths)


@pytest.mark.slow
def test_advert_absent_from_the_index(built_index):
    for f in built_index.rglob("*.json*"):
        text = f.read_text(encoding="utf-8")
        assert "凯发" not in text and "k8国际" not in text
