"""Query analysis: a user's question -> ``Query`` (script, language, form, place and time, topic terms).

The question is first normalised (``rag.normalize``: traditional -> simplified, numerals ->
digits, widths, stray spaces). Its form is recognised in Chinese and English:

    figure      how many / how much / what rate       多少, 几, 增长目标, how many, what percentage
    list        what is being done about X            有哪些措施, 怎么做, 如何, what is being done
    yesno       会不会, 能不能, 是否, …吗, will / does / is …
    when, where 什么时候, 在哪里, when, where
    compare     分别, 和…比, 两个地方或两个年份, compare
    definition  什么是“两重”, 是什么意思, what is meant by …
    other       anything else

Places and times are read by ``rag.scope`` and are not topic words. Topic terms are the
question's words in report vocabulary: Chinese words minus scaffolding, expanded with generic
abbreviations and colloquial words (``synonyms_zh.tsv``), and English words mapped onto report
terms (``lexicon_en.tsv`` and CC-CEDICT entries derived at index time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .figures import parse_all
from .lexicon import Lexicon, en_tokens, load_lexicon, stem
from .normalize import english_figures, normalize_question
from .scope import Mentions, find_mentions, in_own_story, opens_own_story, story_after, story_end
from .text import detect_language, has_cjk, normalize
from .units import asked_units, preferred_units

# Question scaffolding in Chinese: dropped (as whole jieba tokens) before lexical matching.
ZH_STOPWORDS = frozenset(
    """请问 请 一下 我想 我想知道 我想问 想问 想 知道 告诉 告诉我 帮 帮我 查 查一下 问 问一下 能不能 可不可以 是不是 有没有
    有多少 多少 多少钱 几 几个 几家 几座 几场 几项 几次 什么样 什么 啥 哪些 哪个 哪几 哪 哪儿 哪里 怎么样 怎么 怎样 如何 为什么
    为啥 吗 呢 吧 呀 啊 么 嘛 今年 全年 本年 年 一年 每年 一年里 咱们 咱 我们 我 你 你们 他们 里 政府 省里 市里 全省 全市 全国 国家
    报告 工作报告 政府工作报告 里面 中 提到 提 说 说了 讲 打算 计划 准备 预计 要 会 能 能够 是 的 了 有 和 与 及 在 对 给 把 被
    都 也 还 就 多 大概 大约 左右 目标 目标是 方面 情况 相关 关于 具体 主要 一些 哪方面 哪些方面 哪几个方面 几个方面 哪些领域 多大 多高 多长 多远 一共 总共 到底 究竟
    达到 达 为 个 家 座 场 项 万 亿 啦 哦 嗯 呐 么样 这个 那个 这 那 其 该 此 上 下 去 来 得 着 过 让 由 从 向 将 已 再 又
    干 做 搞 办 弄 打 新 多少个 几年 今年内 年内 这一年 这部分 部分 这块 这一块 那块 这些 那些 每个 每一个 这里 那里 这边 那边 这儿 那儿 咱这 咱这边 我们这边 我们这里 地方 意思
    跟 同 大 小 动作 大动作 安排 举措 措施 办法 新举措 新措施 新办法 新动作 新政策 新招 重点 内容 时候 谁 几点 哪天 东西 事 事情 事儿 问题 一块 总体 总的 整体 思路
    到底是 都有 有啥 啥样 什么样子 咋样 咋 能否 是否 可以 需要 应该 开始 进行 实施 推进 推动 加快 进一步 哪一
    具体是 具体有 分别 分别是 包括 包含 叫 叫做 名字 称为 称作 叫什么 提出 提及 写 写了 规定 要求 说法 怎么说 所说
    自己 自身 抓 咋弄 咋办 咋整 怎么弄 怎么办 怎么搞 搞好 做好 干啥 一下子 有关 相关的 这方面 那方面 会不会 要不要
    是不是 有没有 能不能 可不可以 还 还会 还要 吗 政策 支持 帮助 措施 实际 实际上 去年 前年 明年 上年 当地 本地 到 到了 末 年末 年底
    比 相比 比较 对比 哪个 哪一个 高 低 差 差多少 多了 少了 分别为 多少呢 各是 各 各自 比有 变化 有啥变化 啥变化
    有什么变化 什么变化 两年 两个 这两年 各为 分别是多少 定的是 定的 定了 定为 设定 订 现在 目前 当前 眼下
    啥时候 什么时候 何时 哪天 哪一天 几月 几号 哪年 哪一年 多久 什么地方 哪个城市 哪个地方 哪些地方 哪几个地方 哪些地区 在哪 在哪儿 在哪里
    以后 今后 往后 之后 将来 实行 推行 执行 那么 这么 那么多 这么多 出力 使劲 用力 下功夫 下力气 花力气 往 朝 为了 更 更多 更加 帮扶 扶持 招 高招 妙招 招数 出招 出台了 大家 愿意 乐意 人们 已经 曾经 已然 全都 不是
    这种 那种 这类 那类 这样的 那样的 各种 开个 办个 搞个 弄个 全部 下来 真的 真是
    问下 问问 想问问 想问下 问一问 打听 打听一下 咨询一下 了解一下 了解下 想了解下 想了解 了解 政策方向 层面 我家 俺家 咱家 我爸 我妈 我爸妈 爸妈 俺爹 俺娘
    继续 一直 听说 据说 听人说 听别人说 老听人说 花大钱 马上 快要 就要 刚刚 刚 咱省 咱们省 俺省 咱市 咱们市 俺市 咱区 咱们区 我省 我市 我区 本省 本市 本区 全区 享受 享有 不了 不太 不大""".split()
)
# Words of a question's quantity frame ("增长多少", "目标是"): not its topic.
FRAME_WORDS = frozenset("增长 目标 预期 提高 达到 完成 新增 新建 建成 比例 数量 增速 增幅 建设 实施 推进 开展 "
                        "全年 今年 力争 争取 突破 保持 稳定 扩大 提升 加快 打造 实际 发展 工作 实现 主要 以上 以下 左右 以内 超过 多少 门槛 总 额度 数额 金额 标准是 控制 做到 "
                        "改善 改进 完善 加强 每月 每个月 一个月 每年 每人 每天".split())
_COMPARES = re.compile(r"(超过|突破|达到|高于|低于|不低于|不少于|不到|少于|多于|过了|过)(?=了?\d)")
_QUESTION_WORD = re.compile(r"多少|(?<![好十\d])几(?![十\d])|什么|啥|哪|怎么|如何|怎样|咋|吗|是否|有没有|能否|会不会|能不能|"
                            r"\b(?:how|what|which|when|where|who|whom|why|is|are|will|does|do|can|list|tell)\b")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)

_ASKS_NUMBER = re.compile(
    r"多少|(?<![哪好十\d没])(?<!不了)(?<!没有)几(?![十\d])[个家座场项件所条次名批期万亿千百大]?(?!乎)|多大|多高|多长|多远|多宽|百分之几|百分比|比例是|比重是|"
    r"how many|how much|how long|how far|how big|how large|what percent|what percentage|what share|what rate|what proportion|"
    r"by how|growth rate|\bnumber of\b|\bquota\b|percent|第几|"
    r"\bwhat(?:'s| is| are| was| were)?\b[\w\s'.-]{0,40}?\b(?:rate|percentage|share|proportion|amount|figure|budget|value|"
    r"capacity|quantity|sum|price|cost|target|goal|ratio|size|deficit|output|volume|growth|level|concentration|expectancy|income|population|mileage|total|gdp|revenue|(?<!will )(?<!would )(?<!to )change)\b"
)
# Measure words that only shape the noun they count (多少张床位, 几座桥): reports count those nouns
# with the general measure word as often ("养老床位2000个"). Units that are themselves what is
# counted (户, 人, 名, 次) are not interchangeable with 个: 多少户 is not 41个小区.
_SHAPE_CLASSIFIERS = frozenset({*"张座所家条台辆艘套处件项支只头部场", "张床"})
_MACHINE_CLASSIFIERS = frozenset("台部")


def _with_general_classifier(units: tuple[str, ...]) -> tuple[str, ...]:
    """多少张 also accepts …个; any unit that is not a shape classifier leaves the units as they are."""
    if units and all(u in _SHAPE_CLASSIFIERS for u in units) and "个" not in units:
        # (machines are counted in 台 or 部 alike: 加装电梯800台 answers 多少部电梯)
        machines = sorted(_MACHINE_CLASSIFIERS - set(units)) if _MACHINE_CLASSIFIERS & set(units) else []
        return (*units, *machines, "个")
    return units


# 开通了没有, 通了没: whether a thing has happened; the particle is no topic
_DONE = re.compile(r"了?没有?(?=[？?。!！\s]*$)")

_ASKS_TOTAL = re.compile(
    r"总共|一共|累计|总数|总量|总计|总(?:里程|规模|面积|人数|数量|额)|(?:五|年)末|年底|现有|目前有|已有|已经有|共有|全部有|"
    r"in total|\btotal\b|altogether|so far|"
    r"existing|cumulative|currently (?:has|have)|right now"
)
_ASKS_LIST = re.compile(
    r"哪些|哪几|分别是什么|名单|清单|具体是|具体有|列出|包括(?:什么|啥|哪)|都有(?:啥|什么)|有啥|"
    r"有什么(?!意思|区别|不同|关系|用|含义)|什么(?:措施|举措|政策|办法|安排|支持|帮扶|招|新招|项目|工程|活动|行动|计划|改革|新|好)|"
    r"怎么(?!样|回事|说|理解|算)|如何|怎样(?!理解)|咋(?!样)|采取|做什么|干什么|干啥|做啥|搞啥|抓(?:什么|啥|哪些)|(?:做|干|搞|办)(?:些|了些|点)(?:啥|什么)|打算怎么|要怎么|出台了?什么|"
    r"(?<!on the )(?<!off the )\blist\b(?! of (?:provinces|cities|countries|places))|which ones|name (?:all|the)|what are the \d+|what (?:is|are|will) (?:being |be )?(?:done|planned)|"
    r"what (?:[\w-]+ ){0,2}?(?:measures|steps|policies|actions|support|help|plans|initiatives|programs|programmes|projects|reforms|"
    r"changes|improvements|events|activities)|how (?:will|does|do|is|are|can|to|would)\b|"
    r"what (?:is|are|will|does) (?:the )?[\w\s'-]{0,40}\b(?:doing|do|planning|offer|offering)\b|"
    r"what(?:'s| is) (?:planned|being done|the plan)|^what\b.{0,60}\b(?:is|are) (?:planned|being done|being taken)\b|\bplans? (?:for|to)\b|what does the report say about"
)
_ASKS_WHERE = re.compile(r"在哪(?!些?(?:方面|领域|块|类|几个方面))|建在|设在|哪里|哪儿|哪个区|哪几个区|什么地方|地点|位置|选址|\bwhere\b|which (?:district|area|site)|location")
_ASKS_WHEN = re.compile(
    r"什么时候|啥时候|何时|哪天|哪一天|几月|几号|几点|几时|哪年|哪一年|时间表|截止|期限|开通时间|通车时间|完工时间|建成时间|"
    r"\bwhen\b|what date|which date|deadline|by what time|how soon|\bopen(?:ing)? date\b|\b(?:what|which) year\b"
)
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")  # 搞不搞, 涨不涨
# "Do you know when…", "Can you tell me when…": the question asks when all the same
_ASKS_INDIRECT = re.compile(r"\b(?:you|know|tell|say|show|find out|explain|ask|sure|idea)\b[^?]{0,24}\b(?:where|when)\b")
_EN_AUXILIARY = re.compile(r"(?:will|does|do|did|is|are|was|were|can|could|has|have|should|would|shall|may)\b")
_ASKS_YESNO = re.compile(
    r"会不会|能不能|是不是|有没有|是否|可不可以|要不要|能否|可否|有无|还会|还有没有|[吗嘛][？?。!！\s]*$|吗[，,]|"
    rf"{_A_NOT_A.pattern}|(?:[不没]|没有)[？?。!！\s]*$|"
    # (an English yes/no question may follow a sentence of the caller's: "I'm retired. Will my pension go up?")
    rf"(?:^|[.!;]\s+){_EN_AUXILIARY.pattern}"
)
_ASKS_DEFINITION = re.compile(
    r"^(?:请问)?(?:什么是|啥是|何为|何谓|解释一下|解释)|是什么意思|什么意思|啥意思|是?指(?:的是|的)?(?:什么|啥)|含义|怎么理解|是什么概念|"
    r"是个啥|是啥东西|(?:说|讲)的是(?:啥|什么)|是干(?:啥|什么)的|^what (?:is|are) (?:meant by|the meaning of)|what does .{1,40} (?:mean|stand for|refer to)|"
    r"^(?:define|explain) |^what (?:is|are) (?:the )?[\"“'‘]"
)
_ASKS_COMPARE = re.compile(r"分别|相比|对比|比较|和.{1,12}比|跟.{1,12}比|与.{1,12}比|哪个(?:更)?(?:高|低|多|少|大|快)|差多少|"
                           r"\bcompare|\bcompared\b|\bversus\b|\bvs\.?\b|difference between|\bboth\b|\brespectively\b")
_WANTS_FIGURE = re.compile(r"目标|指标|预期|增长|增速|增幅|比例|占比|规模|数量|数目|总数|\btarget|\bgoal|\bgrowth|\brate\b|\bshare\b|\bquotas?\b|\bratios?\b|\bdeficit|赤字")
# A figure per person/household/unit where reports give totals.
_ASKS_PER_UNIT = re.compile(r"每(?:家|亩|月|人|户|个|年|天|次|平方米|位)|个人最多|一个人|"
                            r"\bper (?:person|household|family|month|mu|year|company|firm|capita|head)|"
                            r"\beach (?:person|household|family|company|firm|resident|student|applicant)|one person|"
                            r"\bmaximum\b|\bat most\b")
_MODALS = frozenset("要会能将想该是有可还")
# colloquial verb forms: a verb said twice (治一治, 查一查), "more of it" (多贷点, 多招点): the verb itself
_COLLOQUIAL_VERB = re.compile(r"([\u4e00-\u9fff])一\1|多([\u4e00-\u9fff])点(?![儿])")
# a verb with its result (建好, 装上, 修完): a verb, however the segmenter tags it
RESULTATIVE = re.compile(r"[\u4e00-\u9fff]{1,2}[好上完成到掉起]")
_SCAFFOLD = re.compile(r"(?:老|常|总|经常)?听(?:人|别人|人家|朋友|邻居)?(?:说|到|见)(?:了)?|(?:上|最近)(?:1|一)?次|据说|还有没有人|有没有人|有人(?=管)|还要|还会|还能|还有没有|还有|是不是|有没有|可不可以|能不能|会不会|要不要|吗|呢|吧|[？?。！!]|"
                       r"定的是|定的|定了|定为|定在|定成|设定为|是定的|哪天|哪一天|几月几号|几号|几月|什么时候|啥时候|"
                       r"多大规模|多大|(?:多少|几)(?:个|件|项|家|座|所|条|场|次|名|批|户|套|辆|台|张|处|种|类|大|钱)?")
_EVERY_ONE = re.compile(r"(?:每个|每一个|所有|全部|各个)的?(?:地级|设区的?|行政)?(市|县|村|镇)(?:都|全都|全)?(?=通)")
_ECONOMY_GROWS = re.compile(r"经济(?:实际上?|预计|预期|打算|计划|准备|要|会|能|将|大概|一共|总共)*(?:增长|增速|涨|增)(?!加值)")
_EN_SPLIT = re.compile(r"[a-z][a-z0-9&']*|\d+(?:\.\d+)?%?")
# A numbered name whose members are asked: "四大主导产业具体是哪几个", "“三增长”是哪三个"
# (a quoted name may open on a word before its number: "“新三样”是指哪几样")
_MEMBERS_ASKED = re.compile(r"[“\"]?((?<=[“\"])[\u4e00-\u9fff]{1,2}(?:[一二三四五六七八九十两]+|\d+)[\u4e00-\u9fff]{1,6}?(?=[”\"])|"
                            r"(?:[一二三四五六七八九十两]+|\d+)(?:大|个|项|种|类|条|张|件)?[\u4e00-\u9fff\d]{2,14}?)[”\"]?[，,]?"
                            r"(?:具体|到底|都|分别)?(?:是指|是|指(?:的是)?|包括|有)(?:哪几|哪些|哪|啥|什么)")
_INDEFINITE = "所|家|个|位|名|座|条|项|批|次|件|只|台|张|间|处|种|份"
# a name in quotation marks ("什么是“两重”", "这些“两新”政策还继续搞吗")
QUOTED_NAME = re.compile(r"[“\"'‘「]([^”\"'’」]{1,20})[”\"'’」]")

FORMS = ("figure", "list", "yesno", "when", "where", "compare", "definition", "other")
# A question about the report itself: when it was delivered, by whom, at which session.
ABOUT_REPORT = re.compile(r"(?:报告|report)\S{0,6}(?:哪天|何时|什么时候|啥时候|哪一天|几月|谁|作的|做的|由谁|在哪)|"
                          r"(?:谁|哪天|何时|什么时候)\S{0,4}(?:作|做|宣读|发布)\S{0,3}(?:的)?(?:政府工作)?报告|"
                          r"\b(?:who|when)\b.{0,30}\b(?:deliver|present|give|gave|read)\w*.{0,30}\breport|"
                          r"\breport\b.{0,30}\b(?:delivered|presented|given)\b")


@dataclass(frozen=True)
class Term:
    text: str  # normalised report-vocabulary text
    weight: float
    origin: str  # "zh" | "synonym" | "en" | "cedict"
    group: str = ""  # the user's word it stands for: alternatives of one word share a group


@dataclass(frozen=True)
class Query:
    raw: str
    text: str  # normalised question (simplified, digits)
    norm: str  # lower-case, half-width form of ``text``
    lang: str
    script: str  # "hans" | "hant"
    form: str
    terms: tuple[Term, ...]
    mentions: Mentions
    en_unmatched: tuple[str, ...] = ()
    asks_number: bool = False
    units: tuple[str, ...] = ()
    soft_units: tuple[str, ...] = ()  # preferred, not required ("增长多少": a rate, most often)
    asks_total: bool = False
    asks_list: bool = False
    asks_when: bool = False
    asks_where: bool = False
    asks_yesno: bool = False
    wants_figure: bool = False  # "目标/target": a figure is welcome; its absence is no reason to refuse
    asks_per_unit: bool = False
    defined_term: str = ""  # definition questions: the term asked about
    stated_figures: tuple[str, ...] = ()  # figures the question itself states ("900座吗")
    # names the answer's passage must contain: a city with no report of its own, answered from its
    # province's report (烟台 in "烟台今年城镇新增就业目标多少" is not answered by the province's target)
    required: tuple[str, ...] = ()
    # yes/no questions in Chinese: what is asked of the topic, the words after the modal
    # ("供暖费会涨吗" -> "涨", "还限购吗" -> "限购"); "" when no modal marks it
    asked: str = ""

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
        return bool(self.asks_number or self.asks_list or self.asks_when or self.asks_where or self.asks_yesno
                    or _QUESTION_WORD.search(self.norm))

    def __repr__(self) -> str:
        return f"Query({self.text!r} {self.form} lang={self.lang} terms={[t.text for t in self.terms]})"


def _blank(norm: str, spans) -> str:
    """``norm`` with the place/time mentions blanked out (they are scope, not topic)."""
    chars = list(norm)
    for a, b in spans:
        for i in range(a, min(b, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _zh_content(norm: str) -> list[str]:
    """Chinese topic words: jieba tokens of the question minus scaffolding and punctuation. A lone
    noun character right after a word is that word's suffix (东方航天|港, 数字艺术|馆): one word."""
    from .segment import segment, word_class

    out: list[str] = []
    ends: list[int] = []
    pos = 0
    for raw in segment(norm):
        start, pos = pos, pos + len(raw)
        tok = raw.strip()
        if not tok or tok in ZH_STOPWORDS or not _PUNCT.sub("", tok):
            continue
        adjacent = bool(out) and start == ends[-1] and has_cjk(out[-1][-1]) and has_cjk(tok[:1])
        if adjacent and len(tok) == 1 and len(out[-1]) >= 2 and word_class(tok)[:1] in ("n", "s", "j", "") \
                and word_class(out[-1])[:1] in ("n", "v", "j", ""):
            out[-1] += tok
        else:
            out.append(tok)
            ends.append(pos)
            continue
        ends[-1] = pos
    return out




# The modal of a yes/no question: its predicate follows ("政府今年会推便宜的托儿所吗" -> 推便宜的托儿所).
_YESNO_MODAL = re.compile(rf"会不会|能不能|是不是|有没有|要不要|可不可以|能否|是否|可否|有无|还有没有|{_A_NOT_A.pattern}")
_MODAL_WORDS = frozenset("会 能 要 将 可以 能够 还 还要 还会 还能 还有 还在 还给 也 也要 也会 也能 准备 打算 计划 开始 继续 还继续 已经 已".split())


_MODAL_RUNS = sorted((w for w in _MODAL_WORDS if len(w) > 1), key=len, reverse=True)


def asked_predicate(text: str) -> str:
    """The predicate a Chinese yes/no question asks about: the words after its first modal
    (会不会, 能不能, 搞不搞, or a modal word 会/能/要/还…), without the closing particles; "" if none."""
    from .segment import segment, word_class

    t = re.sub(r"(?:了|的)?[吗嘛呢吧么]?[？?。！!\s]*$", "", text.strip())
    done = _DONE.search(t)
    if done and done.start():
        t = t[: done.start()]
    t = re.sub(r"[不没]$", "", t)
    # the question is its last clause; what comes before is the caller's situation ("听说要延迟退休了，
    # 咱这今年也开始实行吗": 实行 is asked, not 延迟退休)
    last = re.split(r"[，,；;。！!？?]", t)[-1]
    if last.strip() and last != t and asked_predicate(last):
        return asked_predicate(last)
    m = _YESNO_MODAL.search(t)
    if m:
        return (m.group(1) or "") + t[m.end():] if m.group(1) not in _MODALS else t[m.end():]

    pos, found = 0, False
    for tok in segment(t):
        if found and tok not in _MODAL_WORDS:
            return t[pos:]  # after the last of a run of modals (还继续搞, 也要)
        pos += len(tok)
        if tok in _MODAL_WORDS:
            found = True
            continue
        lead = next((w for w in _MODAL_RUNS if tok.startswith(w) and len(tok) > len(w)), "")
        if lead and not word_class(tok).startswith("n"):
            return tok[len(lead):] + t[pos:]  # 还会发: a run of modals glued to the verb the segmenter kept whole
        if (len(tok) == 2 or RESULTATIVE.fullmatch(tok[1:])) and tok[0] in "会能要将还来" \
                and not word_class(tok).startswith("n"):
            return tok[1:] + t[pos:]  # 会涨, 能免, 能建好: the verb is what is asked (能耗, 要素 are nouns)
    if done:
        # 太原地铁1号线开通了没有: 开通 is asked; 出过重大安全生产事故没有: from the verb on (of the last
        # clause first: "担心交不了房，去年保交房的任务完成了没有" asks 完成)
        for part in dict.fromkeys((last, t) if last.strip() else (t,)):
            pos = 0
            for tok in segment(part):
                if word_class(tok).startswith("v") and (len(tok) > 1 or part[pos + 1: pos + 2] in ("过", "了")):
                    return part[pos:]
                pos += len(tok)
    return ""  # no modal, or only modals


def detect_form(norm: str, *, asks_number: bool, asks_list: bool, asks_when: bool, asks_where: bool,
                asks_yesno: bool, wants_figure: bool, sides: int) -> str:
    """The question's form (see the module docstring); the first that applies wins."""
    if _ASKS_DEFINITION.search(norm) and not asks_number:
        return "definition"
    if sides > 1 or (_ASKS_COMPARE.search(norm) and (asks_number or wants_figure)):
        return "compare" if sides > 1 or "分别" in norm or re.search(r"compare|versus|\bvs\b|respectively|both", norm) \
            else "figure"
    if asks_when:
        return "when"
    if asks_where and not asks_number:
        return "where"
    if asks_number:
        return "figure"
    if asks_yesno and not asks_list:
        return "yesno"
    if asks_list:
        return "list"
    if wants_figure:
        return "figure"
    return "other"


# "to" that opens what something is for ("use the policy to attract visitors"), not one that follows
# a modal or a verb of intent ("going to use", "plans to build") or opens a range ("to 2025")
_EN_TO = re.compile(r"\b(\w+)\s+(?:in order to|so as to|to)\s+(\w+)")
_EN_NOT_PURPOSE = frozenset(
    "going want wants wanted plan plans planned planning need needs have has had is are was were be been able "
    "likely expected set due try trying tries aim aims aiming how what where when intend intends about continue "
    "continues start starts begin begins used ought seek seeks hope hopes related according close next up access "
    "compared thanks similar equal subject contribute contributes apply applies applied belong belongs refer "
    "refers lead leads return returns move moves go goes come comes get gets ready allowed allow allows help "
    "helps prepared willing eligible entitled way ways".split())
_EN_DETERMINERS = frozenset("the a an this that these those their its his her our my your all each every".split())
CONTEXT_WEIGHT = 0.5
# the clause that asks (多少, 几, 哪些, 怎么…)
_ASKS_IN_CLAUSE = re.compile(r"多少|(?<![好十\d])几(?![十\d])|哪些|什么|啥|怎么|如何|咋")
# the people a yes/no question asks about, right after its auxiliary ("can foreign travellers …")
_WHO = (r"(?:(?:all|more|foreign|overseas|international|local|ordinary|young|new|elderly|older)\s+)*"
        r"(?:foreigners?|travell?ers|tourists|visitors|residents|citizens|people|locals|families|households|parents|couples)")
_EN_BENEFICIARY = re.compile(rf"\s*(?:can|will|do|does|are|could|would|should|may)\s+({_WHO})\b"
                             # ("will the province give families a childbirth subsidy")
                             rf"|.*?\b(?:give|giving|offer|offering|provide|providing|pay|paying)\s+({_WHO})\s+(?:an?|the|some|more)\b")
_EN_EXAMPLE = re.compile(r"(?:,\s*(?:like|including)|\bsuch as|\be\.g\.|\bfor (?:example|instance))\s", re.I)
_SENTENCE_END = re.compile(r"[?？.!]")
_EN_ASIDE = re.compile(r"\(((?:[^()\s]+\s?){1,3})\)|\bas an? (?:percentage|percent|share|proportion) of ((?:the )?[\w&.' -]{1,30}?)(?=[?,.!]|$)",
                       re.I)
_EN_YESNO_START = re.compile(r"\s*(?:is|are|will|does|do|did|can|has|have|was|were|would|should|could)\b", re.I)


def _en_purpose(text: str, lex: Lexicon | None = None) -> int:
    """Where the purpose part of an English yes/no question begins (its length when there is none).
    In "what is X doing to help Y" what follows "to" is the topic itself; in "opened to traffic" the
    "to" is inside a phrase of the vocabulary."""
    if not _EN_YESNO_START.match(text):
        return len(text)
    for m in _EN_TO.finditer(text):
        before, after = m.group(1).lower(), m.group(2).lower()
        if len(text[:m.start(1)].split()) < 3 or before in _EN_NOT_PURPOSE or after in _EN_DETERMINERS \
                or after.isdigit() or not after.isalpha():
            continue
        if lex is not None and lex.has_phrase((stem(before), "to", stem(after))):
            continue
        return m.start(2)
    return len(text)


def analyze(question: str, lexicon: Lexicon | None = None, mentions: Mentions | None = None) -> Query:
    nq = normalize_question(question)
    text = nq.text
    norm = normalize(text)
    lang = detect_language(text)
    lex = lexicon or load_lexicon()
    from .segment import boundaries, word_class

    if mentions is None:
        mentions = find_mentions(norm, boundaries(norm) if has_cjk(norm) else None)
    topic_norm = _blank(norm, mentions.spans)
    unit_norm = topic_norm  # the units asked ("多少钱", "多少人") are read before the scaffolding goes
    cut = story_after(topic_norm)
    topic_norm, after_story = topic_norm[:cut], topic_norm[cut:]
    terms: list[Term] = []

    # A-not-A questions (会不会, 搞不搞, 能不能) keep only their verb; modal words go (有没有人管: 管)
    # (多X点 is "X a bit more" when X is a verb, 多给点钱; 那么多重点项目 is 多 and 重点)
    topic_norm = _SCAFFOLD.sub(" ", _COLLOQUIAL_VERB.sub(
        lambda m: m.group(1) or (m.group(2) if word_class(m.group(2))[:1] in ("v", "p") else m.group(0)), topic_norm))
    topic_norm = _A_NOT_A.sub(lambda m: m.group(1) if m.group(1) not in _MODALS else " ", topic_norm)
    topic_norm = _DONE.sub(" ", topic_norm)
    # "经济实际涨了多少", "经济打算增长多少": the economy's growth, as "经济增长" says it
    topic_norm = _ECONOMY_GROWS.sub("经济增长", topic_norm)
    # "每个地级市都通高铁": a report that says it as 市市通高铁 (县县通高速, 村村通) is asked in its words
    topic_norm = _EVERY_ONE.sub(lambda m: m.group(1) * 2 if m.group(1) * 2 + "通" in lex.corpus else m.group(0),
                                topic_norm)
    # "(ocean GDP)", a short gloss, says again what an English question asked; "R&D spending as a percentage of GDP": GDP
    # is the base the share is of, not what is asked (both weigh as the caller's examples do, below)
    asides = ""
    if not has_cjk(topic_norm):
        for m in reversed(list(_EN_ASIDE.finditer(topic_norm))):
            asides += " " + (m.group(1) or m.group(2))
            topic_norm = topic_norm[:m.start()] + " " + topic_norm[m.end():]
    # Chinese (and digits/abbreviations typed among Chinese) — expand colloquial words first.
    covered = topic_norm
    expansions = list(dict.fromkeys(lex.expand_zh(topic_norm, keep_report_words=True)))  # (孩子… 孩子: once)
    for key, term in expansions:
        terms.append(Term(term, 1.0, "synonym", key))
        covered = covered.replace(key, " ")
    for key in dict.fromkeys(k for k, _ in expansions):
        if has_cjk(key) and len(key) >= 2 and key in lex.corpus and all(t.text != key for t in terms):
            terms.append(Term(key, 1.0, "zh", key))  # the user's own word, where the reports use it too
    for piece in _zh_content(covered):
        if len(piece) == 2 and piece[0] in _MODALS and has_cjk(piece[1]) and not word_class(piece).startswith("n"):
            piece = piece[1]  # 要建, 会降, 能涨: the verb is the word (能耗, 要素 are words of their own)
        elif len(piece) > 2 and piece[0] in _MODALS and (word_class(piece[1:]).startswith("v")
                                                          or RESULTATIVE.fullmatch(piece[1:])) \
                and not word_class(piece).startswith("n"):
            piece = piece[1:]  # 想做到: a modal glued to a verb the segmenter did not split
        elif len(piece) == 2 and piece[0] in "来多" and piece not in lex.corpus and word_class(piece[1]) == "v":
            piece = piece[1]  # 来办, 来建: "come and do"; 多建(一些): "do more" (来访, 多元 are the reports' own words)
        if len(piece) == 2 and (piece[1] in "了过" or (piece[1] in "些点" and not word_class(piece)
                                                      and piece not in lex.corpus)) \
                and word_class(piece[0]).startswith("v"):
            piece = piece[0]  # 发了, 拿过, 开些: the verb with its aspect particle or "some more" (试点 is a word)
        if piece in ZH_STOPWORDS or (len(piece) >= 3 and any(
                piece[:i] in ZH_STOPWORDS and piece[i:] in ZH_STOPWORDS for i in range(1, len(piece)))):
            continue  # 会想(办法); 继续执行: scaffolding twice over
        if any(t.text == piece and t.group != piece for t in terms):
            continue  # 外贸进出口: 外贸 is already one of the words 进出口 stands for
        if re.fullmatch(r"\d+(?:st|nd|rd|th)", piece):
            continue  # an English ordinal (the 6th floor) is no figure and no word of the reports
        if has_cjk(piece) or any(ch.isdigit() for ch in piece):
            # latin letters glued to Chinese ("5g基站") stay with their piece; a lone character says little
            terms.append(Term(piece, 1.0 if len(piece) > 1 else 0.5, "zh", piece))

    # English words -> report terms (also English words typed inside a Chinese question).
    unmatched: list[str] = []
    if re.search(r"[a-z]", covered):
        # "how long", "how far", "how big": the quantity asked (read as units above), not a topic
        covered = re.sub(r"\bhow (?:long|far|big|large|high|fast|much(?: land)?|often|many(?: more)?(?: (?:people|persons|units|times))?)\b",
                         " ", covered)
        # the sentences that tell the caller's own situation ("I'd like to start my own business
        # here.") weigh less than the question after them, and their unknown words are not missed
        story = story_end(covered)
        story, covered = covered[:story], covered[story:]
        story += " " + after_story  # (or after it: "How many …? My kid starts school soon.")
        # "can foreigners use …", "will residents get …": whom a measure is for weighs less too (the
        # report names the measure: 用好240小时过境免签政策)
        who = _EN_BENEFICIARY.match(covered)
        at = (1 if who.group(1) else 2) if who else 0
        subject = who.group(at) if who else ""
        if who:
            covered = covered[:who.start(at)] + " " + covered[who.end(at):]
        # ", like drones and air taxis": the caller's examples illustrate the topic; they weigh less and
        # their unknown words are not missed
        example = ""
        eg = _EN_EXAMPLE.search(covered)
        if eg:
            end = _SENTENCE_END.search(covered, eg.end())
            end_at = end.start() if end else len(covered)
            example, covered = covered[eg.end():end_at], covered[:eg.start()] + " " + covered[end_at:]
        example += asides
        # "… to attract foreign visitors": what a measure is for weighs less than the measure asked
        cut = _en_purpose(covered, lex)
        seen = {t.text for t in terms}
        # (part, weight, whether a word no dictionary knows there counts as missed)
        for part, factor, missed in ((covered[:cut], 1.0, True), (covered[cut:], CONTEXT_WEIGHT, True),
                                     (story, CONTEXT_WEIGHT * CONTEXT_WEIGHT, False), (subject, CONTEXT_WEIGHT, False),
                                     (example, CONTEXT_WEIGHT, False)):
            pairs, left = lex.translate_en(en_tokens(" ".join(_EN_SPLIT.findall(part))))
            if missed:
                unmatched += [u for u in left if len(u) > 1 and not u.isdigit()]
            for phrase, term, curated in pairs:
                if term not in seen:
                    terms.append(Term(term, (1.0 if curated else 0.7) * factor, "en" if curated else "cedict",
                                      phrase))
                    seen.add(term)
    # a Latin abbreviation the reports write as it is (GDP, AI) is the report's word too, beside the
    # terms it stands for: "全年GDP增长4%" answers "GDP增长多少" as "地区生产总值增长5%" does, and
    # "三年安排支持以AI为引领的…450亿元" answers "人工智能安排多少钱"
    if lex.corpus:
        for t in list(terms):
            for a in lex.abbreviations(t.text) if has_cjk(t.text) else ():
                if all(x.text != a for x in terms):
                    terms.append(Term(a, t.weight, t.origin, t.group or t.text))
    asks_number = bool(_ASKS_NUMBER.search(norm))
    asks_list = bool(_ASKS_LIST.search(norm))
    asks_when = bool(_ASKS_WHEN.search(norm))
    # (a place's own name is no "where": 福建在养老上… is not 建在)
    asks_where = bool(_ASKS_WHERE.search(_blank(norm, [p.span for p in mentions.places])))
    asks_yesno = bool(_ASKS_YESNO.search(norm.strip()))
    if asks_when and _EN_AUXILIARY.match(norm[story_end(norm):].strip()) and not re.search(r"[\u4e00-\u9fff]", norm) \
            and not _ASKS_INDIRECT.search(norm):
        # "Will land contracts be extended when the second round expires?": a relative "when"
        asks_when = bool(_ASKS_WHEN.search(re.sub(r"\bwhen\b", "", norm)))
    if asks_yesno and asks_list:
        # the question is its last clause: "过路费怎么收，会不会免费？" asks yes or no
        last = re.split(r"[，,；;]", norm.strip())[-1]
        asks_list = bool(_ASKS_LIST.search(last)) or not _ASKS_YESNO.search(last)
    # a unit asked ("in yuan", "how fast", 多少公里) asks for a figure whatever the wording
    wants_figure = bool(_WANTS_FIGURE.search(norm)) or bool(asked_units(unit_norm))
    sides = len({p.name or p.level for p in mentions.places}) + max(0, len(mentions.times) - 1)
    form = detect_form(norm, asks_number=asks_number, asks_list=asks_list, asks_when=asks_when,
                       asks_where=asks_where, asks_yesno=asks_yesno, wants_figure=wants_figure,
                       sides=sides if (asks_number or wants_figure or _ASKS_COMPARE.search(norm)) else 1)
    defined = ""
    if form in ("list", "figure", "other") and (m := _MEMBERS_ASKED.search(norm)):
        # "四大主导产业具体是哪几个", "“三增长”是哪三个": the members of a numbered name, a list
        form, defined = "list", normalize(m.group(1))
    if form == "definition":
        m = QUOTED_NAME.search(text)
        if m:
            defined = normalize(m.group(1))
        else:
            core = re.sub(r"[？?。!！\s]", "", norm)
            # (the kind asked after it is not the term: 湘易办到底是个啥平台)
            core = re.sub(r"(?:到底|究竟|具体)?(?:是个啥|是个什么|是啥样的|是什么样的)[\u4e00-\u9fff]{0,4}$", "", core)
            core = re.sub(r"^(?:请问)?(?:什么是|啥是|何为|何谓|解释一下|解释)|(?:到底|究竟)?(?:是什么意思|什么意思|啥意思|指的是什么|"
                          r"是?指(?:的是|的)?(?:什么|啥)|的含义|含义是什么|含义|怎么理解|是什么概念|是个啥|是啥东西|(?:说|讲)的是(?:啥|什么)|"
                          r"是干(?:啥|什么)的)", "", core)
            defined = core if has_cjk(core) and len(core) <= 12 else ""
    # a year or a decade (八九十年代 → 90年代) is a time, not a figure the question states; a number
    # that names (22号线, 第3届) is a name
    # (as is a long bare number: 12345, 12315 are hotlines; a caller's figure has a unit)
    # (and a figure of the caller's own situation, "我家孩子刚满两岁", is not one the report must state)
    stated = tuple(f.text for f in parse_all(english_figures(text) if lang == "en" else text)
                   if not re.fullmatch(r"20\d\d|\d{4,}", f.text)
                   and text[f.end:f.end + 1] not in ("代", "号", "届") and text[f.start - 1:f.start] != "第"
                   and not (lang == "zh" and len(norm) == len(text) and in_own_story(norm, f.start))
                   # (一所, 一家: "a", not a count: "听说要建一所文化科技大学")
                   and not (re.fullmatch(rf"1({_INDEFINITE})", f.text) and "一" + f.text[1:] in question))
    if stated and form == "yesno":
        # "超过80%了吗": the comparison is the figure's, not a word the settling clause must repeat
        # (the report writes 突破80%)
        compared = {m.group(1) for m in _COMPARES.finditer(norm)}
        terms = [t for t in terms if t.text not in compared and not any(c.startswith(t.text) for c in compared)]
    if form in ("figure", "list", "yesno") and has_cjk(norm):
        # "学校门口上下学堵车，今年要治理多少所学校周边的路", "孩子马上上幼儿园大班，学前一年免费的政策
        # 落地了吗": the clauses before the question tell the caller's situation; its words weigh less
        # than those of what is asked
        *before, last = re.split(r"[，,；;。！!]", re.sub(r"[？?。！!\s]+$", "", norm)) or [""]
        context = "".join(before)
        if context and (_ASKS_YESNO if form == "yesno" else _ASKS_IN_CLAUSE).search(last):
            # (a reading the question proper names is its own word: 养老 of 老人 in "…养老服务设施有哪些安排")
            terms = [replace(t, weight=t.weight * CONTEXT_WEIGHT)
                     if (t.group or t.text) in context and (t.group or t.text) not in last and t.text not in last
                     else t for t in terms]
            # who the caller is ("我是种粮大户，听说今年还要建高标准农田，全区准备建多少亩"): less again than
            # what they heard of, which is what the question is about
            mine = [opens_own_story(c) for c in before]
            own = "".join(c for c, m in zip(before, mine, strict=True) if m)
            heard = "".join(c for c, m in zip(before, mine, strict=True) if not m)
            if own and heard:
                terms = [replace(t, weight=t.weight * CONTEXT_WEIGHT)
                         if (t.group or t.text) in own and (t.group or t.text) not in heard + last
                         and t.text not in heard + last else t for t in terms]
    return Query(
        raw=question,
        text=text,
        norm=norm,
        lang=lang,
        script=nq.script,
        form=form,
        terms=tuple(terms),
        mentions=mentions,
        en_unmatched=tuple(unmatched),
        asks_number=asks_number,
        units=_with_general_classifier(asked_units(unit_norm)),
        soft_units=preferred_units(unit_norm, asked_units(unit_norm)),
        asks_total=bool(_ASKS_TOTAL.search(norm)),
        asks_list=asks_list,
        asks_when=asks_when,
        asks_where=asks_where,
        asks_yesno=asks_yesno,
        wants_figure=wants_figure,
        asks_per_unit=bool(_ASKS_PER_UNIT.search(norm)) and "人均" not in norm,
        defined_term=defined,
        stated_figures=stated,
        asked=asked_predicate(_blank(norm, mentions.spans)) if form == "yesno" and has_cjk(norm) else "",
    )
