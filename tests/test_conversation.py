"""Follow-up questions, offline: resolution table, the conversation set's accuracy, `rag chat`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rag.conversation import resolve, user_turns
from tests.conftest import ROOT, WEIHAI

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("history,question,must_contain,followup", [
    (["今年要建多少5G基站？"], "智慧社区呢？", ["智慧社区"], True),
    (["农民增收有什么办法？"], "那就业呢？", ["就业"], True),
    (["How many new jobs?"], "and the grain target?", ["grain target"], True),
    (["昆嵛山机场今年有什么进展"], "那什么时候能通航？", ["昆嵛山机场", "什么时候"], True),
    (["民生实事今年办几件"], "都有哪些？", ["民生实事", "哪些"], True),
    (["今年GDP目标多少", "社零呢"], "那CPI呢？", ["CPI"], True),
    (["今年要建多少5G基站？"], "威海今年要修复多少公顷滨海湿地？", ["滨海湿地"], False),
    ([], "智慧社区呢？", ["智慧社区"], False),
])
def test_resolution(pipeline, history, question, must_contain, followup):
    res = resolve(question, [{"role": "user", "content": h} for h in history], pipeline.lexicon)
    assert res.followup is followup
    for part in must_contain:
        assert part in res.question


@pytest.mark.parametrize("history,question,figure", [
    (["今年要建多少5G基站？"], "智慧社区呢？", "90%"),
    (["新增高标准农田多少？"], "造林呢？", "4万亩"),
    (["暖气管道今年改多少公里？"], "换热站呢", "94座"),
    (["今年GDP目标多少"], "社零呢", "5.5%以上"),
    (["How many new jobs?"], "and the grain target?", "70万吨以上"),
    (["科普活动多少场"], "体育活动呢", "2000场次以上"),
])
def test_follow_ups_are_answered(pipeline, history, question, figure):
    a = pipeline.ask(question, history=[{"role": "user", "content": h} for h in history])
    assert not a.refused and figure in a.direct_answer
    assert a.resolved_question


@pytest.mark.parametrize("history,question", [
    (["今年改造多少个旧小区？"], "具体是哪些小区？"),
    (["民生实事今年办几件"], "都有哪些？"),
    (["昆嵛山机场今年有什么进展"], "那什么时候能通航？"),
    (["绿色贷款余额增长多少"], "那总额是多少"),
])
def test_follow_ups_the_report_cannot_answer_are_refused(pipeline, history, question):
    assert pipeline.ask(question, history=[{"role": "user", "content": h} for h in history]).refused


def test_history_shapes():
    assert user_turns([{"role": "user", "content": "甲"}, {"role": "assistant", "content": "乙"},
                       ("丙", "丁"), "戊", None, 3]) == ["甲", "丙", "戊"]


def test_later_turns_as_accurate_as_standalone_questions(pipeline):
    from rag.evaluate import run_conversations

    dialogues = [json.loads(x) for x in (ROOT / "eval" / "conversations.jsonl").read_text().splitlines() if x.strip()]

    def ask(q, h):
        a = pipeline.ask(q, history=h)
        return a.to_json(), a.meta.get("ranking")

    rows, agg = run_conversations(dialogues, ask, default_source=WEIHAI)
    first, later = agg["first_turns"]["pass_rate"], agg["later_turns"]["pass_rate"]
    assert later >= first - 0.05, (first, later)
    assert later >= 0.8


def test_rag_chat_session(built_index):
    turns = "今年要建多少5G基站？\n智慧社区呢？\n\n"
    r = subprocess.run([sys.executable, "-m", "rag", "--index-dir", str(built_index), "--no-build", "chat"],
                       input=turns, capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "900座" in r.stdout and "90%" in r.stdout
    assert "理解为" in r.stdout  # the follow-up says how it was understood
