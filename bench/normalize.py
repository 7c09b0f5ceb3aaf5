"""What normalising a question costs (traditional -> simplified, widths, punctuation, stray spaces,
Chinese numerals): p50/p95 per question over the public set in simplified and in traditional
characters, and the same questions' end-to-end latency for scale.

    .venv/bin/python bench/normalize.py      # ≈ 20 s; writes bench/results/normalize.json
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, summary  # noqa: E402


def _load(name: str) -> list[str]:
    lines = (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(x)["question"] for x in lines if x.strip()]


def main() -> None:
    from rag.normalize import normalize_question

    sets = {"simplified": [q for q in _load("questions.jsonl") if not q.isascii()],
            "traditional": _load("traditional/questions.jsonl")}
    normalize_question("預熱")  # load OpenCC's dictionaries once, as a server does at its first question
    out = {}
    for name, qs in sets.items():
        times = []
        for _ in range(20):
            for q in qs:
                t = time.perf_counter()
                normalize_question(q)
                times.append((time.perf_counter() - t) * 1e6)
        out[name] = {"per_question_us": summary(times), "questions": len(qs)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "normalize.json").write_text(json.dumps(out, indent=2) + "\n")
    for name, r in out.items():
        s = r["per_question_us"]
        print(f"{name}: normalising a question p50 {s['p50']} µs, p95 {s['p95']} µs ({r['questions']} questions × 20)")


if __name__ == "__main__":
    main()
