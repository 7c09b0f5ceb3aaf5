"""What people type, made comparable with the report, before anything else reads it.

``normalize_question`` returns the question in the report's script and forms:

* traditional characters -> simplified (OpenCC ``t2s``, dictionaries shipped in its wheel);
  the original script is remembered so that replies frame in it (``to_script``);
* full-width Latin letters and digits -> ASCII; variant punctuation (「」『』﹐﹖…) -> the usual;
* stray spaces and line breaks pasted from chat apps between Chinese characters are dropped
  (spaces between Latin words stay);
* Chinese numerals that state a quantity -> digits, as the reports write them: 九百座 -> 900座,
  百分之五点五 -> 5.5%, 两万人 -> 2万人, 五千万元 -> 5000万元. Only a numeral followed by a unit
  (or after 百分之) is converted, so names such as 一带一路, 三农, "十四五" and 一是 stay as they are.
  (``cn2an.transform`` converts every numeral, 一带一路 -> 1带1路, so a small parser does it here.)

Cost: about 20 µs per question (``bench/run.py`` measures it).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from .text import clean_input

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_UNIT_AFTER = (r"(?:个百分点|百分点|平方公里|平方米|公里|千米|公顷|万千瓦|千瓦|小时|座|个|家|人|户|元|吨|米|亩|项|所|条|场|次|名|"
               r"倍|年|天|岁|套|辆|台|张|件|床|艘|处|批|斤|%)")
_NUMERAL = re.compile(
    r"(百分之)?([零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?)([万亿]{0,2})(?=(" + _UNIT_AFTER + r")?)"
)
# Names that are written with numerals but are not quantities.
# Quoted names (“千项万亿”), names built like 百县千镇 / 千项万亿, and 一年 (a year, not the figure 1年).
_PROTECTED = re.compile(r"十[三四五六]五|[一二三四五六七八九十两]+是|第[一二三四五六七八九十百]+|[一二三四五六七八九十]+[、.]|"
                        r"“[^”]{1,24}”|《[^》]{1,40}》|\"[^\"]{1,24}\"|"
                        r"[百千万](?![零〇一二两三四五六七八九十百千万亿])[\u4e00-\u9fff][百千万亿]|(?<![零〇一二两三四五六七八九十百千])一年")
_PUNCT = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’", "﹐": "，", "﹑": "、", "﹔": "；", "﹕": "：",
                        "﹖": "？", "﹗": "！", "︰": "：", "︱": "|", "︳": "|", "〝": "“", "〞": "”", "‧": "·",
                        "・": "·", "﹏": "_", "～": "~"})
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff，。？！、：；“”（）])\s+|\s+(?=[\u3400-\u9fff，。？！、：；“”（）])")

_lock = threading.Lock()
_converters: dict[str, object] = {}


def _converter(config: str):
    conv = _converters.get(config)
    if conv is None:
        with _lock:
            conv = _converters.get(config)
            if conv is None:
                import opencc

                conv = opencc.OpenCC(config)
                _converters[config] = conv
    return conv


@dataclass(frozen=True)
class Normalized:
    text: str  # what the rest of the pipeline reads
    script: str  # "hans" | "hant": the script the user wrote in
    original: str


def _width(text: str) -> str:
    """Full-width ASCII forms -> ASCII (letters, digits, %, +); Chinese punctuation is kept."""
    out = []
    for ch in text:
        if "\uff01" <= ch <= "\uff5e" and (ch.isalnum() or ch in "％＋－．／＆"):
            out.append(unicodedata.normalize("NFKC", ch))
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def cn_number(s: str) -> float | None:
    """'九百' -> 900, '一千二百' -> 1200, '十五' -> 15, '五点五' -> 5.5, '两' -> 2."""
    whole, _, frac = s.partition("点")
    total, current = 0, 0
    if not whole:
        return None
    for ch in whole:
        if ch in _DIGIT:
            current = current * 10 + _DIGIT[ch] if current and whole[0] not in _SMALL and all(
                c in _DIGIT for c in whole) else _DIGIT[ch]
        elif ch in _SMALL:
            total += (current or 1) * _SMALL[ch]
            current = 0
        else:
            return None
    value = float(total + current)
    if frac:
        if not all(c in _DIGIT for c in frac):
            return None
        value += float("0." + "".join(str(_DIGIT[c]) for c in frac))
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def numerals_to_digits(text: str) -> str:
    protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]

    def repl(m: re.Match) -> str:
        if any(a <= m.start() < b for a, b in protected):
            return m.group(0)
        percent, numeral, magnitude, unit = m.group(1), m.group(2), m.group(3), m.group(4)
        if not percent and not unit and not magnitude:
            return m.group(0)
        if len(numeral) == 2 and all(c in _DIGIT for c in numeral) and "零" not in numeral and "〇" not in numeral:
            return m.group(0)  # 两三岁, 三四个: "two or three", not 23
        value = cn_number(numeral)
        if value is None:
            return m.group(0)
        if percent:
            return _fmt(value) + magnitude + "%"
        return _fmt(value) + magnitude

    return _NUMERAL.sub(repl, text)


def normalize_question(text: str) -> Normalized:
    """The question in the report's script and forms (see the module docstring)."""
    original = text
    text = clean_input(text).translate(_PUNCT)
    text = _CJK_SPACE.sub("", _width(text))
    simplified = _converter("t2s.json").convert(text)
    script = "hant" if simplified != text else "hans"
    text = english_magnitudes(numerals_to_digits(simplified))
    text = _COLLOQUIAL_YUAN.sub(r"\1元", text)  # 200块, 3万块钱: yuan as callers say it
    text = _TENTHS.sub(lambda m: f"{_DIGIT[m.group(1)]}0%", text)  # 超过八成: 80%, as the reports write it
    return Normalized(text, script, original)


_TENTHS = re.compile(r"(?<![一二三四五六七八九十两零〇百千万])([一二三四五六七八九])成(?![立为功本果绩员交就熟长效不是])")
_COLLOQUIAL_YUAN = re.compile(r"(\d(?:\.\d+)?(?:万|亿)?)(?:块钱|块)")


_EN_WORD_NUMBER = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())} | {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
# (one to ten before a magnitude; "a thousand parks", "a trillion-yuan economy" name a class more
# often than they state a figure)
_EN_MAGNITUDE = re.compile(r"(?<![\d.])\b(\d+(?:\.\d+)?|" + "|".join(w for w, v in _EN_WORD_NUMBER.items() if 1 <= v <= 10)
                           + r")\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
_EN_FACTOR = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def english_magnitudes(text: str) -> str:
    """English magnitudes written as the reports write them: "50 million" -> "5000万", "1.2 billion"
    -> "12亿", "3 trillion" -> "3万亿" (the unit word after them stays: "50 million passengers")."""
    def one(m: re.Match) -> str:
        num = m.group(1).lower()
        value = (float(num) if num[0].isdigit() else _EN_WORD_NUMBER[num]) * _EN_FACTOR[m.group(2).lower()]
        for factor, unit in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"), (1, "")):
            if value >= factor:
                n = value / factor
                return (f"{n:.4f}".rstrip("0").rstrip(".")) + unit
        return m.group(0)

    return _EN_MAGNITUDE.sub(one, text)


_EN_FIGURE_UNITS = (("percentage points?", "个百分点"), ("percent|per cent|%", "%"), ("years?", "年"),
                    ("months?", "个月"), ("days?", "天"), ("hours?", "小时"), ("yuan|rmb", "元"),
                    ("km|kilomet(?:re|er)s?", "公里"), ("mu", "亩"), ("people|persons", "人"),
                    ("households?", "户"), ("tonnes?|tons?", "吨"))
# (magnitudes are already written as the reports write them: english_magnitudes)
_EN_FIGURE = re.compile(
    rf"\b(\d+(?:\.\d+)?(?:万亿|亿|万)?|{'|'.join(sorted(_EN_WORD_NUMBER, key=len, reverse=True))})[\s-]*"
    rf"({'|'.join(f'(?:{p})' for p, _ in _EN_FIGURE_UNITS)})\b", re.I)


def english_figures(text: str) -> str:
    """English figures with their unit in the reports' notation, so a caller's "three years",
    "240-hour" or "15亿 yuan" compares with 3年, 240小时, 15亿元; other text unchanged."""
    def repl(m: re.Match) -> str:
        num = m.group(1).lower()
        unit = next(u for p, u in _EN_FIGURE_UNITS if re.fullmatch(p, m.group(2), re.I))
        return f" {num if num[0].isdigit() else _EN_WORD_NUMBER[num]}{unit} "

    return _EN_FIGURE.sub(repl, text)


def to_script(text: str, script: str) -> str:
    """Framing text in the user's script (quotes from the report are never passed here)."""
    if script != "hant" or not text:
        return text
    return _converter("s2t.json").convert(text)
