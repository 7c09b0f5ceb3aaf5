"""Answer stage (offline, extractive): ``Query`` + one side's ``Retrieval`` -> ``SideAnswer``.

Each question form gets the answer people expect, always quoted from the report:

* figure: the figure record (``rag.figures``) whose metric matches the question's topic, in the
  unit asked, from the passages retrieved for the place and year asked. When no record matches,
  the report does not give the figure: the answer says so, and the nearest figure may follow only
  as a labelled nearby statement, never as the answer.
* list: the measures the best passage names on the topic, as verbatim clauses in report order
  (at most 6, at most ``max_list_chars``), continuing into the next passage when the topic does.
* yes/no: the clause that settles it, when it names everything the question asks about;
  otherwise "the report does not say".
* when / where: the clause with the date or place; refused when the report gives none.
* definition: the report's own explanation (a glossary entry, or a sentence that defines the term).
* other: the best clause with its neighbours.

A question about something the best passage does not cover is refused ("not mentioned") with the
nearest passages. Every figure in an answer is checked against the cited quotes
(``grounding.unsupported_figures``) before it is returned.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

from .cite import best_sentence, display
from .figures import COUNT_UNITS, FIGURE, PERCENT_UNITS, figures, parse_all, same_value, unit_ok
from .lexical import BM25, tokens
from .lexicon import stem
from .normalize import numerals_to_digits
from .query import CONTEXT_WEIGHT, FRAME_WORDS, QUOTED_NAME, RESULTATIVE, Query, Term
from .retrieve import Retrieval, Retriever
from .scope import NOW, WANTS_RESULT, Side
from .text import Span, clauses, has_cjk, normalize, sentences, strip_punct
from .types import Document, Figure, Hit, Passage

_NEW_BEFORE = re.compile(r"(新建|新增|新培育|新修建|新竣工|引进|培育|新开工)[^，,。；;]{0,12}$")
# A named place: two or more characters before an administrative or geographic suffix,
# not a generic word that merely ends like one (社区, 园区, 片区, 城区 ...).
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:区|市|县|镇|街|湾|岛|港|坊|广场|山|省|州|村|园)")
_GENERIC_PLACE = re.compile(r"(?:社|园|片|城|湾|港|景|示范|试验|实验|集聚|先行|自贸|综保|功能|服务|开发|新|功能|产业)区$|"
                            r"(?:城|全|各|本|我|省|地|县|区)市$|(?:海|港)湾$|海岛$|(?:口|渔|商)港$|(?:金|银|靠|江)山$|"
                            r"(?:全|各|本|我)省$|(?:产业|科技|工业|物流|口)园$")
_PER = re.compile(r"/[\u4e00-\u9fff]+")
_TIME_EXPR = re.compile(r"\d+月|年底|年内|上半年|下半年|季度|\d+日|年前|月底|20\d\d年|今年|明年|\d+年内|前完成|以前|"
                        r"(?:入汛|汛期|春节|节|开学|供暖|采暖季|冬季|雨季)前|[春夏秋冬]季|暑期|暑假|寒假")
# A clause that only prepares a thing (加快三亚新机场…前期工作, 三档税率方案研究, 国家公园创建) does not settle
# whether it starts, is finished or comes into force this year.
_PREPARES = re.compile(r"前期工作|前期研究|谋划|论证|方案研究|研究制定|筹备|申报|创建|争创|申遗|进度|"
                       r"(?<![a-z])(?:bid|bids|bidding|prepare|prepares|preparing|preparation|apply|applying|strive|"
                       r"striving)(?![a-z])")
# ... nor whether it wins the title it is created for (能评上5A级景区吗 and the report says 创建5A级景区)
_ASKS_DONE = re.compile(r"正式|建成|完工|竣工|开工|动工|开建|开通|通车|投用|投入使用|投运|落地|实行|成为|变成|开业|"
                        r"评上|评为|评定为|获批|批下来|拿下|"
                        r"(?<![a-z])(?:begin|begins|start|starts|finish|finished|complete|completed|open|opened|officially|"
                        r"become|becomes|launch|launched|operational|in force|take effect|be rated|be named|get approved|"
                        r"be approved|win|wins|won)(?![a-z])")
# a clause that rules something out: the answer to "will it …?" is then not a plain yes
_RULES_OUT = re.compile(r"未能|未完成|未实现|未达到|杜绝|严禁|禁止|不得|不再|停止|取消|叫停|只减不增|不新增|不准|坚决遏制|零(?:门槛|收费|费用|容忍)")
_LISTS = re.compile(r"包括|分别|即|：|:")
MAX_HEADING_CHARS = 40
# "改革这部分总的思路是什么", "what is the general approach to …": a section's lead sentence
_ASKS_OVERVIEW = re.compile(r"总的思路|总体思路|总体要求|主要思路|基本思路|总基调|总的要求|大方向|总体(?:上)?(?:怎么|如何|要)|"
                            r"\bgeneral (?:approach|idea|direction|principle)|\boverall (?:approach|idea|direction|goal)|"
                            r"\bmain idea\b|\bguiding principle")
OVERVIEW_BONUS = 0.5
_NUMBERED_HEAD = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")
_SCOPE_PREFIX = re.compile(r"^(?:全省|全市|全国|全区|全县|全州|地区|国内|我省|我市|我区|本省|本市)")
# the words before a period's end level: "从27136元增长到36439元", "城镇化率提高到65%", "增至80.5岁"
_END_LEVEL = re.compile(r"(?:增长|提高|提升|增加|上升|扩大|下降|降低|减少)?(?:到|至)$|达到$")
# Bare numbers and units in a question ("多少万亩", "3%吗") are not its topic.
_NUMERIC = re.compile(r"[\d.%]+|[万亿千百]?(?:亿元|万元|元|万亩|亩|公顷|公里|万人|人次|万户|户|场次|万吨|吨)|万[亩人户吨元]")
# Social insurance has two schemes, for residents and for employees (and retirees of employers):
# a clause about one does not answer a question about the other (企业退休人员养老金 is not 城乡居民基础养老金)
_SCHEMES = (re.compile(r"居民"), re.compile(r"职工|退休人员|离退休|退休职工|机关事业单位|(?:企业|单位|工厂|厂里|国企)退休"))


def _other_scheme(question: str, clause: str) -> bool:
    asked = [bool(p.search(question)) for p in _SCHEMES]
    named = [bool(p.search(clause)) for p in _SCHEMES]
    return sum(asked) == 1 and sum(named) == 1 and asked != named


def _names_another(topic: Query, clause: str, rare) -> bool:
    """Does the clause name another thing of the kind asked: 雄忻高铁 asked, "力促雄商高铁建成投用"
    (the kind, 高铁, with another name before it, and the name asked nowhere in the clause)? A
    shorter form (城乡居民医保: 居民医保) is the same thing, and so is a common word reworded (民营资本:
    民间资本); ``rare(word)`` tells a name from a common word."""
    from .segment import word_class

    words = [t.text for t in topic.terms if has_cjk(t.text) and len(t.text) >= 2]
    c = normalize(clause)
    for a, b in zip(words, words[1:], strict=False):
        if a + b not in topic.norm or a in c or b not in c or word_class(b).startswith("v"):
            continue  # (a verb is no kind: "高标准农田建设" asked, "取消建设资金县级配套" names no other thing)
        i = c.find(b)
        before = c[i - 2:i] if i >= 2 else ""
        if not re.fullmatch(r"[\u4e00-\u9fff]{2}", before) or before in FRAME_WORDS or before in a \
                or before in topic.norm:  # (长沙机场 for 长沙黄花机场: the caller named it too)
            continue
        if set(before) & set(a) and not rare(a):
            continue
        return True
    return False


def _topic_elsewhere(asked: Query, topic: Query, clause: str, sentence: str) -> bool:
    """Is the topic, named by two words or more, whole in another clause of the sentence, none of it in the clause shown,
    which does what is asked to a thing of its own? "开工建设湛海高铁，…，加快三亚新机场…等前期工作"
    does not start 三亚新机场 ("年内开工" after the topic's clause would)."""
    from .segment import segment, word_class

    c = normalize(clause)
    groups = [[t.text for t in ts if has_cjk(t.text) and len(t.text) >= 2] for ts in _by_group(topic.terms).values()]
    groups = [g for g in groups if g]
    if len(groups) < 2 or any(w in c for g in groups for w in g):  # (a thing named by one word is a context: 办事)
        return False
    others = [normalize(x.text) for x in clauses(sentence)]
    if not any(o != c and all(any(w in o for w in g) for g in groups) for o in others):
        return False
    asked_words = [t.text for t in asked.terms]
    return any(len(tok) >= 2 and has_cjk(tok) and tok not in FRAME_WORDS and not any(tok in a or a in tok for a in asked_words)
               and word_class(tok)[:1] in ("n", "j", "l") for tok in segment(c))


# Whether something happened (发生过…吗), and a clause saying none did (无重大森林火灾, 零事故, 未发生)
_OCCURS = re.compile(r"(?:发生|出现)过?")
_NONE_OCCURRED = re.compile(r"(?:无|零|未发生|未出现|没有发生)[\u4e00-\u9fff]{0,8}?(?:事故|火灾|灾害|事件|疫情|案件|伤亡|死亡|灾情|险情)")
# A yes/no question about whether something goes on from now (以后还会继续搞吗, will it keep …)
_GOES_ON = re.compile(r"以后|今后|将来|往后|还会|继续|接着|\b(?:continue|keep)\b")  # ("still" asks the state now)


def _occurrence_words(q: Query) -> list[Term]:
    """The words by which a question asks whether something happened (发生过)."""
    return [t for t in q.terms if _OCCURS.fullmatch(t.text)]


def _by_group(terms) -> dict[str, list[Term]]:
    """The terms under the user's word they read (老百姓: 居民|群众|人民), in order."""
    groups: dict[str, list[Term]] = {}
    for t in terms:
        groups.setdefault(t.group or t.text, []).append(t)
    return groups


def _asks_plans(q: Query) -> bool:
    """Does a list question ask what is being done: it names no time, asks no result, and is not
    after the members of a name ("“新三样”是指哪几样", which the review may spell out)?"""
    return not q.mentions.times and q.mentions.wants != "result" and not q.defined_term


def _asks_one_year(q: Query) -> bool:
    """Does the question name one year ("今年…怎么搞", 2026年), not a period?"""
    return len(q.mentions.times) == 1 and q.mentions.times[0].kind in ("rel", "abs") \
        and q.mentions.times[0].a == q.mentions.times[0].b


def _said_of_another(asked: Query, topic: Query, clause: str) -> bool:
    """Is the word asked (免费) said of another thing in the clause, a noun right after it that is none of
    the topic's words (普及15年免费特殊教育, when kindergarten is asked), the topic being nowhere in it?"""
    from .segment import segment, word_class

    c = normalize(clause)
    if any(len(t.text) >= 2 and t.text in c for t in topic.terms):
        return False
    for t in asked.terms:
        # (a word said of a thing, 免费, not a thing itself: 证明 in “无证明城市”)
        i = c.find(t.text) if len(t.text) >= 2 and has_cjk(t.text) and word_class(t.text)[:1] in ("v", "a") else -1
        if i < 0:
            continue
        after = segment(c[i + len(t.text):])
        noun = after[0] if after else ""
        if len(noun) >= 2 and has_cjk(noun) and word_class(noun)[:1] in ("n", "l", "j", "") \
                and noun not in topic.norm and not any(x.text in noun or noun in x.text for x in topic.terms):
            return True
    return False


RARE_NAME = 0.7  # of the rarest word's idf: a word that rare is a name (雄忻), not a common word (民营)
# Paying for something asked yes or no (还要交钱吗, 要自己掏钱吗, 掏学费, 收不收费): a clause that makes
# it free settles it (免缴, 免费, 免保教费, 零自付, 不收费); the money words are the caller's, not the report's
_PAYS = re.compile(r"(?:交|缴|掏|花|付|出|收|要)(?:钱|费)|自付|自费|付费|收费|(?:交|缴|掏|付|收)[\u4e00-\u9fff]{0,3}费")
_PAYING = re.compile(rf"{_PAYS.pattern}|免费")
_FREE = re.compile(r"免(?:费|缴|收|除|交|[\u4e00-\u9fff]{0,3}费)|[零无]\W?自付|不收费|不收取|全额(?:补助|补贴|资助|代缴)")
_MONEY_WORD = re.compile(r"钱|费")
# What a citizen does with a measure; reports name the measure and whom it reaches instead
_CITIZEN_VERBS = frozenset("参加 参保 加入 享受 享有 申请 申领 办理 领取 领到 用上 使用 报名".split())
# English verbs that only say a measure happens (the stems of lexicon.stem): which Chinese verb
# the report uses for it says nothing of the topic
_EN_LIGHT_VERBS = frozenset(stem(w) for w in "introduce implement launch adopt promote establish start continue "
                            "pursue provide offer carry roll push use have hold take make get become".split()) | {"set up"}
# A long bare number is a name, not a quantity: the 12345 hotline (a year is a time, read apart)
_NUMBER_NAME = re.compile(r"(?!(?:19|20)\d\d$)\d{4,}")
_NEW_IN_QUESTION = re.compile(r"新|\bnew\b|\badd|\bbuild|\bcreate")
_DEFINES = re.compile(r"即|是指|指的是|指|包括|也就是|就是|：|:|（")

# "Not mentioned" (see ``_off_topic``): the share of the question's topic words found in the best
# passage below which it is refused, for Chinese and for English (dictionary-translated) questions;
# the weight of an English word no dictionary knows; and the cosine of the best sentence above
# which the passage is close enough in meaning whatever the words.
MIN_COVERAGE = 0.30
MIN_COVERAGE_EN = 0.20
UNMATCHED_WEIGHT = 0.5
STRONG_DENSE = 0.85
# A figure record answers a figure question when its metric holds this share of the topic (or its
# sentence holds all of the topic and the figure is in the unit asked).
# A figure record answers when  coverage + w × precision ≥ FIGURE_MATCH: coverage is the share of the
# question's topic its metric holds, precision the share of the metric the question names. English
# questions reach the report through a dictionary that adds alternatives for every word ("create" ->
# 创建|打造), so their coverage is lower for the same match and precision weighs more. Chosen on the
# development sets of three reports (eval/README.md); the held-out sets measure it.
FIGURE_MATCH = 0.6
PRECISION_WEIGHT = {"zh": 0.25, "en": 0.5}
FIGURE_MATCH_EN_UNIT = 0.4
MIN_METRIC_COVERAGE_EN = 0.4
CN_COUNT_PENALTY = 0.3
# A word of the question that no report uses counts as most specific (暖气费: the report lacks the
# topic), unless the question asks for a figure and the word is a verb, mostly the caller's own
# phrasing of the quantity (保住多少斤, 加多少钱): then it counts this much. (In a yes/no question the
# verb is what is asked: 能完工吗 is not settled by 加快…改扩建.)
ABSENT_VERB_WEIGHT = 0.25
#: ... and a CC-CEDICT guess at an English word of a figure question ("hand" -> 双拥|身边).
CEDICT_FIGURE_WEIGHT = 0.5
#: a "when" question whose best clause has no time: the first of the next candidates (scored at least
#: this share of the best, as fully on topic) whose clause has one answers
WHEN_ALTERNATIVES = 5
WHEN_SCORE_SHARE = 0.8
# A yes/no question is settled by a clause whose sentence holds this share of what it asks.
YESNO_SETTLES = 0.8
#: ... in English, whose words reach the report through a dictionary (coverage runs lower for the
#: same match; chosen on the development sets' yes/no questions, eval/README.md)
YESNO_SETTLES_EN = 0.7
#: ... or this much of it, when the words of the question proper are all there (the rest are its story)
YESNO_SETTLES_WITH_STORY = 0.5
#: ... or this share, when the clause holds the question's most specific word (``_holds_rarest``)
YESNO_SETTLES_EN_RAREST = 0.6
# ... or, when its predicate is known (供暖费|会|涨吗), by a clause that holds this share of the
# predicate, in a sentence that holds this share of the topic (a word no report uses weighs
# ABSENT_TOPIC_WEIGHT there: the caller's own words around the topic, 家里的, 老板, 村里的).
YESNO_ASKED = 0.7
YESNO_TOPIC = 0.6
YESNO_TOPIC_NAMED = 0.3
#: ... and a thing asked named by this many characters settles it alone
YESNO_NAMED_ALONE = 5
ABSENT_TOPIC_WEIGHT = 0.25
SINGLE_CHAR_WEIGHT = 0.25  # of the rarest word's weight: a lone character says little
# a yes/no question's words in the clauses before the question (the caller's situation) weigh this much
CONTEXT_TOPIC_WEIGHT = 0.5
# Words that carry no content in a yes/no question's predicate or topic: adverbs, pronouns,
# numerals, prepositions, particles (直接, 各种, 这种, 给, 点).
_FILLER_CLASSES = ("d", "ad", "r", "m", "q", "p", "u", "c")
# A further passage is cited beside the answer's own only when it scores this close to the best.
SECONDARY_CITATION = 0.6
# List answers: at most this many measures; the next passage continues the list when it scores
# this close to the first.
MAX_BULLETS = 6
LIST_CONTINUE = 0.75
#: ... and after a section's lead (its heading and a sentence or two), this many of the passages that follow it
LIST_FOLLOWING = 4
LIST_ANCHORS = 3
LIST_TITLE_WEIGHT = 0.5
LIST_OFF_TIME_PENALTY = 0.25  # a list anchor from last year's review, or the five-year plan for one year


def _abbreviates(word: str, text: str, span: int = 12) -> bool:
    """Is ``word`` a short form of words close together in ``text``: each character but the last
    starts a word or continues the one before (扩招: 扩大…招生; 保租房: 保障性租赁住房; 群众体育:
    群众性体育活动)? 限购 is not 提限…购房: its 限 ends a word there."""
    from .segment import boundaries

    norm = normalize(text)
    starts = boundaries(norm)
    for first in (i for i in starts if norm[i:i + 1] == word[0]):
        pos, ok = first + 1, True
        for k, ch in enumerate(word[1:], start=1):
            i = norm.find(ch, pos)
            while i >= 0 and k < len(word) - 1 and i not in starts and i != pos:
                i = norm.find(ch, i + 1)
            if i < 0 or i - first >= span:
                ok = False
                break
            pos = i + 1
        if ok:
            return True
    return False


#: at most this many characters of a modifier between a word and the head it is asked with
MODIFIER_GAP = 4


def _coordinated(word: str, norm: str) -> bool:
    """Is ``word`` (three characters or more) written as one of two coordinated words sharing their
    head, a character of the other inserted after its first (居委会 in 居村委会, 中学 is no case)?"""
    return len(word) >= 3 and bool(re.fullmatch(r"[\u4e00-\u9fff]+", word)) \
        and bool(re.search(re.escape(word[0]) + r"[\u4e00-\u9fff]" + re.escape(word[1:]), norm))


def _modifier_inserted(word: str, text: str) -> bool:
    """Is ``word`` (a word and its head: 人工智能课, 燃气表) written with a modifier between the two
    (人工智能通识课, 燃气物联网表)? The word stands whole; its head (the last one or two characters)
    follows within ``MODIFIER_GAP`` characters, inside the same clause."""
    return bool(_inserted_modifier(word, text))


def _inserted_modifier(word: str, text: str) -> str:
    """The modifier ``text`` writes inside ``word`` (通识 of 人工智能通识课), or ""."""
    norm = normalize(text)
    for cut in (len(word) - 1, len(word) - 2):
        stem, head = word[:cut], word[cut:]
        if len(stem) < 2:
            continue
        i = norm.find(stem)
        while i >= 0:
            after = norm[i + cut: i + cut + MODIFIER_GAP + len(head)]
            j = after.find(head)
            if 0 < j and not re.search(r"[，,。；;、：:]", after[:j]):
                return after[:j]
            i = norm.find(stem, i + 1)
    return ""


def _in_order(word: str, text: str) -> bool:
    pos = 0
    for ch in word:
        pos = text.find(ch, pos) + 1
        if not pos:
            return False
    return True


def _clauses_of(question: str) -> list[str]:
    """A question's clauses, the last being what it asks ("我家住的是老小区，今年有没有改造的份？")."""
    return re.split(r"[，,；;。！!？?]", re.sub(r"[？?。！!\s]+$", "", question))


def _shares_a_name(predicate: str, clause: str, rare=None) -> bool:
    """Does the clause write a run of the predicate as long as a name (240小时过境免签 of
    享受240小时过境免签), with at least four Chinese characters in it? Four characters are enough
    when a word in them is ``rare`` (免陪照护)."""
    from difflib import SequenceMatcher

    from .segment import segment

    a, b = normalize(predicate), normalize(clause)
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    run = a[m.a: m.a + m.size]
    cjk = len(re.sub(r"[^\u4e00-\u9fff]", "", run))
    if cjk >= 4 and len(run) >= YESNO_NAMED_ALONE:
        return True
    return cjk >= 4 and rare is not None and any(len(w) >= 2 and rare(w) for w in segment(run))


def _contracted(predicate: str, asked: Query, clause: str) -> bool:
    """Does the clause write what is asked as one contracted word, a word of the report whose
    characters the predicate spells out apart (多招点学生: 招生; 能不能少交点税: 减税 is not, its 减 is
    not there)? The word must hold a character of every word asked."""
    from .segment import segment

    words = [t.text for t in asked.terms if has_cjk(t.text)]
    if not words:
        return False
    for w in segment(normalize(clause)):
        if 2 <= len(w) <= 4 and has_cjk(w) and w not in predicate and _in_order(w, predicate) \
                and all(any(ch in w for ch in t) for t in words):
            return True
    return False


def _short_form_in(word: str, norm: str) -> bool:
    """Does ``norm`` (a normalised text) write ``word``, a compound of two-character words, in its short
    form of one character from each (长期|护理|保险: 长护险; 医疗|保险: 医保, the first of each)?"""
    if len(word) not in (4, 6) or not word.isalpha() or not all(has_cjk(ch) for ch in word):
        return False
    parts = [word[i:i + 2] for i in range(0, len(word), 2)]
    if len(parts) == 2:
        return parts[0][0] + parts[1][0] in norm
    return any(a + b + c in norm for a in parts[0] for b in parts[1] for c in parts[2])


def _contracted_pairs(q: Query, norm: str, groups: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Two words of the question that ``norm`` (a normalised text) writes as one contraction of their
    first characters (奖励 + 补贴: 奖补资金; 公共 + 交通: 公交): both are present."""
    # (words next to each other in the question, each the user's or a curated reading, not a
    # dictionary's guess: 境内外重点 is no contraction of 外贸 and 重视)
    # (one of the two may be a word that does not count on its own, the figure's frame: "subsidy and
    # reward money" -> 补贴 + 奖励, 奖补资金)
    order = {g: i for i, g in enumerate(dict.fromkeys(t.group or t.text for t in q.terms))}
    missing = [t for t in q.terms if groups.get(t.group or t.text, (0.0, 0.0))[1] == 0.0
               and len(t.text) >= 2 and has_cjk(t.text[:2]) and t.origin != "cedict"]
    if not any((t.group or t.text) in groups for t in missing):
        return groups
    found = set()
    for a in missing:
        for b in missing:
            ga, gb = a.group or a.text, b.group or b.text
            if abs(order[ga] - order[gb]) == 1 and a.text[0] + b.text[0] in norm:
                found |= {ga, gb}
    return {g: ((w, 1.0) if g in found else (w, h)) for g, (w, h) in groups.items()}


def _ruled_out(asked: Query, clause: str) -> bool:
    """Does the clause rule out what is asked in a word of its own ("会增加吗": 运转类支出只减不增)? A
    clause that rules something out (``_RULES_OUT``) negating the first character of a verb asked."""
    text = normalize(clause)
    return bool(_RULES_OUT.search(text)) and any(
        has_cjk(t.text) and _is_verb(t.text) and re.search(rf"不{re.escape(t.text[0])}", text) for t in asked.terms)


@dataclass
class Candidate:
    hit: Hit
    sentence: Span  # offsets in the paragraph
    clause: Span
    score: float
    coverage: float
    figures: list[str]
    dense: float = 0.0
    record: Figure | None = None


@dataclass
class SideAnswer:
    """One side's answer (a comparison has several) before it is rendered."""

    side: Side | None
    form: str
    refused: bool
    reason: str = ""  # a ``Messages`` field when refused
    direct: str = ""
    bullets: list[tuple[str, Hit]] = field(default_factory=list)
    primary: list[tuple[Hit, str]] = field(default_factory=list)  # (hit, quote) the answer rests on
    nearest: list[Hit] = field(default_factory=list)
    label: str = ""  # 2025年目标 …
    nearby: tuple[str, str, Hit] | None = None  # (metric, figure, hit): a labelled nearby figure
    meta: dict = field(default_factory=dict)


@lru_cache(maxsize=32768)
def token_set(text: str) -> frozenset[str]:
    """The bigram set of a piece of a report; sentences and clauses recur in every question."""
    return frozenset(tokens(text))


_UP = re.compile(r"增长|增加|提高|上涨|涨|提升|扩大|grow|rise|increase|up\b")
_DOWN = re.compile(r"下降|降低|减少|下跌|降|压减|缩小|fall|drop|decrease|cut|reduce|down\b")


# Verbs a figure question uses for its quantity (涨多少, 发多少, 安排了多少): the figure answers them.
FIGURE_FRAME = frozenset("涨 降 发 收 种 产 领 多领 拿 发行 安排 提高 增加 减少 下降 降低 上涨 增 减 多 花 投 投入 给 补 补贴 建 修 新修 办 开 有 "
                         "总量 总额 规模 多大 多高".split())
_LEAD_VERBLESS = frozenset("今年 全年 年内 先 再 还 要 将 拟 力争 确保 并 同时 其中 累计 预计 努力 继续 持续".split())


# A figure written without a unit ("务工规模超过3300万", "6600多万纳税人受益" read as 6600多)
_UNITLESS = re.compile(r"[\d.]+(?:多|余)?(?:万|亿|千|百)?(?:多|余)?")


def _fits_units(f: Figure, units: tuple[str, ...]) -> bool:
    """Is the figure in one of the units asked? A figure written without a unit counts people when
    its metric names them ("脱贫人口务工规模超过3300万" answers "多少人", "惠及43万儿童" "how many kids";
    not 人均)."""
    if not units or unit_ok(f.text, units):
        return True
    return "人" in units and bool(_UNITLESS.fullmatch(f.text)) and bool(_PEOPLE.search(f.metric))


_PEOPLE = re.compile(r"人(?!均)|儿童|婴幼儿|新生儿|学生|毕业生|老人|居民|群众|职工|农民|患者|游客|旅客")


def _is_verb(word: str) -> bool:
    """Is a word the reports never use a verb or adverb (jieba's tags), not a thing they lack?"""
    from .segment import word_class

    tag = word_class(word)
    if not tag and len(word) >= 2 and word[-1] in "好上完成到掉起了":
        tag = word_class(word[:-1])  # 修到, 涨到: a verb with its result, which the dictionary does not list
    return tag[:1] in ("v", "d") and tag != "vn"


# The money a sentence's subject is given ("办好民生实事34项，安排资金136亿元"): no subject of its own
_FUNDS = frozenset("资金 经费 财政资金 专项资金 补助资金 奖补资金".split())


def _bare(metric: str) -> bool:
    """Is the metric only a verb, with no subject or object of its own ("今年先发行", "安排资金"; "完成投资"
    is not)?"""
    from .segment import pos_tags

    content = [w for w, flag in pos_tags(metric) if w.strip() and w not in _LEAD_VERBLESS and w not in _FUNDS
               and (not flag.startswith(("v", "d", "t", "m", "x", "p", "u", "c", "f", "q", "r")) or flag == "vn"
                    or (flag == "x" and re.search(r"[\u4e00-\u9fff]", w)))]
    return not "".join(content).strip(" ，,。；;、“”")


_CHANGE_BEFORE = re.compile(r"(?:提高|增加|增长|上涨|下降|降低|减少|压减|提升|多|少|扩大|缩小)(?:了)?$")
_ASKS_CHANGE = re.compile(r"增长|增加|提高|涨|降|下降|降低|减少|多了|(?<!多)少了|变化|提升|扩大|比上年|比去年|比.{0,6}多|"
                          r"\b(?:grow|growth|increase|rise|raise|fall|cut|reduce|drop|change|more|less|up|down)")
_ASKS_LEVEL = re.compile(r"是多少|多少钱|多高|标准是|有多少|最低是|最高是|达到多少|规模|总量|总额|(?:降|涨|提高|提升|增|升|减)(?:到|至)多少|"
                         r"\bhow much is\b|\blevel\b")


_STATES_TARGET = re.compile(r"目标|预期|计划|\btarget|\bgoal|\bplanned\b")
_STATES_RESULT = re.compile(r"实际|完成了|实现了|增长了|下降了|达到了|提高了|降低了|增加了|减少了|\bactual|\bachieved\b|"
                            r"\bdid\b|\bwas\b|\bwere\b|\bgrew\b|\bfell\b|\brose\b")


def _states_kind(question: str, wants: str) -> bool:
    """Does the question say outright that it wants a target (目标) or a result (实际)?"""
    if wants == "target":
        return bool(_STATES_TARGET.search(question))
    return bool(_STATES_RESULT.search(question) or NOW.search(question))  # "现在…是多少": the level reached


CN_DIGITS = "第一二三四五六七八九十两百千"


def _written(name: str, norm: str) -> bool:
    """Does ``norm`` write the name, or its long form around its characters (空中丝路: 空中丝绸之路)?"""
    return name in norm or re.search(".{0,2}".join(map(re.escape, name)), norm) is not None


def _only_prepares(clause: str, done: str) -> bool:
    """Does the clause say only that the thing is prepared ("开工前期工作", "争创…")? Not when it says
    the very thing asked after the preparing word, which then only qualifies the thing
    ("…亲自谋划…的水电工程开工建设" has started)."""
    prep = _PREPARES.search(clause)
    return prep is not None and clause.find(done, prep.end()) < 0


def _asks_count(q: Query) -> bool:
    """Does the question ask for a count ("几大", "多少个", "how many")?"""
    return bool(re.search(r"几|多少(?:个|项|类|方面|件|条|大)|第几|how many|\bnumber of\b", q.norm)) or bool(
        set(q.units) & set(COUNT_UNITS))


def _proper_terms(q: Query) -> tuple[Term, ...]:
    """The words of the question proper: not those of the caller's situation, examples or asides,
    which weigh ``CONTEXT_WEIGHT`` or less."""
    return tuple(t for t in q.terms if t.weight > CONTEXT_WEIGHT)


def _typed_together(q: Query) -> list[tuple[str, str]]:
    """Two adjacent words of the question ("预算" "支出"), for ``_head_conflict``."""
    # (the words of what is asked: a caller's situation, "学校门口…堵车", names no metric; a single
    # character after a word is a verb, "导师带出来", not a word of the family)
    # (nor a frame word: 低保每月最低标准 asks 低保最低月标准)
    words = [t.text for t in _proper_terms(q) if t.origin == "zh" and has_cjk(t.text) and len(t.text) > 1
             and t.text not in FRAME_WORDS]
    return [(a, b) for a, b in zip(words, words[1:], strict=False) if (a + b) in q.norm]


_EN_COUNTED = re.compile(r"\bhow many (?:more |new |additional )?([a-z][a-z\s'-]{1,60}?)\s+(?:is|are|will|does|do|did|has|"
                         r"have|can|could|should|would|was|were|to)\b")


_EN_COUNTING_WORDS = frozenset("trip time run unit item set piece batch kind type number round session visit".split())


def _en_counted(q: Query) -> set[str]:
    """The term groups of what an English "how many" counts ("how many new-energy vehicles is …": the
    group of 'vehicles'); empty when no term reads its last word."""
    from .lexicon import stem

    m = _EN_COUNTED.search(q.norm) if q.lang == "en" else None
    if not m:
        return set()
    # (the noun before a preposition: "tax-refund shops for departing visitors" counts shops; a word
    # that only counts, "train trips", "times", leaves the rule out)
    words = re.split(r"\s(?:for|of|in|at|on|with|from|by|under|across|around)\s", m.group(1))[0].split()
    head = stem(words[-1]) if words else ""
    if not head or head in _EN_COUNTING_WORDS:
        return set()
    return {t.group for t in q.terms if t.origin == "en" and t.group and head in t.group.split()}


def _head_conflict(q: Query, metric: str, together: list[tuple[str, str]] | None = None) -> bool:
    """Two adjacent words of the question (``_typed_together``, computed once per question by a caller
    that has many metrics: "预算" "支出") where the metric has the first followed by another word
    ("预算收入"): the question names a different thing of the same family."""
    return _other_of_family(_typed_together(q) if together is None else together, metric)


def _compound_conflict(q: Query, metric: str, modified: list[tuple[str, str]] | None = None) -> bool:
    """One long word of the question whose head the metric replaces: 一般公共预算支出 asked (in any
    language), 一般公共预算收入 given; or a noun pair of the question (``_modified``) whose modifier it
    replaces."""
    m = normalize(metric)
    # (a word one of whose alternatives the metric names is not in conflict: GDP is 生产总值 or 经济增长)
    named = {t.group or t.text for t in q.terms if t.text in m}
    long = [t.text for t in q.terms if len(t.text) >= 4 and has_cjk(t.text) and t.text.isalpha()
            and (t.group or t.text) not in named]
    pairs = [(w[:-2], w[-2:]) for w in long if len(w) >= 5 and w[:-2] not in FRAME_WORDS]
    if _other_of_family(pairs, metric):
        return True
    # or whose modifier it replaces: 保障性住房 asked, 安置住房 given (a noun's; 经济增长 is not
    # 消费增长's other member)
    from .segment import word_class

    typed = {t.text for t in q.terms if t.origin in ("zh", "synonym")}  # (a dictionary's word is a guess)
    # (the same for two words typed together: 养老床位 asked, 认知障碍照护床位 given; a noun before a
    # noun, not 换上燃气…, nor 多少公里公路)
    pairs = [(a, b) for a, b in (_modified(q) if modified is None else modified)
             if b in m and b not in FRAME_WORDS and a not in named]
    for mod, head in [(w[:-2], w[-2:]) for w in long if w in typed] + pairs:
        if not word_class(head).startswith("n") or re.search(r"多[长少久大]|几|什么|哪", mod):
            continue  # (多长时间 asks the quantity)
        w = mod + head
        i = m.find(head)
        if i >= 2 and mod not in m and not set(mod) <= set(m) and not _modifier_inserted(w, m) \
                and re.fullmatch(r"[\u4e00-\u9fff]{2}", m[i - 2:i]) and m[i - 2:i] not in FRAME_WORDS and w not in m:
            return True
    return False


def _other_of_family(pairs: list[tuple[str, str]], metric: str) -> bool:
    m = normalize(metric)
    for a, b in pairs:
        if a in m and b not in m:
            after = m[m.find(a) + len(a): m.find(a) + len(a) + 2]
            if len(after) == 2 and has_cjk(after) and after not in FRAME_WORDS and not after.startswith(("增", "达", "为")) \
                    and not (set(after) & set(b) and set(b) <= set(m)):  # "扣除提标" asked, "提高…扣除标准" given: reworded
                return True
    return False


# words that join two opposite things: asked for one (出口 "exports"), a figure of both is not its answer
_UNIONS = {"进出口": ("出口", "进口"), "收支": ("收入", "支出")}


def _wider(q: Query, metric: str) -> bool:
    """Is the metric of both of a pair where the question asks one (出口 asked, 进出口增长6% given)?"""
    m = normalize(metric)
    asked = {t.text for t in q.terms}
    return any(u in m and u not in q.norm and u not in asked and any(p in asked for p in parts)
               for u, parts in _UNIONS.items())


_PER_HEAD = re.compile(r"人均|每人|per capita|per person|per head|each person")


def _per_head_only(q: Query, metric: str) -> bool:
    """A figure per person (人均地区生产总值, a metric that opens on 人均) where the question asks for
    the total (城市低保人均保障标准 is the standard itself), or a total where the question asks per
    person (人均GDP asked, 全省生产总值增长5.5% given)."""
    # (a term that is per person by name, 人均预期寿命 for "life expectancy", asks it)
    asked = bool(_PER_HEAD.search(q.norm)) or any(t.text.startswith("人均") for t in q.terms)
    return (normalize(metric).startswith("人均") and not asked) or (asked and not _PER_HEAD.search(normalize(metric)))


def _names_from(q: Query, text: str, topic: dict[str, float], min_chars: int = 5) -> bool:
    """Does ``text`` repeat a name of the question (five or more characters in a row), not only its
    topic words (海洋经济)? The run holds two or more of its words (烟台东方航天港), or one long word
    that is all the question is about (超长期特别国债的钱用在哪些方面; not 农村人居环境和乡村建设)."""
    from difflib import SequenceMatcher

    norm = normalize(text)
    m = SequenceMatcher(None, q.norm, norm, autojunk=False).find_longest_match(0, len(q.norm), 0, len(norm))
    common = q.norm[m.a: m.a + m.size]
    if m.size < min_chars or not has_cjk(common):
        return False
    return sum(t.text in common for t in q.terms if len(t.text) >= 2) >= 2 or any(
        len(t.text) > min_chars and t.text in common and Answerer.cov(topic, t.text) >= 0.99 for t in q.terms)


def _modified(q: Query) -> list[tuple[str, str]]:
    """(noun, word) pairs the question writes together, the noun narrowing the word: (海洋, 生产总值)."""
    from .segment import word_class

    # (of the question proper: "我家老人有点认知障碍，…" narrows nothing)
    words = [t.text for t in _proper_terms(q) if t.origin == "zh" and has_cjk(t.text) and t.text not in q.units]
    return [(a, b) for a, b in zip(words, words[1:], strict=False)
            if (a + b) in q.norm and len(a) >= 2 and len(b) >= 2 and a not in FRAME_WORDS
            and word_class(a).startswith("n")]


def _sub_sector(q: Query, metric: str) -> bool:
    """The metric names a part of what the question asks, a modifier inside the question's word:
    规上工业增加值 asked, 规上装备工业增加值 given. A rate of the part is not the rate of the whole."""
    m = normalize(metric)
    # (a modifier the question writes too is no part: PM2.5年均浓度 asked, its reading pm2.5浓度)
    return any(len(t.text) >= 4 and has_cjk(t.text) and t.text not in m
               and (mod := _inserted_modifier(t.text, m)) and mod not in q.norm
               for t in q.terms if t.origin in ("zh", "synonym"))


def _narrower(q: Query, pairs: list[tuple[str, str]], metric: str, sentence: str) -> bool:
    """The question narrows what the figure measures: 海洋生产总值 asked, 生产总值 given (a noun of the
    question, ``_modified``, right before a word the metric has, and absent from the figure's sentence)."""
    if not pairs:
        return False
    m, sent = normalize(metric), normalize(sentence)
    # a word the vocabulary expands (物价 -> 居民消费价格) is there when one of its expansions is
    there = {t.group for t in q.terms if t.group and normalize(t.text) in sent}
    return any(b in m and a not in sent and a not in there and not all(ch in sent for ch in a) for a, b in pairs)


def _sub_metric(metric: str, q: Query) -> bool:
    """Does the metric name a part of what the question asks: a quoted name or an enumeration the
    question does not mention, in its words or in the report words it stands for (电动汽车、锂电池、
    光伏产品“新三样”出口 vs 出口总额; "major programmes" does mention 九大“工程”)?"""
    question = q.norm
    asked = [t.text for t in q.terms if len(t.text) >= 2]
    # a quoted name right before a word asked ("新三样”出口): that kind of it (not "…和“两业”融合试点": another thing)
    names = [m.group(1) for m in re.finditer(r"“([^”]{1,12})”", metric) if normalize(m.group(1)) not in question
             and not any(t in normalize(m.group(1)) for t in asked)
             and any(normalize(metric[m.end():]).lstrip("的").startswith(t) for t in asked)]
    items = metric.split("、")[:-1]  # an enumeration's items are short names, not statements of their own
    # ... unless a name the question uses sums it up (电动汽车、锂电池、光伏产品“新三样”: 新三样 asked)
    summed = any(normalize(n) in question for n in re.findall(r"“([^”]{1,12})”", metric))
    listed = bool(items) and not summed and all(len(x) <= 10 for x in items) \
        and not any(normalize(x) in question or any(t.text in normalize(x) for t in q.terms if len(t.text) >= 2)
                    for x in items if len(x) >= 2)
    # "数字经济核心产业增加值占国内生产总值比重": a share of GDP is not GDP
    share = bool(re.search(r"占[^，,。]{1,16}(?:比重|比例)", metric)) and not re.search(r"比重|比例|占比|share", question)
    return bool(names) or listed or share or _market_part(metric, q)


# Words that make a measure a part of itself: 入境游客 of 游客, 外资企业 of 企业 (城镇老旧小区 is the whole)
_PART_MODIFIER = re.compile(r"(?:入境|出境|境外|海外|外资|外商|民营|国有)$")


def _part_of_total(metric: str, q: Query) -> bool:
    """A total asked ("how many tourist visits in total"), and the metric counts a part of it
    ("接待入境游客突破240万人次"): a scope word right before the word asked, the question without it."""
    if not q.asks_total:
        return False
    m = normalize(metric)
    for t in q.terms:
        w = normalize(t.text)
        i = m.find(w) if len(w) >= 2 and has_cjk(w) else -1
        if i > 0:
            part = _PART_MODIFIER.search(m[:i])
            if part and part.group(0) not in q.norm:
                return True
    return False


def _market_part(metric: str, q: Query) -> bool:
    """"对非美市场出口增长8.4%", "对东盟进出口": trade with some markets, not trade at large (unless asked)."""
    market = re.search(r"对([^，,。、]{1,10}?)(?:市场|国家|地区)?(?:出口|进口|进出口)", metric)
    return bool(market) and normalize(market.group(1)) not in q.norm


def _is_new(f: Figure) -> bool:
    """Does the figure count new things ("新增通车里程1523公里", "新建5G基站900座"), not the total?"""
    before = f.clause[: f.clause.find(f.text)] if f.text in f.clause else f.clause
    return bool(_NEW_BEFORE.search(before)) or f.clause.startswith(("新建", "新增"))


def _is_change(f: Figure) -> bool:
    """Is the figure an increment ("提高20元", "比上年增加1.1万亿元") rather than a level?"""
    before = f.clause[: f.clause.find(f.text)] if f.text in f.clause else f.clause
    return bool(_CHANGE_BEFORE.search(before.strip())) and f.unit not in PERCENT_UNITS


# "增长了多少", "涨多少": a rate or an increment answers, never a level (GDP跨越7万亿)
_ASKS_GROWTH = re.compile(r"(?:增长|增加|提高|提升|上涨|涨|下降|降低|减少|增速|增幅)(?:了|率)?(?:多少|几)|"
                          r"\bby how much\b|\bhow much did\b.{0,40}\b(?:grow|rise|increase|fall|drop)\b(?! to\b)")
# a figure relative to another ("快于经济增速1个百分点", "高于全国平均0.3个百分点")
_THAN = "快于|慢于|高于|低于|超过|超出|领先|好于"
_RELATIVE = re.compile(rf"(?:{_THAN})\S{{0,12}}$")
_ASKS_RELATIVE = re.compile(rf"{_THAN}|比.{{0,12}}(?:快|慢|高|低|多|少)|\bthan\b|\b(?:faster|slower|higher|lower|ahead)\b")
_ASKS_RATE = re.compile(r"率|比例|百分|增速|增幅|增长|\bpercent|\brate\b|\bgrowth\b")
_TOTAL_METRIC = re.compile(r"总(?:值|额|量|计|数|规模|里程|面积|人数)")
# the size of a thing ("经济总量", "how big is the economy"), which a growth rate does not state
_ASKS_SIZE = re.compile(r"总量|规模|总额|体量|多大|\bhow (?:big|large)\b|\bsize\b|"
                        # "收入到多少了": the level reached (a rate named, 覆盖率到多少了, asks a rate)
                        r"^(?!.*(?:率|比重|占比|比例|指数|强度|增速|增幅|份额|覆盖面))(?!.*(?:[增涨升降减高提]|提升)"
                        r"(?:已经|已|能|会|要|将)?(?:达|达到|到|至)多少).*(?:达|到|至)多少|"
                        r"^(?!.*\b(?:growth|grow|increase|rise|rate)\b).*\btotal\b")
_SHARE = re.compile(r"占.{0,24}(?:比重|比例|份额)|占比|比重|\bshare\b|\bproportion\b")
_AFTER_CHANGE = re.compile(r"(?:提高|调整|上调|增加|提升|下调)(?:以后|之后|后)")
_ASKS_VS_BASE = re.compile(r"(?:比|较)(?:去年|上年|上一年|前一年)|同比|\bthan last year\b|\bover last year\b")


def _asks_level(question: str) -> bool:
    """"提高以后每月最低是多少钱", "GDP总量有多大": the level, not the change."""
    if _AFTER_CHANGE.search(question):
        return True
    return bool(_ASKS_LEVEL.search(question)) and not _ASKS_CHANGE.search(question)


def _opposite(question: str, metric: str) -> bool:
    """The question asks about a rise and the figure is a fall (or the other way round)."""
    q_up, q_down = bool(_UP.search(question)), bool(_DOWN.search(question))
    m_up, m_down = bool(_UP.search(metric)), bool(_DOWN.search(metric))
    return (q_up and not q_down and m_down and not m_up) or (q_down and not q_up and m_up and not m_down)


@lru_cache(maxsize=4096)
def _proper_names(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the names of things (organisations, brands, other proper nouns of 3+ characters)
    in ``text``, as the segmenter's own dictionary tags them (京东方 in 京东方数字艺术馆); not the
    segmenter's guesses at unknown words (碳达峰, 商渔共治等), which are no names and cost 6× the time."""
    from .segment import pos_tags

    out, pos = [], 0
    for word, flag in pos_tags(text, hmm=False):
        if flag in ("nz", "nt") and len(word) >= 3:
            out.append((pos, pos + len(word)))
        pos += len(word)
    return tuple(out)


def _names_masked(q: Query, text: str) -> str:
    """``text`` with the inside of its proper names blanked, so that a question's word is not found
    in the middle of another name (东方 in 京东方); a name the question's word begins is kept."""
    norm = normalize(text)
    chars = list(norm)
    for a, b in _proper_names(norm):
        name = norm[a:b]
        if any(name.startswith(t.text) or t.text in name[:1] or t.text.startswith(name) for t in q.terms):
            continue
        for i in range(a + 1, b):
            chars[i] = "·"
    return "".join(chars)


# Where a thing is, in the wording of these reports: "在联合国总部精彩亮相", "长三角（广德）康养基地",
# "昌吉、伊犁河谷等玉米制种基地" (names the gazetteer need not know)
_AT_PLACE = re.compile(r"在[\u4e00-\u9fff]{2,8}?(?:精彩|成功|首次|隆重)?(?:亮相|举办|举行|召开|开幕|落地|落户|演出|展出|设立|建成)")


def _has_place(text: str, topic: tuple[str, ...] = ()) -> bool:
    from .places import find_in_text

    if find_in_text(normalize(text)) or _AT_PLACE.search(text):
        return True
    for t in topic:
        i = text.find(t)
        if i > 0 and (re.search(r"（[\u4e00-\u9fff]{2,4}）$", text[:i])
                      or re.search(r"[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,6})+等$", text[:i])):
            return True
    for m in _PLACE.finditer(text):
        word = m.group(0)
        if not _GENERIC_PLACE.search(word[-3:]) and not _GENERIC_PLACE.search(word[-2:]):
            return True
    return False


#: Questions asking which members make up something (not "what is planned for …").
_ASKS_MEMBERS = re.compile(r"具体(?:是|有)?哪(?:些|几)|都(?:是|有)哪(?:些|几)|是哪(?:些|几)|分别是|名单|清单|具体是|具体有|列出|"
                           r"which ones|\bname (?:all|the)\b|what are the \d+",
                           re.I)


class Answerer:
    def __init__(self, retriever: Retriever, figure_records: list[Figure], documents: list[Document], *,
                 max_chars: int = 100, max_list_chars: int = 400):
        self.retriever = retriever
        self.bm25: BM25 = retriever.bm25
        self._max_idf = self.bm25.max_idf
        self.max_chars = max_chars
        self.max_list_chars = max_list_chars
        self.documents = {d.source: d for d in documents}
        self._text = {(p.source, p.line): p.text for d in documents for p in d.paragraphs}
        self._sentences: dict[tuple[str, int], list[Span]] = {k: sentences(t) for k, t in self._text.items()}
        self._records: dict[tuple[str, int], list[Figure]] = {}
        for f in figure_records:
            self._records.setdefault((f.source, f.line), []).append(f)
        # sentence -> chunk positions, to read the dense score of a sentence
        self._chunk_at: dict[tuple[str, int, int], list[int]] = {}
        for i, c in enumerate(retriever.chunks):
            for s in self._sentences.get((c.source, c.line), []):
                if c.start < s.end and c.end > s.start:
                    self._chunk_at.setdefault((c.source, c.line, s.start), []).append(i)

    # -- scoring -------------------------------------------------------------------------------
    def weights(self, q: Query, *, topic_only: bool = False) -> dict[str, float]:
        """Query bigrams with their idf; ``topic_only`` drops bare numbers and frame words."""
        out: dict[str, float] = {}
        for t in q.terms:
            for tok in tokens(t.text, normalized=True):
                if topic_only and (_NUMERIC.fullmatch(tok) or tok in FRAME_WORDS):
                    continue
                idf = self.bm25.idf_of(tok)
                if idf > 0:
                    out[tok] = max(out.get(tok, 0.0), idf * t.weight)
        return out

    @staticmethod
    def cov(weights: dict[str, float], text: str) -> float:
        if not weights:
            return 0.0
        present = token_set(text)
        total = sum(weights.values())
        return sum(w for tok, w in weights.items() if tok in present) / total

    def coverage(self, q: Query, text: str, *, chars: bool = False, figure: bool = False,
                 predicate: bool = False, strict: bool | str = False, seen: frozenset[str] = frozenset()) -> float:
        """Share of the question's topic words (report vocabulary) present in ``text``.

        Each term counts by its specificity (mean idf of its bigrams; a bigram the reports never
        use counts as most specific); a term counts as present when two thirds of its bigrams
        are. Alternatives for one user word share a group: the word is covered when any is.
        English words no dictionary knows count as absent terms. ``predicate``: the terms are what a
        yes/no question asks (能建成吗), so the frame words among them (建成, 新建) count too; with it or
        ``strict``, a word written apart counts only as a short form (扩招: 扩大…招生; 水费 is not
        消费水平); ``strict="dictionary"``: so for the words a dictionary gave, not those typed.
        ``seen``: a dictionary's readings that the best passage uses, which count in full in a figure's
        metric (cotton -> 棉花 in a passage on 棉花总产: 粮食产量 does not answer for it).
        """
        present = token_set(text)
        norm = normalize(text)
        top = self._max_idf
        groups: dict[str, tuple[float, float]] = {}
        typed: dict[str, float] = {}
        # "build", "增长" say nothing of the topic. In a figure question neither does a user's word
        # one of whose readings is such a word (涨多少 -> 提高|上调|增加: the figure is the answer);
        # in a yes/no question that word is what is asked (退休金能涨吗: 提高 or 上调 must be there).
        terms = [(t, tokens(t.text, normalized=True)) for t in q.terms]
        frame = {t.group or t.text for t, raw in terms if raw and all(x in FRAME_WORDS for x in raw)}
        # a group one of whose readings is the figure's own frame or unit ("issue" -> 发行|发放,
        # "households" -> 户|家庭) is the figure itself
        unit_words = {t.group for t in q.terms if t.group and (t.text in q.units or (figure and t.text in FIGURE_FRAME))}
        for t, raw in terms:
            # (a metric has its figures taken out: there a number name counts as a figure, as before)
            toks = [x for x in raw if not _NUMERIC.fullmatch(x) or (not figure and _NUMBER_NAME.fullmatch(x))]
            if not toks or (q.form == "figure" and (t.group or t.text) in frame):
                continue
            if all(x in FRAME_WORDS for x in toks) and not predicate \
                    and not (q.form == "yesno" and t.group and t.group != t.text):
                continue
            if figure and (t.text in FIGURE_FRAME or t.text in q.units or t.text == "数" or t.group in unit_words
                           or (t.text.endswith("数") and t.text[:-1] in q.units)):
                continue  # the "how much" (多少斤, 亩数, 户数) is the figure itself
            if len(t.text) == 1 and has_cjk(t.text) and not (predicate or strict is True):
                # one character (水, 路, 电 in "水、路、电这些方面"): vague, and present when written anywhere
                # (in what a yes/no question asks it is the thing itself: 发消费券吗 needs its 券)
                w = top * SINGLE_CHAR_WEIGHT * t.weight
                hit = 1.0 if t.text in norm else 0.0
                gw, gh = groups.get(t.group or t.text, (0.0, 0.0))
                groups[t.group or t.text] = (max(gw, w), max(gh, hit))
                continue
            idfs = [self.bm25.idf_of(x) or top for x in toks]
            w = sum(idfs) / len(idfs) * t.weight
            if figure and t.origin == "cedict" and t.text not in seen:
                w *= CEDICT_FIGURE_WEIGHT  # a dictionary's guess at an English word, not the report's term
            if q.form == "figure" and has_cjk(t.text) and _is_verb(t.text) \
                    and (t.origin in ("en", "cedict") or not any(self.bm25.idf_of(x) for x in toks)):
                # 保住, 打算, 加: the caller's verb around a quantity; "built", "replaced": an English verb's
                # translation (the report says 新修建 or 更换 as it likes)
                w *= ABSENT_VERB_WEIGHT
            hit = sum(i for x, i in zip(toks, idfs, strict=True) if x in present) / sum(idfs)
            if chars and hit < 0.67 and len(t.text) <= 4 and has_cjk(t.text):
                # a short word the report writes apart (扩招 / 扩大…招生) counts when all its characters
                # are there; in what a yes/no question asks, only as a short form (限购 is not 提限…购房)
                strict_here = predicate or (strict is True) or (strict == "dictionary" and t.origin in ("en", "cedict"))
                if _abbreviates(t.text, text) if strict_here and len(t.text) > 1 \
                        else all(ch in norm for ch in t.text):
                    hit = 1.0
            if figure and hit < 0.67 and len(t.text) >= 3 and t.text.endswith("率") and t.text[:-1] in norm:
                hit = 1.0  # 覆盖率 asked, 覆盖面达到90% given: the rate of what the text names (the unit is checked apart)
            if hit < 0.67 and len(t.text) >= 3 and t.text[0] == "总" and t.text[1:] in norm:
                hit = 1.0  # 总产量 asked, 粮食产量838.6亿斤 given: the total is the quantity itself
            # a compound counts as present when most of it is, its head (last two characters) included:
            # 一般公共预算支出 is not 一般公共预算收入
            head_ok = len(toks) < 3 or toks[-1] in present
            if hit < 1.0 and len(t.text) >= 3 and has_cjk(t.text) and _modifier_inserted(t.text, text):
                hit, head_ok = 1.0, True  # 人工智能课: 人工智能通识课; 燃气表: 燃气物联网表
            elif hit < 1.0 and _short_form_in(t.text, norm):
                hit, head_ok = 1.0, True  # 长期护理保险: 长护险; 医疗保险: 医保
            elif hit < 1.0 and _coordinated(t.text, norm):
                hit, head_ok = 1.0, True  # 居委会: 居村委会 (居委会 and 村委会)
            hit = 1.0 if hit >= 0.67 and head_ok else min(hit, 0.66)
            if hit < 1.0 and q.lang == "en" and q.form == "yesno" and t.group in _EN_LIGHT_VERBS:
                w *= ABSENT_VERB_WEIGHT  # "is X going to introduce Y": the report says 推行, 实施 or 建立 as it likes
            gw, gh = groups.get(t.group or t.text, (0.0, 0.0))
            groups[t.group or t.text] = (max(gw, w), max(gh, hit))
            if t.origin == "zh" and t.text == t.group and any(self.bm25.idf_of(x) for x in toks):
                typed[t.group] = w
        if chars:
            groups = _contracted_pairs(q, norm, groups)
        # a word typed that the reports use, when the text has none of its readings, weighs as itself,
        # however rare its synonyms (重点项目 missing is not 重大项目 missing)
        groups = {g: (typed.get(g, w) if h == 0.0 else w, h) for g, (w, h) in groups.items()}
        num = sum(w * h for w, h in groups.values())
        den = sum(w for w, _ in groups.values()) + top * UNMATCHED_WEIGHT * len(q.en_unmatched)
        return num / den if den else 0.0

    def precision(self, q: Query, metric: str) -> float:
        """Share of a metric's own words that the question names: 数字经济核心产业增加值占国内生产总值比重
        is not what "GDP增长了多少" asks, though it contains 生产总值."""
        qtoks = {x for t in q.terms for x in tokens(t.text, normalized=True)}
        # the place a metric is of (地区生产总值, 全省进出口) is not a word of the metric
        metric = _SCOPE_PREFIX.sub("", metric)
        mtoks = [x for x in tokens(metric) if not _NUMERIC.fullmatch(x) and x not in FRAME_WORDS]
        if not mtoks:
            return 0.0
        idf = [self.bm25.idf_of(x) or self._max_idf for x in mtoks]
        return sum(i for x, i in zip(mtoks, idf, strict=True) if x in qtoks) / sum(idf)

    def _off_topic(self, q: Query, coverage: float, dense: float, text: str) -> bool:
        """Is the question about something the passage does not cover?

        Chinese: little of the question's topic is in the passage and none of its specific terms.
        English goes through a dictionary, so a low coverage is often a gap in the dictionary:
        refuse only when it is very low and a word stayed untranslated.
        """
        if self._names_a_report_term(q, text):
            return False
        if coverage == 0.0:
            return True
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

    def _dense_of(self, ps: Passage, s: Span, chunk_dense) -> float:
        if chunk_dense is None:
            return 0.0
        ids = self._chunk_at.get((ps.source, ps.line, s.start), [])
        return max((float(chunk_dense[i]) for i in ids), default=0.0)

    def _following(self, top: Passage) -> list[Passage]:
        """The passages after ``top`` in its paragraph, in order."""
        passages = self.retriever.passages
        return [passages[i] for i in self.retriever.paragraph_passages.get(top.key, ()) if passages[i].start >= top.end]

    def _passage_sentences(self, ps: Passage) -> list[Span]:
        return [s for s in self._sentences[ps.key] if ps.start <= s.start < ps.end]

    def _is_heading(self, ps: Passage, s: Span) -> bool:
        """The passage's title sentence (a label, not an answer) when more follows it."""
        if s.start != ps.start or ps.end - s.end <= 2:
            return False
        if ps.role == "review" and s.start > 0:
            return False  # a short sentence inside a review states a result ("太原地铁1号线开通运营。"), not a label
        if s.start == 0 and _NUMBERED_HEAD.match(s.text) and len(strip_punct(s.text)) <= MAX_HEADING_CHARS:
            return True  # "(四)聚力全面深化改革,增强发展内生动力。": the section's own heading
        return (strip_punct(s.text).endswith(strip_punct(ps.title)[-6:])
                and len(strip_punct(s.text)) <= len(ps.title) + 8)

    def candidates(self, q: Query, r: Retrieval, depth: int = 3) -> list[Candidate]:
        """Clauses of the best passages, scored by how much of the question they cover, how close
        their sentence is in meaning, and (figure questions) a figure in the unit asked."""
        weights = self.weights(q)
        topic = self.weights(q, topic_only=True)
        top_hit = r.hits[0].score if r.hits else 1.0
        out: list[Candidate] = []
        figure_q = q.form in ("figure", "compare") or q.asks_number or q.wants_figure
        overview = bool(_ASKS_OVERVIEW.search(q.norm))
        for hit in r.hits[:depth]:
            ps = hit.passage
            prior = hit.score / top_hit if top_hit > 0 else 0.0
            sents = self._passage_sentences(ps)
            dense = [self._dense_of(ps, s, r.chunk_dense) for s in sents]
            dmax = max(dense, default=0.0)
            pool = []
            for s, d in zip(sents, dense, strict=True):
                if self._is_heading(ps, s) and len(sents) > 1 and not (q.form == "yesno" and s.start > 0):
                    # (a short sentence inside a paragraph that starts a block may be a measure of its own,
                    # "落实生育补贴政策。" in a list of them: it can settle a yes/no question)
                    continue
                scov, stopic = self.cov(weights, s.text), self.cov(topic, s.text)
                for c in clauses(s.text):
                    if len(strip_punct(c.text)) < 2:
                        continue
                    clause = Span(s.start + c.start, s.start + c.end, c.text)
                    pool.append((s, clause, self.cov(weights, c.text), self.cov(topic, c.text), scov, stopic, d,
                                 figures(c.text)))
            best_topic = max((x[3] for x in pool), default=0.0)
            topic_has_figure: dict[int, bool] = {}
            for s, _, _, _, _, _, _, figs in sorted(pool, key=lambda x: -x[3]):
                topic_has_figure.setdefault(s.start, bool(figs))
            # the sentence right after a section's own heading is its lead: what an overview asks for
            heads = self._sentences[ps.key][:2]
            lead = heads[1].start if len(heads) == 2 and _NUMBERED_HEAD.match(heads[0].text) else -1
            for s, clause, ccov, tcov, scov, stopic, d, figs in pool:
                score = ccov + 0.4 * scov + 0.6 * prior + 2.5 * (d - dmax)
                if overview and s.start == lead:
                    score += OVERVIEW_BONUS
                if figure_q:
                    # the figure is about the topic when its clause names it, or when it is the figure
                    # in the unit asked for in a sentence that names all of the topic
                    uok = bool(q.units) and any(unit_ok(f, q.units) for f in figs)
                    about = (tcov > 0 or not topic) and (tcov >= 0.5 * best_topic or (
                        uok and stopic >= 0.99 and topic_has_figure.get(s.start, False)))
                    if figs and about:
                        score += (0.6 if uok else 0.0) if q.units else 0.35
                    elif not figs and q.asks_number:
                        score -= 0.2
                out.append(Candidate(hit, s, clause, score, tcov, figs, d))
        out.sort(key=lambda c: -c.score)
        return out

    # -- figure records ----------------------------------------------------------------------------
    def records(self, q: Query, r: Retrieval, side: Side | None, depth: int = 5) -> list[tuple[float, Figure, Hit, float]]:
        """Figure records of the best passages that could answer, best first: (score, record,
        hit, metric coverage)."""
        topic = self.weights(q, topic_only=True)
        top_hit = r.hits[0].score if r.hits else 1.0
        # what the question asks, read once for all the records
        asks_count = _asks_count(q)
        asks_level = _asks_level(q.norm)
        # ("现在…能拿多少钱": the level now, which a rise of 1200元 does not say)
        level_after_change = asks_level and bool(_AFTER_CHANGE.search(q.norm) or NOW.search(q.norm))
        asks_growth = bool(_ASKS_GROWTH.search(q.norm))
        asks_size = bool(_ASKS_SIZE.search(q.norm)) and not asks_growth
        asks_share = bool(_SHARE.search(q.norm))
        vs_base = bool(_ASKS_VS_BASE.search(q.norm))
        total_asked = q.asks_total and not _NEW_IN_QUESTION.search(q.norm)
        modified = _modified(q)
        together = _typed_together(q)
        counted = _en_counted(q)
        stated = parse_all(" ".join(q.stated_figures)) if q.stated_figures else []
        found = normalize(r.hits[0].passage.text) if r.hits else ""
        readings = Counter(t.group for t in q.terms if t.origin == "cedict")
        # (only a word the dictionary reads one way: "value" -> 宝贵|总值|价值… is any of them)
        seen = frozenset(t.text for t in q.terms if t.origin == "cedict" and readings[t.group] == 1
                         and len(t.text) >= 2 and t.text in found)
        out = []
        for rank, hit in enumerate(r.hits[:depth] + r.more):
            ps = hit.passage
            for f in self._records.get(ps.key, []):
                if not (ps.start <= f.start < ps.end):
                    continue
                if side is not None and side.years and not set(f.years) & set(side.years):
                    continue
                if side is not None and len(side.years) == 1 and len(f.years) > 1 \
                        and side.years[0] == max(f.years) and f.kind == "result" and not asks_growth \
                        and _END_LEVEL.search(f.clause[:max(0, f.clause.find(f.text))]):
                    pass  # the level a period ends at is its last year's ("从27136元增长到36439元")
                elif side is not None and len(side.years) == 1 and len(f.years) > 1 \
                        and not (f.kind != "result" and side.years[0] == max(f.years)):
                    continue  # a five-year figure does not answer for one year (a plan's does, for its last)
                if side is not None and len(side.years) > 1 and len(ps.years) == 1:
                    continue  # nor a passage about one year for a period ("十四五期间新增养老床位" is not 2025's 3852张)
                if f.text[:1] in CN_DIGITS and not asks_count:
                    continue  # "十大集群" answers "how many", not "how much did it grow"
                if asks_count and f.unit in PERCENT_UNITS and not (asks_share or asks_growth or _ASKS_RATE.search(q.norm)):
                    continue  # "新增多少个托位" is not "托位占比提高到68%"
                # (a rate's period is the metric's too: 842元/月 answers "每个月多少钱")
                metric = f.metric + "".join(_PER.findall(f.text))
                cov_metric = self.coverage(q, metric, figure=True, chars=True, seen=seen) if q.terms else 0.0
                precision = self.precision(q, f.metric)
                if rank >= depth and (cov_metric < 0.99 or precision < 0.5):
                    continue  # further down, only a metric that is what was asked, and little else
                per_head = _per_head_only(q, f.metric)
                # another member of the metric's family: its shared words do not make it the one asked
                other = _compound_conflict(q, f.metric, modified)
                if other or per_head or _head_conflict(q, f.metric, together):
                    # 一般公共预算支出 asked, 一般公共预算收入 given; 人均生产总值 given for the GDP (below any
                    # threshold, English units' too)
                    cov_metric = min(cov_metric, 0.3 if per_head else 0.5)
                sent = next((s for s in self._sentences[ps.key] if s.start <= f.start < s.end), None)
                wider = _wider(q, f.metric)
                if _narrower(q, modified, f.metric, sent.text if sent else f.clause) or wider \
                        or (f.unit in PERCENT_UNITS and _sub_sector(q, f.metric)) or _part_of_total(f.metric, q):
                    cov_metric = min(cov_metric, 0.3)  # 海洋生产总值 asked, 生产总值 given; 出口 asked, 进出口 given
                cov_sent = self.coverage(q, sent.text, figure=True, chars=True, seen=seen) if sent else 0.0
                uok = _fits_units(f, q.units)
                soft_ok = not q.soft_units or unit_ok(f.text, q.soft_units)
                # the figure answers when its metric names the topic, or when its sentence names all of
                # the topic and its clause has no subject of its own ("从今年开始拟连续几年发行超长期特别国债，…，
                # 今年先发行1万亿元"); a clause with its own subject ("一般公共预算收入增长3%左右") is another metric
                sub = _sub_metric(f.metric, q)
                via_sentence = cov_sent if uok and soft_ok and not per_head and not wider and not sub and cov_sent >= 0.99 \
                    and (cov_metric >= 0.5 or _bare(f.metric)) else 0.0
                score = (max(cov_metric, via_sentence) + 0.8 * precision + 0.3 * cov_sent + 0.5 * (hit.score / top_hit if top_hit > 0 else 0)
                         + 0.15 * self.cov(topic, f.clause) - 0.03 * rank)
                if side is not None and side.wants:
                    fits = f.kind == side.wants or (side.wants == "target" and f.kind == "plan")
                    if not fits and _states_kind(q.norm, side.wants):
                        continue  # "2023年GDP增长目标" is not answered by 2023's result, nor the other way round
                    # what a year that is over achieved ("全国去年粮食产量": 1.4万亿斤) before its target
                    # (1.3万亿斤以上), which answers only where no result is stated (2024年赤字率: 按3%安排)
                    score += 0.35 if fits else -0.5 if side.wants == "result" else -0.1
                if side is not None and len(side.years) == 1 and f.years == tuple(side.years):
                    score += 0.15  # about that year alone, not a period containing it
                if f.text[:1] in CN_DIGITS:
                    score -= CN_COUNT_PENALTY  # a count in words is often a name ("千项技改"): digits first
                if _opposite(q.norm, f.metric):
                    score -= 0.6
                if sub:
                    score -= 0.3
                    cov_metric *= 0.5  # "“新三样”出口" is a part of exports, not exports
                change = _is_change(f)
                if change and level_after_change:
                    continue  # "提高以后是多少": "提高20元" does not say what the level is after the rise
                if change and asks_level:
                    score -= 1.0
                if _RELATIVE.search(f.metric) and "百分点" in f.unit and not _ASKS_RELATIVE.search(q.norm):
                    score -= 0.6  # "快于经济增速1个百分点" says how much faster, not the growth asked
                if asks_size and f.unit in PERCENT_UNITS and not asks_share and not set(q.units) & set(PERCENT_UNITS):
                    continue  # "经济总量到多少了" is 4.93万亿元, not 增长5.6% nor 贡献率35.1%
                if asks_growth and not asks_count and f.unit not in PERCENT_UNITS and not change:
                    continue  # (a count asked, "改造提升多少个", "增加多少人", is the number of the new things)
                if asks_growth and not asks_share and _SHARE.search(f.metric):
                    continue  # "规上工业增加值增长多少" is not "…增加值占规上工业比重达到35%"
                if total_asked and _is_new(f):
                    score -= 1.0  # "总里程有多少" is not "新增通车里程1523公里"
                if total_asked and _TOTAL_METRIC.search(f.metric):
                    score += 0.2  # "一共多少": 进出口总值, not what one programme brought (带动进出口415.4亿元)
                if not change and vs_base:
                    score -= 1.0  # "比上年多安排了多少" asks the increase, not the level
                if not uok:
                    score -= 1.0
                if not soft_ok:
                    score -= 0.3  # "增长多少" is most often a rate, but "提高30元" answers it too
                if stated and any(same_value(a, b) for a in stated for b in parse_all(f.text)):
                    score += 0.3
                match = max(cov_metric + PRECISION_WEIGHT.get(q.lang, 0.25) * precision, via_sentence)
                if other or per_head:
                    match = min(match, cov_metric)  # (人均生产总值 is not the GDP asked, however precise)
                if counted and sent is not None:
                    # "how many new-energy vehicles …": a figure whose sentence names none of what is counted
                    # counts another thing (粮食产量 for "… aiming to produce")
                    said = normalize(sent.text)
                    if not any(t.group in counted and normalize(t.text) in said for t in q.terms):
                        match = min(match, cov_metric)
                if q.lang == "en" and cov_metric < MIN_METRIC_COVERAGE_EN and not via_sentence:
                    # an English question's words reach the report through dictionaries: the metric's own
                    # words (新建5g基站) cannot stand in for most of what was asked (EV charging stations)
                    match = min(match, cov_metric)
                out.append((score, f, hit, match))
        out.sort(key=lambda x: -x[0])
        return out

    # -- composing -----------------------------------------------------------------------------
    def _figure_text(self, q: Query, f: Figure) -> str:
        """The record's clause as the direct answer; a "、" list is cut to the item asked about."""
        text = strip_punct(display(f.clause))
        items = [x for x in text.split("、") if x]
        if len(items) > 1 and sum(bool(FIGURE.search(x)) for x in items) > 1:
            weights = self.weights(q, topic_only=True)
            best = max(items, key=lambda x: (self.cov(weights, x) + (0.01 if f.text in x else 0)))
            if f.text in best and self.cov(weights, best) > 0:
                text = best
        # items after it that have no subject of their own say more of it: "地区生产总值突破3万亿元、达3.6万亿元"
        para = self._text[(f.source, f.line)]
        whole = next((c.text for c in clauses(para) if c.start <= f.start < c.end), "")
        at = whole.find(text) if text else -1
        if at >= 0:
            rest = whole[at + len(text):]
            while (m := re.match(r"、([^、]*)", rest)) and (g := FIGURE.search(m.group(1))) \
                    and len(re.sub(r"[^\u4e00-\u9fff]", "", m.group(1)[: g.start()])) <= 2:
                text += m.group(0)
                rest = rest[m.end():]
            text = strip_punct(display(text))
        if len(text) < 6:  # "其中" + figure reads better with the clause before it
            before = [c for c in clauses(para[: f.start]) if strip_punct(c.text)]
            if before:
                text = strip_punct(before[-1].text) + "，" + text
        return text

    def _fact_text(self, best: Candidate) -> str:
        """The best clause with its neighbours, up to the length budget."""
        para = self._text[best.hit.passage.key]
        sent = best.sentence
        parts = [Span(sent.start + c.start, sent.start + c.end, c.text) for c in clauses(sent.text)]
        idx = next(i for i, c in enumerate(parts) if c.start == best.clause.start)
        lo = hi = idx
        length = len(parts[idx].text)
        while True:
            grew = False
            if hi + 1 < len(parts) and length + len(parts[hi + 1].text) <= self.max_chars:
                hi += 1
                length += len(parts[hi].text)
                grew = True
            if lo - 1 >= 0 and length + len(parts[lo - 1].text) <= self.max_chars and (hi - lo) < 2:
                lo -= 1
                length += len(parts[lo].text)
                grew = True
            if not grew or hi - lo >= 3:
                break
        return strip_punct(display(para[parts[lo].start : parts[hi].end]))

    def _bullets(self, q: Query, r: Retrieval) -> list[tuple[str, Hit]]:
        """The measures the best passage names, in report order, continuing into the next passage
        on the same topic; each bullet a verbatim clause group, all within ``max_list_chars``."""
        anchor = self._list_anchor(q, r)
        top = anchor.passage
        # the next passages on the topic, and, when the best passage is only a section's lead ("（七）持续
        # 扩大高水平开放。稳步推进…", too short for a list), the rest of its paragraph
        lead_only = sum(not self._is_heading(top, x) for x in self._passage_sentences(top)) < 3
        # (a report's closing call to action continues no list it does not start)
        # (nor does the review of results continue a list of this year's plans)
        # (nor the plans for five years a list of one year's, "今年…怎么搞")
        plans, one_year = _asks_plans(q), _asks_one_year(q)
        near = [h for h in r.hits[:4] if (h.passage.role != "closing" or top.role == "closing")
                and (h.passage.role != "review" or top.role == "review" or not plans)
                and (len(h.passage.years) <= 1 or len(top.years) > 1 or not one_year)]
        hits = [anchor] + [h for h in near if h is not anchor and (
            (h.score >= LIST_CONTINUE * anchor.score and self.coverage(q, h.passage.text) >= 0.5)
            or (h.passage.key == top.key and h.passage.start >= top.end and lead_only))]
        if lead_only and top.start == 0:
            # a section's lead: its measures are the passages that follow it in the paragraph
            held = {h.passage.start for h in hits if h.passage.key == top.key}
            following = [Hit(ps, anchor.score * LIST_CONTINUE) for ps in self._following(top)[:LIST_FOLLOWING]
                         if ps.start not in held]
        else:
            following = []
        hits.sort(key=lambda h: (h.passage.source != top.source, h.passage.line, h.passage.start))  # report order
        topic = self.weights(q, topic_only=True)

        def sentences_of(hs: list[Hit]) -> list[tuple[tuple, float, str, Hit]]:
            out = []  # (report order, relevance, text, hit)
            for hit in hs:
                ps = hit.passage
                for s in self._passage_sentences(ps):
                    if self._is_heading(ps, s):
                        continue
                    text = strip_punct(display(s.text))
                    if len(text) < 4:
                        continue
                    rel = self.cov(topic, s.text) + 0.2 * bool(re.search(r"“[^”]+”|\d", s.text)) \
                        + 0.3 * self._specificity(s.text)
                    out.append(((ps.source != top.source, ps.line, s.start), rel, text, hit))
            return out

        # the passages that follow a lead fill the list only where the best passages leave room
        pool = sentences_of(hits)
        pool += [(o, rel - 10.0, t, h) for o, rel, t, h in sentences_of(following)]
        if not pool:
            return []
        if _ASKS_OVERVIEW.search(q.norm):  # "总体怎么推进": the section's lead comes first
            pool = [(o, rel + OVERVIEW_BONUS * (h is anchor), t, h) for o, rel, t, h in pool]
        # a question about one named thing the passage mentions in passing ("烟台东方航天港今年有什么
        # 安排" in a passage on traditional industries): the sentences that name it, not the passage's others
        named = [x for x in pool if self.cov(topic, x[2]) >= 0.99 and _names_from(q, x[2], topic)]
        if named and not any(self.cov(topic, h.passage.title) >= 0.5 for h in hits):
            pool = [x for x in pool if self.cov(topic, x[2]) >= 0.5]
        budget = self.max_list_chars
        n = min(MAX_BULLETS, len(pool))
        # keep the most relevant sentences, shown in report order; each of the topic's words that some
        # sentence names is named by one ("help young people find jobs": 就业 and 青年 both)
        ranked = sorted(pool, key=lambda x: (-x[1], x[0]))
        chosen = ranked[:n]
        reserve = sorted(sentences_of([h for h in near if all(h is not x for x in hits)]),
                         key=lambda x: (-x[1], x[0]))
        for alts in _by_group(q.topic_terms).values():
            if len(alts) > 1 or alts[0].origin not in ("zh", "en"):
                continue  # a colloquial word's readings (老百姓: 居民|群众|人民) or a dictionary's guess
            def names(x, alts=alts):
                return any(self.cov(self.weights(replace(q, terms=(t,))), x[2]) >= 0.67 for t in alts)
            if any(names(x) for x in chosen):
                continue
            extra = next((x for x in ranked[n:] + reserve if names(x)), None)
            if extra is not None and len(chosen) > 1:
                chosen[-1] = extra
        chosen = sorted(chosen, key=lambda x: x[0])
        # one length cap for all: what short bullets leave over goes to the long ones
        room = budget - len(chosen)
        lengths = sorted(len(x[2]) for x in chosen)
        per = room // len(chosen)
        for i, length in enumerate(lengths):
            if length > per:
                break
            room -= length
            per = room // max(1, len(lengths) - i - 1)
        per = max(30, per)
        out = []
        used = 0
        for _, _, text, hit in chosen:
            if len(text) > per:
                cut = [c for c in clauses(text) if c.end <= per - 1]
                text = strip_punct(text[: cut[-1].end]) if cut else text[: per - 2]
                text += "…"
            if used + len(text) + 1 > budget:
                break
            out.append((text, hit))
            used += len(text) + 1
        return out

    def _list_anchor(self, q: Query, r: Retrieval) -> Hit:
        """The passage a list comes from: the one titled by the topic (a subsection "促进外经贸提质发展"
        for "怎么稳外贸"), among the close best of retrieval."""
        if _ASKS_OVERVIEW.search(q.norm):
            return r.hits[0]  # the section's own lead, not one of its subsections
        best = r.hits[0].score or 1.0
        # what the question is about, not what it asks done to it (拖欠工资的问题怎么管: 欠薪, not 治理)
        from .segment import word_class

        about = replace(q, terms=tuple(t for t in q.terms if word_class(t.group or t.text)[:1] not in ("v", "d")))
        # (a question that names no time and asks no result asks what is being done: the plans say it,
        # not the review of last year's results)
        plans = _asks_plans(q)
        one_year = _asks_one_year(q)
        return max(r.hits[:LIST_ANCHORS], key=lambda h: h.score / best + LIST_TITLE_WEIGHT * self.coverage(
            about, " ".join(h.passage.section[1:]) + " " + h.passage.title, chars=True)
            - LIST_OFF_TIME_PENALTY * ((plans and h.passage.role == "review") or (one_year and len(h.passage.years) > 1)))

    def _specificity(self, text: str) -> float:
        """Mean idf of a sentence's bigrams relative to the rarest: a concrete measure (深远海养殖,
        现代远洋渔业) is rarer than a heading (推动海洋产业体系建设)."""
        toks = token_set(text)
        if not toks or not self._max_idf:
            return 0.0
        return sum(self.bm25.idf_of(x) or self._max_idf for x in toks) / len(toks) / self._max_idf

    def _definition(self, q: Query, r: Retrieval, *, loose: bool = True) -> tuple[str, Hit] | None:
        """The report's explanation of ``q.defined_term``: a glossary entry, a sentence defining it
        (即, 是指, 包括…), or the enumeration it names ("总产、单产、播种面积“三增长”"); ``loose``: also
        a numbered name spelled out after it, or the kind the question names said of it."""
        term = q.defined_term
        if not term:
            return None
        for hit in r.hits:
            ps = hit.passage
            if ps.role == "glossary" and term in normalize(ps.title):
                body = ps.text
                m = re.match(r"^(?:[［\[【]\d+[］\]】]|\d+[.．、])?[^：:]{0,30}[：:]", body)
                if m and m.end() >= len(body.rstrip()):
                    # the entry's name alone ("［2］四大主导产业："): its explanation is the next paragraph
                    nxt = next((x for x in self.retriever.passages if x.source == ps.source and x.line > ps.line
                                and x.role == "glossary"), None)
                    if nxt is not None and nxt.title == ps.title:
                        return strip_punct(display(nxt.text))[: self.max_chars * 2], Hit(nxt, hit.score, {})
                    continue
                text = body[m.end():] if m and m.end() < len(body) else body
                return strip_punct(display(text))[: self.max_chars * 2], hit
        # several names quoted ("“三个区”“新高地”“标杆市”具体指啥"): the sentence that names them together
        # spells them out (打造…先行区、…新高地、…标杆市)
        names = [x for x in map(normalize, QUOTED_NAME.findall(q.text)) if len(x) >= 2]
        for hit in r.hits:
            for s in self._passage_sentences(hit.passage):
                norm = normalize(s.text)
                if len(names) >= 2 and sum(x in norm for x in names) >= 2:
                    parts = [c for c in clauses(s.text) if any(x in normalize(c.text) for x in names)]
                    return strip_punct(display(s.text[parts[0].start:parts[-1].end])), hit
                i = norm.find(term)
                if i < 0:
                    continue
                # (its kind may come between: "“九个坚持”重大原则，即坚持…")
                if _DEFINES.search(norm[i + len(term): i + len(term) + 6]) \
                        or re.match(r"[”\"]?[\u4e00-\u9fff]{2,4}[，,]?(?:即|是指|包括)", norm[i + len(term):]):
                    return strip_punct(display(s.text)), hit
                # "电动汽车、锂电池、光伏产品“新三样”": an enumeration right before the quoted term
                before = re.split(r"[，,。；;：:]", s.text[: i].rstrip("“\"等"))[-1]
                # (or before a numbered name: "集成电路、生物医药、人工智能三大先导产业")
                if "、" in before and (s.text[i - 1: i] in "“\"" or (re.match(rf"[{CN_DIGITS}\d]", term)
                                                                     and s.text[i - 1: i] not in "、，,；;")):
                    return strip_punct(display(before)), hit
                # (two things joined by 和 before a counted name: "抓好垃圾分类和物业管理两个关键小事")
                if re.match(r"[两二三]", term) and re.search(r"[\u4e00-\u9fff]{2}(?:和|与|及)[\u4e00-\u9fff]{2,8}$", before):
                    return strip_punct(display(before + s.text[i: i + len(term)])), hit
                # a formula in quotation marks right before it: "推广“教育+人才+科创+产业”明月湖模式"
                quoted = re.search(r"[“\"]([^”\"]{3,40})[”\"]$", s.text[: i])
                if quoted and re.search(r"[+＋、]", quoted.group(1)):
                    return strip_punct(display(s.text[quoted.start(): i + len(term)])), hit
                # a numbered name spelled out after it ("优化实施新一轮“3个100万”，…新增人口100万、县城新增
                # 人口100万、新增旅居人口100万")
                after = norm[i + len(term):]
                if not loose:
                    continue
                # (or a name with its kind: 运用好“543”体系，牢固树立“…”五种意识，用好“…”四个方法…; or with its
                # version: 实施“两通工程”2.0版，建设邻县高速通、乡镇便捷通、港口铁路通项目)
                if re.search(rf"\d|[{CN_DIGITS}]", term) and re.match(r"[”\"]?(?:\d+(?:\.\d+)?版)?[\u4e00-\u9fff]{0,4}[，,：:]", after) \
                        and "、" in re.split(r"[。；;]", after)[0]:
                    return strip_punct(display(s.text)), hit
                # the kind the question names, said of it ("湘易办是个啥平台": "“湘易办”…成为…总入口、总平台")
                kinds = [t.text for t in q.terms if len(t.text) >= 2 and t.text not in term and has_cjk(t.text)]
                if any(re.search(rf"(?:成为|是|作为|建成|打造成)[^。；;]{{0,24}}{re.escape(k)}", after) for k in kinds):
                    return strip_punct(display(s.text)), hit
        return None

    def _label(self, f: Figure | None, ps: Passage, frame) -> str:
        doc = self.documents.get(ps.source)
        kind = f.kind if f is not None else {"review": "result", "targets": "target"}.get(ps.role, "plan")
        years = f.years if f is not None else ps.years
        if not years:
            return ""
        year = f"{years[0]}—{years[-1]}" if len(years) > 1 else str(years[0])
        if kind == "plan" and doc is not None and len(years) == 1:
            return frame("plan", year=year)
        return frame("target" if kind in ("target", "plan") else "result", year=year)

    def about_report(self, q: Query, side: Side, frame) -> SideAnswer | None:
        """"2024年政府工作报告是哪天作的", "who delivered the report": the masthead says (the occasion
        line gives the date and session; the speaker line the speaker)."""
        from .ingest import _OCCASION

        wants_who = bool(re.search(r"谁|\bwho\b", q.norm))
        for source in side.sources:
            doc = self.documents[source]
            front = [p for p in doc.paragraphs if p.kind in ("title", "masthead")]
            for p in front:
                occasion = _OCCASION.search(p.text)
                speaker = re.search(r"(?:总理|省长|市长|主席|州长|区长|县长)\s*[\u4e00-\u9fff·]{2,4}", p.text)
                found = speaker if wants_who else occasion
                if found:
                    ps = next((x for x in self.retriever.passages if x.key == (p.source, p.line)), None)
                    if ps is None:
                        continue
                    text = strip_punct(p.text[found.start(): found.end() if wants_who else len(p.text)])
                    if not wants_who:
                        text = re.split(r"[，。]", text)[0]
                    hit = Hit(ps, 1.0, {})
                    return SideAnswer(side, "who" if wants_who else "when", False, direct=display(text),
                                      primary=[(hit, display(p.text))], nearest=[hit], label=f"《{doc.title}》")
        return None

    # -- per form ------------------------------------------------------------------------------
    def answer_side(self, q: Query, r: Retrieval, side: Side | None, frame) -> SideAnswer:
        form = q.form if q.form != "compare" else ("figure" if q.asks_number or q.wants_figure else "other")
        # the masthead (title, occasion, speaker) answers only "when, by whom" (about_report), never a topic
        r = replace(r, hits=[h for h in r.hits if h.passage.role != "front"],
                    more=[h for h in r.more if h.passage.role != "front"])
        if not r.hits:
            return SideAnswer(side, form, True, "not_mentioned")
        cands = self.candidates(q, r)
        if not cands:
            return SideAnswer(side, form, True, "not_mentioned", nearest=r.hits)
        best = cands[0]
        ps = best.hit.passage
        coverage = self.coverage(q, _names_masked(q, ps.text) + " " + " ".join(ps.section[1:]))
        dense = max((self._dense_of(ps, s, r.chunk_dense) for s in self._passage_sentences(ps)), default=0.0)
        meta = {"coverage": coverage, "dense": dense, "score": best.score}
        nearest = [best.hit] + [h for h in r.hits if h is not best.hit]
        if form != "definition" and self._off_topic(q, coverage, dense, ps.text + " " + ps.title):
            return SideAnswer(side, form, True, "not_mentioned", nearest=nearest, meta=meta)
        if form == "figure" or (form == "yesno" and q.stated_figures and (q.units or q.asks_number or q.wants_figure
                                                                          or any(parse_all(x) for x in q.stated_figures))):
            out = self._answer_figure(q, r, side, frame, best, nearest, meta)
            if form == "yesno":
                # "…是103.4公里吗": the figure the report gives settles it, yes or no
                rec = out.meta.get("record")
                stated = parse_all(" ".join(q.stated_figures))
                given = parse_all(rec["text"]) if rec else []
                agrees = any(same_value(a, b) for a in stated for b in given)
                if rec and not any(a.unit == b.unit or not a.unit or not b.unit for a in stated for b in given):
                    rec = None  # a figure of another quantity ("free for all three years": 57.6万名儿童) says nothing of it
                if not rec:
                    # no record of that figure: it qualifies the thing asked ("240小时过境免签", "再延长30年"),
                    # so a clause naming all of it settles the question (a target in words does not)
                    return self._answer_yesno(q, r, side, frame, cands, nearest, meta)
                out.form = "yesno"
                out.label = ""
                out.meta = {**out.meta, "agrees": agrees}
                if out.refused:
                    out.reason = "yesno_unsettled"
            return out
        if form == "list":
            found = self._definition(q, r, loose=False) if q.defined_term else None
            if found is not None:  # the members of a numbered name, as the report defines it
                text, hit = found
                return SideAnswer(side, form, False, direct=text, primary=[(hit, display(text))], nearest=nearest,
                                  meta=meta)
            if self._only_counts(q, best):
                return SideAnswer(side, form, True, "list_", nearest=nearest, meta=meta)
            bullets = self._bullets(q, r)
            if not bullets:
                return SideAnswer(side, form, True, "not_mentioned", nearest=nearest, meta=meta)
            # one citation per paragraph, quoting the span of its passages the bullets come from
            spans: dict[tuple[str, int], tuple[Hit, int, int]] = {}
            for _, h in bullets:
                first, a, b = spans.get(h.passage.key, (h, h.passage.start, h.passage.end))
                spans[h.passage.key] = (first, min(a, h.passage.start), max(b, h.passage.end))
            top = self._list_anchor(q, r).passage.key  # the list's own paragraph is cited first
            quotes = [(h, display(self._text[key][a:b])) for key, (h, a, b)
                      in sorted(spans.items(), key=lambda kv: kv[0] != top)]
            return SideAnswer(side, form, False, direct="\n".join(t for t, _ in bullets), bullets=bullets,
                              primary=quotes, nearest=nearest, meta=meta)
        if form == "yesno":
            return self._answer_yesno(q, r, side, frame, cands, nearest, meta)
        if form == "definition":
            found = self._definition(q, r)
            if found is None:
                if q.defined_term:  # the report uses the term without explaining it
                    return SideAnswer(side, form, True, "no_definition", nearest=nearest, meta=meta)
                text = self._fact_text(best)
                return SideAnswer(side, form, False, direct=text, primary=[(best.hit, self._quote(best, text))],
                                  nearest=nearest, meta=meta)
            text, hit = found
            return SideAnswer(side, form, False, direct=text, primary=[(hit, display(text))], nearest=nearest,
                              meta=meta)
        def times_in(text: str) -> list[re.Match]:  # the times a text names that the question does not
            return [m for m in _TIME_EXPR.finditer(text) if m.group(0) not in q.norm]

        times = times_in(best.sentence.text)
        if form == "when" and not times:
            # the best clause names the thing but no time ("制定实施实现碳达峰行动方案"); a clause scored
            # nearly as well that names it as fully, with a time in it, answers ("如期实现2030年前碳达峰目标")
            full = self.coverage(q, best.clause.text, chars=True)
            # (or its sentence does, the time in a clause of its own: "2025年春节前夕，再次亲临…考察")
            alt = next((c for c in cands[1:WHEN_ALTERNATIVES] if c.score >= WHEN_SCORE_SHARE * best.score
                        and self.coverage(q, c.clause.text, chars=True) > 0
                        and any(times_in(x.text) and self.coverage(q, x.text, chars=True) >= full
                                for x in (c.clause, c.sentence))), None)
            if alt is not None:
                best = alt
                times = times_in(best.sentence.text)
        if form == "when" and not times:
            return SideAnswer(side, form, True, "when", nearest=nearest, meta=meta)
        text = self._fact_text(best)
        when = next((c for c in clauses(best.sentence.text) if c.start <= times[0].start() < c.end), None) \
            if form == "when" and not times_in(text) else None
        if when is not None:
            # the time is in another clause of the sentence ("力争到2030年，…，碳达峰目标如期实现")
            lead = strip_punct(display(when.text))
            joined = next((lead + sep + text for sep in ("，", ",", "；") if normalize(lead + sep + text[:8])
                           in normalize(display(best.sentence.text))), lead + "……" + text)
            return SideAnswer(side, form, False, direct=joined, primary=[(best.hit, display(best.sentence.text))],
                              nearest=nearest, meta=meta)
        if form == "where" and not _has_place(best.sentence.text, tuple(t.text for t in q.terms if len(t.text) >= 2)):
            return SideAnswer(side, form, True, "where", nearest=nearest, meta=meta)
        return SideAnswer(side, form, False, direct=text, primary=[(best.hit, self._quote(best, text))],
                          nearest=nearest, meta=meta)

    def _quote(self, best: Candidate, direct: str) -> str:
        """The sentence the answer comes from; the whole passage when the answer reaches beyond it."""
        quote = best.sentence.text
        if direct and normalize(direct) not in normalize(quote):
            quote = best.hit.passage.text
        return display(quote)

    def _answer_figure(self, q: Query, r: Retrieval, side: Side | None, frame, best: Candidate,
                       nearest: list[Hit], meta: dict) -> SideAnswer:
        recs = self.records(q, r, side)
        if q.asks_per_unit:
            # "per person", "at most": only a figure stated per unit answers (reports mostly give totals)
            recs = [x for x in recs if re.search(r"每|[\u4e00-\u9fff]均|月最低|标准|最高|最多|不超过", x[1].clause)]
        # English: a figure in the unit the question names outright ("how many kilometres") needs less
        # of a word match, since the dictionary's alternatives dilute it
        fitting = [x for x in recs if _fits_units(x[1], q.units) and x[3] >= (
            FIGURE_MATCH_EN_UNIT if q.lang == "en" and q.units and set(q.units) != set(COUNT_UNITS) else FIGURE_MATCH)]
        # a figure in the unit the question prefers ("投资多少": money) beats a close one in another unit
        top = fitting[0][0] if fitting else 0.0
        preferred = [x for x in fitting if q.soft_units and unit_ok(x[1].text, q.soft_units) and x[0] >= top - 0.5]
        match = (preferred or fitting or [None])[0]
        if match is None:
            # the report gives no figure for this metric; the nearest figure is shown labelled, never as the answer
            near = next(((f, h) for _, f, h, _ in recs), None)
            nearby = (strip_punct(display(near[0].metric)) or near[0].text, near[0].text, near[1]) if near else None
            if not q.asks_number:
                # "空气质量今年啥目标": a target stated in words answers, from a clause that states no
                # figure of another metric
                words = next((c for c in self.candidates(q, r) if not c.figures and c.coverage >= FIGURE_MATCH), None)
                if words is not None:
                    text = strip_punct(display(words.clause.text))
                    return SideAnswer(side, "figure", False, direct=text, primary=[(words.hit, self._quote(words, text))],
                                      nearest=nearest, label=self._label(None, words.hit.passage, frame), meta=meta)
            near_hits = ([nearby[2]] if nearby else []) + [h for h in nearest if not nearby or h is not nearby[2]]
            return SideAnswer(side, "figure", True, "figure_not_given", nearest=near_hits, nearby=nearby,
                              meta=meta)
        _, f, hit, _ = match
        if q.asks_total and not _NEW_IN_QUESTION.search(q.norm):
            if _is_new(f):
                return SideAnswer(side, "figure", True, "total", nearest=[hit] + nearest, meta=meta)
        text = self._figure_text(q, f)
        para = self._text[(f.source, f.line)]
        sent = next((s for s in self._sentences[(f.source, f.line)] if s.start <= f.start < s.end), None)
        quote = display(sent.text if sent else para)
        if normalize(text) not in normalize(quote):
            quote = display(hit.passage.text)
        meta = {**meta, "record": f.to_json()}
        return SideAnswer(side, "figure", False, direct=text, primary=[(hit, quote)], nearest=nearest,
                          label=self._label(f, hit.passage, frame), meta=meta)

    def _answer_yesno(self, q: Query, r: Retrieval, side: Side | None, frame, cands: list[Candidate],
                      nearest: list[Hit], meta: dict) -> SideAnswer:
        """Settled when a sentence names everything the question asks about (its topic words and the
        figure it states, if any); the clause of that sentence that does so is the answer."""
        best = None
        seen: set[tuple] = set()
        parts = self._yesno_parts(q) if q.asked else None
        if _GOES_ON.search(q.norm) and not q.mentions.times:
            # "以后还会继续搞吗": this year's plans settle whether it goes on before last year's review
            # (优化西沙邮轮旅游航线 was done; 平稳有序发展西沙旅游 is what goes on)
            cands = sorted(cands, key=lambda c: c.hit.passage.role == "review")
        if parts is not None and parts[0].terms:
            # the clauses that name what is asked first ("还有生育补贴吗": 落实生育补贴政策), before those
            # that name only its topic (孩子: 残疾儿童康复救助)
            cands = sorted(cands, key=lambda c: self.coverage(parts[0], c.clause.text, chars=True, predicate=True)
                           < YESNO_ASKED)
        if side is not None and side.wants == "result" and not (NOW.search(q.norm) and not WANTS_RESULT.search(q.norm)):
            # "did it already…": what the review of the year says settles it before this year's plans
            # (not "is it now…": a plan in force settles that as well)
            # (and of the reviews, one of the years asked before the five years': "last year" is 2025's)
            cands = sorted(cands, key=lambda c: (c.hit.passage.role != "review",
                                                 bool(side.years) and not set(c.hit.passage.years) <= set(side.years)))
        # a name the question quotes ("这些“两新”政策还继续搞吗"), where the report writes it, is what
        # it asks about: its examples (家电汽车以旧换新) named elsewhere do not settle it
        quoted = [x for x in map(normalize, QUOTED_NAME.findall(q.text))
                  if len(x) >= 2 and any(x in normalize(h.passage.text) for h in r.hits)]
        for c in cands:
            key = (c.hit.passage.key, c.sentence.start)
            seen.add(key)
            if len(seen) > 8:
                break
            if quoted and not any(_written(x, normalize(c.sentence.text)) for x in quoted):
                continue
            if self._settles(q, c, parts):
                best = c
                break
        if best is None:
            return SideAnswer(side, "yesno", True, "yesno_unsettled", nearest=nearest, meta=meta)
        text = self._fact_text(best)
        if _ASKS_DONE.search(q.norm) and not _PREPARES.search(q.norm):
            # "今年会正式实行吗" and the report says only 方案研究 (of the clauses shown, the one that names
            # most of the question): it does not say; that clause leads the nearest passages
            about = max(clauses(text), key=lambda c: self.coverage(q, c.text, chars=True))
            if _only_prepares(about.text, _ASKS_DONE.search(q.norm).group(0)):
                return SideAnswer(side, "yesno", True, "yesno_unsettled", nearest=[best.hit] + nearest, meta=meta)
        agrees = True
        if q.stated_figures:
            asked = parse_all(" ".join(q.stated_figures))
            given = parse_all(numerals_to_digits(best.sentence.text))  # 三十年 states 30年
            # (a figure named as a class, "a trillion-yuan economy": 迈入万亿级城市)
            as_class = any(re.sub(r"^1(?=[万亿千百])|元$", "", a.text) in normalize(best.sentence.text)
                           for a in asked if re.match(r"1[万亿千百]", a.text))
            if not as_class and not any(a.unit == b.unit or not a.unit for a in asked for b in given):
                # "能涨到每月200元吗" and the report says only 提高: it does not say how much
                return SideAnswer(side, "yesno", True, "yesno_unsettled", nearest=[best.hit] + nearest, meta=meta)
            agrees = any(same_value(a, b) for a in asked for b in given)
        # "还会引进高耗能项目吗" settled by "杜绝新招高污染、高耗能…项目": the report rules it out, so the
        # answer quotes it without a "yes"
        # ("还要自己掏钱吗" settled by "费用…零自付" is a "no": the clause is quoted without a "yes" too)
        rules_out = (bool(_RULES_OUT.search(best.clause.text)) and not _RULES_OUT.search(q.norm)) \
            or (bool(_occurrence_words(q)) and bool(_NONE_OCCURRED.search(best.clause.text))) \
            or (bool(_PAYS.search(q.asked)) and bool(_FREE.search(best.clause.text)))
        meta = {**meta, "agrees": agrees, "rules_out": rules_out}
        return SideAnswer(side, "yesno", False, direct=text, primary=[(best.hit, self._quote(best, text))],
                          nearest=nearest, meta=meta)

    def _settles(self, q: Query, c: Candidate, parts: tuple[Query, Query, list[str]] | None) -> bool:
        """Does the clause shown settle the yes/no question? The clauses shown must, not the sentence
        at large: "落实免费学前教育政策，…，增加普通高中学位供给" does not say that high school becomes free.
        ``parts``: the question's ``_yesno_parts`` when its predicate is known."""
        from .segment import word_class

        if parts is None:
            need = YESNO_SETTLES_EN if q.lang == "en" else YESNO_SETTLES
            # (a dictionary's word written apart counts only as its short form: free is 免费, not
            # 减免…费; a name typed stays loose: 海口 in 湛海高铁)
            fact = self._fact_text(c)

            def share(query: Query) -> float:
                return min(self.coverage(query, c.sentence.text, chars=True, strict="dictionary"),
                           self.coverage(query, fact, chars=True, strict="dictionary"))

            got = share(q)
            if got < need and (occurs := _occurrence_words(q)) \
                    and _NONE_OCCURRED.search(c.clause.text):
                # "发生过重大森林火灾吗": a clause saying there was none (连续45年无重大森林火灾) settles it, no
                got = share(replace(q, terms=[t for t in q.terms if t not in occurs]))
            if got >= need:
                # (what is asked must not be said of another thing in the clause shown: "Will kindergarten be
                # made free": 普及15年免费特殊教育)
                return not self._said_of_another_en(q, c, fact)
            main = _proper_terms(q)
            if got >= YESNO_SETTLES_WITH_STORY and q.lang == "zh" and 0 < len(main) < len(q.terms) \
                    and share(replace(q, terms=main)) >= need:
                # the caller's story ("孩子学校夏天太热，…教室都装空调了吗") need not be the report's
                # words: what the question proper asks must all be there
                return True
            if not main and q.lang == "zh" and got >= YESNO_SETTLES_WITH_STORY:
                # a question proper that names nothing ("我们厂一直享受…电价补贴，今年还有吗"): what the
                # story names is asked, not what the caller does with it (享受)
                named = tuple(t for t in q.terms if word_class(t.group or t.text)[:1] != "v")
                if 0 < len(named) < len(q.terms) and share(replace(q, terms=named)) >= need:
                    return True
            # an English question loses words on the way through a dictionary ("special bus lines that
            # take tourists around the sights"): a little less will do when the clause holds its most
            # specific word (a subway no report mentions is not settled by 新修建森林防火通道)
            return q.lang == "en" and got >= YESNO_SETTLES_EN_RAREST and self._holds_rarest(q, c.clause.text)
        asked, topic, things = parts
        if not topic.terms and not things and all(word_class(t.group or t.text)[:1] == "v" for t in asked.terms):
            return False  # nothing it is about ("管不管？"): no clause settles a bare verb
        # what is asked must be in one clause: 还限购吗 is not settled by 公积金提限…购房, nor 高中免费吗
        # by "落实免费学前教育政策，…，增加普通高中学位供给"; a thing no report names (消费券, 首付)
        # must be there in short form (春假秋假: 春秋假)
        # (the clause names the topic itself: 免费特殊教育 does not make kindergarten free)
        # (the topic may be what is asked: "幼儿园大班那一年不用交保教费了" names no other)
        pays = bool(_PAYING.search(q.asked)) and bool(_FREE.search(c.clause.text)) \
            and any(len(t.text) >= 2 and t.text in normalize(c.clause.text) for t in topic.terms or asked.terms)
        # (and the words of what is paid, 交保教费, are the caller's too)
        paid = m.group(0) if pays and (m := _PAYS.search(q.norm)) else ""
        if any(not _abbreviates(w, c.clause.text) for w in things
               if not (pays and (_MONEY_WORD.search(w) or w in paid))):
            return False
        rare = lambda w: (self.bm25.idf_of(w) or self._max_idf) >= RARE_NAME * self._max_idf  # noqa: E731
        if _other_scheme(q.norm, c.clause.text) or _names_another(topic, c.clause.text, rare):
            return False
        if not any(len(t.text) >= 2 and t.text in normalize(c.clause.text) for t in topic.terms) \
                and (_other_scheme(q.norm, c.sentence.text) or _names_another(topic, c.sentence.text, rare)):
            # the topic is another clause's, and that clause is about another thing: 城市低保 asked,
            # "农村低保标准提高6%，提高居民基础养老金" does not settle it by its second clause
            return False
        if asked.terms and not pays and self.coverage(asked, c.clause.text, chars=True, predicate=True) < YESNO_ASKED \
                and not _contracted(q.asked, asked, c.clause.text) and not _ruled_out(asked, c.clause.text):
            return False
        if not topic.terms:
            return True
        # (a predicate that is only a light verb, 以旧换新补贴还搞不搞, asks whether its topic goes on)
        named = [t for t in (asked.terms or topic.terms)
                 if len(t.text) >= 3 and has_cjk(t.text) and t.text in normalize(c.clause.text)]
        # (a name the caller quotes, “湘超”足球联赛, is the thing itself however short; what follows it describes it)
        quoted = {normalize(m.group(1)) for m in QUOTED_NAME.finditer(q.text)}
        if any(len(t.text) >= YESNO_NAMED_ALONE or (t.text in quoted and len(t.text) >= 2)
               for t in [*named, *(t for t in topic.terms if t.text in normalize(c.clause.text))]) \
                or _shares_a_name(q.asked, c.clause.text, rare) \
                or (named and all(t.weight <= CONTEXT_WEIGHT for t in topic.terms)):
            # (or the topic is only the caller's story: "给政府单位干活的钱一直没结，今年政府会清欠吗")
            return True  # a name that long (职业伤害保障) is the topic itself: "送外卖的骑手有没有…" is the caller's case
        if named:
            # a specific thing asked, named in the clause (老年助餐, 无还本续贷): the words around it
            # are the caller's ("社区会搞…"); the passage need only touch them
            return self.coverage(topic, c.hit.passage.text, chars=True, strict=True) >= YESNO_TOPIC_NAMED
        if self.coverage(topic, c.sentence.text, chars=True, strict=True) >= YESNO_TOPIC:
            # (the topic is elsewhere in the sentence: what is asked must not be said of another thing in
            # the clause, 幼儿园会免费吗 and "发展学前…特殊教育,普及15年免费特殊教育")
            return not _said_of_another(asked, topic, c.clause.text) \
                and not _topic_elsewhere(asked, topic, c.clause.text, c.sentence.text)
        proper = _proper_terms(topic)
        if proper and len(proper) < len(topic.terms) \
                and self.coverage(replace(topic, terms=proper), c.clause.text, chars=True, strict=True) >= 0.99:
            # the clause names all the question proper asks about (孩子成绩一般，普高今年会扩招吗: 扩大普通高中
            # 招生比例); the caller's story need not be the report's words
            return True
        last = _clauses_of(q.norm)[-1]
        if asked.terms and len(last) < len(q.norm) and not any((t.group or t.text) in last for t in topic.terms):
            # the question's last clause asks only the predicate ("农民工被拖欠工资，政府今年还管不管？"):
            # the clause need only name the rarest word of the caller's story (欠薪)
            rarest = max(topic.terms, key=lambda t: self.bm25.idf_of(t.text) or self._max_idf)
            if len(rarest.text) >= 3 and has_cjk(rarest.text) and not self.bm25.idf_of(rarest.text) \
                    and self.bm25.idf_of(rarest.text[:2]):
                # a compound no report writes (预付卡) is found by the word it starts with (预付式消费)
                return rarest.text[:2] in normalize(c.clause.text)
            return len(rarest.text) >= 2 and rarest.text in normalize(c.clause.text)
        return False

    def _said_of_another_en(self, q: Query, c: Candidate, fact: str) -> bool:
        """``_said_of_another`` for an English question: its words that say something of a thing (free:
        免费; every reading a verb or adjective) against the others, the topic, which the sentence names
        outside the clause; ``fact``: the clauses shown."""
        from .segment import word_class

        if q.lang != "en":
            return False
        said = tuple(t for alts in _by_group(q.terms).values() if all(word_class(x.text)[:1] in ("v", "a") for x in alts)
                     for t in alts)
        topic = replace(q, terms=tuple(t for t in q.terms if t not in said and has_cjk(t.text)))
        if not said or not topic.terms or self.coverage(topic, c.sentence.text, chars=True) == 0.0:
            return False
        # (of the clauses shown, those that say it: "发展学前…特殊教育，普及15年免费特殊教育" is shown for
        # its first clause, and its second says what is free; one clause that says it of the topic will do)
        saying = [x for x in clauses(fact) if any(t.text in normalize(x.text) for t in said)]
        return bool(saying) and all(_said_of_another(replace(q, terms=said), topic, x.text) for x in saying)

    def _holds_rarest(self, q: Query, text: str) -> bool:
        """Does ``text`` hold the question's most specific word: of its words, the one rarest in the
        reports? A word's alternatives (subway: 地铁|轨道交通) are as specific as the commonest of them,
        which is the one most likely found; a reading no report uses counts as rarer than any."""
        top = self._max_idf + 1.0
        best: dict[str, float] = {}
        # (the words of the caller's situation or examples are not what the question is about)
        for t in _proper_terms(q) or q.terms:
            toks = tokens(t.text, normalized=True)
            if not toks:
                continue
            idf = sum(self.bm25.idf_of(x) or top for x in toks) / len(toks)
            key = t.group or t.text
            best[key] = min(best.get(key, idf), idf)
        if not best:
            return False
        rarest = max(best, key=best.get)
        norm = normalize(text)
        return any(t.text in norm for t in q.terms if (t.group or t.text) == rarest)

    def _yesno_parts(self, q: Query) -> tuple[Query, Query, list[str]]:
        """The question split into what is asked (the predicate's terms), its topic (the rest), and
        the things it asks about that no report names."""
        from .segment import word_class

        asked, topic, things = [], [], []
        known_of = {t: any(self.bm25.idf_of(x) for x in tokens(t.text, normalized=True)) for t in q.terms}
        known_groups = {t.group or t.text for t, k in known_of.items() if k}
        # the predicate without the longer words in it: a character counts as asked only outside them
        # (村 of 城中村改造 is not asked; 涨 of 再涨 is)
        bare = q.asked
        for w in sorted({t.group or t.text for t in q.terms}, key=len, reverse=True):
            if len(w) > 1:
                bare = bare.replace(w, " ")
        # the question is its last clause; the clauses before it tell the caller's situation
        # ("我家住的是八九十年代的老小区，今年有没有改造的份？"), whose words weigh less as topic
        *before, last = _clauses_of(q.norm)
        context = "".join(before)
        for t in q.terms:
            word = t.group or t.text
            known = known_of[t]
            if not known and word in known_groups:
                continue  # an alternative no report uses, beside one they do (网上: 互联网|线上)
            if t.origin == "zh" and (word_class(word) in _FILLER_CLASSES or word[:1] in "这那") \
                    and not re.fullmatch(r"\d{4,}", word):  # (a long number is a name: the 12345 hotline)
                continue
            # a word of the predicate, not a character of a longer word in it (村 of 城中村改造)
            if word in (q.asked if len(word) > 1 else bare):
                if t.origin == "zh" and len(t.text) == 1 and _is_verb(t.text):
                    continue  # a light verb (放, 搞, 开): 春秋假还放吗 asks about 春秋假
                if t.origin in ("zh", "synonym") and re.search(rf"[给为帮替]{re.escape(t.group or t.text)}", q.asked):
                    # whom it is for (给孩子开人工智能课): the report names the measure, not always them
                    t = replace(t, weight=t.weight * ABSENT_VERB_WEIGHT)
                if t.text in _CITIZEN_VERBS:
                    # what a caller does with a measure (能参加生育保险吗): the report says whom it covers
                    # (生育保险拓宽至灵活就业人员), not that anyone joins
                    t = replace(t, weight=t.weight * ABSENT_VERB_WEIGHT)
                if not known and has_cjk(t.text) and len(t.text) > 1:
                    if re.search(rf"[给为帮替]{re.escape(t.text)}", q.asked):
                        continue  # whom it is for, in the caller's words (给家里人用): the report names the measure
                    if not (_is_verb(t.text) or word_class(t.text).startswith("a") or RESULTATIVE.fullmatch(t.text)):
                        things.append(t.text)
                        continue
                    # a verb no report uses is the caller's phrasing (翻修改造: 改造 is what is asked)
                    t = replace(t, weight=t.weight * ABSENT_VERB_WEIGHT)
                asked.append(t)
            else:
                w = t.weight * (1.0 if known else ABSENT_TOPIC_WEIGHT)
                if context and word in context and word not in last:
                    if not known:
                        continue  # the caller's own story (家住…年代, 爸妈…做饭): no report's words
                    w *= CONTEXT_TOPIC_WEIGHT
                topic.append(replace(t, weight=w))
        return replace(q, terms=tuple(asked)), replace(q, terms=tuple(topic)), things

    @staticmethod
    def naming(part: SideAnswer, names: tuple[str, ...], located: tuple[str, ...] = ()) -> SideAnswer:
        """The answer, kept only where its passages name one of ``names`` (a city answered from its
        province's report); otherwise "the report does not say", with the same nearest passages.
        ``located``: the names the question places what it asks in ("held in Dalian"): a yes or no
        is about that city only where the clause shown names it."""
        if part.refused:
            return part
        if part.bullets:
            kept = [(t, h) for t, h in part.bullets if any(n in normalize(h.passage.text) for n in names)]
            if kept:  # the direct answer and the citations are the bullets kept
                keys = {h.passage.key for _, h in kept}
                return replace(part, bullets=kept, direct="\n".join(t for t, _ in kept),
                               primary=[(h, quote) for h, quote in part.primary if h.passage.key in keys])
        elif part.form == "yesno" and located:
            if any(n in normalize(part.direct) for n in located):
                return part
        elif any(n in normalize(h.passage.text) for h, _ in part.primary for n in names):
            return part
        nearest = [h for h, _ in part.primary] + [h for h in part.nearest if all(h is not x for x, _ in part.primary)]
        return SideAnswer(part.side, part.form, True, "not_mentioned", nearest=nearest, meta=part.meta)

    def _only_counts(self, q: Query, best: Candidate) -> bool:
        """Does the question ask which ones of a count the report states ("20件民生实事具体是哪些"),
        where the report gives the count ("办理20件民生实事") and no list of them ("包括…", "：…")?"""
        # (a rate the caller states, "社零要涨5%，打算怎么拉动消费", counts no things)
        asked = [a for a in parse_all(" ".join(q.stated_figures)) if a.unit not in PERCENT_UNITS]
        # without a stated count, only a question asking for the members ("…具体是哪些") qualifies
        topic = [t.text for t in q.topic_terms if len(t.text) >= 2] if _ASKS_MEMBERS.search(q.text) else []
        for c in self.candidates(q, Retrieval(hits=[best.hit]), depth=1)[:12]:
            if not asked and c.sentence.start != best.sentence.start:
                continue  # a count in another sentence ("布局13个绿电产业园区") counts other things
            clause = c.clause.text
            for f in parse_all(clause):
                after = normalize(clause[f.end:])
                # the count the question states, or a count right before what the question asks about
                # ("就业率保持95%以上、市场就业率…" is a rate, and 就业 after it is not what it counts)
                if any(same_value(a, f) for a in asked) or (not asked and f.unit in COUNT_UNITS and any(
                        re.match(rf"[^，,、；;。：:]{{0,4}}{re.escape(t)}", after) for t in topic)):
                    # the list may follow in the next clause ("办好15件民生实事，包括：…")
                    rest = normalize(c.sentence.text[c.clause.start - c.sentence.start + f.end:])
                    return not _LISTS.search(rest[: len(after) + 6])
        return False

    def secondary_quote(self, q: Query, hit: Hit, chunk_dense) -> str:
        """The sentence of a further passage to quote (the shared quote selector, with dense scores)."""
        ps = hit.passage
        weights = self.weights(q)
        sents = self._passage_sentences(ps)
        extra = {s.start - ps.start: 2.5 * self._dense_of(ps, s, chunk_dense) for s in sents}
        for s in sents:  # the title sentence is a label, not a quote
            if self._is_heading(ps, s) and len(sents) > 1:
                extra[s.start - ps.start] = -100.0
        terms = sorted(weights, key=lambda t: -weights[t])
        return display(best_sentence(ps.text, terms, extra))
