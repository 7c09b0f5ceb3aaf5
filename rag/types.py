"""Data types that flow between the stages (ingest -> chunk -> embed -> store; retrieve -> answer).

Frozen dataclasses with no heavy dependencies. Scores are cosine similarities of
L2-normalised vectors (an inner-product FAISS index), fused with lexical scores:
higher is always better.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Paragraph:
    """One line of a source file: the unit of citation.

    ``line`` is the 1-based line number in the original source file (the stable address).
    ``text`` is the cleaned text (known injected adverts removed, nothing else changed).
    ``section`` is the path from the report's top level, e.g.
    ``("（五）倾力提升城市功能品质…", "高水平打造智慧城市")``.
    """

    source: str
    line: int
    kind: str  # "title" | "preamble" | "section" | "subsection" | "closing"
    section: tuple[str, ...]
    title: str
    text: str

    @property
    def section_path(self) -> str:
        return " › ".join(self.section)

    def __repr__(self) -> str:
        return f"Paragraph({self.source}:{self.line} {self.section_path!r} {self.text[:20]!r}…)"


@dataclass(frozen=True)
class Document:
    """A parsed source: its metadata and its paragraphs in file order."""

    source: str  # file name under seeds/
    sha256: str
    title: str
    year: int
    city: str
    paragraphs: tuple[Paragraph, ...]

    def paragraph(self, line: int) -> Paragraph:
        for p in self.paragraphs:
            if p.line == line:
                return p
        raise KeyError(line)

    def __repr__(self) -> str:
        return f"Document({self.source!r}, {len(self.paragraphs)} paragraphs)"


@dataclass(frozen=True)
class Chunk:
    """A piece of a paragraph that is embedded: a sentence, or a window of a long one.

    ``start``/``end`` are character offsets into the paragraph's cleaned text;
    ``text`` is what was embedded (the sentence, prefixed by its subsection title for context).
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
class Hit:
    """A retrieved paragraph with its fused score and the per-ranker scores behind it."""

    paragraph: Paragraph
    score: float
    scores: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Hit(line={self.paragraph.line} score={self.score:.3f})"


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    line: int
    section: str
    quote: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "line": self.line,
            "section": self.section,
            "quote": self.quote,
            "score": round(float(self.score), 4),
        }


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
    error: str | None = None  # set when the input itself was rejected (empty, too long, ...)
    resolved_question: str | None = None  # set when a follow-up was rewritten using history
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "direct_answer": self.direct_answer,
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
        return f"Answer({self.question[:20]!r} -> {state}, {len(self.citations)} citations)"
