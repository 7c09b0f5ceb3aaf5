"""Place and time: which documents, and which years inside them, a question is about.

Read from the question (never from constants):

* places: a gazetteer name (山东, 威海市, Shandong), the national level (全国, 国家, 国务院, China,
  national), or a level word (省里/全省/本省 -> the province held; 市里/全市/本市 -> the city held);
* time: 今年 / this year (0), 去年 / last year (−1), 前年 (−2), 明年 / next year (+1), an explicit
  year (2024年, in 2024), a five-year plan (十四五 = 2021–2025, 十五五 = 2026–2030), 过去五年.

Resolved against the documents' metadata (``Corpus.resolve``): 今年 is the newest report year
held for the place asked about; a year's targets come from that year's report, its results from
the next year's review; a question that names no place is about the home document (and may
fall back to the others). A place or year no document covers gives a ``Scope`` with ``missing``
set, which the answer states plainly ("资料库中没有北京市的政府工作报告").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from . import places as gaz
from .structure import FIVE_YEAR_PLANS
from .types import Document

# -- what the question says ---------------------------------------------------------------------
_REL_YEAR_ZH = [(re.compile(r"今年|本年|本年度|这一年|今年度|年内|全年"), 0), (re.compile(r"去年|上年|上一年|过去一年|一年来"), -1),
                (re.compile(r"前年"), -2), (re.compile(r"明年|下一年|来年"), 1)]
_REL_YEAR_EN = [(re.compile(r"\bthis year'?s?\b|\bthis year\b|\bcurrent year\b"), 0),
                (re.compile(r"\blast year'?s?\b|\bprevious year\b|\bpast year\b|\bprior year\b"), -1),
                (re.compile(r"\bnext year'?s?\b|\bcoming year\b"), 1)]
_ABS_YEAR = re.compile(r"(?<![\d.])(20[0-4]\d)(?:年|\s*年度|(?=[^\d万亿千百%.个]|\.(?!\d)|$))")
_PLAN = re.compile("|".join(FIVE_YEAR_PLANS) + r"|(?:(13|14|15)th five[- ]year plan)", re.IGNORECASE)
# (questions are normalised first, so 五 may already be 5)
# a clause before the question in which the caller tells their own situation ("我明年就到退休年龄了，
# 延迟退休是不是真要推行？", "My son starts school next year, …"): its time is the caller's, not the report's
_OWN_STORY = re.compile(r"(?:我|俺|咱家|(?<![a-z])(?:i|i'm|i'd|i've|i'll|i am|my|we|we're|we'd|we've|our)(?![a-z']))")
_CLAUSE_END = re.compile(r"[，,；;。！!？?]|\.\s")
_PAST_FIVE = re.compile(r"(?:过去|这|近|前)[五5]年|[五5]年来|\bpast (?:five|5) years\b|\blast (?:five|5) years\b")
# 国家/national as a place, not as an adjective (国家级, 国家海洋综合试验场, national marine park)
_NATIONAL = re.compile(r"全国(?!性)|国家(?=[今去明前]年|的|层面|整体|经济|GDP|gdp|[，,？?]|$)|国务院|中央政府|我国|中国(?!特色|式)|"
                       r"(?<![a-z])(?<!north )(?<!south )(?<!east )(?<!west )(?<!central )(?<!leave )(?<!leaving )(?<!left )(?:china|nationally|nationwide|state council|central government|the country|country's|"
                       r"countrywide|national (?=gdp|growth|economy|economic|targets?|goals?|level|budget|deficit|government|report|average|"
                       r"cpi|inflation|consumer price|grain|unemployment|jobs?|employment|fiscal|debt|bonds?|"
                       r"retail|trade|exports?|imports?|investment|income|energy|emissions?|population|figures?))")
_PROVINCE_WORD = re.compile(r"省里|全省|本省|我省|咱省|咱们省|俺省|省政府|自治区(?!级)|(?<![a-z])(?:the province|province-wide|province's|provincial "
                            r"(?=gdp|growth|economy|target|government|report))")
_CITY_WORD = re.compile(r"市里|全市|本市|我市|市政府|咱市|咱们市|俺市|(?<![a-z])(?:the city|city's|citywide|city-wide|municipal)(?![a-z])")
# A target (planned) or a result (achieved)?
WANTS_RESULT = re.compile(r"实际|完成了|实现了|达到了|增长了|下降了|降低了|提高了|新增了|建成了|取得了|完成情况|成绩|成效|回顾|"
                           r"(?:多少|几)\S{0,2}了[？?。]?$|"
                           r"(?<![a-z])(?:actual|actually|achieved|did|was|were|grew|rose|fell|reached|increased|"
                           r"decreased|result|results|record)(?![a-z])")
# "现在", "now": the latest level stated, a result (not this year's target)
NOW = re.compile(r"现在|目前|当前|眼下|如今|(?<![a-z])(?:now|currently|at present)(?![a-z])")
_TARGET_WORD = re.compile(r"目标|预期(?!寿命)|安排(?:了)?(?:多少|几)|(?<![a-z])(?:targets?|goals?)(?![a-z])")
_ACHIEVED = re.compile(r"实际|完成了|实现了|达到了|完成情况|(?<![a-z])(?:actual|actually|achieved|achieve|met|meet|"
                       r"hit|reached|reach)(?![a-z])")
_PLANNED = re.compile(r"(?<![a-z])(?:plan|plans|planned|planning|aim|aims|aimed|intend|intends|intended) to\b|计划|打算")
_WANTS_TARGET = re.compile(r"目标|计划|预期(?!寿命)|打算|要|将|准备|力争|安排|(?<![a-z])(?:targets?|goals?|plan|plans|planned|aims?|will|"
                           r"going to|expected|expect)(?![a-z])")


@dataclass(frozen=True)
class TimeRef:
    kind: str  # "rel" | "abs" | "period"
    a: int
    b: int = 0
    text: str = ""
    wants: str = ""  # in a question naming several times, what is asked of this one (target | result)


@dataclass(frozen=True)
class PlaceRef:
    name: str  # gazetteer name, 全国, or "" for a level word
    level: str  # national | province | city
    text: str  # as written
    span: tuple[int, int] = (0, 0)  # where, in the normalised question


@dataclass(frozen=True)
class Mentions:
    """Places and times a question names (``spans`` are blanked out of its topic words)."""

    places: tuple[PlaceRef, ...]
    times: tuple[TimeRef, ...]
    spans: tuple[tuple[int, int], ...]  # character spans of the mentions in the normalised question
    wants: str  # "target" | "result" | ""


# ... or with the caller's own plan, a time and an intention and no question ("明年打算要二胎，…")
_OWN_PLAN = re.compile(r"(?:明年|后年|今年|年底|年后)(?:就|还)?(?:打算|准备|想|计划)(?![^，,；;。]*(?:多少|几|哪|什么|啥|怎么|如何|吗))")


def _clause_before_last(norm: str, pos: int) -> int | None:
    """Where the clause holding ``pos`` starts, when it comes before the question's last; else None."""
    ends = [m.end() for m in _CLAUSE_END.finditer(norm.rstrip("？?。.!！ "))]
    if not any(e > pos for e in ends):
        return None
    return max((e for e in ends if e <= pos), default=0)


# or with one of their family ("孩子明年上幼儿园，…", "老人80多了，…"): their time and figures, not the
# report's (though what the family member does may be what is asked about)
_FAMILY = re.compile(r"(?:家里|家中|家人|孩子|小孩|娃|老人|父母|爸妈|老伴|儿子|女儿|闺女|孙子|孙女|老公|老婆|爱人|媳妇)(?![们的])")


def opens_own_story(clause: str, family: bool = False) -> bool:
    """Does the clause open with the caller themself (我…, my …) or their own plan (明年打算…); with
    ``family``, or with one of their family (孩子明年毕业…)?"""
    clause = clause.lstrip()
    return bool(_OWN_STORY.match(clause) or _OWN_PLAN.match(clause) or (family and _FAMILY.match(clause)))


def in_own_story(norm: str, pos: int) -> bool:
    """Is ``pos`` in a clause before the question's last that opens with the caller or their family
    (我…, my …, 孩子…)?"""
    start = _clause_before_last(norm, pos)
    return start is not None and opens_own_story(norm[start:], family=True)


_LIVES_AT = re.compile(r"(?:住在|住|生活在|定居在?|工作在|在|户口在|户籍在|来自|老家(?:是|在)?)$|"
                       r"(?<![a-z])(?:live in|living in|lived in|based in|work in|working in|from|moved to)\s*$")


def where_caller_is(norm: str, pos: int) -> bool:
    """Does the place at ``pos`` only say where the caller lives or works, in a clause before the
    question proper ("我户口在老家，常年住在拉萨，能在常住地登记户口吗")?"""
    start = _clause_before_last(norm, pos)
    if start is None:
        return False  # the question proper's own place is asked about
    return opens_own_story(norm[start:]) or bool(_LIVES_AT.search(norm[start:pos]))


def story_end(norm: str) -> int:
    """Where the question proper begins after the English sentences in which the caller tells their
    own situation ("I'd like to start my own business here. How much …"): 0 when it opens with none."""
    end = 0
    for m in re.finditer(r"[.!?;]\s+", norm.rstrip("？?。.!！ ")):
        if not _OWN_STORY.match(norm[end:].lstrip()):
            break
        end = m.end()
    return end


def story_after(norm: str) -> int:
    """Where the sentences after an English question begin in which the caller tells their own
    situation ("How many … this year? My kid will start middle school soon."): len(norm) when none."""
    m = re.search(r"\?\s+", norm.rstrip("？?。.!！ "))
    return m.end() if m and _OWN_STORY.match(norm[m.end():]) and not re.search(r"[\u4e00-\u9fff]", norm[m.end():]) \
        else len(norm)


# a rank within the nation ("居全国首位", "全国第一", "the longest in China"): the country is the field a
# place is ranked in, not a place asked about
_NATIONAL_RANK = re.compile(r"(?:的)?(?:第[一二三四五六七八九十\d](?![轮批届次期个项])|首位|首个|首家|之首|前列|前[三五十\d]|领先|最[\u4e00-\u9fff](?:的|[？?吗呢，,。]|$)|排名|排第|居首|top\b)")
_RANKED_IN = re.compile(r"\b(?:[a-z]+est|most|first|top|leading|largest|number one|no\. ?1)\b[^.?!,;]{0,40}\b(?:in|of|across)\s+"
                        r"(?:all (?:of )?)?(?:the whole )?$")
_COMPARED_WITH = re.compile(r"(?:比|较|同比|相比|than|compared (?:with|to))\s*$")


def find_mentions(norm: str, boundaries: set[int] | None = None) -> Mentions:
    """Places and times named in a normalised (lower-case, half-width, simplified) question."""
    spans: list[tuple[int, int]] = []
    found: list[PlaceRef] = []
    for start, end, p in gaz.find_in_text(norm, boundaries):
        found.append(PlaceRef(p.name, p.level, norm[start:end], (start, end)))
        spans.append((start, end))
    for p in gaz.find_english(norm):
        m = re.search(r"\b" + re.escape(p.english[0]) + r"\b", norm)
        if all(r.name != p.name for r in found):
            found.append(PlaceRef(p.name, p.level, p.english[0], m.span() if m else (0, 0)))
        if m:
            spans.append(m.span())
    for m in _NATIONAL.finditer(norm):
        if m.group(0) == "china" and norm[:m.start()].endswith("the "):
            continue  # "the China Great Wall Museum": a name's first word
        if _NATIONAL_RANK.match(norm[m.end():]):
            continue  # (its words stay: 全国第一 is the vocabulary's, 全国首位)
        if all(r.level != "national" for r in found) and not _RANKED_IN.search(norm[:m.start()]):
            found.append(PlaceRef(gaz.NATIONAL, "national", m.group(0), m.span()))
        spans.append(m.span())
    for pattern, level in ((_PROVINCE_WORD, "province"), (_CITY_WORD, "city")):
        for m in pattern.finditer(norm):
            if not any(r.level == level for r in found):
                found.append(PlaceRef("", level, m.group(0), m.span()))
            spans.append(m.span())
    times: list[TimeRef] = []
    for m in _PLAN.finditer(norm):
        key = m.group(0)
        if key in FIVE_YEAR_PLANS:
            a, b = FIVE_YEAR_PLANS[key]
        else:
            a = {"13": 2016, "14": 2021, "15": 2026}[m.group(1)]
            b = a + 4
        times.append(TimeRef("period", a, b, key))
        spans.append(m.span())
    if m := _PAST_FIVE.search(norm):
        if not times:  # "十四五这五年" names one period
            times.append(TimeRef("period", -5, -1, m.group(0)))
        spans.append(m.span())
    for m in _ABS_YEAR.finditer(norm):
        if any(a <= m.start() < b for a, b in spans):
            continue
        if in_own_story(norm, m.start()) or _COMPARED_WITH.search(norm[: m.start()]):
            spans.append(m.span())  # (人均GDP比2020年翻一番: a base year, not the year asked)
            continue
        times.append(TimeRef("abs", int(m.group(1)), 0, m.group(0)))
        spans.append(m.span())
    for pattern, k in _REL_YEAR_ZH + _REL_YEAR_EN:
        for m in pattern.finditer(norm):
            if any(a <= m.start() < b for a, b in spans):
                continue
            if k and (_COMPARED_WITH.search(norm[: m.start()]) or re.search(r"(?:over|from)\s*$", norm[: m.start()])):
                continue  # "比去年多" compares with last year; it does not ask about it
            if k == 0 and m.group(0) in ("全年", "年内") and times:
                continue
            if in_own_story(norm, m.start()):
                spans.append(m.span())  # the caller's own year: not the report's, and not a topic word
                continue
            times.append(TimeRef("rel", k, 0, m.group(0)))
            spans.append(m.span())
    # "did China plan to issue", "what was the 2024 target" ask the plan; "did it meet its targets",
    # "实际增长" the result
    target_named = _PLANNED.search(norm) or (_TARGET_WORD.search(norm) and not _ACHIEVED.search(norm))
    # ("现在…是多少" asks the level reached; "现在有哪些政策" is not about last year)
    now = bool(NOW.search(norm)) and bool(re.search(r"多少|几|how (?:many|much)|\b(?:rate|level|number)\b", norm))
    wants = "target" if target_named else "result" if WANTS_RESULT.search(norm) or now \
        else "target" if _WANTS_TARGET.search(norm) else ""
    # keep one reference per distinct time, in order of appearance
    uniq: dict[tuple, TimeRef] = {}
    for t in sorted(times, key=lambda t: norm.find(t.text)):
        uniq.setdefault((t.kind, t.a, t.b), t)
    kept = list(uniq.values())
    if len(kept) > 1:
        kept = _wants_per_time(norm, kept)
    return Mentions(tuple(found), tuple(kept), tuple(spans), wants)


def _wants_per_time(norm: str, times: list[TimeRef]) -> list[TimeRef]:
    """In "去年城镇新增就业实际是多少？今年目标又是多少？", each time asks its own: a target or result
    word goes with the time mentioned nearest to it."""
    at = [norm.find(t.text) for t in times]
    cues = [(m.start(), "target") for m in _TARGET_WORD.finditer(norm)]
    cues += [(m.start(), "result") for m in _ACHIEVED.finditer(norm)]
    got: dict[int, str] = {}
    for pos, kind in sorted(cues):
        # Chinese names the time before what it asks (去年…实际, 今年目标); English after ("the target for 2025")
        english = norm[pos: pos + 1].isascii()
        before = [k for k in range(len(times)) if at[k] <= pos]
        after = [k for k in range(len(times)) if at[k] > pos]
        if len({k for _, k in cues}) == 1 and (not after or not before):
            for i in range(len(times)):  # "2024年和2025年…各安排了多少", "目标2024年和2025年": all of them
                got.setdefault(i, kind)
            continue
        if (english and after) or not before:
            i = min(after, key=lambda k: at[k])
        else:
            i = max(before, key=lambda k: at[k])
        got.setdefault(i, kind)
    return [replace(t, wants=got.get(i, "")) for i, t in enumerate(times)]


# -- what the corpus holds ----------------------------------------------------------------------
@dataclass(frozen=True)
class Side:
    """One place and time to answer for: the documents to search and the years to prefer."""

    place: str
    label: str  # 威海市2025年, 全国2024年 …
    sources: tuple[str, ...]
    years: tuple[int, ...]  # the years asked about (empty: the newest, no constraint)
    wants: str  # "target" | "result" | ""
    year_asked: bool = False  # the question named the time itself

    def __repr__(self) -> str:
        return f"Side({self.label} {self.sources} years={self.years} wants={self.wants})"


#: A question naming no place, with no home document, is answered per place up to this many places
#: (a few reports picked in the lookup); beyond it, from all of them as one (``Corpus._all_places``).
MAX_PLACE_SIDES = 4


@dataclass(frozen=True)
class Scope:
    sides: tuple[Side, ...]
    missing: tuple[str, ...] = ()  # what the question asks for that no document covers
    home_default: bool = False  # no place named: the home document was assumed
    named_places: tuple[str, ...] = field(default=())

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for side in self.sides for s in side.sources))


class Corpus:
    """The documents held and how a question's places and times map onto them."""

    def __init__(self, documents: list[Document], home: str = ""):
        self.documents = documents
        self.by_source = {d.source: d for d in documents}
        self.by_place: dict[str, list[Document]] = {}
        for d in sorted(documents, key=lambda d: (d.place, d.year)):
            self.by_place.setdefault(d.place, []).append(d)
        # the end year of a plan a report sets out ("到2030年…" in a 2026 report); not the next year,
        # whose own report is the one to ask for
        self._plan_years = {d.source: {max(p.years) for p in d.paragraphs
                                       if d.year and p.years and max(p.years) >= d.year + 2} for d in documents}
        self.home = self._home(home)

    def _home(self, setting: str) -> tuple[str, ...]:
        """The home documents: marked ``home`` in metadata, named by ``RAG_HOME`` (a file or a place),
        or, when one place is the only one at the most local level, that place's documents."""
        if setting:
            docs = [d for d in self.documents if setting in (d.source, d.place, d.short_place)]
            if docs:
                return tuple(d.source for d in docs)
        marked = [d.source for d in self.documents if d.home]
        if marked:
            return tuple(marked)
        order = {"county": 0, "city": 1, "province": 2, "national": 3, "": 4}
        if not self.documents:
            return ()
        lowest = min(order.get(d.level, 4) for d in self.documents)
        at_lowest = {d.place for d in self.documents if order.get(d.level, 4) == lowest}
        if len(at_lowest) == 1:
            place = next(iter(at_lowest))
            return tuple(d.source for d in self.by_place[place])
        return ()

    @property
    def home_place(self) -> str:
        return self.by_source[self.home[0]].place if self.home else ""

    def newest_year(self, place: str, restrict: tuple[str, ...] = ()) -> int:
        return max((d.year for d in self.by_place.get(place, []) if not restrict or d.source in restrict), default=0)

    def describe(self) -> str:
        """What is held, for messages: 威海市2025年；山东省2026年；全国2024年、2025年."""
        parts = []
        for place, docs in self.by_place.items():
            years = "、".join(f"{d.year}年" for d in docs if d.year)
            parts.append(f"{place}{years}" if years else place)
        return "；".join(parts)

    def _places_for(self, ref: PlaceRef) -> list[str]:
        if ref.name:
            return [ref.name]
        held = [p for p in self.by_place if p and gaz.level_of(p) == ref.level]
        if len(held) == 1:
            return held
        home = self.home_place
        if home:
            p = gaz.lookup(home)
            if ref.level == "city" and home in held:
                return [home]
            if ref.level == "province" and p is not None and p.parent in held:
                return [p.parent]
        return held

    def _years(self, t: TimeRef, place: str, restrict: tuple[str, ...] = ()) -> tuple[int, ...]:
        now = self.newest_year(place, restrict)
        if t.kind == "rel":
            return (now + t.a,) if now else ()
        if t.kind == "abs":
            return (t.a,)
        if t.a < 0:  # 过去五年: relative to the newest report
            return tuple(range(now + t.a, now + t.b + 1)) if now else ()
        return tuple(range(t.a, t.b + 1))

    def _covering(self, place: str, years: tuple[int, ...], restrict: tuple[str, ...] = ()) -> tuple[str, ...]:
        """Documents of ``place`` that speak about ``years``: that year's report (targets and
        tasks), the next years' reviews, and earlier reports whose plan reaches that far."""
        docs = [d for d in self.by_place.get(place, []) if not restrict or d.source in restrict]
        if not years:
            newest = self.newest_year(place, restrict)
            return tuple(d.source for d in docs if d.year == newest)
        span = set(years)
        out = [d.source for d in docs if d.year in span or any(y + 1 == d.year for y in span)
               or (len(span) > 1 and min(span) < d.year <= max(span) + 1) or span & self._plan_years[d.source]]
        return tuple(out)

    def held_parent(self, place: str) -> str | None:
        """The held document place a place lies in, when the place itself has no report (杭州市 ->
        浙江省 when only the province's report is held)."""
        p = gaz.lookup(place) if place else None
        return p.parent if p is not None and p.parent and p.parent in self.by_place else None

    def names_in_terms(self, m: Mentions, norm: str, corpus_text: str) -> Mentions:
        """Drop place names that are part of a term the reports use ("好品山东" in a city's report is a
        brand, not a question about the province) when no report of that place is held, and English
        place names joined to another by a hyphen ("China-Europe")."""
        keep = []
        spans = [r.span for r in m.places]
        for r in m.places:
            a, b = r.span
            held = r.name in self.by_place or not r.name
            window = [norm[max(0, a - k): b] for k in (1, 2)] + [norm[a: b + k] for k in (1, 2)]
            as_term = any(len(w) > b - a and re.fullmatch(r"[\u4e00-\u9fff]+", w) and w in corpus_text for w in window)
            joined = (re.match(r"[-–][a-z]", norm[b: b + 2]) and all(s[0] != b + 1 for s in spans)) or (
                re.search(r"[a-z][-–]$", norm[:a]) and all(s[1] != a - 1 for s in spans))
            if joined:
                continue  # "China-Europe freight trains": a name's part (a route between two places is not)
            if not as_term and not held and re.fullmatch(r"[\u4e00-\u9fff]{2}", norm[b: b + 2]):
                # a name the report writes with its host in brackets: 中国（温州）国际园林博览会
                as_term = re.search(re.escape(norm[a:b]) + r"[（(][\u4e00-\u9fff]{1,6}[）)]" + re.escape(norm[b: b + 2]),
                                    corpus_text) is not None
            if held or not as_term:
                keep.append(r)
        if len(keep) == len(m.places):
            return m
        dropped = [r.span for r in m.places if r not in keep]
        return Mentions(tuple(keep), m.times, tuple(s for s in m.spans if s not in dropped), m.wants)

    def resolve(self, m: Mentions, *, restrict: tuple[str, ...] = ()) -> Scope:
        """The sides a question asks about, or what is missing."""
        docs_allowed = set(restrict) if restrict else set(self.by_source)
        refs = list(m.places)
        home_default = False
        if not refs:
            if self.home and not restrict:
                refs = [PlaceRef(self.home_place, gaz.level_of(self.home_place), "")]
                home_default = True
            else:
                places = list(dict.fromkeys(self.by_source[s].place for s in docs_allowed))
                if len(places) > MAX_PLACE_SIDES:
                    return self._all_places(m, places, docs_allowed, restrict)
                refs = [PlaceRef(p, gaz.level_of(p), "") for p in places]
        missing: list[str] = []
        sides: list[Side] = []
        named: list[str] = []
        for ref in refs:
            names = self._places_for(ref)
            if not names:
                # 省里 in a city's deployment without the province's report: say which one is missing
                home = gaz.lookup(self.home_place) if self.home_place else None
                if ref.level == "province" and home is not None and home.parent:
                    missing.append(home.parent)
                elif len(refs) == 1 and self.home:
                    refs.append(PlaceRef(self.home_place, gaz.level_of(self.home_place), ""))
                    home_default = True
                continue
            for place in names:
                named.append(place)
                if place not in self.by_place:
                    missing.append(place)
                    within = self.held_parent(place)
                    if within is None or within in names:
                        continue
                    # a city inside a province whose report is held: that report, where it names the city
                    # (郑州—卢森堡“空中丝路”论坛, 杭州萧山国际机场); Pipeline.analyze makes the name a topic word
                    place = within
                times = m.times or (TimeRef("rel", 0, 0, ""),)
                for t in times:
                    years = self._years(t, place, restrict)
                    sources = tuple(s for s in self._covering(place, years, restrict) if s in docs_allowed)
                    year_label = (f"{years[0]}年" if len(years) == 1 else
                                  f"{years[0]}—{years[-1]}年" if years else "")
                    label = f"{gaz.short_name(place) if place != gaz.NATIONAL else '全国'}{year_label}"
                    if not sources:
                        missing.append(label)
                        continue
                    # a year that is over is asked about for its results unless the question says target
                    over = bool(years) and max(years) < self.newest_year(place, restrict)
                    # several times, some with a word of their own: each its own; else the question's
                    wants = t.wants if len(times) > 1 and any(x.wants for x in times) else m.wants
                    sides.append(Side(place, label, sources, years if m.times else (),
                                      wants or ("result" if over else ""), bool(m.times)))
        return Scope(tuple(sides), tuple(dict.fromkeys(missing)), home_default, tuple(dict.fromkeys(named)))

    def _all_places(self, m: Mentions, places: list[str], docs_allowed: set[str],
                    restrict: tuple[str, ...]) -> Scope:
        """A question naming no place, in a corpus of many places and no home (a province's or a
        nation's deployment): one side over every place's documents, so that the best passage of any
        report answers (its citation names the report), not the first few places in file order."""
        sources: list[str] = []
        years: set[int] = set()
        for place in places:
            for t in m.times or (TimeRef("rel", 0, 0, ""),):
                ys = self._years(t, place, restrict)
                years.update(ys if m.times else ())
                sources += [s for s in self._covering(place, ys, restrict) if s in docs_allowed]
        sources = list(dict.fromkeys(sources))
        if not sources:
            return Scope((), tuple(f"{y}年" for y in sorted(years)), False, ())
        return Scope((Side("", "", tuple(sources), tuple(sorted(years)), m.wants, bool(m.times)),), (), False, ())

    def everything(self, restrict: tuple[str, ...] = ()) -> Scope:
        """Every document (newest per place first), for a fallback when the home does not cover it."""
        sides = []
        for place, docs in self.by_place.items():
            sources = tuple(d.source for d in docs if not restrict or d.source in restrict)
            if sources:
                sides.append(Side(place, gaz.short_name(place), sources, (), ""))
        return Scope(tuple(sides))
