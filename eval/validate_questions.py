#!/usr/bin/env python3
"""Validate the evaluation question sets against the source report.

Usage:
    python eval/validate_questions.py eval/questions.jsonl eval/conversations.jsonl

A file is treated as a conversation set when its name contains "conversation"
or its first record has a "turns" key; otherwise as a single-question set.

Checks (any failure -> the offending file:line is printed and exit code is 1):
  * every non-blank line is a JSON object with exactly the expected keys
  * ids are unique (within a file)
  * lang in {zh, en}; type in {number, fact, summary, unanswerable}
  * gold_lines are integers within 1..N (N = number of report lines, 57)
  * answerable types: answers and gold_lines non-empty;
    unanswerable: answers == [] and gold_lines == []
  * every answer string is a verbatim substring of at least one gold line
  * no answer (and no question) contains the injected advert "凯发"
  * conversations have 2 or 3 turns, each turn with exactly the turn keys

Stdlib only. Prints counts per type / lang / section at the end.
"""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "..", "seeds", "weihai-2025-government-work-report.txt")

Q_KEYS = {"id", "question", "lang", "type", "answers", "gold_lines"}
C_KEYS = {"id", "lang", "turns"}
TURN_KEYS = {"question", "type", "answers", "gold_lines"}
TYPES = {"number", "fact", "summary", "unanswerable"}
LANGS = {"zh", "en"}
BANNED = "凯发"

SECTIONS = [
    (1, 5, "preamble"), (6, 10, "(一)"), (11, 15, "(二)"), (16, 20, "(三)"),
    (21, 25, "(四)"), (26, 30, "(五)"), (31, 34, "(六)"), (35, 38, "(七)"),
    (39, 42, "(八)"), (43, 50, "(九)"), (51, 55, "(十)"), (56, 57, "closing"),
]
SECTION_ORDER = [s[2] for s in SECTIONS] + ["none"]
# lines that are only the heading/intro of a section (一)…(十)
HEADER_LINES = {6, 11, 16, 21, 26, 31, 35, 39, 43, 51}


def section_of(line_no):
    for lo, hi, name in SECTIONS:
        if lo <= line_no <= hi:
            return name
    return "none"


def load_report(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def check_item(item, report, where, errors):
    """Check one question (or one conversation turn). Returns nothing; appends errors."""
    n = len(report)
    q = item.get("question")
    if not isinstance(q, str) or not q.strip():
        errors.append(f"{where}: question must be a non-empty string")
    elif BANNED in q:
        errors.append(f"{where}: question contains banned text {BANNED!r}")
    typ = item.get("type")
    if typ not in TYPES:
        errors.append(f"{where}: unknown type {typ!r}")
    answers = item.get("answers")
    gold = item.get("gold_lines")
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        errors.append(f"{where}: answers must be a list of strings")
        answers = []
    if not isinstance(gold, list) or not all(
        isinstance(g, int) and not isinstance(g, bool) for g in gold
    ):
        errors.append(f"{where}: gold_lines must be a list of integers")
        gold = []
    for g in gold:
        if not 1 <= g <= n:
            errors.append(f"{where}: gold line {g} outside 1..{n}")
    if len(set(gold)) != len(gold):
        errors.append(f"{where}: duplicate gold line numbers {gold}")
    if typ == "unanswerable":
        if answers or gold:
            errors.append(f"{where}: unanswerable must have empty answers and gold_lines")
    elif typ in TYPES:
        if not answers:
            errors.append(f"{where}: answerable type {typ!r} needs non-empty answers")
        if not gold:
            errors.append(f"{where}: answerable type {typ!r} needs non-empty gold_lines")
    gold_text = [report[g - 1] for g in gold if 1 <= g <= n]
    for a in answers:
        if not a.strip():
            errors.append(f"{where}: empty answer string")
            continue
        if BANNED in a:
            errors.append(f"{where}: answer {a!r} contains banned text {BANNED!r}")
        if gold_text and not any(a in t for t in gold_text):
            errors.append(f"{where}: answer {a!r} not found verbatim in gold lines {gold}")
    if typ == "number" and any(a.replace(".", "").replace("%", "").isdigit() and "%" not in a
                               for a in answers):
        print(f"WARNING {where}: bare number without unit in answers {answers}")
    if len(set(answers)) != len(answers):
        errors.append(f"{where}: duplicate answer strings")


def read_jsonl(path, errors):
    records = []
    with open(path, encoding="utf-8") as f:
        for i, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as e:
                errors.append(f"{path}:{i}: invalid JSON ({e})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"{path}:{i}: line is not a JSON object")
                continue
            records.append((i, obj))
    return records


def validate_file(path, report, stats):
    errors = []
    records = read_jsonl(path, errors)
    is_conv = "conversation" in os.path.basename(path) or (
        bool(records) and "turns" in records[0][1]
    )
    ids = Counter()
    for i, obj in records:
        where = f"{path}:{i}"
        keys = C_KEYS if is_conv else Q_KEYS
        if set(obj) != keys:
            extra = sorted(set(obj) - keys)
            missing = sorted(keys - set(obj))
            errors.append(f"{where}: wrong keys (extra={extra}, missing={missing})")
        oid = obj.get("id")
        if not isinstance(oid, str) or not oid:
            errors.append(f"{where}: id must be a non-empty string")
        else:
            ids[oid] += 1
            if ids[oid] == 2:
                errors.append(f"{where}: duplicate id {oid!r}")
        lang = obj.get("lang")
        if lang not in LANGS:
            errors.append(f"{where}: unknown lang {lang!r}")
        if is_conv:
            turns = obj.get("turns")
            if not isinstance(turns, list) or not 2 <= len(turns) <= 3:
                errors.append(f"{where}: turns must be a list of 2-3 turns")
                turns = turns if isinstance(turns, list) else []
            stats["dialogues"][lang] += 1
            for t_no, turn in enumerate(turns, 1):
                tw = f"{where} turn {t_no}"
                if not isinstance(turn, dict):
                    errors.append(f"{tw}: turn is not an object")
                    continue
                if set(turn) != TURN_KEYS:
                    errors.append(f"{tw}: wrong turn keys {sorted(turn)}")
                check_item(turn, report, tw, errors)
                tally(stats["conv"], turn, lang)
        else:
            check_item(obj, report, where, errors)
            tally(stats["single"], obj, lang)
            stats["qtext"][obj.get("question")] += 1
            for g in obj.get("gold_lines") or []:
                if isinstance(g, int):
                    stats["line_hits"][g] += 1
    return is_conv, len(records), errors


def tally(bucket, item, lang):
    bucket["type"][item.get("type")] += 1
    bucket["lang"][lang] += 1
    gold = [g for g in (item.get("gold_lines") or []) if isinstance(g, int)]
    secs = sorted({section_of(g) for g in gold}, key=SECTION_ORDER.index) or ["none"]
    for s in secs:
        bucket["section"][s] += 1


def new_bucket():
    return {"type": Counter(), "lang": Counter(), "section": Counter()}


def print_bucket(title, bucket, total):
    print(f"\n== {title}: {total} ==")
    print("  type:   " + ", ".join(f"{k}={v} ({100 * v / max(total, 1):.0f}%)"
                                   for k, v in sorted(bucket["type"].items())))
    print("  lang:   " + ", ".join(f"{k}={v}" for k, v in sorted(bucket["lang"].items())))
    print("  section (by gold line; multi-section items counted in each):")
    for s in SECTION_ORDER:
        if bucket["section"][s]:
            print(f"    {s:9s} {bucket['section'][s]}")


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    report = load_report(REPORT)
    stats = {"single": new_bucket(), "conv": new_bucket(),
             "dialogues": Counter(), "line_hits": Counter(), "qtext": Counter()}
    all_errors = []
    summaries = []
    for path in argv[1:]:
        is_conv, n, errors = validate_file(path, report, stats)
        summaries.append((path, is_conv, n))
        all_errors.extend(errors)
    for e in all_errors:
        print("ERROR", e)
    n_single = sum(stats["single"]["type"].values())
    n_turns = sum(stats["conv"]["type"].values())
    if n_single:
        print_bucket("single questions", stats["single"], n_single)
        # coverage info (not an error): body paragraphs with < 2 questions,
        # section intro lines with no question at all
        hits = stats["line_hits"]
        thin = [ln for ln in range(2, 58) if ln not in HEADER_LINES and hits[ln] < 2]
        bare = [ln for ln in sorted(HEADER_LINES) if hits[ln] == 0]
        print(f"  body paragraphs (2-57) with <2 questions: {thin or 'none'}")
        print(f"  section intro lines with no question: {bare or 'none'}")
        dups = [q for q, k in stats["qtext"].items() if k > 1]
        if dups:
            print(f"  WARNING duplicate question texts: {dups}")
    if n_turns:
        print_bucket("conversation turns", stats["conv"], n_turns)
        print("  dialogues per lang: " + ", ".join(
            f"{k}={v}" for k, v in sorted(stats["dialogues"].items())))
    if all_errors:
        print(f"\nFAILED: {len(all_errors)} problem(s)")
        return 1
    print("\nOK: " + "; ".join(f"{p} ({'conversations' if c else 'questions'}, {n} records)"
                              for p, c, n in summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
