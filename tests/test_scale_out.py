"""Serving with several processes: ``rag serve --workers N`` (one port, sticky web sessions,
restarts) and the PostgreSQL feedback store shared by several servers.

PostgreSQL comes from ``scripts/postgres.sh`` (Debian's package, a throwaway data directory). Where
it cannot be started (not root and not installed) its tests skip, unless RAG_REQUIRE_POSTGRES=1
(CI), where they must run.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pytest

from bench.run import Server, http_json
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
PG_SCRIPT = ROOT / "scripts" / "postgres.sh"
QUESTIONS = [json.loads(x)["question"] for x in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
             if x.strip()]


# -- PostgreSQL ---------------------------------------------------------------------------------
class Postgres:
    """The server of ``scripts/postgres.sh``: the one CI started (``RAG_TEST_DATABASE_URL`` with its
    ``RAG_PG_DIR``), or one of its own in a new directory."""

    def __init__(self):
        self.shared = bool(os.environ.get("RAG_TEST_DATABASE_URL"))
        self.dir = (Path(os.environ["RAG_PG_DIR"]) if self.shared and os.environ.get("RAG_PG_DIR")
                    else Path("/tmp") / f"rag-pg-test-{uuid.uuid4().hex[:8]}")
        self.env = {**os.environ, "RAG_PG_DIR": str(self.dir), "RAG_PG_PORT": "0"}

    def run(self, cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(PG_SCRIPT), cmd], env=self.env, capture_output=True, text=True,
                              timeout=600)

    def start(self) -> str:
        r = self.run("start")
        if r.returncode != 0:
            raise RuntimeError(r.stderr[-2000:])
        url = r.stdout.strip().splitlines()[-1]
        assert url.startswith("postgresql://127.0.0.1") or url.startswith("postgresql://postgres:"), url
        return url


@pytest.fixture(scope="module")
def pg():
    db = Postgres()
    try:
        db.url = db.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        if os.environ.get("RAG_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here and did not start: {exc}")
        pytest.skip(f"PostgreSQL could not be started: {exc}")
    yield db
    if not db.shared:
        db.run("stop")
        assert not db.dir.exists()


def _fresh_database(url: str) -> str:
    """A new empty database on the same server; its URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:10]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # a name made here, not user text
    return url.rsplit("/", 1)[0] + "/" + name


def test_postgres_store_matches_the_sqlite_store(pg, tmp_path):
    from rag.feedback import FeedbackStore
    from rag.feedback_pg import PostgresFeedbackStore

    answer = {"direct_answer": "新建5G基站900座", "refused": False, "citations": [{"n": 1, "line": 13, "quote": "新建5G基站900座"}]}
    sqlite, postgres = FeedbackStore(tmp_path / "fb.db"), PostgresFeedbackStore(_fresh_database(pg.url))
    try:
        records = []
        for store in (sqlite, postgres):
            a = store.add("今年要建多少5G基站？", answer, 1, comment="很有用", session="s1")
            b = store.add("'); DROP TABLE feedback; --", {"direct_answer": ""}, -1)
            assert store.set_rating(a, -1) and store.set_comment(a, "改个意见")
            assert store.delete(b) and not store.delete(b) and not store.set_rating(10_000, 1)
            c = store.add("Robert'); DELETE FROM feedback WHERE ('1'='1", answer, 1)
            assert store.count() == 2  # the table survived the questions above
            assert store.get(c)["question"] == "Robert'); DELETE FROM feedback WHERE ('1'='1"
            records.append([{k: v for k, v in r.items() if k not in ("id", "created_at")} for r in store.all()])
            with pytest.raises(ValueError):
                store.add("q", answer, 0)
        assert records[0] == records[1]
        rec = postgres.get(postgres.all()[0]["id"])
        assert rec["created_at"].endswith("+00:00") and rec["answer"] == answer and rec["rating"] == -1
    finally:
        sqlite.close()
        postgres.close()


def test_servers_starting_together_create_the_schema_once(pg):
    from rag.feedback_pg import PostgresFeedbackStore

    url = _fresh_database(pg.url)
    stores, errors = [], []

    def open_one():
        try:
            stores.append(PostgresFeedbackStore(url))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(repr(exc))

    threads = [threading.Thread(target=open_one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(s._schema_ready for s in stores)
    import psycopg

    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT version FROM rag_schema").fetchall() == [(1,)]
    for s in stores:
        s.close()


# -- servers -------------------------------------------------------------------------------------
def _post(base: str, path: str, body: dict, timeout: float = 60.0, headers: dict | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(base + path, data=json.dumps(body, ensure_ascii=False).encode(),
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def _get(base: str, path: str, headers: dict | None = None) -> tuple[int, dict, dict]:
    req = urllib.request.Request(base + path, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
        return r.status, (json.loads(body) if r.headers.get_content_type() == "application/json" else {}), r.headers


def _export(url: str) -> list[dict]:
    r = subprocess.run([sys.executable, "-m", "rag", "feedback", "export", "--database-url", url], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [json.loads(x) for x in r.stdout.splitlines() if x.strip()]


@pytest.fixture(scope="module")
def two_servers(pg, built_index):
    """One server with --workers 2 and one single, both on the same PostgreSQL, answer cache off."""
    url = _fresh_database(pg.url)
    env = {"RAG_DATABASE_URL": url, "RAG_CACHE_SIZE": "0"}
    servers = [Server(built_index, env=env, workers=2), Server(built_index, env=env)]
    try:
        for s in servers:
            s.wait()
        yield url, servers
    finally:
        for s in servers:
            s.stop()


def test_two_servers_one_database_acknowledge_and_keep_200_concurrent_posts(two_servers):
    url, servers = two_servers
    results: list[tuple[int, dict, str]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(200)

    def post(i: int) -> None:
        question = f"并发反馈{i}：今年要建多少5G基站？"
        barrier.wait()  # all 200 at once
        status, body = _post(servers[i % 2].base, "/api/feedback",
                             {"question": question, "rating": 1 if i % 3 else -1, "answer": {"direct_answer": str(i)}})
        with lock:
            results.append((status, body, question))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(status for status, _, _ in results) == {201: 200}
    ids = {body["id"] for _, body, _ in results}
    assert len(ids) == 200
    exported = {r["id"]: r for r in _export(url)}
    assert ids <= set(exported)
    assert all(exported[body["id"]]["question"] == q for _, body, q in results)
    # both servers (and both workers of the first) wrote: the health checks count the same rows
    counts = {http_json(s.base + "/api/health")[1]["feedback"]["count"] for s in servers}
    assert counts == {len(exported)}


def test_two_servers_answer_50_clients_for_15_seconds_without_an_error(two_servers):
    _, servers = two_servers
    stop = time.time() + 15
    statuses: Counter = Counter()
    lock = threading.Lock()

    def client(i: int) -> None:
        n = i
        while time.time() < stop:
            n += 50
            try:
                status, body = _post(servers[n % 2].base, "/api/ask", {"question": QUESTIONS[n % len(QUESTIONS)]})
                ok = status == 200 and isinstance(body.get("refused"), bool)
            except OSError as exc:
                status, ok = type(exc).__name__, False
            with lock:
                statuses[status if ok or status != 200 else "bad body"] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) == {200}, statuses
    assert statuses[200] >= 100, statuses  # a few per second at least, with the cache off


def test_a_server_killed_mid_load_loses_no_acknowledged_feedback(pg, built_index):
    url = _fresh_database(pg.url)
    srv = Server(built_index, env={"RAG_DATABASE_URL": url})
    srv.wait()
    acked: list[int] = []
    lock = threading.Lock()
    stop = time.time() + 30

    def client(i: int) -> None:
        n = 0
        while time.time() < stop:
            n += 1
            try:
                status, body = _post(srv.base, "/api/feedback", {"question": f"客户{i}-{n}", "rating": 1}, timeout=10)
            except (OSError, http.client.HTTPException):
                return  # the server is gone (a response cut off mid-body is no acknowledgement)
            if status == 201:
                with lock:
                    acked.append(body["id"])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    time.sleep(3)
    srv.kill()  # SIGKILL mid-load
    for t in threads:
        t.join()
    assert len(acked) > 30
    assert set(acked) <= {r["id"] for r in _export(url)}


def test_database_down_feedback_is_refused_with_503_and_answers_continue(pg, built_index):
    url = _fresh_database(pg.url)
    srv = Server(built_index, env={"RAG_DATABASE_URL": url, "RAG_DB_TIMEOUT": "2"})
    srv.wait()
    try:
        assert _post(srv.base, "/api/feedback", {"question": "数据库在线时", "rating": 1})[0] == 201
        assert pg.run("pause").returncode == 0
        t = time.perf_counter()
        status, body = _post(srv.base, "/api/feedback", {"question": "数据库停了", "rating": -1})
        assert status == 503 and "unavailable" in body["error"] and "not saved" in body["error"]
        assert time.perf_counter() - t < 15
        assert "psycopg" not in body["error"] and "postgres:" not in body["error"]  # no internals, no password
        status, answer = _post(srv.base, "/api/ask", {"question": "今年要建多少5G基站？"})
        assert status == 200 and "900" in answer["direct_answer"]
        status, health = http_json(srv.base + "/api/health")
        assert status == 200 and health["status"] == "degraded" and health["feedback"]["ok"] is False
    finally:
        pg.start()  # the same data directory: the server comes back with its rows
    deadline, status = time.time() + 60, None
    while time.time() < deadline and status != 201:
        status, body = _post(srv.base, "/api/feedback", {"question": "数据库恢复后", "rating": 1})
        time.sleep(0.5)
    try:
        assert status == 201
        assert [r["question"] for r in _export(url)] == ["数据库在线时", "数据库恢复后"]
        assert http_json(srv.base + "/api/health")[1]["status"] == "ok"
    finally:
        srv.stop()


# -- rag serve --workers ----------------------------------------------------------------------------
def _worker(base: str, cookie: str | None = None) -> tuple[int, int]:
    status, body, _ = _get(base, "/api/health", {"Cookie": cookie} if cookie else None)
    assert status == 200
    return body["worker"]["id"], body["worker"]["pid"]


def test_workers_share_one_port_keep_browsers_sticky_and_survive_crashes_and_restarts(built_index, tmp_path):
    srv = Server(built_index, db=tmp_path / "fb.db", workers=2)
    srv.wait()
    try:
        # clients without the cookie are spread over both workers
        assert {_worker(srv.base)[0] for _ in range(10)} == {0, 1}
        # a browser gets its worker's cookie with the page, and stays there
        status, _, headers = _get(srv.base, "/")
        cookie = headers["Set-Cookie"].split(";")[0]
        assert status == 200 and cookie.startswith("rag_worker=")
        mine = {_worker(srv.base, cookie) for _ in range(10)}
        assert len(mine) == 1
        (wid, pid), = mine
        # the web chat works through the proxy (a Gradio session: queue join + event stream)
        from gradio_client import Client

        client = Client(srv.base, verbose=False, download_files=False)
        assert "900座" in client.predict("今年要建多少5G基站？", api_name="/ask")["direct_answer"]

        # a worker killed with SIGKILL: its browsers are served by the other, and it comes back
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        assert _worker(srv.base, cookie)[0] != wid
        deadline = time.time() + 120
        while time.time() < deadline:
            back = {w for w in (_worker(srv.base) for _ in range(6))}
            if any(w[0] == wid and w[1] != pid for w in back):
                break
            time.sleep(1)
        else:
            pytest.fail("the killed worker was not restarted")

        # SIGHUP: a rolling restart, and no request fails meanwhile
        before = {_worker(srv.base) for _ in range(10)}
        failures, answered = [], [0]
        stop = threading.Event()

        def probe():
            while not stop.is_set():
                try:
                    status, body = _post(srv.base, "/api/ask", {"question": "今年要建多少5G基站？"}, timeout=30)
                    if status != 200:
                        failures.append(status)
                    answered[0] += 1
                except OSError as exc:
                    failures.append(repr(exc))

        probes = [threading.Thread(target=probe) for _ in range(4)]
        for t in probes:
            t.start()
        os.kill(srv.proc.pid, signal.SIGHUP)
        deadline = time.time() + 180
        while time.time() < deadline:
            now = {_worker(srv.base) for _ in range(6)}
            if len(now) == 2 and not (now & before):
                break
            time.sleep(1)
        stop.set()
        for t in probes:
            t.join()
        assert not (now & before), (before, now)
        assert failures == [] and answered[0] > 10
    finally:
        srv.stop()
    assert srv.proc.returncode == 0
    time.sleep(0.5)
    for _, p in before | now:  # the workers went with the supervisor
        assert not Path(f"/proc/{p}").exists() or "zombie" in Path(f"/proc/{p}/status").read_text().lower()
