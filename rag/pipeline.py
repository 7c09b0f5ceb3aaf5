"""``Pipeline``: the one object the CLI, the web app, the HTTP API and the evaluation use.

``Pipeline.load(settings)`` reads the reports, loads (or, when allowed, builds or updates) the
index and warms the models; ``ask(question, history=None, sources=None)`` returns a typed
``Answer`` and never raises for bad input: an empty, too long or topic-less question comes back
as a refusal with a clear message (and ``error`` set).

The ask path: ``query.analyze`` (normalise, form, place and time, topic terms) ->
``Corpus.resolve`` (which documents and years) -> per side ``Retriever.search`` and
``Answerer.answer_side`` -> ``Composer.compose``. A question that names no place is answered from
the home document; when the home document does not cover it, the other documents may answer,
named as such.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

from . import places as gaz
from . import store
from .answer import Answerer, SideAnswer
from .compose import Composer
from .config import Settings
from .embed import Embedder, embedders_for
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .ingest import load_documents
from .lexicon import load_lexicon
from .messages import Frame
from .normalize import normalize_question
from .query import Query, Term, analyze
from .retrieve import Retriever
from .scope import Corpus, Mentions, PlaceRef, Scope, where_caller_is
from .text import clean_input, detect_language, normalize, strip_markup
from .types import Answer, Document, Figure, Hit, Paragraph

log = logging.getLogger(__name__)

# Lookup results below this share of the best result's score are left out.
LOOKUP_RELATIVE_FLOOR = 0.4
# A comparison answers at most this many sides.
MAX_SIDES = 4
# When the home document is silent, at most this many other places are tried (the best by retrieval).
MAX_FALLBACK_PLACES = 3


def _lexicon(settings: Settings, cedict: dict[str, list[str]]):
    """The query vocabulary: the generic tables and the documents' derived English, each part
    switchable for ablations."""
    from dataclasses import replace

    lex = load_lexicon()
    if not settings.use_synonyms:
        lex = replace(lex, zh={})
    if not settings.use_lexicon_en:
        lex = replace(lex, en={}, en_max=1)
    return lex.with_fallback(cedict if settings.use_cedict else {})


class Pipeline:
    def __init__(self, settings: Settings, documents: list[Document], index: store.StoredIndex,
                 embedder: Embedder, xembedder: Embedder | None):
        self.settings = settings
        self.documents = documents
        self.index = index
        self.embedder = embedder
        self.xembedder = xembedder
        self.corpus = Corpus(documents, settings.home)
        self.paragraphs: list[Paragraph] = [p for d in documents for p in d.paragraphs]
        self._paragraphs = {(p.source, p.line): p for p in self.paragraphs}
        self.lexicon = _lexicon(settings, index.cedict).with_corpus([p.text for p in self.paragraphs])
        from . import segment

        # the segmenter learns the corpus's vocabulary: generic terms, and the words of these reports
        # that CC-CEDICT knows (derived at index time)
        lex = self.lexicon
        segment.init({t for ts in lex.zh.values() for t in ts} | set(lex.zh) | {t for ts in lex.en.values() for t in ts}
                     | {w for ws in lex.en_fallback.values() for w in ws})
        self.retriever = Retriever(documents, index, embedder, xembedder, settings)
        self.answerer = Answerer(self.retriever, index.figures, documents, max_chars=settings.max_direct_chars,
                                 max_list_chars=settings.max_list_chars)
        self.composer = Composer(self.answerer, documents, self.corpus.describe(), cite_k=settings.cite_k)
        self.llm = None
        if settings.llm:
            from .llm import LLMAnswerer

            self.llm = LLMAnswerer(settings.llm, settings.llm_timeout_s)
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
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
        self.ask("今年的主要预期目标是什么？")
        if self.xembedder is not None:
            self.ask("What are this year's main targets?")

    @property
    def manifest(self) -> dict:
        return self.index.manifest

    def document(self, source: str) -> Document:
        for d in self.documents:
            if d.source == source:
                return d
        raise KeyError(source)

    def paragraph(self, source: str, line: int) -> Paragraph:
        return self._paragraphs[(source, line)]

    def citation_text(self, source: str, line: int, quote: str | None = None) -> str:
        """A citation an operator can read out or paste (``cite.citation_text``)."""
        from .cite import citation_text

        p = self.paragraph(source, line)
        return citation_text(self.document(source).title, p.section_path, line, quote if quote is not None else p.text)

    def figure_table(self, sources: Sequence[str] | None = None, metric: str = "",
                     kinds: Sequence[str] = ("target", "plan", "result")) -> list[Figure]:
        """The figures the reports state (metric, value, kind, line), for the operators' table;
        ``metric`` filters by words (its report-vocabulary terms), e.g. 生产总值 or GDP."""
        recs = [f for f in self.index.figures if (not sources or f.source in sources) and f.kind in kinds]
        if metric.strip():
            q = self.analyze(metric)
            terms = [t.text for t in q.terms if len(t.text) >= 2] or [normalize(metric)]
            recs = [f for f in recs if any(t in normalize(f.metric) for t in terms)]
        return recs

    # -- asking --------------------------------------------------------------------------
    def analyze(self, question: str) -> Query:
        q = analyze(question, self.lexicon)
        m = self.corpus.names_in_terms(q.mentions, q.norm, self.lexicon.corpus)
        if m is not q.mentions:  # a place name inside a report's term: the term is the topic
            q = analyze(question, self.lexicon, mentions=m)
        q = self._without_miscuts(self._rejoined(q))
        unheld = [r for r in q.mentions.places if r.name and r.name not in self.corpus.by_place]
        # a city with no report of its own is answered from its province's report, where that names it
        # (not where the caller only says they live there: "常年住在拉萨，能在常住地登记户口吗" asks the
        # province's policy)
        inside = [gaz.short_name(r.name) for r in unheld if self.corpus.held_parent(r.name)
                  and not where_caller_is(q.norm, r.span[0])]
        if inside:
            q = replace(_with_topic(q, inside), required=tuple(dict.fromkeys(inside)))
        # a place nothing held is about, beside one that is ("对日韩开放", "为台湾同胞做了什么" in a
        # province's deployment): what the question is about in that place's report
        if any(r.name in self.corpus.by_place for r in q.mentions.places):
            q = _with_topic(q, [gaz.short_name(r.name) for r in unheld
                                if r.name != gaz.NATIONAL and not self.corpus.held_parent(r.name)])
        return q

    def _without_miscuts(self, q: Query) -> Query:
        """Drop a two-character word the segmenter cut across words (到期|后要|再延长, 做|结直肠癌: 做结): no
        report uses it, and one of its characters joins the known word beside it into a pair the reports
        use (期后, 结直). Left in, it would count as a topic no report covers."""
        bm25 = self.retriever.bm25
        norm = q.norm
        known = {t.text for t in q.terms if bm25.idf_of(t.text[:2]) > 0}
        drop = set()
        for t in q.terms:
            w = t.text
            if t.origin != "zh" or len(w) != 2 or not all("\u4e00" <= c <= "\u9fff" for c in w) or bm25.idf_of(w):
                continue
            i = norm.find(w)
            if i < 0:
                continue
            before = next((k for k in known if norm.endswith(k, 0, i)), None)
            after = next((k for k in known if norm.startswith(k, i + 2)), None)
            if (before and bm25.idf_of(norm[i - 1] + w[0]) > 0) or (after and bm25.idf_of(w[1] + norm[i + 2]) > 0):
                drop.add(w)
        # a word with a verb glued to its end (22号线通平谷: 号线|通): the word the reports write
        from .segment import word_class

        corpus = self.lexicon.corpus
        cut = {t.text: t.text[:-1] for t in q.terms
               if t.origin == "zh" and len(t.text) >= 3 and t.text not in corpus and t.text[:-1] in corpus
               and word_class(t.text[-1]).startswith("v") and not word_class(t.text)}
        # a modal glued to its verb in a yes/no question (边境村能通客运班车吗: 能通): the verb is what is
        # asked (not where the question states a figure: there the words around it pick the figure)
        if q.form == "yesno" and not q.stated_figures:
            cut.update({t.text: t.text[1:] for t in q.terms
                        if t.origin == "zh" and len(t.text) == 2 and t.text[0] in "能会" and t.text not in corpus
                        and word_class(t.text[1]).startswith("v")})
        if not drop and not cut:
            return q
        return replace(q, terms=tuple(replace(t, text=cut[t.text], group=cut[t.text]) if t.text in cut else t
                                      for t in q.terms if t.text not in drop))

    def _rejoined(self, q: Query) -> Query:
        """Join a word the segmenter cut off one character of (燃气管|道) back into the word the
        reports write (燃气管道)."""
        terms = list(q.terms)
        corpus = self.lexicon.corpus
        i = 0
        while i + 1 < len(terms):
            a, b = terms[i], terms[i + 1]
            joined = a.text + b.text
            if a.origin == b.origin == "zh" and len(a.text) >= 2 and len(b.text) == 1 \
                    and joined in q.norm and joined in corpus and all(t.text != joined for t in terms):
                terms[i:i + 2] = [Term(joined, 1.0, "zh", joined)]
                continue
            i += 1
        return replace(q, terms=tuple(terms)) if len(terms) != len(q.terms) else q

    def _named(self, name: str) -> list[str]:
        """The documents one name given by a caller means (a file name with or without .txt, a title
        or a place)."""
        name = str(name).strip()
        return [d.source for d in self.documents
                if name and name in (d.source, d.title, d.place, d.short_place, d.source.rsplit(".", 1)[0])]

    def unknown_sources(self, sources: Sequence[str]) -> list[str]:
        """The names in ``sources`` that name no document held (callers refuse them rather than
        answer from every document)."""
        return [s for s in sources if not self._named(s)]

    def _sources(self, sources: Sequence[str] | None) -> tuple[str, ...]:
        """Document names a caller narrowed the scope to (file names, titles or places)."""
        return tuple(dict.fromkeys(d for s in sources or () for d in self._named(s)))

    def search(self, question: str, k: int = 5, sources: Sequence[str] | None = None) -> list[Hit]:
        """Top passages for a lookup (operators' search box), within ``sources`` if given."""
        text = clean_input(question or "")[: self.settings.max_question_chars]
        if not text:
            return []
        q = self.analyze(text)
        if not q.has_topic:
            return []
        restrict = self._sources(sources)
        scope = self.corpus.resolve(q.mentions, restrict=restrict) if q.mentions.places or q.mentions.times \
            else self.corpus.everything(restrict)
        from .scope import Side

        side = Side("", "", scope.sources, (), q.mentions.wants) if scope.sources else None
        if side is None:
            return []
        hits = self.retriever.search(q, side, k=k).hits
        # passages far below the best are noise to an operator scanning the list
        hits = [h for h in hits if h.score >= LOOKUP_RELATIVE_FLOOR * hits[0].score] if hits else []
        if not (q.mentions.places or restrict):
            # as in the chat, what names no place is first the home document's, where its passage holds
            # all of what was typed (5g基站: Weihai's line before Shandong's review); the rest by score
            home = set(self.corpus.home)
            first = [h for h in hits if h.passage.source in home
                     and self.answerer.coverage(q, h.passage.text, chars=True) >= 0.99]
            hits = first + [h for h in hits if all(h is not x for x in first)]
        return hits

    def _reject(self, question: str, message: str, error: str, started: float) -> Answer:
        ms = (time.perf_counter() - started) * 1000
        return Answer(question, message, "", True, (), {"retrieve": 0.0, "answer": 0.0, "total": ms},
                      lang=detect_language(question or ""), error=error)

    def stream(self, question: str, history: Sequence | None = None, sources: Sequence[str] | None = None):
        """Like ``ask``, as events for a streaming UI: ``{"event": "delta", "text": ...}`` (generated
        text, each sentence shown once checked) then ``{"event": "final", "answer": Answer}``. Without
        an LLM there is only the final event."""
        if self.llm is None:
            yield {"event": "final", "answer": self.ask(question, history, sources)}
            return
        extractive = self._answer(question, history, generate=False, sources=sources)
        if extractive.error:
            yield {"event": "final", "answer": extractive}
            return
        text = extractive.resolved_question or clean_input(question)
        yield from self.llm.stream(self, text, extractive, extractive.meta.get("hits", []), extractive.lang)

    def ask(self, question: str, history: Sequence | None = None, sources: Sequence[str] | None = None) -> Answer:
        """Answer one question (``history``: the conversation so far, for follow-ups; ``sources``:
        narrow to these documents). Never raises for bad input. Thread-safe."""
        return self._answer(question, history, generate=self.llm is not None, sources=sources)

    def _held(self) -> str:
        return self.corpus.describe()

    def _answer(self, question: str, history: Sequence | None, generate: bool,
                sources: Sequence[str] | None = None) -> Answer:
        started = time.perf_counter()
        if not isinstance(question, str):
            return self._reject(str(question), Frame("zh")("empty", held=self._held()), "question must be a string",
                                started)
        text = strip_markup(clean_input(question))  # read without markup; echoed as submitted
        nq = normalize_question(text) if text else None
        lang = detect_language(nq.text) if nq else "zh"
        frame = Frame(lang, nq.script if nq else "hans")
        if not text:
            return self._reject(question, frame("empty", held=self._held()), "empty question", started)
        limit = self.settings.max_question_chars
        if len(text) > limit:
            return self._reject(question, frame("too_long", n=len(text), limit=limit), "question too long", started)
        restrict = self._sources(sources)
        model = self.llm.key if generate and self.llm is not None else None
        key = (model, normalize(text), restrict) if not history and self.settings.cache_size > 0 else None
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
        from .query import ABOUT_REPORT

        about_report = bool(ABOUT_REPORT.search(q.norm))
        if not q.has_topic and not q.mentions.places and not about_report:
            return self._reject(question, frame("empty", held=self._held()), "no topic words in the question",
                                started)
        t0 = time.perf_counter()
        scope = self.corpus.resolve(q.mentions, restrict=restrict)
        if about_report:
            scope = scope if scope.sides and not scope.home_default else self._report_scope(q, restrict)
            parts = [self.answerer.about_report(q, side, Frame(q.lang, q.script)) for side in scope.sides]
            if parts and all(parts):
                ans = self.composer.compose(q, scope, parts, {})
                t1 = time.perf_counter()
                return replace(ans, question=question, timings_ms={"retrieve": (t1 - t0) * 1000, "answer": 0.0,
                                                                   "total": (t1 - started) * 1000},
                               meta={**ans.meta, "ranking": [(c.source, c.line) for c in ans.citations],
                                     "hits": [], "form": "when"})
        parts, dense, hits, ranking, stages = self._answer_sides(q, scope)
        fallback_from = ""
        if scope.home_default and ((not parts and scope.missing) or (parts and all(p.refused for p in parts) and parts[0].reason in (
                "not_mentioned", "figure_not_given", "yesno_unsettled", "no_definition", "year_not_held"))):
            alt = self._fallback(q, restrict)
            if alt is not None:
                scope, parts, dense, hits, ranking = alt
                fallback_from = "、".join(f"《{self.document(s).title}》" for s in self.corpus.home)
        t1 = time.perf_counter()
        ans = self.composer.compose(q, scope, parts, dense, fallback_from=fallback_from)
        t2 = time.perf_counter()
        timings = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000, "total": (t2 - started) * 1000}
        meta = dict(ans.meta)
        meta["stages"] = stages
        cited = [(c.source, c.line) for c in ans.citations]
        meta["ranking"] = list(dict.fromkeys(cited + ranking))
        meta["hits"] = hits  # for the generative step (internal: not in the JSON)
        meta["form"] = q.form
        answer = replace(ans, question=question, timings_ms=timings, resolved_question=resolved, meta=meta)
        if generate and self.llm is not None:
            answer = self.llm.answer(self, resolved or text, answer, hits, q.lang)
        if key is not None:
            with self._cache_lock:
                self._cache[key] = answer
                while len(self._cache) > self.settings.cache_size:
                    self._cache.popitem(last=False)
        return answer

    def _report_scope(self, q: Query, restrict: tuple[str, ...]) -> Scope:
        """For a question about a report itself naming no place: the reports of the year asked, the
        home document's first."""
        from .scope import Side

        years = {t.a for t in q.mentions.times if t.kind == "abs"}
        home = set(self.corpus.home)
        docs = sorted((d for d in self.documents if (not years or d.year in years)
                       and (not restrict or d.source in restrict)), key=lambda d: (d.source not in home, -d.year))
        sources = tuple(d.source for d in docs)
        return Scope((Side("", "", sources, tuple(years), ""),) if sources else (),
                     () if sources else tuple(f"{y}年" for y in sorted(years)))

    def _answer_sides(self, q: Query, scope: Scope):
        frame = Frame(q.lang, q.script)
        parts: list[SideAnswer] = []
        dense: dict[int, object] = {}
        hits: list[Hit] = []
        ranking: list[tuple[str, int]] = []
        stages: dict[str, float] = {}
        qvecs: dict = {}
        for i, side in enumerate(scope.sides[:MAX_SIDES]):
            r = self.retriever.search(q, side, qvecs=qvecs)
            if not r.hits and side.years:
                # the documents hold nothing about that year: say so, with the nearest passages of any year
                from dataclasses import replace as _replace

                near = self.retriever.search(q, _replace(side, years=()), qvecs=qvecs)
                parts.append(SideAnswer(side, q.form, True, "year_not_held", nearest=near.hits))
                dense[i] = near.chunk_dense
                hits.extend(near.hits)
                continue
            part = self.answerer.answer_side(q, r, side, frame)
            parts.append(self.answerer.naming(part, q.required, _located(q)) if q.required else part)
            dense[i] = r.chunk_dense
            hits.extend(r.hits)
            ranking.extend(x for x in r.ranking if x not in ranking)
            for k, v in r.timings_ms.items():
                stages[k] = stages.get(k, 0.0) + v
        return parts, dense, hits, ranking, stages

    def _fallback(self, q: Query, restrict: tuple[str, ...]):
        """The home document does not cover the question: the other places' documents may."""
        home = set(self.corpus.home)
        others = [p for p, docs in self.corpus.by_place.items() if not {d.source for d in docs} & home]
        if len(others) > MAX_FALLBACK_PLACES:
            # many places (a province's or a nation's corpus): one search over all their documents
            # picks the few places worth answering from, instead of answering from every one
            from .scope import Side

            sources = tuple(d.source for p in others for d in self.corpus.by_place[p]
                            if not restrict or d.source in restrict)
            probe = self.retriever.search(q, Side("", "", sources, (), q.mentions.wants), k=20)
            ranked = list(dict.fromkeys(self.corpus.by_source[h.passage.source].place for h in probe.hits))
            others = [p for p in ranked if p in others][:MAX_FALLBACK_PLACES]
        best = None
        for place in others:
            m = Mentions((PlaceRef(place, "", place),), q.mentions.times, q.mentions.spans, q.mentions.wants)
            scope = self.corpus.resolve(m, restrict=restrict)
            if not scope.sides:
                continue
            if not q.mentions.times:  # no time asked: every report of that place may answer
                from dataclasses import replace as _replace

                docs = tuple(d.source for d in self.corpus.by_place[place] if not restrict or d.source in restrict)
                scope = Scope(tuple(_replace(s, sources=docs) for s in scope.sides), scope.missing,
                              scope.home_default, scope.named_places)
            parts, dense, hits, ranking, _ = self._answer_sides(q, scope)
            answered = [p for p in parts if not p.refused]
            if answered:
                score = len(answered) + sum(p.meta.get("coverage", 0.0) + p.meta.get("dense", 0.0) for p in answered)
                if best is None or score > best[0]:
                    best = (score, (Scope(scope.sides, (), False, scope.named_places), parts, dense, hits, ranking))
        return best[1] if best else None


def _located(q: Query) -> tuple[str, ...]:
    """The required places the question puts what it asks in ("be held in Dalian", "在大连举办")."""
    out = []
    for r in q.mentions.places:
        if r.name and gaz.short_name(r.name) in q.required \
                and re.search(r"(?:\b(?:in|at)\s+(?:the\s+city\s+of\s+)?|在)$", q.norm[:r.span[0]]):
            out.append(gaz.short_name(r.name))
    return tuple(out)


def _with_topic(q: Query, names: list[str]) -> Query:
    """The question with place names added as topic words (each once)."""
    known = {t.text for t in q.terms}
    added = tuple(Term(n, 1.0, "zh", n) for n in dict.fromkeys(names) if n not in known)
    return replace(q, terms=q.terms + added) if added else q


def load_or_build(settings: Settings, documents: list[Document], embedder: Embedder,
                  xembedder: Embedder | None, *, progress: bool = False) -> store.StoredIndex:
    try:
        return store.load(settings.index_dir, documents, settings, embedder, xembedder)
    except (IndexMissingError, IndexCorruptError, IndexStaleError) as exc:
        if not settings.auto_build:
            raise
        with store.build_lock(settings.index_dir):
            try:  # another process may have built it while this one waited for the lock
                return store.load(settings.index_dir, documents, settings, embedder, xembedder)
            except (IndexMissingError, IndexCorruptError, IndexStaleError):
                pass
            log.warning("%s — updating the index", exc)
            store.build(documents, settings, embedder, xembedder, progress=progress)
            return store.load(settings.index_dir, documents, settings, embedder, xembedder)
