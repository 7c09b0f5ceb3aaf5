"""Scale bench: query latency, build time and memory from one report to a million chunks.

    .venv/bin/python bench/scale.py                    # all points (≈ 40 minutes on 2 cores)
    .venv/bin/python bench/scale.py --point weihai     # one point: weihai | provinces | hotline | million

Points (each in its own process, so that its memory is its own; indexes built from scratch):

* ``weihai``: Weihai's report alone; the public question set (299) end to end.
* ``provinces``: the 28 provincial reports of 2026 as scraped (``--seeds-dir
  ../shared/corpus/provinces-2026``), no home document; the same questions plus the Shandong set.
* ``hotline``: the shipped corpus plus the other 27 provincial reports (32 reports), Weihai the home,
  as a Weihai hotline would run with every province's report; the Weihai questions.
* ``million``: about 1,000,000 chunks. The hotline corpus's real chunks are repeated as distinct
  documents until a million; each copy's vector leans towards another real chunk's by a random
  weight (0.2–0.8) plus Gaussian noise, so that the million vectors spread like real ones rather
  than forming 74 near-identical copies of each (which would make "the exact top 10" a random pick
  among ties). Texts and vectors are synthetic but shaped like the real ones. Measured: the exact
  scan against the HNSW graph (recall@10 of the graph against exact search, for the real query
  vectors of the public questions), the graph's build time, and retrieval end to end (question
  analysis, query embedding, BM25, dense search, fusion) over all documents and over a tenth of
  them (the scope as a filter).

Beside the points, the crossover that sets ``Settings.flat_max_chunks``: exact scan against HNSW
at 15k, 50k, 100k, 200k, 500k and 1M vectors.

Writes ``bench/results/scale.json`` and ``bench/results/scale.md``. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.run import pct, summary  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PROVINCES = ROOT.parent / "shared" / "corpus" / "provinces-2026"
WEIHAI = "weihai-2025-government-work-report"
MILLION = 1_000_000


def rss_mb() -> dict:
    status = Path("/proc/self/status").read_text().splitlines()
    get = {line.split(":")[0]: int(line.split()[1]) // 1024 for line in status if line.startswith(("VmRSS", "VmHWM"))}
    return {"rss_mb": get.get("VmRSS"), "peak_rss_mb": get.get("VmHWM")}


def questions(*sets: str) -> list[str]:
    out = []
    for name in sets or ("questions.jsonl",):
        lines = (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines()
        out += [json.loads(x)["question"] for x in lines if x.strip()]
    return out


def seeds_for(point: str, work: Path) -> Path:
    if point == "provinces":
        return PROVINCES
    d = work / point / "seeds"
    if d.exists():
        return d
    d.mkdir(parents=True)
    for f in (ROOT / "seeds").iterdir():
        if point == "hotline" or f.name.startswith(WEIHAI):
            shutil.copy(f, d / f.name)
    if point == "hotline":
        for f in PROVINCES.glob("*.txt"):
            if not (d / f.name).exists():
                shutil.copy(f, d / f.name)
    return d


def build_and_load(point: str, work: Path):
    """Build the point's index from scratch (or reuse the one an earlier point of this run built)."""
    from rag import Pipeline, store
    from rag.config import Settings
    from rag.embed import embedders_for
    from rag.ingest import load_documents

    settings = Settings(seeds_dir=seeds_for(point, work), index_dir=work / point / "index", auto_build=False,
                        cache_size=0)
    docs = load_documents(settings.seeds_dir)
    t = time.perf_counter()
    if (settings.index_dir / store.MANIFEST).exists():
        manifest = store.read_manifest(settings.index_dir)
    else:
        manifest = store.build(docs, settings, *embedders_for(settings))
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    pipe = Pipeline.load(settings, warm=True)
    return pipe, {"documents": len(docs), "chunks": manifest["counts"]["chunks"],
                  "passages": len(pipe.retriever.passages), "build_s": round(build_s, 1),
                  "load_and_warm_s": round(time.perf_counter() - t, 1), "ann": manifest.get("ann") is not None}


def end_to_end(pipe, qs: list[str], rounds: int = 2) -> dict:
    """Warm latency of ``Pipeline.ask`` (cache off), and of the retrieval stage alone."""
    total, stages = [], {}
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            a = pipe.ask(q)
            total.append((time.perf_counter() - t) * 1000)
            for k, v in (a.timings_ms or {}).items():
                stages.setdefault(k, []).append(v)
    return {"end_to_end_ms": summary(total),
            "stages_p50_ms": {k: round(pct(v, 50), 2) for k, v in sorted(stages.items())}}


def point_real(point: str, work: Path) -> dict:
    pipe, info = build_and_load(point, work)
    info.update(end_to_end(pipe, questions()))
    if point == "provinces":
        info["shandong_set"] = end_to_end(pipe, questions("shandong2026/questions.jsonl"))
    info.update(rss_mb())
    return info


# -- a million chunks ------------------------------------------------------------------------------
def _timed(fn, reps: int) -> tuple[float, object]:
    out, times = None, []
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return pct(times, 50), out


def crossover(vectors, queries, sizes=(15_000, 50_000, 100_000, 200_000, 500_000, 1_000_000)) -> list[dict]:
    """Exact scan against HNSW (ef 128, top 10) at growing sizes: where the graph starts to pay."""
    import faiss
    import numpy as np

    from rag.config import Settings
    from rag.store import hnsw_index

    rows = []
    for n in sizes:
        if n > len(vectors):
            break
        sub = vectors[:n]
        exact_ms, _ = _timed(lambda sub=sub: [sub @ q for q in queries[:50]], 3)
        t = time.perf_counter()
        graph = hnsw_index(sub, Settings()) if n <= 200_000 else None
        build = time.perf_counter() - t
        row = {"n": n, "exact_ms": round(exact_ms / 50, 2)}
        if graph is not None:
            ms, _ = _timed(lambda g=graph: g.search(queries[:50], 10), 3)
            row.update({"hnsw_ms": round(ms / 50, 3), "hnsw_build_s": round(build, 1)})
        rows.append(row)
        del graph
    _ = faiss, np
    return rows


def point_million(work: Path, n_target: int = MILLION) -> dict:
    import faiss
    import numpy as np

    from rag import Pipeline, store
    from rag.retrieve import Retriever
    from rag.scope import Side
    from rag.types import Document

    out: dict = {}
    base, _ = build_and_load("hotline", work)
    settings = replace(base.settings, cache_size=0)
    idx = base.index
    n_real = len(idx.chunks)
    copies = -(-n_target // n_real)
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    docs, chunks, vec_parts, xvec_parts = [], [], [], []
    for c in range(copies):
        tag = f"synthetic{c:03d}-" if c else ""
        for d in base.documents:
            docs.append(replace(d, source=tag + d.source, home=d.home and c == 0,
                                paragraphs=tuple(replace(p, source=tag + p.source) for p in d.paragraphs)))
        chunks.extend(replace(ch, id=tag + ch.id, source=tag + ch.source) for ch in idx.chunks)
        partner = rng.permutation(n_real)  # each copy leans towards another real chunk, by a random weight
        weight = rng.uniform(0.2, 0.8, size=(n_real, 1)).astype(np.float32)
        for src, parts, scale in ((idx.vectors, vec_parts, 0.02), (idx.xvectors, xvec_parts, 0.02)):
            if src is None:
                continue
            v = src if c == 0 else (src + weight * src[partner]
                                    + rng.standard_normal(src.shape, dtype=np.float32) * scale)
            parts.append((v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32))
    vectors = np.concatenate(vec_parts)
    xvectors = np.concatenate(xvec_parts) if xvec_parts else None
    del vec_parts, xvec_parts
    out["synthesis_s"] = round(time.perf_counter() - t, 1)
    out["chunks"] = len(chunks)
    out["documents"] = len(docs)
    cos = float(np.mean(np.sum(vectors[n_real:2 * n_real] * vectors[:n_real], axis=1)))
    out["copy_cosine_to_original"] = round(cos, 3)

    qs = questions()
    zh = [q for q in qs if not q.isascii()]
    qvecs = np.stack([base.embedder.encode_query(q) for q in zh]).astype(np.float32)
    out["crossover"] = crossover(vectors, qvecs)

    t = time.perf_counter()
    ann = store.hnsw_index(vectors, settings)
    out["hnsw_build_s"] = round(time.perf_counter() - t, 1)
    xann = None
    if xvectors is not None:
        t = time.perf_counter()
        xann = store.hnsw_index(xvectors, settings)
        out["xhnsw_build_s"] = round(time.perf_counter() - t, 1)
    out["hnsw"] = {"m": settings.hnsw_m, "ef_construction": settings.hnsw_ef_construction,
                   "ef_search": settings.hnsw_ef_search}

    # recall@10 of the graph against exact search, and the latency of each
    exact_ms, exact_top = [], []
    for q in qvecs:
        t = time.perf_counter()
        s = vectors @ q
        top = np.argpartition(-s, 10)[:10]
        exact_ms.append((time.perf_counter() - t) * 1000)
        exact_top.append(set(top.tolist()))
    out["exact_search_ms"] = summary(exact_ms)
    out["recall_at_10"] = {}
    for ef in (64, 128, 256, 512, 1024, 2048):
        params = faiss.SearchParametersHNSW()
        params.efSearch = ef
        ms, hits = [], 0
        for q, truth in zip(qvecs, exact_top, strict=True):
            t = time.perf_counter()
            _, ids = ann.search(q[None, :], 10, params=params)
            ms.append((time.perf_counter() - t) * 1000)
            hits += len(truth & set(ids[0].tolist()))
        out["recall_at_10"][str(ef)] = {"recall": round(hits / (10 * len(qvecs)), 4),
                                        "p50_ms": round(pct(ms, 50), 3)}
    # what the retriever does: ann_candidates chunks at efSearch = max(ef_search, ann_candidates),
    # of which the best ten are compared with exact search
    k = settings.ann_candidates
    params = faiss.SearchParametersHNSW()
    params.efSearch = max(settings.hnsw_ef_search, k)
    ms, hits = [], 0
    for q, truth in zip(qvecs, exact_top, strict=True):
        t = time.perf_counter()
        sims, ids = ann.search(q[None, :], k, params=params)
        ms.append((time.perf_counter() - t) * 1000)
        hits += len(truth & set(ids[0][np.argsort(-sims[0], kind="stable")[:10]].tolist()))
    out["product_recall_at_10"] = {"candidates": k, "ef_search": params.efSearch,
                                   "recall": round(hits / (10 * len(qvecs)), 4), "p50_ms": round(pct(ms, 50), 3),
                                   "p95_ms": round(pct(ms, 95), 3)}
    # the same with a filter: the allowed chunks are a tenth of the documents
    allowed_docs = {d.source for i, d in enumerate(docs) if i % 10 == 0}
    ok = np.array([ch.source in allowed_docs for ch in chunks])
    bitmap = np.packbits(ok, bitorder="little")
    params = faiss.SearchParametersHNSW()
    params.efSearch = max(settings.hnsw_ef_search, k)
    params.sel = faiss.IDSelectorBitmap(len(ok), faiss.swig_ptr(bitmap))
    hits, ms = 0, []
    allowed_ids = np.flatnonzero(ok)
    for q in qvecs:
        s = vectors[allowed_ids] @ q
        truth = set(allowed_ids[np.argpartition(-s, 10)[:10]].tolist())
        t = time.perf_counter()
        sims, ids = ann.search(q[None, :], k, params=params)
        ms.append((time.perf_counter() - t) * 1000)
        hits += len(truth & set(ids[0][np.argsort(-sims[0], kind="stable")[:10]].tolist()))
    out["filtered_recall_at_10"] = {"share_allowed": round(float(ok.mean()), 3),
                                    "recall": round(hits / (10 * len(qvecs)), 4), "p50_ms": round(pct(ms, 50), 3)}

    # retrieval end to end over the million chunks
    big = store.StoredIndex(idx.manifest, chunks, vectors, xvectors, idx.figures, idx.cedict, ann,
                            idx.segments, xann)
    t = time.perf_counter()
    retriever = Retriever(docs, big, base.embedder, base.xembedder, settings)
    out["retriever_setup_s"] = round(time.perf_counter() - t, 1)
    out["passages"] = len(retriever.passages)
    def side(sources) -> Side:
        return Side(place="", label="bench", sources=tuple(sources), years=(), wants="")

    every, tenth, home = side(d.source for d in docs), side(sorted(allowed_docs)), side([docs[0].source])
    for name, side in (("all_documents", every), ("a_tenth_of_the_documents", tenth), ("one_document", home)):
        for lang, subset in (("zh", zh), ("en", [q for q in qs if q.isascii()])):
            ms, stages = [], {}
            for _ in range(2):
                for q in subset:
                    t = time.perf_counter()
                    query = base.analyze(q)
                    r = retriever.search(query, side)
                    ms.append((time.perf_counter() - t) * 1000)
                    for k, v in r.timings_ms.items():
                        stages.setdefault(k, []).append(v)
            out.setdefault("retrieval_ms", {}).setdefault(name, {})[lang] = {
                **summary(ms), "stages_p50": {k: round(pct(v, 50), 2) for k, v in stages.items()},
                "stages_p95": {k: round(pct(v, 95), 2) for k, v in stages.items()}}
    _ = Pipeline, Document
    out.update(rss_mb())
    return out


def markdown(results: dict) -> str:
    rows = ["| point | reports | chunks | build | warm p50 / p95 (end to end) | memory (peak RSS) |",
            "|---|---|---|---|---|---|"]
    for name in ("weihai", "provinces", "hotline"):
        r = results.get(name)
        if not r:
            continue
        e = r["end_to_end_ms"]
        rows.append(f"| {name} | {r['documents']} | {r['chunks']:,} | {r['build_s']} s | {e['p50']} / {e['p95']} ms "
                    f"| {r['peak_rss_mb']:,} MB |")
    m = results.get("million")
    if m:
        ra = m["retrieval_ms"]["all_documents"]
        rows.append(f"| million (synthetic) | {m['documents']} | {m['chunks']:,} | graph {m['hnsw_build_s']} s"
                    f" (+ e5 graph {m.get('xhnsw_build_s', '–')} s) | retrieval zh {ra['zh']['p50']} / {ra['zh']['p95']} ms,"
                    f" en {ra['en']['p50']} / {ra['en']['p95']} ms | {m['peak_rss_mb']:,} MB |")
    out = ["# Scale bench", "", *rows, ""]
    if m:
        out += ["Recall@10 of the HNSW graph against exact search at "
                f"{m['chunks']:,} chunks (exact scan p50 {m['exact_search_ms']['p50']} ms):", "",
                "| efSearch | recall@10 | search p50 |", "|---|---|---|"]
        out += [f"| {ef} | {v['recall']} | {v['p50_ms']} ms |" for ef, v in m["recall_at_10"].items()]
        f, p = m["filtered_recall_at_10"], m.get("product_recall_at_10")
        if p:
            out += ["", f"As the retriever searches ({p['candidates']} candidates, efSearch {p['ef_search']}, "
                        f"efConstruction {m['hnsw']['ef_construction']}, M {m['hnsw']['m']}): recall@10 "
                        f"{p['recall']}, search p50 / p95 {p['p50_ms']} / {p['p95_ms']} ms."]
        out += ["", f"With the scope as a filter ({f['share_allowed']:.0%} of the chunks allowed, same search): "
                    f"recall@10 {f['recall']}, p50 {f['p50_ms']} ms.", "",
                "Retrieval end to end at a million chunks (p50 / p95, ms):", "",
                "| scope | zh | en |", "|---|---|---|"]
        for name, v in m["retrieval_ms"].items():
            out.append(f"| {name.replace('_', ' ')} | {v['zh']['p50']} / {v['zh']['p95']} | {v['en']['p50']} / {v['en']['p95']} |")
        st = m["retrieval_ms"]["all_documents"]["zh"]
        if "stages_p95" in st:
            out += ["", "Stages, all documents, zh (p50 / p95, ms): " + ", ".join(
                f"{k} {st['stages_p50'][k]} / {st['stages_p95'][k]}" for k in st["stages_p50"]) + "."]
        out += ["", "Exact scan against HNSW by size (per query, top 10):", "",
                "| vectors | exact | HNSW (ef 128) | HNSW build |", "|---|---|---|---|"]
        for r in m["crossover"]:
            out.append(f"| {r['n']:,} | {r['exact_ms']} ms | {r.get('hnsw_ms', '–')} ms | {r.get('hnsw_build_s', '–')} s |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--point", choices=["weihai", "provinces", "hotline", "million"])
    ap.add_argument("--chunks", type=int, default=MILLION, help="size of the synthetic point")
    ap.add_argument("--work", help="folder for the points' indexes (default: a temporary one)")
    ap.add_argument("--update", action="store_true", help="with --point: replace that point in results/scale.*")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.point:
        work = Path(args.work or tempfile.mkdtemp(prefix="scale-"))
        result = point_million(work, args.chunks) if args.point == "million" else point_real(args.point, work)
        print(json.dumps(result, ensure_ascii=False))
        if args.update and (RESULTS / "scale.json").exists():  # refresh one point of the saved results
            results = json.loads((RESULTS / "scale.json").read_text())
            results[args.point] = result
            _write(results)
        return
    results = {}
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        work = Path(args.work or tmp)
        for point in ("weihai", "provinces", "hotline", "million"):
            print(f"== {point}", file=sys.stderr, flush=True)
            r = subprocess.run([sys.executable, __file__, "--point", point, "--chunks", str(args.chunks),
                                "--work", str(work)], capture_output=True, text=True, cwd=ROOT)
            if r.returncode != 0:
                print(r.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"point {point} failed")
            results[point] = json.loads(r.stdout.strip().splitlines()[-1])
            print(json.dumps(results[point], ensure_ascii=False)[:400], file=sys.stderr, flush=True)
    _write(results)
    print(markdown(results))


def _write(results: dict) -> None:
    w = results["weihai"]["end_to_end_ms"]["p50"]
    for name in ("provinces", "hotline"):
        results[f"{name}_vs_weihai_p50"] = round(results[name]["end_to_end_ms"]["p50"] / w, 2)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    (RESULTS / "scale.md").write_text(markdown(results))
    _ = resource


if __name__ == "__main__":
    main()
