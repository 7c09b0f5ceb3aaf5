"""Figures: parsing with units and qualifiers, records extracted by general patterns, units asked."""

from __future__ import annotations

import pytest

from rag.figures import PERCENT_UNITS, extract, figures, parse_all, same_value
from rag.types import Passage
from rag.units import asked_units, preferred_units


@pytest.mark.parametrize("text,expected", [
    ("新建5g基站900座", ["900座"]),
    ("生产总值增长5.5%左右", ["5.5%左右"]),
    ("引进青年人才2万人以上", ["2万人以上"]),
    ("新建改造供热管网103.4公里、换热站94座", ["103.4公里", "94座"]),
    ("力争全年完成投资1200亿元", ["1200亿元"]),
    ("粮食产量1.3万亿斤以上", ["1.3万亿斤以上"]),
    ("实施数字产业化“九大工程”", ["九大"]),
    ("半岛北海上风电n1场址", []),
    ("推进“1 6”项目", []),  # a number in quotation marks is a name
    ("2025年主要预期目标", []),  # a year is not a figure
    ("没有数字", []),
])
def test_figures_keep_unit_and_qualifier(text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize("text,value,unit,qualifier", [
    ("3.3万人", 33000, "人", ""),
    ("1.3万亿元", 1.3e12, "元", ""),
    ("5.5%左右", 5.5, "%", "左右"),
    ("500万元以上", 5e6, "元", "以上"),
    ("突破300亿元", 3e10, "元", "突破"),
    ("30千米", 30, "千米", ""),
])
def test_parse_values(text, value, unit, qualifier):
    (p,) = parse_all(text)
    assert p.value == pytest.approx(value) and p.unit == unit and p.qualifier == qualifier


def test_same_value_across_writings():
    a, b = parse_all("2万人")[0], parse_all("20000人")[0]
    assert same_value(a, b)
    assert not same_value(parse_all("5%")[0], parse_all("5.5%")[0])


def passage(text: str, role: str = "targets", years=(2025,)) -> Passage:
    return Passage("r.txt", 7, 0, len(text), "t", ("t",), role, years, text)


@pytest.mark.parametrize("text,role,expected", [
    ("生产总值增长5.5%左右，其中，规模以上工业增加值增长7%左右。", "targets",
     [("生产总值增长", "5.5%左右", "target"), ("规模以上工业增加值增长", "7%左右", "target")]),
    # "A、B分别增长6%、5%": one record per metric
    ("规模以上工业增加值、固定资产投资分别增长6%、5%。", "review",
     [("规模以上工业增加值增长", "6%", "result"), ("固定资产投资增长", "5%", "result")]),
    # "A30个、B20个": each item its own metric
    ("争取获批省级以上重点人才计划30个、外国专家项目20个。", "tasks",
     [("争取获批省级以上重点人才计划", "30个", "plan"), ("外国专家项目", "20个", "plan")]),
    # the subject carries to a clause without one
    ("国内生产总值超过126万亿元，增长5.2%。", "review",
     [("国内生产总值超过", "126万亿元", "result"), ("国内生产总值增长", "5.2%", "result")]),
    ("实施数字产业化“九大工程”。", "tasks", [("实施数字产业化“工程”", "九大", "plan")]),
    # a bare count ("培训40万人次", "6600多万纳税人受益") is of the measure the clause before names
    ("开展“技兴齐鲁 乐业山东”培训，全年培训40万人次。", "tasks",
     [("开展“技兴齐鲁乐业山东”培训培训", "40万人次", "plan")]),
    ("提高“一老一小”个人所得税专项附加扣除标准，6600多万纳税人受益。", "review",
     [("提高“一老一小”个人所得税专项附加扣除标准纳税人受益", "6600多万", "result")]),
    # …but not of a clause saying what an earlier figure is for, nor of a clause with a figure of its own
    ("从今年开始拟连续几年发行超长期特别国债，专项用于国家重大战略实施，今年先发行1万亿元。", "tasks",
     [("发行", "1万亿元", "plan")]),
    ("建设城市绿道50公里，新增100公里。", "tasks",
     [("建设城市绿道", "50公里", "plan"), ("建设城市绿道新增", "100公里", "plan")]),
    # a sentence that is only a bare measure measures the sector the sentences before it are about
    ("新医药产业聚焦生物制药，发展体外诊断。产值达到780亿元。拓展聚醚醚酮产业化应用。产值超过350亿元。", "tasks",
     [("新医药产业产值达到", "780亿元", "plan"), ("新医药产业产值超过", "350亿元", "plan")]),
])
def test_records(text, role, expected):
    recs = extract(passage(text, role), "某市")
    assert [(r.metric, r.text, r.kind) for r in recs] == expected
    for r in recs:
        assert r.clause in text and text[r.start:r.end].strip(" ，,。") in text and r.place == "某市"


@pytest.mark.parametrize("question,hard,soft", [
    ("今年修多少公里路", ("公里", "千米", "米"), ()),
    ("多少元", ("元",), ()),
    ("增速是多少", PERCENT_UNITS, ()),
    ("GDP增长多少", (), PERCENT_UNITS),
    ("投资多少", (), ("元", "亿", "万亿")),
    ("how many households", ("户",), ()),
    ("去年接待游客多少人次", ("人次",), ()),
    # the count named, how much it grew asked: a rate answers too (入境旅游人次增长68.2%)
    ("入境游客人次比前年涨了多少", (), PERCENT_UNITS),
])
def test_units_asked(question, hard, soft):
    units = asked_units(question)
    assert all(u in units for u in hard) and (units or not hard) and (hard or not units)
    assert preferred_units(question, units)[: len(soft)] == soft


@pytest.mark.parametrize("text,figure,unit,kind", [
    ("地区生产总值增长5%—5.5%，在实际工作中努力争取更好结果", "5%—5.5%", "%", "target"),
    ("地区生产总值增长4.5-5%，在实际工作中争取更好结果", "4.5-5%", "%", "target"),
    ("地区生产总值增长5％左右", "5％左右", "%", "target"),
])
def test_ranges_and_full_width_percent_are_one_figure(text, figure, unit, kind):
    from rag.types import Passage

    (rec,) = [f for f in extract(Passage("x.txt", 1, 0, len(text), "", (), "tasks", (2026,), text), "") if "生产总值" in f.metric]
    assert (rec.text, rec.unit, rec.kind) == (figure, unit, kind)
    assert rec.metric == "地区生产总值增长"


def test_a_year_span_is_no_figure():
    assert [p.text for p in parse_all("2021—2025年，地区生产总值年均增长5.5%")] == ["5.5%"]


def test_naming_keeps_only_what_names_the_city_in_the_answer_and_its_citations():
    """A city answered from its province's report: bullets, direct answer and citations all keep only
    the passages that name it (plumbing; the real pipeline is tested in test_answers)."""
    from rag.answer import Answerer, SideAnswer
    from rag.types import Hit, Passage

    def hit(line, text):
        return Hit(Passage("p.txt", line, 0, len(text), "", (), "tasks", (2026,), text), 1.0)

    a, b = hit(1, "推动烟台东方航天港融入国家商业航天布局。"), hit(2, "提速山钢日照基地二期。")
    part = SideAnswer(None, "list", False, direct="推动烟台东方航天港\n提速山钢日照基地二期",
                      bullets=[("推动烟台东方航天港", a), ("提速山钢日照基地二期", b)],
                      primary=[(a, a.passage.text), (b, b.passage.text)])
    kept = Answerer.naming(part, ("烟台",))
    assert kept.direct == "推动烟台东方航天港" and [h for h, _ in kept.primary] == [a]
    assert Answerer.naming(part, ("威海",)).refused


def test_a_clause_without_a_figure_gives_the_next_its_subject():
    # the last subject named (东盟进出口) is not the subject of 达到5379亿元: the clause between names it
    text = "对中亚五国、东盟进出口分别增长37.2%、19%，全省进出口总值创历史新高，达到5379亿元、增长18.5%。"
    recs = {r.text: r.metric for r in extract(passage(text, "review"), "某省")}
    assert recs["5379亿元"].startswith("进出口总值") and recs["18.5%"].startswith("进出口总值")
    assert "东盟" in recs["19%"]


def test_a_level_raised_from_one_figure_to_another_is_one_record_of_the_new_level():
    # "从380元提高至1000元": 380元 is where the standard starts, not a figure of its own
    text = "推进学前教育优质普惠发展，农牧区免费学前教育生均标准从380元提高至1000元，支持有条件的幼儿园招收2—3岁幼儿。"
    recs = {r.text: r.metric for r in extract(passage(text, "tasks"), "某区")}
    assert "380元" not in recs
    assert recs["1000元"] == "农牧区免费学前教育生均标准提高至"


def test_urban_and_rural_respectively_gives_the_towns_figure_then_the_countrysides():
    text = "城乡居民人均可支配收入分别增长6%和7.4%。"
    recs = {r.text: r.metric for r in extract(passage(text, "review"), "某区")}
    assert recs["6%"].startswith("城镇居民人均可支配收入") and recs["7.4%"].startswith("农村居民人均可支配收入")


def test_a_rate_per_period_keeps_its_period_in_the_figure():
    got = parse_all("城乡居民基础养老金最低标准从98元/月提高到178元/月，城乡低保4318元/年")
    assert [(p.text, p.unit) for p in got] == [("98元/月", "元"), ("178元/月", "元"), ("4318元/年", "元")]


@pytest.mark.parametrize("question,units", [
    # an amount of money, not how many receive it
    ("how much is the monthly old-age allowance for people over 80?", ("元", "亿", "万亿")),
    ("现在基础养老金最低每月多少", ("元", "亿", "万亿")),
    ("高龄津贴多少", ("元", "亿", "万亿")),
    ("how many people get the allowance", ("人", "人次", "名")),
    ("养老金领取人数有多少", ("人", "人次", "名")),
    ("特殊教育免费多少年", ()),  # 免费 is no fee
    # the unit of the clause that asks, not of the caller's story (几家合用厨卫)
    ("我家住的老公房还是几家合用厨卫的，今年旧住房成套改造计划完成多少面积？", ("亩", "公顷", "平方公里", "平方米")),
    ("要供应多少床位", ("床", "张", "个")),
    # people are counted in people, not in the platforms made for them
    ("how many phds does the city plan to bring in this year?", ("人", "人次", "名")),
])
def test_units_asked_by_what_is_asked(question, units):
    assert asked_units(question) == units


def test_a_clause_about_something_else_ends_the_subject_before_it():
    text = "高质量建设金华（义乌）中欧班列集结中心，深化中欧班列市场化运营改革，全年开行3000列以上。"
    recs = extract(Passage("r.txt", 1, 0, len(text), "", (), "tasks", (2026,), text), "浙江省")
    (rec,) = [r for r in recs if r.text == "3000列以上"]
    assert "中欧班列" in rec.metric and not rec.metric.startswith("高质量建设金华")
