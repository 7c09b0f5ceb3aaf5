"""Store stage: build, save and load an index folder (no pickle anywhere).

Layout of ``index/``::

    manifest.json    model + version + dimensions, chunking parameters, sha256 of every source
                     and of every file below, build time; written LAST
    chunks.jsonl     one Chunk per line, in vector order
    vectors.faiss    FAISS IndexFlatIP over L2-normalised m3e-small vectors (score = cosine)
    xvectors.faiss   the same chunks embedded by the cross-lingual encoder (optional)
    cedict_en.json   English -> report words derived from CC-CEDICT for these sources

Writes are atomic per file (temp file + ``os.replace``) and the manifest, which carries the
hash of every other file, is replaced last: an interrupted build leaves either the old
consistent index or files whose hashes do not match the manifest, which loading detects.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .chunk import chunk_paragraphs
from .config import Settings
from .embed import Embedder
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .types import Chunk, Document

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
VECTORS = "vectors.faiss"
XVECTORS = "xvectors.faiss"
CEDICT = "cedict_en.json"
REBUILD_HINT = "rebuild it with: rag index --force"


@dataclass
class StoredIndex:
    manifest: dict[str, Any]
    chunks: list[Chunk]
    vectors: Any  # faiss.Index
    xvectors: Any | None
    cedict: dict[str, list[str]]

    def __repr__(self) -> str:
        return f"StoredIndex({len(self.chunks)} chunks, model={self.manifest['model']['name']})"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def build_lock(index_dir: Path):
    """One build at a time per index folder (a second builder waits)."""
    import fcntl

    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _faiss_bytes(vectors: np.ndarray) -> bytes:
    import faiss

    index = faiss.IndexFlatIP(int(vectors.shape[1]))
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return faiss.serialize_index(index).tobytes()


def _faiss_from_bytes(data: bytes):
    import faiss

    return faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))


def expected_sources(documents: list[Document]) -> list[dict[str, Any]]:
    return [{"file": d.source, "sha256": d.sha256, "paragraphs": len(d.paragraphs)} for d in documents]


def build(
    documents: list[Document],
    settings: Settings,
    embedder: Embedder,
    xembedder: Embedder | None = None,
    *,
    progress: bool = False,
) -> dict[str, Any]:
    """Chunk, embed and write the index folder. Returns the manifest."""
    started = time.perf_counter()
    index_dir = settings.index_dir
    paragraphs = [p for d in documents for p in d.paragraphs]
    chunks = chunk_paragraphs(paragraphs, max_tokens=settings.max_tokens,
                              overlap_tokens=settings.window_overlap_tokens, count=embedder.count_tokens)
    texts = [c.text for c in chunks]
    longest = max((embedder.count_tokens(t) for t in texts), default=0)
    if longest > embedder.max_tokens:  # the chunker guarantees this; refuse rather than truncate
        raise IndexCorruptError(f"a chunk has {longest} tokens, over the model limit {embedder.max_tokens}")
    vectors = embedder.encode_passages(texts, progress=progress)
    from .cedict import derive

    cedict = derive([p.text for p in paragraphs])
    files: dict[str, bytes] = {
        CEDICT: json.dumps(cedict, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        CHUNKS: "".join(json.dumps(c.to_json(), ensure_ascii=False) + "\n" for c in chunks).encode("utf-8"),
        VECTORS: _faiss_bytes(vectors),
    }
    xinfo = None
    if xembedder is not None:
        xvectors = xembedder.encode_passages(texts, progress=progress)
        files[XVECTORS] = _faiss_bytes(xvectors)
        xinfo = {"name": xembedder.name, "version": xembedder.version(), "dim": int(xvectors.shape[1])}
    manifest = {
        "format": FORMAT,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(time.perf_counter() - started, 2),
        "model": {"name": embedder.name, "version": embedder.version(), "dim": int(vectors.shape[1]),
                  "max_tokens": embedder.max_tokens},
        "xling_model": xinfo,
        "params": settings.index_params(),
        "sources": expected_sources(documents),
        "counts": {"paragraphs": len(paragraphs), "chunks": len(chunks), "cedict_entries": len(cedict),
                   "windows": sum(c.kind == "window" for c in chunks), "longest_chunk_tokens": longest},
        "files": {name: {"sha256": _sha256(data), "bytes": len(data)} for name, data in files.items()},
    }
    with build_lock(index_dir):
        stale = index_dir / MANIFEST
        if stale.exists():  # invalidate first: a crash below leaves no manifest that vouches for new files
            stale.unlink()
        for name, data in files.items():
            _atomic_write(index_dir / name, data)
        if xembedder is None and (index_dir / XVECTORS).exists():
            (index_dir / XVECTORS).unlink()
        _atomic_write(index_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    log.info("index built: %d chunks in %.1fs", len(chunks), manifest["build_seconds"])
    return manifest


def read_manifest(index_dir: Path) -> dict[str, Any]:
    path = index_dir / MANIFEST
    if not path.exists():
        raise IndexMissingError(f"no index in {index_dir}; build it with: rag index")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError("unknown manifest format")
        manifest["files"], manifest["model"], manifest["params"], manifest["sources"]  # noqa: B018
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"index manifest {path} is damaged ({exc}); {REBUILD_HINT}") from exc
    return manifest


def check_fresh(manifest: dict[str, Any], documents: list[Document], settings: Settings,
                embedder: Embedder, xembedder: Embedder | None) -> None:
    """Raise IndexStaleError when the index was built from other sources, model or parameters."""
    if manifest["sources"] != expected_sources(documents):
        raise IndexStaleError(f"the index was built from other sources than {settings.seeds_dir}; {REBUILD_HINT}")
    model = manifest["model"]
    if model.get("name") != embedder.name or model.get("version") != embedder.version():
        raise IndexStaleError(
            f"the index was built with model {model.get('name')} ({model.get('version')}), "
            f"not {embedder.name} ({embedder.version()}); {REBUILD_HINT}"
        )
    if manifest["params"] != settings.index_params():
        raise IndexStaleError(f"the index was built with other parameters; {REBUILD_HINT}")
    xinfo = manifest.get("xling_model")
    want = None if xembedder is None else (xembedder.name, xembedder.version())
    have = None if not xinfo else (xinfo.get("name"), xinfo.get("version"))
    if want != have:
        raise IndexStaleError(f"the index was built with cross-lingual model {have}, not {want}; {REBUILD_HINT}")


def _read_verified(index_dir: Path, name: str, manifest: dict[str, Any]) -> bytes:
    entry = manifest["files"].get(name)
    if entry is None:
        raise IndexCorruptError(f"the manifest does not list {name}; {REBUILD_HINT}")
    try:
        data = (index_dir / name).read_bytes()
    except OSError as exc:
        raise IndexCorruptError(f"index file {name} is missing or unreadable ({exc}); {REBUILD_HINT}") from exc
    if len(data) != entry.get("bytes") or _sha256(data) != entry.get("sha256"):
        raise IndexCorruptError(f"index file {name} is damaged (checksum mismatch); {REBUILD_HINT}")
    return data


def load(index_dir: Path, documents: list[Document], settings: Settings, embedder: Embedder,
         xembedder: Embedder | None = None) -> StoredIndex:
    """Load and verify an index; raise a RagError subclass naming the fix on any problem."""
    manifest = read_manifest(index_dir)
    check_fresh(manifest, documents, settings, embedder, xembedder)
    raw_chunks = _read_verified(index_dir, CHUNKS, manifest)
    try:
        chunks = [Chunk(**json.loads(line)) for line in raw_chunks.decode("utf-8").splitlines() if line]
    except (ValueError, TypeError) as exc:
        raise IndexCorruptError(f"{CHUNKS} is damaged ({exc}); {REBUILD_HINT}") from exc
    try:
        cedict = json.loads(_read_verified(index_dir, CEDICT, manifest).decode("utf-8"))
    except ValueError as exc:
        raise IndexCorruptError(f"{CEDICT} is damaged ({exc}); {REBUILD_HINT}") from exc
    try:
        vectors = _faiss_from_bytes(_read_verified(index_dir, VECTORS, manifest))
        xvectors = (_faiss_from_bytes(_read_verified(index_dir, XVECTORS, manifest))
                    if manifest.get("xling_model") else None)
    except IndexCorruptError:
        raise
    except Exception as exc:  # faiss raises RuntimeError on a bad buffer
        raise IndexCorruptError(f"a vector file is damaged ({exc}); {REBUILD_HINT}") from exc
    if vectors.ntotal != len(chunks) or vectors.d != manifest["model"]["dim"]:
        raise IndexCorruptError(f"{VECTORS} does not match {CHUNKS}; {REBUILD_HINT}")
    if xvectors is not None and xvectors.ntotal != len(chunks):
        raise IndexCorruptError(f"{XVECTORS} does not match {CHUNKS}; {REBUILD_HINT}")
    lines = {(d.source, p.line) for d in documents for p in d.paragraphs}
    if any((c.source, c.line) not in lines for c in chunks):
        raise IndexStaleError(f"{CHUNKS} points at lines the sources do not have; {REBUILD_HINT}")
    return StoredIndex(manifest, chunks, vectors, xvectors, cedict)
