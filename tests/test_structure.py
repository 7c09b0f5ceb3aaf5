"""One parser for any report: parts, sections and leads, roles and years, page furniture dropped by
general rules. Checked on every shipped report and on all 28 provincial reports as scraped."""

from __future__ import annotations

import re

import pytest

from rag.chunk import chunk_paragraphs, passages
from rag.clean import UI_WORDS, case_folded, furniture_reason, remove_injected, restore_case
from rag.ingest import load_document
from rag.structure import blocks, label, lead_sentence, parse_lines
from tests.conftest import SEEDS, corpus_files

FILES = corpus_files()
FULL_REPORTS = [f for f in FILES if not f.name.startswith("weihai")]  # Weihai ships only its tasks part
# Page furniture must never reach a chunk: a whole chunk made of UI words, or these markers.
FURNITURE = re.compile(r"^(?:下载|打印|全屏|收藏|加大|还原|减小)$|分享到|相关报道|相关文档|扫一扫|关闭窗口|【字号|"
                       r"来源：|时间：\d|编辑：|当前位置|您的位置|首页\s*>|记者\s*\S{2,4}\s*摄")


@pytest.fixture(scope="module", params=FILES, ids=lambda p: p.name.split("-2")[0])
def document(request):
    return load_document(request.param)


def test_every_report_is_parsed_into_parts_sections_and_roles(document):
    kinds = {p.kind for p in document.paragraphs}
    roles = {p.role for p in document.paragraphs}
    assert "part" in kinds
    assert "tasks" in roles
    if not document.source.startswith("weihai"):
        assert {"front", "review"} <= roles, roles
        assert sum(p.kind == "part" for p in document.paragraphs) >= 2
    assert sum(p.kind in ("section", "heading") for p in document.paragraphs) >= 3
    # every text paragraph has a section path with a title, and a year when it is not front matter
    for p in document.paragraphs:
        if p.kind == "text" and p.role in ("review", "targets", "tasks"):
            assert p.section and p.title and p.years, p


def test_no_page_furniture_reaches_a_chunk(document):
    for c in chunk_paragraphs(document.paragraphs):
        assert not FURNITURE.search(c.text), (document.source, c.line, c.text[:40])
        assert c.text.strip() not in UI_WORDS
        assert "凯发" not in c.text and "k8国际" not in c.text


def test_years_follow_the_roles(document):
    y = document.year
    for p in document.paragraphs:
        if p.role == "review" and p.kind == "text":
            assert max(p.years) <= y - 1 or min(p.years) >= y, p  # the past, or (a plan stated in a review part)
        if p.role == "tasks" and p.kind == "text":
            assert y in p.years, p


def test_citation_lines_are_the_files_own_lines(document):
    path = next(f for f in FILES if f.name == document.source)
    lines = path.read_text(encoding="utf-8").split("\n")
    folded = case_folded(lines)
    for p in document.paragraphs:
        raw = remove_injected(lines[p.line - 1].strip()).strip()
        assert p.text == (restore_case(raw) if folded else raw), (p.line, p.text[:20])  # never moved


def test_shandong_structure():
    d = load_document(SEEDS / "shandong-2026-government-work-report.txt")
    by_line = {p.line: p for p in d.paragraphs}
    assert {n for n, _ in d.dropped} >= {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 63}
    assert by_line[17].kind == "part" and by_line[17].role == "review"
    assert by_line[19].years == (2025,)  # the review of 2025
    assert by_line[26].years == tuple(range(2021, 2026))  # 十四五 achievements
    assert by_line[43].role == "tasks" and by_line[58].years == (2026,)
    assert by_line[58].section[-1] == "（九）奋力推进保障和改善民生"
    assert by_line[62].role == "closing"
    titles = [ps.title for ps in passages([by_line[58]])]
    assert titles[:3] == ["（九）奋力推进保障和改善民生", "促进就业增收", "扩大优质教育资源供给"]


def test_weihai_structure_and_advert():
    d = load_document(SEEDS / "weihai-2025-government-work-report.txt")
    by_line = {p.line: p for p in d.paragraphs}
    assert by_line[1].kind == "part" and by_line[3].role == "targets"
    assert by_line[29].section[-2:] == ("（五）倾力提升城市功能品质…", "高水平打造智慧城市")
    assert by_line[29].role == "tasks" and by_line[29].years == (2025,)
    assert "凯发" not in by_line[25].text and "深化按病种付费的支付方式改革" in by_line[25].text
    assert "1 6" in " ".join(p.text for p in d.paragraphs)  # lost '+' signs are not invented


def test_glossary_entries_are_found():
    hainan = next((f for f in FILES if f.name.startswith("hainan")), None)
    if hainan is None:
        pytest.skip("provincial corpus not present")
    d = load_document(hainan)
    glossary = [p for p in d.paragraphs if p.role == "glossary"]
    assert len(glossary) >= 40
    definition = next(p for p in glossary if p.text.startswith("国家重大战略实施"))
    assert definition.title == "两重"


@pytest.mark.parametrize("line,reason", [
    ("下载", "page button"), ("【字号：", "page button"), ("分享:", "page button"), ("来源：大众日报", "source/date line"),
    ("时间：2026-02-01", "source/date line"), ("2026-01-31 07:00:44", "date line"), ("发表时间：", "source/date line"),
    ("王正谱作政府工作报告。本报记者 霍艳恩摄", "photo caption"), ("首页 > 要闻 > 正文", "breadcrumb"),
    ("宁夏要闻", "short label"),
    ("一、2025年工作回顾", None), ("（三）", None), ("各位代表：", None), ("提高社会保障水平。", None),
    ("［12］三资：", None),
])
def test_furniture_by_general_rules(line, reason):
    assert furniture_reason(line) == reason


@pytest.mark.parametrize("text,clean", [
    ("深化按病种付费凯发k8国际的支付方式改革", "深化按病种付费的支付方式改革"),
    ("详见www.example.com官网", "详见官网"),
    ("推动C919大飞机、5g基站建设", "推动C919大飞机、5g基站建设"),  # codes inside report terms stay
])
def test_injected_text(text, clean):
    assert remove_injected(text) == clean


def test_folded_case_is_restored_only_in_a_folded_file():
    assert case_folded(["新建5g基站900座。", "风电n1场址"]) and not case_folded(["新建5G基站", "发展ai"])
    assert not case_folded(["没有拉丁字母。"])
    assert restore_case("新建5g基站,“1 4 n”平台,pm2.5浓度,建成app") == "新建5G基站,“1 4 N”平台,PM2.5浓度,建成APP"
    assert restore_case("装机100万kw,线路50km") == "装机100万kw,线路50km"  # units keep their case
    paragraphs, _ = parse_lines(["一、工作回顾", "新建5g基站900座。"], "x.txt", 2025)
    assert paragraphs[-1].text == "新建5G基站900座。"


@pytest.mark.parametrize("text,lead", [
    ("做强科技创新核心驱动。加快建设更多创新平台。", "做强科技创新核心驱动"),
    ("——经济总体回升向好。国内生产总值超过126万亿元。", "经济总体回升向好"),
    ("一是加大宏观调控力度，推动经济运行持续好转。二是…", None),
    ("各位代表！2025年是很不平凡的一年。五年来，我们…", "2025年是很不平凡的一年"),
    ("没有句号的一行", None),
])
def test_lead_sentences(text, lead):
    assert lead_sentence(text) == lead


def test_blocks_split_long_paragraphs_at_leads():
    text = ("（九）奋力推进民生。" + "坚持尽力而为、量力而行，更加注重投资于人。" * 3 + "促进就业增收。"
            + "加大稳岗扩容力度，提档升级就业服务区。" * 8 + "健全社会保障体系。" + "继续提高城乡居民基础养老金，推进省级统筹。" * 8)
    spans = blocks(text, max_chars=200)
    assert [t for _, _, t in spans] == [None, "促进就业增收", "健全社会保障体系"]
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_labels():
    assert label("（五）倾力提升城市功能品质,打造精致城市建设样板。") == "（五）倾力提升城市功能品质…"
    assert label("一、2025年工作回顾") == "一、2025年工作回顾"


def test_an_excerpt_without_parts_starts_at_its_targets():
    lines = ["2025年主要预期目标为:生产总值增长5%左右。", "(一)推动消费。扩大内需。", "推动消费提振。细化措施。"]
    paragraphs, dropped = parse_lines(lines, "x.txt", 2025)
    assert [p.role for p in paragraphs] == ["targets", "tasks", "tasks"] and not dropped


# A review paragraph speaks of the last year or of the five-year period; its opening decides, and
# without a cue it continues what the paragraph before spoke of (invented sentences, one per shape).
PERIOD = (2021, 2022, 2023, 2024, 2025)
_REVIEW_OPENINGS = [
    ("刚刚过去的2025年，是“十四五”收官之年。一年来，全省上下锚定目标，经济增长5.2%。", None, (2025,)),
    ("2025年是“十四五”收官之年，习近平总书记再次亲临考察，赋予我们新的使命任务。我们牢记嘱托，粮食总产量达到800亿斤，再创历史新高，全年经济稳中有进。", PERIOD, (2025,)),
    ("刚刚过去的2025年，全省上下坚决贯彻党中央决策部署，顶压前行、迎难而上，顺利完成全年目标任务，实现“十四五”圆满收官。经济运行稳中有进。", PERIOD, (2025,)),
    ("各位代表！2025年是“十四五”收官之年。五年来，我们牢记嘱托、感恩奋进。", None, PERIOD),
    ("各位代表！2025年主要目标任务圆满完成，标志着“十四五”胜利收官。回首奋斗历程，最让我们铭记于心的是总书记的关怀。", None, PERIOD),
    ("“十四五”时期是极不寻常、极不平凡的五年。", None, PERIOD),
    ("——经济运行稳中有进。人均GDP从2020年的5.2万元提高到2025年的7.4万元。", PERIOD, PERIOD),
    ("发挥比较优势，推动适度多元发展。超额完成国家“十四五”找矿目标任务。", (2025,), (2025,)),
    ("过去的一年，极不寻常、很不容易。", PERIOD, (2025,)),
    # the last year as the subject, though the next plan is named ("…“十五五”规划谋篇布局之年")
    ("2025年是“十四五”规划冲刺收官、“十五五”规划谋篇布局之年。总书记再次考察。", None, (2025,)),
    # the next plan, named in writing, at the end of the review part
    ("根据《中共某省委关于制定国民经济和社会发展第十五个五年规划的建议》，我们编制了“十五五”规划纲要（草案）。",
     PERIOD, (2026, 2027, 2028, 2029, 2030)),
]


@pytest.mark.parametrize("text,before,years", _REVIEW_OPENINGS)
def test_review_years_from_the_opening(text, before, years):
    from rag.structure import _paragraph_years, _State

    st = _State(period=(before[0], before[-1]) if before and len(before) > 1 else None)
    assert _paragraph_years("review", 2026, PERIOD, text, st) == years


def test_a_plan_part_naming_this_year_speaks_of_this_year():
    from rag.structure import parse_lines

    lines = ["一、2025年工作回顾", "过去一年，经济增长5%。", "二、全力推动“十五五”开好局、起好步",
             "今年经济社会发展的主要预期目标是：地区生产总值增长5%左右。", "“十五五”时期的主要目标是：经济实力大幅跃升。",
             "（一）扩大内需。新建改造地下管网1250公里以上。"]
    ps, _ = parse_lines(lines, "x.txt", 2026)
    years = {p.line: p.years for p in ps}
    assert years[4] == (2026,)
    assert years[5] == tuple(range(2026, 2031))
    assert years[6] == (2026,) or years[6] == tuple(range(2026, 2031))  # follows the section it is in


def test_a_part_on_the_plan_named_in_writing_and_its_look_back_on_the_last_period():
    from rag.structure import parse_lines

    lines = ["一、2025年工作回顾", "一年来，经济增长5%。", "二、关于《某省国民经济和社会发展第十五个五年规划纲要（草案）》的说明",
             "“十四五”时期，我省发展历程极不寻常。这五年，地区生产总值从4万亿元增加到5万亿元。",
             "“十五五”时期具有承前启后的重要地位。", "三、2026年主要任务", "今年的主要预期目标是：生产总值增长5%左右。"]
    ps = {p.line: p for p in parse_lines(lines, "x.txt", 2026)[0]}
    assert ps[3].years == tuple(range(2026, 2031))
    assert (ps[4].role, ps[4].years) == ("review", PERIOD)  # looks back: its figures are the period's
    assert (ps[5].role, ps[5].years) == ("tasks", tuple(range(2026, 2031)))
    assert ps[7].years == (2026,)


def test_the_five_years_go_on_until_the_last_year_is_spoken_of_again():
    lines = ["一、2025年和“十四五”时期工作回顾", "这一年，我们埋头苦干，经济运行稳中向好。", "五年来，我们坚定不移推进高质量发展。",
             "全省地区生产总值连跨3个千亿级台阶，2025年人均生产总值提升至7.6万元。规上工业增加值年均增长9%。",
             "2025年主导产业占GDP比重较2020年提高约14个百分点。", "过去一年，粮食产量创历史新高。"]
    paragraphs, _ = parse_lines(lines, "x.txt", 2026)
    years = {p.text[:4]: p.years for p in paragraphs}
    period = tuple(range(2021, 2026))
    assert years["这一年，"] == (2025,) and years["五年来，"] == period
    assert years["全省地区"] == period  # "…，2025年人均…" is where the period ends, not a new year
    assert years["2025"] == period     # "较2020年" compares the period's two ends
    assert years["过去一年"] == (2025,)
