"""Bounded load test against a real ``rag serve`` on loopback.

    .venv/bin/python bench/load.py [--clients 1 10 50 100] [--seconds 20] [--target api gradio]
                                   [--workers 1 2] [--env RAG_CACHE_SIZE=0] [--out NAME]

For each target (``POST /api/ask``, and the Gradio ``/ask`` endpoint through its queue) and each
number of concurrent clients, every client asks the public question set's questions in turn over
a kept-alive connection until the time cap (≤ 60 s) or the request cap is reached. A prober asks
``GET /api/health`` every 250 ms throughout, to show the server stays responsive. Reported:
throughput, p50/p95/p99 latency, errors, the slowest health check. Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, Server, summary  # noqa: E402

MAX_REQUESTS_PER_LEVEL = 20_000


def _questions() -> list[str]:
    lines = (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x)["question"] for x in lines if x.strip()]


def _ask_api(conn: http.client.HTTPConnection, question: str) -> bool:
    body = json.dumps({"question": question}, ensure_ascii=False).encode()
    conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    return r.status == 200 and b'"citations"' in data


def _ask_gradio(conn: http.client.HTTPConnection, question: str) -> bool:
    body = json.dumps({"data": [question]}, ensure_ascii=False).encode()
    conn.request("POST", "/gradio_api/call/ask", body=body, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        return False
    event = json.loads(data)["event_id"]
    conn.request("GET", f"/gradio_api/call/ask/{event}")
    r = conn.getresponse()
    stream = r.read().decode("utf-8", "replace")
    return r.status == 200 and "event: complete" in stream and "citations" in stream


def level(base_port: int, target: str, clients: int, seconds: float) -> dict:
    questions = _questions()
    ask = _ask_api if target == "api" else _ask_gradio
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    count = [0]

    def client(offset: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=60)
        qs = cycle(questions[offset % len(questions):] + questions[: offset % len(questions)])
        while time.perf_counter() < stop_at:
            with lock:
                if count[0] >= MAX_REQUESTS_PER_LEVEL:
                    break
                count[0] += 1
            t = time.perf_counter()
            try:
                ok = ask(conn, next(qs))
            except (OSError, http.client.HTTPException, ValueError, KeyError):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=60)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                if ok:
                    latencies.append(ms)
                else:
                    errors += 1
        conn.close()

    health: list[float] = []
    health_errors = [0]
    done = threading.Event()

    def prober() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
        while not done.is_set():
            t = time.perf_counter()
            try:
                conn.request("GET", "/api/health")
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    health_errors[0] += 1
            except (OSError, http.client.HTTPException):
                health_errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
            health.append((time.perf_counter() - t) * 1000)
            done.wait(0.25)
        conn.close()

    threads = [threading.Thread(target=client, args=(i * 7,), daemon=True) for i in range(clients)]
    probe = threading.Thread(target=prober, daemon=True)
    started = time.perf_counter()
    probe.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - started
    done.set()
    probe.join(timeout=30)
    return {"target": "POST /api/ask" if target == "api" else "Gradio /ask (queue)", "clients": clients,
            "seconds": round(elapsed, 1), "answers": len(latencies), "errors": errors,
            "throughput_rps": round(len(latencies) / elapsed, 1), "latency_ms": summary(latencies),
            "health_checks": len(health), "health_errors": health_errors[0],
            "health_max_ms": round(max(health), 1) if health else None}


def _children(pid: int) -> list[int]:
    """The direct child processes of ``pid`` (Linux)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def run_load(index_dir: Path, *, clients=(1, 10, 50, 100), seconds: float = 20.0, targets=("api", "gradio"),
             env: dict[str, str] | None = None, workers: int = 1) -> dict:
    seconds = min(seconds, 60.0)
    srv = Server(index_dir, env=env, workers=workers)
    runs = []
    try:
        srv.wait()
        for target in targets:
            for n in clients:
                print(f"  {target} × {n} clients…", file=sys.stderr)
                runs.append({**level(srv.port, target, n, seconds), "workers": workers})
        rss, per_process = None, []
        try:
            from bench.run import peak_rss_mb

            # the server and, with --workers, its worker processes
            pids = [srv.proc.pid] + _children(srv.proc.pid)
            per_process = [round(peak_rss_mb(p)) for p in pids]
            rss = sum(per_process)
        except OSError:
            pass
    finally:
        srv.stop()
    return {"runs": runs, "server_env": env or {}, "seconds_per_level": seconds, "server_peak_rss_mb": rss,
            "peak_rss_mb_per_process": per_process,
            "workers": workers}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50, 100])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--target", nargs="+", default=["api", "gradio"], choices=["api", "gradio"])
    ap.add_argument("--env", nargs="*", default=[], help="server environment, e.g. RAG_TORCH_THREADS=1")
    ap.add_argument("--index-dir", default=str(ROOT / "index"))
    ap.add_argument("--workers", type=int, nargs="+", default=[1], help="server processes (rag serve --workers)")
    ap.add_argument("--out", default="load-latest", help="results file name under bench/results (no extension)")
    args = ap.parse_args()
    env = dict(e.split("=", 1) for e in args.env)
    results = [run_load(Path(args.index_dir), clients=args.clients, seconds=args.seconds, targets=args.target,
                        env=env, workers=w) for w in args.workers]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(results if len(results) > 1 else results[0], indent=2))
    print(f"server environment: {env or 'default'}")
    print("| target | workers | clients | answers/s | p50 ms | p95 ms | p99 ms | errors | health max ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for res in results:
        for r in res["runs"]:
            print(f"| {r['target']} | {r['workers']} | {r['clients']} | {r['throughput_rps']} | {r['latency_ms']['p50']} | "
                  f"{r['latency_ms']['p95']} | {r['latency_ms']['p99']} | {r['errors']} | {r['health_max_ms']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
