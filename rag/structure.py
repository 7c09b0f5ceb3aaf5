"""Structure of a government work report: one parser for any report.

Consumes the lines of a source file (one paragraph per line) and produces ``Paragraph``s that
know their section path, their role in the report and the years their statements are about;
page furniture is dropped (``rag.clean``) and reported with its reason.

The outline these reports share (see ``docs/corpus.md``)::

    masthead   政府工作报告 / ——2026年1月27日在…人民代表大会…上 / 省长 某某
    opening    各位代表： 现在，我代表省人民政府，向大会报告工作…
    parts      一、2025年工作回顾            -> role "review"   (about the previous year or period)
               二、2026年…总体要求/目标      -> role "targets"  (about the report's year)
               三、2026年重点工作/工作任务    -> role "tasks"
               四、…政府自身建设             -> role "self"
    sections   （一）…。 inside a part; a standalone short line may be a section or subsection
    leads      a short first sentence (做强科技创新核心驱动。), 一是…, ——… : subsection titles
    closing    各位代表！… after the last part
    appendix   注释/名词解释 with ［1］term： entries (role "glossary"), 附件 lists (role "appendix")

Part headings without numbers ("“十四五”时期工作回顾", "2026年重点工作") are recognised by
their words; a part whose heading says nothing about its role takes it from its first
paragraphs' tense. Five-year plans: 十四五 = 2021–2025, 十五五 = 2026–2030.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import case_folded, furniture_reason, remove_injected, restore_case
from .types import Paragraph

CN_DIGITS = "一二三四五六七八九十"
_PART = re.compile(r"^([一二三四五六七八九十]+)[、.．]\s*")
_SECTION = re.compile(r"^[（(]([一二三四五六七八九十]+)[)）]\s*")
_NUMBERED = re.compile(r"^(\d{1,2})[.．、]\s*(?!\d)")
_BRACKET_NOTE = re.compile(r"^[［\[【](\d{1,3})[］\]】]\s*")
_ORDINAL_LEAD = re.compile(r"^(?:第[一二三四五六七八九十]+[，,、]?|[一二三四五六七八九十]+是)")
_DASH_LEAD = re.compile(r"^[—–-]{1,2}")
_ADDRESS = re.compile(r"^各位代表[，,!！:：。]?")
_OPENING = re.compile(r"^(?:现在，?)?我代表[\u4e00-\u9fff]{0,12}(?:国务院|人民政府|政府)")
_FINAL_PUNCT = "。！？；!?;"
_PART_WORDS = re.compile(r"回顾|目标任务|主要目标|预期目标|重点工作|工作安排|主要工作|重点任务|工作任务|主要任务|自身建设|发展成就|"
                         r"政策取向|总体要求|工作总结|政府治理")
_GLOSSARY_HEAD = re.compile(r"^(?:附[：:]?\s*)?(?:《政府工作报告》)?(?:有关内容)?(?:名词(?:解释|注释)|注释|注解|词语解释|名词解读|释义)[：:]?$")
_APPENDIX_HEAD = re.compile(r"^附(?:件|录|表)?\s*\d*[：:]?$")
_RELATED = re.compile(r"^(?:相关报道|相关文档|相关链接|相关新闻|延伸阅读|相关阅读)[：:]?")
_TITLE_LINE = re.compile(r"政府工作报告")

# Five-year plans and the years they cover.
_PLAN_WRITTEN = re.compile(r"第(十[三四五六])个五年规划")
FIVE_YEAR_PLANS = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030), "十六五": (2031, 2035)}
_PLAN = re.compile("|".join(FIVE_YEAR_PLANS))
_YEAR = re.compile(r"(20\d\d)年")

# Tense cues for a part whose heading does not say what it is.
_PAST = re.compile(r"过去一年|一年来|五年来|这五年|过去五年|初步统计|取得了|实现了|完成了|收官之年")
_FUTURE = re.compile(r"今年|预期目标|力争|要坚持|我们将|建议|开局之年")

MAX_LABEL = 18  # display labels are cut at the first comma, then to this many characters
MAX_LEAD = 24  # a lead sentence (subsection title) is short
MAX_HEADING_LINE = 40  # a standalone heading line is short


def label(text: str, limit: int = MAX_LABEL) -> str:
    """A display label: up to the first sentence end or comma, at most ``limit`` characters; a
    section number in half-width brackets is shown in full-width ones ("(五)" -> "（五）")."""
    text = re.sub(r"^\(([一二三四五六七八九十]+)\)", r"（\1）", text)
    head = re.split(r"[。！？；!?;]", text, maxsplit=1)[0]
    first = re.split(r"[，,：:]", head, maxsplit=1)
    out = first[0]
    cut = len(first) > 1
    if len(out) > limit:
        out, cut = out[: limit - 1], True
    return out + ("…" if cut else "")


def lead_sentence(text: str, limit: int = MAX_LEAD) -> str | None:
    """The paragraph's short first sentence used as its title (做强科技创新核心驱动。), or None."""
    body = _ORDINAL_LEAD.sub("", _DASH_LEAD.sub("", _ADDRESS.sub("", text)))
    m = re.match(r"([^。！？；!?;]{2," + str(limit) + r"})[。！？；!?;]", body)
    if not m:
        return None
    first = m.group(1)
    if re.search(r"[，,：:]", first) and len(first) > 16:
        return None
    return first if m.end() < len(body) else None


def _years_of(text: str) -> tuple[int, ...]:
    years: set[int] = set()
    # "十五五", or in writing "第十五个五年规划"
    for key in _PLAN.findall(text) + [f"{m}五" for m in _PLAN_WRITTEN.findall(text)]:
        a, b = FIVE_YEAR_PLANS.get(key, (0, -1))
        years.update(range(a, b + 1))
    years.update(int(y) for y in _YEAR.findall(text))
    return tuple(sorted(years))


def part_role(heading: str) -> str | None:
    """A part's role from its heading words, or None when the heading does not say."""
    if re.search(r"回顾|总结|成就|过去", heading):
        return "review"
    if re.search(r"自身建设|政府治理|治理效能|作风|政府建设|法治政府|服务型政府|党的全面领导|人民满意", heading):
        return "self"
    tasks = re.search(r"工作任务|重点工作|工作安排|主要工作|主要任务|重点任务|七项|工作部署|关于\d{4}年工作", heading)
    if re.search(r"目标|总体要求|指导思想|主要考虑|政策取向|发展思路", heading) and not tasks:
        return "targets"
    if tasks:
        return "tasks"
    return None


def _is_part_line(text: str) -> bool:
    """An unnumbered part heading: short, no sentence end, and a part's words."""
    return (len(text) <= MAX_HEADING_LINE and text[-1] not in _FINAL_PUNCT + "：:，,"
            and not _SECTION.match(text) and not _DASH_LEAD.match(text)
            and bool(_PART_WORDS.search(text)) and bool(_YEAR.search(text) or _PLAN.search(text)))


def _is_heading_line(text: str, next_text: str | None) -> bool:
    """A short standalone line that titles the paragraph(s) after it (提高社会保障水平。)."""
    if len(text) > MAX_HEADING_LINE or next_text is None or len(next_text) <= len(text):
        return False
    if _ADDRESS.match(text) or re.search(r"[，,：:；;]", text[:-1]):
        return False
    return text[-1] in "。" or text[-1] not in _FINAL_PUNCT + "：:，,"


@dataclass
class _State:
    part: str | None = None
    part_role: str | None = None
    part_years: tuple[int, ...] = ()
    section: str | None = None
    heading: str | None = None  # a standalone heading line titling the following paragraphs
    tail: str | None = None  # "closing" | "glossary" | "appendix" once the report body has ended
    roles_seen: tuple[str, ...] = ()
    period: tuple[int, int] | None = None  # inside a review: the five-year period being spoken of
    about_year: bool = False  # inside a part on the plan period and this year: speaking of this year


def _default_years(role: str, year: int, heading_years: tuple[int, ...]) -> tuple[int, ...]:
    if not year:
        return heading_years
    if role == "review":
        return heading_years or (year - 1,)
    if role in ("targets", "tasks", "self", "appendix", "closing"):
        return heading_years or (year,)
    return ()


def _infer_role(state: _State, texts: list[str]) -> str:
    """The role of a part whose heading does not say: the tense of its first paragraphs, or
    what follows the parts already seen (after a review or targets part come tasks)."""
    if "review" in state.roles_seen or "targets" in state.roles_seen:
        return "tasks"
    sample = "".join(texts[:3])
    return "review" if len(_PAST.findall(sample)) > len(_FUTURE.findall(sample)) else "tasks"


def parse_lines(lines: list[str], source: str, year: int = 0) -> tuple[list[Paragraph], list[tuple[int, str]]]:
    """Parse a report's lines into paragraphs; returns (paragraphs, [(line, furniture reason)])."""
    texts: dict[int, str] = {}
    dropped: list[tuple[int, str]] = []
    title_seen: set[str] = set()
    related = False
    folded = case_folded(lines)
    for number, raw in enumerate(lines, start=1):
        s = raw.strip()
        if not s:
            continue
        if related:
            dropped.append((number, "related links"))
            continue
        if _RELATED.match(s):
            related = True
            dropped.append((number, "related links"))
            continue
        reason = (None if _GLOSSARY_HEAD.match(s) or _APPENDIX_HEAD.match(s)
                  else furniture_reason(s, title_seen=title_seen))
        if reason:
            dropped.append((number, reason))
            continue
        cleaned = remove_injected(s).strip()
        if not cleaned:
            dropped.append((number, "injected text"))
            continue
        if folded:
            cleaned = restore_case(cleaned)
        texts[number] = cleaned
        if _TITLE_LINE.search(cleaned) and len(cleaned) <= MAX_HEADING_LINE:
            title_seen.add(cleaned)

    numbers = sorted(texts)
    # the body starts at the address to the deputies, or at the first part heading
    body_start = next((n for n in numbers if _ADDRESS.match(texts[n]) or _PART.match(texts[n])
                       or _is_part_line(texts[n])), numbers[0] if numbers else 0)
    # the closing: the last address to the deputies after the last part/section heading
    last_heading = max((n for n in numbers if _PART.match(texts[n]) or _SECTION.match(texts[n])
                        or _is_part_line(texts[n])), default=0)
    addresses = [n for n in numbers if n > last_heading and _ADDRESS.match(texts[n])]
    # the closing is the last address to the deputies after the last heading (earlier addresses
    # after it still belong to the last part: self-building, defence, …)
    closing_start = addresses[-1] if addresses else None

    out: list[Paragraph] = []
    st = _State()
    for i, n in enumerate(numbers):
        text = texts[n]
        nxt = texts[numbers[i + 1]] if i + 1 < len(numbers) else None
        if n < body_start:
            kind = "title" if _TITLE_LINE.search(text) and not out else "masthead"
            out.append(Paragraph(source, n, kind, "front", (), label(text, 30), text, ()))
            continue
        # appendix and glossary after the report body
        if _GLOSSARY_HEAD.match(text) or (_APPENDIX_HEAD.match(text) and n > last_heading):
            st.tail = "glossary" if _GLOSSARY_HEAD.match(text) else "appendix"
            st.heading = label(text, 30)
            out.append(Paragraph(source, n, "heading", st.tail, (st.heading,), st.heading, text, ()))
            continue
        if st.tail in ("glossary", "appendix") or (st.tail == "closing" and _BRACKET_NOTE.match(text)):
            if _BRACKET_NOTE.match(text) or (_NUMBERED.match(text) and re.search(r"[：:]", text[:40])):
                role = "glossary"
            elif st.tail == "appendix" and _GLOSSARY_HEAD.match(re.sub(r"^《[^》]*》", "", text)):
                role = "glossary"
            else:
                role = st.tail
            if _GLOSSARY_HEAD.search(text) and len(text) <= MAX_HEADING_LINE:
                st.tail = "glossary"
                st.heading = label(text, 30)
                out.append(Paragraph(source, n, "heading", "glossary", (st.heading,), st.heading, text, ()))
                continue
            term = _glossary_term(text)
            if term is None and out and out[-1].role == "glossary" and out[-1].text.rstrip().endswith(("：", ":")):
                term = out[-1].title  # the definition line under a "［n］term：" line
            if role == "appendix" and len(text) <= MAX_HEADING_LINE and not _NUMBERED.match(text):
                st.heading = label(text, 30)
                out.append(Paragraph(source, n, "heading", "appendix", (st.heading,), st.heading, text,
                                     _years_of(text) or ((year,) if year else ())))
                continue
            title = term or label(_NUMBERED.sub("", text))
            path = (st.heading, title) if st.heading else (title,)
            years = () if role == "glossary" else (_years_of(st.heading or "") or ((year,) if year else ()))
            out.append(Paragraph(source, n, "glossary" if role == "glossary" else "text", role, path, title,
                                 text, years))
            continue
        if closing_start is not None and n >= closing_start:
            st.tail = "closing"
            title = label(_ADDRESS.sub("", text)) or "结束语"
            out.append(Paragraph(source, n, "address" if len(text) <= 8 else "text", "closing", ("结束语", title), title, text,
                                 (year,) if year else ()))
            continue
        # parts
        if _PART.match(text) or _is_part_line(text):
            st.part = label(text, 24)
            role = part_role(text)
            body = [texts[m] for m in numbers[i + 1 : i + 4]]
            st.part_role = role or _infer_role(st, body)
            st.roles_seen += (st.part_role,)
            st.part_years = _years_of(text)
            st.section = st.heading = None
            st.period = None
            # a part on the new plan period that also names this year ("“十五五”时期目标任务和2026年工作",
            # "全力推动“十五五”开好局、起好步") speaks of this year unless a paragraph turns to the period
            st.about_year = bool(year and len(st.part_years) > 1 and year in st.part_years
                                 and re.search(rf"{year}年|开局|开好局|起好步|起步|首年", text))
            out.append(Paragraph(source, n, "part", st.part_role, (st.part,), st.part, text,
                                 _default_years(st.part_role, year, st.part_years)))
            continue
        if _ADDRESS.match(text):
            st.section = st.heading = None  # an address to the deputies ends the section before it
        if _ADDRESS.fullmatch(text) or (_ADDRESS.match(text) and len(text) <= 8):
            out.append(Paragraph(source, n, "address", st.part_role or "front", tuple(x for x in (st.part,) if x),
                                 "各位代表", text, ()))
            continue
        role = st.part_role or ("targets" if not _OPENING.match(text) else "front")
        if role == "front" or _OPENING.match(text):
            out.append(Paragraph(source, n, "text", "front", ("报告开头",), label(_ADDRESS.sub("", text) or text),
                                 text, ()))
            continue
        if st.part is None and st.part_role is None:
            # a report excerpt without part headings (it starts at its targets): targets, then tasks
            role = "tasks" if st.section else "targets"
        if _SECTION.match(text) and role == "targets":
            st.part_role = role = "tasks"  # numbered sections after the targets are the tasks
        past = _past_period(text, year) if role in ("targets", "tasks") else None
        if past:
            # a paragraph of a plan part that looks back on the last period ("“十四五”时期，…这五年，…")
            role, years = "review", past
        else:
            years = _paragraph_years(role, year, st.part_years, text, st)
        base = tuple(x for x in (st.part,) if x)
        if _SECTION.match(text):
            st.section = label(text, 24)
            st.heading = None
            if len(text) <= MAX_HEADING_LINE and text[-1] not in _FINAL_PUNCT:
                out.append(Paragraph(source, n, "heading", role, base + (st.section,), st.section, text, years))
            else:
                out.append(Paragraph(source, n, "section", role, base + (st.section,), st.section, text, years))
            continue
        if _is_heading_line(text, nxt) and not _NUMBERED.match(text):
            st.heading = label(text.rstrip("。"), 30)
            path = base + tuple(x for x in (st.section, st.heading) if x)
            out.append(Paragraph(source, n, "heading", role, path, st.heading, text, years))
            continue
        lead = lead_sentence(text)
        title = lead or st.heading or label(_ADDRESS.sub("", _ORDINAL_LEAD.sub("", _DASH_LEAD.sub("", text))))
        path = base + tuple(x for x in (st.section, st.heading if lead and st.heading else None, title) if x)
        out.append(Paragraph(source, n, "text", role, tuple(dict.fromkeys(path)), title, text, years))
    return out, dropped


def _paragraph_years(role: str, year: int, part_years: tuple[int, ...], text: str,
                     st: _State | None = None) -> tuple[int, ...]:
    """The years a paragraph's statements are about. In a review part that covers both the last
    year and the five-year period, a paragraph speaking of the five years is about the period,
    and so are the paragraphs after it until one speaks of the last year again."""
    if role == "review" and year:
        head = text[:120]
        # the next plan named early ("“十五五”规划纲要", "…第十五个五年规划的建议》，我们编制了…")
        named = _PLAN.findall(head[:40]) + [f"{m}五" for m in _PLAN_WRITTEN.findall(head[:80])]
        ahead = [FIVE_YEAR_PLANS[p] for p in named if p in FIVE_YEAR_PLANS and FIVE_YEAR_PLANS[p][0] >= year]
        # ("2025年是“十四五”规划冲刺收官、“十五五”规划谋篇布局之年。" speaks of the last year)
        if ahead and not re.search(r"五年(?:来|间)|这五年|过去五年", head) \
                and not re.match(rf"(?:各位代表[！!，,]?)?{year - 1}年", head):
            a, b = ahead[0]  # a part reviewing the last plan may also set out the next one
            return tuple(range(a, b + 1))
        # Which comes first decides: a cue of the last year (一年来, 过去的一年, "刚刚过去的2025年，…",
        # "2025年是“十四五”收官之年，…") or of the five years (五年来, 这五年, 十四五时期). "2025年" as the
        # end of the period ("从2020年的10.5万元提高到2025年的14万元") is no cue of the last year.
        # A short "2025年是“十四五”收官之年。" leads from the year to the period: what follows it
        # decides, and without a cue it is the period ("2025年是…收官之年，是…很不平凡的一年" is the year)
        first = re.match(r"(?:各位代表[！!，,]?)?([^。！!]*收官(?:之年)?)[。！!]", head)
        leads = bool(first) and len(first.group(1)) <= 40 and "一年" not in first.group(1)
        if leads:
            head = head[first.end():]
        spans_period = re.search(rf"(?:从|由|较|比)(?:{'|'.join(str(y) for y in range(year - 7, year - 1))})年", head)
        last = re.search(r"过去(?:的)?一年|一年来" + ("" if spans_period else rf"|{year - 1}年"), head)
        five = re.search(r"五年(?:来|间|的|历程|发展|奋斗|砥砺|攻坚|实践)|这五年|过去(?:的)?五年", head)
        # the plan named as a time ("“十四五”时期", "回望“十四五”这…五年"), not as a target ("“十四五”找矿目标")
        plans = [m for m in _PLAN.finditer(head) if FIVE_YEAR_PLANS[m.group(0)][1] == year - 1
                 and (m.start() <= 2 or re.match(r"[”\"]?(?:时期|期间|以来|发展|这|的五年|五年)", head[m.end():]))]
        first_five = min([m.start() for m in plans] + ([five.start()] if five else []), default=None)
        lead_in = re.sub(r"^各位代表[！!，,]?", "", head[: last.start()]) if last else ""
        if last and st is not None and st.period is not None and last.group(0) == f"{year - 1}年" \
                and first_five is None and re.search(r"[，,]", lead_in) and not lead_in.endswith(("过去的", "过去")):
            # inside the five years, "…台阶，2025年人均生产总值提升至7.6万元" is where the period ends
            # ("各位代表！刚刚过去的2025年，…" turns to the last year)
            last = None
        if last and (first_five is None or last.start() < first_five):
            if st is not None:
                st.period = None
            return (year - 1,)
        if first_five is not None or leads:
            a, b = FIVE_YEAR_PLANS[plans[0].group(0)] if plans else (year - 5, year - 1)
            if st is not None:
                st.period = (a, b)
            return tuple(range(a, b + 1))
        if st is None or st.period is None:
            return (year - 1,)
        return tuple(range(st.period[0], st.period[1] + 1))
    if role in ("targets", "tasks") and year and len(part_years) > 1 and year in part_years and st is not None:
        # a part covering the plan period and this year: the paragraph's opening says which it
        # speaks of ("今年经济社会发展的主要预期目标是…", "2026年是“十五五”开局之年" -> this year;
        # "“十五五”时期的主要目标是…", "今后五年" -> the period); otherwise as the paragraph before
        head = text[:60]
        this_year = re.search(rf"今年|{year}年", head)
        period = re.search(rf"{_PLAN.pattern}|五年|到20[2-3]\d年", head)
        if this_year and (not period or this_year.start() < period.start()):
            st.about_year = True
        elif period:
            st.about_year = False
        if st.about_year:
            return (year,)
    return _default_years(role, year, part_years)


def _past_period(text: str, year: int) -> tuple[int, ...] | None:
    """The past five-year period a paragraph opens on ("“十四五”时期，上海发展历程…", "五年来，…",
    "过去五年，…"), when it is the period that ended before the report's year; else None."""
    if not year:
        return None
    head = re.sub(r"^(?:各位代表[！!，,]?)", "", text[:30])
    m = re.match(rf"[“\"]?({_PLAN.pattern})[”\"]?(?:时期|期间|以来|这五年)", head)
    if m and FIVE_YEAR_PLANS[m.group(1)][1] == year - 1:
        a, b = FIVE_YEAR_PLANS[m.group(1)]
        return tuple(range(a, b + 1))
    if re.match(r"(?:过去(?:的)?五年|五年来|这五年)[，,]", head):
        return tuple(range(year - 5, year))
    return None


def _glossary_term(text: str) -> str | None:
    """The term a glossary entry defines: ［3］五互一共：… -> 五互一共; 16.“益企成长”计划：… -> “益企成长”计划."""
    body = _NUMBERED.sub("", _BRACKET_NOTE.sub("", text))
    m = re.match(r"([^：:。]{1,30})[：:]", body)
    return m.group(1).strip() if m else None


# -- blocks: the retrieval units inside a paragraph ---------------------------------------------
_SENT = re.compile(r"[^。！？；!?;]*[。！？；!?;]|[^。！？；!?;]+$")
# a lead inside a paragraph is shorter than a paragraph's own lead: content sentences can be short too
_LEAD_IN_PARAGRAPH = re.compile(r"^[^，,：:、]{2,11}[。]$")
_ASPECT = re.compile(r"^[^，,。]{1,8}方面[，,：:]")


def blocks(text: str, max_chars: int = 600) -> list[tuple[int, int, str | None]]:
    """[start, end) spans of a paragraph's blocks with their titles.

    A long paragraph often strings several subsections together, each led by a short sentence
    (全力释放消费潜能。…积极扩大有效投资。…), an ordinal (一是…二是…) or an aspect (铁路方面，…).
    A new block starts at each such lead; a block that would grow past ``max_chars`` is closed
    at a sentence end. Short paragraphs are one block.
    """
    spans = [(m.start(), m.end()) for m in _SENT.finditer(text) if text[m.start():m.end()].strip()]
    if len(text) <= max_chars // 2 or len(spans) <= 1:
        return [(0, len(text), None)]
    out: list[tuple[int, int, str | None]] = []
    start, title = 0, None
    for k, (a, b) in enumerate(spans):
        s = text[a:b].strip()
        is_lead = k > 0 and (
            (_LEAD_IN_PARAGRAPH.match(s) and k + 1 < len(spans)
             and not _LEAD_IN_PARAGRAPH.match(text[spans[k + 1][0]:spans[k + 1][1]].strip()))
            or _ORDINAL_LEAD.match(s) or _ASPECT.match(s)
        )
        if is_lead or (a - start >= max_chars and k > 0):
            out.append((start, a, title))
            start = a
            if is_lead:
                lead = _ORDINAL_LEAD.sub("", s)
                title = label(lead, MAX_LEAD) if not _ASPECT.match(s) else s.split("方面")[0] + "方面"
            # a size cut keeps the title of the block it continues
    out.append((start, len(text), title))
    return [(a, b, t) for a, b, t in out if text[a:b].strip()]
