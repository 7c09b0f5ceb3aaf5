"""What people type, made comparable with the report: scripts, widths, numerals, stray spaces."""

from __future__ import annotations

import pytest

from rag.normalize import normalize_question, numerals_to_digits, to_script


@pytest.mark.parametrize("raw,text,script", [
    ("今年規上工業增加值打算漲多少？", "今年规上工业增加值打算涨多少？", "hant"),
    ("今年要建幾座5G基站？", "今年要建几座5G基站？", "hant"),
    ("ＧＤＰ增長多少？", "GDP增长多少？", "hant"),
    ("今年要建多少5G基站？", "今年要建多少5G基站？", "hans"),
    ("今年 要建 多少\n5G 基站", "今年要建多少5G基站", "hans"),  # pasted from a chat app
    ("「好房子」是什麼", "“好房子”是什么", "hant"),
    ("How many 5G base stations?", "How many 5G base stations?", "hans"),
    ("今年GDP target是多少", "今年GDP target是多少", "hans"),
])
def test_normalize_question(raw, text, script):
    n = normalize_question(raw)
    assert (n.text, n.script) == (text, script)


@pytest.mark.parametrize("raw,expected", [
    ("今年要建九百座基站吗", "今年要建900座基站吗"),
    ("增长百分之五点五", "增长5.5%"),
    ("两万人", "2万人"),
    ("三点三万人", "3.3万人"),
    ("五千万元", "5000万元"),
    ("新建一千二百个", "新建1200个"),
    ("一百零五亿元", "105亿元"),
    ("二十五公里", "25公里"),
    # names written with numerals are not quantities
    ("十四五期间", "十四五期间"),
    ("一带一路", "一带一路"),
    ("三农工作", "三农工作"),
    ("一是", "一是"),
    ("第十二个", "第十二个"),
    # "two or three", not 23
    ("孩子两三岁", "孩子两三岁"),
    ("三四个项目", "三四个项目"),
])
def test_chinese_numerals_become_digits_where_they_state_a_quantity(raw, expected):
    assert numerals_to_digits(raw) == expected


def test_replies_frame_in_the_users_script():
    assert to_script("报告没有给出这一具体数字。", "hant") == "報告沒有給出這一具體數字。"
    assert to_script("报告没有给出这一具体数字。", "hans") == "报告没有给出这一具体数字。"


@pytest.mark.parametrize("raw,expected", [
    ("Did the airport pass 50 million passengers?", "Did the airport pass 5000万 passengers?"),
    ("a budget of 1.2 billion yuan", "a budget of 12亿 yuan"),
    ("3 trillion", "3万亿"),
    ("5 thousand jobs", "5000 jobs"),
    ("2.5 million tons", "250万 tons"),
])
def test_english_magnitudes_are_written_as_the_reports_write_them(raw, expected):
    assert normalize_question(raw).text == expected


@pytest.mark.parametrize("raw,text", [
    ("空气好的天数超过八成了吗", "空气好的天数超过80%了吗"),
    ("九成以上的村通了吗", "90%以上的村通了吗"),
    ("今年建成了吗", "今年建成了吗"),
    ("政策一成不变吗", "政策一成不变吗"),
])
def test_tenths_are_written_as_percent(raw, text):
    assert normalize_question(raw).text == text
