"""Answer forms on a small report of its own (the real models), so that each case rests on a general
pattern of these reports and not on one report's wording: definitions by a formula in quotation marks
or by two things joined before a counted name, a rate per month, an amount of money asked where the
report counts people, a title striven for, a base year compared with, a region of the country, a total
asked of a quantity written without 总, this year's measures before last year's results, a word said of
another thing, a versioned name spelled out, "a university" that is no count, a preparing word that
only qualifies the thing, the funds of a sentence's subject, a city the caller lives in, an
abbreviation the report writes for the term asked, a rise that does not say the level now, and a
quoted name that the settling clause must write, a question proper that names nothing after the
caller's story, a family member's year that is not the report's, a kind of the thing asked that is another
kind, a start said of another thing than the one asked, one side of 城乡, whether a thing goes on, and
several quoted names spelled out together, one of two coordinated words (居村委会), , an institution
opened (挂牌运营), a happening the report says there was none of, whom an English measure is for, a name the
caller quotes, scaffolding twice over, a fee paid in full, and a rate the caller states before a list question."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

LINES = [
    "2026年某某省政府工作报告",
    "——2026年1月20日在某某省第十四届人民代表大会第五次会议上",
    "一、2025年工作回顾",
    "过去一年，城乡居民基础养老金最低标准从98元/月提高到178元/月，为87万名80岁以上老年人发放高龄津贴。"
    "省会机场成为东北地区首个双跑道运行机场。",
    "新开星湖邮轮旅游航线2条，接待游客增长8%。星湖农商行正式挂牌运营。连续30年无重大森林火灾。"
    "粮食产量800.5亿斤，再创历史新高。社会消费品零售总额增长5.1%，消费市场持续回暖，汽车、家电消费带动作用明显。",
    "二、2026年重点工作",
    "（一）推进科技创新。推广“政府+高校+企业+金融”星湖模式，促进教育科技人才良性循环。",
    "（二）提升城市治理。深入抓好垃圾分类和物业管理两个关键小事，完善生活垃圾分类体系。",
    "（三）发展文化旅游。推动青峰山景区创建国家5A级旅游景区，办好旅游发展大会。",
    "（四）远景目标。展望到2035年的奋斗目标，在“十五五”基础上再奋斗五年，人均地区生产总值比2020年翻一番。",
    "（五）办好学前教育。全省58万名儿童享受减免幼儿园学前一年保育教育费。",
    "（六）扩大消费。实施消费品以旧换新，发放汽车、家电消费券，设置中小学春秋假，发展首店经济。",
    "（七）发展特殊教育。发展学前和高中阶段特殊教育，普及15年免费特殊教育。加快建设星湖科技大学。",
    "（八）完善交通网络。实施“三通工程”2.0版，推进村村通客车、户户通网络、镇镇通燃气。",
    "（九）推进节能降碳。启动建设省级零碳园区5个，推广新能源重卡，开展重点行业节能降碳改造。",
    "（十）办好民生实事。坚持民生为大，安排资金30亿元，办好20项民生实事。加快推行长护险，推行由常住地登记户口提供基本公共服务制度。边民补助标准再提高1200元。",
    "（十一）推进重大工程。亲自谋划推动的星湖水电工程开工建设。推进青峰水库开工前期工作。",
    "（十二）推动设备更新。优化“两新”政策实施，释放重点领域消费潜力。继续实施特色产业电价补贴政策。",
    "（十三）完善养老服务。改建3000张认知障碍照护床位，新增150个社区养老服务站。"
    "建成南湖大桥，开工建设北江高铁，加快星城港三期、东港码头等项目建设，加快星城新机场、东港机场等前期工作。",
    "（十四）完善社会保障。持续提高城乡居民基础养老金，平稳有序发展星湖旅游。"
    "打造创新发展先行区、对外开放新高地、社会治理标杆市。",
    "（十五）加强基层治理。开展居村委会换届选举，加强社会工作者队伍建设。落实生育补贴政策。"
    "持续办好“星超”“村BA”等群众体育赛事。对新生儿参加居民基本医保个人缴费部分给予全额补助。持续实施星江“十年禁渔”。",
    "三、“十五五”时期主要目标任务",
    "（一）推动经济社会全面绿色转型。积极发展节能降碳、环境保护、资源循环利用等绿色低碳产业，深入推进节能降碳，"
    "严控高能耗项目，构建节能降碳长效机制。",
]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from rag import Pipeline
    from tests.conftest import _build

    root = tmp_path_factory.mktemp("small-report")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "report.txt").write_text("\n".join(LINES), encoding="utf-8")
    (seeds / "report.json").write_text(json.dumps({"title": "2026年某某省政府工作报告", "place": "河南省",
                                                   "level": "province", "year": 2026}, ensure_ascii=False),
                                       encoding="utf-8")
    return Pipeline.load(_build(seeds, root / "index"))


@pytest.mark.parametrize("question,explained", [
    ("报告里说的“星湖模式”是什么意思？", "“政府+高校+企业+金融”星湖模式"),
    ("老听说“两个关键小事”，到底指的是啥？", "垃圾分类和物业管理两个关键小事"),
])
def test_a_definition_the_text_writes_before_the_name(small, question, explained):
    a = small.ask(question)
    assert not a.refused and a.answer_type == "definition"
    assert explained in a.direct_answer


def test_a_rate_per_month_answers_each_month(small):
    a = small.ask("现在城乡居民基础养老金最低每月多少钱？")
    assert not a.refused and "178元/月" in a.direct_answer


def test_an_amount_of_money_is_not_answered_by_a_count_of_people(small):
    a = small.ask("How much is the monthly old-age allowance for people over 80?")
    assert a.refused and a.answer_type == "figure" and "87" not in a.direct_answer


def test_striving_for_a_title_does_not_say_it_is_won(small):
    a = small.ask("青峰山景区今年能评上5A级景区吗？")
    assert a.refused and a.answer_type == "yesno" and a.direct_answer == ""
    assert "创建" in a.citations[0].quote  # the clause that only strives for it leads the nearest passages


def test_a_year_compared_with_is_not_the_year_asked(small):
    a = small.ask("人均GDP要比2020年翻一番，这是定在哪一年实现？")
    assert not a.refused and a.answer_type == "when" and "2035年" in a.direct_answer


def test_a_region_of_the_country_is_not_the_nation(small):
    a = small.ask("Where is the first airport in Northeast China to operate two runways?")
    assert not a.refused and "双跑道" in a.direct_answer


def test_a_figure_of_another_quantity_does_not_settle_a_stated_figure(small):
    # "all three years" is a span of years; 58万名 counts children, and says nothing of it
    a = small.ask("Will kindergarten be made free for all three years?")
    assert a.refused and a.answer_type == "yesno" and "58万" not in a.direct_answer


def test_a_total_asked_is_the_quantity_written_without_it(small):
    a = small.ask("去年全省粮食总产量是多少？")
    assert not a.refused and "800.5亿斤" in a.direct_answer


def test_what_is_being_done_comes_from_the_plans_not_last_years_results(small):
    a = small.ask("今年为了让大家多消费，省里都出了哪些招？")
    assert not a.refused and a.answer_type == "list"
    assert "消费券" in a.direct_answer and "增长5.1%" not in a.direct_answer
    assert a.citations[0].line == 12


def test_free_said_of_another_thing_does_not_settle_it(small):
    a = small.ask("上幼儿园今年会免费吗？")
    assert a.refused and a.answer_type == "yesno" and a.direct_answer == ""
    # the same clause settles what it is said of
    b = small.ask("特殊教育今年会免费吗？")
    assert not b.refused and "免费特殊教育" in b.direct_answer


def test_a_versioned_name_is_spelled_out_by_what_follows_it(small):
    a = small.ask("“三通工程”2.0版说的是啥？")
    assert not a.refused and a.answer_type == "definition"
    assert "村村通客车、户户通网络、镇镇通燃气" in a.direct_answer


def test_a_university_is_no_count_the_report_must_state(small):
    a = small.ask("听说要建一所星湖科技大学，是真的吗？")
    assert not a.refused and a.answer_type == "yesno" and "星湖科技大学" in a.direct_answer


def test_this_years_list_comes_from_this_years_tasks_not_the_five_year_plan(small):
    a = small.ask("今年在节能降碳方面准备怎么搞？")
    assert not a.refused and a.answer_type == "list"
    assert "零碳园区5个" in a.direct_answer and "资源循环利用" not in a.direct_answer


def test_a_preparing_word_before_the_thing_only_qualifies_it(small):
    a = small.ask("星湖水电工程开工了吗？")
    assert not a.refused and a.answer_type == "yesno" and "开工建设" in a.direct_answer
    # preparing for the thing asked does not say it is done
    b = small.ask("青峰水库开工了吗？")
    assert b.refused and b.answer_type == "yesno"


def test_the_funds_of_a_sentences_subject_answer_how_much_it_gets(small):
    a = small.ask("今年省里给民生实事安排了多少钱？")
    assert not a.refused and "30亿元" in a.direct_answer


def test_a_city_the_caller_lives_in_is_answered_from_its_provinces_report(small):
    a = small.ask("我户口在老家，常年住在郑州，能在常住地登记户口享受基本公共服务吗？")
    assert not a.refused and a.answer_type == "yesno" and "常住地登记户口" in a.direct_answer
    # a city asked about is still answered only where the report names it
    b = small.ask("郑州今年要办多少项民生实事？")
    assert b.refused


def test_an_abbreviation_the_report_writes_settles_the_full_term(small):
    a = small.ask("Will the province bring in long-term care insurance?")
    assert not a.refused and "长护险" in a.direct_answer


def test_a_rise_does_not_say_the_level_now(small):
    a = small.ask("边民补助现在一个人一年能拿多少钱？")
    assert a.refused and a.answer_type == "figure" and "1200元" not in a.direct_answer
    b = small.ask("边民补助今年提高多少？")
    assert not b.refused and "1200元" in b.direct_answer


def test_a_quoted_name_is_what_a_yes_or_no_asks_about(small):
    a = small.ask("今年家电汽车以旧换新这些“两新”政策还继续搞吗？")
    assert not a.refused and a.answer_type == "yesno" and "“两新”" in a.direct_answer


def test_what_the_callers_story_names_is_asked_when_the_question_names_nothing(small):
    a = small.ask("我们厂一直享受特色产业电价补贴，今年还有吗？")
    assert not a.refused and a.answer_type == "yesno" and "电价补贴" in a.direct_answer
    b = small.ask("我们厂一直享受出口信用保险补贴，今年还有吗？")  # the report names no such thing
    assert b.refused


def test_a_family_members_year_is_not_the_year_asked(small):
    a = small.ask("我家老人明年满80岁，今年要改建多少张认知障碍照护床位？")
    assert not a.refused and "3000张" in a.direct_answer
    # (nor does what the caller says of them narrow the thing asked)
    b = small.ask("我家老人有点认知障碍，今年要改建多少张认知障碍照护床位？")
    assert not b.refused and "3000张" in b.direct_answer


def test_another_kind_of_the_thing_asked_is_no_answer(small):
    a = small.ask("今年要新增多少张养老床位？")
    assert a.refused and a.answer_type == "figure" and "3000张" not in a.direct_answer


def test_a_start_said_of_another_thing_does_not_settle_the_thing_asked(small):
    from rag.answer import _topic_elsewhere
    from rag.query import analyze

    sentence = "建成南湖大桥，开工建设北江高铁，加快星城新机场、东港机场等前期工作。"
    start, airport = analyze("开工"), analyze("星城新机场")
    # the clause starts a thing of its own; the thing asked is named whole in another clause
    assert _topic_elsewhere(start, airport, "开工建设北江高铁，", sentence)
    # a clause that starts nothing of its own says it of the topic before it
    assert not _topic_elsewhere(start, airport, "年内开工。", "加快星城新机场建设，年内开工。")
    # one word is a context, not a thing named (以后办事还要开证明吗: 无证明城市 settles it)
    assert not _topic_elsewhere(start, analyze("办事"), "开工建设北江高铁，", "开工建设北江高铁，推进办事便利。")
    a = small.ask("星城新机场今年能开工吗？")  # the report only prepares it, in another clause
    assert a.refused and a.answer_type == "yesno"
    b = small.ask("北江高铁今年能开工吗？")
    assert not b.refused and "开工建设北江高铁" in b.direct_answer


def test_several_quoted_names_are_spelled_out_where_they_stand_together(small):
    a = small.ask("报告里的“新高地”“标杆市”具体指啥？")
    assert not a.refused and a.answer_type == "definition"
    assert "对外开放新高地" in a.direct_answer and "社会治理标杆市" in a.direct_answer


def test_a_happening_the_report_says_there_was_none_of_is_a_no(small):
    a = small.ask("去年发生过重大森林火灾吗？")
    assert not a.refused and "无重大森林火灾" in a.direct_answer
    assert "是的" not in a.to_json()["answer"]  # the clause is quoted without a "yes"


@pytest.mark.parametrize("question,phrase", [
    # a rise in the caller's words (往上调) of one side of 城乡 (town and country)
    ("农村老人的基础养老金今年还会往上调吗？", "城乡居民基础养老金"),
    # whether a thing goes on: this year's plans before last year's review (新开星湖邮轮旅游航线)
    ("星湖旅游以后还会继续搞吗？", "平稳有序发展星湖旅游"),
    # one of two coordinated words sharing their head
    ("今年居委会是不是要换届？", "居村委会换届选举"),
    # an institution opened is one set up
    ("星湖农商行已经成立开业了吗？", "挂牌运营"),
    # whom an English measure is given to weighs less than the measure
    ("Will the province give families a childbirth subsidy this year?", "生育补贴"),
    # a name the caller quotes is the thing itself, whatever words describe it
    ("“星超”足球联赛今年还办不办？", "“星超”"),
    # scaffolding twice over (继续执行) asks only whether it goes on
    ("星江那个禁捕今年还继续执行吗？", "十年禁渔"),
    # the person's fee paid in full by the government: nothing to pay
    ("家里刚生了宝宝，给孩子办居民医保个人还要交钱吗？", "全额补助"),
], ids=["town-and-country", "goes-on", "coordinated", "opened", "given-to", "quoted", "scaffolding", "paid-in-full"])
def test_yes_or_no_settled_by(small, question, phrase):
    a = small.ask(question)
    assert not a.refused and a.answer_type == "yesno" and phrase in a.direct_answer


def test_a_rate_the_caller_states_counts_no_things(small):
    a = small.ask("社零增长了5.1%，打算怎么扩大消费？")  # not "which of the 5.1% are they"
    assert not a.refused and a.answer_type == "list" and "以旧换新" in a.direct_answer

