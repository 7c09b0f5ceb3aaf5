"""The command line and the public JSON contract, including bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CONTRACT = {"question", "answer", "direct_answer", "answer_type", "refused", "citations", "timings_ms"}
CITATION = {"n", "source", "title", "line", "section", "quote", "score"}

BAD_INPUT = [
    "",
    "   \t  ",
    "问" * 10_000,
    "？？？！！！。。。",
    "🤔🙏🎉",
    "\x00\x01\x1b[31m\x7f",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "' OR 1=1 --",
    "{{7*7}} ${jndi:ldap://x}",
]

# Real questions wrapped in markup or mixed with other scripts: answered, markup ignored.
WRAPPED = [
    ("<script>alert('x')</script>今年要建多少5G基站", "900座"),
    ("**GDP** _增长_ `多少`", "5.5%左右"),
    ("Сколько 5G 基站 سيتم بناء ?", "900座"),
    ("<b>社零</b>增长目标", "5.5%以上"),
]


def run(args, stdin=None, timeout=180):
    return subprocess.run([sys.executable, "-m", "rag", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def check_contract(obj):
    assert CONTRACT <= set(obj), obj
    assert isinstance(obj["question"], str) and isinstance(obj["answer"], str)
    assert isinstance(obj["direct_answer"], str) and isinstance(obj["refused"], bool)
    assert set(obj["timings_ms"]) == {"retrieve", "answer", "total"}
    for c in obj["citations"]:
        assert set(c) == CITATION
        assert isinstance(c["line"], int) and c["line"] >= 1 and isinstance(c["score"], float | int)
    if obj["refused"]:
        assert obj["direct_answer"] == ""


def test_ask_json_contract(built_index):
    r = run(["--index-dir", str(built_index), "--no-build", "ask", "--json", "今年要建多少5G基站？"])
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    check_contract(obj)
    assert set(obj) == CONTRACT
    assert obj["question"] == "今年要建多少5G基站？"
    assert "900座" in obj["direct_answer"] and obj["citations"][0]["line"] == 29
    assert obj["citations"][0]["title"] == "威海市2025年政府工作报告" and obj["answer_type"] == "figure"
    assert obj["refused"] is False


def test_ask_source_narrows_the_scope(built_index):
    r = run(["--index-dir", str(built_index), "--no-build", "ask", "--json", "--source",
             "shandong-2026-government-work-report.txt", "今年GDP增长目标是多少"])
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["citations"][0]["source"] == "shandong-2026-government-work-report.txt"
    assert "5%以上" in obj["direct_answer"]


@pytest.mark.parametrize("mode", [["--json", "今年GDP增长目标是多少"], ["--jsonl"]])
def test_ask_source_that_names_no_report_is_an_error_not_every_report(built_index, mode):
    r = run(["--index-dir", str(built_index), "--no-build", "ask", "--source", "national-2023", *mode],
            stdin="今年GDP增长目标是多少\n")
    assert r.returncode == 2 and r.stdout == ""
    assert "“national-2023”" in r.stderr and "shandong-2026-government-work-report.txt" in r.stderr
    assert "Traceback" not in r.stderr
    # the file name without .txt and the place name each narrow as the full name does
    for name in ("shandong-2026-government-work-report", "山东省"):
        r = run(["--index-dir", str(built_index), "--no-build", "ask", "--json", "--source", name, "今年GDP增长目标是多少"])
        assert r.returncode == 0 and json.loads(r.stdout)["citations"][0]["source"].startswith("shandong-2026"), r.stderr


def test_ask_prints_for_people(built_index):
    r = run(["--index-dir", str(built_index), "--no-build", "ask", "How", "many", "5G", "base", "stations?"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("2025 plan: **新建5G基站900座** [1]")
    assert "《威海市2025年政府工作报告》" in r.stdout and "line 29" in r.stdout and "Traceback" not in r.stderr


def test_ask_without_question_is_a_clear_error():
    r = run(["ask"])
    assert r.returncode == 2 and r.stderr.startswith("Error: give a question")
    r = run(["ask", "--json", "  "])
    assert r.returncode == 2
    check_contract(json.loads(r.stdout))


def test_jsonl_keeps_order_and_survives_bad_lines(built_index):
    lines = [
        "今年要建多少5G基站？",
        json.dumps({"question": "社零增长目标是多少"}, ensure_ascii=False),
        '{"question": "unterminated',
        json.dumps({"q": "wrong key"}),
        json.dumps(["a", "list"]),
        json.dumps({"question": 42}),
        "How many new urban jobs are planned?",
        *[b.replace("\n", " ") for b in BAD_INPUT if "\n" not in b],
    ]
    r = run(["--index-dir", str(built_index), "--no-build", "ask", "--jsonl"], stdin="\n".join(lines) + "\n")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == len(lines)
    for obj in out:
        check_contract(obj)
    assert "900座" in out[0]["direct_answer"]
    assert "5.5%以上" in out[1]["direct_answer"]
    for bad in out[2:6]:
        assert bad["refused"] and bad["error"] and bad["line"] in (3, 4, 5, 6)
    assert "malformed JSON" in out[2]["error"]
    assert "3.3万人" in out[6]["direct_answer"]
    for obj in out[7:]:
        assert obj["refused"] and obj["direct_answer"] == ""


@pytest.mark.parametrize("question", BAD_INPUT)
def test_bad_input_gets_a_clear_refusal(pipeline, question):
    a = pipeline.ask(question)
    obj = a.to_json()
    check_contract(obj)
    json.dumps(obj)  # serialisable
    assert a.refused, a.answer
    assert a.answer.strip(), "a refusal always says something"
    assert "Traceback" not in a.answer
    if len(question) > 500:
        assert "500" in a.answer and a.error == "question too long"


@pytest.mark.parametrize("question,figure", WRAPPED)
def test_wrapped_questions_are_answered(pipeline, question, figure):
    a = pipeline.ask(question)
    check_contract(a.to_json())
    assert not a.refused and figure in a.direct_answer


@pytest.mark.parametrize("question", [None, 42, ["x"], {"question": "x"}, b"bytes"])
def test_non_string_input_is_refused(pipeline, question):
    a = pipeline.ask(question)
    assert a.refused and a.error


def test_markup_is_not_echoed_as_markup(pipeline):
    a = pipeline.ask("<script>alert('x')</script>今年要建多少5G基站")
    assert "<script>" not in a.answer  # the answer never repeats the question's markup


def test_index_reports_what_it_detected_and_is_idempotent(tmp_path):
    r = run(["--index-dir", str(tmp_path / "idx"), "index", "--quiet"], timeout=600)
    assert r.returncode == 0, r.stderr
    assert "4 report(s)" in r.stdout and "m3e-small" in r.stdout and "embedded 4, reused 0" in r.stdout
    assert "shandong-2026-government-work-report.txt: 《2026年山东省政府工作报告》 place 山东省 (detected)" in r.stdout
    assert "year 2026 (detected), date 2026-01-27 (detected)" in r.stdout
    assert "furniture line(s) dropped" in r.stdout and "[home]" in r.stdout
    r = run(["--index-dir", str(tmp_path / "idx"), "index"], timeout=300)
    assert r.returncode == 0 and "up to date" in r.stdout


def test_add_and_remove_a_report(tmp_path):
    import shutil

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for f in ROOT.glob("seeds/weihai-2025-government-work-report.*"):
        shutil.copy(f, seeds / f.name)
    common = ["--seeds-dir", str(seeds), "--index-dir", str(tmp_path / "idx")]
    assert run([*common, "index", "--quiet"], timeout=300).returncode == 0
    report = tmp_path / "inbox" / "x-report.txt"
    report.parent.mkdir()
    shutil.copy(ROOT / "seeds" / "national-2025-government-work-report.txt", report)
    r = run([*common, "add", str(report), "--title", "2025年国务院政府工作报告", "--quiet"], timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Added x-report.txt" in r.stdout and "embedded 1, reused 1" in r.stdout
    assert json.loads((seeds / "x-report.json").read_text(encoding="utf-8"))["title"] == "2025年国务院政府工作报告"
    r = run([*common, "--no-build", "ask", "--json", "全国今年GDP增长目标"])
    assert "5%左右" in json.loads(r.stdout)["direct_answer"]
    r = run([*common, "remove", "x-report.txt"], timeout=300)
    assert r.returncode == 0 and "Removed x-report.txt" in r.stdout and "embedded 0, reused 1" in r.stdout
    assert not (seeds / "x-report.txt").exists() and not (seeds / "x-report.json").exists()
    r = run([*common, "remove", "x-report.txt"])
    assert r.returncode == 1 and r.stderr.startswith("Error: no report x-report.txt")
    r = run([*common, "add", str(tmp_path / "missing.txt")])
    assert r.returncode == 1 and "is not a file" in r.stderr


def test_help_is_fast_and_lists_commands():
    r = run(["--help"], timeout=30)
    assert r.returncode == 0
    for cmd in ("index", "add", "remove", "ask", "chat", "serve", "eval", "feedback"):
        assert cmd in r.stdout
