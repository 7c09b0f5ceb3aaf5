"""Follow-up questions, offline: rewrite a turn that leans on the conversation into a standalone
question (no LLM).

A turn is read against the previous (already resolved) user question:

* it names a topic and says what it wants (多少, 哪些, how many …) → a new question, as is;
* it names a topic but no frame ("智慧社区呢？", "and the grain target?") → the new topic in the
  previous question's frame; "其中工业的呢" narrows the previous topic instead of replacing it;
* it says what it wants but names no topic ("具体是哪些？", "那什么时候能通航？") → the
  previous topic with the new frame.

A frame carried over from the previous turn is soft: "那CPI呢？" after "GDP目标多少" asks about
the CPI target, and the report's answer (保持在合理区间) is a statement, not a figure, so the
answerer must not refuse for want of a number it was never asked for in this turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .lexicon import Lexicon
from .query import ZH_STOPWORDS, Query, analyze
from .text import clean_input, has_cjk

# Leading/trailing words that mark a turn as leaning on the previous one.
_ZH_LEAD = re.compile(r"^(?:那么|那|还有|另外|再问一下|再问|然后|其中|以及|和|跟)+[，,、\s]*")
_ZH_TAIL = re.compile(r"(?:呢|呀|嘛|吧|咧)?[？?。！!\s]*$")
_EN_LEAD = re.compile(r"^(?:and|also|so|then|what about|how about|and what about|and how about|what of|"
                      r"anything (?:about|on)|and for|for|regarding|as for)\b[\s,]*", re.IGNORECASE)
_EN_TAIL = re.compile(r"[?.!\s]*$")
_NARROW = re.compile(r"^(?:其中|里面|这里面|这其中)|\bof (?:them|those|which)\b|\bamong (?:them|those)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Resolution:
    question: str  # the standalone question to answer
    followup: bool  # the turn leaned on the conversation
    soft_frame: bool  # the number/unit intent came from an earlier turn


def user_turns(history: Sequence[Any] | None) -> list[str]:
    """The user's earlier questions from a history in any of the usual shapes: Gradio/OpenAI
    messages ({"role", "content"}), (user, assistant) pairs, or plain strings."""
    out: list[str] = []
    for item in history or []:
        if isinstance(item, dict):
            if item.get("role") == "user" and isinstance(item.get("content"), str):
                out.append(item["content"])
        elif isinstance(item, list | tuple) and item and isinstance(item[0], str):
            out.append(item[0])
        elif isinstance(item, str):
            out.append(item)
    return [clean_input(t) for t in out if clean_input(t)]


def _frame_of(q: Query) -> str:
    """The previous question minus its topic: the words that say what was wanted."""
    from .segment import segment

    if q.lang == "en":
        from .lexicon import EN_STOPWORDS

        words = re.findall(r"[A-Za-z']+|\d+", q.text)
        keep = [w for w in words if w.lower() in EN_STOPWORDS and w.lower() not in {"city", "report"}]
        return " ".join(keep)
    keep = [tok for tok in segment(q.text) if tok in ZH_STOPWORDS or not has_cjk(tok) and not tok.strip().isalnum()]
    return "".join(keep).strip()


def _topic_of(q: Query) -> str:
    """The previous question's topic words, as the user wrote them."""
    groups = list(dict.fromkeys(t.group or t.text for t in q.topic_terms))
    if q.lang == "en":
        return " ".join(groups)
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", " ".join(groups))  # Chinese words run together


def _strip_markers(text: str, lang: str) -> str:
    if lang == "en":
        return _EN_TAIL.sub("", _EN_LEAD.sub("", text)).strip()
    return _ZH_TAIL.sub("", _ZH_LEAD.sub("", text)).strip()


def resolve_turn(text: str, previous: str | None, lexicon: Lexicon | None = None) -> Resolution:
    """Resolve one turn against the previous resolved question (None at the start)."""
    if not previous:
        return Resolution(text, False, False)
    here = analyze(text, lexicon)
    before = analyze(previous, lexicon)
    own_topic = bool(here.topic_terms) or bool(here.en_unmatched)
    leaning = bool(_ZH_LEAD.match(text) or re.search(r"呢[？?。!！\s]*$", text) or _EN_LEAD.match(text)
                   or _NARROW.search(text))
    if own_topic and here.has_frame and not leaning:
        return Resolution(text, False, False)  # a complete new question
    core = _strip_markers(text, here.lang)
    if not own_topic:
        # a new frame on the old topic: "具体是哪些？", "那什么时候能通航？"
        topic = _topic_of(before)
        joined = f"{topic} {core}" if here.lang == "en" or before.lang == "en" else f"{topic}{core}"
        return Resolution(joined.strip(), True, not here.has_frame)
    if here.has_frame and not _NARROW.search(text):
        # "那什么时候能通航？": its own frame; words the report never uses ("通航") do not
        # replace the topic, they add to it
        if lexicon is not None and lexicon.corpus and not any(t.text in lexicon.corpus for t in here.topic_terms):
            topic = _topic_of(before)
            return Resolution(f"{topic} {core}" if here.lang == "en" else f"{topic}{core}", True, False)
        return Resolution(core, True, False)
    if _NARROW.search(text):
        # "其中工业的呢": the new topic inside the old one, in the old frame
        core = _NARROW.sub("", core).strip("的 ")
        joined = f"{core} {previous}"
        return Resolution(joined, True, True)
    # "智慧社区呢？", "and the grain target?": the new topic in the old frame
    frame = _frame_of(before)
    if here.lang == "en" or before.lang == "en":
        joined = f"{frame} {core}".strip()
    else:
        joined = f"{core}{frame}".strip()
    return Resolution(joined or text, True, True)


def resolve(text: str, history: Sequence[Any] | None, lexicon: Lexicon | None = None) -> Resolution:
    """Resolve ``text`` against the whole conversation (earlier turns resolved in order)."""
    previous: str | None = None
    for turn in user_turns(history)[-6:]:
        previous = resolve_turn(turn, previous, lexicon).question
    return resolve_turn(clean_input(text), previous, lexicon)


def soften(q: Query, followup: Query) -> Query:
    """Keep the carried-over frame as a preference, not a demand (see module docstring)."""
    from dataclasses import replace

    return replace(q, asks_number=followup.asks_number, units=followup.units,
                   wants_figure=q.wants_figure or q.asks_number, asks_total=followup.asks_total,
                   asks_per_unit=followup.asks_per_unit)
