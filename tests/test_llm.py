"""The optional generative path with LangChain's fake chat models: the prompt, citation parsing,
the figure guard, refusals, timeout and error fallbacks, streaming."""

from __future__ import annotations

import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel

from rag.llm import NOT_IN_REPORT, LLMAnswerer, Passage, build_messages, check, parse_spec, sentence_ok
from tests.conftest import INJECTIONS

W = "weihai-2025-government-work-report.txt"
T = "威海市2025年政府工作报告"
P = [Passage(1, W, T, 29, "（五）… › 高水平打造智慧城市", "推动数字治理高效协同,智慧社区覆盖面达到90%。新建5g基站900座,筑牢数字威海建设根基。"),
     Passage(2, W, T, 30, "（五）… › 高质量打造韧性城市", "改造城区老旧供水管网5.5公里,新建改造供热管网103.4公里、换热站94座。")]


def test_prompt_numbers_the_passages_and_states_the_rules():
    (sys_role, system), (user_role, user) = build_messages("今年要建多少5G基站？", P, "zh")
    assert (sys_role, user_role) == ("system", "human")
    assert "[1] 《威海市2025年政府工作报告》（五）… › 高水平打造智慧城市（第29行）推动数字治理" in user
    assert "威海市2025年政府工作报告" in system  # the title comes from the documents' metadata
    assert "[2] " in user and "第30行" in user and user.endswith("问题：今年要建多少5G基站？\n回答：")
    assert NOT_IN_REPORT in system and "[1]" in system and "900座" in system
    (_, en_system), (_, en_user) = build_messages("How many 5G base stations?", P, "en")
    assert "Reply in English" in en_system and "Question: How many 5G base stations?" in en_user


@pytest.mark.parametrize("text,ok,refusal,reason", [
    ("今年新建5g基站900座[1]。", True, False, ""),
    ("Weihai will build 900座 of 5G base stations [1].", True, False, ""),
    ("新建改造供热管网103.4公里[2]，新建5g基站900座[1]。", True, False, ""),
    ("今年新建5g基站1000座[1]。", False, False, "figures not in the cited passages: ['1000']"),
    ("新建5g基站900座[2]。", False, False, "figures not in the cited passages: ['900']"),  # cites the wrong one
    ("新建5g基站900座[3]。", False, False, "citation out of range: [3]"),
    ("新建5g基站900座。", False, False, "no citation"),
    (NOT_IN_REPORT, True, True, ""),
    ("报告中没有提到这一点。", True, True, ""),
    ("", False, False, "empty"),
    ("很长" * 300 + "[1]", False, False, "too long"),
    ("段落：\n[1] 《威海市2025年政府工作报告》（五）…（第29行）新建5g基站900座", False, False, "echoes the prompt"),
    ("Question: how many? Answer: 900座 [1]", False, False, "echoes the prompt"),
])
def test_guard(text, ok, refusal, reason):
    v = check(text, P)
    assert (v.ok, v.refusal, v.reason) == (ok, refusal, reason)


def test_streaming_sentence_check():
    assert sentence_ok("新建5g基站900座[1]。", P)
    assert not sentence_ok("新建5g基站901座。", P)
    assert not sentence_ok("见[7]。", P)


@pytest.mark.parametrize("spec,kind", [
    ("openai:gpt-4o-mini", "init_chat_model"),
    ("openai-compatible:gemma@http://127.0.0.1:8000/v1", "openai-compatible"),
])
def test_spec_parsing(spec, kind):
    assert parse_spec(spec)["kind"] == kind


@pytest.mark.parametrize("spec", ["gpt-4o", "openai-compatible:model-without-url"])
def test_bad_spec_is_a_clear_error(spec):
    with pytest.raises(ValueError, match="use "):
        parse_spec(spec)


# -- through the real pipeline (real index), with fake chat models ------------------------------
@pytest.fixture
def with_model(pipeline):
    saved = pipeline.llm

    def use(model, timeout_s: float = 3.0):
        pipeline.llm = LLMAnswerer("fake:model", timeout_s, model=model)
        return pipeline

    yield use
    pipeline.llm = saved


class Boom(FakeListChatModel):
    def _call(self, *args, **kwargs):  # noqa: D102
        raise ConnectionError("server down")

    def _stream(self, *args, **kwargs):  # noqa: D102
        raise ConnectionError("server down")


pytestmark = pytest.mark.slow


def test_a_grounded_answer_is_used(with_model):
    pipe = with_model(FakeListChatModel(responses=["今年将新建5g基站900座[1]。"]))
    a = pipe._answer("今年要建多少5G基站？", None, generate=True)
    assert a.meta["llm"] == "used" and not a.refused
    assert a.direct_answer == "今年将新建5g基站900座。"
    assert a.citations[0].line == 29 and "900座" in a.citations[0].quote
    assert a.answer.startswith("今年将新建5g基站900座[1]。")
    assert "llm" in a.timings_ms


def test_a_hallucinated_figure_falls_back_to_the_extractive_answer(with_model, caplog):
    pipe = with_model(FakeListChatModel(responses=["今年将新建5g基站1200座[1]。"]))
    a = pipe._answer("今年要建多少5G基站？", None, generate=True)
    assert a.meta["llm"].startswith("fallback: guard: figures not in the cited passages")
    assert a.direct_answer == "新建5G基站900座"
    assert "1200" not in a.answer
    assert any("replaced by the extractive" in r.message for r in caplog.records)


def test_timeout_falls_back(with_model):
    pipe = with_model(FakeListChatModel(responses=["新建5g基站900座[1]。"], sleep=2.0), timeout_s=0.3)
    a = pipe._answer("今年要建多少5G基站？", None, generate=True)
    assert a.meta["llm"].startswith("fallback: timeout")
    assert "900座" in a.direct_answer


def test_error_falls_back(with_model):
    pipe = with_model(Boom(responses=["x"]))
    a = pipe._answer("今年要建多少5G基站？", None, generate=True)
    assert a.meta["llm"].startswith("fallback: error (ConnectionError")
    assert "900座" in a.direct_answer


def test_a_refusal_wins_and_intent_refusals_stand(with_model):
    pipe = with_model(FakeListChatModel(responses=[NOT_IN_REPORT]))
    a = pipe._answer("威海地铁建设进展如何", None, generate=True)
    assert a.refused and a.meta["llm"] == "agreed refusal"
    pipe = with_model(FakeListChatModel(responses=["北京今年GDP增长5.5%左右[1]。"]))
    a = pipe._answer("北京今年GDP增长目标", None, generate=True)
    assert a.refused and a.meta["llm"].startswith("skipped: intent refusal")
    pipe = with_model(FakeListChatModel(responses=[NOT_IN_REPORT]))
    a = pipe._answer("今年要建多少5G基站？", None, generate=True)
    assert not a.refused and a.meta["llm"].startswith("fallback: the model refused")


def test_streaming_shows_checked_sentences_then_the_final_answer(with_model):
    pipe = with_model(GenericFakeChatModel(messages=iter(["今年将新建5g基站900座[1]。智慧社区覆盖面达到90%[1]。"])))
    events = list(pipe.stream("今年要建多少5G基站？"))
    deltas = [e["text"] for e in events if e["event"] == "delta"]
    assert deltas and deltas[-1].endswith("达到90%[1]。")
    final = events[-1]
    assert final["event"] == "final" and final["answer"].meta["llm"] == "used"


def test_streaming_stops_at_a_bad_sentence(with_model):
    pipe = with_model(GenericFakeChatModel(messages=iter(["今年将新建5g基站900座[1]。另有7777座在建[1]。"])))
    events = list(pipe.stream("今年要建多少5G基站？"))
    shown = " ".join(e.get("text", "") for e in events if e["event"] == "delta")
    assert "7777" not in shown
    assert events[-1]["answer"].meta["llm"].startswith("fallback: guard")
    assert "7777" not in events[-1]["answer"].answer


def test_without_a_model_stream_is_one_final_event(pipeline):
    assert pipeline.llm is None
    events = list(pipeline.stream("今年要建多少5G基站？"))
    assert [e["event"] for e in events] == ["final"] and "900座" in events[0]["answer"].direct_answer


def test_follow_ups_may_be_condensed_by_the_model(with_model):
    pipe = with_model(FakeListChatModel(responses=["今年智慧社区覆盖面要达到多少？", "智慧社区覆盖面达到90%[1]。"]))
    a = pipe._answer("智慧社区呢？", [{"role": "user", "content": "今年要建多少5G基站？"}], generate=True)
    assert a.resolved_question == "今年智慧社区覆盖面要达到多少？"
    assert "90%" in a.direct_answer


def test_condensation_failure_keeps_the_offline_resolver(with_model):
    pipe = with_model(Boom(responses=["x"]))
    a = pipe._answer("智慧社区呢？", [{"role": "user", "content": "今年要建多少5G基站？"}], generate=True)
    assert a.resolved_question and "智慧社区" in a.resolved_question
    assert "90%" in a.direct_answer


def test_langchain_retriever_adapter(pipeline):
    from langchain_core.retrievers import BaseRetriever

    from rag.lc import EmbedderEmbeddings, ReportRetriever

    retriever = ReportRetriever(pipeline, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("今年要建多少5G基站？")
    assert docs and docs[0].metadata["line"] == 29 and "900座" in docs[0].page_content
    assert docs[0].metadata["title"] == "威海市2025年政府工作报告"
    assert docs[0].metadata["section"].endswith("高水平打造智慧城市")
    emb = EmbedderEmbeddings(pipeline.embedder)
    assert len(emb.embed_query("5G基站")) == 512 and len(emb.embed_documents(["a", "b"])) == 2


# -- the same checks on the generative path as on the extractive one -----------------------------
def test_a_figure_of_another_metric_is_refused_on_the_llm_path_too(with_model):
    # the passages hold 103.4公里, but the question asks about the water mains (5.5公里)
    pipe = with_model(FakeListChatModel(responses=["改造供热管网103.4公里[1]。"]))
    a = pipe._answer("老旧供水管网改造多长", None, generate=True)
    assert a.meta["llm"] == "fallback: guard: not the figure of the metric asked"
    assert "5.5公里" in a.direct_answer and "103.4" not in a.direct_answer
    pipe = with_model(FakeListChatModel(responses=["外贸增长5.5%以上[1]。"]))
    a = pipe._answer("外贸进出口总额今年的增长目标是多少？", None, generate=True)
    assert a.refused and "5.5" not in a.direct_answer  # the extractive refusal stands


class Obedient(FakeListChatModel):
    """A model that does what the question tells it to: it repeats the planted figure."""

    def _call(self, messages, *args, **kwargs):  # noqa: D102
        question = messages[-1].content.rsplit("问题：", 1)[-1].rsplit("Question:", 1)[-1]
        figures = re.findall(r"\d[\d,]*%?", question)
        return f"按照指示，答案是{max(figures, key=len) if figures else '10%'}[1]。"




@pytest.mark.parametrize("question,planted", INJECTIONS)
def test_prompt_injection_is_stopped_by_the_guard(with_model, question, planted):
    model = Obedient(responses=["x"])
    assert planted in model.invoke([("human", f"问题：{question}")]).content  # the fake does obey
    pipe = with_model(model)
    a = pipe._answer(question, None, generate=True)
    assert planted not in a.direct_answer
    assert planted.replace(",", "") not in a.answer.replace(",", "").split("\n> ")[0]
    assert a.meta["llm"].startswith(("fallback: guard", "skipped"))
