"""The JSON HTTP API: ``POST /api/ask``, ``POST /api/feedback`` and ``GET /api/health``.

Plain FastAPI routes on the parent app, outside the Gradio queue: an API client gets one
request, one JSON response. ``/api/ask`` returns exactly ``Answer.to_json()`` (the contract of
``rag ask --json``); every error is a JSON object with an ``"error"`` string, never a traceback.

Status codes of ``POST /api/ask``:
    200  an answer (possibly a refusal: ``"refused": true`` with the nearest passages)
    400  the body is not JSON, or not a JSON object
    413  the body is over ``MAX_BODY_BYTES``, or the question is over
         ``pipeline.settings.max_question_chars`` characters (500 by default; counted on the
         string as sent, before any whitespace is collapsed)
    422  no ``"question"`` string in the object; ``"sources"`` not a list of known document names;
         or the pipeline rejected the question
         (empty, no topic words): the body is then ``Answer.to_json()`` with ``"error"`` set
    500  an unexpected failure (logged; the body says only "internal error")

``POST /api/feedback`` answers 201 ``{"id": n}`` once the row is committed, 4xx for a bad body, and
503 (with ``Retry-After``) when the feedback store cannot be written: the rating was not saved.
``GET /api/health`` is 200 while questions can be answered; its ``status`` is ``"degraded"`` and
``feedback.ok`` false when the feedback store is down.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from rag.errors import FeedbackUnavailable

log = logging.getLogger(__name__)

#: Request bodies larger than this are refused before parsing (a question is at most a few KB).
MAX_BODY_BYTES = 64 * 1024
#: How many API questions are answered at once (the rest wait their turn). The pipeline is
#: CPU-bound (~15-30 ms per answer) on a small machine; more threads only contend.
API_CONCURRENCY = int(os.environ.get("RAG_API_CONCURRENCY", "4"))


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {dict: "object", list: "array", str: "string", int: "number", float: "number",
            type(None): "null"}.get(type(value), type(value).__name__)


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


async def _json_object(request: Request, example: str) -> tuple[dict | None, JSONResponse | None]:
    """(the body as a JSON object, None) or (None, the 4xx error to return)."""
    raw = await _read_body(request)
    if raw is None:
        return None, _error(413, f"request body too large; the limit is {MAX_BODY_BYTES} bytes")
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, _error(400, "request body is not UTF-8 encoded JSON")
    except ValueError as exc:
        if not raw.strip():
            return None, _error(400, f"empty request body; send a JSON object such as {example}")
        return None, _error(400, f"request body is not valid JSON ({exc.msg} at line {exc.lineno} "
                                 f"column {exc.colno}); send an object such as {example}")
    if not isinstance(obj, dict):
        return None, _error(400, f"expected a JSON object such as {example}, got a JSON {_json_type(obj)}")
    return obj, None


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it exceeds MAX_BODY_BYTES (read no further than that)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def health(pipeline, feedback_store=None) -> dict[str, Any]:
    """What ``GET /api/health`` returns: status, models, the documents held (title, place, level,
    year, date) and a summary of the index manifest."""
    import rag

    m = pipeline.manifest
    out: dict[str, Any] = {
        "status": "ok",
        "version": rag.__version__,
        "model": {k: m["model"].get(k) for k in ("name", "version", "dim")},
        "xling_model": ({k: m["xling_model"].get(k) for k in ("name", "version", "dim")}
                        if m.get("xling_model") else None),
        "index": {
            "built_at": m.get("built_at"),
            "counts": m.get("counts", {}),
            "params": m.get("params", {}),
            "ann": m.get("ann"),
        },
        "documents": [{**d.metadata(), "sha256": d.sha256, "paragraphs": len(d.paragraphs)}
                      for d in pipeline.documents],
        "home": list(pipeline.corpus.home),
        "limits": {"max_question_chars": pipeline.settings.max_question_chars,
                   "max_body_bytes": MAX_BODY_BYTES},
    }
    if feedback_store is not None:
        backend = getattr(feedback_store, "backend", "?")
        try:
            out["feedback"] = {"backend": backend, "ok": True, "count": feedback_store.count()}
        except Exception as exc:  # a down or broken feedback store must not fail the health check
            log.warning("feedback count failed: %s", exc)
            out["feedback"] = {"backend": backend, "ok": False, "count": None,
                               "error": "the feedback store is unavailable"}
            out["status"] = "degraded"  # answers still work; ratings are refused with 503
    if os.environ.get("RAG_WORKER_ID"):
        out["worker"] = {"id": int(os.environ["RAG_WORKER_ID"]), "pid": os.getpid()}
    return out


def add_api_routes(app: FastAPI, pipeline, feedback_store=None) -> None:
    """Register ``/api/ask`` and ``/api/health`` on ``app`` (call before mounting Gradio at "/")."""
    limiter = anyio.CapacityLimiter(API_CONCURRENCY)
    cap = pipeline.settings.max_question_chars

    @app.post("/api/ask")
    async def api_ask(request: Request) -> JSONResponse:
        """Answer ``{"question": "..."}`` with ``Answer.to_json()``.

        The question may be at most ``pipeline.settings.max_question_chars`` characters
        (default 500); longer ones get HTTP 413 ``{"error": ...}``. See the module docstring for
        every status code.
        """
        obj, error = await _json_object(request, '{"question": "..."}')
        if error is not None:
            return error
        if "question" not in obj:
            return _error(422, 'missing "question": send {"question": "..."}')
        question = obj["question"]
        if not isinstance(question, str):
            return _error(422, f'"question" must be a string, not a JSON {_json_type(question)}')
        sources = obj.get("sources")
        if sources is not None and (not isinstance(sources, list) or not all(isinstance(x, str) for x in sources)):
            return _error(422, '"sources" must be a list of document names (see GET /api/health)')
        if sources:
            unknown = pipeline.unknown_sources(sources)
            if unknown:
                return _error(422, f"unknown document(s) {', '.join(unknown)[:200]}; GET /api/health lists them")
        if len(question) > cap:
            return _error(413, f"question too long ({len(question)} characters); the limit is {cap}",
                          limit=cap)
        try:
            answer = await anyio.to_thread.run_sync(lambda: pipeline.ask(question, sources=sources or None),
                                                    limiter=limiter)
        except Exception:
            log.exception("/api/ask failed for %r", question[:80])
            return _error(500, "internal error")
        return JSONResponse(answer.to_json(), status_code=422 if answer.error else 200)

    @app.post("/api/feedback")
    async def api_feedback(request: Request) -> JSONResponse:
        """Store a rating: ``{"question": str, "rating": 1 | -1, "comment"?: str, "answer"?: object}``
        (``answer`` is the ``/api/ask`` JSON that was rated). Returns 201 ``{"id": n}`` once the row
        is committed: an acknowledged rating survives a crash of the server."""
        if feedback_store is None:
            return _error(503, "feedback is not enabled on this server")
        obj, error = await _json_object(request, '{"question": "...", "rating": 1}')
        if error is not None:
            return error
        question, rating = obj.get("question"), obj.get("rating")
        comment, answer = obj.get("comment", ""), obj.get("answer", {})
        if not isinstance(question, str) or not question.strip():
            return _error(422, '"question" must be a non-empty string')
        if rating not in (1, -1) or isinstance(rating, bool):
            return _error(422, '"rating" must be 1 (thumbs up) or -1 (thumbs down)')
        if not isinstance(comment, str):
            return _error(422, '"comment" must be a string')
        if not isinstance(answer, dict):
            return _error(422, '"answer" must be the JSON object /api/ask returned')
        if len(question) > cap:
            return _error(413, f"question too long ({len(question)} characters); the limit is {cap}", limit=cap)
        try:
            row = await anyio.to_thread.run_sync(feedback_store.add, question, answer, rating, comment, "api")
        except FeedbackUnavailable as exc:
            log.warning("/api/feedback: %s", exc)
            return _error(503, "the feedback store is unavailable right now; the rating was not saved, "
                               "please send it again later", headers={"Retry-After": "5"})
        except Exception:
            log.exception("/api/feedback failed")
            return _error(500, "internal error")
        return JSONResponse({"id": row}, status_code=201)

    @app.get("/api/health")
    async def api_health() -> JSONResponse:
        try:
            return JSONResponse(health(pipeline, feedback_store))
        except Exception:
            log.exception("/api/health failed")
            return _error(500, "internal error")

    # Anything else under /api/ would fall through to the Gradio app mounted at "/" (an HTML or
    # {"detail"} 404); answer it here, in this API's JSON error shape.
    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
    async def api_other(rest: str, request: Request) -> JSONResponse:
        known = {"ask": "POST", "health": "GET", "feedback": "POST"}
        if rest in known:
            return _error(405, f"use {known[rest]} /api/{rest}", headers={"Allow": known[rest]})
        return _error(404, f"no such API route /api/{rest}; the routes are POST /api/ask, POST /api/feedback "
                           "and GET /api/health")
