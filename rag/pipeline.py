"""``Pipeline``: the one object the CLI, the web app, the HTTP API and the evaluation use.

``Pipeline.load(settings)`` reads the sources, loads (or, when allowed, rebuilds) the index and
warms the models; ``ask(question, history=None)`` returns a typed ``Answer`` and never raises
for bad input: an empty, too long or topic-less question comes back as a refusal with a clear
message (and ``error`` set).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

from . import store
from .answer import Answerer, messages
from .config import Settings
from .embed import Embedder, embedders_for
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .ingest import load_documents
from .lexicon import load_lexicon
from .query import Query, analyze
from .retrieve import Retriever
from .text import clean_input, detect_language, normalize
from .types import Answer, Document, Hit, Paragraph

log = logging.getLogger(__name__)

# Lookup results below this share of the best result's score are left out.
LOOKUP_RELATIVE_FLOOR = 0.4


class Pipeline:
    def __init__(self, settings: Settings, documents: list[Document], index: store.StoredIndex,
                 embedder: Embedder, xembedder: Embedder | None):
        self.settings = settings
        self.documents = documents
        self.index = index
        self.embedder = embedder
        self.xembedder = xembedder
        self.paragraphs: list[Paragraph] = [p for d in documents for p in d.paragraphs]
        self.lexicon = load_lexicon().with_fallback(index.cedict).with_corpus([p.text for p in self.paragraphs])
        self.retriever = Retriever(self.paragraphs, index, embedder, xembedder, settings)
        self.answerer = Answerer(self.retriever.paragraphs, self.retriever.bm25, index.chunks,
                                 cite_k=settings.cite_k, max_chars=settings.max_direct_chars)
        self.llm = None
        if settings.llm:
            from .llm import LLMAnswerer

            self.llm = LLMAnswerer(settings.llm, settings.llm_timeout_s)
        self._cache: OrderedDict[tuple[int | None, str], Answer] = OrderedDict()
        self._cache_lock = threading.Lock()

    # -- construction --------------------------------------------------------------------
    @classmethod
    def load(cls, settings: Settings | None = None, *, progress: bool = False, warm: bool = True) -> Pipeline:
        settings = settings or Settings.from_env()
        documents = load_documents(settings.seeds_dir)
        embedder, xembedder = embedders_for(settings)
        index = load_or_build(settings, documents, embedder, xembedder, progress=progress)
        pipe = cls(settings, documents, index, embedder, xembedder)
        if warm:
            pipe.warm()
        return pipe

    def warm(self) -> None:
        """Load models and the segmenter now, so the first question is as fast as the rest."""
        self.ask("今年要建多少5G基站？")
        if self.xembedder is not None:
            self.ask("How many 5G base stations?")

    @property
    def manifest(self) -> dict:
        return self.index.manifest

    def paragraph(self, source: str, line: int) -> Paragraph:
        for p in self.paragraphs:
            if p.source == source and p.line == line:
                return p
        raise KeyError((source, line))

    def citation_text(self, source: str, line: int, quote: str | None = None) -> str:
        """A citation an operator can read out or paste, e.g.
        《威海市2025年政府工作报告》（五）… 高水平打造智慧城市（第29行）：“新建5g基站900座”"""
        from .ingest import remove_adverts

        p = self.paragraph(source, line)
        title = next((d.title for d in self.documents if d.source == source), source)
        if p.kind == "subsection":
            label = p.section[0].split("）", 1)[0] + "）…" if "）" in p.section[0] else p.section[0]
            where = f"{label} {p.title}"
        else:
            where = " ".join(p.section)
        text = remove_adverts((quote if quote is not None else p.text).strip())
        return f"《{title}》{where}（第{line}行）：“{text}”"

    # -- asking --------------------------------------------------------------------------
    def analyze(self, question: str) -> Query:
        return analyze(question, self.lexicon)

    def search(self, question: str, k: int = 5) -> list[Hit]:
        """Top paragraphs for a lookup (operators' search box)."""
        text = clean_input(question or "")[: self.settings.max_question_chars]
        if not text:
            return []
        q = self.analyze(text)
        if not q.has_topic:
            return []
        hits = self.retriever.search(q, k=k).hits
        # passages far below the best are noise to an operator scanning the list
        return [h for h in hits if h.score >= LOOKUP_RELATIVE_FLOOR * hits[0].score] if hits else []

    def _reject(self, question: str, message: str, error: str, started: float) -> Answer:
        ms = (time.perf_counter() - started) * 1000
        return Answer(question, message, "", True, (), {"retrieve": 0.0, "answer": 0.0, "total": ms},
                      lang=detect_language(question or ""), error=error)

    def stream(self, question: str, history: Sequence | None = None):
        """Like ``ask``, as events for a streaming UI: ``{"event": "delta", "text": ...}`` (generated
        text, each sentence shown once checked) then ``{"event": "final", "answer": Answer}``. Without
        an LLM there is only the final event."""
        if self.llm is None:
            yield {"event": "final", "answer": self.ask(question, history)}
            return
        extractive = self._answer(question, history, generate=False)  # first, without the model
        if extractive.error:
            yield {"event": "final", "answer": extractive}
            return
        text = extractive.resolved_question or clean_input(question)
        yield from self.llm.stream(self, text, extractive, extractive.meta.get("hits", []), extractive.lang)

    def ask(self, question: str, history: Sequence | None = None) -> Answer:
        """Answer one question (``history``: the conversation so far, for follow-ups). Never raises
        for bad input. Thread-safe: the web server calls it from several threads at once."""
        return self._answer(question, history, generate=self.llm is not None)

    def _answer(self, question: str, history: Sequence | None, generate: bool) -> Answer:
        started = time.perf_counter()
        if not isinstance(question, str):
            return self._reject(str(question), messages("zh").empty, "question must be a string", started)
        text = clean_input(question)
        lang = detect_language(text)
        m = messages(lang)
        if not text:
            return self._reject(question, m.empty, "empty question", started)
        limit = self.settings.max_question_chars
        if len(text) > limit:
            msg = (f"The question is too long ({len(text)} characters); please keep it under {limit}."
                   if lang == "en" else f"问题太长（{len(text)}字），请控制在{limit}字以内。")
            return self._reject(question, msg, "question too long", started)
        model = self.llm.key if generate and self.llm is not None else None
        key = (model, normalize(text)) if not history and self.settings.cache_size > 0 else None
        if key is not None:
            with self._cache_lock:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
            if hit is not None:
                ms = (time.perf_counter() - started) * 1000
                return replace(hit, question=question, timings_ms={"retrieve": 0.0, "answer": 0.0, "total": ms},
                               meta={**hit.meta, "cached": True})
        resolved = None
        q = None
        if history:
            from .conversation import resolve, soften

            res = resolve(text, history, self.lexicon)
            if res.followup:
                resolved = res.question
                if generate and self.llm is not None:
                    from .conversation import user_turns

                    resolved = self.llm.condense(user_turns(history), text) or resolved
                q = self.analyze(resolved)
                if res.soft_frame:
                    q = soften(q, self.analyze(text))
        if q is None:
            q = self.analyze(text)
        if not q.has_topic:
            return self._reject(question, m.empty, "no topic words in the question", started)
        t0 = time.perf_counter()
        retrieval = self.retriever.search(q)
        t1 = time.perf_counter()
        ans = self.answerer.answer(q, retrieval)
        t2 = time.perf_counter()
        timings = {
            "retrieve": (t1 - t0) * 1000,
            "answer": (t2 - t1) * 1000,
            "total": (t2 - started) * 1000,
        }
        meta = dict(ans.meta)
        meta["stages"] = retrieval.timings_ms
        cited = [c.line for c in ans.citations]
        meta["ranking"] = cited + [line for _, line in retrieval.ranking if line not in cited]
        meta["hits"] = retrieval.hits  # for the generative step (internal: not in the JSON)
        answer = Answer(question, ans.answer, ans.direct_answer, ans.refused, ans.citations, timings,
                        lang=q.lang, resolved_question=resolved, meta=meta)
        if generate and self.llm is not None:
            answer = self.llm.answer(self, resolved or text, answer, retrieval.hits, q.lang)
        if key is not None:
            with self._cache_lock:
                self._cache[key] = answer
                while len(self._cache) > self.settings.cache_size:
                    self._cache.popitem(last=False)
        return answer


def load_or_build(settings: Settings, documents: list[Document], embedder: Embedder,
                  xembedder: Embedder | None, *, progress: bool = False) -> store.StoredIndex:
    try:
        return store.load(settings.index_dir, documents, settings, embedder, xembedder)
    except (IndexMissingError, IndexCorruptError, IndexStaleError) as exc:
        if not settings.auto_build:
            raise
        log.warning("%s — rebuilding the index", exc)
        store.build(documents, settings, embedder, xembedder, progress=progress)
        return store.load(settings.index_dir, documents, settings, embedder, xembedder)
