"""The embedders: the query path (transformers alone) equals sentence-transformers' own encode."""

from __future__ import annotations

import numpy as np
import pytest

from rag.embed import HashEmbedder, SentenceTransformerEmbedder, bundled_model_path
from rag.errors import ModelError

QUERIES = ["今年要建多少5G基站？", "社零增长目标", "How many new jobs?", "暖气管道改造多少公里" * 3, "x"]


@pytest.mark.slow
@pytest.mark.parametrize("int8", [False, True])
def test_query_path_matches_sentence_transformers(int8):
    fast = SentenceTransformerEmbedder(int8=int8)
    fast_vecs = [fast.encode_query(q) for q in QUERIES]  # loads transformers only
    assert fast._model is None
    ref = SentenceTransformerEmbedder(int8=int8)
    # one at a time: int8 dynamic quantization scales activations per batch
    ref_vecs = [ref.model.encode([q], normalize_embeddings=True)[0] for q in QUERIES]
    for a, b in zip(fast_vecs, ref_vecs, strict=True):
        assert a.shape == (512,) and a.dtype == np.float32
        assert float(a @ b) > 0.9999
        assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-5


@pytest.mark.slow
def test_int8_stays_close_to_the_float_model():
    f, q = SentenceTransformerEmbedder(int8=False), SentenceTransformerEmbedder(int8=True)
    assert q.name == "m3e-small+int8" and f.name == "m3e-small"
    for text in QUERIES:
        assert float(f.encode_query(text) @ q.encode_query(text)) > 0.97


def test_missing_model_names_the_fix():
    with pytest.raises(ModelError, match="reinstall|pip install"):
        bundled_model_path("no-such-model")


def test_hash_embedder_is_deterministic_and_normalised():
    e = HashEmbedder()
    a, b = e.encode_passages(["新建5g基站900座", "新建5g基站900座"])
    assert np.allclose(a, b) and abs(np.linalg.norm(a) - 1) < 1e-6
    assert e.encode_passages([]).shape == (0, e.dim)
