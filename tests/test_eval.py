"""The question sets, the metric functions, ``rag eval`` and the committed baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from rag.evaluate import HEADLINE, aggregate, gold_of, hit_at_k, load_questions, score_row
from tests.conftest import CORPUS, ROOT, SEEDS, WEIHAI

EVAL = ROOT / "eval"
QUESTIONS = EVAL / "questions.jsonl"
CONVERSATIONS = EVAL / "conversations.jsonl"
BASELINE = EVAL / "baseline.json"
SECTION_STARTS = [6, 11, 16, 21, 26, 31, 35, 39, 43, 51]
# every question set of the project, public and held out (questions.jsonl, fresh*.jsonl): (file, default source of bare gold_lines)
SETS = [(p, WEIHAI) for p in sorted(EVAL.rglob("*.jsonl")) if p != CONVERSATIONS]


@pytest.fixture(scope="module")
def lines() -> dict[tuple[str, int], str]:
    """(document, line) -> raw line, for every shipped report and every provincial report."""
    out = {}
    files = list(SEEDS.glob("*.txt")) + list(CORPUS.glob("*.txt"))
    for f in files:
        for n, text in enumerate(f.read_text(encoding="utf-8").split("\n"), start=1):
            out[(f.name, n)] = text
    return out


@pytest.fixture(scope="module")
def public(lines):
    qs = load_questions(QUESTIONS, lines=lines, default_source=WEIHAI)
    assert qs.errors == [], qs.errors
    return qs.questions


@pytest.mark.parametrize("path,default", SETS, ids=lambda x: str(x).split("eval/")[-1] if isinstance(x, Path) else "")
def test_every_question_set_is_valid(lines, path, default):
    if not CORPUS.is_dir():
        shipped = {source for source, _ in lines}
        wanted = {g.get("source") for raw in path.read_text(encoding="utf-8").splitlines() if raw.strip()
                  for g in json.loads(raw).get("gold", []) if isinstance(g, dict)}
        if wanted - shipped:
            pytest.skip("provincial corpus not present")
    qs = load_questions(path, lines=lines, default_source=default)
    assert qs.errors == [], qs.errors[:5]
    assert len(qs.questions) >= 40
    for q in qs.questions:
        assert all("凯发" not in a for a in q["answers"])


def test_public_set_is_valid_and_large(public):
    assert len(public) >= 200
    types = Counter(q["type"] for q in public)
    assert set(types) == {"number", "fact", "summary", "unanswerable"}
    assert types["unanswerable"] >= 30
    assert sum(q["lang"] == "en" for q in public) >= 0.2 * len(public)


def test_public_set_covers_every_section_and_the_targets(public):
    gold = {n for q in public for n in q["gold_lines"]}
    assert gold & {2, 3, 4, 5}
    for start, end in zip(SECTION_STARTS, SECTION_STARTS[1:] + [56], strict=True):
        assert gold & set(range(start, end)), f"no question for the section starting at line {start}"


def test_confusable_figures_are_in_the_set(public):
    answers = {a for q in public for a in q["answers"]}
    assert {"5.5%左右", "5.5%以上", "5.5公里"} <= answers


def test_the_sets_the_issues_ask_for(lines):
    def load(name):
        return load_questions(EVAL / name / "questions.jsonl", lines=lines, default_source=WEIHAI).questions

    forms = Counter((q["type"], q["form"]) for q in load("forms"))
    assert forms[("summary", "list")] >= 60 and forms[("fact", "yesno")] + forms[("unanswerable", "yesno")] >= 40
    assert forms[("unanswerable", "figure")] >= 40
    assert len(load("national2024")) >= 100 and len(load("shandong2026")) >= 60
    cross = load("cross")
    assert len(cross) >= 40 and {q["form"] for q in cross} >= {"figure", "compare", "scope"}
    assert any(len({g["source"] for g in q["gold"]}) > 1 for q in cross)
    trad = load("traditional")
    assert len(trad) >= 100 and all(q["lang"] == "zh" for q in trad)


def test_conversations_are_valid(lines):
    dialogues = [json.loads(x) for x in CONVERSATIONS.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(dialogues) >= 20
    assert len({d["id"] for d in dialogues}) == len(dialogues)
    for d in dialogues:
        assert d["lang"] in ("zh", "en") and 2 <= len(d["turns"]) <= 3
        for t in d["turns"]:
            for a in t["answers"]:
                assert any(a in lines[g] for g in gold_of(t, WEIHAI)), (d["id"], a)


GOOD = '{"id":"g","question":"5G基站","lang":"zh","type":"number","answers":["900座"],"gold_lines":[29]}'


@pytest.mark.parametrize("bad,message", [
    ("{not json", "invalid JSON"),
    ('{"id": "x"}', "missing keys"),
    ('{"id":"x","question":"q","lang":"fr","type":"number","answers":["a"],"gold_lines":[1]}', "lang"),
    ('{"id":"x","question":"q","lang":"zh","type":"guess","answers":["a"],"gold_lines":[1]}', "type"),
    ('{"id":"x","question":"q","lang":"zh","type":"number","form":"riddle","answers":["a"],"gold_lines":[1]}', "form"),
    ('{"id":"x","question":"q","lang":"zh","type":"number","answers":["900座"],"gold_lines":[99]}', "does not exist"),
    ('{"id":"x","question":"q","lang":"zh","type":"number","answers":["901座"],"gold_lines":[29]}', "not in its gold"),
    ('{"id":"x","question":"q","lang":"zh","type":"number","answers":["900座"],"gold":[{"source":"x.txt","line":1}]}',
     "does not exist"),
    ('{"id":"x","question":"q","lang":"zh","type":"number","answers":["a"],"gold":[{"line":1}]}', "gold must be"),
    ('{"id":"x","question":"q","lang":"zh","type":"unanswerable","answers":["a"],"gold_lines":[]}', "empty"),
    ('[1, 2]', "not a JSON object"),
    (GOOD, "duplicate id"),
])
def test_malformed_lines_are_reported_with_their_line_number(tmp_path, lines, bad, message):
    path = tmp_path / "q.jsonl"
    path.write_text(GOOD + "\n" + bad + "\n", encoding="utf-8")
    qs = load_questions(path, lines=lines, default_source=WEIHAI)
    assert [q["id"] for q in qs.questions] == ["g"]
    assert qs.errors[0][0] == 2 and message in qs.errors[0][1]


# -- the metric functions, checkable by hand ------------------------------------------------
A, B = "a.txt", "b.txt"


def _answer(direct, cited, refused=False, quotes=None):
    quotes = quotes or [direct or "无"] * len(cited)
    return {"direct_answer": "" if refused else direct, "refused": refused, "answer": direct,
            "citations": [{"source": s, "line": n, "quote": q} for (s, n), q in zip(cited, quotes, strict=False)],
            "timings_ms": {"total": 10.0}}


def test_metrics_by_hand():
    q_num = {"id": 1, "question": "a", "lang": "zh", "type": "number", "answers": ["900座"],
             "gold": [{"source": A, "line": 29}]}
    q_una = {"id": 2, "question": "b", "lang": "en", "type": "unanswerable", "form": "figure", "answers": [], "gold": []}
    q_sum = {"id": 3, "question": "c", "lang": "en", "type": "summary", "form": "list", "answers": ["甲", "乙"],
             "gold": [{"source": A, "line": 7}]}
    q_cmp = {"id": 4, "question": "d", "lang": "zh", "type": "number", "form": "compare", "answers": ["3%", "4%"],
             "gold": [{"source": A, "line": 3}, {"source": B, "line": 5}]}
    rows = [
        score_row(q_num, _answer("新建5g基站900座", [(A, 29), (A, 30)])),
        score_row(q_num, _answer("新建5g基站800座", [(A, 30), (A, 29)], quotes=["新建5g基站800座", "x"])),
        score_row(q_num, _answer("新建5g基站900座", [(B, 29)])),  # the right line of the wrong document
        score_row(q_una, _answer("", [(A, 3)], refused=True)),
        score_row(q_una, _answer("瞎说10个", [(A, 3)], quotes=["无"])),
        score_row(q_sum, _answer("甲和丙", [(A, 7)], quotes=["甲乙"])),
        score_row(q_cmp, _answer("一地3%；另一地4%", [(A, 3), (B, 5)], quotes=["3%", "4%"])),
    ]
    agg = aggregate(rows)
    assert agg["hit@1"] == pytest.approx(3 / 5)  # rows 1, 6, 7
    assert agg["mrr@10"] == pytest.approx((1 + 0.5 + 0 + 1 + 1) / 5)
    assert agg["direct_accuracy"] == pytest.approx(3 / 4)  # the third is right text, wrong document cited
    assert agg["summary_coverage"] == 1.0 and agg["list_coverage"] == 0.5  # quotes count; the direct answer alone
    assert agg["refusal_recall"] == 0.5 and agg["refusal_precision"] == 1.0
    assert agg["wrong_figure_rate"] == pytest.approx(2 / 7)  # 800座, and 10个 where none is given
    assert agg["both_sides_cited"] == 1.0
    assert agg["numeric_faithfulness"] == pytest.approx(6 / 7)  # "10个" is in no quote
    assert agg["by_form"]["figure"]["n"] == 5 and agg["by_form"]["compare"]["n"] == 1
    assert set(agg["by_source"]) == {A, "(several documents)"}
    assert hit_at_k(rows, 3) == pytest.approx([3 / 5, 4 / 5, 4 / 5])


# -- the runner and the baseline (real model and index) --------------------------------------
@pytest.mark.slow
def test_rag_eval_end_to_end(tmp_path, built_index):
    src = QUESTIONS.read_text(encoding="utf-8").splitlines()
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("\n".join(src[:12] + ["{broken"] + src[12:20]) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "rag", "--index-dir", str(built_index), "--no-build", "eval",
                        "--questions", str(qfile), "--out", str(out), "--json", "--config", "hybrid+en",
                        "--config", "lexical", "--only", WEIHAI], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 1, r.stderr  # malformed line -> non-zero, the rest still evaluated
    assert "q.jsonl:13" in r.stderr
    agg = json.loads(r.stdout)
    assert agg["n"] == 20 and agg["malformed_lines"] == [13]
    assert set(agg["configs"]) == {"hybrid+en", "lexical"}
    rows = [json.loads(x) for x in (out / "rows.jsonl").read_text().splitlines()]
    assert len(rows) == 40 and {"question", "expected", "got", "cited", "gold", "form", "latency_ms", "pass"} <= set(rows[0])
    report = (out / "report.html").read_text(encoding="utf-8")
    for needle in ("Headline metrics", "Ablations", "Failures", "form=", "index_manifest_sha256", "git_commit"):
        assert needle in report
    for png in ("metrics.png", "latency.png", "hitk.png"):
        assert (out / png).stat().st_size > 5000


BASELINE_SETS = json.loads(BASELINE.read_text())["sets"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["questions", "forms", "forms2", "forms3", "traditional", "national2024",
                                  "shandong2026", "cross", "cross2"])
def test_question_sets_do_not_regress_below_the_baseline(pipeline, lines, name):
    from rag.eval_runner import evaluate_configs

    entry = BASELINE_SETS[name]
    sources = None if entry["sources"] == "all" else entry["sources"]
    default = sources[0] if sources else ""
    qs = load_questions(ROOT / entry["questions"], lines=lines, default_source=default)
    (_, agg), = evaluate_configs(pipeline, qs.questions, ["hybrid+en"], progress=False, default_source=default,
                                 sources=sources).values()
    drops = {}
    for metric in HEADLINE:
        want, got = entry["metrics"][metric], agg[metric]
        if want is None or got is None:
            continue
        # lower is better for these
        worse = (got - want) if metric in ("false_refusal_rate", "wrong_figure_rate") else (want - got)
        if worse > 0.02:
            drops[metric] = (want, round(got, 3))
    assert not drops, f"{name} below baseline (baseline, now): {drops}"


def test_traditional_copy_is_the_public_set_in_traditional_characters(public):
    import opencc

    conv = opencc.OpenCC("s2t.json")
    trad = [json.loads(x) for x in (EVAL / "traditional" / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    by_id = {q["id"]: q for q in public}
    for t in trad:
        q = by_id[t["id"][2:]]
        assert t["question"] == conv.convert(q["question"]) and t["answers"] == q["answers"]
