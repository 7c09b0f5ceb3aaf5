"""The report's vocabulary as users speak it: colloquial/abbreviated Chinese and English words
mapped onto the report's own terms.

Two data files under ``rag/data/`` (tab-separated ``left<TAB>term1|term2``):

* ``synonyms_zh.tsv``  规上 -> 规模以上, 社零 -> 社会消费品零售总额, 暖气管道 -> 供热管网, ...
* ``lexicon_en.tsv``   base station -> 基站, gdp -> 生产总值, heating pipe -> 供热管网, ...

Matching is greedy longest-first on normalised text. English words are reduced to a crude
base form (plural, -ing, -ed) on both sides so "stations" meets "station".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from .text import normalize

DATA = Path(__file__).resolve().parent / "data"

_EN_TOKEN = re.compile(r"[a-z0-9][a-z0-9&'\.]*[a-z0-9%]|[a-z0-9%]")

# Words that carry no topic in an English question.
EN_STOPWORDS = frozenset(
    """a an the of to in on for and or is are was were be been being will would shall should can could may might
    must do does did doing done have has had having what which who whom whose when where why how much many
    this that these those it its it's there their they them he she his her we our us you your i me my mine
    about as at by from with into over under up down out than then so such any some all each every per
    get gets got make makes making take takes taking took taken give gives giving help helps helping want need know
    like see let put keep going
    one two three four five six seven eight nine ten eleven twelve twenty hundred thousand first second third
    big small large huge little whole overall general kind sort type thing things something anything
    exactly specifically actually currently mainly main
    year years this-year city city's municipal province provincial government report plan plans planned planning
    going intend intends aim aims aimed expect expected expects target targets targeted tell me please say says
    said mention mentioned mentions according also just only more most less least very really exactly number
    numbers figure figures amount total quantity approximately about around roughly new newly
    compare compared comparison versus vs both respectively difference between each
    list lists listing describe explain show detail details now still already yet ever ahead end try trying tried tries
    find finding through here own set come comes coming came suppose supposed
    """.split()
)


# words whose stem would be another word's ("parking" is not "park")
_UNSTEMMED = frozenset({"parking"})


def stem(word: str) -> str:
    """Crude English base form: enough for plurals and common verb endings.

    Every path ends the same way, so enterprise / enterprises, restore / restored / restoring
    meet ("enterpris", "restor").
    """
    w = word.lower().strip("'\".,;:!?()")
    if len(w) <= 3 or not w.isalpha() or w in _UNSTEMMED:
        return w
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if w.endswith(suffix):
            return w[: -len(suffix)] + repl
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    elif w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


_STEMMED_STOPWORDS = frozenset(EN_STOPWORDS | {stem(w) for w in EN_STOPWORDS})


# British spellings folded onto American ones (the lexicon is written either way).
_BRITISH = [(re.compile(p), r) for p, r in (
    (r"(\w{3,})is(ation|ations|e|es|ed|ing|er|ers)\b", r"\1iz\2"),
    (r"\b(progra)mme(s?)\b", r"\1m\2"), (r"\b(\w*)(cent|met|lit|theat|fib)re(s?)\b", r"\1\2er\3"),
    (r"\btonne(s?)\b", r"ton\1"), (r"\b(col|lab|neighb|fav|harb|hon|behavi|rum|vap|endeav)our", r"\1or"),
    (r"\b(travel|model|label|cancel|fuel)l(ed|ing|er)\b", r"\1\2"), (r"\bageing\b", "aging"),
    (r"\bdefence\b", "defense"), (r"\blicence\b", "license"), (r"\bpractise", "practice"),
    (r"\benrol(s|ment)?\b", r"enroll\1"), (r"\bcheque", "check"), (r"\btyre", "tire"),
)]
_NOT_BRITISH = {"rise", "rises", "wise", "exercise", "exercises", "enterprise", "enterprises", "promise", "premise",
                "advertise", "expertise", "franchise", "merchandise", "supervise", "televise", "compromise", "surprise",
                "precise", "concise", "noise", "raise", "raised", "raising", "praise", "cruise", "revise", "revised",
                "advise", "devise", "disguise", "despise", "chemise", "otherwise", "likewise", "clockwise"}


def americanize(text: str) -> str:
    def fix(word: str) -> str:
        if word in _NOT_BRITISH:
            return word
        for pattern, repl in _BRITISH:
            word = pattern.sub(repl, word)
        return word

    return re.sub(r"[a-z]+", lambda m: fix(m.group(0)), text)


_ARTICLES = frozenset(("the", "a", "an"))


def en_tokens(text: str) -> list[str]:
    text = americanize(re.sub(r"'s\b", "", normalize(text)))
    return [stem(t) for t in _EN_TOKEN.findall(text)]


def _read_tsv(path: Path) -> list[tuple[str, list[str]]]:
    rows: list[tuple[str, list[str]]] = []
    if not path.exists():
        return rows
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#") or "\t" not in raw:
            continue
        left, right = raw.split("\t", 1)
        terms = [normalize(t.strip()) for t in right.split("|") if t.strip()]
        if left.strip() and terms:
            rows.append((left.strip(), terms))
    return rows


# characters that glue to a question's word without making a longer word with it: modals, particles
_FUNCTION_CHARS = frozenset("会能要还将在的了吗呢吧不也都就再又把被给让没")


@dataclass(frozen=True)
class Lexicon:
    zh: dict[str, tuple[str, ...]]  # normalised colloquial -> report terms
    en: dict[tuple[str, ...], tuple[str, ...]]  # stemmed english token tuple -> report terms
    en_max: int
    # derived from CC-CEDICT for the indexed sources; consulted only where ``en`` has nothing
    en_fallback: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    # the sources' normalised text: a colloquial key inside one of the report's own words
    # ("友好城市" in "全龄友好城市") is the report's word, not slang to translate
    corpus: str = ""

    def with_corpus(self, texts: list[str]) -> Lexicon:
        return replace(self, corpus="\n".join(normalize(t) for t in texts))

    def _in_report_word(self, text: str, start: int, end: int) -> bool:
        if not self.corpus:
            return False
        for a, b in ((start - 1, end), (start, end + 1), (start - 2, end), (start, end + 2)):
            if a < 0 or b > len(text):
                continue
            span = text[a:b]
            extra = text[a:start] + text[end:b]
            if all(ch in _FUNCTION_CHARS for ch in extra):
                continue  # 会治理 is a modal and a verb (社会治理 is no word of the question)
            if re.fullmatch(r"[\u4e00-\u9fff]+", span) and span in self.corpus:
                return True
        return False

    def abbreviations(self, term: str) -> list[str]:
        """The abbreviations the reports use for a report term (人工智能: ai; 生产总值: gdp; 长期护理保险:
        长护险): a key of the colloquial table that stands for ``term`` alone, is written in the sources,
        and is Latin or made of some of the term's characters in order (not a part of it: 风电 is more
        than 海上风电)."""
        latin = [k for k in self._latin_keys.get(term, ()) if k in self._latin_words]
        return latin + [k for k in self._short_keys.get(term, ()) if k in self.corpus]

    @cached_property
    def _short_keys(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for key, terms in self.zh.items():
            # (a subsequence that is no substring is shorter than the term)
            if len(terms) == 1 and len(key) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", key) \
                    and key not in terms[0] and _subsequence(key, terms[0]):
                out.setdefault(terms[0], []).append(key)
        return {t: tuple(ks) for t, ks in out.items()}

    @cached_property
    def _latin_words(self) -> frozenset[str]:
        return frozenset(re.findall(r"[a-z]+", self.corpus))

    @cached_property
    def _latin_keys(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for key, terms in self.zh.items():
            if re.fullmatch(r"[a-z]{2,}", key):
                for t in terms:
                    out.setdefault(t, []).append(key)
        return {t: tuple(ks) for t, ks in out.items()}

    @cached_property
    def _variants(self) -> dict[str, str]:
        """A phrase key said in the caller's own words (残疾儿童上学 -> 特殊教育 also as 残疾孩子上学,
        since 孩子 -> 儿童): the variant -> the key it rewords. Only where a colloquial word maps to one
        report word alone, so the variant means what the key does."""
        plain = {k: ts[0] for k, ts in self.zh.items() if len(ts) == 1 and re.fullmatch(r"[\u4e00-\u9fff]+", k)
                 and len(ts[0]) >= 2}
        out: dict[str, str] = {}
        for key in self.zh:
            if len(key) < 4 or not re.fullmatch(r"[\u4e00-\u9fff]+", key):
                continue
            for word, official in plain.items():
                if official in key and word != official:
                    variant = key.replace(official, word)
                    if variant not in self.zh:
                        out.setdefault(variant, key)
        return out

    @cached_property
    def _keys_longest_first(self) -> list[str]:
        return sorted([*self.zh, *self._variants], key=len, reverse=True)

    def with_fallback(self, derived: dict[str, list[str]]) -> Lexicon:
        fb = {tuple(k.split()): tuple(normalize(t) for t in v) for k, v in derived.items() if k and v}
        return replace(self, en_fallback=fb, en_max=max(self.en_max, max((len(k) for k in fb), default=1)))

    def expand_zh(self, text: str, keep_report_words: bool = False) -> list[tuple[str, str]]:
        """(matched colloquial word, report term) pairs found in normalised ``text``, longest first.

        With ``keep_report_words`` a key that is part of a longer word the report itself uses is
        left alone.
        """
        found: list[tuple[str, str]] = []
        taken = [False] * len(text)
        for key in self._keys_longest_first:
            start = text.find(key)
            while start >= 0:
                end = start + len(key)
                # a Latin key ("ai", "5g") must not match inside a longer Latin word ("said", "5gs")
                glued = key[0].isascii() and start > 0 and text[start - 1].isascii() and text[start - 1].isalnum()
                glued |= key[-1].isascii() and end < len(text) and text[end].isascii() and text[end].isalpha()
                if keep_report_words and self._in_report_word(text, start, end):
                    glued = True
                if not glued and not any(taken[start:end]):
                    for i in range(start, start + len(key)):
                        taken[i] = True
                    found.extend((key, term) for term in self.zh[self._variants.get(key, key)])
                start = text.find(key, start + 1)
        return found

    def translate_en(self, tokens: list[str]) -> tuple[list[tuple[str, str, bool]], list[str]]:
        """Greedy longest phrase match of stemmed English tokens, curated lexicon first.

        A word no table knows that the indexed reports write as it is (AED) is its own term.
        Returns ([(english phrase, report term, curated?)], [content tokens left unmatched]).
        """
        pairs: list[tuple[str, str, bool]] = []
        unmatched: list[str] = []
        i = 0
        while i < len(tokens):
            best = None
            for table, curated in ((self.en, True), (self.en_fallback, False)):
                match = self._match(table, tokens, i, phrase_may_start_with_stopword=curated)
                if match and (best is None or match[0] > best[0]):
                    best = (match[0], match[1], curated)
            if best:
                n, terms, curated = best
                pairs.extend((" ".join(tokens[i : i + n]), t, curated) for t in terms)
                i += n
            elif len(tokens[i]) >= 2 and tokens[i] in self._latin_words and tokens[i] not in _STEMMED_STOPWORDS:
                pairs.append((tokens[i], tokens[i], True))  # a Latin word the reports write as it is (AED, App)
                i += 1
            else:
                if tokens[i] not in _STEMMED_STOPWORDS and not tokens[i].isdigit():
                    unmatched.append(tokens[i])
                i += 1
        return pairs, unmatched

    def has_phrase(self, start: tuple[str, ...]) -> bool:
        """Does a curated phrase begin with these stemmed words ("open to traffic")?"""
        return any(key[: len(start)] == start for key in self.en if len(key) >= len(start))

    def _match(self, table, tokens: list[str], i: int, *, phrase_may_start_with_stopword: bool = True,
               ) -> tuple[int, tuple[str, ...]] | None:
        if not phrase_may_start_with_stopword and tokens[i] in _STEMMED_STOPWORDS:
            return None
        for n in range(min(self.en_max, len(tokens) - i), 0, -1):
            key = tuple(tokens[i : i + n])
            if n == 1 and key[0] in _STEMMED_STOPWORDS:
                continue
            terms = table.get(key)
            if not terms and n > 2 and key[0] not in _ARTICLES and key[-1] not in _ARTICLES:
                # "raise the retirement age" is the phrase "raise retirement age"
                terms = table.get(tuple(t for t in key if t not in _ARTICLES))
            if terms:
                return n, terms
        return None


def _subsequence(short: str, long: str) -> bool:
    """Are the characters of ``short`` those of ``long`` in order (长护险 of 长期护理保险)?"""
    it = iter(long)
    return all(ch in it for ch in short)


@lru_cache(maxsize=1)
def load_lexicon(data_dir: Path = DATA) -> Lexicon:
    zh: dict[str, tuple[str, ...]] = {}
    for left, terms in _read_tsv(data_dir / "synonyms_zh.tsv"):
        key = normalize(left)
        zh[key] = tuple(dict.fromkeys(zh.get(key, ()) + tuple(terms)))
    en: dict[tuple[str, ...], tuple[str, ...]] = {}
    for left, terms in _read_tsv(data_dir / "lexicon_en.tsv"):
        key = tuple(en_tokens(left))
        if key:
            en[key] = tuple(dict.fromkeys(en.get(key, ()) + tuple(terms)))
    return Lexicon(zh=zh, en=en, en_max=max((len(k) for k in en), default=1))
