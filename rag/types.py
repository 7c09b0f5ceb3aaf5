"""Data types that flow between the stages (ingest -> chunk -> embed -> store; retrieve -> answer).

Frozen dataclasses with no heavy dependencies. Dense scores are cosine similarities of
L2-normalised vectors (an inner-product FAISS index); fused scores combine them with lexical
scores on a per-query relative scale. Higher is always better.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LEVELS = ("national", "province", "city", "county")


@dataclass(frozen=True)
class Paragraph:
    """One line of a source file: the unit of citation.

    ``line`` is the 1-based line number in the original file (the stable address). ``text`` is
    the cleaned text (injected adverts removed, nothing else changed). ``section`` is the path
    from the report's top level, e.g. ``("三、2026年重点工作", "（九）奋力推进保障和改善民生", "促进就业增收")``.
    ``role``: front | review | targets | tasks | self | closing | glossary | appendix.
    ``years``: the years its statements are about (a review speaks of the previous year or a
    five-year period; targets and tasks of the report's year); empty when none.
    """

    source: str
    line: int
    kind: str  # "title" | "masthead" | "address" | "part" | "section" | "heading" | "text" | "glossary"
    role: str
    section: tuple[str, ...]
    title: str
    text: str
    years: tuple[int, ...] = ()

    @property
    def section_path(self) -> str:
        return " › ".join(self.section)

    def __repr__(self) -> str:
        return f"Paragraph({self.source}:{self.line} {self.role} {self.section_path!r} {self.text[:16]!r}…)"


@dataclass(frozen=True)
class Document:
    """A parsed source: its metadata and its paragraphs in file order.

    ``place``: 威海市, 山东省, 全国 …; ``level``: national | province | city | county;
    ``year``: the year the report is for (its targets and tasks); ``date``: when it was
    delivered (ISO, may be empty). ``origin`` says for each metadata field where it came from
    ("json", "detected", "flag", "file name"). ``dropped`` lists the lines removed as page
    furniture, with the reason.
    """

    source: str
    sha256: str
    title: str
    place: str
    level: str
    year: int
    date: str
    paragraphs: tuple[Paragraph, ...]
    home: bool = False
    origin: dict[str, str] = field(default_factory=dict, compare=False)
    dropped: tuple[tuple[int, str], ...] = field(default=(), compare=False)

    @property
    def short_place(self) -> str:
        from .places import short_name

        return short_name(self.place)

    def paragraph(self, line: int) -> Paragraph:
        for p in self.paragraphs:
            if p.line == line:
                return p
        raise KeyError(line)

    def metadata(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "place": self.place, "level": self.level,
                "year": self.year, "date": self.date, "home": self.home}

    def __repr__(self) -> str:
        return f"Document({self.source!r} {self.place} {self.year}, {len(self.paragraphs)} paragraphs)"


@dataclass(frozen=True)
class Passage:
    """The retrieval unit: a block of a paragraph (a whole short paragraph, or one subsection of a
    long one). ``start``/``end`` are offsets into the paragraph's cleaned text."""

    source: str
    line: int
    start: int
    end: int
    title: str
    section: tuple[str, ...]
    role: str
    years: tuple[int, ...]
    text: str

    @property
    def section_path(self) -> str:
        return " › ".join(self.section)

    @property
    def key(self) -> tuple[str, int]:
        return (self.source, self.line)

    def __repr__(self) -> str:
        return f"Passage({self.source}:{self.line}[{self.start}:{self.end}] {self.title!r})"


@dataclass(frozen=True)
class Chunk:
    """A piece of a paragraph that is embedded: a sentence, or a window of a long one.

    ``start``/``end`` are character offsets into the paragraph's cleaned text;
    ``text`` is what was embedded (the sentence, prefixed by its block title for context).
    """

    id: str
    source: str
    line: int
    kind: str  # "sentence" | "window"
    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def __repr__(self) -> str:
        return f"Chunk({self.id} {self.source}:{self.line}[{self.start}:{self.end}])"


@dataclass(frozen=True)
class Figure:
    """A figure the report states, as a record: "社会消费品零售总额增长5.5%以上" ->
    metric 社会消费品零售总额, change 增长, value 5.5, unit %, qualifier 以上, kind target.

    ``text`` is the figure as written (``5.5%以上``); ``clause`` the clause that states it, with
    its offsets in the paragraph; ``kind``: target | result | plan.
    """

    source: str
    line: int
    start: int
    end: int
    clause: str
    metric: str
    text: str
    value: float | None
    unit: str
    qualifier: str
    kind: str
    years: tuple[int, ...]
    place: str

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["years"] = list(self.years)
        return out

    def __repr__(self) -> str:
        return f"Figure({self.metric!r} {self.text!r} {self.kind} {self.place}{self.years} {self.source}:{self.line})"


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its fused score and the per-ranker scores behind it."""

    passage: Passage
    score: float
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def paragraph_key(self) -> tuple[str, int]:
        return self.passage.key

    def __repr__(self) -> str:
        return f"Hit({self.passage.source}:{self.passage.line} score={self.score:.3f})"


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    title: str  # the document's title
    line: int
    section: str
    quote: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "line": self.line,
            "section": self.section,
            "quote": self.quote,
            "score": round(float(self.score), 4),
        }


ANSWER_TYPES = ("figure", "list", "yesno", "when", "where", "compare", "definition", "fact")


@dataclass(frozen=True)
class Answer:
    """What every interface receives. ``to_json`` is the exact public JSON contract."""

    question: str
    answer: str
    direct_answer: str
    refused: bool
    citations: tuple[Citation, ...]
    timings_ms: dict[str, float]
    lang: str = "zh"
    answer_type: str = "fact"
    error: str | None = None  # set when the input itself was rejected (empty, too long, ...)
    resolved_question: str | None = None  # set when a follow-up was rewritten using history
    script: str = "hans"  # "hant" when the question came in traditional characters
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "direct_answer": self.direct_answer,
            "answer_type": self.answer_type,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "timings_ms": {k: round(float(v), 2) for k, v in self.timings_ms.items()},
        }
        if self.error:
            out["error"] = self.error
        if self.resolved_question:
            out["resolved_question"] = self.resolved_question
        return out

    def __repr__(self) -> str:
        state = "refused" if self.refused else repr(self.direct_answer[:30])
        return f"Answer({self.question[:20]!r} -> {self.answer_type} {state}, {len(self.citations)} citations)"
