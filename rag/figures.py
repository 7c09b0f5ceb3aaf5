"""Figures: the one home of units, figure patterns, figure values and figure records.

* ``FIGURE`` finds a figure as written (``5.5%左右``, ``3.3万人``, ``1.3万亿元``, ``900座``);
  ``parse`` turns it into (value, unit, qualifier) so that "两万人" (after numeral conversion
  "20000人") and "2万人" compare equal.
* ``extract`` turns every clause of a passage that states a figure into a ``Figure`` record at
  index time: metric (the clause around the figure: 社会消费品零售总额增长), value, unit,
  qualifier, kind (target in the targets, result in a review, plan in the tasks), years, place.
  "A、B分别增长6%、5%" gives one record per metric.
* ``rag.units`` reads which units a question wants (多少公里 -> 公里, 增长多少 -> %): query-time code,
  kept apart because this module's code is part of every index segment's fingerprint.

General patterns of these reports only; nothing here names a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .text import clauses, sentences
from .types import Figure, Passage

# Magnitude words inside a unit (万人, 亿元, 万亩) and their factors.
MAGNITUDE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "十万": 1e5, "万": 1e4,
             "千": 1e3, "百": 1e2}
# Units as written after a number: an optional magnitude (万, 亿, 万亿 …) and a base unit.
_MAGNITUDE = r"(?:万亿|千亿|百亿|亿|千万|百万|十万|万|千(?![米瓦克])|百(?!分))"
BASE_UNITS = (
    "%|％|‰|个百分点|百分点|微克/立方米|毫克/立方米|平方公里|平方千米|平方米|立方米|公里|千米|米|公顷|亩|吨标准煤|吨|千瓦时|千瓦|兆瓦|吉瓦|瓦|"
    "人次|人|户|套|辆|台|张床|张|件|场次|班次|列|场|家|座|个|项|所|条|次|名|艘|处|批|期|年|天|小时|倍|标箱|床|公斤|斤|"
    "千克|克|岁|周|种|类|支|部|篇|只|头|株|棵|元|美元|[EPT]FLOPS"
)
FIGURE = re.compile(
    # a range is one figure: "5%—5.5%", "4.5-5%" (its low end has at most three digits: no year)
    r"(?<![a-z\d.])(?:(?P<low>\d{1,3}(?:\.\d+)?)(?:%|％)?\s*(?:—|–|-|~|～|至)\s*)?"
    r"(?P<number>\d+(?:\.\d+)?)(?:(?=[ept]flops)|(?![a-z\d]))\s*"
    # "6600多万人", "3000余万元", "100多家": more than, written before the unit
    r"(?:(?P<approx>多|余)(?=" + _MAGNITUDE + r"|" + BASE_UNITS + r"))?"
    r"(?P<unit>" + _MAGNITUDE + r"?(?:" + BASE_UNITS + r")|" + _MAGNITUDE
    + r")?(?P<per>/(?:月|年|人|天|日|亩|户|次|吨|小时))?(?P<qual>左右|以上|以下|以内|多|余|上下)?",
    re.IGNORECASE,
)
NUMBER = re.compile(r"(?<![a-z\d.])\d+(?:\.\d+)?(?![a-z\d])", re.IGNORECASE)  # "5g", "n1" are names
# Counts written in Chinese numerals: 九大工程, 十个方面, 第三轮, 六个注重.
CN_FIGURE = re.compile(r"第?[一二三四五六七八九十两百千]+(?:大|个|项|轮|类|件|条|批|方面|注重|张|支)")
_QUOTED = re.compile(r"“[^”]{0,20}”")
_PREFIX_QUALIFIER = re.compile(r"(超过|突破|达到|达|不低于|不少于|力争|控制在|保持在|低于|高于|约|近|累计)$")

# Percent-like units and count units (what "增长多少" and "多少个" ask for).
PERCENT_UNITS = ("%", "％", "‰", "个百分点", "百分点")
COUNT_UNITS = ("个", "座", "家", "项", "所", "条", "场", "次", "名", "艘", "处", "批", "件", "套", "辆", "台", "张", "户",
               "人", "床", "种", "类", "支", "部", "只", "头", "大", "方面")

@dataclass(frozen=True)
class Parsed:
    text: str  # as written
    value: float
    unit: str  # without magnitude: "%", "元", "人", "座", ""
    qualifier: str
    start: int
    end: int


def _split_unit(unit: str) -> tuple[float, str]:
    """'万亿元' -> (1e12, '元'); '亿' -> (1e8, ''); '%' -> (1, '%')."""
    for word, factor in MAGNITUDE.items():
        if unit.startswith(word) and not unit.startswith(("千米", "千瓦", "千克", "百分点")):
            return factor, unit[len(word):]
    return 1.0, unit


def parse_all(text: str) -> list[Parsed]:
    """Every figure in ``text`` with its value; a bare number in quotation marks is a name (“1 6”)."""
    names = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    out = []
    for m in FIGURE.finditer(text):
        number, unit, qual = m.group("number"), m.group("unit") or "", m.group("qual") or m.group("approx") or ""
        if not unit and any(a <= m.start() < b for a, b in names):
            continue
        if not unit and text[m.start() - 1:m.start()] in ("（", "(") and text[m.end():m.end() + 1] in ("）", ")"):
            continue  # an item's number ("（5）推进地质灾害避险搬迁"), not a figure
        if (not unit and re.match(r"\s*年|\s*(?:—|–|-|至|到)\s*(?:19|20)\d\d年", text[m.end():m.end() + 8])) or (
                unit == "年" and re.fullmatch(r"(?:19|20)\d\d", number)):
            continue  # a year ("2021—2025年"), not a figure
        factor, base = _split_unit(unit)
        base = "%" if base == "％" else base
        before = text[max(0, m.start() - 4):m.start()]
        pq = _PREFIX_QUALIFIER.search(before)
        # a range ("5%—5.5%") is a target's span, like 左右
        qual = qual or (pq.group(1) if pq else "") or ("区间" if m.group("low") else "")
        out.append(Parsed(m.group(0).strip(), float(number) * factor, base, qual, m.start(), m.end()))
    return out


def figures(text: str) -> list[str]:
    """Figures as written, e.g. ['5.5%左右', '3.3万人']; Chinese-numeral counts last (['九大'])."""
    return [p.text for p in parse_all(text)] + [m.group(0) for m in CN_FIGURE.finditer(text)]


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def unit_ok(fig_text: str, units: tuple[str, ...]) -> bool:
    return any(u in fig_text for u in units)


def same_value(a: Parsed, b: Parsed) -> bool:
    """Do two figures state the same quantity (2万人 and 20000人; 5.5% and 5.5%左右)?"""
    if a.unit and b.unit and a.unit != b.unit:
        return False
    return abs(a.value - b.value) <= 1e-9 * max(1.0, abs(a.value))


# -- records ---------------------------------------------------------------------------------------
_TARGET_CUE = re.compile(r"目标|预期|力争|确保|控制在|保持在|不低于|不少于|突破")
_LEAD_WORDS = re.compile(r"^(?:其中|全年|全市|全省|全区|全国|今年|明年|同时|并|和|及|以及|力争|确保|预计|累计|先|再|拟|"
                         r"主要预期目标[为是]?[:：]?)+")
_VERB_AFTER_LIST = re.compile(r"分别(增长|下降|达到|为|提高|降低|增加|减少|完成)?")


# "生均标准从380元提高至1000元": the level it starts from is not a figure of its own
_CHANGE_TO = r"(?:提高|增加|增长|提升|扩大|上调|降低|下降|减少|压减|下调|缩小|降)(?:到|至)"
_FROM_TO = re.compile(r"从(" + _CHANGE_TO + ")")


def _metric(clause: str, fig: Parsed) -> str:
    """The clause around a figure, without its figures: what the figure measures."""
    text = FIGURE.sub("", clause[: fig.start] + clause[fig.end:]).strip(" ，,。；;：:、")
    text = _FROM_TO.sub(r"\1", _LEAD_WORDS.sub("", text))
    return re.sub(r"\s+", "", text)


def _cn_value(text: str) -> float | None:
    from .normalize import cn_number

    return cn_number(re.sub(r"^第|[^一二三四五六七八九十两百千]+$", "", re.match(r"第?[一二三四五六七八九十两百千]+", text).group(0)))


def _kind(role: str, clause: str, qualifier: str = "") -> str:
    """result in a review; target in the targets part, or a figure with a target's qualifier
    (左右, 以上) or words (力争, 控制在); plan otherwise (新建…座 in the tasks)."""
    if role == "review":
        return "result"
    if role == "targets" or qualifier in ("左右", "以上", "以内", "以下", "上下", "区间") or _TARGET_CUE.search(clause):
        return "target"
    return "plan"


_YEAR_BEFORE = re.compile(r"((?:19|20)\d\d)年(?:的|底|末)?(?:达到|为)?$")


def _own_year(text: str, start: int, years: tuple[int, ...]) -> tuple[int, ...]:
    """A figure dated in its own words ("从2020年的10.5万元提高到2025年的14万元") is about that
    year; any other about the paragraph's years."""
    m = _YEAR_BEFORE.search(text[max(0, start - 9):start])
    return (int(m.group(1)),) if m else years


# A clause saying what a figure before it is for
_PURPOSE = re.compile(r"(?:重点|主要|专项|全部|优先)?(?:用于|支持|投向|保障)")
# A clause measuring something of the subject before it ("总里程达8667公里", "年均增长5.7%"); "完成投资" has its own
_OF_SUBJECT = re.compile(r"(?:总|年均|累计|年度|年内)")
# A clause counting who a measure reaches ("6600多万纳税人受益", "惠及120万人"): the measure is the clause before
_REACH = re.compile(r"^(?:惠及|覆盖|带动)|受益$")
# An item of a "、" list that states an attribute of the list's subject, not a subject of its own
_ATTRIBUTE = re.compile(r"(?:年度|全年|年内|年均|总|累计|完成|其中)")


def _leading_noun(text: str) -> str:
    """The nouns a clause opens on (地区生产总值 in 地区生产总值连跨两个万亿元台阶)."""
    from .segment import pos_tags

    out = []
    for word, flag in pos_tags(text[:24]):
        if not (flag.startswith("n") or (flag == "vn" and out)) or flag == "nr" or (out and len(word) == 1):
            break  # 全省进出口总值 (创…): nouns and verbal nouns, up to a one-character word
        out.append(word)
    return "".join(out)


# A sentence opening on a sector ("新医药产业聚焦…", "低空经济重点推动…"): what the block is about
_SECTOR_LEAD = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:产业|行业|集群|产业链|经济)(?!化)(?=[\u4e00-\u9fff]{2})")
# The verbs a figure clause turns on ("产值达到…": 产值 is what is measured)
_VERB_SPLIT = re.compile(r"增长|下降|达到|超过|突破|完成|提高|降低|实现|新增|为")
# A metric that names its measure only as a task or goal ("完成…搬迁任务")
_VAGUE_HEAD = re.compile(r"(?:任务|目标|工作|计划)$")
# Verbs of any measure: sharing one says nothing of what two clauses are about
_GENERIC_WORDS = frozenset("推进 推动 实施 完成 建设 加快 开展 发展 提升 提高 新增 新建 全年 全省 全市 加强 深化 实现 "
                           "持续 扩大 培育 打造 任务 工作 项目 工程 行动 重点".split())


def _shares_word(before: str, metric: str) -> bool:
    """Do two clauses name the same thing (a word of two or more characters, not a generic verb)?"""
    from .segment import segment

    words = {w for w in segment(before) if len(w) >= 2 and w not in _GENERIC_WORDS and re.fullmatch(r"[\u4e00-\u9fff]+", w)}
    return any(w in words for w in segment(metric))


def extract(ps: Passage, place: str) -> list[Figure]:
    """Figure records of one passage (offsets relative to its paragraph)."""
    out: list[Figure] = []
    block_subject = ""  # what the last sentence opening on a noun is about ("新医药产业聚焦…")
    for s in sentences(ps.text):
        prev_subject = ""
        parts_of = clauses(s.text)
        parsed = [parse_all(c.text) for c in parts_of]
        for k, c in enumerate(parts_of):
            first = len(out)
            text = c.text
            figs = parsed[k]
            stated = bool(figs)
            # the clause before, when it states no figure: what a bare count is of ("开展“技兴齐鲁”培训，
            # 全年培训40万人次"; "提高…专项附加扣除标准，6600多万纳税人受益")
            before = parts_of[k - 1].text if k else ""
            before = "" if not before or parsed[k - 1] or len(before) > 30 or _PURPOSE.match(before.strip()) \
                else _LEAD_WORDS.sub("", re.sub(r"\s+|^[（(]\d+[)）]", "", before.strip(" ，,。；;：:")))
            base = ps.start + s.start + c.start
            respectively = _VERB_AFTER_LIST.search(text)
            if respectively and len(figs) > 1:
                items = [x for x in re.split(r"[、和及与]", text[: respectively.start()]) if x.strip()]
                items = [_LEAD_WORDS.sub("", x.strip()) for x in items]
                if len(items) == 1 and len(figs) == 2 and "城乡" in items[0]:
                    # "城乡居民人均可支配收入分别增长6%和7.4%": the towns' figure, then the countryside's
                    items = [items[0].replace("城乡", "城镇", 1), items[0].replace("城乡", "农村", 1)]
                verb = respectively.group(1) or ""
                if len(items) == len(figs):
                    for item, f in zip(items, figs, strict=True):
                        out.append(Figure(ps.source, ps.line, base, base + len(text), text.strip(),
                                          item + verb, f.text, f.value, f.unit, f.qualifier,
                                          _kind(ps.role, text, f.qualifier), ps.years, place))
                    prev_subject = items[-1]
                    continue
            # "A30个、B20个": each item its own metric
            items = text.split("、")
            if len(figs) > 1 and len(items) == len(figs) and all(len(parse_all(x)) == 1 for x in items):
                pos = 0
                for item, f in zip(items, figs, strict=True):
                    metric = _LEAD_WORDS.sub("", FIGURE.sub("", item).strip(" ，,。；;：:"))
                    if prev_subject and (len(re.sub(r"[^\u4e00-\u9fff]", "", metric)) <= 3 or _ATTRIBUTE.match(metric)):
                        # "国内生产总值达到134.9万亿元、增长5%"; "重大项目1678个、年度投资1.1万亿元"
                        metric = prev_subject + metric
                    head = _VERB_SPLIT.split(metric, maxsplit=1)[0]
                    if len(head) >= 2:
                        prev_subject = head
                    out.append(Figure(ps.source, ps.line, base + pos, base + pos + len(item), item.strip(" ，,。；;"),
                                      metric, f.text, f.value, f.unit, f.qualifier, _kind(ps.role, item, f.qualifier),
                                      ps.years, place))
                    pos += len(item) + 1
                figs = []
            figs = [f for i, f in enumerate(figs) if not (
                text[f.start - 1:f.start] == "从" and i + 1 < len(figs)
                and re.fullmatch(_CHANGE_TO, text[f.end:figs[i + 1].start].strip()))]
            for f in figs:
                metric = _metric(text, f)
                short = len(re.sub(r"[^\u4e00-\u9fff]", "", metric)) <= 3
                # "国内生产总值超过126万亿元，增长5.2%": the second clause's subject is the first's
                if prev_subject and (short or _OF_SUBJECT.match(metric)):
                    metric = prev_subject + metric
                elif before and (short or _REACH.search(metric)
                                 or (_VAGUE_HEAD.search(metric) and _shares_word(before, metric))):
                    # (a task counted in words of the clause before it, "推进地质灾害避险搬迁，完成2.08万人
                    # 搬迁任务", counts for that measure)
                    metric = before + metric
                elif k == 0 and block_subject and len(re.sub(r"[^\u4e00-\u9fff]", "", _VERB_SPLIT.split(metric)[0])) <= 3:
                    # a sentence that is only a bare measure ("产值达到780亿元。") measures what the
                    # sentences before it are about ("新医药产业聚焦…")
                    metric = block_subject + metric
                out.append(Figure(ps.source, ps.line, base, base + len(text), text.strip(), metric, f.text, f.value,
                                  f.unit, f.qualifier, _kind(ps.role, text, f.qualifier),
                                  _own_year(text, f.start, ps.years), place))
            for m in CN_FIGURE.finditer(text):
                if m.group(0).startswith("第") and not re.search(r"[轮批期次]", m.group(0)):
                    continue
                if m.group(0) == "一批":
                    continue  # "建设一批…": some, not a count
                value = _cn_value(m.group(0))
                if value is None:
                    continue
                metric = _LEAD_WORDS.sub("", (text[: m.start()] + text[m.end():]).strip(" ，,。；;：:、"))
                out.append(Figure(ps.source, ps.line, base, base + len(text), text.strip(), metric, m.group(0), value,
                                  re.sub(r"^第?[一二三四五六七八九十两百千]+", "", m.group(0)), "", _kind(ps.role, text),
                                  ps.years, place))
            # the subject of a figure clause ("国内生产总值超过126万亿元，增长5.2%") carries to the next
            parts = _VERB_SPLIT.split(text, maxsplit=1)
            subject = _LEAD_WORDS.sub("", parts[0].strip(" ，,。；;：:"))
            if figs and len(parts) > 1 and not subject:
                # "新增高速公路通车里程1523公里，总里程达8667公里": the object of an opening verb
                subject = FIGURE.split(parts[1], maxsplit=1)[0].strip(" ，,。；;：:、")
            if figs and len(parts) == 1:
                # "实施省大中型项目5296个，年度完成投资1.1万亿元左右": the clause's own metric is the subject
                subject = _LEAD_WORDS.sub("", text[: figs[0].start].strip(" ，,。；;：:"))
                after = text[figs[0].end:].strip(" ，,。；;：:")
                if len(subject) <= 2 and 2 <= len(after) <= 16 and not NUMBER.search(after):
                    subject = after  # "实施1000个以上省重点项目，年度完成投资1万亿元": what is counted
                if 2 <= len(subject) <= 16 and not NUMBER.search(subject):
                    prev_subject = subject
            elif figs and len(parts) > 1 and 2 <= len(subject) <= 16 and not NUMBER.search(subject):
                prev_subject = subject
            elif not stated:
                # a clause without a figure opening on a noun ("地区生产总值连跨两个万亿元台阶，年均增长5.7%";
                # "…东盟进出口分别增长37.2%、19%，全省进出口总值创历史新高，达到5379亿元")
                subject = _LEAD_WORDS.sub("", _leading_noun(text))
                # (a clause about something else ends the subject before it: "高质量建设金华（义乌）中欧班列
                # 集结中心，深化中欧班列市场化运营改革，全年开行3000列以上" counts the trains, not 金华)
                prev_subject = subject if len(subject) >= 4 else ""
            # what the money or measure is for, said in the next clause ("拟发行特别国债5000亿元，支持国有
            # 大型商业银行补充资本"): part of what the figure measures
            nxt = parts_of[k + 1].text.strip(" ，,。；;") if k + 1 < len(parts_of) else ""
            if len(out) > first and _PURPOSE.match(nxt) and not parse_all(nxt):
                out[first:] = [replace(f, metric=f.metric + nxt) for f in out[first:]]
        lead = _SECTOR_LEAD.match(s.text.strip())
        if lead:
            block_subject = lead.group(0)
    return out
