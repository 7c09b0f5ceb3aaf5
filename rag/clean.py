"""Cleaning scraped report pages by general rules (no list per file).

Two kinds of debris:

* **page furniture**: whole lines that belong to the web page, not the report: buttons
  (下载, 打印, 【字号：, 分享到…), breadcrumbs (首页 > …), source and date lines (来源：…,
  2026-01-31 07:00), photo captions (…记者 某某 摄), editor lines, "related reports" links and a
  repeated title. ``furniture_reason`` says why a line is furniture, or ``None``.
* **injected text** inside a paragraph: an advertiser's brand with a Latin/number code
  (``凯发k8国际``) or a URL inside a Chinese sentence. ``remove_injected`` cuts it out and
  never puts anything in its place (a lost character is not invented).

Signals are generic: very short lines without sentence punctuation, web-interface vocabulary,
date and byline patterns, brand codes. Report headings (一、…, （三）…, ［12］…) are never
furniture, however short.
"""

from __future__ import annotations

import re

# Web-page interface words: a line made only of these is furniture.
UI_WORDS = frozenset(
    """下载 打印 打印本页 全屏 收藏 加大 还原 减小 默认 大 中 小 字号 【字号： 【 】 [ ] 关闭 关闭窗口 关闭本页 返回 返回顶部 顶部
    首页 分享 分享到 分享到微信 分享到微博 微信 微博 QQ空间 朋友圈 扫一扫 扫一扫在手机打开当前页 手机扫一扫 用手机扫描二维码
    二维码 × x > >> 》 | 相关报道： 相关报道 相关文档： 相关文档 相关链接： 相关链接 相关新闻： 相关新闻 延伸阅读： 延伸阅读
    上一篇 下一篇 点击排行 推荐阅读 责任编辑 编辑 来源 作者 发布时间 浏览次数 阅读 纠错 我要纠错 保存 复制链接
    打印此页 【打印】 【关闭】 【收藏】 【大 中 小】""".split()
)
# Lines that start like page metadata: 来源：大众日报, 时间：2026-02-01, 编辑：…, 当前位置：…
_META_LINE = re.compile(
    r"^[（(【\[]?\s*(?:来源|稿源|信息来源|文章来源|时间|发布时间|发表时间|发布日期|日期|编辑|责任编辑|责编|审核|审校|校对|作者|"
    r"记者|当前位置|您的位置|你的位置|所在位置|浏览次数|浏览量|阅读量|阅读次数|点击数|点击量|访问量|字号|字体|分享到|分享)\s*[：:]"
)
# A date or timestamp alone on a line: 2026-01-31 07:00:44, 2026年2月1日, 2026/02/01
_DATE_LINE = re.compile(
    r"^\s*(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
)
# Photo captions and bylines: "…作政府工作报告。本报记者 霍艳恩摄", "新华社记者 某某 摄"
_CAPTION = re.compile(r"(?:记者|摄影|通讯员|图片|供图|图/)[^。！？]{0,16}摄?\s*$|[\u4e00-\u9fff]{2,4}\s*摄\s*$")
# Breadcrumbs: "首页 > 要闻 > 正文", "首页>>政务公开"
_BREADCRUMB = re.compile(r"^(?:首页|主页|网站首页)?\s*(?:[^\s>》]{1,12}\s*(?:>|>>|》|/|→)\s*){1,6}[^\s>》]{0,12}$")
_SENTENCE_PUNCT = re.compile(r"[。！？；!?;，,：:、]")
# Report headings are never furniture: 一、 （三） ［12］ 1. 第一 一是
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|[［\[]\d+[］\]]|\d+[.．、]|"
                      r"第[一二三四五六七八九十]+|[一二三四五六七八九十]+是)")
# Injected advertising: a brand, a Latin+digit code and a gambling/portal word (凯发k8国际, xx体育app),
# or a URL/domain inside a Chinese sentence.
_SPAM_WORDS = r"(?:国际|娱乐|体育|官网|平台|真人|棋牌|彩票|电竞|登录|注册|入口|app|APP)"
_INJECTED = (
    re.compile(r"[\u4e00-\u9fff]{0,2}(?<![a-zA-Z0-9])[a-zA-Z]{1,4}\d{1,4}(?![a-zA-Z0-9.])" + _SPAM_WORDS),
    re.compile(r"(?:https?://|www\.)[A-Za-z0-9./?=&_%#-]+"),
    re.compile(r"(?<![A-Za-z0-9@.])[A-Za-z0-9-]{2,30}\.(?:com|net|cc|vip|top|xyz)(?![A-Za-z])"),
)


def remove_injected(text: str) -> str:
    """``text`` without injected adverts and URLs (nothing is put in their place)."""
    for pattern in _INJECTED:
        text = pattern.sub("", text)
    return text


# A scraper that lower-cased a page leaves 5g, n1, 1 4 n: no capital letter anywhere in the file.
# Chinese reports write Latin abbreviations in capitals (5G, GDP, AI, PM2.5), so in such a file a
# short Latin run is given its capitals back; SI units written in Latin keep their case.
_SHORT_LATIN = re.compile(r"(?<![A-Za-z])[a-z]{1,4}(?![A-Za-z])")
_LATIN_UNITS = frozenset("km kg kw kwh mw mwh gw gwh kv mm cm ml mg".split())


def case_folded(lines: list[str]) -> bool:
    """True when a file has Latin letters but not one capital: its case was folded by scraping."""
    text = "".join(lines)
    return bool(re.search(r"[a-z]", text)) and not re.search(r"[A-Z]", text)


def restore_case(text: str) -> str:
    """Short Latin runs in capitals (for a case-folded file): 新建5g基站 -> 新建5G基站."""
    return _SHORT_LATIN.sub(lambda m: m.group() if m.group() in _LATIN_UNITS else m.group().upper(), text)


def has_injected(text: str) -> bool:
    return any(p.search(text) for p in _INJECTED)


def _ui_only(line: str) -> bool:
    parts = [p.rstrip("：:") or p for p in re.split(r"\s+", line) if p]
    return bool(parts) and all(p in UI_WORDS for p in parts)


def furniture_reason(line: str, *, title_seen: set[str] | None = None) -> str | None:
    """Why ``line`` (stripped) is page furniture rather than report text, or None.

    ``title_seen``: normalised title/masthead lines met earlier in the file; a later copy of
    one of them is a repeated title.
    """
    s = line.strip()
    if not s:
        return "empty"
    if _ui_only(s) or s in UI_WORDS:
        return "page button"
    if _HEADING.match(s):
        return None
    if _META_LINE.match(s):
        return "source/date line"
    if _DATE_LINE.match(s):
        return "date line"
    if len(s) <= 60 and _CAPTION.search(s) and not s.endswith(("。", "！", "？")) or (
            re.search(r"(?:记者|摄影|通讯员)\s*\S{2,4}\s*摄\s*$", s)):
        return "photo caption"  # a photo's caption and byline, however long the caption
    if _BREADCRUMB.match(s) and ">" in s or s.startswith(("首页>", "首页 >", "首页》")):
        return "breadcrumb"
    if title_seen is not None and s in title_seen:
        return "repeated title"
    # very short line, no sentence punctuation, no digit: a button or a label of the page
    if len(s) <= 4 and not _SENTENCE_PUNCT.search(s) and not re.search(r"\d", s):
        return "short label"
    return None
