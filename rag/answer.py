"""Answer stage (offline, extractive): ``Query`` + ``Retrieval`` -> ``Answer``.

The answer is the clause of the report that answers, chosen among the sentences of the best
paragraphs by how much of the question it covers, how close its sentence is in meaning, and,
for "how many/much" questions, whether it carries a figure in the expected unit. The figure is
quoted exactly as written (``900座``, ``5.5%左右``). Every figure in the result is checked
against the cited quotes before it is returned (``text.unsupported_figures``).

Refusals ("the report does not say") are decided from the question's intent and the evidence:
another year than the report's, a figure asked where the best passage has none, a total where
the report only gives this year's additions, a list where the report only gives a count, a
date the report never gives, or a topic the best passage does not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexical import BM25, tokens
from .query import FRAME_WORDS, Query
from .retrieve import Retrieval
from .text import FIGURE, Span, clauses, figures, normalize, sentences, strip_punct, unsupported_figures
from .types import Answer, Citation, Hit, Paragraph

_NEW_BEFORE = re.compile(r"(新建|新增|新培育|新修建|新竣工|引进|培育|新开工)[^，,。；;]{0,12}$")
# A named place: two or more characters before an administrative or geographic suffix,
# not a generic word that merely ends like one (社区, 园区, 片区, 城区 ...).
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:区|市|县|镇|街|湾|岛|港|坊|广场|山)")
_GENERIC_PLACE = re.compile(r"(?:社|园|片|城|湾|港|景|示范|试验|实验|集聚|先行|自贸|综保|功能|服务|开发|新)区$|"
                            r"(?:城|全|各|本|我|省|地|县|区)市$|(?:海|港)湾$|海岛$|(?:口|渔|商)港$|(?:金|银|靠|江)山$")
_TIME_EXPR = re.compile(r"\d+月|年底|年内|上半年|下半年|季度|\d+日|年前|月底")
_LISTS = re.compile(r"包括|分别|即|：|:")
# Bare numbers and units in a question ("多少万亩", "3%吗") are not its topic.
_NUMERIC = re.compile(r"[\d.%]+|[万亿千百]?(?:亿元|万元|元|万亩|亩|公顷|公里|万人|人次|万户|户|场次|万吨|吨)|万[亩人户吨元]")
_YEAR = re.compile(r"20\d\d")
_NEW_IN_QUESTION = re.compile(r"新|\bnew\b|\badd|\bbuild|\bcreate")

# "Not mentioned" (see _off_topic): the share of the question's topic words found in the best
# passage below which it is refused, for Chinese and for English (dictionary-translated) questions;
# the weight of an English word no dictionary knows; and the cosine of the best sentence above
# which the passage is close enough in meaning whatever the words.
MIN_COVERAGE = 0.30
MIN_COVERAGE_EN = 0.20
UNMATCHED_WEIGHT = 0.5
STRONG_DENSE = 0.85
# A further passage is cited beside the answer's own only when it scores this close to the best.
SECONDARY_CITATION = 0.6


@dataclass
class Candidate:
    hit: Hit
    sentence: Span
    clause: Span
    score: float
    coverage: float
    figures: list[str]
    dense: float = 0.0


@dataclass(frozen=True)
class Messages:
    not_mentioned: str
    no_figure: str
    other_year: str
    total: str
    list_: str
    when: str
    where: str
    empty: str
    nearest: str
    answer_lead: str
    sources: str
    line: str


ZH = Messages(
    not_mentioned="报告中没有提到这方面的内容。",
    no_figure="报告没有给出这一具体数字。",
    other_year="报告只提出了本年度（报告所指的今年）的目标任务，没有给出其他年份的数据。",
    total="报告只给出了今年新增的数量，没有给出总数。",
    list_="报告只提到了数量，没有列出具体名单。",
    when="报告没有给出具体时间。",
    where="报告没有给出具体地点。",
    empty="请输入一个关于威海市2025年政府工作报告的问题。",
    nearest="最接近的段落：",
    answer_lead="",
    sources="出处：",
    line="第{line}行",
)
EN = Messages(
    not_mentioned="The report does not mention this.",
    no_figure="The report does not give a figure for this.",
    other_year="The report only sets out this year's targets and tasks; it gives no figures for other years.",
    total="The report only gives this year's additions, not a total.",
    list_="The report only gives a count; it does not list the items.",
    when="The report does not give a date for this.",
    where="The report does not say where.",
    empty="Please ask a question about Weihai's 2025 government work report.",
    nearest="Nearest passages (quoted in Chinese):",
    answer_lead="According to the report: ",
    sources="Sources (quoted in Chinese):",
    line="line {line}",
)


def messages(lang: str) -> Messages:
    return EN if lang == "en" else ZH


def _display(text: str) -> str:
    """Text as shown to users: never the injected advert (defence in depth; ingest removed it)."""
    from .ingest import remove_adverts

    return remove_adverts(text)


class Answerer:
    def __init__(self, paragraphs: list[Paragraph], bm25: BM25, chunks, *, cite_k: int = 3, max_chars: int = 100):
        self.bm25 = bm25
        self._max_idf = max(bm25.idf.values(), default=1.0)
        self.cite_k = cite_k
        self.max_chars = max_chars
        self._sentences: dict[tuple[str, int], list[Span]] = {
            (p.source, p.line): sentences(p.text) for p in paragraphs
        }
        # sentence -> chunk positions, to read the dense score of the sentence
        self._chunk_at: dict[tuple[str, int, int], list[int]] = {}
        for i, c in enumerate(chunks):
            for s in self._sentences.get((c.source, c.line), []):
                if c.start < s.end and c.end > s.start:
                    self._chunk_at.setdefault((c.source, c.line, s.start), []).append(i)

    # -- scoring -------------------------------------------------------------------------
    def _query_tokens(self, q: Query, *, topic_only: bool = False) -> dict[str, float]:
        """Query bigrams with their idf; ``topic_only`` drops bare numbers ("3%吗" is not a topic)."""
        weights: dict[str, float] = {}
        for t in q.terms:
            for tok in tokens(t.text, normalized=True):
                if topic_only and (_NUMERIC.fullmatch(tok) or tok in FRAME_WORDS):
                    continue
                idf = self.bm25.idf_of(tok)
                if idf > 0:
                    weights[tok] = max(weights.get(tok, 0.0), idf * t.weight)
        return weights

    @staticmethod
    def _cov(weights: dict[str, float], text: str) -> float:
        if not weights:
            return 0.0
        present = token_set(text)
        total = sum(weights.values())
        return sum(w for tok, w in weights.items() if tok in present) / total

    def _coverage(self, q: Query, text: str) -> float:
        """Share of the question's topic words (report vocabulary) present in ``text``.

        Each term counts by its specificity (mean idf of its bigrams; a bigram the report
        never uses counts as most specific); a term counts as present when two thirds of its
        bigrams are. English words the lexicon could not map count as absent terms.
        """
        present = token_set(text)
        top = self._max_idf
        groups: dict[str, tuple[float, float]] = {}
        for t in q.terms:
            toks = [x for x in tokens(t.text, normalized=True) if not _NUMERIC.fullmatch(x)]
            if not toks or all(x in FRAME_WORDS for x in toks):  # "build", "增长" say nothing of the topic
                continue
            idfs = [self.bm25.idf_of(x) or top for x in toks]
            w = sum(idfs) / len(idfs) * t.weight
            hit = sum(i for x, i in zip(toks, idfs, strict=True) if x in present) / sum(idfs)
            hit = 1.0 if hit >= 0.67 else hit
            # alternatives for one user word: the word is covered when any alternative is
            gw, gh = groups.get(t.group or t.text, (0.0, 0.0))
            groups[t.group or t.text] = (max(gw, w), max(gh, hit))
        num = sum(w * h for w, h in groups.values())
        # an English word neither dictionary knows is most likely a topic the report lacks
        den = sum(w for w, _ in groups.values()) + top * UNMATCHED_WEIGHT * len(q.en_unmatched)
        return num / den if den else 0.0

    def _off_topic(self, q: Query, coverage: float, dense: float, p: Paragraph) -> bool:
        """Is the question about something the report does not cover?

        Chinese: little of the question's topic is in the best passage and none of its specific
        terms. English goes through a dictionary, so a low coverage is often a gap in the
        dictionary: refuse only when it is very low and a word stayed untranslated (measured on
        the English development set: 5 true and 8 false refusals before, 2 and 2 after).
        """
        if self._names_a_report_term(q, p.text):
            return False
        if coverage == 0.0:
            return True  # nothing the question names is in the best passage
        if dense >= STRONG_DENSE:
            return False
        if q.lang == "en":
            return coverage < MIN_COVERAGE_EN and bool(q.en_unmatched)
        return coverage < MIN_COVERAGE

    @staticmethod
    def _names_a_report_term(q: Query, text: str) -> bool:
        """Does the passage contain, verbatim, one of the question's specific terms (3+ characters)?"""
        norm = normalize(text)
        return any(len(t.text) >= 3 and t.text in norm and not all(x in FRAME_WORDS for x in tokens(t.text))
                   for t in q.terms)

    def _dense_of(self, p: Paragraph, s: Span, chunk_dense: dict[int, float]) -> float:
        ids = self._chunk_at.get((p.source, p.line, s.start), [])
        return max((chunk_dense.get(i, 0.0) for i in ids), default=0.0)

    @staticmethod
    def _is_heading(p: Paragraph, s: Span) -> bool:
        """The subsection title sentence, or a section's heading: a label, not an answer."""
        return s.start == 0 and (p.kind == "section" or strip_punct(s.text) == p.title) and len(p.text) > len(s.text)

    def candidates(self, q: Query, r: Retrieval, depth: int = 3) -> list[Candidate]:
        weights = self._query_tokens(q)
        topic = self._query_tokens(q, topic_only=True)
        top_hit = r.hits[0].score if r.hits else 1.0
        out: list[Candidate] = []
        for hit in r.hits[:depth]:
            p = hit.paragraph
            para_prior = hit.score / top_hit if top_hit > 0 else 0.0
            sents = self._sentences[(p.source, p.line)]
            dense = [self._dense_of(p, s, r.chunk_dense) for s in sents]
            dmax = max(dense, default=0.0)
            pool: list[tuple[Span, Span, float, float, float, float, float, list[str]]] = []
            for s, d in zip(sents, dense, strict=True):
                if self._is_heading(p, s):
                    continue
                scov = self._cov(weights, s.text)
                stopic = self._cov(topic, s.text)
                for c in clauses(s.text):
                    if len(strip_punct(c.text)) < 2:
                        continue
                    clause = Span(s.start + c.start, s.start + c.end, c.text)
                    pool.append((s, clause, self._cov(weights, c.text), self._cov(topic, c.text), scov, stopic, d,
                                 figures(c.text)))
            best_topic = max((x[3] for x in pool), default=0.0)
            # per sentence: does the clause that names the topic best carry a figure itself?
            topic_has_figure: dict[int, bool] = {}
            for s, _, _, _, _, _, _, figs in sorted(pool, key=lambda x: -x[3]):
                topic_has_figure.setdefault(s.start, bool(figs))
            for s, clause, ccov, tcov, scov, stopic, d, figs in pool:
                score = ccov + 0.4 * scov + 0.6 * para_prior + 2.5 * (d - dmax)
                if q.asks_number or q.wants_figure:
                    # the figure is about the topic when its clause names it, or when it is the
                    # figure in the unit asked for in a sentence that names all of the topic in a
                    # clause with a figure of its own ("推进1000个重点项目建设,…,力争全年完成投资
                    # 1200亿元"); a topic clause without a figure ("居民消费价格保持在合理区间")
                    # keeps the neighbouring figures away
                    unit_ok = bool(q.units) and any(_unit_ok(f, q.units) for f in figs)
                    about = (tcov > 0 or not topic) and (tcov >= 0.5 * best_topic or (
                        unit_ok and stopic >= 0.99 and topic_has_figure.get(s.start, False)))
                    if figs and about:
                        # a figure in the unit asked for answers; one in another unit hardly does
                        score += (0.6 if unit_ok else 0.0) if q.units else 0.35
                    elif not figs and q.asks_number:
                        score -= 0.2
                out.append(Candidate(hit, s, clause, score, tcov, figs))
        out.sort(key=lambda c: -c.score)
        return out

    # -- composing -----------------------------------------------------------------------
    def _direct(self, q: Query, best: Candidate) -> str:
        p = best.hit.paragraph
        sent = best.sentence
        parts = [Span(sent.start + c.start, sent.start + c.end, c.text) for c in clauses(sent.text)]
        idx = next(i for i, c in enumerate(parts) if c.start == best.clause.start)
        if (q.asks_number or q.wants_figure) and best.figures:
            text = strip_punct(best.clause.text)
            items = [x for x in re.split(r"、", text) if x]
            if len(items) > 1 and sum(bool(FIGURE.search(x)) for x in items) > 1:
                weights = self._query_tokens(q, topic_only=True)
                scored = sorted(items, key=lambda x: -(self._cov(weights, x) + (0.01 if FIGURE.search(x) else 0)))
                if FIGURE.search(scored[0]) and self._cov(weights, scored[0]) > 0:
                    text = scored[0]
            # a very short clause ("其中" + figure) reads better with the clause before it
            if len(text) < 6 and idx > 0:
                text = strip_punct(parts[idx - 1].text) + "，" + text
            return text
        if q.asks_how and not q.asks_number:
            # "how will they ...": the programme from the best sentence on, up to the budget
            end = best.sentence.start
            for s in self._sentences[(p.source, p.line)]:
                if s.start < best.sentence.start:
                    continue
                if end > best.sentence.start and (s.end - best.sentence.start) > self.max_chars:
                    break
                end = s.end
            text = p.text[best.sentence.start : end]
            if len(text) > self.max_chars:
                cut = [c for c in clauses(text) if c.end <= self.max_chars]
                text = text[: cut[-1].end] if cut else text[: self.max_chars]
            return strip_punct(text)
        # facts: the best clause with its neighbours, up to the length budget
        lo = hi = idx
        budget = self.max_chars
        length = len(parts[idx].text)
        while True:
            grew = False
            if hi + 1 < len(parts) and length + len(parts[hi + 1].text) <= budget:
                hi += 1
                length += len(parts[hi].text)
                grew = True
            if lo - 1 >= 0 and length + len(parts[lo - 1].text) <= budget and (hi - lo) < 2:
                lo -= 1
                length += len(parts[lo].text)
                grew = True
            if not grew or hi - lo >= 3:
                break
        text = p.text[parts[lo].start : parts[hi].end]
        return strip_punct(text)

    def _refusal(self, q: Query, best: Candidate, r: Retrieval) -> str | None:
        """Why to refuse (a ``Messages`` field name: "other_year", "no_figure" …), or None to answer."""
        if q.other_year:
            return "other_year"
        p = best.hit.paragraph
        coverage = self._coverage(q, p.text)
        dense = max((self._dense_of(p, s, r.chunk_dense) for s in self._sentences[(p.source, p.line)]), default=0.0)
        best.coverage = coverage
        best.dense = dense
        if self._off_topic(q, coverage, dense, p):
            return "not_mentioned"
        if q.asks_when and not _TIME_EXPR.search(best.sentence.text):
            return "when"
        if q.asks_where and not q.asks_number and not _has_place(best.sentence.text):
            return "where"
        if q.asks_per_unit and not re.search(r"每|人均", best.sentence.text):
            return "no_figure"  # "per person", "at most": the report gives totals only
        if (q.asks_number or q.wants_figure) and q.units and best.figures and not any(
                _unit_ok(f, q.units) for f in best.figures):
            return "no_figure"  # a rate was asked, the passage has a count (or the other way round)
        if q.asks_number:
            if not best.figures:
                return "no_figure"
            if q.asks_total and not _NEW_IN_QUESTION.search(q.norm):
                first = FIGURE.search(best.clause.text)
                before = best.clause.text[: first.start()] if first else best.clause.text
                if _NEW_BEFORE.search(before) or best.clause.text.startswith(("新建", "新增")):
                    return "total"
        if q.asks_list and self._only_counts(q, best):
            return "list_"
        return None

    @staticmethod
    def _only_counts(q: Query, best: Candidate) -> bool:
        """Is the clause a count of the things the question wants listed ("办理20件民生实事",
        "实施41个老旧小区改造项目") with no list of them ("包括…", "：…")?"""
        clause = best.clause.text
        qnums = {n for n in re.findall(r"\d+(?:\.\d+)?", q.norm) if not _YEAR.fullmatch(n)}
        topic = [t.text for t in q.topic_terms if len(t.text) >= 2]
        for m in FIGURE.finditer(clause):
            after = normalize(clause[m.end():])
            if _LISTS.search(after):
                continue
            num = re.match(r"\d+(?:\.\d+)?", m.group(0)).group(0)
            if num in qnums or any(t in after[: len(t) + 4] for t in topic):
                return True
        return False

    def answer(self, q: Query, r: Retrieval) -> Answer:
        m = messages(q.lang)
        if not r.hits:
            return self._refused(q, m.not_mentioned, [])
        cands = self.candidates(q, r)
        if not cands:
            return self._refused(q, m.not_mentioned, r.hits)
        best = cands[0]
        key = self._refusal(q, best, r)
        if key:
            return self._refused(q, getattr(m, key), [best.hit] + [h for h in r.hits if h is not best.hit], best,
                                 r.chunk_dense, key=key)
        direct = _display(self._direct(q, best))
        citations = self._citations(q, best, r.hits, direct, r.chunk_dense)
        quotes = [c.quote for c in citations]
        if unsupported_figures(direct, quotes[:1]):  # cannot happen for an extract; guard anyway
            return self._refused(q, m.no_figure, r.hits)
        text = self.render(q, direct, citations)
        return Answer(q.raw, text, direct, False, tuple(citations), {}, lang=q.lang,
                      meta={"coverage": best.coverage, "dense": best.dense, "score": best.score})

    def _citations(self, q: Query, best: Candidate | None, hits: list[Hit], direct: str = "",
                   chunk_dense: dict[int, float] | None = None) -> list[Citation]:
        chunk_dense = chunk_dense or {}
        out: list[Citation] = []
        seen: set[tuple[str, int]] = set()
        weights = self._query_tokens(q)
        ordered = ([best.hit] if best else []) + [h for h in hits if not best or h is not best.hit]
        top = max((h.score for h in ordered), default=0.0)
        for h in ordered:
            p = h.paragraph
            if (p.source, p.line) in seen:
                continue
            if best is not None and h is not best.hit and h.score < SECONDARY_CITATION * top:
                continue  # an answer cites what it rests on, not every passage that was looked at
            seen.add((p.source, p.line))
            if best is not None and h is best.hit:
                quote = p.text if (q.asks_how and not q.asks_number) else best.sentence.text
                # the direct answer may reach into a neighbouring sentence: quote all of it
                if direct and normalize(direct) not in normalize(quote):
                    quote = p.text
            else:
                sents = [s for s in self._sentences[(p.source, p.line)] if not self._is_heading(p, s)]
                if sents:
                    quote = max(sents, key=lambda s: (self._cov(weights, s.text)
                                                      + 2.5 * self._dense_of(p, s, chunk_dense))).text
                else:
                    quote = p.text
            out.append(Citation(len(out) + 1, p.source, p.line, p.section_path, _display(quote).strip(), h.score))
            if len(out) >= self.cite_k:
                break
        return out

    def _refused(self, q: Query, reason: str, hits: list[Hit], best: Candidate | None = None,
                 chunk_dense: dict[int, float] | None = None, key: str = "not_mentioned") -> Answer:
        citations = self._citations(q, None, hits, chunk_dense=chunk_dense)
        return Answer(q.raw, self.render_refusal(q, reason, citations), "", True, tuple(citations), {},
                      lang=q.lang, meta={"reason": reason, "reason_key": key,
                                         "coverage": best.coverage if best else 0.0,
                                         "dense": best.dense if best else 0.0})

    # -- rendering -----------------------------------------------------------------------
    def render(self, q: Query, direct: str, citations: list[Citation]) -> str:
        m = messages(q.lang)
        lines = [f"{m.answer_lead}**{direct}** [1]", "", m.sources]
        lines += _quote_lines(citations, m)
        return "\n".join(lines)

    def render_refusal(self, q: Query, reason: str, citations: list[Citation]) -> str:
        m = messages(q.lang)
        lines = [reason]
        if citations:
            lines += ["", m.nearest]
            lines += _quote_lines(citations, m)
        return "\n".join(lines)


def _quote_lines(citations: list[Citation], m: Messages) -> list[str]:
    out = []
    for c in citations:
        out.append(f"[{c.n}] {c.section}（{m.line.format(line=c.line)}）")
        out.append(f"> {c.quote}")
    return out


@lru_cache(maxsize=16384)
def token_set(text: str) -> frozenset[str]:
    """The bigram set of a piece of the report; the report's sentences and clauses recur in
    every question, so their tokens are computed once."""
    return frozenset(tokens(text))


def _has_place(text: str) -> bool:
    for m in _PLACE.finditer(text):
        word = m.group(0)
        if not _GENERIC_PLACE.search(word[-3:]) and not _GENERIC_PLACE.search(word[-2:]):
            return True
    return False


def _unit_ok(fig: str, units: tuple[str, ...]) -> bool:
    return any(u in fig for u in units)
