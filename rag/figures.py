"""Figures: the one home of units, figure patterns, figure values and figure records.

* ``FIGURE`` finds a figure as written (``5.5%左右``, ``3.3万人``, ``1.3万亿元``, ``900座``);
  ``parse`` turns it into (value, unit, qualifier) so that "两万人" (after numeral conversion
  "20000人") and "2万人" compare equal.
* ``extract`` turns every clause of a passage that states a figure into a ``Figure`` record at
  index time: metric (the clause around the figure: 社会消费品零售总额增长), value, unit,
  qualifier, kind (target in the targets, result in a review, plan in the tasks), years, place.
  "A、B分别增长6%、5%" gives one record per metric.
* ``asked_units`` reads which units a question wants (多少公里 -> 公里, 增长多少 -> %).

General patterns of these reports only; nothing here names a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import clauses, sentences
from .types import Figure, Passage

# Magnitude words inside a unit (万人, 亿元, 万亩) and their factors.
MAGNITUDE = {"万亿": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3, "百": 1e2}
# Units as written after a number, longest first inside the alternation.
_UNITS = (
    "%|‰|个百分点|百分点|万亿元|亿元|万元|元|万亿|亿|万吨标准煤|万吨|吨|万亩|亩|万公顷|公顷|平方公里|平方千米|平方米|万平方米|公里|千米|米|"
    "万千瓦时|千瓦时|亿千瓦时|万千瓦|千瓦|兆瓦|吉瓦|万人次|人次|万人|人|万户|户|万套|套|万辆|辆|万台|台|万张|张|"
    "万件|件|场次|场|家|座|个|项|所|条|次|名|艘|处|批|期|年|天|小时|倍|标箱|万标箱|床|张床|公斤|斤|万斤|亿斤|"
    "亿立方米|万立方米|立方米|千克|克|岁|周|种|类|支|部|篇|只|头|株|棵|万|千|百"
)
FIGURE = re.compile(
    r"(?<![a-z\d.])(\d+(?:\.\d+)?)(?![a-z\d])\s*(" + _UNITS + r")?(左右|以上|以下|以内|多|余|上下)?",
    re.IGNORECASE,
)
NUMBER = re.compile(r"(?<![a-z\d.])\d+(?:\.\d+)?(?![a-z\d])", re.IGNORECASE)  # "5g", "n1" are names
# Counts written in Chinese numerals: 九大工程, 十个方面, 第三轮, 六个注重.
CN_FIGURE = re.compile(r"第?[一二三四五六七八九十两百千]+(?:大|个|项|轮|类|件|条|批|方面|注重|张|支)")
_QUOTED = re.compile(r"“[^”]{0,20}”")
_PREFIX_QUALIFIER = re.compile(r"(超过|突破|达到|达|不低于|不少于|力争|控制在|保持在|低于|高于|约|近|累计)$")

# Percent-like units and count units (what "增长多少" and "多少个" ask for).
PERCENT_UNITS = ("%", "‰", "个百分点", "百分点")

# Expected unit of a numeric answer, from explicit unit words in a question; any one satisfies.
_UNIT_CUES: list[tuple[re.Pattern, tuple[str, ...]]] = [
    (re.compile(r"百分|%|比例|比重|占多少|占比|占几|增速|增幅|增长|涨|降|下降|覆盖率|覆盖面|率\b|率[是为多]|percent|percentage|"
                r"\brate\b|ratio|proportion|growth|(?:grow|increase|rise|fall|cut|reduce|expand)\w* by\b|by how much|"
                r"how fast"), PERCENT_UNITS),
    (re.compile(r"多少钱|资金|经费|预算|投资|贷款|金额|产值|营业收入|营收|亿元|万元|多少亿|多少万元|规模|总量|money|fund|budget|yuan|rmb|"
                r"\bcost|loan|billion|million|trillion|revenue|output value|invest"), ("元", "亿", "万亿")),
    (re.compile(r"公里|千米|多长|多远|里程|\bkm\b|kilomet|how long|how far|length|\bmile"), ("公里", "千米", "米")),
    (re.compile(r"亩|\bmu\b|acre"), ("亩", "公顷")),
    (re.compile(r"公顷|hectare"), ("公顷", "亩")),
    (re.compile(r"吨|tonne|\btons?\b"), ("吨",)),
    (re.compile(r"斤|粮食产量|grain output|grain production"), ("斤", "吨")),
    (re.compile(r"多少人|几人|人数|多少万人|人次|how many people|how many persons|jobs"), ("人", "人次", "名")),
    (re.compile(r"多少户|户数|household"), ("户",)),
    (re.compile(r"千瓦|装机|capacity|kilowatt|\bkw\b|\bgw\b"), ("千瓦", "瓦")),
]


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
        if unit.startswith(word) and unit not in ("千米", "千瓦", "千瓦时", "千克", "百分点"):
            return factor, unit[len(word):]
    return 1.0, unit


def parse_all(text: str) -> list[Parsed]:
    """Every figure in ``text`` with its value; a bare number in quotation marks is a name (“1 6”)."""
    names = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    out = []
    for m in FIGURE.finditer(text):
        number, unit, qual = m.group(1), m.group(2) or "", m.group(3) or ""
        if not unit and any(a <= m.start() < b for a, b in names):
            continue
        if not unit and re.match(r"\s*年", text[m.end():m.end() + 1]):
            continue  # a year, not a figure
        factor, base = _split_unit(unit)
        before = text[max(0, m.start() - 4):m.start()]
        pq = _PREFIX_QUALIFIER.search(before)
        out.append(Parsed(m.group(0).strip(), float(number) * factor, base, qual or (pq.group(1) if pq else ""),
                          m.start(), m.end()))
    return out


def figures(text: str) -> list[str]:
    """Figures as written, e.g. ['5.5%左右', '3.3万人']; Chinese-numeral counts last (['九大'])."""
    return [p.text for p in parse_all(text)] + [m.group(0) for m in CN_FIGURE.finditer(text)]


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def unit_ok(fig_text: str, units: tuple[str, ...]) -> bool:
    return any(u in fig_text for u in units)


def asked_units(question_norm: str) -> tuple[str, ...]:
    units: list[str] = []
    for pattern, unit in _UNIT_CUES:
        if pattern.search(question_norm):
            units.extend(u for u in unit if u not in units)
    return tuple(units)


def same_value(a: Parsed, b: Parsed) -> bool:
    """Do two figures state the same quantity (2万人 and 20000人; 5.5% and 5.5%左右)?"""
    if a.unit and b.unit and a.unit != b.unit:
        return False
    return abs(a.value - b.value) <= 1e-9 * max(1.0, abs(a.value))


# -- records ---------------------------------------------------------------------------------------
_TARGET_CUE = re.compile(r"目标|预期|左右|以上|以内|以下|力争|确保|控制在|保持在|不低于|不少于|突破")
_LEAD_WORDS = re.compile(r"^(?:其中|全年|全市|全省|全区|全国|今年|明年|同时|并|和|及|以及|力争|确保|预计|累计|主要预期目标[为是]?[:：]?)+")
_VERB_AFTER_LIST = re.compile(r"分别(增长|下降|达到|为|提高|降低|增加|减少|完成)?")


def _metric(clause: str, fig: Parsed) -> str:
    """The clause around a figure, without its figures: what the figure measures."""
    text = FIGURE.sub("", clause[: fig.start] + clause[fig.end:]).strip(" ，,。；;：:、")
    text = _LEAD_WORDS.sub("", text)
    return re.sub(r"\s+", "", text)


def _kind(role: str, clause: str) -> str:
    if role == "review":
        return "result"
    if role == "targets" or _TARGET_CUE.search(clause):
        return "target"
    return "plan"


def extract(ps: Passage, place: str) -> list[Figure]:
    """Figure records of one passage (offsets relative to its paragraph)."""
    out: list[Figure] = []
    for s in sentences(ps.text):
        prev_subject = ""
        for c in clauses(s.text):
            text = c.text
            figs = parse_all(text)
            base = ps.start + s.start + c.start
            respectively = _VERB_AFTER_LIST.search(text)
            if respectively and len(figs) > 1:
                items = [x for x in re.split(r"[、和及与]", text[: respectively.start()]) if x.strip()]
                items = [_LEAD_WORDS.sub("", x.strip()) for x in items]
                verb = respectively.group(1) or ""
                if len(items) == len(figs):
                    for item, f in zip(items, figs, strict=True):
                        out.append(Figure(ps.source, ps.line, base, base + len(text), text.strip(),
                                          item + verb, f.text, f.value, f.unit, f.qualifier, _kind(ps.role, text),
                                          ps.years, place))
                    prev_subject = items[-1]
                    continue
            for f in figs:
                metric = _metric(text, f)
                # "国内生产总值超过126万亿元，增长5.2%": the second clause's subject is the first's
                if len(re.sub(r"[^\u4e00-\u9fff]", "", metric)) <= 3 and prev_subject:
                    metric = prev_subject + metric
                out.append(Figure(ps.source, ps.line, base, base + len(text), text.strip(), metric, f.text, f.value,
                                  f.unit, f.qualifier, _kind(ps.role, text), ps.years, place))
            subject = re.split(r"增长|下降|达到|超过|突破|完成|提高|降低|实现|新增|为", text, maxsplit=1)[0]
            subject = _LEAD_WORDS.sub("", subject.strip(" ，,。；;：:"))
            if len(subject) >= 2 and not NUMBER.search(subject):
                prev_subject = subject
    return out
