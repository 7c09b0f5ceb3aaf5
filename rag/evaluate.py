"""Evaluation: a question set in, per-question rows and flat aggregate metrics out (pure functions).

Question format (one JSON object per line; ``eval/FORMAT.md``)::

    {"id", "question", "lang": "zh"|"en", "type": "number"|"fact"|"summary"|"unanswerable",
     "form": "figure"|"list"|"yesno"|"when"|"where"|"compare"|"definition"|"other"|"scope",
     "answers": [...], "gold": [{"source", "line"}, ...]}      (or "gold_lines": [...] for one document)

Metrics (flat names, one primary: ``hit@1``):

* retrieval: ``hit@1``, ``hit@3``, ``mrr@10``: the cited (document, line) pairs, then the ranked
  ones behind them, against the gold (answerable questions);
* ``direct_accuracy``: an expected string inside ``direct_answer`` (number and fact questions);
* ``summary_coverage``: share of a summary's key phrases in the answer (direct answer + quotes);
  ``list_coverage``: the same in ``direct_answer`` alone (list questions);
* ``refusal_precision`` / ``refusal_recall`` on unanswerable questions, ``false_refusal_rate``
  on answerable ones;
* ``wrong_figure_rate``: answers whose direct answer states a figure that is not the one asked
  (number questions) or any figure where none is given (unanswerable questions);
* ``both_sides_cited``: comparisons whose citations include every gold document;
* ``numeric_faithfulness``: share of answers whose every figure is verbatim in a cited quote;
* ``latency_p50_ms`` / ``latency_p95_ms``.
All are also broken down by language, type, form and document (``by_form.list.list_coverage`` …).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .figures import numbers
from .grounding import unsupported_figures
from .text import normalize

TYPES = ("number", "fact", "summary", "unanswerable")
LANGS = ("zh", "en")
FORMS = ("figure", "list", "yesno", "when", "where", "compare", "definition", "other", "scope")
KEYS = {"id", "question", "lang", "type", "answers"}
HEADLINE = ("hit@1", "hit@3", "mrr@10", "direct_accuracy", "summary_coverage", "list_coverage", "refusal_recall",
            "refusal_precision", "false_refusal_rate", "wrong_figure_rate", "both_sides_cited", "numeric_faithfulness")
_DEFAULT_FORM = {"number": "figure", "fact": "other", "summary": "list", "unanswerable": "other"}


@dataclass
class QuestionSet:
    questions: list[dict[str, Any]]
    errors: list[tuple[int, str]] = field(default_factory=list)  # (1-based line, message)


def gold_of(q: dict[str, Any], default_source: str = "") -> list[tuple[str, int]]:
    """The question's gold as (source, line) pairs (``gold`` or the one-document ``gold_lines``)."""
    if "gold" in q:
        return [(g["source"], int(g["line"])) for g in q["gold"]]
    return [(default_source, int(n)) for n in q.get("gold_lines", [])]


def validate_question(obj: Any, lines: dict[tuple[str, int], str] | None = None,
                      default_source: str = "") -> str | None:
    """Return what is wrong with one question object, or None.

    With ``lines`` ((source, line) -> paragraph text) every gold line must exist and every answer
    string must occur in one of the question's gold lines (case- and width-insensitively).
    """
    if not isinstance(obj, dict):
        return "not a JSON object"
    missing = KEYS - obj.keys()
    if missing:
        return f"missing keys: {', '.join(sorted(missing))}"
    if "gold" not in obj and "gold_lines" not in obj:
        return "missing keys: gold (or gold_lines)"
    if not isinstance(obj["id"], str | int) or str(obj["id"]) == "":
        return "id must be a non-empty string"
    if not isinstance(obj["question"], str) or not obj["question"].strip():
        return "question must be a non-empty string"
    if obj["lang"] not in LANGS:
        return f"lang must be one of {LANGS}"
    if obj["type"] not in TYPES:
        return f"type must be one of {TYPES}"
    if "form" in obj and obj["form"] not in FORMS:
        return f"form must be one of {FORMS}"
    if not isinstance(obj["answers"], list) or not all(isinstance(a, str) for a in obj["answers"]):
        return "answers must be a list of strings"
    if "gold" in obj:
        if not isinstance(obj["gold"], list) or not all(
                isinstance(g, dict) and isinstance(g.get("source"), str) and isinstance(g.get("line"), int)
                and not isinstance(g.get("line"), bool) and g["line"] >= 1 for g in obj["gold"]):
            return 'gold must be a list of {"source": FILE, "line": N} with N ≥ 1'
    elif not isinstance(obj["gold_lines"], list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in obj["gold_lines"]):
        return "gold_lines must be a list of positive integers"
    gold = gold_of(obj, default_source)
    if obj["type"] == "unanswerable" and (obj["answers"] or gold):
        return "unanswerable questions have empty answers and gold"
    if obj["type"] != "unanswerable" and not (obj["answers"] and gold):
        return "answerable questions need answers and gold"
    if lines is not None:
        for g in gold:
            if g not in lines:
                return f"gold line {g[1]} of {g[0] or 'the document'} does not exist"
        texts = [normalize(lines[g]) for g in gold]
        for a in obj["answers"]:
            if not any(normalize(a) in t for t in texts):
                return f"answer {a!r} is not in its gold lines"
    return None


def load_questions(path: Path, lines: dict[tuple[str, int], str] | None = None,
                   default_source: str = "") -> QuestionSet:
    """Read a JSONL question set; bad lines are reported (with line numbers) and skipped."""
    qs = QuestionSet([])
    seen: set[str] = set()
    for n, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError as exc:
            qs.errors.append((n, f"invalid JSON: {exc}"))
            continue
        problem = validate_question(obj, lines, default_source)
        if problem is None and str(obj["id"]) in seen:
            problem = f"duplicate id {obj['id']!r}"
        if problem:
            qs.errors.append((n, problem))
            continue
        seen.add(str(obj["id"]))
        qs.questions.append(obj)
    return qs


def _contains(haystack: str, needles: Iterable[str]) -> bool:
    h = normalize(haystack)
    return any(normalize(n) in h for n in needles)


def score_row(q: dict[str, Any], result: dict[str, Any], ranking: list[tuple[str, int]] | None = None,
              default_source: str = "") -> dict[str, Any]:
    """Compare one answer (the JSON contract of ``rag ask --json``) with its expectation.

    ``ranking`` (optional) is the ranked (source, line) list behind the citations (top 10); without
    it the cited lines are the ranking.
    """
    cited = [(c.get("source", default_source), c["line"]) for c in result.get("citations", [])]
    ranked = list(dict.fromkeys(cited + [tuple(x) for x in (ranking or [])]))
    gold_pairs = gold_of(q, default_source)
    gold = set(gold_pairs)
    form = q.get("form") or _DEFAULT_FORM[q["type"]]
    answerable = q["type"] != "unanswerable"
    refused = bool(result.get("refused"))
    direct = result.get("direct_answer", "") or ""
    quotes = [c["quote"] for c in result.get("citations", [])]
    row: dict[str, Any] = {
        "id": q["id"], "question": q["question"], "lang": q["lang"], "type": q["type"], "form": form,
        "expected": q["answers"], "gold": [list(g) for g in gold_pairs],
        "source": gold_pairs[0][0] if gold_pairs else "",
        "got": direct, "refused": refused, "cited": [list(c) for c in cited],
        "answer_type": result.get("answer_type"),
        "latency_ms": result.get("timings_ms", {}).get("total"),
    }
    if answerable:
        rank = next((i + 1 for i, key in enumerate(ranked[:10]) if key in gold), None)
        row["rank"] = rank
        row["hit@1"] = rank == 1
        row["hit@3"] = rank is not None and rank <= 3
        row["mrr@10"] = 1.0 / rank if rank else 0.0
        row["false_refusal"] = refused
    if q["type"] in ("number", "fact"):
        if form == "compare":
            row["direct_ok"] = (not refused) and all(_contains(direct, [a]) for a in q["answers"])
        else:
            row["direct_ok"] = (not refused) and _contains(direct, q["answers"])
    if q["type"] == "summary":
        text = direct + "\n" + "\n".join(quotes)
        row["summary_coverage"] = 0.0 if refused else sum(_contains(text, [a]) for a in q["answers"]) / len(q["answers"])
        row["list_coverage"] = 0.0 if refused else sum(_contains(direct, [a]) for a in q["answers"]) / len(q["answers"])
    if form == "compare" and answerable:
        row["both_sides_cited"] = {s for s, _ in gold_pairs} <= {s for s, _ in cited}
    if q["type"] == "unanswerable":
        row["refusal_ok"] = refused
    stated = numbers(normalize(direct))
    if q["type"] == "number" and not refused:
        row["wrong_figure"] = bool(stated) and not _contains(direct, q["answers"])
    elif q["type"] == "unanswerable" and not refused:
        row["wrong_figure"] = bool(stated)
    else:
        row["wrong_figure"] = False
    answer_text = result.get("answer", "") or ""
    row["faithful"] = not unsupported_figures(direct, quotes) and not unsupported_figures(
        _strip_quotes(answer_text), quotes)
    if result.get("_llm"):
        row["llm"] = result["_llm"]
    row["pass"] = _passes(row)
    return row


def _strip_quotes(markdown: str) -> str:
    """The answer's own words: drop quoted passages ('> ...') and citation headers."""
    keep = [ln for ln in markdown.splitlines() if not ln.startswith(">") and not ln.startswith("[")]
    return "\n".join(keep)


def _passes(row: dict[str, Any]) -> bool:
    t = row["type"]
    if t == "unanswerable":
        return row["refusal_ok"]
    if t in ("number", "fact"):
        return row["direct_ok"] and row["hit@3"]
    return row["summary_coverage"] >= 0.5 and row["hit@3"]


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _llm_rates(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """With a generative model: how often its answer was used, and how often the guard (or a
    timeout or error) put the extractive answer in its place."""
    seen = [r["llm"] for r in rows if r.get("llm")]
    if not seen:
        return {}
    tried = [s for s in seen if not s.startswith("skipped")]
    return {
        "llm_used_rate": sum(s == "used" for s in tried) / len(tried) if tried else None,
        "llm_fallback_rate": sum(s.startswith("fallback") for s in tried) / len(tried) if tried else None,
        "llm_fallbacks": dict(Counter(s.split(":", 1)[1].split("(")[0].strip() for s in tried
                                      if s.startswith("fallback"))),
    }


def _block(rs: list[dict[str, Any]]) -> dict[str, Any]:
    ans = [r for r in rs if r["type"] != "unanswerable"]
    una = [r for r in rs if r["type"] == "unanswerable"]
    refused = [r for r in rs if r["refused"]]
    lat = [r["latency_ms"] for r in rs if r.get("latency_ms") is not None]
    return {
        "n": len(rs),
        "hit@1": _mean([float(r["hit@1"]) for r in ans]),
        "hit@3": _mean([float(r["hit@3"]) for r in ans]),
        "mrr@10": _mean([r["mrr@10"] for r in ans]),
        "direct_accuracy": _mean([float(r["direct_ok"]) for r in rs if "direct_ok" in r]),
        "summary_coverage": _mean([r["summary_coverage"] for r in rs if "summary_coverage" in r]),
        "list_coverage": _mean([r["list_coverage"] for r in rs if "list_coverage" in r]),
        "refusal_recall": _mean([float(r["refused"]) for r in una]),
        "refusal_precision": (sum(r["type"] == "unanswerable" for r in refused) / len(refused)) if refused else None,
        "false_refusal_rate": _mean([float(r["refused"]) for r in ans]),
        "wrong_figure_rate": _mean([float(r["wrong_figure"]) for r in rs]),
        "both_sides_cited": _mean([float(r["both_sides_cited"]) for r in rs if "both_sides_cited" in r]),
        "numeric_faithfulness": _mean([float(r["faithful"]) for r in rs]),
        "pass_rate": _mean([float(r["pass"]) for r in rs]),
        **_llm_rates(rs),
        "latency_p50_ms": float(np.percentile(lat, 50)) if lat else None,
        "latency_p95_ms": float(np.percentile(lat, 95)) if lat else None,
    }


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    result = _block(rows)
    for key, values in (("by_lang", LANGS), ("by_type", TYPES), ("by_form", FORMS)):
        field_name = {"by_lang": "lang", "by_type": "type", "by_form": "form"}[key]
        result[key] = {v: _block([r for r in rows if r[field_name] == v]) for v in values
                       if any(r[field_name] == v for r in rows)}
    sources = sorted({r["source"] for r in rows if r.get("source")})
    if len(sources) > 1 or any(len({s for s, _ in r["gold"]}) > 1 for r in rows):
        result["by_source"] = {s: _block([r for r in rows if r.get("source") == s and len({g[0] for g in r["gold"]}) == 1])
                               for s in sources}
        cross = [r for r in rows if len({g[0] for g in r["gold"]}) > 1]
        if cross:
            result["by_source"]["(several documents)"] = _block(cross)
    for b in list(result["by_type"].values()) + list(result["by_form"].values()):
        b["refusal_precision"] = None  # precision of refusals only means something across types
    return result


def run(questions: list[dict[str, Any]], ask: Callable[[str], Any],
        progress: Callable[[Iterable], Iterable] | None = None,
        default_source: str = "") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Ask every question and score it.

    ``ask`` returns the answer JSON (a dict), or a ``(json, ranking)`` pair where ranking is the
    ranked (source, line) list (top 10) behind the citations.
    """
    rows = []
    it = progress(questions) if progress else questions
    for q in it:
        got = ask(q["question"])
        result, ranking = got if isinstance(got, tuple) else (got, None)
        rows.append(score_row(q, result, ranking, default_source))
    return rows, aggregate(rows)


def hit_at_k(rows: list[dict[str, Any]], k_max: int = 10) -> list[float]:
    """hit@k for k = 1..k_max over answerable rows (the curve in the report)."""
    ranks = [r.get("rank") for r in rows if r["type"] != "unanswerable"]
    if not ranks:
        return []
    return [sum(1 for x in ranks if x is not None and x <= k) / len(ranks) for k in range(1, k_max + 1)]


def run_conversations(dialogues: list[dict[str, Any]], ask: Callable[[str, list[dict[str, str]]], Any],
                      default_source: str = "") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Score multi-turn dialogues: each turn is asked with the conversation so far as history.

    Returns per-turn rows (with ``turn`` and ``dialogue``) and aggregates for first turns
    (standalone) and later turns (follow-ups), so the two can be compared.
    """
    rows: list[dict[str, Any]] = []
    for d in dialogues:
        history: list[dict[str, str]] = []
        for i, turn in enumerate(d["turns"]):
            q = {"id": f"{d['id']}.{i + 1}", "question": turn["question"], "lang": d.get("lang", "zh"),
                 "type": turn["type"], "answers": turn["answers"]}
            q.update({k: turn[k] for k in ("gold", "gold_lines", "form") if k in turn})
            got = ask(turn["question"], list(history))
            result, ranking = got if isinstance(got, tuple) else (got, None)
            row = score_row(q, result, ranking, default_source)
            row.update({"dialogue": d["id"], "turn": i + 1, "resolved": result.get("resolved_question")})
            rows.append(row)
            history += [{"role": "user", "content": turn["question"]},
                        {"role": "assistant", "content": result.get("answer", "")}]
    first = [r for r in rows if r["turn"] == 1]
    later = [r for r in rows if r["turn"] > 1]
    return rows, {"first_turns": aggregate(first), "later_turns": aggregate(later),
                  "pass_rate_gap": (aggregate(first)["pass_rate"] or 0) - (aggregate(later)["pass_rate"] or 0)}
