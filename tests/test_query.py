"""Question forms in Chinese and English, and the words a question is about."""

from __future__ import annotations

import pytest

from rag.query import analyze

FORMS = [
    # figure
    ("今年要建多少5G基站？", "figure"), ("社零增长目标", "figure"), ("How many 5G base stations this year?", "figure"),
    ("What is the GDP growth target?", "figure"), ("赤字率是多少", "figure"),
    # list
    ("想买房，今年楼市这块有哪些支持政策？", "list"), ("今年怎么促消费？", "list"), ("养老方面今年有什么新政策？", "list"),
    ("What is being done about air quality?", "list"), ("How will the city help young people find jobs?", "list"),
    ("What healthcare measures does Shandong plan this year?", "list"), ("科技创新方面今年主要抓什么？", "list"),
    # yes/no
    ("今年冬天的暖气费会不会涨价？", "yesno"), ("退休金今年能涨吗？", "yesno"), ("是否延迟退休", "yesno"),
    ("Will Weihai build new 5G base stations?", "yesno"), ("Does the report mention a subway?", "yesno"),
    ("城中村改造今年还搞不搞？", "yesno"), ("老小区今年还给改造不？", "yesno"),
    ("太原地铁1号线开通了没有？", "yesno"), ("延迟退休实行了没", "yesno"),
    # when / where
    ("津潍高铁什么时候建成？", "when"), ("When will the airport open?", "when"),
    ("大运会在哪个城市办的？", "where"), ("Where will the robot industry clusters be?", "where"),
    ("超长期特别国债的钱主要用在哪些方面？", "list"),  # 用在哪些方面 asks what for, not where
    # a relative "when" in a yes/no question asks yes or no; "do you know when" asks when
    ("Will land contracts be extended again when the second round expires?", "yesno"),
    ("Do you know when the airport will open?", "when"),
    ("I'm retired. Will my pension go up this year?", "yesno"),  # the question after the caller's sentence
    # "restoration" holds "ratio": no figure asked
    ("What ecological protection and restoration work is planned this year?", "list"),
    # compare
    ("威海和山东今年GDP增长目标分别是多少", "compare"), ("全国2024年和2025年赤字率", "compare"),
    ("Compare the GDP targets of Weihai and Shandong", "compare"),
    # definition
    ("什么是“两重”", "definition"), ("外贸“新三样”指的是什么？", "definition"), ("报告里老提“两新”，到底指啥？", "definition"),
    ("What does 'two new' mean?", "definition"),
    # other
    ("招商引资那个计划叫什么", "other"),
]


@pytest.mark.parametrize("question,form", FORMS)
def test_forms(question, form):
    assert analyze(question).form == form


def test_forms_cover_both_languages():
    for form in ("figure", "list", "yesno", "when", "where", "compare", "definition"):
        langs = {analyze(q).lang for q, f in FORMS if f == form}
        assert langs == {"zh", "en"} or form == "definition" and "zh" in langs


@pytest.mark.parametrize("question,terms,absent", [
    ("今年GDP增长目标", {"生产总值"}, {"今年", "目标"}),
    ("退休金今年能涨吗？", {"养老金", "养老保险", "提高"}, {"能涨", "今年"}),
    ("山东今年规上工业增加值增长多少", {"规模以上工业增加值"}, {"山东"}),
    ("how many 5G base stations", {"5g", "基站"}, set()),
    ("今年規上工業增加值打算漲多少？", {"规模以上工业增加值"}, set()),  # traditional characters
])
def test_topic_terms(question, terms, absent):
    got = {t.text for t in analyze(question).terms}
    assert terms <= got and not (absent & got)


@pytest.mark.parametrize("question,general", [
    ("今年普惠性养老床位要增加多少张？", True), ("今年要新增多少张床位", True), ("建几座桥", True),
    ("老旧小区改造多少户", False), ("培训多少人", False), ("培训多少人次", False), ("修多少公里路", False),
])
def test_a_shape_measure_word_also_accepts_the_general_one(question, general):
    # reports count beds and bridges with 个 as often as with 张 and 座; 户 and 人 are what is counted
    assert ("个" in analyze(question).units) is general


def test_stated_figures_and_units():
    q = analyze("城区老旧供水管网改造长度是103.4公里吗")
    assert q.stated_figures == ("103.4公里",) and "公里" in q.units
    q = analyze("打12345反映的小事政府会办吗？")  # a hotline's number names it
    assert q.stated_figures == () and "12345" in [t.text for t in q.terms]
    q = analyze("今年要建九百座基站吗")  # numerals become digits
    assert q.stated_figures == ("900座",)
    # a decade is a time the caller tells, not a figure to check (八九十年代 → 90年代)
    assert analyze("我家住的是八九十年代的老小区，今年有没有改造的份？").stated_figures == ()
    # a number that names (a metro line, a session) is a name, not a figure the question states
    assert analyze("22号线到平谷那段今年能通车吗？").stated_figures == ()
    assert analyze("第3届进博会办了吗？").stated_figures == ()


def test_a_noun_is_not_a_modal_before_a_verb():
    # 能耗 (energy use) is a word; 能涨 is "can rise"
    assert "能耗" in [t.text for t in analyze("今年单位GDP能耗下降多少？").terms]
    assert "能涨" not in [t.text for t in analyze("退休金今年能涨吗？").terms]


@pytest.mark.parametrize("question,asked", [
    ("今年冬天的供暖费会涨吗？", "涨"),  # 会涨 is one word to the segmenter
    ("威海今年买房还限购吗？", "限购"),
    ("老板拖欠工资不给，政府今年管不管这事？", "管这事"),
    ("孩子两三岁没人带，政府今年会推便宜的托儿所吗？", "推便宜的托儿所"),
    ("老小区今年还给改造不？", "改造"),
    ("普通高中今年开始免学费了吗？", "免学费"),
    ("长江十年禁渔今年还继续搞吗？", "搞"),
    ("今年有没有老年食堂这类助餐服务？", "老年食堂这类助餐服务"),
    # the question is the last clause; the caller's situation before it is not what is asked
    ("听说要延迟退休了，咱威海今年也开始实行吗？", "实行"),
    ("荣乌高速修好以后过路费怎么收，会不会免费？", "免费"),
    ("上海大歌剧院今年能建好开放吗", "建好开放"),  # a modal glued to a verb with its result
    ("农村低保今年提6%，那城市低保标准今年也涨吗？", "涨"),  # 也 is a modal too
    ("长沙机场改扩建今年能完工验收不？", "完工验收"),
    ("刚生了二胎，今年育儿补贴还会发吗？", "发"),  # 还会发 is one word to the segmenter
])
def test_what_a_yes_no_question_asks(question, asked):
    q = analyze(question)
    assert q.form == "yesno" and q.asked == asked


def test_only_yes_no_questions_in_chinese_have_a_predicate():
    assert analyze("今年要建多少5G基站？").asked == ""
    assert analyze("Will bus fares go down this year?").asked == ""


@pytest.mark.parametrize("question,report,word,present", [
    # a Latin abbreviation the report writes as it is is the report's word, both ways round
    ("去年GDP实际增长了多少？", "全年GDP增长4%，快于上年。", "gdp", True),
    ("What was GDP growth last year?", "全年GDP增长4%。", "gdp", True),
    ("人工智能三年一共安排多少钱？", "三年安排450亿元支持以AI为引领的新质生产力发展。", "ai", True),
    # ... only where the report writes it, and only as a word ("said" is not AI)
    ("人工智能三年一共安排多少钱？", "人工智能产业规模突破千亿元。", "ai", False),
    ("人工智能三年一共安排多少钱？", "he said so", "ai", False),
    # a Latin word no table knows is the report's word where the report writes it
    ("今年要在公共场所布置多少处AED这类急救设备？", "布局AED等群众可及急救设备700处。", "aed", True),
    ("How many AEDs will be installed?", "布局AED等群众可及急救设备700处。", "aed", True),
    ("今年要在公共场所布置多少处AED这类急救设备？", "布局急救设备700处。", "aed", False),
])
def test_latin_abbreviations_the_report_writes(question, report, word, present):
    from rag.lexicon import load_lexicon

    q = analyze(question, load_lexicon().with_corpus([report]))
    assert (word in {t.text for t in q.terms}) is present, q.terms


@pytest.mark.parametrize("question", ["去年经济实际涨了多少？", "今年经济打算增长多少", "经济增速去年是多少"])
def test_the_economy_growing_is_gdp(question):
    assert "生产总值" in {t.text for t in analyze(question).terms}


@pytest.mark.parametrize("question,metric,mismatch", [
    ("人均GDP到多少了", "全省生产总值增长", True),        # per person asked, a total given
    ("GDP到多少了", "人均地区生产总值从的提高到的", True),   # a total asked, per person given
    ("人均GDP到多少了", "人均地区生产总值从的提高到的", False),
    ("城市低保标准多少", "城市低保人均保障标准", False),       # the standard itself, not a per-head share
    ("What is the average life expectancy now?", "人均预期寿命增至", False),  # per person by name
    ("What was the total GDP in 2025, in yuan?", "人均生产总值提升至", True),
])
def test_per_person_and_totals_do_not_answer_each_other(question, metric, mismatch):
    from rag.answer import _per_head_only

    assert _per_head_only(analyze(question), metric) is mismatch


@pytest.mark.parametrize("word,text,inserted", [
    ("人工智能课", "中小学校全部开设人工智能通识课，", True),
    ("燃气表", "为3.5万户居民更换燃气物联网表", True),
    ("燃气表", "燃气管网改造，表彰先进", False),       # the head is in another clause
    ("燃气表", "推进燃气管道老化更新改造工程等重点表", False),  # too far from the word
    ("人工智能课", "人工智能课", False),               # written whole: the ordinary case
])
def test_a_modifier_inserted_between_a_word_and_its_head(word, text, inserted):
    from rag.answer import _modifier_inserted

    assert _modifier_inserted(word, text) is inserted


@pytest.mark.parametrize("word,text,short", [
    ("长期护理保险", "加快推行长护险，建设参保人个人医保云", True),
    ("医疗保险", "扩大医保覆盖面", True),
    ("医疗保险", "医疗卫生强基工程", False),   # one word of it is not its short form
    ("长期护理保险", "长期坚持，护理院", False),
    ("人工智能课", "人工课", False),             # only compounds of two-character words
])
def test_a_compound_in_its_short_form(word, text, short):
    from rag.answer import _short_form_in

    assert _short_form_in(word, text) is short


def test_a_phrase_of_the_vocabulary_is_found_in_the_callers_words():
    # 残疾儿童上学 -> 特殊教育, and 孩子 -> 儿童 alone: 残疾孩子上学 is the same phrase
    said = [t.text for t in analyze("残疾孩子上学是不是免费的？").terms]
    assert "特殊教育" in said and said == [t.text for t in analyze("残疾儿童上学是不是免费的？").terms]
    # a word that maps to several report words does not reword a phrase (its variant could mean another)
    assert "特殊教育" not in [t.text for t in analyze("孩子上学是不是免费的？").terms]


@pytest.mark.parametrize("question,asked", [
    ("太原地铁1号线开通了没有？", "开通"), ("海南到底封关了没有？", "封关"),
    ("浙江去年出过重大安全生产事故没有？", "出过重大安全生产事故"),  # from the verb on
])
def test_whether_a_thing_has_happened_asks_its_verb(question, asked):
    q = analyze(question)
    assert q.asked == asked and "没有" not in [t.text for t in q.terms]


@pytest.mark.parametrize("question,stated", [
    ("Will kindergarten be made free for all three years?", ("3年",)),
    ("Is the province going to use the 240-hour visa-free transit policy?", ("240小时",)),
    ("Will they spend 1.5 billion yuan on it?", ("15亿元",)),
    ("Has the airport's cargo throughput passed one million tonnes?", ("100万吨",)),
    ("城乡居民基础养老金今年能涨到每月200块吗？", ("200元",)),  # 块 is how callers say 元
    ("Will they build 900 5G base stations?", ("900",)),
])
def test_figures_a_caller_states_in_english_or_colloquially(question, stated):
    assert analyze(question).stated_figures == stated


def test_already_and_all_are_scaffolding_and_a_past_question_asks_its_verb():
    q = analyze("漳州核电站已经投入运行了吗")
    assert q.asked == "投入运行" and "已经" not in [t.text for t in q.terms]
    assert "全都" not in [t.text for t in analyze("十四五的指标全都完成了吗？").terms]
    # a verb with its aspect particle is the verb: 发了 is 发, a figure's frame
    assert "发了" not in [t.text for t in analyze("去年育儿补贴发了多少人？").terms]


def test_the_situation_before_a_figure_question_weighs_less():
    q = analyze("学校门口上下学堵车，今年要治理多少所学校周边的路？")
    w = {t.group or t.text: t.weight for t in q.terms}
    assert w["门口"] < w["周边"] and w["治理"] == 1.0


def test_the_callers_own_situation_in_english_weighs_less_and_misses_nothing():
    q = analyze("I'd like to start my own business here. How much in guaranteed startup loans will the city hand out?")
    w = {t.group: t.weight for t in q.terms}
    assert w["startup"] == 1.0 and w["business"] < 1.0 and "here" not in q.en_unmatched
    assert analyze("How much in guaranteed startup loans will the city hand out?").form == "figure"
    # a reading the question proper names is its own word, though the situation names it too
    q = analyze("我家老人80多岁了，今年省里在养老服务设施上有哪些新安排？")
    assert {t.text: t.weight for t in q.terms}["养老"] == 1.0
    assert not {"我家", "问下"} & {t.text for t in analyze("我家老人80多岁了，想问下今年建多少养老院？").terms}


def test_whom_an_english_yes_no_question_asks_about_weighs_less():
    q = analyze("Can foreign travellers transit through the province without a visa?")
    w = {t.group: t.weight for t in q.terms}
    assert w["visa"] == 1.0 and w["foreign"] < 1.0 and "travell" not in " ".join(q.en_unmatched)
    # an ordinal is no figure and no word of the reports
    assert "6th" not in [t.text for t in analyze("I live on the 6th floor. Will they install elevators?").terms]


def test_how_much_land_asks_an_area():
    q = analyze("How much land will be planted with rice this year?")
    assert "亩" in q.units and "土地" not in [t.text for t in q.terms]


def test_what_an_english_yes_no_question_asks_for_weighs_less():
    q = analyze("Is the city going to use the visa-free transit policy to attract foreign visitors?")
    w = {t.group: t.weight for t in q.terms}
    assert w["visa free"] == 1.0 and w["visitor"] < 1.0
    # "what is X doing to help Y": Y is the topic itself
    q = analyze("What is the city doing to help young people find jobs?")
    assert all(t.weight >= 0.7 for t in q.terms if t.origin == "en")


def test_how_many_people_or_units_is_the_quantity_not_a_topic():
    q = analyze("How many units of affordable rental housing will be handed over?")
    assert "套" in q.units and "租赁" in [t.text for t in q.terms] and not {"座", "个"} & {t.text for t in q.terms}
    assert not any(t.group.startswith("peopl") for t in analyze("How many people will get training?").terms)
    assert analyze("What was the province's total GDP in 2025?").form == "figure"


@pytest.mark.parametrize("question,present,absent", [
    ("今年咱省规上工业增加值打算增长多少？", {"规模以上工业增加值"}, {"咱省"}),  # "our province" is a place
    ("听说广西要花大钱搞AI，三年一共安排多少钱？", {"人工智能"}, {"听说", "花大钱"}),  # hearsay is scaffolding
    ("老听人说四大主导产业具体是哪几个？", {"主导产业"}, {"老", "听", "人"}),
    ("桂林会不会多开些入境旅游的航线？", {"入境", "航线"}, {"开些"}),  # 些: "some more", not a word
    ("第十六届全运会是不是咱湖南来办？", {"全运会"}, {"来办"}),  # 来办: "come and host"
    ("房地产税试点会扩大到哪些城市？", {"试点"}, {"试"}),  # 试点 is a word the reports use
])
def test_scaffolding_and_particles_are_not_topic_words(question, present, absent):
    got = {t.text for t in analyze(question).terms}
    assert present <= got and not (absent & got), got


def test_our_province_is_the_province_and_now_asks_the_latest_result():
    from rag.scope import find_mentions

    m = find_mentions(analyze("咱省现在常住人口城镇化率是多少？").norm)
    assert [p.level for p in m.places] == ["province"] and m.wants == "result"
    assert find_mentions("what is the urbanization rate now").wants == "result"


@pytest.mark.parametrize("question,term", [
    ("老听人说海南四大主导产业，具体是哪几个？", "四大主导产业"),
    ("去年粮食说实现了“三增长”，是哪三个增长？", "三增长"),
])
def test_the_members_of_a_numbered_name_are_a_list_defined_by_the_report(question, term):
    q = analyze(question)
    assert (q.form, q.defined_term) == ("list", term)


def test_a_definition_question_names_the_term_not_the_kind_asked():
    assert analyze("湘易办到底是个啥平台？").defined_term == "湘易办"


@pytest.mark.parametrize("question,metric,part", [
    ("How many total tourist visits did it receive in 2025?", "接待入境游客突破", True),  # a part of the total
    ("How many inbound tourist visits did it receive in 2025?", "接待入境游客突破", False),
    ("How many tourist visits did it receive in 2025?", "接待入境游客突破", False),  # no total asked
    ("十四五一共改造了多少个老旧小区", "开工改造城镇老旧小区", False),  # the whole, by its full name
])
def test_a_part_does_not_answer_for_the_total(question, metric, part):
    from rag.answer import _part_of_total

    assert _part_of_total(metric, analyze(question)) is part


def test_a_phrase_with_to_is_not_a_purpose_clause():
    terms = {t.text: t.weight for t in analyze("Has the ring road opened to traffic yet?").terms}
    assert terms.get("通车") == 1.0
    assert {t.text for t in analyze("Will the canal open to shipping this year?").terms} >= {"通航"}


def test_a_level_reached_is_not_a_rate_and_people_are_counted_in_people():
    from rag.units import asked_units, preferred_units

    assert "%" not in preferred_units("去年pm2.5浓度降到多少了", ())
    assert "%" in preferred_units("去年pm2.5浓度降了多少", ())
    assert "人次" in asked_units("how many tourists did the scenic spots receive")


@pytest.mark.parametrize("question,term", [
    ("老听说“四件大事”，到底指的是哪四件？", "四件大事"),
    ("报告里说的“九个坚持”具体指哪几条？", "九个坚持"),
    ("四大主导产业具体是哪几个", "四大主导产业"),
])
def test_the_members_of_a_numbered_name_are_a_list_of_that_name(question, term):
    q = analyze(question)
    assert q.form == "list" and q.defined_term == term


def test_the_callers_examples_weigh_less_and_are_not_missed():
    q = analyze("Will Weihai build an industrial park for the low-altitude economy, like drones and air taxis?")
    weight = {t.text: t.weight for t in q.terms}
    assert weight["低空经济"] == 1.0 and weight["无人机"] < 1.0
    assert "taxi" not in q.en_unmatched


def test_a_phrase_of_the_vocabulary_reads_through_an_article():
    # "raise the retirement age" is the vocabulary's "raise retirement age"
    assert "延迟法定退休年龄" in {t.text for t in analyze("Is the city going to raise the retirement age?").terms}


def test_a_comparison_with_a_stated_figure_is_not_a_topic_word():
    q = analyze("去年空气好的天数超过八成了吗？")
    assert "80%" in q.stated_figures and "超过" not in {t.text for t in q.terms}


def test_a_yes_no_questions_story_weighs_less_than_what_it_asks():
    weight = {t.text: t.weight for t in analyze("孩子学校夏天太热，中小学教室都装空调了吗？").terms}
    assert weight["夏天"] < 1.0 and weight["空调"] == 1.0 and weight["教室"] == 1.0


def test_a_verb_with_its_aspect_particle_is_the_verb():
    texts = {t.text for t in analyze("塞罕坝是不是拿过联合国的奖？").terms}
    assert "拿过" not in texts and "联合国" in texts


@pytest.mark.parametrize("question,aside,main", [
    ("What was the value of the marine economy (ocean GDP) last year?", "生产总值", "海洋经济"),
    ("What is the R&D spending as a percentage of GDP?", "生产总值", "研发经费"),
])
def test_an_english_aside_weighs_less_than_what_is_asked(question, aside, main):
    weight = {t.text: t.weight for t in analyze(question).terms}
    assert weight[aside] < 1.0 and weight[main] == 1.0


def test_more_of_a_verb_is_colloquial_but_more_key_projects_are_key_projects():
    # 多X点 is "X a bit more" only when X is a verb: 那么多重点项目 is 多 and 重点项目
    terms = analyze("今年威海那么多重点项目，全年打算完成多少投资？").terms
    assert "重点项目" in {t.group for t in terms} and not {"重", "那么"} & {t.text for t in terms}
    assert any(t.group == "涨" for t in analyze("养老金能多涨点吗").terms)


def test_a_as_one_university_is_no_figure_the_report_must_state():
    assert analyze("听说长沙要建一所文化科技大学，是真的吗？").stated_figures == ()
    assert analyze("今年要新建1所大学吗").stated_figures == ("1所",)


def test_forms_of_asking_what_a_name_means_or_holds():
    assert analyze("“两通工程”2.0版说的是啥？").form == "definition"
    q = analyze("外贸说的“新三样”到底是指哪几样？")
    assert q.form == "list" and q.defined_term == "新三样"
    # "on the list of provinces" is no request for a list
    assert analyze("Is Jilin still on the list of provinces with high local government debt risk?").form == "yesno"
    assert analyze("List the measures to cut government debt").form == "list"


def test_the_last_time_is_scaffolding_and_a_done_question_asks_its_last_clause():
    assert [t.text for t in analyze("总书记上一次来辽宁考察是什么时候？").terms] == ["总书记", "考察"]
    assert analyze("我买的期房一直担心交不了房，去年保交房的任务完成了没有？").asked == "完成"


def test_a_modal_before_a_word_makes_no_longer_report_word_with_it():
    from rag.lexicon import load_lexicon

    lex = load_lexicon().with_corpus(["推进社会治理现代化"])
    # 会治理 is in 社会治理, but 会 is the question's modal: the colloquial word 治理 still expands
    assert ("治理", "整治") in lex.expand_zh("今年会治理吗", keep_report_words=True)


def test_every_city_is_asked_in_the_reduplicated_words_of_a_report_that_uses_them():
    from rag.lexicon import load_lexicon

    said = load_lexicon().with_corpus(["全面实现市市通高铁、县县通高速"])
    assert "市市" in [t.text for t in analyze("现在是不是每个地级市都通高铁了？", said).terms]
    # a report that says 全部设区市通高铁 is asked in the question's own words
    other = load_lexicon().with_corpus(["成为全部设区市通时速350公里高铁的省份"])
    assert "市市" not in [t.text for t in analyze("是不是每个设区市都通高铁了？", other).terms]


@pytest.mark.parametrize("question,form", [
    ("办事老是跑好几个部门，今年会继续推“高效办成一件事”吗？", "yesno"),  # 好几个: several, not "how many"
    ("几十年的老房子今年能改造吗？", "yesno"),
    ("今年要建几个养老院？", "figure"),
])
def test_several_is_no_question_of_how_many(question, form):
    assert analyze(question).form == form


def test_asking_to_learn_about_a_policy_is_no_topic():
    terms = {t.text for t in analyze("今年在住房方面有哪些打算？想了解下租房和买房相关的政策方向。").terms}
    assert "了解" not in terms and "住房" in terms
    assert "租赁住房" in terms and "房地产" in terms  # renting and buying, in the reports' words


def test_the_province_level_word_of_an_autonomous_region_is_no_topic():
    q = analyze("今年自治区层面的重大项目要推进多少个？")
    terms = {t.text for t in q.terms}
    assert "自治区" not in terms and "层面" not in terms and "重点项目" in terms
    assert [p.level for p in q.mentions.places] == ["province"]


def test_a_relative_when_after_the_callers_story_asks_yes_or_no():
    q = analyze("I'm a foreign visitor. Can I get a tax refund on things I buy here when I leave the country?")
    assert q.form == "yesno"
    assert "离境" in {t.text for t in q.terms}  # leaving the country is no question about the nation


def test_who_the_caller_is_weighs_less_than_what_they_heard_of():
    def weights(question):
        terms = analyze(question).terms
        # (高标准农田 is one word or two, as the segmenter's dictionary has it)
        return (next(t.weight for t in terms if t.text == "大户"),
                next(t.weight for t in terms if "农田" in t.text))

    caller, heard = weights("我是种粮大户，听说今年还要建高标准农田，全区准备建多少亩？")
    assert caller < heard < 1.0
    # with no second clause, the caller's own clause weighs as any context does
    caller, asked = weights("我是种粮大户，今年高标准农田建多少亩？")
    assert caller < asked == 1.0


def test_general_government_terms_and_scaffolding_in_english():
    q = analyze("By when is the province supposed to reach its carbon emissions peak?")
    assert "碳达峰" in [t.text for t in q.terms] and not q.en_unmatched
    texts = {t.text for t in analyze("Will the province keep up the extra tax deduction for companies' R&D spending?").terms}
    assert "加计扣除" in texts and any("研发" in t for t in texts)
    texts = {t.text for t in analyze("Is the province applying to set up a free trade zone?").terms}
    assert {"申建", "自由贸易试验区"} <= texts
    q = analyze("Can foreign visitors use visa-free transit when coming to the province?")
    assert {"过境", "免签"} <= {t.text for t in q.terms} and "未来" not in {t.text for t in q.terms}
    assert "奖励" in {t.text for t in analyze("How much is set aside for subsidies and awards to companies?").terms}


def test_enjoying_a_policy_is_the_callers_word_not_what_is_asked():
    q = analyze("小企业贷款到期，无还本续贷政策今年还能享受吗？")
    assert "享受" not in {t.text for t in q.terms} and "无还本续贷" in {t.text for t in q.terms}


def test_whom_an_english_measure_is_given_to_is_no_topic():
    q = analyze("Will the province give families a childbirth subsidy this year?")
    w = {t.group: t.weight for t in q.terms}
    assert w["family"] < 1.0 and w["childbirth"] == 1.0 and w["subsidy"] == 1.0


def test_a_place_name_is_no_where_and_few_is_no_how_many():
    q = analyze("我家老人80多岁了，行动不太方便，今年福建在养老上有哪些新举措？")
    assert q.form == "list" and not q.asks_where  # 福建在 is not 建在
    assert analyze("福建的自贸区建在哪里？").form == "where"
    q = analyze("种地挣不了几个钱，今年有啥帮农民增收的办法？")
    assert q.form == "list" and not q.asks_number  # 挣不了几个钱: little money, no count asked
    assert analyze("去年建了几个5G基站？").asks_number


def test_machines_are_counted_in_either_classifier():
    assert {"部", "台"} <= set(analyze("今年全市计划给老楼加装多少部电梯？").units)
    assert "部" not in analyze("今年要新增多少张养老床位？").units


def test_the_callers_story_after_an_english_question_weighs_less():
    q = analyze("How many new middle school places is Beijing adding this year? My kid will start middle school soon.")
    w = {t.group: t.weight for t in q.terms}
    assert w["kid"] < 0.5 and max(t.weight for t in q.terms if t.text == "中学") == 1.0
    assert not q.en_unmatched  # (the story's unknown words are not missed)


def test_scaffolding_twice_over_and_a_comparison_are_no_topic():
    texts = {t.text for t in analyze("长江那个禁捕今年还继续执行吗？").terms}
    assert "继续执行" not in texts and "禁渔" in texts
    texts = {t.text for t in analyze("去年空气优良天数是不是第一次超过了80%？").terms}
    assert "首次" in texts and "超" not in texts
