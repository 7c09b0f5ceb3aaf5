"""Ingest stage: ``seeds/*.txt`` (+ a ``.json`` metadata file each) -> ``Document``s of ``Paragraph``s.

A source has one paragraph per line; the 1-based line number is the paragraph's permanent
address. The parser recognises the report's structure: the title line, the preamble, the ten
numbered sections ``(一)…(十)`` and, inside each, subsections whose short title ends at the
first ``。``; closing paragraphs after the last section. Known injected adverts are removed;
everything else stays verbatim (the dropped ``+`` signs are not restored).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

from .errors import SourceError
from .types import Document, Paragraph

log = logging.getLogger(__name__)

# Text injected into the scraped page by an advertising network; never shown, never indexed.
# Sources may list more in their metadata file under "remove".
ADVERTS = (re.compile(r"凯发\s*[kK]\s*8\s*国际"),)

_SECTION = re.compile(r"^[（(]([一二三四五六七八九十]+)[)）]")
_ADDRESS = re.compile(r"^各位代表[，,!！:：]?")
_MAX_TITLE = 20  # a subsection title is a short first sentence


def remove_adverts(text: str, extra: tuple[str, ...] = ()) -> str:
    for pattern in ADVERTS:
        text = pattern.sub("", text)
    for literal in extra:
        text = text.replace(literal, "")
    return text


def _short(text: str, limit: int = _MAX_TITLE) -> str:
    """A display title from a paragraph with no short title of its own: its first clause."""
    text = _ADDRESS.sub("", text)
    first = re.split(r"[，,。；;：:！!]", text, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _section_label(line: str) -> tuple[str, str]:
    """'(五)倾力提升城市功能品质,打造精致城市建设样板。…' -> ('（五）倾力提升城市功能品质…', full heading)."""
    m = _SECTION.match(line)
    assert m
    heading = line.split("。", 1)[0]
    rest = heading[m.end() :]
    head = re.split(r"[，,]", rest, maxsplit=1)
    label = f"（{m.group(1)}）{head[0]}" + ("…" if len(head) > 1 else "")
    return label, heading


def parse_lines(lines: list[str], source: str, extra_adverts: tuple[str, ...] = ()) -> list[Paragraph]:
    """Parse the report's lines (without newlines) into paragraphs with their section paths."""
    paragraphs: list[Paragraph] = []
    section: str | None = None
    seen_sections = 0
    closing = False
    for number, raw in enumerate(lines, start=1):
        text = remove_adverts(raw.strip(), extra_adverts)
        if not text:
            continue
        if number == 1 and not _SECTION.match(text):
            paragraphs.append(Paragraph(source, number, "title", (text,), text, text))
            continue
        if _SECTION.match(text):
            label, heading = _section_label(text)
            section = label
            seen_sections += 1
            paragraphs.append(Paragraph(source, number, "section", (label,), heading, text))
            continue
        if section is None:
            title = _short(text)
            paragraphs.append(Paragraph(source, number, "preamble", ("总体要求和主要预期目标", title), title, text))
            continue
        # After the last numbered section, an address to the deputies opens the closing.
        if seen_sections >= 10 and _ADDRESS.match(text):
            closing = True
        if closing:
            title = _short(text)
            paragraphs.append(Paragraph(source, number, "closing", ("结束语", title), title, text))
            continue
        first = text.split("。", 1)[0]
        title = first if len(first) <= _MAX_TITLE and "。" in text else _short(text)
        paragraphs.append(Paragraph(source, number, "subsection", (section, title), title, text))
    return paragraphs


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def source_files(seeds_dir: Path) -> list[Path]:
    if not seeds_dir.is_dir():
        raise SourceError(f"seeds folder {seeds_dir} does not exist; put the report's .txt file there")
    files = sorted(p for p in seeds_dir.glob("*.txt") if p.is_file())
    if not files:
        raise SourceError(f"no .txt source in {seeds_dir}; put the report's .txt file there")
    return files


def load_document(path: Path) -> Document:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}; the source must be a UTF-8 text file") from exc
    meta_path = path.with_suffix(".json")
    meta: dict = {}
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SourceError(f"cannot read metadata {meta_path}: {exc}; fix or delete that file") from exc
    lines = text.split("\n")
    paragraphs = parse_lines([ln.rstrip("\r") for ln in lines], path.name, tuple(meta.get("remove", ())))
    if not paragraphs:
        raise SourceError(f"{path} has no text")
    return Document(
        source=path.name,
        sha256=hashlib.sha256(raw).hexdigest(),
        title=meta.get("short_title") or meta.get("title") or path.stem,
        year=int(meta.get("year", 0) or 0),
        city=meta.get("city", ""),
        paragraphs=tuple(paragraphs),
    )


def load_documents(seeds_dir: Path) -> list[Document]:
    return [load_document(p) for p in source_files(seeds_dir)]
