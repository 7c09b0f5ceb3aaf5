"""Rendering for the web UI: ``Answer`` -> chat messages, ``Hit`` -> lookup HTML.

Pure functions over the pipeline's types, no Gradio import. Every piece of text that did not
come from this module (user input, report text, section titles) is escaped before it is put
into Markdown or HTML, so it always renders as literal text: ``escape_md`` for Markdown (the
chat), ``escape_html`` for HTML (the lookup view). Highlighting escapes the passage first and
only then wraps matches in ``<mark>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from rag.answer import messages
from rag.text import FIGURE, clean_input, normalize, sentences
from rag.types import Answer, Hit, Paragraph

# HTML-significant characters become entities. "{", "}", "$", "`" and "\\" too: gr.HTML runs
# its value through a template engine, and an entity is only decoded by the browser afterwards.
_HTML_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;", "\\": "&#92;",
}
# Markdown: characters that start inline syntax anywhere are backslash-escaped (links and
# images need "[", code "`", emphasis "*" "_" "~", tables "|", LaTeX "$", e-mail links "@"); "<", ">" and "&"
# become entities (no raw HTML, no <autolinks>). Block syntax only counts at the start of a
# line, and GFM's bare autolinks need "://" or "www.": those are escaped where they occur.
# Other punctuation (the report's ASCII commas, colons, decimal points) stays as it is, so
# copying a message gives readable text.
_MD_ALWAYS = {"\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|",
              "~": "\\~", "$": "\\$", "@": "\\@", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_LINE_START = re.compile(r"^([#+=-]|\d+(?=[.)]))")
_MD_AUTOLINK = re.compile(r"(?<=[A-Za-z]):(?=//)|(?<=www)\.", re.IGNORECASE)


def escape_html(text: str) -> str:
    return "".join(_HTML_ENTITIES.get(ch, ch) for ch in str(text))


def _escape_md_line(line: str) -> str:
    line = line.lstrip()  # four leading spaces would make a code block
    extra: set[int] = {m.start() for m in _MD_AUTOLINK.finditer(line)}  # "http\\://", "www\\."
    m = _MD_LINE_START.match(line)
    if m:  # "# x", "- x", "+ x", "===", "1. x", "1) x" would become headings, lists, rules
        extra.add(m.end() if m.group(1).isdigit() else m.start())
    return "".join(("\\" if i in extra else "") + _MD_ALWAYS.get(ch, ch) for i, ch in enumerate(line))


def escape_md(text: str) -> str:
    """Text that renders as itself in (GitHub-flavoured) Markdown, HTML and links included."""
    return "\n".join(_escape_md_line(line) for line in str(text).split("\n"))


def _bold_figures(text: str) -> str:
    """Markdown for a direct answer: the figures in bold (the whole answer when it has none)."""
    spans = [(m.start(), m.end()) for m in FIGURE.finditer(text)]
    if not spans:
        return f"**{escape_md(text)}**"
    out, pos = [], 0
    for start, end in spans:
        out.append(escape_md(text[pos:start]))
        out.append(f"**{escape_md(text[start:end])}**")
        pos = end
    out.append(escape_md(text[pos:]))
    return "".join(out)


def citation_title(c: Any, lang: str) -> str:
    """``[1] （五）… › 高水平打造智慧城市（第29行）`` (as Markdown) for a Citation or its JSON dict."""
    get = c.get if isinstance(c, dict) else lambda k: getattr(c, k)
    line = messages(lang).line.format(line=get("line"))
    return escape_md(f"[{get('n')}] {get('section')}（{line}）")


def user_message(question: str) -> dict[str, Any]:
    """The question echo: the user's text exactly as text (whitespace collapsed)."""
    return {"role": "user", "content": escape_md(clean_input(question)) or "\u00a0"}


def answer_messages(answer: Answer) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the main message, the cited passages as collapsible messages) for one ``Answer``.

    A refusal says so in its first line ("报告中没有提到…") and then offers the nearest
    passages; a rejected input (empty, too long) is just the pipeline's message.
    """
    m = messages(answer.lang)
    if answer.error:
        return {"role": "assistant", "content": escape_md(answer.answer)}, []
    if answer.refused:
        reason = answer.answer.split("\n\n", 1)[0].strip()
        lines = [f"**{escape_md(reason)}**"]
        if answer.citations:
            lines += ["", escape_md(m.nearest)]
    else:
        lead = escape_md(m.answer_lead) if m.answer_lead else ""
        lines = [f"{lead}{_bold_figures(answer.direct_answer)} \\[1\\]"]
        if answer.resolved_question:
            note = "Understood as" if answer.lang == "en" else "理解为"
            lines += ["", f"*{note}: {escape_md(answer.resolved_question)}*"]
        if answer.citations:
            # the passage the answer rests on is shown at once; further ones fold away
            first = answer.citations[0]
            lines += ["", escape_md(m.sources), "", citation_title(first, answer.lang), "",
                      "> " + escape_md(first.quote)]
    main = {"role": "assistant", "content": "\n".join(lines)}
    rest = answer.citations if answer.refused else answer.citations[1:]
    cites = [
        {
            "role": "assistant",
            "content": escape_md(c.quote),
            "metadata": {"title": citation_title(c, answer.lang), "status": "done"},
        }
        for c in rest
    ]
    return main, cites


# -- lookup --------------------------------------------------------------------------------
def highlight_terms(terms: Iterable[str]) -> list[str]:
    """Normalised terms worth highlighting: longest first; lone characters only if digits."""
    out = {normalize(t).strip() for t in terms}
    return sorted((t for t in out if len(t) > 1 or t.isdigit()), key=len, reverse=True)


def highlight(text: str, terms: Sequence[str]) -> str:
    """HTML of ``text`` with query terms in ``<mark>`` and figures in ``<mark class="fig">``.

    Matching is insensitive to case and width (``normalize`` keeps offsets), so "5G基站"
    highlights the report's "5g基站". Overlaps are merged; a figure that a term touches is
    marked as a match as a whole.
    """
    norm = normalize(text)
    kinds = [""] * len(text)
    for term in terms:
        if not term:
            continue
        for m in re.finditer(re.escape(term), norm):
            for i in range(m.start(), m.end()):
                kinds[i] = "hit"
    for m in FIGURE.finditer(text):  # a figure the query touches is a match as a whole ("900" -> "900座")
        kind = "hit" if "hit" in kinds[m.start():m.end()] else "fig"
        for i in range(m.start(), m.end()):
            kinds[i] = kind
    out, i = [], 0
    while i < len(text):
        kind = kinds[i]
        j = i
        while j < len(text) and kinds[j] == kind:
            j += 1
        piece = escape_html(text[i:j])
        if kind == "hit":
            out.append(f"<mark>{piece}</mark>")
        elif kind == "fig":
            out.append(f'<mark class="fig">{piece}</mark>')
        else:
            out.append(piece)
        i = j
    return "".join(out)


def best_sentence(text: str, terms: Sequence[str]) -> str:
    """The sentence of a paragraph that contains the most query terms (for a citation quote)."""
    spans = sentences(text)
    if not spans or not terms:
        return text.strip()

    def score(s) -> tuple[int, int]:
        norm = normalize(s.text)
        return (sum(len(t) for t in terms if t in norm), -s.start)

    best = max(spans, key=score)
    return best.text.strip() if score(best)[0] > 0 else text.strip()


def lookup_html(query: str, hits: Sequence[Hit], terms: Sequence[str]) -> str:
    if not clean_input(query or ""):
        return ('<div class="lk-empty">输入关键词后回车，例如 <b>5g基站</b>、<b>社零</b>、<b>供热管网</b>。'
                "<br>Type keywords and press Enter.</div>")
    if not hits:
        return (f'<div class="lk-empty">没有找到与“{escape_html(query)}”相关的段落。'
                "<br>No matching passages.</div>")
    items = []
    for n, h in enumerate(hits, start=1):
        p = h.paragraph
        items.append(
            f'<li class="lk-item" data-line="{p.line}">'
            f'<div class="lk-head"><span class="lk-rank">[{n}]</span> '
            f'<span class="lk-line">第{p.line}行</span> '
            f'<span class="lk-path">{escape_html(p.section_path)}</span></div>'
            f'<div class="lk-text">{highlight(p.text, terms)}</div></li>'
        )
    head = f'<div class="lk-summary">“{escape_html(query)}”：{len(hits)} 条结果 / results</div>'
    return f'<div class="lk-results">{head}<ol class="lk-list">{"".join(items)}</ol></div>'


def hit_choice(n: int, p: Paragraph) -> tuple[str, str]:
    """A (label, value) pair for the result picker; the value addresses the paragraph."""
    return (f"[{n}] 第{p.line}行 · {p.title[:24]}", paragraph_key(p))


def paragraph_key(p: Paragraph) -> str:
    return f"{p.line}@{p.source}"


def parse_key(key: str) -> tuple[str, int]:
    line, _, source = str(key).partition("@")
    return source, int(line)


# -- report structure ------------------------------------------------------------------------
def outline(paragraphs: Sequence[Paragraph]) -> list[tuple[str, list[Paragraph]]]:
    """Top-level parts in file order (title, preamble, the ten sections, closing) with their paragraphs."""
    groups: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        groups.setdefault(p.section[0] if p.section else p.title, []).append(p)
    return list(groups.items())


def section_html(paragraphs: Sequence[Paragraph], selected: str | None = None) -> str:
    """The full text of one part, paragraph by paragraph, with line numbers and subsection titles."""
    rows = []
    for p in paragraphs:
        cls = "rp-para rp-selected" if selected == paragraph_key(p) else "rp-para"
        title = escape_html(p.title) if p.kind in ("subsection", "preamble", "closing") else ""
        rows.append(
            f'<div class="{cls}" data-line="{p.line}"><span class="rp-line">第{p.line}行</span> '
            + (f'<span class="rp-title">{title}</span> ' if title else "")
            + f'<span class="rp-text">{escape_html(p.text)}</span></div>'
        )
    return f'<div class="rp-section">{"".join(rows)}</div>'


def paragraph_choice(p: Paragraph) -> tuple[str, str]:
    label = p.title if p.kind != "section" else "（总述）" + p.title[:20]
    return (f"第{p.line}行 · {label[:30]}", paragraph_key(p))
