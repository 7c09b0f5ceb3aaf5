"""Which units a question wants: 多少公里 -> 公里, 多少人 -> 人|人次|名 (required), 增长多少 -> % (preferred).

Query-time only. It lives apart from ``rag.figures`` (units, figure patterns, records) because that
module's code is part of every index segment's fingerprint: a change to how questions are read must
not make the indexes stale.
"""

from __future__ import annotations

import re

from .figures import BASE_UNITS, COUNT_UNITS, PERCENT_UNITS

# Expected unit of a numeric answer, from explicit unit words in a question; any one satisfies.
_UNIT_CUES: list[tuple[re.Pattern, tuple[str, ...]]] = [
    (re.compile(r"百分|%|比例|比重|占多少|占比|占几|增速|增幅|率|\bpercent|\bpercentage|"
                r"\brates?\b|\bratios?\b|\bproportion|\bhow fast"), PERCENT_UNITS),
    (re.compile(r"多少钱|亿元|万元|多少亿|多少万元|金额|多少(?:投资|资金|经费|预算|贷款|补贴)|"
                r"(?:资金|经费|预算|补贴|津贴|补助|补助金|养老金|退休金|工资|(?<!免)费|奖金)(?:标准|最低|最高|每月|每年|每人|一个月|一年|是|有|达|发|能|涨到|提高到|能涨到){0,3}多少(?![人个家项])|"
                r"\bmoney\b|\byuan\b|\brmb\b|\bbillion|\bmillion|\btrillion|"
                # "how much is the monthly allowance": an amount of money, not how many receive it
                r"\bhow much\b.{0,40}\b(?:allowances?|subsid(?:y|ies)|pensions?|fees?|salar(?:y|ies)|wages?|bonus(?:es)?|"
                r"stipends?)\b"),
     ("元", "亿", "万亿")),
    (re.compile(r"多长时间|多久|几天|几个月|\bhow long (?:will|can|does|do|is|are)\b.{0,30}\b(?:stay|last|take)|\bhow many (?:days|hours|months|years)\b"),
     ("小时", "天", "日", "年", "个月", "月", "周")),
    (re.compile(r"公里|千米|多长(?!时间)|多远|里程|\bkm\b|kilomet|\bhow long\b|\bhow far\b|\blength\b|\bmiles?\b"), ("公里", "千米", "米")),
    (re.compile(r"亩|\bmu\b|\bacres?\b|多[大少]面积|面积(?:是|有|达)?多[大少]|\bhow much land\b|\bhow (?:large|big) an area\b"),
     ("亩", "公顷", "平方公里", "平方米")),
    (re.compile(r"床位"), ("张", "床", "个")),
    (re.compile(r"公顷|\bhectares?\b"), ("公顷", "亩")),
    (re.compile(r"吨|\btonnes?\b|\btons?\b"), ("吨",)),
    # (人次 named, how much it grew asked: a rate answers too, "入境游客人次比前年涨了多少": 增长68.2%)
    (re.compile(r"多少人|几人|多少万人|(?:人数|人次)(?![^，,。？?]{0,8}(?:涨|增长|增加|提高|上升|下降|减少)了?(?:多少|几))|\bhow many (?:more )?(?:people|persons|tourists|visitors|travell?ers|passengers|"
                r"residents|students|workers|graduates|patients|trips|visits|tourist visits|phds|doctors|nurses|teachers|talents|"
                r"experts|researchers|scientists|engineers|volunteers|children|kids|babies|infants|seniors|elderly|farmers)\b"
                # (not the things for them: "how many elderly care beds")
                r"(?!\s+(?:care|beds?|homes?|cent(?:er|re)s?|facilities|institutions|hospitals?|schools?|places|seats|"
                r"services?|canteens?))"),
     ("人", "人次", "名")),
    (re.compile(r"多少户|户数|\bhow many households\b"), ("户",)),
    (re.compile(r"\bhow many (?:more )?units\b"), ("套", "间", "户", "个", "座")),
    (re.compile(r"千瓦|\bkilowatts?\b|\bkw\b|\bgw\b"), ("千瓦", "瓦")),
]
# Units a question prefers without requiring them: "增长多少" is most often a rate, but "提高30元"
# answers it too; "投资多少" is most often money, but "投资项目多少个" is a count.
_SOFT_CUES: list[tuple[re.Pattern, tuple[str, ...]]] = [
    (re.compile(r"增长|涨|降|下降|提高|\bgrowth\b|\bgrow|\bincrease|\brise\b|\bfall\b|\bcut\b|\breduc|by how much"),
     PERCENT_UNITS),
    (re.compile(r"资金|经费|预算|投资|贷款|产值|营业收入|营收|规模|总量|多少钱|\bfunds?\b|\bbudget|\bcost|\bloans?\b|\brevenue|"
                r"\boutput value\b|\binvest"), ("元", "亿", "万亿")),
    (re.compile(r"斤|粮食产量|\bgrain\b"), ("斤", "吨")),
    (re.compile(r"就业|\bjobs?\b"), ("人", "人次", "名")),
    (re.compile(r"装机|\bcapacity\b"), ("千瓦", "瓦")),
    # "how many" counts things: a length, an area, money or a rate is another quantity
    (re.compile(r"\bhow many\b"), COUNT_UNITS),
]


_HOW_MANY_UNIT = re.compile(r"(?:多少|几)(?:个)?(?:万|亿|千)?(" + BASE_UNITS.replace("|个|", "|") + r")")


def asked_units(question_norm: str) -> tuple[str, ...]:
    units: list[str] = []
    # the unit of the clause that asks ("我家住的老公房还是几家合用厨卫的，…完成多少面积": not 家)
    asking = [c for c in re.split(r"[，,；;。！!]", question_norm) if re.search(r"多少|几", c)]
    m = _HOW_MANY_UNIT.search(asking[-1] if asking else question_norm)
    if m and m.group(1) not in ("年", "次", "期"):
        units.append(m.group(1))  # 多少元, 几公里, 多少户: the unit written after the question word
    for pattern, unit in _UNIT_CUES:
        if pattern.search(question_norm):
            units.extend(u for u in unit if u not in units)
    return tuple(units)


def preferred_units(question_norm: str, hard: tuple[str, ...]) -> tuple[str, ...]:
    """Units a question prefers without requiring them (see ``_SOFT_CUES``)."""
    if hard:
        return ()
    units: list[str] = []
    # "降到多少了", "提高到多少": the level reached, in whatever unit the report gives it
    level_to = re.search(r"(?:降|涨|提高|提升|增|升|减)?(?:到|至)(?:多少|几)", question_norm)
    for pattern, unit in _SOFT_CUES:
        if level_to and unit == PERCENT_UNITS:
            continue
        if pattern.search(question_norm):
            units.extend(u for u in unit if u not in units)
    return tuple(units)
