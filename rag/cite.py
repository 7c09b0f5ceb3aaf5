"""Citations: the one home of how a passage is named and quoted.

* ``header`` names a citation for readers: 《威海市2025年政府工作报告》（五）倾力提升城市功能品质… ›
  高水平打造智慧城市（第29行）; the chat, the CLI, the generative path and the lookup all use it.
* ``best_sentence`` picks the sentence of a paragraph to quote for a set of terms, for the
  answerer's secondary citations and the operator lookup alike.
* ``citation_text`` is the line an operator reads out or copies.

Quotes are the report's text (injected adverts were removed at ingest; ``display`` removes them
again defensively); nothing else is changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from .clean import remove_injected
from .normalize import to_script
from .text import normalize, sentences, strip_punct
from .types import Citation


def display(text: str) -> str:
    """Report text as shown to users: never injected text (ingest removed it; this is defence in depth)."""
    return remove_injected(text).strip()


def location(section: str, line: int, lang: str = "zh", script: str = "hans") -> str:
    where = f"line {line}" if lang == "en" else to_script(f"第{line}行", script)
    return f"{section}（{where}）" if section else f"（{where}）"


def header(c: Citation, lang: str = "zh", script: str = "hans", *, with_title: bool = True) -> str:
    """How a citation is named: [n] 《title》 section（第N行）."""
    title = f"《{c.title}》" if with_title and c.title else ""
    return f"[{c.n}] {title}{location(c.section, c.line, lang, script)}"


def quote_lines(citations: Sequence[Citation], lang: str = "zh", script: str = "hans") -> list[str]:
    out = []
    for c in citations:
        out.append(header(c, lang, script))
        out.append(f"> {c.quote}")
    return out


def best_sentence(text: str, terms: Sequence[str], extra: dict[int, float] | None = None) -> str:
    """The sentence of ``text`` holding most of ``terms`` (normalised), ties to the earliest; the
    whole text when no sentence holds any. ``extra`` adds a score per sentence start offset
    (the answerer's dense similarity)."""
    spans = [s for s in sentences(text) if len(strip_punct(s.text)) >= 2]
    if not spans:
        return text.strip()

    def score(s) -> tuple[float, int]:
        norm = normalize(s.text)
        return (sum(len(t) for t in terms if t and t in norm) + (extra or {}).get(s.start, 0.0), -s.start)

    best = max(spans, key=score)
    if score(best)[0] > 0:
        return best.text.strip()
    rest = [s for s in spans if (extra or {}).get(s.start, 0.0) > -100.0]
    return (rest[0].text if rest else text).strip()


def citation_text(title: str, section: str, line: int, quote: str) -> str:
    """A citation an operator can read out or paste:
    《威海市2025年政府工作报告》（五）倾力提升城市功能品质… › 高水平打造智慧城市（第29行）：“新建5g基站900座”"""
    return f"《{title}》{section}（第{line}行）：“{display(quote)}”"
