"""Ingest: the report's structure, line numbers and cleaning."""

from __future__ import annotations

import pytest

from rag.clean import restore_case
from rag.ingest import load_document
from rag.structure import parse_lines
from tests.conftest import SOURCE

SECTIONS = [
    (6, "（一）强力推动全方位扩大内需…"),
    (11, "（二）全力强化科技创新引领…"),
    (16, "（三）着力融入国内国际双循环…"),
    (21, "（四）聚力全面深化改革…"),
    (26, "（五）倾力提升城市功能品质…"),
    (31, "（六）大力推进乡村全面振兴…"),
    (35, "（七）奋力建设创新型国际海洋强市…"),
    (39, "（八）加力推动绿色低碳转型…"),
    (43, "（九）合力增进民生福祉…"),
    (51, "（十）致力统筹发展和安全…"),
]

SUBSECTIONS = {
    7: "推动消费市场提振固稳", 8: "推动项目建设提速促稳", 9: "推动房地产业止跌回稳", 10: "推动政策承接提效保稳",
    12: "全面提高科技创新驱动力", 13: "做大做强先进制造业集群", 14: "深入推进实数融合", 15: "扩容升级现代服务业",
    17: "构建全方位开放新格局", 18: "稳固多元化外贸基本盘", 19: "打造高质量招商强磁场", 20: "建设制度型开放示范区",
    22: "坚持和落实“两个毫不动摇”", 23: "打造一流营商环境", 24: "健全城乡融合发展机制", 25: "深化社会领域改革",
    27: "高标准打造宜居城市", 28: "高品质打造旅游城市", 29: "高水平打造智慧城市", 30: "高质量打造韧性城市",
    32: "大力发展精致农业", 33: "大力建设和美乡村", 34: "大力促进农民增收",
    36: "奋力激活蓝色引擎", 37: "奋力壮大深蓝产业", 38: "奋力守护蔚蓝海洋",
    40: "加力发展绿色经济", 41: "加力推进绿色试点", 42: "加力筑牢绿色屏障",
    44: "促进高质量充分就业", 45: "织密民生兜底保障网", 46: "办好人民满意教育", 47: "深化健康威海建设",
    48: "推动文化繁荣发展", 49: "加快打造全龄友好型城市",
    52: "提升社会治理效能", 53: "筑牢公共安全防线", 54: "防范化解各类风险",
}


@pytest.fixture(scope="module")
def doc():
    return load_document(SOURCE)


def test_every_line_is_one_paragraph_with_its_line_number(doc, source_lines):
    assert [p.line for p in doc.paragraphs] == list(range(1, 58))
    for p in doc.paragraphs:
        if p.line != 25:  # (the file was case-folded by its scraper: 5g, n1 get their capitals back)
            assert p.text == restore_case(source_lines[p.line - 1].strip())


PART = "二、2025年政府工作目标任务"


def test_part_targets_and_closing(doc):
    kinds = {p.line: p.kind for p in doc.paragraphs}
    assert kinds[1] == "part" and doc.paragraph(1).text == PART
    assert [p.line for p in doc.paragraphs if p.role == "targets"] == [1, 2, 3, 4, 5]
    assert [p.line for p in doc.paragraphs if p.role == "closing"] == [57]
    assert "生产总值增长5.5%左右" in doc.paragraph(3).text
    assert all(p.years == (2025,) for p in doc.paragraphs)  # targets and tasks speak of the report's year


def test_ten_numbered_sections(doc):
    sections = [(p.line, p.section[1]) for p in doc.paragraphs if p.kind == "section"]
    assert sections == SECTIONS


@pytest.mark.parametrize("line,title", sorted(SUBSECTIONS.items()))
def test_subsection_titles_and_paths(doc, line, title):
    p = doc.paragraph(line)
    assert p.title == title and p.role == "tasks"
    section_line = max(n for n, _ in SECTIONS if n < line)
    assert p.section == (PART, dict(SECTIONS)[section_line], title)


def test_untitled_paragraphs_stay_in_their_section(doc):
    assert doc.paragraph(55).section[1].startswith("（十）")
    assert doc.paragraph(55).title.startswith("加强国防动员、人民防空建设")


def test_section_path_reads_like_the_issue(doc):
    assert doc.paragraph(29).section_path == f"{PART} › （五）倾力提升城市功能品质… › 高水平打造智慧城市"


def test_advert_removed_and_nothing_else(doc, source_lines):
    raw = source_lines[24]
    assert "凯发k8国际" in raw
    cleaned = doc.paragraph(25).text
    assert "凯发" not in cleaned and "k8" not in cleaned
    assert cleaned == raw.replace("凯发k8国际", "")
    assert all("凯发" not in p.text for p in doc.paragraphs)


def test_scraping_artifacts_are_kept_verbatim(doc):
    # the lost '+' signs are not invented; the file's folded case is restored (5g -> 5G, n1 -> N1)
    assert "“1 6”项目推进体系" in doc.paragraph(8).text
    assert "新建5G基站900座" in doc.paragraph(29).text and "5g" not in doc.paragraph(29).text
    assert "“1 4 N”创新平台" in doc.paragraph(12).text and "风电N1场址" in doc.paragraph(40).text


def test_metadata(doc):
    assert doc.title == "威海市2025年政府工作报告"
    assert (doc.place, doc.level, doc.year, doc.home) == ("威海市", "city", 2025, True)
    assert doc.origin["place"] == "json" and len(doc.sha256) == 64


@pytest.mark.parametrize("lines,expected_kinds", [
    (["2026年某省政府工作报告", "一、2025年工作回顾", "过去一年，经济运行稳中向好。", "二、2026年工作安排",
      "（一）扩大内需。内容。"], ["title", "part", "text", "part", "section"]),
    (["（一）没有标题行。内容。", "子标题。正文。"], ["section", "text"]),
])
def test_parse_lines_shapes(lines, expected_kinds):
    paragraphs, _ = parse_lines(lines, "x.txt", 2026)
    assert [p.kind for p in paragraphs] == expected_kinds


def test_blank_lines_are_skipped_and_numbering_kept():
    paragraphs, _ = parse_lines(["2026年某省政府工作报告", "", "  ", "一、2025年工作回顾"], "x.txt", 2026)
    assert [(p.line, p.kind) for p in paragraphs] == [(1, "title"), (4, "part")]
