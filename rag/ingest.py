"""Ingest stage: ``seeds/*.txt`` (+ an optional ``.json`` metadata file each) -> ``Document``s.

A document is a text file, one paragraph per line (the 1-based line number is the citation
address), plus metadata: ``title``, ``place`` (威海市, 山东省, 全国), ``level`` (national,
province, city), ``year`` and ``date``. They are read from a ``.json`` beside the file when
present (any field it lacks is detected); otherwise they are detected from the text:

* the occasion line ``——2026年1月27日在山东省第十四届人民代表大会第四次会议上`` gives date, year
  and place (``在第十四届全国人民代表大会`` gives the national level);
* ``我代表省人民政府`` / ``我代表国务院`` gives the level;
* the title line ``2026年山东省政府工作报告`` gives year and place;
* the speaker line (``山东省省长 周乃翔``), and last the file name (``shandong-2026-…``).

Structure, roles, years and cleaning are ``rag.structure``'s work.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

from . import places
from .errors import SourceError
from .structure import parse_lines
from .types import LEVELS, Document

log = logging.getLogger(__name__)

META_FIELDS = ("title", "place", "level", "year", "date")
_CN_NUM = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "O": 0, "○": 0}
_NUM = r"(?:\d{1,4}|[〇○零一二三四五六七八九十]{1,4})"
_OCCASION = re.compile(
    rf"({_NUM})年({_NUM})月({_NUM})日在(.{{0,24}}?)第?[一二三四五六七八九十]+届(全国)?人民代表大会"
)
_DELEGATE = re.compile(r"我代表(国务院|[\u4e00-\u9fff]{0,12}?人民政府|[\u4e00-\u9fff]{0,12}?政府)")
_TITLE = re.compile(r"^(?:(\d{4})年)?([\u4e00-\u9fff]{2,12}?)?(?:(\d{4})年)?(?:人民)?政府工作报告")
_SPEAKER = re.compile(r"^([\u4e00-\u9fff]{2,12}?)(?:人民政府)?(?:省长|市长|州长|盟长|主席|区长|县长|代省长|代市长)\s*\S*$")
_FILE_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def _cn_int(s: str) -> int:
    """'2026' or '二〇二六' or '二十七' -> int."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        head, _, tail = s.partition("十")
        return (_CN_NUM.get(head, 1) if head else 1) * 10 + (_CN_NUM.get(tail, 0) if tail else 0)
    return int("".join(str(_CN_NUM[c]) for c in s))


def _canonical_place(name: str) -> str:
    """The gazetteer's full name for a place as written (山东 -> 山东省), else the name as is."""
    name = name.strip()
    if not name:
        return ""
    if name in ("全国", "国务院", "国家"):
        return places.NATIONAL
    p = places.lookup(name)
    return p.name if p else name


def detect_metadata(lines: list[str], file_name: str = "") -> dict[str, Any]:
    """Metadata detected from a report's text (and, last, its file name). Missing fields are absent."""
    out: dict[str, Any] = {}
    origin: dict[str, str] = {}
    head = [ln.strip() for ln in lines[:60] if ln.strip()]
    text = "\n".join(head)
    m = _OCCASION.search(text)
    if m:
        y, mo, d = (_cn_int(x) for x in m.group(1, 2, 3))
        out["year"], out["date"] = y, f"{y:04d}-{mo:02d}-{d:02d}"
        origin["year"] = origin["date"] = "detected"
        where = m.group(4).strip()
        if m.group(5) or "全国" in where:
            out["place"] = places.NATIONAL
        elif where:
            out["place"] = _canonical_place(where)
        if "place" in out:
            origin["place"] = "detected"
    if "year" not in out or "place" not in out:
        for ln in head:
            t = _TITLE.match(ln)
            if t and len(ln) <= 40:
                if (t.group(1) or t.group(3)) and "year" not in out:
                    out["year"], origin["year"] = int(t.group(1) or t.group(3)), "detected"
                if t.group(2) and "place" not in out and places.lookup(t.group(2).rstrip("省市")) is not None:
                    out["place"], origin["place"] = _canonical_place(t.group(2)), "detected"
                break
    if "place" not in out:
        for ln in head:
            s = _SPEAKER.match(ln)
            if s and places.lookup(s.group(1)):
                out["place"], origin["place"] = _canonical_place(s.group(1)), "detected"
                break
    delegate = _DELEGATE.search(text)
    if delegate:
        who = delegate.group(1)
        if who == "国务院":
            level = "national"
        elif who.startswith(("省", "自治区")) or re.search(r"(?:省|自治区)人民政府$", who):
            level = "province"
        elif who.startswith("市") or who.endswith("市人民政府"):
            level = "city"
        else:
            level = ""
        named = re.sub(r"人民政府$|政府$", "", who)
        if "place" not in out and named and places.lookup(named):
            out["place"], origin["place"] = _canonical_place(named), "detected"
        if level and "place" in out and places.level_of(out["place"]) == "province" and level == "city":
            level = "province"  # 北京市人民政府: a municipality is province-level
        if level:
            out["level"], origin["level"] = level, "detected"
    if "place" not in out and file_name:
        stem = Path(file_name).stem.lower()
        for token in re.split(r"[-_.\s]+", stem):
            p = places.lookup(token) if token.isalpha() else None
            if p:
                out["place"], origin["place"] = p.name, "file name"
                break
        if "place" not in out and any(t in ("national", "china", "guowuyuan") for t in re.split(r"[-_.\s]+", stem)):
            out["place"], origin["place"] = places.NATIONAL, "file name"
    if "year" not in out and file_name:
        y = _FILE_YEAR.search(file_name)
        if y:
            out["year"], origin["year"] = int(y.group(1)), "file name"
    if "place" in out and "level" not in out:
        out["level"], origin["level"] = places.level_of(out["place"]), "detected"
    if "place" in out and "level" in out and out["place"] != places.NATIONAL:
        known = places.level_of(out["place"])
        if known in ("province", "city") and known != out["level"]:
            out["level"] = known  # the gazetteer knows 北京市 is province-level
    if "year" in out and "place" in out:
        out["title"] = default_title(out["place"], out["year"])
        origin["title"] = "detected"
    out["_origin"] = origin
    return out


def default_title(place: str, year: int) -> str:
    who = "国务院" if place == places.NATIONAL else place
    return f"{year}年{who}政府工作报告"


def read_metadata(path: Path) -> dict[str, Any]:
    meta_path = path.with_suffix(".json")
    if not meta_path.exists():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read metadata {meta_path}: {exc}; fix or delete that file") from exc
    if not isinstance(meta, dict):
        raise SourceError(f"metadata {meta_path} must be a JSON object; fix or delete that file")
    return meta


def resolve_metadata(given: dict[str, Any], detected: dict[str, Any], file_name: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Given fields win; detected ones fill the gaps; what neither has gets a plain default."""
    origin = dict(detected.get("_origin", {}))
    meta: dict[str, Any] = {}
    for key in META_FIELDS:
        if given.get(key) not in (None, ""):
            meta[key] = given[key]
            origin[key] = "json"
        elif key in detected:
            meta[key] = detected[key]
    if "place" in meta:
        meta["place"] = _canonical_place(str(meta["place"]))
    try:
        meta["year"] = int(meta.get("year") or 0)
    except (TypeError, ValueError) as exc:
        raise SourceError(f"{file_name}: metadata year {meta.get('year')!r} is not a year") from exc
    meta.setdefault("place", "")
    if meta["place"] and ("level" not in meta or origin.get("level") != "json"):
        meta["level"] = meta.get("level") or places.level_of(meta["place"])
    meta.setdefault("level", "")
    if meta["level"] and meta["level"] not in LEVELS:
        raise SourceError(f"{file_name}: level must be one of {', '.join(LEVELS)}, not {meta['level']!r}")
    if "title" not in meta or (origin.get("title") != "json" and meta["place"] and meta["year"]):
        meta["title"] = (default_title(meta["place"], meta["year"]) if meta["place"] and meta["year"]
                         else Path(file_name).stem)
        origin.setdefault("title", "detected" if meta["place"] else "file name")
    meta.setdefault("date", "")
    for key in META_FIELDS:
        origin.setdefault(key, "missing" if not meta.get(key) else "detected")
    return meta, origin


def source_files(seeds_dir: Path) -> list[Path]:
    if not seeds_dir.is_dir():
        raise SourceError(f"seeds folder {seeds_dir} does not exist; put the reports' .txt files there")
    files = sorted(p for p in seeds_dir.glob("*.txt") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise SourceError(f"no .txt source in {seeds_dir}; put the reports' .txt files there")
    return files


def load_document(path: Path, overrides: dict[str, Any] | None = None) -> Document:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}; the source must be a UTF-8 text file") from exc
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    given = {**read_metadata(path), **(overrides or {})}
    meta, origin = resolve_metadata(given, detect_metadata(lines, path.name), path.name)
    paragraphs, dropped = parse_lines(lines, path.name, meta["year"])
    if not any(p.kind not in ("title", "masthead") for p in paragraphs):
        raise SourceError(f"{path} has no report text")
    return Document(
        source=path.name,
        sha256=hashlib.sha256(raw).hexdigest(),
        title=str(meta["title"]),
        place=meta["place"],
        level=meta["level"],
        year=meta["year"],
        date=str(meta["date"] or ""),
        paragraphs=tuple(paragraphs),
        home=bool(given.get("home", False)),
        origin=origin,
        dropped=tuple(dropped),
    )


def load_documents(seeds_dir: Path) -> list[Document]:
    return [load_document(p) for p in source_files(seeds_dir)]
