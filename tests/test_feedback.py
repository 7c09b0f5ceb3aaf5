"""rag/feedback.py: SQLite feedback store (no model needed)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading

import pytest

from rag.feedback import CSV_COLUMNS, FeedbackStore

ANSWER = {
    "question": "今年要建多少5G基站？",
    "answer": ("**新建5g基站900座** [1]\n\n出处：\n"
               "[1] （五）倾力提升城市功能品质… › 高水平打造智慧城市（第29行）\n> 新建5g基站900座"),
    "direct_answer": "新建5g基站900座",
    "refused": False,
    "citations": [{"n": 1, "source": "weihai-2025-government-work-report.txt", "line": 29,
                   "section": "（五）倾力提升城市功能品质… › 高水平打造智慧城市",
                   "quote": "新建5g基站900座,筑牢数字威海建设根基。", "score": 2.0}],
    "timings_ms": {"retrieve": 12.5, "answer": 1.0, "total": 13.5},
}


@pytest.fixture
def store(tmp_path):
    s = FeedbackStore(tmp_path / "sub" / "feedback.db")
    yield s
    s.close()


def test_creates_folder_and_wal(tmp_path):
    s = FeedbackStore(tmp_path / "new" / "dir" / "fb.db")
    assert (tmp_path / "new" / "dir" / "fb.db").exists()
    assert s.count() == 0
    mode = sqlite3.connect(s.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    s.close()


def test_add_count_get(store):
    rid = store.add("今年要建多少5G基站？", ANSWER, +1, comment="很清楚", session="s1")
    rid2 = store.add("社零增长目标是多少？", {**ANSWER, "refused": True, "direct_answer": ""}, -1)
    assert (rid, rid2) == (1, 2)
    assert store.count() == 2
    rec = store.get(rid)
    assert rec["question"] == "今年要建多少5G基站？"
    assert rec["rating"] == 1 and rec["comment"] == "很清楚" and rec["session"] == "s1"
    assert rec["direct_answer"] == "新建5g基站900座" and rec["refused"] is False
    assert rec["citations"] == ANSWER["citations"]
    assert rec["answer"] == ANSWER
    assert rec["created_at"].endswith("+00:00")
    assert store.get(999) is None
    assert [r["id"] for r in store.all()] == [1, 2]


def test_set_comment(store):
    rid = store.add("q", ANSWER, -1)
    assert store.set_comment(rid, "数字不对") is True
    assert store.get(rid)["comment"] == "数字不对"
    assert store.set_comment(12345, "x") is False


def test_set_rating_and_delete(store):
    rid = store.add("q", ANSWER, 1)
    assert store.set_rating(rid, -1) is True
    assert store.get(rid)["rating"] == -1
    with pytest.raises(ValueError):
        store.set_rating(rid, 0)
    assert store.set_rating(999, 1) is False
    assert store.delete(rid) is True
    assert store.delete(rid) is False
    assert store.count() == 0


@pytest.mark.parametrize("rating", [0, 2, -2, True, "1", None])
def test_rejects_bad_rating(store, rating):
    with pytest.raises(ValueError):
        store.add("q", ANSWER, rating)
    assert store.count() == 0


def test_visible_to_another_connection_immediately(store):
    store.add("q", ANSWER, 1)
    other = sqlite3.connect(store.path)
    assert other.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 1
    other.close()


def test_export_jsonl_round_trip(store, tmp_path):
    store.add("今年要建多少5G基站？", ANSWER, 1, comment='带"引号",逗号\n和换行', session="abc")
    store.add("<img src=x onerror=alert(1)>", ANSWER, -1)
    out = tmp_path / "out" / "fb.jsonl"
    assert store.export(out, fmt="jsonl") == 2
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == store.all()
    assert rows[0]["comment"] == '带"引号",逗号\n和换行'
    assert rows[0]["answer"] == ANSWER
    assert rows[1]["question"] == "<img src=x onerror=alert(1)>"


def test_export_csv_round_trip(store, tmp_path):
    store.add("今年要建多少5G基站？", ANSWER, 1, comment='带"引号",逗号\n和换行')
    store.add("What is the GDP growth target?", ANSWER, -1, session="s2")
    out = tmp_path / "fb.csv"
    assert store.export(out, fmt="csv") == 2
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    expected = store.all()
    for row, rec in zip(rows, expected, strict=True):
        assert int(row["id"]) == rec["id"]
        assert row["question"] == rec["question"]
        assert int(row["rating"]) == rec["rating"]
        assert row["comment"] == rec["comment"]
        assert row["session"] == rec["session"]
        assert json.loads(row["citations"]) == rec["citations"]
        assert json.loads(row["answer"]) == rec["answer"]


def test_export_to_stream_and_empty(store):
    buf = io.StringIO()
    assert store.export(buf, fmt="csv") == 0
    assert buf.getvalue().strip() == ",".join(CSV_COLUMNS)
    store.add("q", ANSWER, 1)
    buf = io.StringIO()
    assert store.export(buf) == 1
    assert json.loads(buf.getvalue())["question"] == "q"
    with pytest.raises(ValueError):
        store.export(io.StringIO(), fmt="xml")


def test_concurrent_writers_lose_nothing(store):
    threads, per_thread = 20, 25
    errors: list[BaseException] = []
    ids: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                rid = store.add(f"q{t}-{i}", ANSWER, 1 if i % 2 else -1, session=f"t{t}")
                with lock:
                    ids.append(rid)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert store.count() == threads * per_thread
    assert len(set(ids)) == threads * per_thread
    questions = {r["question"] for r in store.all()}
    assert questions == {f"q{t}-{i}" for t in range(threads) for i in range(per_thread)}
    # and a fresh store (another process would see the same) reads them all
    again = FeedbackStore(store.path)
    assert again.count() == threads * per_thread
    again.close()


def test_cli_export(store, tmp_path, capsys):
    from rag.cli import main

    store.add("今年要建多少5G基站？", ANSWER, 1)
    out = tmp_path / "cli.jsonl"
    assert main(["feedback", "export", "--format", "jsonl", "--out", str(out), "--db", str(store.path)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["direct_answer"] == "新建5g基站900座"
    assert "Exported 1 feedback records." in capsys.readouterr().err
