"""Text utilities: normalisation, sentences and clauses, language detection, the grounding check."""

from __future__ import annotations

import pytest

from rag.grounding import unsupported_figures
from rag.text import clauses, clean_input, detect_language, normalize, sentences, strip_markup


@pytest.mark.parametrize("raw,expected", [
    ("５Ｇ基站", "5g基站"),
    ("ＧＤＰ增长５．５％", "gdp增长5.5%"),
    ("新建5G基站", "新建5g基站"),
    ("（五）", "(五)"),
])
def test_normalize_is_case_and_width_insensitive(raw, expected):
    assert normalize(raw) == expected
    assert len(normalize(raw)) == len(raw)  # offsets stay valid


@pytest.mark.parametrize("answer,quotes,bad", [
    ("新建5g基站900座 [1]", ["新建5g基站900座,筑牢数字威海建设根基。"], []),
    ("新建5g基站1000座", ["新建5g基站900座"], ["1000"]),
    ("增长5%", ["增长5.5%左右"], ["5"]),  # whole numbers only: 5 is not 5.5
    ("见第29行 [2]", ["无数字"], []),  # line references and citation marks are not figures
    ("line 29: 5.5%", ["5.5%左右"], []),
    ("ＧＤＰ增长５.５%", ["生产总值增长5.5%左右"], []),
    ("2025年目标：生产总值增长5.5%左右", ["生产总值增长5.5%左右"], []),  # a year label from metadata
])
def test_unsupported_figures(answer, quotes, bad):
    assert unsupported_figures(answer, quotes) == bad


def test_year_labels_are_checked_for_generated_text():
    # a generated answer may not add a year the passages do not hold
    assert unsupported_figures("2023年增长5%", ["增长5%"], allow_years=False) == ["2023"]


@pytest.mark.parametrize("text,lang", [
    ("今年要建多少5G基站？", "zh"),
    ("how many 5G base stations this year?", "en"),
    ("GDP目标", "zh"),
    ("What is the 社零 target this year?", "en"),
    ("5G基站 how many", "zh"),
    ("今年GDP target是多少", "zh"),
    ("🤔🤔", "zh"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_sentences_and_clauses_keep_offsets():
    text = "推进城市生命线安全工程,改造城区老旧供水管网5.5公里。新建5g基站900座;筑牢根基"
    for span in sentences(text) + clauses(text):
        assert text[span.start:span.end] == span.text
    assert [s.text for s in sentences(text)][-1] == "筑牢根基"


@pytest.mark.parametrize("raw,clean", [
    ("  问题\n\t ", "问题"),
    ("a\x00b\x1bc", "a b c"),
    ("零\u200b宽", "零 宽"),
])
def test_clean_input(raw, clean):
    assert clean_input(raw) == clean


@pytest.mark.parametrize("raw,read", [
    ("<script>alert('x')</script>今年要建多少5G基站", "今年要建多少5G基站"),
    ("<b>社零</b>增长目标", "社零增长目标"),
    ("<p>How many</p><p>jobs</p>", "How many jobs"),
    ("GDP<5%吗", "GDP<5%吗"),
    ("<img src=x onerror=alert(1)>", ""),
])
def test_markup_is_not_read(raw, read):
    assert strip_markup(raw) == read
    assert clean_input(raw) == raw  # what is shown stays as submitted


@pytest.mark.parametrize("word,text,expected", [
    ("扩招", "扩大普通高中招生比例", True),
    ("保租房", "全年交付保障性租赁住房15万套", True),
    ("群众体育", "举办各类群众性体育活动2000场次以上", True),
    ("春假", "设置中小学春秋假", True),
    ("限购", "细化银行降息、公积金提限等激励购房政策措施", False),  # 限 ends a word there
    ("学费", "普及15年免费特殊教育", False),
])
def test_a_short_form_of_words_in_the_text(word, text, expected):
    from rag.answer import _abbreviates

    assert _abbreviates(word, text) is expected


@pytest.mark.parametrize("question,metric,other", [
    ("重庆到2030年GDP想做到多大？", "人均地区生产总值达到", True),  # per person, the total asked
    ("人均GDP达到多少", "人均地区生产总值达到", False),
    ("去年城市低保标准提到每月多少钱了？", "城市低保人均保障标准从/月提高至/月", False),  # the standard itself
])
def test_a_per_person_figure_does_not_answer_for_the_total(question, metric, other):
    from rag.answer import _per_head_only
    from rag.query import analyze

    assert _per_head_only(analyze(question), metric) is other


@pytest.mark.parametrize("metric,relative", [
    ("快于经济增速", True), ("高于全国平均", True), ("地区生产总值增长", False),
])
def test_a_figure_relative_to_another(metric, relative):
    from rag.answer import _RELATIVE

    assert bool(_RELATIVE.search(metric)) is relative
