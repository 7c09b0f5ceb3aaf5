"""Feedback in PostgreSQL, for several servers (or several machines) writing one store.

``PostgresFeedbackStore(url)`` offers what ``feedback.FeedbackStore`` offers (add, set_rating,
delete, set_comment, count, get, iter_records, export), on psycopg 3 with a connection pool.

* Every write is one transaction committed before the method returns (the pool's connection
  context commits on exit), so a 201 from the API means the row is on the server's disk
  (``synchronous_commit`` is left at its default, ``on``).
* The schema is created or migrated on first use, under a transaction-level advisory lock so that
  servers starting together do not race; ``rag_schema`` records the version.
* When the database cannot be reached, writes and counts raise ``FeedbackUnavailable`` within a
  few seconds (``connect_timeout`` and the pool's ``timeout``) instead of hanging; the pool checks a
  connection before lending it, so a restarted database is picked up again by itself.
* Every statement is parameterised: no SQL is built from user text.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

from .errors import FeedbackUnavailable
from .feedback import MAX_COMMENT_CHARS, Records, check_rating, row_values, to_record

log = logging.getLogger(__name__)
# The pool logs every failed reconnection attempt; one warning of ours says the database is down.
logging.getLogger("psycopg.pool").setLevel(logging.ERROR)

SCHEMA_VERSION = 1
#: Migrations by the version they bring the schema to; each runs once, in order.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE IF NOT EXISTS feedback (
        id            BIGSERIAL   PRIMARY KEY,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        session       TEXT        NOT NULL DEFAULT '',
        question      TEXT        NOT NULL,
        rating        SMALLINT    NOT NULL CHECK (rating IN (-1, 1)),
        comment       TEXT        NOT NULL DEFAULT '',
        direct_answer TEXT        NOT NULL DEFAULT '',
        refused       BOOLEAN     NOT NULL DEFAULT FALSE,
        citations     JSONB       NOT NULL DEFAULT '[]',
        answer_json   JSONB       NOT NULL
    );
    """,
}
#: Any 64-bit number the deployment does not use elsewhere: serialises schema changes.
_LOCK_KEY = 0x7261675F6662  # "rag_fb"


def _redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class PostgresFeedbackStore(Records):
    backend = "postgresql"

    def __init__(self, url: str, *, min_size: int = 1, max_size: int | None = None, timeout_s: float | None = None):
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self.url = url
        # How long a write waits for a connection before it is refused (503): a user is waiting.
        timeout_s = timeout_s or float(os.environ.get("RAG_DB_TIMEOUT", "3"))
        self.timeout_s = timeout_s
        max_size = max_size or int(os.environ.get("RAG_DB_POOL_SIZE", "8"))
        self.pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=False, timeout=timeout_s,
                                   check=ConnectionPool.check_connection, name="rag-feedback",
                                   kwargs={"connect_timeout": max(1, int(timeout_s)), "row_factory": dict_row,
                                           "application_name": "rag"})
        # Do not wait: a server must start (and answer questions) while the database is down.
        self.pool.open(wait=False)
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        try:
            self._ensure_schema()
        except FeedbackUnavailable as exc:
            log.warning("%s; feedback will be refused with 503 until it is reachable", exc)

    def __repr__(self) -> str:
        return f"PostgresFeedbackStore({_redact(self.url)!r})"

    def describe(self) -> str:
        return f"PostgreSQL {_redact(self.url)}"

    def close(self) -> None:
        self.pool.close()

    # -- plumbing ----------------------------------------------------------------------------
    def _unavailable(self, exc: Exception) -> FeedbackUnavailable:
        return FeedbackUnavailable(f"the feedback database ({_redact(self.url)}) is unavailable: "
                                   f"{type(exc).__name__}: {str(exc).strip()[:200]}")

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        import psycopg
        from psycopg_pool import PoolTimeout

        with self._schema_lock:
            if self._schema_ready:
                return
            try:
                with self.pool.connection() as conn, conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
                    conn.execute("CREATE TABLE IF NOT EXISTS rag_schema (version INTEGER NOT NULL)")
                    row = conn.execute("SELECT max(version) AS v FROM rag_schema").fetchone()
                    current = row["v"] or 0
                    for version in sorted(v for v in MIGRATIONS if v > current):
                        conn.execute(MIGRATIONS[version])
                        conn.execute("INSERT INTO rag_schema (version) VALUES (%s)", (version,))
                        log.info("feedback schema migrated to version %d", version)
            except (psycopg.OperationalError, PoolTimeout) as exc:
                raise self._unavailable(exc) from exc
            self._schema_ready = True

    def _run(self, sql: str, params: tuple = (), fetch: str = "none"):
        """Execute one statement in its own committed transaction: ``fetch`` one/all/rowcount."""
        import psycopg
        from psycopg_pool import PoolTimeout

        self._ensure_schema()
        try:
            with self.pool.connection() as conn:
                cur = conn.execute(sql, params)
                if fetch == "one":
                    result = cur.fetchone()
                elif fetch == "all":
                    result = cur.fetchall()
                else:
                    result = cur.rowcount
            return result  # the connection context has committed by now
        except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout) as exc:
            raise self._unavailable(exc) from exc

    # -- writing -----------------------------------------------------------------------------
    def add(self, question: str, answer_json: dict[str, Any], rating: int, comment: str = "",
            session: str = "") -> int:
        """Store one rating and return its id, once the transaction is committed."""
        values = row_values(question, answer_json, rating, comment, session)
        row = self._run("INSERT INTO feedback (created_at, session, question, rating, comment, direct_answer,"
                        " refused, citations, answer_json) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb)"
                        " RETURNING id", values, fetch="one")
        return int(row["id"])

    def set_rating(self, row_id: int, rating: int) -> bool:
        check_rating(rating)
        return self._run("UPDATE feedback SET rating = %s WHERE id = %s", (int(rating), int(row_id))) == 1

    def delete(self, row_id: int) -> bool:
        return self._run("DELETE FROM feedback WHERE id = %s", (int(row_id),)) == 1

    def set_comment(self, row_id: int, comment: str) -> bool:
        return self._run("UPDATE feedback SET comment = %s WHERE id = %s",
                         (str(comment or "")[:MAX_COMMENT_CHARS], int(row_id))) == 1

    # -- reading -----------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._run("SELECT count(*) AS n FROM feedback", fetch="one")["n"])

    def get(self, row_id: int) -> dict[str, Any] | None:
        row = self._run("SELECT * FROM feedback WHERE id = %s", (int(row_id),), fetch="one")
        return to_record(row) if row is not None else None

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Every row in id order, streamed with a server-side cursor (an export may be large)."""
        import psycopg
        from psycopg_pool import PoolTimeout

        self._ensure_schema()
        try:
            with self.pool.connection() as conn, conn.transaction(), \
                    conn.cursor(name="rag_feedback_export") as cur:
                cur.itersize = 1000
                cur.execute("SELECT * FROM feedback ORDER BY id")
                for row in cur:
                    yield to_record(row)
        except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout) as exc:
            raise self._unavailable(exc) from exc
