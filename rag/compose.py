"""Compose stage: the ``SideAnswer``s of one question -> the public ``Answer``.

Numbers the citations across sides (a comparison cites each side), renders the Markdown answer
in the question's language and script (framing text only; quotes stay as the report writes
them), names the document and year an answer is for, states plainly what the collection does
not hold, and applies the grounding check: a figure in the answer that no cited quote holds
turns the answer into a refusal.
"""

from __future__ import annotations

import re

from .answer import SECONDARY_CITATION, Answerer, SideAnswer
from .cite import display, quote_lines
from .grounding import unsupported_figures
from .messages import Frame
from .query import Query
from .scope import Scope
from .types import Answer, Citation, Document, Hit


class Body:
    """The answer's own lines as segments: ("", text), ("strong", direct answer), ("cite", n).
    ``markdown`` renders them for the CLI and the JSON ``answer``; the web chat renders the same
    segments with its own escaping (``ui.render``)."""

    def __init__(self):
        self.lines: list[list[tuple[str, object]]] = []

    def line(self, *segments: tuple[str, object]) -> None:
        self.lines.append([s for s in segments if s[1] not in (None, "")])

    def markdown(self) -> str:
        out = []
        for segs in self.lines:
            parts = []
            for style, value in segs:
                if style == "strong":
                    parts.append(f"**{value}**")
                elif style == "cite":
                    parts.append(f" [{value}]")
                else:
                    parts.append(str(value))
            out.append("".join(parts))
        return "\n".join(out)


def answer_type(q: Query, parts: list[SideAnswer]) -> str:
    """``answer_type`` of the JSON: the form answered (figure, list, yesno, when, where, compare,
    definition) or fact."""
    if len(parts) > 1 or q.form == "compare":
        return "compare"
    form = parts[0].form if parts else q.form
    return form if form in ("figure", "list", "yesno", "when", "where", "definition") else "fact"


class Composer:
    def __init__(self, answerer: Answerer, documents: list[Document], describe: str, *, cite_k: int = 3):
        self.answerer = answerer
        self.titles = {d.source: d.title for d in documents}
        self.describe = describe
        self.cite_k = cite_k

    def _citation(self, n: int, hit: Hit, quote: str) -> Citation:
        ps = hit.passage
        return Citation(n, ps.source, self.titles.get(ps.source, ps.source), ps.line, ps.section_path,
                        display(quote), hit.score)

    def citations(self, q: Query, parts: list[SideAnswer], chunk_dense: dict[int, object]) -> tuple[list[Citation], dict[int, int]]:
        """Citations for all sides, numbered from 1; returns them and, per side, its first number."""
        out: list[Citation] = []
        seen: dict[tuple[str, int, str], int] = {}
        first: dict[int, int] = {}
        budget = self.cite_k if len(parts) == 1 else max(self.cite_k, 2 * len(parts))

        def add(hit: Hit, quote: str) -> int:
            key = (hit.passage.source, hit.passage.line, quote)
            if key not in seen:
                seen[key] = len(out) + 1
                out.append(self._citation(len(out) + 1, hit, quote))
            return seen[key]

        for i, part in enumerate(parts):
            dense = chunk_dense.get(i)
            if not part.refused:
                for hit, quote in part.primary:
                    n = add(hit, quote)
                    first.setdefault(i, n)
                if len(parts) == 1:
                    top = max((h.score for h in part.nearest), default=0.0)
                    for h in part.nearest:
                        if len(out) >= budget:
                            break
                        if any(h.passage.key == (c.source, c.line) for c in out) or h.score < SECONDARY_CITATION * top:
                            continue  # an answer cites what it rests on, not every passage looked at
                        add(h, self.answerer.secondary_quote(q, h, dense))
            else:
                if part.nearby is not None:
                    metric, fig, hit = part.nearby
                    # (the sentence stating it: 50家 is not the tail of 150家)
                    said = re.compile(r"(?<![\d.])" + re.escape(fig))
                    sent = next((s.text for s in self.answerer._passage_sentences(hit.passage) if said.search(s.text)),
                                None)
                    first.setdefault(i, add(hit, sent or hit.passage.text))
                for h in part.nearest[: 3 if len(parts) == 1 else 1]:
                    if len(out) >= budget + 1:
                        break
                    if any(h.passage.key == (c.source, c.line) for c in out):
                        continue
                    n = add(h, self.answerer.secondary_quote(q, h, dense))
                    first.setdefault(i, n)
        return out, first

    def compose(self, q: Query, scope: Scope, parts: list[SideAnswer], chunk_dense: dict[int, object],
                fallback_from: str = "") -> Answer:
        f = Frame(q.lang, q.script)
        citations, first = self.citations(q, parts, chunk_dense)
        body = Body()
        if scope.missing:
            body.line(("", "".join(f("missing_scope", what=w) for w in scope.missing) + f("held", held=self.describe)))
        prefix = f("home_silent", home=fallback_from) if fallback_from else ""
        answered = [p for p in parts if not p.refused]
        multi = len(parts) > 1
        colon = ": " if q.lang == "en" else "："
        direct_parts: list[str] = []
        for i, p in enumerate(parts):
            n = first.get(i)
            who = ""
            if multi and p.side:
                place = p.side.label.rstrip("0123456789年—")
                who = (f"{place} {p.label}" if p.label and not p.refused else p.side.label) + colon
            bullet = "- " if multi else ""
            if p.refused:
                body.line(("", bullet + who + (prefix if not multi else "") + self._reason(p, f)))
                if p.nearby is not None:
                    body.line(("", f("nearby_figure", metric=p.nearby[0], figure=p.nearby[1])), ("cite", n))
                continue
            label = "" if multi or not p.label else p.label + colon
            if fallback_from and p.primary:
                title = f"《{self.titles.get(p.primary[0][0].passage.source, '')}》"
                sep = (" " if label else colon) if q.lang == "en" else ""
                label = title + sep + label
            if p.form == "list":
                body.line(("", bullet + who + (prefix if not multi else "") + label + f("list_lead")))
                for text, hit in p.bullets:
                    num = next((c.n for c in citations if (c.source, c.line) == hit.passage.key), n)
                    shown = f"“{text}”" if q.lang == "en" else text
                    body.line(("", "  - " if multi else "- "), ("", shown), ("cite", num))
            else:
                if p.form == "yesno":
                    lead = f("says") if not p.meta.get("agrees", True) else \
                        f("reports") if p.meta.get("rules_out") else f("yes")
                elif p.form == "definition":
                    lead = f("definition_lead")
                else:
                    lead = f("answer_lead") if q.lang == "en" and not label else ""
                body.line(("", bullet + who + (prefix if not multi else "") + label + lead), ("strong", p.direct),
                          ("cite", n))
            direct_parts.append(f"{who}{p.direct}" if multi else p.direct)
        refused = not answered
        sources = (f("nearest") if refused else f("sources")) if citations else ""
        direct = "；".join(direct_parts) if multi else (direct_parts[0] if direct_parts else "")
        if any(unsupported_figures(p.direct, [c.quote for c in citations]) for p in answered):
            # cannot happen for an extract; guard anyway: never state a figure no cited quote holds
            return self.compose(q, scope, [SideAnswer(p.side, p.form, True, "no_figure", nearest=p.nearest)
                                           for p in parts], chunk_dense)
        text = body.markdown()
        if citations:
            text += "\n\n" + sources + "\n" + "\n".join(quote_lines(citations, q.lang, q.script))
        reason = parts[0].reason if parts and refused else ""
        meta = {"reason_key": reason or ("scope" if scope.missing and refused else ""),
                **(parts[0].meta if parts else {}),
                "body": body.lines, "sources_heading": sources,
                "sides": [p.side.label for p in parts if p.side], "missing": list(scope.missing)}
        return Answer(q.raw, text.strip(), direct, refused, tuple(citations), {}, lang=q.lang,
                      answer_type=answer_type(q, parts), script=q.script, meta=meta)

    def _reason(self, p: SideAnswer, f: Frame) -> str:
        """The plain statement of what the reports do not say, naming the report when there is one."""
        key = p.reason or "not_mentioned"
        title = ""
        if p.side is not None and len(p.side.sources) == 1:
            title = "《" + self.titles.get(p.side.sources[0], "") + "》"
        if key == "year_not_held" and p.side is not None:
            return f("year_not_held", what=p.side.label)
        if key == "yesno_unsettled" or (key == "not_mentioned" and p.form == "yesno"):
            return f("yesno_unsettled")
        if key == "not_mentioned" and title:
            return f("not_mentioned_in", title=title)
        if key == "figure_not_given":
            return f("figure_not_given", title=title or ("报告" if f.lang != "en" else "The report"))
        return f(key)
