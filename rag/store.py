"""Store stage: build, save and load an index folder, one segment per document (no pickle anywhere).

Layout of ``index/``::

    manifest.json                 format, models and versions, parameters, the documents (file, sha256,
                                  segment, metadata) and the hash of every segment's own manifest,
                                  build time; written LAST
    docs/<stem>.<sha12>.<params8>/
        segment.json              counts and the sha256 of every file below
        chunks.jsonl              one Chunk per line, in vector order
        vectors.npy               float32 [chunks × 512], L2-normalised m3e-small vectors (cosine = dot)
        xvectors.npy              the same chunks embedded by the cross-lingual encoder (optional)
        figures.jsonl             the document's figure records (``rag.figures``)
        cedict_en.json            English -> the document's words, derived from CC-CEDICT
    ann.faiss, xann.faiss         only above ``Settings.flat_max_chunks``: HNSW graphs over all vectors
                                  (m3e) and all cross-lingual vectors (e5)

A segment's name carries the document's hash and the parameters' fingerprint, so adding a report
embeds only that report and reuses the other segments as they are; removing one drops its
segment. Writes are atomic per file; the top manifest, which carries the hash of every segment
manifest, is replaced last: an interrupted build leaves either the old consistent index or files
whose hashes do not match, which loading detects and reports with the command that fixes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .chunk import chunk_passage, passages_of
from .config import Settings
from .embed import Embedder
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .types import Chunk, Document, Figure

log = logging.getLogger(__name__)

FORMAT = 2
MANIFEST = "manifest.json"
DOCS = "docs"
SEGMENT = "segment.json"
CHUNKS = "chunks.jsonl"
VECTORS = "vectors.npy"
XVECTORS = "xvectors.npy"
FIGURES = "figures.jsonl"
CEDICT = "cedict_en.json"
ANN = "ann.faiss"
XANN = "xann.faiss"
REBUILD_HINT = "rebuild it with: rag index --force"


@dataclass
class StoredIndex:
    manifest: dict[str, Any]
    chunks: list[Chunk]
    vectors: np.ndarray  # float32 [N, d], rows L2-normalised
    xvectors: np.ndarray | None
    figures: list[Figure]
    cedict: dict[str, list[str]]
    ann: Any | None = None  # a FAISS index over ``vectors`` for large corpora (None: exact search)
    segments: dict[str, str] = field(default_factory=dict)  # source -> segment folder name
    xann: Any | None = None  # the same over ``xvectors``

    def __repr__(self) -> str:
        return f"StoredIndex({len(self.chunks)} chunks, {len(self.segments)} documents)"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
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


_held_locks: set[str] = set()


@contextlib.contextmanager
def build_lock(index_dir: Path):
    """One build at a time per index folder, across processes (a second builder waits, then finds
    the work done). Re-entrant within a process."""
    import fcntl

    key = str(Path(index_dir).resolve())
    if key in _held_locks:
        yield
        return
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        _held_locks.add(key)
        try:
            yield
        finally:
            _held_locks.discard(key)
            fcntl.flock(f, fcntl.LOCK_UN)


def _npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(a, dtype=np.float32), allow_pickle=False)
    return buf.getvalue()


def _npy_from(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


def model_info(embedder: Embedder | None) -> dict[str, Any] | None:
    if embedder is None:
        return None
    return {"name": embedder.name, "version": embedder.version(), "dim": embedder.dim, "max_tokens": embedder.max_tokens}


#: The modules whose code decides what a segment holds (structure, chunks, figure records, dictionary):
#: a change to any of them makes every segment stale, so an upgraded product never serves records
#: extracted by older code.
SEGMENT_CODE = ("clean.py", "structure.py", "chunk.py", "figures.py", "cedict.py", "text.py")


def code_version() -> str:
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in SEGMENT_CODE:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:12]


def fingerprint(settings: Settings, embedder: Embedder, xembedder: Embedder | None) -> str:
    """What a segment's content depends on besides its document: models, chunking parameters and
    the code that parses and extracts (``SEGMENT_CODE``)."""
    key = json.dumps({"params": settings.index_params(), "model": model_info(embedder),
                      "xling": model_info(xembedder), "code": code_version()}, sort_keys=True)
    return _sha256(key.encode())[:8]


def segment_name(doc: Document, fp: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in Path(doc.source).stem)[:60]
    return f"{stem}.{doc.sha256[:12]}.{fp}"


def _doc_entry(doc: Document, segment: str, seg_manifest: bytes) -> dict[str, Any]:
    return {"file": doc.source, "sha256": doc.sha256, "segment": segment,
            "segment_sha256": _sha256(seg_manifest), **{k: v for k, v in doc.metadata().items() if k != "source"}}


def _build_segment(doc: Document, settings: Settings, embedder: Embedder, xembedder: Embedder | None,
                   progress: bool) -> dict[str, bytes]:
    """Chunk, embed and extract one document: the files of its segment."""
    from .cedict import derive
    from .figures import extract

    chunks: list[Chunk] = []
    figures: list[Figure] = []
    for p in doc.paragraphs:
        for ps in passages_of(p):
            chunks.extend(chunk_passage(ps, p.text, max_tokens=settings.max_tokens,
                                        overlap_tokens=settings.window_overlap_tokens, count=embedder.count_tokens))
            figures.extend(extract(ps, doc.place))
    texts = [c.text for c in chunks]
    longest = max((embedder.count_tokens(t) for t in texts), default=0)
    if longest > embedder.max_tokens:  # the chunker guarantees this; refuse rather than truncate
        raise IndexCorruptError(f"a chunk has {longest} tokens, over the model limit {embedder.max_tokens}")
    vectors = embedder.encode_passages(texts, progress=progress)
    files: dict[str, bytes] = {
        CHUNKS: "".join(json.dumps(c.to_json(), ensure_ascii=False) + "\n" for c in chunks).encode("utf-8"),
        VECTORS: _npy_bytes(vectors.reshape(len(chunks), -1) if len(chunks) else np.zeros((0, embedder.dim))),
        FIGURES: "".join(json.dumps(f.to_json(), ensure_ascii=False) + "\n" for f in figures).encode("utf-8"),
        CEDICT: json.dumps(derive([p.text for p in doc.paragraphs]), ensure_ascii=False, sort_keys=True).encode(),
    }
    if xembedder is not None:
        files[XVECTORS] = _npy_bytes(xembedder.encode_passages(texts, progress=progress).reshape(len(chunks), -1)
                                     if chunks else np.zeros((0, xembedder.dim)))
    files[SEGMENT] = json.dumps({
        "file": doc.source, "sha256": doc.sha256,
        "counts": {"chunks": len(chunks), "figures": len(figures), "windows": sum(c.kind == "window" for c in chunks),
                   "longest_chunk_tokens": longest},
        "files": {name: {"sha256": _sha256(data), "bytes": len(data)} for name, data in files.items()},
    }, ensure_ascii=False, indent=1).encode("utf-8")
    return files


def _segment_ok(folder: Path) -> bytes | None:
    """The segment manifest's bytes when every file it lists is intact, else None."""
    try:
        raw = (folder / SEGMENT).read_bytes()
        meta = json.loads(raw)
        for name, entry in meta["files"].items():
            data = (folder / name).read_bytes()
            if len(data) != entry["bytes"] or _sha256(data) != entry["sha256"]:
                return None
        return raw
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build(documents: list[Document], settings: Settings, embedder: Embedder, xembedder: Embedder | None = None,
          *, progress: bool = False, force: bool = False) -> dict[str, Any]:
    """Write the index folder, embedding only documents without an intact segment. Returns the
    manifest, with ``stats`` saying which documents were embedded and which reused."""
    started = time.perf_counter()
    index_dir = settings.index_dir
    fp = fingerprint(settings, embedder, xembedder)
    with build_lock(index_dir):
        stale = index_dir / MANIFEST
        if stale.exists():  # invalidate first: a crash below leaves no manifest vouching for new files
            stale.unlink()
        entries, embedded, reused = [], [], []
        total_chunks = 0
        for doc in documents:
            name = segment_name(doc, fp)
            folder = index_dir / DOCS / name
            seg = None if force else _segment_ok(folder)
            if seg is None:
                files = _build_segment(doc, settings, embedder, xembedder, progress)
                for fname, data in files.items():
                    if fname != SEGMENT:
                        _atomic_write(folder / fname, data)
                _atomic_write(folder / SEGMENT, files[SEGMENT])  # the segment's own manifest last
                seg = files[SEGMENT]
                embedded.append(doc.source)
            else:
                reused.append(doc.source)
            total_chunks += json.loads(seg)["counts"]["chunks"]
            entries.append(_doc_entry(doc, name, seg))
        keep = {e["segment"] for e in entries}
        if (index_dir / DOCS).is_dir():
            for old in (index_dir / DOCS).iterdir():
                if old.is_dir() and old.name not in keep:
                    shutil.rmtree(old, ignore_errors=True)
        ann_info = xann_info = None
        if total_chunks > settings.flat_max_chunks:
            ann_info = _build_ann(index_dir, entries, settings, VECTORS, ANN)
            if xembedder is not None:
                xann_info = _build_ann(index_dir, entries, settings, XVECTORS, XANN)
        else:
            for name in (ANN, XANN):
                (index_dir / name).unlink(missing_ok=True)
        manifest = {
            "format": FORMAT,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 2),
            "model": model_info(embedder),
            "xling_model": model_info(xembedder),
            "params": settings.index_params(),
            "fingerprint": fp,
            "documents": entries,
            "ann": ann_info,
            "xann": xann_info,
            "counts": {"documents": len(entries), "chunks": total_chunks},
            "stats": {"embedded": embedded, "reused": reused},
        }
        _atomic_write(index_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    log.info("index built: %d documents (%d embedded, %d reused), %d chunks in %.1fs", len(entries), len(embedded),
             len(reused), total_chunks, manifest["build_seconds"])
    return manifest


def hnsw_index(vectors: np.ndarray, settings: Settings):
    """An HNSW graph (inner product) over L2-normalised vectors, with the settings' parameters."""
    import faiss

    index = faiss.IndexHNSWFlat(int(vectors.shape[1]), settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = settings.hnsw_ef_construction
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    index.hnsw.efSearch = settings.hnsw_ef_search
    return index


def _build_ann(index_dir: Path, entries: list[dict[str, Any]], settings: Settings, vectors: str,
               name: str) -> dict[str, Any]:
    """An HNSW graph over every vector of the segments' ``vectors`` files, written to ``name``."""
    import faiss

    vecs = np.concatenate([_npy_from((index_dir / DOCS / e["segment"] / vectors).read_bytes()) for e in entries])
    index = hnsw_index(vecs, settings)
    data = faiss.serialize_index(index).tobytes()
    _atomic_write(index_dir / name, data)
    return {"kind": "hnsw", "m": settings.hnsw_m, "ef_construction": settings.hnsw_ef_construction,
            "ef_search": settings.hnsw_ef_search, "ntotal": int(index.ntotal),
            "sha256": _sha256(data), "bytes": len(data)}


def _load_ann(index_dir: Path, name: str, info: dict[str, Any], settings: Settings, n: int):
    try:
        data = (index_dir / name).read_bytes()
    except OSError as exc:
        raise IndexCorruptError(f"{name} is missing ({exc}); {REBUILD_HINT}") from exc
    if len(data) != info["bytes"] or _sha256(data) != info["sha256"]:
        raise IndexCorruptError(f"{name} is damaged (checksum mismatch); {REBUILD_HINT}")
    import faiss

    ann = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    ann.hnsw.efSearch = settings.hnsw_ef_search
    if ann.ntotal != n:
        raise IndexCorruptError(f"{name} does not match the chunks; {REBUILD_HINT}")
    return ann


def read_manifest(index_dir: Path) -> dict[str, Any]:
    path = index_dir / MANIFEST
    if not path.exists():
        raise IndexMissingError(f"no index in {index_dir}; build it with: rag index")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError("unknown manifest format")
        manifest["documents"], manifest["model"], manifest["params"]  # noqa: B018
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"index manifest {path} is damaged or from an older version ({exc}); "
                                f"{REBUILD_HINT}") from exc
    return manifest


def check_fresh(manifest: dict[str, Any], documents: list[Document], settings: Settings,
                embedder: Embedder, xembedder: Embedder | None) -> None:
    """Raise IndexStaleError when the index was built from other sources, models or parameters."""
    have = [(e["file"], e["sha256"]) for e in manifest["documents"]]
    want = [(d.source, d.sha256) for d in documents]
    if have != want:
        added = sorted({w[0] for w in want} - {h[0] for h in have})
        removed = sorted({h[0] for h in have} - {w[0] for w in want})
        changed = sorted({w[0] for w in want} & {h[0] for h in have} - {w[0] for w in want if w in have})
        detail = "; ".join(x for x in (f"new: {', '.join(added)}" if added else "",
                                       f"removed: {', '.join(removed)}" if removed else "",
                                       f"changed: {', '.join(changed)}" if changed else "") if x)
        raise IndexStaleError(f"the index does not match the reports in {settings.seeds_dir} ({detail or 'order'}); "
                              "update it with: rag index")
    if manifest.get("fingerprint") != fingerprint(settings, embedder, xembedder):
        raise IndexStaleError(f"the index was built with other models or parameters; {REBUILD_HINT}")
    meta = {d.source: {k: v for k, v in d.metadata().items() if k != "source"} for d in documents}
    for e in manifest["documents"]:
        if {k: e.get(k) for k in meta[e["file"]]} != meta[e["file"]]:
            raise IndexStaleError(f"the metadata of {e['file']} changed; update the index with: rag index")


def _read_verified(folder: Path, name: str, files: dict[str, Any]) -> bytes:
    entry = files.get(name)
    if entry is None:
        raise IndexCorruptError(f"the segment {folder.name} does not list {name}; {REBUILD_HINT}")
    try:
        data = (folder / name).read_bytes()
    except OSError as exc:
        raise IndexCorruptError(f"index file {folder.name}/{name} is missing or unreadable ({exc}); {REBUILD_HINT}") from exc
    if len(data) != entry.get("bytes") or _sha256(data) != entry.get("sha256"):
        raise IndexCorruptError(f"index file {folder.name}/{name} is damaged (checksum mismatch); {REBUILD_HINT}")
    return data


def load(index_dir: Path, documents: list[Document], settings: Settings, embedder: Embedder,
         xembedder: Embedder | None = None) -> StoredIndex:
    """Load and verify an index; raise a RagError subclass naming the fix on any problem."""
    manifest = read_manifest(index_dir)
    check_fresh(manifest, documents, settings, embedder, xembedder)
    chunks: list[Chunk] = []
    vectors: list[np.ndarray] = []
    xvectors: list[np.ndarray] = []
    figures: list[Figure] = []
    cedict: dict[str, list[str]] = {}
    segments: dict[str, str] = {}
    lines = {(d.source, p.line) for d in documents for p in d.paragraphs}
    for e in manifest["documents"]:
        folder = index_dir / DOCS / e["segment"]
        try:
            raw = (folder / SEGMENT).read_bytes()
        except OSError as exc:
            raise IndexCorruptError(f"segment {e['segment']} is missing ({exc}); {REBUILD_HINT}") from exc
        if _sha256(raw) != e.get("segment_sha256"):
            raise IndexCorruptError(f"segment {e['segment']} is damaged (checksum mismatch); {REBUILD_HINT}")
        files = json.loads(raw)["files"]
        try:
            seg_chunks = [Chunk(**json.loads(x)) for x in _read_verified(folder, CHUNKS, files).decode().splitlines() if x]
            seg_figs = [Figure(**{**json.loads(x), "years": tuple(json.loads(x)["years"])})
                        for x in _read_verified(folder, FIGURES, files).decode().splitlines() if x]
            for k, v in json.loads(_read_verified(folder, CEDICT, files).decode()).items():
                cedict.setdefault(k, [])
                cedict[k] = list(dict.fromkeys(cedict[k] + v))[:6]
            vec = _npy_from(_read_verified(folder, VECTORS, files))
            xvec = _npy_from(_read_verified(folder, XVECTORS, files)) if xembedder is not None else None
        except IndexCorruptError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            raise IndexCorruptError(f"segment {e['segment']} is damaged ({exc}); {REBUILD_HINT}") from exc
        if len(vec) != len(seg_chunks) or (xvec is not None and len(xvec) != len(seg_chunks)):
            raise IndexCorruptError(f"segment {e['segment']}: vectors do not match its chunks; {REBUILD_HINT}")
        if any((c.source, c.line) not in lines for c in seg_chunks):
            raise IndexStaleError(f"segment {e['segment']} points at lines the sources do not have; {REBUILD_HINT}")
        chunks.extend(seg_chunks)
        vectors.append(vec)
        if xvec is not None:
            xvectors.append(xvec)
        figures.extend(seg_figs)
        segments[e["file"]] = e["segment"]
    dim = embedder.dim
    all_vec = np.concatenate(vectors).astype(np.float32) if vectors else np.zeros((0, dim), np.float32)
    if all_vec.shape[1] != manifest["model"]["dim"]:
        raise IndexCorruptError(f"vectors have {all_vec.shape[1]} dimensions, not {manifest['model']['dim']}; {REBUILD_HINT}")
    all_x = np.concatenate(xvectors).astype(np.float32) if xvectors else None
    ann = _load_ann(index_dir, ANN, manifest["ann"], settings, len(chunks)) if manifest.get("ann") else None
    xann = (_load_ann(index_dir, XANN, manifest["xann"], settings, len(chunks))
            if manifest.get("xann") and all_x is not None else None)
    return StoredIndex(manifest, chunks, all_vec, all_x, figures, cedict, ann, segments, xann)
