"""Feedback on answers (thumbs up / down plus an optional comment): SQLite by default,
PostgreSQL when ``RAG_DATABASE_URL`` names one (``rag.feedback_pg``); ``open_store`` picks.

Consumes what the web chat sends after a user rates an answer: the question, the answer's
public JSON (``Answer.to_json()``), the rating and a comment; produces rows that
``rag feedback export --format jsonl|csv`` writes out for review.

Durability and concurrency: the database runs in WAL mode with ``synchronous=FULL`` (a
committed row survives a crash of the app and of the machine; WAL lets the exporter read while
the server writes). Every thread gets its own connection in autocommit mode, so each ``add`` is one
committed INSERT before it returns; writers from other threads or processes wait on
``busy_timeout`` instead of failing. A write that still fails (disk full, locked for 30 s) raises
``FeedbackUnavailable``: the API answers 503 and the user is told the rating was not saved.

Both stores share ``Records`` (export, the record shape), so ``rag feedback export`` writes the
same JSONL/CSV from either.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from .config import PROJECT_ROOT
from .errors import FeedbackUnavailable

DEFAULT_PATH = PROJECT_ROOT / "feedback" / "feedback.db"
FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("id", "created_at", "session", "question", "rating", "comment", "direct_answer", "refused",
               "citations", "answer")
#: Stored comments are cut to this length (the UI limits input to the same).
MAX_COMMENT_CHARS = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    TEXT    NOT NULL,             -- UTC, ISO 8601
    session       TEXT    NOT NULL DEFAULT '',
    question      TEXT    NOT NULL,
    rating        INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment       TEXT    NOT NULL DEFAULT '',
    direct_answer TEXT    NOT NULL DEFAULT '',
    refused       INTEGER NOT NULL DEFAULT 0,
    citations     TEXT    NOT NULL DEFAULT '[]', -- JSON list, as in Answer.to_json()["citations"]
    answer_json   TEXT    NOT NULL              -- the full Answer.to_json()
);
"""


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def check_rating(rating: int) -> None:
    if isinstance(rating, bool) or rating not in (1, -1):
        raise ValueError(f"rating must be +1 or -1, not {rating!r}")


def row_values(question: str, answer_json: dict[str, Any], rating: int, comment: str, session: str) -> tuple:
    """The values of one new row, in column order (created_at … answer_json); validates them."""
    check_rating(rating)
    if not isinstance(answer_json, dict):
        raise TypeError("answer_json must be a dict (Answer.to_json())")
    citations = answer_json.get("citations") or []
    return (iso_now(), str(session or ""), str(question or ""), int(rating), str(comment or "")[:MAX_COMMENT_CHARS],
            str(answer_json.get("direct_answer") or ""), bool(answer_json.get("refused")),
            json.dumps(citations, ensure_ascii=False), json.dumps(answer_json, ensure_ascii=False))


def open_store(path: Path | str | None = None, url: str | None = None):
    """The feedback store a server or ``rag feedback export`` uses: PostgreSQL when ``url`` (or else
    ``$RAG_DATABASE_URL``) is a ``postgresql://`` URL, else the SQLite file ``path``."""
    url = url if url is not None else os.environ.get("RAG_DATABASE_URL", "")
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("RAG_DATABASE_URL must be a postgresql:// URL (unset it for the SQLite file)")
        from .feedback_pg import PostgresFeedbackStore

        return PostgresFeedbackStore(url)
    return FeedbackStore(path)



def to_record(row) -> dict[str, Any]:
    """The exported shape of one row (a mapping with the table's columns), whichever the store."""
    created = row["created_at"]
    if isinstance(created, datetime):
        created = created.astimezone(UTC).isoformat(timespec="milliseconds")

    def _json(value):
        return json.loads(value) if isinstance(value, str) else value

    return {"id": row["id"], "created_at": created, "session": row["session"], "question": row["question"],
            "rating": row["rating"], "comment": row["comment"], "direct_answer": row["direct_answer"],
            "refused": bool(row["refused"]), "citations": _json(row["citations"]),
            "answer": _json(row["answer_json"])}


class Records:
    """What every store offers on top of ``iter_records``: the list, and export as JSONL or CSV."""

    backend = "?"

    def iter_records(self) -> Iterator[dict[str, Any]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def all(self) -> list[dict[str, Any]]:
        return list(self.iter_records())

    # -- export ----------------------------------------------------------------------------
    def export(self, dest: Path | str | TextIO, fmt: str = "jsonl") -> int:
        """Write every record to ``dest`` (a path, written atomically, or an open text stream).

        ``jsonl``: one JSON object per line, ``citations`` and ``answer`` as nested JSON.
        ``csv``: a header row of ``CSV_COLUMNS``; ``citations`` and ``answer`` as JSON strings.
        Returns the number of records written.
        """
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
        if isinstance(dest, (str, Path)):
            path = Path(dest)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                    n = self._write(fh, fmt)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return n
        return self._write(dest, fmt)

    def _write(self, fh: TextIO, fmt: str) -> int:
        n = 0
        if fmt == "jsonl":
            for rec in self.iter_records():
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
        else:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for rec in self.iter_records():
                row = dict(rec)
                row["refused"] = int(rec["refused"])
                row["citations"] = json.dumps(rec["citations"], ensure_ascii=False)
                row["answer"] = json.dumps(rec["answer"], ensure_ascii=False)
                writer.writerow([row[c] for c in CSV_COLUMNS])
                n += 1
        fh.flush()
        return n


class FeedbackStore(Records):
    """``FeedbackStore(None)`` uses ``./feedback/feedback.db`` under the project root."""

    backend = "sqlite"

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else DEFAULT_PATH
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all_conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"FeedbackStore({str(self.path)!r})"

    def describe(self) -> str:
        return f"SQLite {self.path}"

    # -- connections -----------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: autocommit, so each INSERT/UPDATE is committed when execute returns.
            # check_same_thread=False only so close() may close it from another thread; each
            # connection is used by the thread that opened it.
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            # FULL: a committed rating survives not only a killed server but a power cut
            conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
            with self._conns_lock:
                self._all_conns.append(conn)
        return conn

    def close(self) -> None:
        with self._conns_lock:
            conns, self._all_conns = self._all_conns, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover - closing is best effort
                pass
        self._local = threading.local()

    # -- writing ---------------------------------------------------------------------------
    def _execute(self, sql: str, params: tuple) -> sqlite3.Cursor:
        try:
            return self._conn().execute(sql, params)
        except sqlite3.OperationalError as exc:  # locked past busy_timeout, disk full, read-only
            raise FeedbackUnavailable(f"the feedback database {self.path} cannot be written: {exc}") from exc

    def add(self, question: str, answer_json: dict[str, Any], rating: int, comment: str = "",
            session: str = "") -> int:
        """Store one rating (+1 or -1) and return its row id; committed before returning."""
        values = row_values(question, answer_json, rating, comment, session)
        cur = self._execute(
            "INSERT INTO feedback (created_at, session, question, rating, comment, direct_answer, refused,"
            " citations, answer_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        return int(cur.lastrowid)

    def set_rating(self, row_id: int, rating: int) -> bool:
        """Change the rating of an existing row (the user switched thumbs); False when it does not exist."""
        check_rating(rating)
        return self._execute("UPDATE feedback SET rating = ? WHERE id = ?", (int(rating), int(row_id))).rowcount == 1

    def delete(self, row_id: int) -> bool:
        """Remove a row (the user took the rating back); False when it does not exist."""
        return self._execute("DELETE FROM feedback WHERE id = ?", (int(row_id),)).rowcount == 1

    def set_comment(self, row_id: int, comment: str) -> bool:
        """Attach (or replace) the comment of an existing row; False when the row does not exist."""
        return self._execute("UPDATE feedback SET comment = ? WHERE id = ?",
                             (str(comment or "")[:MAX_COMMENT_CHARS], int(row_id))).rowcount == 1

    # -- reading ---------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def iter_records(self) -> Iterator[dict[str, Any]]:
        for row in self._conn().execute("SELECT * FROM feedback ORDER BY id"):
            yield to_record(row)

    def get(self, row_id: int) -> dict[str, Any] | None:
        row = self._conn().execute("SELECT * FROM feedback WHERE id = ?", (int(row_id),)).fetchone()
        return to_record(row) if row is not None else None
