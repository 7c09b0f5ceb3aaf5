"""Place and time from the question and the documents' metadata, never from constants."""

from __future__ import annotations

import pytest

from rag.ingest import load_documents
from rag.query import analyze
from rag.scope import Corpus, find_mentions
from tests.conftest import NATIONAL_2024, NATIONAL_2025, SEEDS, SHANDONG, WEIHAI


@pytest.fixture(scope="module")
def corpus():
    return Corpus(load_documents(SEEDS))


def sides(corpus, question):
    q = analyze(question)
    scope = corpus.resolve(q.mentions)
    return [(s.place, s.years, set(s.sources), s.wants) for s in scope.sides], list(scope.missing), scope.home_default


# (question, [(place, years asked, documents searched, wants)], missing)
TABLE = [
    # no place: the home document, 今年 = its year
    ("今年GDP增长目标是多少", [("威海市", (2025,), {WEIHAI}, "target")], []),
    ("GDP增长目标", [("威海市", (), {WEIHAI}, "target")], []),
    # places by name, by level word, in English
    ("山东今年GDP增长目标", [("山东省", (2026,), {SHANDONG}, "target")], []),
    ("省里今年的GDP目标", [("山东省", (2026,), {SHANDONG}, "target")], []),
    ("全国今年GDP增长目标", [("全国", (2025,), {NATIONAL_2025}, "target")], []),
    ("What is China's GDP growth target this year?", [("全国", (2025,), {NATIONAL_2025}, "target")], []),
    ("Shandong's GDP target", [("山东省", (), {SHANDONG}, "target")], []),
    # 去年: the newest report's review (and the year's own report when it is held)
    ("去年全国GDP增长了多少", [("全国", (2024,), {NATIONAL_2024, NATIONAL_2025}, "result")], []),
    ("2024年全国GDP增长目标", [("全国", (2024,), {NATIONAL_2024, NATIONAL_2025}, "target")], []),
    ("2025年山东GDP实际增长多少", [("山东省", (2025,), {SHANDONG}, "result")], []),
    ("十四五期间山东新增就业多少", [("山东省", tuple(range(2021, 2026)), {SHANDONG}, "result")], []),  # a period over
    # "比去年" compares; it does not ask about last year
    ("全国专项债比去年多安排了多少", [("全国", (), {NATIONAL_2025}, "target")], []),
    # comparisons: one side per place or year
    ("威海和山东今年GDP增长目标分别是多少",
     [("威海市", (2025,), {WEIHAI}, "target"), ("山东省", (2026,), {SHANDONG}, "target")], []),
    ("全国2024年和2025年赤字率",
     [("全国", (2024,), {NATIONAL_2024, NATIONAL_2025}, "result"), ("全国", (2025,), {NATIONAL_2025}, "")], []),
    # what no document covers
    ("北京今年GDP目标", [], ["北京市"]),
    ("威海2026年GDP目标", [], ["威海2026年"]),
    ("Jiangsu's GDP target", [], ["江苏省"]),
    ("全国2023年GDP增长目标", [("全国", (2023,), {NATIONAL_2024}, "target")], []),  # its review speaks of 2023
    # the end year of the plan a report sets out, but not the years before it nor the next year
    ("山东到2030年GDP目标", [("山东省", (2030,), {SHANDONG}, "target")], []),
    ("山东2027年GDP目标", [], ["山东2027年"]),
]


@pytest.mark.parametrize("question,expected,missing", TABLE)
def test_place_and_time_resolution(corpus, question, expected, missing):
    got, miss, _ = sides(corpus, question)
    assert got == expected
    assert miss == missing


def test_the_home_is_the_most_local_place(corpus):
    assert corpus.home == (WEIHAI,) and corpus.home_place == "威海市"
    assert sides(corpus, "今年GDP增长目标是多少")[2] is True  # home assumed, and said so


def test_without_a_home_every_place_answers():
    docs = [d for d in load_documents(SEEDS) if d.source != WEIHAI]
    corpus = Corpus(docs)
    # two levels left, each with one place: the province is the most local
    assert corpus.home_place == "山东省"
    provinces = Corpus([d for d in docs if d.place == "全国"] + [d for d in docs if d.place == "全国"])
    assert provinces.home_place == "全国"


@pytest.mark.parametrize("text,places,times", [
    ("山东今年GDP", ["山东省"], [("rel", 0)]),
    ("前年全国的情况", ["全国"], [("rel", -2)]),
    ("明年威海", ["威海市"], [("rel", 1)]),
    ("in 2024 nationwide", ["全国"], [("abs", 2024)]),
    ("last year in Weihai", ["威海市"], [("rel", -1)]),
    ("十五五时期", [], [("period", 2026)]),
    ("过去五年", [], [("period", -5)]),
    ("这5年", [], [("period", -5)]),  # a question is normalised first: 五 is 5
    ("十四五这5年", [], [("period", 2021)]),  # one period, named twice
    ("国家级专精特新企业", [], []),  # an adjective, not the national level
    ("新乡村振兴", [], []),  # a city's name inside another word
    ("投资2000个项目", [], []),  # a count, not a year
    ("compare china's gdp growth in 2023 and 2024.", ["全国"], [("abs", 2023), ("abs", 2024)]),  # the full stop
    ("增长2024.5万元", [], []),
    # the caller's own situation before the question: its year is theirs, not the report's
    ("我明年就到退休年龄了，咱这儿延迟退休是不是真要推行？", [], []),
    ("我家孩子2024年出生的，能领育儿补贴吗", [], []),
    ("i retire next year. will the retirement age go up?", [], []),
    ("我去年失业了，今年有什么就业政策", [], [("rel", 0)]),
    ("明年延迟退休是不是真要推行？", [], [("rel", 1)]),  # not the caller's: the question's own year
])
def test_mentions(text, places, times):
    from rag.segment import boundaries

    m = find_mentions(text.lower(), boundaries(text.lower()))
    assert [p.name for p in m.places if p.name] == places
    assert [(t.kind, t.a) for t in m.times] == times


def test_many_places_without_a_home_are_one_scope():
    """A province's or a nation's deployment: the 28 provincial reports, no home. A question naming no
    place searches all of them at once (the best passage of any report answers, named by its
    citation), not the first few provinces in file order; one naming a province searches that one."""
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("provincial corpus not present")
    corpus = Corpus(load_documents(CORPUS))
    assert corpus.home == ()
    (side,), missing, home = sides(corpus, "今年GDP增长目标是多少")
    assert side[0] == "" and len(side[2]) == 28 and side[1] == (2026,) and not missing and home is False
    (side,), _, _ = sides(corpus, "粮食产量")
    assert len(side[2]) == 28 and side[1] == ()
    (side,), _, _ = sides(corpus, "山东今年GDP增长目标")
    assert side[0] == "山东省" and len(side[2]) == 1
    # a few reports picked (as in the lookup's filter): each place is its own side, as in a comparison
    few = tuple(sorted(corpus.by_source))[:3]
    scope = corpus.resolve(analyze("GDP增长目标").mentions, restrict=few)
    assert len(scope.sides) == 3 and all(len(s.sources) == 1 for s in scope.sides)


@pytest.mark.parametrize("text,wants", [
    ("how much did china plan to issue in 2024", "target"),
    ("did henan meet its main targets for 2025", "result"),
    ("what are the national targets for 2024", "target"),
    ("去年实际增长了多少", "result"),
    ("what was the 2024 national target for cutting energy use", "target"),
    ("去年gdp增长目标完成了吗", "result"),
])
def test_what_a_question_wants(text, wants):
    assert find_mentions(text).wants == wants


def test_a_city_without_a_report_is_answered_from_its_province(corpus):
    """烟台 has no report here; Shandong's does, and its passages must name the city."""
    scope = corpus.resolve(find_mentions("烟台今年城镇新增就业目标多少"))
    assert "烟台市" in scope.missing
    assert [s.place for s in scope.sides] == ["山东省"]


@pytest.mark.parametrize("text,wants", [
    ("山东去年城镇新增就业实际是多少？今年目标又是多少？", ["result", "target"]),
    ("shandong's gdp growth last year vs. its growth target this year?", ["", "target"]),
    ("what was china's actual gdp growth in 2024 and what is the target for 2025?", ["result", "target"]),
    ("2024年和2025年地方政府专项债各安排了多少", ["target", "target"]),  # said of both
    ("全国粮食产量目标2024年和2025年比有啥变化", ["target", "target"]),
    ("全国2024年和2025年赤字率", ["", ""]),  # no word of its own: the question's (and the year's) default
])
def test_each_time_asks_its_own(text, wants):
    from rag.segment import boundaries

    m = find_mentions(text.lower(), boundaries(text.lower()))
    assert [t.wants for t in m.times] == wants


@pytest.mark.parametrize("question,end", [
    ("i'd like to start my own business here. how much will the city lend?", len("i'd like to start my own business here. ")),
    ("i live on the 6th floor. my building has no lift. will they add one?", len("i live on the 6th floor. my building has no lift. ")),
    ("how much will the city lend? i need to know.", 0),  # the question comes first
    ("will kindergarten be free this year?", 0),
])
def test_where_the_question_begins_after_the_callers_own_story(question, end):
    from rag.scope import story_end

    assert story_end(question) == end


@pytest.mark.parametrize("text,years", [
    ("人均gdp要比2020年翻一番，这是定在哪一年实现？", []),  # a base year compared with, not the year asked
    ("人均gdp比2020年翻一番的目标定在2035年吗", [2035]),
    ("2024年gdp增长多少", [2024]),
])
def test_a_year_compared_with_is_not_the_year_asked(text, years):
    assert [t.a for t in find_mentions(text).times if t.kind == "abs"] == years


@pytest.mark.parametrize("text,national", [
    ("where is the first airport in northeast china to operate two runways?", False),
    ("what are the plans for central china?", False),
    ("how much did china's gdp grow?", True),
])
def test_a_region_of_china_is_not_the_nation(text, national):
    assert any(p.level == "national" for p in find_mentions(text).places) == national


@pytest.mark.parametrize("text,pos_of,caller", [
    ("我户口在老家，常年住在拉萨，能在常住地登记户口吗", "拉萨", True),
    ("i live in lhasa, will pensions rise?", "lhasa", True),
    ("拉萨今年要建多少公里道路", "拉萨", False),  # the place asked about
    ("我想问，拉萨今年要建多少公里道路", "拉萨", False),
])
def test_a_place_that_only_says_where_the_caller_lives(text, pos_of, caller):
    from rag.scope import where_caller_is

    assert where_caller_is(text, text.find(pos_of)) is caller


@pytest.mark.parametrize("text,years", [
    ("明年打算要二胎，在医院生孩子还要掏钱吗", []),  # the caller's own plan
    ("明年打算建多少所学校", [1]),                     # the report's plan asked
])
def test_the_callers_own_plan_names_no_year_asked(text, years):
    assert [t.a for t in find_mentions(text).times] == years


def test_leaving_the_country_names_no_national_scope():
    assert [p.level for p in find_mentions("can i get a tax refund when i leave the country?").places] == []
    assert [p.level for p in find_mentions("what is the country's growth target?").places] == ["national"]


@pytest.mark.parametrize("text,levels", [
    ("黑龙江粮食产量还是全国第一吗", ["province"]),           # the nation is the field it is ranked in
    ("北京地铁里程是不是全国最长", ["province"]),
    ("is beijing's subway network the longest in china?", ["province"]),
    ("will the china great wall museum open to visitors this year?", []),  # a name's first word
    ("全国最低工资标准是多少", ["national"]),                  # 最低工资 is a metric, not a rank
    ("how many cities in china have subways?", ["national"]),
    ("全国第二轮土地承包到期后要再延长30年吗", ["national"]),  # a round, not a rank
])
def test_a_national_rank_is_no_national_scope(text, levels):
    assert [p.level for p in find_mentions(text).places] == levels
