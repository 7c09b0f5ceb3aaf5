"""The public question sets, the metric functions, ``rag eval`` and the committed baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from rag.evaluate import HEADLINE, aggregate, hit_at_k, load_questions, score_row
from rag.ingest import load_document
from tests.conftest import ROOT, SOURCE

QUESTIONS = ROOT / "eval" / "questions.jsonl"
CONVERSATIONS = ROOT / "eval" / "conversations.jsonl"
BASELINE = ROOT / "eval" / "baseline.json"
SECTION_STARTS = [6, 11, 16, 21, 26, 31, 35, 39, 43, 51]


@pytest.fixture(scope="module")
def lines():
    return {p.line: p.text for p in load_document(SOURCE).paragraphs}


@pytest.fixture(scope="module")
def public(lines):
    qs = load_questions(QUESTIONS, max_line=57, lines=lines)
    assert qs.errors == [], qs.errors
    return qs.questions


def test_public_set_is_valid_and_large(public):
    assert len(public) >= 200
    assert len({q["id"] for q in public}) == len(public)
    types = Counter(q["type"] for q in public)
    assert set(types) == {"number", "fact", "summary", "unanswerable"}
    assert types["unanswerable"] >= 30
    assert sum(q["lang"] == "en" for q in public) >= 0.2 * len(public)


def test_every_answer_is_verbatim_in_a_gold_line(public, lines):
    for q in public:
        for a in q["answers"]:
            assert any(a in lines[n] for n in q["gold_lines"]), (q["id"], a)
        assert all("凯发" not in a for a in q["answers"])


def test_public_set_covers_every_section_and_the_preamble(public):
    gold = {n for q in public for n in q["gold_lines"]}
    assert gold & {2, 3, 4, 5}
    for start, end in zip(SECTION_STARTS, SECTION_STARTS[1:] + [56], strict=True):
        assert gold & set(range(start, end)), f"no question for the section starting at line {start}"


def test_confusable_figures_are_in_the_set(public):
    answers = {a for q in public for a in q["answers"]}
    assert {"5.5%左右", "5.5%以上", "5.5公里"} <= answers


def test_conversations_are_valid(lines):
    dialogues = [json.loads(x) for x in CONVERSATIONS.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(dialogues) >= 20
    assert len({d["id"] for d in dialogues}) == len(dialogues)
    for d in dialogues:
        assert d["lang"] in ("zh", "en") and 2 <= len(d["turns"]) <= 3
        for t in d["turns"]:
            for a in t["answers"]:
                assert any(a in lines[n] for n in t["gold_lines"]), (d["id"], a)


@pytest.mark.parametrize("bad,message", [
    ("{not json", "invalid JSON"),
    ('{"id": "x"}', "missing keys"),
    ('{"id":"x","question":"q","lang":"fr","type":"number","answers":["a"],"gold_lines":[1]}', "lang"),
    ('{"id":"x","question":"q","lang":"zh","type":"guess","answers":["a"],"gold_lines":[1]}', "type"),
    ('{"id":"x","question":"q","lang":"zh","type":"number","answers":["900座"],"gold_lines":[99]}', "beyond"),
    ('{"id":"x","question":"q","lang":"zh","type":"number","answers":["901座"],"gold_lines":[29]}', "not in gold"),
    ('{"id":"x","question":"q","lang":"zh","type":"unanswerable","answers":["a"],"gold_lines":[]}', "empty"),
    ('[1, 2]', "not a JSON object"),
])
def test_malformed_lines_are_reported_with_their_line_number(tmp_path, lines, bad, message):
    good = '{"id":"g","question":"5G基站","lang":"zh","type":"number","answers":["900座"],"gold_lines":[29]}'
    path = tmp_path / "q.jsonl"
    path.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    qs = load_questions(path, max_line=57, lines=lines)
    assert [q["id"] for q in qs.questions] == ["g"]
    assert qs.errors[0][0] == 2 and message in qs.errors[0][1]


# -- the metric functions, checkable by hand ------------------------------------------------
def _answer(direct, lines, refused=False, quotes=None):
    quotes = quotes or [direct or "无"] * len(lines)
    return {"direct_answer": "" if refused else direct, "refused": refused, "answer": direct,
            "citations": [{"line": n, "quote": q} for n, q in zip(lines, quotes, strict=False)], "timings_ms": {"total": 10.0}}


def test_metrics_by_hand():
    q_num = {"id": 1, "question": "a", "lang": "zh", "type": "number", "answers": ["900座"], "gold_lines": [29]}
    q_una = {"id": 2, "question": "b", "lang": "en", "type": "unanswerable", "answers": [], "gold_lines": []}
    q_sum = {"id": 3, "question": "c", "lang": "en", "type": "summary", "answers": ["甲", "乙"], "gold_lines": [7]}
    rows = [
        score_row(q_num, _answer("新建5g基站900座", [29, 30])),
        score_row(q_num, _answer("新建5g基站800座", [30, 29], quotes=["新建5g基站800座", "x"])),
        score_row(q_una, _answer("", [3], refused=True)),
        score_row(q_una, _answer("瞎说10个", [3], quotes=["无"])),
        score_row(q_sum, _answer("甲和丙", [7])),
    ]
    agg = aggregate(rows)
    assert agg["hit@1"] == pytest.approx(2 / 3)
    assert agg["hit@3"] == 1.0
    assert agg["mrr@10"] == pytest.approx((1 + 0.5 + 1) / 3)
    assert agg["direct_accuracy"] == 0.5
    assert agg["summary_coverage"] == 0.5
    assert agg["refusal_recall"] == 0.5 and agg["refusal_precision"] == 1.0
    assert agg["false_refusal_rate"] == 0.0
    assert agg["numeric_faithfulness"] == pytest.approx(4 / 5)  # "10个" is in no quote
    assert agg["by_lang"]["en"]["n"] == 3
    assert hit_at_k(rows, 3) == pytest.approx([2 / 3, 1.0, 1.0])


# -- the runner and the baseline (real model and index) --------------------------------------
@pytest.mark.slow
def test_rag_eval_end_to_end(tmp_path, built_index):
    src = QUESTIONS.read_text(encoding="utf-8").splitlines()
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("\n".join(src[:12] + ["{broken"] + src[12:20]) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "rag", "--index-dir", str(built_index), "--no-build", "eval",
                        "--questions", str(qfile), "--out", str(out), "--json", "--config", "hybrid+en",
                        "--config", "lexical"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 1, r.stderr  # malformed line -> non-zero, the rest still evaluated
    assert "q.jsonl:13" in r.stderr
    agg = json.loads(r.stdout)
    assert agg["n"] == 20 and agg["malformed_lines"] == [13]
    assert set(agg["configs"]) == {"hybrid+en", "lexical"}
    rows = [json.loads(x) for x in (out / "rows.jsonl").read_text().splitlines()]
    assert len(rows) == 40 and {"question", "expected", "got", "cited_lines", "latency_ms", "pass"} <= set(rows[0])
    report = (out / "report.html").read_text(encoding="utf-8")
    for needle in ("Headline metrics", "Ablations", "Failures", "index_manifest_sha256", "git_commit", "hitk.png"):
        assert needle in report
    for png in ("metrics.png", "latency.png", "hitk.png"):
        assert (out / png).stat().st_size > 5000


@pytest.mark.slow
def test_public_set_does_not_regress_below_the_baseline(pipeline, public):
    from rag.eval_runner import evaluate_configs

    baseline = json.loads(BASELINE.read_text())
    (rows, agg), = evaluate_configs(pipeline, public, ["hybrid+en"], progress=False).values()
    drops = {}
    for metric in HEADLINE:
        want, got = baseline["metrics"][metric], agg[metric]
        # false_refusal_rate: lower is better
        worse = (got - want) if metric == "false_refusal_rate" else (want - got)
        if worse > 0.02:
            drops[metric] = (want, round(got, 3))
    assert not drops, f"below baseline (baseline, now): {drops}"
