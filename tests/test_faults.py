"""Faults and bad data: an index build killed mid-way, feedback under concurrent load and a killed
server, fuzzing of the pipeline and the HTTP API, prompt-injection style questions."""

from __future__ import annotations

import http.client
import json
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.grounding import unsupported_figures
from tests.conftest import INJECTIONS, ROOT

pytestmark = pytest.mark.slow
PY = sys.executable


# -- an index build killed mid-way ---------------------------------------------------------------
def _load_state(index_dir: Path) -> str:
    """'ok' when the index loads, else the error class (never a half index that loads)."""
    from rag import store
    from rag.config import Settings
    from rag.embed import embedders_for
    from rag.errors import RagError
    from rag.ingest import load_documents

    s = Settings(index_dir=index_dir, auto_build=False)
    try:
        idx = store.load(index_dir, load_documents(s.seeds_dir), s, *embedders_for(s))
    except RagError as exc:
        return type(exc).__name__
    assert len(idx.vectors) == len(idx.chunks) == len(idx.xvectors)  # consistent when it loads
    return "ok"


def test_killed_build_never_leaves_an_index_that_loads(index_copy, tmp_path):
    states = []
    for delay in (2.0, 6.0, 10.0, 13.0, 15.0):
        proc = subprocess.Popen([PY, "-m", "rag", "--index-dir", str(index_copy), "index", "--force", "--quiet"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.kill()  # SIGKILL: no cleanup runs
        proc.wait()
        states.append(_load_state(index_copy))
    # every state is either a whole index or a detected problem
    assert set(states) <= {"ok", "IndexMissingError", "IndexCorruptError"}, states
    # and a pipeline allowed to rebuild recovers and answers
    from rag import Pipeline
    from rag.config import Settings

    pipe = Pipeline.load(Settings(index_dir=index_copy, auto_build=True), warm=False)
    assert "900座" in pipe.ask("今年要建多少5G基站？").direct_answer
    assert _load_state(index_copy) == "ok"


def test_leftover_temp_files_do_not_confuse_loading(index_copy):
    (index_copy / ".vectors.faiss.123.tmp").write_bytes(b"half written")
    assert _load_state(index_copy) == "ok"


# -- a live server ---------------------------------------------------------------------------
def _post(base: str, path: str, body, timeout: float = 30.0) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def LiveServer(index_dir: Path, db: Path):  # noqa: N802 - reads like the class it returns
    from bench.run import Server

    srv = Server(index_dir, db=db)
    srv.wait()
    return srv


def _rows(db: Path) -> set[int]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM feedback")}
    finally:
        conn.close()


def _hammer(base: str, clients: int, seconds: float, acked: list[int], errors: list[str]) -> None:
    stop = time.time() + seconds
    lock = threading.Lock()

    def client(i: int) -> None:
        n = 0
        while time.time() < stop:
            n += 1
            try:
                status, body = _post(base, "/api/feedback", {"question": f"客户{i}的第{n}个问题", "rating": 1 if n % 2 else -1,
                                                             "comment": "压力测试", "answer": {"direct_answer": "x"}})
            except (OSError, ValueError, http.client.HTTPException) as exc:  # the server was killed under us
                with lock:
                    errors.append(type(exc).__name__)
                return
            with lock:
                if status == 201:
                    acked.append(body["id"])
                else:
                    errors.append(str(status))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_feedback_under_load_loses_nothing(built_index, tmp_path):
    db = tmp_path / "fb.db"
    srv = LiveServer(built_index, db)
    try:
        acked: list[int] = []
        errors: list[str] = []
        _hammer(srv.base, clients=50, seconds=30, acked=acked, errors=errors)
    finally:
        srv.stop()
    assert errors == []
    assert len(acked) > 500, len(acked)
    assert len(set(acked)) == len(acked)
    assert set(acked) <= _rows(db)  # every acknowledged record is in the database


def test_killed_server_keeps_every_acknowledged_feedback(built_index, tmp_path):
    db = tmp_path / "fb.db"
    srv = LiveServer(built_index, db)
    acked: list[int] = []
    errors: list[str] = []
    worker = threading.Thread(target=_hammer, args=(srv.base, 20, 20, acked, errors))
    worker.start()
    time.sleep(4)
    srv.kill()  # SIGKILL mid-load: no shutdown hook runs
    worker.join()
    assert len(acked) > 50
    assert set(acked) <= _rows(db)


# -- fuzzing ----------------------------------------------------------------------------------
CONTRACT = {"question", "answer", "direct_answer", "refused", "citations", "timings_ms"}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


def _check(obj: dict) -> None:
    assert CONTRACT <= set(obj)
    assert isinstance(obj["refused"], bool) and isinstance(obj["answer"], str)
    quotes = [c["quote"] for c in obj["citations"]]
    # a list's bullets or a comparison's sides may each come from another citation: every figure of the
    # direct answer must be in one of the cited passages, a one-clause answer's in its first
    cited = quotes if obj.get("answer_type") in ("list", "compare") else quotes[:1]
    assert unsupported_figures(obj["direct_answer"], cited) == []
    if obj["refused"]:
        assert obj["direct_answer"] == ""
    json.dumps(obj)


@FUZZ
@given(st.one_of(st.text(), st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=80),
                 st.text(alphabet="今年要建多少5G基站社零GDP增长？ how many 900 <>[]()*_`\\", max_size=40),
                 st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(1, 3000))))
def test_fuzz_pipeline_ask(pipeline, text):
    _check(pipeline.ask(text).to_json())


@FUZZ
@given(st.lists(st.text(max_size=30), max_size=6))
def test_fuzz_history(pipeline, turns):
    history = [{"role": "user", "content": t} for t in turns]
    _check(pipeline.ask("智慧社区呢？", history=history).to_json())


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)


@pytest.fixture(scope="module")
def api_client(pipeline, tmp_path_factory):
    from fastapi.testclient import TestClient

    from ui.app import create_app

    return TestClient(create_app(pipeline, db_path=tmp_path_factory.mktemp("fb") / "fuzz.db"))


@FUZZ
@given(st.one_of(JSON, st.fixed_dictionaries({"question": JSON}), st.fixed_dictionaries({"question": st.text()})))
def test_fuzz_http_api(api_client, body):
    r = api_client.post("/api/ask", content=json.dumps(body))
    assert r.status_code in (200, 400, 413, 422)
    obj = r.json()
    if r.status_code == 200 or "answer" in obj:
        _check(obj)
    else:
        assert isinstance(obj.get("error"), str) and obj["error"]


@FUZZ
@given(st.binary(max_size=200))
def test_fuzz_http_api_raw_bytes(api_client, raw):
    r = api_client.post("/api/ask", content=raw)
    assert r.status_code in (200, 400, 413, 422)
    assert isinstance(r.json(), dict)


# -- prompt injection -------------------------------------------------------------------------


@pytest.mark.parametrize("question,planted", INJECTIONS)
def test_prompt_injection_answers_only_from_the_report(pipeline, question, planted):
    a = pipeline.ask(question)
    assert planted not in a.direct_answer
    assert planted.replace(",", "") not in a.answer.replace(",", "").split("\n> ")[0]
    _check(a.to_json())
    if not a.refused:  # whatever it answers is the report's own figure, quoted
        for c in a.citations[:1]:
            assert a.direct_answer.replace(" ", "") in c.quote.replace(" ", "") or not unsupported_figures(
                a.direct_answer, [c.quote])
