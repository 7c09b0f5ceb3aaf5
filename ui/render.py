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

from rag.cite import header
from rag.figures import FIGURE
from rag.messages import Frame
from rag.normalize import to_script
from rag.text import clean_input, normalize
from rag.types import Answer, Figure, Hit, Paragraph

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


def citation_title(c: Any, lang: str, script: str = "hans") -> str:
    """``[1] 《威海市2025年政府工作报告》（五）… › 高水平打造智慧城市（第29行）`` (as Markdown), for a
    Citation or its JSON dict: which report, where in it, which line."""
    from rag.types import Citation

    if isinstance(c, dict):
        c = Citation(c["n"], c.get("source", ""), c.get("title", ""), c["line"], c.get("section", ""),
                     c.get("quote", ""), c.get("score", 0.0))
    return escape_md(header(c, lang, script))


def _segments_md(lines: list) -> list[str]:
    """The composer's answer lines (``Answer.meta["body"]``) as escaped Markdown."""
    out = []
    for segs in lines:
        parts = []
        for style, value in segs:
            if style == "strong":
                parts.append(_bold_figures(str(value)) if "\n" not in str(value) else escape_md(str(value)))
            elif style == "cite":
                parts.append(f" \\[{int(value)}\\]")
            else:
                text = str(value)
                if text.startswith(("- ", "  - ")):  # a list bullet stays a bullet
                    indent = "  " if text.startswith("  ") else ""
                    parts.append(indent + "- " + escape_md(text.strip()[2:]) if text.strip()[2:] else indent + "- ")
                else:
                    parts.append(escape_md(text))
        out.append("".join(parts))
    return out


def user_message(question: str) -> dict[str, Any]:
    """The question echo: the user's text exactly as text (whitespace collapsed)."""
    return {"role": "user", "content": escape_md(clean_input(question)) or "\u00a0"}


def answer_messages(answer: Answer) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the main message, the cited passages as collapsible messages) for one ``Answer``.

    The main message is the answer as the composer wrote it (a list as a list, a yes/no answer
    with its settling clause first, a comparison side by side, each with its [n]) and the
    passage the answer rests on; further passages fold away. A refusal says so plainly and then
    offers the nearest passages; a rejected input (empty, too long) is just the pipeline's message.
    """
    f = Frame(answer.lang, answer.script)
    if answer.error:
        return {"role": "assistant", "content": escape_md(answer.answer)}, []
    body = answer.meta.get("body")
    if body and answer.meta.get("llm") != "used":
        lines = _segments_md(body)
    else:  # a generated answer: its text before the sources
        lines = [escape_md(answer.answer.split("\n\n", 1)[0])]
    if answer.refused and lines:
        lines[0] = f"**{lines[0]}**" if not lines[0].startswith("- ") else lines[0]
    if answer.resolved_question:
        note = "Understood as" if answer.lang == "en" else to_script("理解为", answer.script)
        lines += ["", f"*{note}: {escape_md(answer.resolved_question)}*"]
    shown = 0
    if answer.citations:
        heading = answer.meta.get("sources_heading") or (f("nearest") if answer.refused else f("sources"))
        lines += ["", escape_md(heading)]
        if not answer.refused:
            # the passage the answer rests on is shown at once
            first = answer.citations[0]
            lines += ["", citation_title(first, answer.lang, answer.script), "", "> " + escape_md(first.quote)]
            shown = 1
    main = {"role": "assistant", "content": "\n".join(lines)}
    cites = [
        {
            "role": "assistant",
            "content": escape_md(c.quote),
            "metadata": {"title": citation_title(c, answer.lang, answer.script), "status": "done"},
        }
        for c in answer.citations[shown:]
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


def lookup_html(query: str, hits: Sequence[Hit], terms: Sequence[str], titles: dict[str, str] | None = None) -> str:
    titles = titles or {}
    if not clean_input(query or ""):
        return ('<div class="lk-empty">输入关键词后回车，例如 <b>生产总值</b>、<b>社零</b>、<b>就业</b>。'
                "<br>Type keywords and press Enter.</div>")
    if not hits:
        return (f'<div class="lk-empty">没有找到与“{escape_html(query)}”相关的段落。'
                "<br>No matching passages.</div>")
    items = []
    for n, h in enumerate(hits, start=1):
        p = h.passage
        items.append(
            f'<li class="lk-item" data-line="{p.line}" data-source="{escape_html(p.source)}">'
            f'<div class="lk-head"><span class="lk-rank">[{n}]</span> '
            f'<span class="lk-doc">《{escape_html(titles.get(p.source, p.source))}》</span> '
            f'<span class="lk-line">第{p.line}行</span> '
            f'<span class="lk-path">{escape_html(p.section_path)}</span></div>'
            f'<div class="lk-text">{highlight(p.text, terms)}</div></li>'
        )
    head = f'<div class="lk-summary">“{escape_html(query)}”：{len(hits)} 条结果 / results</div>'
    return f'<div class="lk-results">{head}<ol class="lk-list">{"".join(items)}</ol></div>'


def hit_choice(n: int, h: Hit, titles: dict[str, str] | None = None) -> tuple[str, str]:
    """A (label, value) pair for the result picker; the value addresses the passage."""
    p = h.passage
    doc = (titles or {}).get(p.source, p.source)
    return (f"[{n}] {doc[:12]} 第{p.line}行 · {p.title[:20]}", passage_key(p))


def passage_key(p) -> str:
    """"line@source[:start]": a paragraph, or a passage of it (start offset)."""
    start = getattr(p, "start", 0)
    return f"{p.line}@{p.source}" + (f":{start}" if start else "")


def parse_key(key: str) -> tuple[str, int, int]:
    line, _, rest = str(key).partition("@")
    source, _, start = rest.partition(":")
    return source, int(line), int(start or 0)


# -- report structure ------------------------------------------------------------------------
def outline(paragraphs: Sequence[Paragraph]) -> list[tuple[str, list[Paragraph]]]:
    """The parts of one document in file order (front matter, parts, closing, appendix); a part
    with numbered sections is listed section by section ("三、… › （一）…"), so that no entry is
    the whole report."""
    sectioned = {p.section[0] for p in paragraphs if p.kind in ("section", "heading") and len(p.section) > 1}
    groups: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        if not p.section:
            name = "报告开头" if p.role == "front" else p.title
        elif p.section[0] in sectioned and len(p.section) > 1 and p.section[1].startswith(("（", "(")):
            name = f"{p.section[0]} › {p.section[1]}"
        else:
            name = p.section[0]
        groups.setdefault(name, []).append(p)
    return list(groups.items())


def section_html(paragraphs: Sequence[Paragraph], selected: str | None = None) -> str:
    """The full text of one part, paragraph by paragraph, with line numbers and subsection titles."""
    rows = []
    for p in paragraphs:
        cls = "rp-para rp-selected" if selected == passage_key(p) else "rp-para"
        title = escape_html(p.title) if p.kind in ("text", "glossary") and not p.text.startswith(p.title) else ""
        rows.append(
            f'<div class="{cls}" data-line="{p.line}"><span class="rp-line">第{p.line}行</span> '
            + (f'<span class="rp-title">{title}</span> ' if title else "")
            + f'<span class="rp-text">{escape_html(p.text)}</span></div>'
        )
    return f'<div class="rp-section">{"".join(rows)}</div>'


def paragraph_choice(p: Paragraph) -> tuple[str, str]:
    label = p.title if p.kind != "section" else "（总述）" + p.title[:20]
    return (f"第{p.line}行 · {label[:30]}", passage_key(p))


# -- figures table -----------------------------------------------------------------------------
KIND_LABEL = {"target": "目标 target", "plan": "安排 plan", "result": "实际 result"}


def figures_html(records: Sequence[Figure], titles: dict[str, str], metric: str = "") -> str:
    """The figures the reports state, as a table grouped by report (side by side for one metric)."""
    if not records:
        what = f"“{escape_html(metric)}”" if metric.strip() else ""
        return f'<div class="lk-empty">没有找到{what}相关的数字。No figures found.</div>'
    by_doc: dict[str, list[Figure]] = {}
    for f in records:
        by_doc.setdefault(f.source, []).append(f)
    cols = "".join(f"<th>{h}</th>" for h in ("指标 Metric", "数字 Figure", "类型 Kind", "年份 Year", "行 Line"))
    blocks = []
    for source, recs in by_doc.items():
        rows = []
        for f in recs[:200]:
            years = f"{f.years[0]}—{f.years[-1]}" if len(f.years) > 1 else (str(f.years[0]) if f.years else "")
            rows.append(f'<tr data-line="{f.line}"><td>{escape_html(f.metric)}</td>'
                        f'<td class="fg-value">{escape_html(f.text)}</td><td>{KIND_LABEL.get(f.kind, f.kind)}</td>'
                        f'<td>{years}</td><td>第{f.line}行</td></tr>')
        more = f'<div class="lk-summary">…共 {len(recs)} 项</div>' if len(recs) > 200 else ""
        blocks.append(f'<div class="fg-doc"><div class="fg-title">《{escape_html(titles.get(source, source))}》 '
                      f'{len(recs)} 项</div><table class="fg-table"><tr>{cols}</tr>{"".join(rows)}</table>{more}</div>')
    return f'<div class="fg-results">{"".join(blocks)}</div>'
