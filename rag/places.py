"""Places: China's province-level divisions and prefecture-level cities (``data/places.tsv``,
generic geography), their short names, levels, parents and English names.

Used to read the place of a report from its masthead, and the place a question names
(山东, 威海市, Shandong, 全国, national …) even when no report of that place is held, so that the
answer can say "资料库中没有北京市的政府工作报告" instead of answering about another place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "places.tsv"

NATIONAL = "全国"
#: Words that name the national level in a question or a report.
NATIONAL_WORDS_ZH = ("全国", "国家", "国务院", "中央", "我国", "中国", "全国人民")
NATIONAL_WORDS_EN = ("china", "chinese", "national", "nationally", "nationwide", "the country", "country's",
                     "state council", "central government", "country")
#: The four municipalities directly under the central government are province-level.
_SUFFIX = re.compile(r"(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市|盟|地区|自治州)$")


@dataclass(frozen=True)
class Place:
    name: str  # 山东省
    short: str  # 山东
    level: str  # "province" | "city" | "national"
    parent: str  # 山东省 for 威海市; "" for provinces
    english: tuple[str, ...]  # ("shandong",)


def short_name(name: str) -> str:
    if name == NATIONAL:
        return NATIONAL
    p = gazetteer().get(name)
    if p:
        return p.short
    s = _SUFFIX.sub("", name)
    return s if len(s) >= 2 else name


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Place]:
    """Full name -> Place, for every row of ``data/places.tsv`` plus the national level."""
    out: dict[str, Place] = {NATIONAL: Place(NATIONAL, NATIONAL, "national", "", ("china",))}
    for raw in DATA.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        name, short, level, parent, english = (raw.split("\t") + [""] * 5)[:5]
        eng = tuple(e.strip().lower() for e in english.split("|") if e.strip())
        out[name] = Place(name, short, level, parent, eng)
    return out


@lru_cache(maxsize=1)
def _by_alias() -> dict[str, Place]:
    """Every way a place is written in Chinese -> Place (full and short names)."""
    out: dict[str, Place] = {}
    for p in gazetteer().values():
        if p.level == "national":
            continue
        for alias in (p.name, p.short):
            # a city's short name never hides a province's (吉林省 vs 吉林市)
            if alias not in out or out[alias].level == "city" and p.level == "province":
                out[alias] = p
    return out


def lookup(name: str) -> Place | None:
    """A place by full or short Chinese name (山东省, 山东), or English name (Shandong)."""
    name = name.strip()
    if name in (NATIONAL, "国家", "中国", "国务院"):
        return gazetteer()[NATIONAL]
    p = _by_alias().get(name)
    if p:
        return p
    low = name.lower()
    for p in gazetteer().values():
        if low in p.english:
            return p
    return None


def level_of(name: str) -> str:
    """The level of a place name as written in a masthead: 全国 -> national, 山东省 -> province,
    北京市 -> province (a direct-controlled municipality), 威海市 -> city."""
    if name in (NATIONAL, "国务院", "国家"):
        return "national"
    p = lookup(name)
    if p:
        return p.level
    if re.search(r"(?:省|自治区|特别行政区)$", name):
        return "province"
    if re.search(r"(?:县|区|旗)$", name):
        return "county"
    return "city"


def find_in_text(text: str, boundaries: set[int] | None = None) -> list[tuple[int, int, Place]]:
    """Places named in ``text`` (Chinese names, longest first, no overlaps): (start, end, Place).

    ``boundaries``: word boundaries of ``text`` (offsets where a segmenter starts or ends a word).
    When given, a two-character city name must start and end on one, so that a name inside an
    ordinary word is not taken for a place (新乡村 is not 新乡, 三明治 is not 三明).
    """
    aliases = _by_alias()
    found: list[tuple[int, int, Place]] = []
    taken = [False] * len(text)
    for alias in _aliases_longest_first():
        start = text.find(alias)
        while start >= 0:
            end = start + len(alias)
            place = aliases[alias]
            glued = (boundaries is not None and len(alias) <= 2 and place.level == "city"
                     and not (start in boundaries and end in boundaries))
            if not any(taken[start:end]) and not glued:
                found.append((start, end, place))
                for i in range(start, end):
                    taken[i] = True
            start = text.find(alias, start + 1)
    return sorted(found, key=lambda x: x[0])


@lru_cache(maxsize=1)
def _aliases_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_by_alias(), key=len, reverse=True))


def find_english(text: str) -> list[Place]:
    """Places named in English in a lower-cased question (Shandong, Weihai, Inner Mongolia)."""
    low = text.lower()
    out: list[Place] = []
    for p in gazetteer().values():
        for eng in p.english:
            if p.level == "national":
                continue
            if re.search(r"\b" + re.escape(eng) + r"\b", low):
                out.append(p)
                break
    # a province's customary name beats a city spelled the same (Jilin province / Jilin city)
    names = {p.short for p in out if p.level == "province"}
    return [p for p in out if p.level == "province" or p.short not in names]
