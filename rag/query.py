"""Query analysis: a user's question -> ``Query`` (language, report-vocabulary terms, intent).

Chinese questions are normalised (case, width), stripped of question words and expanded with
the report's own terms for abbreviations and colloquial words. English words are mapped onto
report terms (``lexicon_en.tsv``); what stays unmatched is kept for the cross-lingual encoder.
The intent flags (asks for a number, which unit, another year, a total, a list, a date) drive
the answerer's clause choice and its refusals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon import Lexicon, en_tokens, load_lexicon
from .text import clean_input, detect_language, has_cjk, normalize

# Question scaffolding in Chinese: dropped (as whole jieba tokens) before lexical matching.
ZH_STOPWORDS = frozenset(
    """请问 请 一下 我想 我想知道 我想问 想问 想 知道 告诉 告诉我 帮 帮我 查 查一下 问 问一下 能不能 可不可以 是不是 有没有
    有多少 多少 多少钱 几 几个 几家 几座 几场 几项 几次 什么样 什么 啥 哪些 哪个 哪几 哪 哪儿 哪里 怎么样 怎么 怎样 如何 为什么
    为啥 吗 呢 吧 呀 啊 么 嘛 今年 全年 本年 年 2025 2025年 威海市 威海 咱们 咱 我们 我 你 你们 他们 我市 市里 市 市政府 政府
    报告 工作报告 政府工作报告 里面 里 中 提到 提 说 说了 讲 打算 计划 准备 预计 要 会 能 能够 是 的 了 有 和 与 及 在 对 给 把 被
    都 也 还 就 多 大概 大约 左右 目标 目标是 方面 情况 相关 关于 具体 主要 一些 哪方面 多大 多高 多长 多远 一共 总共 到底 究竟
    达到 达 为 个 家 座 场 项 万 亿 啦 哦 嗯 吗 呐 么样 这个 那个 这 那 其 该 此 上 下 去 来 得 着 过 让 由 从 向 将 已 再 又
    干 做 搞 办 弄 新 新增 多少个 几年 今年内 年内 这一年 这部分 部分 这块 这一块 那块 这些 那些 这里 那里 地方 方面 意思
    跟 同 大 小 动作 大动作 安排 举措 措施 办法 重点 内容 时候 谁 几点 哪天 东西 事 事情 事儿 问题 一块 总体 总的 整体 思路
    到底是 都有 都 有啥 啥样 什么样子 咋样 咋 为啥 能否 是否 可以 需要 应该 开始 进行 实施 推进 推动 加快 进一步 哪一 哪方面
    具体是 具体有 分别 分别是 包括 包含 叫 叫做 名字 称为 称作 叫什么 提出 提及 写 写了 规定 要求 说法 怎么说 所说
    自己 自身 抓 咋弄 咋办 咋整 怎么弄 怎么办 怎么搞 弄 搞好 做好 干啥 一下子 有关 相关的 这方面 那方面""".split()
)
# Words of a question's quantity frame ("增长多少", "目标是"): not its topic.
FRAME_WORDS = frozenset("增长 目标 预期 提高 达到 完成 新增 新建 建成 比例 规模 数量 总量 总额 增速 增幅 建设 实施 推进 开展 "
                        "全年 今年 力争 突破 保持 稳定 扩大 提升 加快 打造".split())
_QUESTION_WORD = re.compile(r"多少|几|什么|啥|哪|怎么|如何|怎样|咋|吗|是否|有没有|能否|"
                            r"\b(?:how|what|which|when|where|who|whom|why|is|are|will|does|do|can|list|tell)\b")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)

_ASKS_NUMBER = re.compile(
    r"多少|(?<!哪)几[个家座场项件所条次名批期万亿千百十大]?|多大|多高|多长|多远|多宽|百分之|"
    r"how many|how much|how long|how far|what percent|what percentage|what share|what rate|what proportion|"
    r"by how|growth rate|\bnumber of\b|\bquota\b|percent|第几|"
    r"\bwhat(?:'s| is| are)?\b[\w\s'-]{0,40}?\b(?:rate|percentage|share|proportion|amount|figure|budget|value|"
    r"capacity|quantity|sum|price|cost)\b"
)
_ASKS_TOTAL = re.compile(
    r"总共|一共|累计|总数|总量|总计|现有|目前有|已有|已经有|共有|全部有|in total|\btotal\b|altogether|so far|"
    r"existing|cumulative|currently (?:has|have)|right now"
)
_ASKS_LIST = re.compile(r"哪些|哪几|分别是|分别有|名单|清单|具体是|具体有|列出|包括(?:什么|啥|哪)|都有(?:啥|什么)|"
                        r"\blist\b|which ones|name (?:all|the)|what are the \d+")
_ASKS_WHERE = re.compile(r"在哪|建在|设在|哪里|哪儿|哪个区|哪几个区|什么地方|地点|位置|选址|\bwhere\b|which (?:district|area|site)|location")
_ASKS_HOW = re.compile(
    r"怎么|如何|怎样|咋|有啥|有什么(?:办法|措施|举措|安排|规划|重点|动作|打算|政策|工作|行动|亮点)|做什么|干什么|哪些(?:办法|措施|举措|工作|重点)|"
    r"\bhow (?:will|to|does|do|is|are|can)\b|what (?:will|is being|are being|'s being)|what's planned|what is planned|"
    r"\bplans?\b|measures|steps|approach|what's in the plan|what does the report say about|what is the plan"
)
_WANTS_FIGURE = re.compile(r"目标|指标|预期|增长|增速|比例|规模|数量|\btarget|\bgoal|\bgrowth|\brate\b|\bshare\b|quota")
# A figure per person/household/unit: the report gives totals only.
_ASKS_PER_UNIT = re.compile(r"每(?:家|亩|月|人|户|个|年|天|次|平方米|位)|个人最多|一个人|"
                            r"\bper (?:person|household|family|month|mu|year|company|firm|capita|head)|"
                            r"\beach (?:person|household|family|company|firm|resident|student|applicant)|one person|"
                            r"\bmaximum\b|\bat most\b")
_ASKS_WHEN = re.compile(
    r"什么时候|啥时候|何时|哪天|哪一天|几月|几号|几点|几时|哪年|哪一年|时间表|截止|期限|开通时间|通车时间|完工时间|建成时间|"
    r"\bwhen\b|what date|which date|deadline|by what time|how soon|\bopen(?:ing)? date\b"
)
# Another year than the report's: the report only sets 2025 targets.
_OTHER_YEAR = re.compile(
    r"去年|前年|上年|上一年|明年|后年|往年|历年|过去|以前|之前|上个|2024|2023|2022|2021|2020|2026|2027|2030|2035|"
    r"last year|previous year|prior year|next year|past year|in 20(?:1\d|2[0-4]|2[6-9]|3\d)|20(?:1\d|2[0-4]|2[6-9]|3\d)"
)
_YEAR_OK = re.compile(r"十四五|十五五")

# Expected unit of a numeric answer, from explicit unit words only; value = units that satisfy
# it. Several cues add up (any one unit satisfies the question).
_UNIT_CUES: list[tuple[re.Pattern, tuple[str, ...]]] = [
    (re.compile(r"百分|%|比例|比重|占多少|占比|占几|增速|增幅|增长|涨|降|覆盖率|覆盖面|percent|percentage|\brate\b|ratio|proportion|"
                r"growth|(?:grow|increase|rise|fall|cut|reduce|expand)\w* by\b|by how much|how fast"), ("%", "‰")),
    (re.compile(r"多少钱|资金|经费|预算|投资|贷款|金额|产值|营业收入|营收|亿元|万元|多少亿|多少万元|money|fund|budget|yuan|"
                r"rmb|\bcost|loan|billion|million|revenue|output value|invest"), ("元",)),
    (re.compile(r"公里|千米|多长|多远|\bkm\b|kilomet|how long|how far|length|\bmile"), ("公里", "千米", "米")),
    (re.compile(r"亩|\bmu\b|acre"), ("亩", "公顷")),
    (re.compile(r"公顷|hectare"), ("公顷", "亩")),
    (re.compile(r"吨|tonne|\btons?\b"), ("吨",)),
    (re.compile(r"多少人|几人|人数|多少万人|how many people|how many persons"), ("人", "人次", "名")),
    (re.compile(r"多少户|户数|household"), ("户",)),
]

_EN_SPLIT = re.compile(r"[a-z][a-z0-9&']*|\d+(?:\.\d+)?%?")


@dataclass(frozen=True)
class Term:
    text: str  # normalised report-vocabulary text
    weight: float
    origin: str  # "zh" | "synonym" | "en" | "cedict"
    group: str = ""  # the user's word it stands for: alternatives of one word share a group


@dataclass(frozen=True)
class Query:
    raw: str
    text: str
    norm: str
    lang: str
    terms: tuple[Term, ...]
    en_unmatched: tuple[str, ...] = ()
    asks_number: bool = False
    units: tuple[str, ...] = ()
    asks_total: bool = False
    asks_list: bool = False
    asks_when: bool = False
    asks_where: bool = False
    asks_how: bool = False
    wants_figure: bool = False  # "目标/target": a figure is welcome but its absence is no reason to refuse
    asks_per_unit: bool = False
    other_year: bool = False
    flags: dict = field(default_factory=dict, compare=False)

    @property
    def lexical_text(self) -> str:
        """The text the lexical ranker matches: report-vocabulary terms, space separated."""
        return " ".join(t.text for t in self.terms)

    @property
    def has_topic(self) -> bool:
        """Does the question name anything? Chinese words, report terms an English word maps to,
        or an English word; bare numbers and Latin fragments ("1", "31m") are not a topic."""
        return any(t.weight > 0 and (has_cjk(t.text) or re.fullmatch(r"(?=.{2})\d*[a-z][a-z\d]*", t.text) is not None)
                   for t in self.terms) or bool(self.en_unmatched)

    @property
    def topic_terms(self) -> tuple[Term, ...]:
        """Terms that name what the question is about (not its frame: 增长, 目标, build, ...)."""
        from .lexical import tokens

        return tuple(t for t in self.terms
                     if t.weight >= 1.0 and not all(x in FRAME_WORDS for x in tokens(t.text, normalized=True)))

    @property
    def has_frame(self) -> bool:
        """Does the question say what it wants (a number, a list, a date, how, yes/no ...)?"""
        return bool(self.asks_number or self.asks_list or self.asks_when or self.asks_where or self.asks_how
                    or _QUESTION_WORD.search(self.norm))

    def __repr__(self) -> str:
        return f"Query({self.text!r} lang={self.lang} terms={[t.text for t in self.terms]})"


def _zh_content(norm: str) -> list[str]:
    """Chinese topic words: jieba tokens of the question minus scaffolding and punctuation."""
    from .lexical import segment

    out = []
    for tok in segment(norm):
        tok = tok.strip()
        if not tok or tok in ZH_STOPWORDS or not _PUNCT.sub("", tok):
            continue
        out.append(tok)
    return out


def analyze(question: str, lexicon: Lexicon | None = None) -> Query:
    text = clean_input(question)
    norm = normalize(text)
    lang = detect_language(text)
    lex = lexicon or load_lexicon()
    terms: list[Term] = []

    # Chinese (and digits/abbreviations typed among Chinese) — expand colloquial words first.
    covered = norm
    for key, term in lex.expand_zh(norm, keep_report_words=True):
        terms.append(Term(term, 1.0, "synonym", key))
        covered = covered.replace(key, " ")
    for piece in _zh_content(covered):
        if has_cjk(piece) or any(ch.isdigit() for ch in piece):
            # latin letters glued to Chinese (e.g. "5g基站") stay with their piece;
            # a lone character says little
            terms.append(Term(piece, 1.0 if len(piece) > 1 else 0.5, "zh", piece))

    # English words -> report terms.
    unmatched: list[str] = []
    if re.search(r"[a-z]", norm):
        tokens = en_tokens(" ".join(_EN_SPLIT.findall(norm)))
        pairs, unmatched = lex.translate_en(tokens)
        unmatched = [u for u in unmatched if len(u) > 1]
        seen = {t.text for t in terms}
        for phrase, term, curated in pairs:
            if term not in seen:
                terms.append(Term(term, 1.0 if curated else 0.7, "en" if curated else "cedict", phrase))
                seen.add(term)
        # numbers typed in an English question ("5g", "2025") are matched by the lexical ranker as is
    units: list[str] = []
    for pattern, unit in _UNIT_CUES:
        if pattern.search(norm):
            units.extend(u for u in unit if u not in units)
    other_year = bool(_OTHER_YEAR.search(norm)) and not _YEAR_OK.search(norm)
    return Query(
        raw=question,
        text=text,
        norm=norm,
        lang=lang,
        terms=tuple(terms),
        en_unmatched=tuple(unmatched),
        asks_number=bool(_ASKS_NUMBER.search(norm)),
        units=tuple(units),
        asks_total=bool(_ASKS_TOTAL.search(norm)),
        asks_list=bool(_ASKS_LIST.search(norm)),
        asks_when=bool(_ASKS_WHEN.search(norm)),
        asks_where=bool(_ASKS_WHERE.search(norm)),
        asks_how=bool(_ASKS_HOW.search(norm)),
        wants_figure=bool(_WANTS_FIGURE.search(norm)),
        asks_per_unit=bool(_ASKS_PER_UNIT.search(norm)) and "人均" not in norm,
        other_year=other_year,
    )
