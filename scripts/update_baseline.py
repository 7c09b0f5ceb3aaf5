"""Write eval/baseline.json from fresh runs of the public question sets (commit it with the change
that moved the metrics). Usage: .venv/bin/python scripts/update_baseline.py

Each set is answered as its users would ask it: the Weihai sets from Weihai's report alone, the
national and provincial sets from their report alone, the cross-document set from the whole
shipped corpus. The held-out sets are not part of the baseline (they are reported, not tuned on).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import Pipeline  # noqa: E402
from rag.eval_runner import DEFAULT_CONFIG, _git_commit, evaluate_configs  # noqa: E402
from rag.evaluate import HEADLINE, load_questions  # noqa: E402

WEIHAI = "weihai-2025-government-work-report.txt"
#: name -> (question file, the documents it is answered from (None: all), source of bare gold_lines)
SETS = {
    "questions": ("eval/questions.jsonl", [WEIHAI], WEIHAI),
    "forms": ("eval/forms/questions.jsonl", [WEIHAI], WEIHAI),
    "forms2": ("eval/forms2/questions.jsonl", [WEIHAI], WEIHAI),
    "forms3": ("eval/forms3/questions.jsonl", [WEIHAI], WEIHAI),
    "forms4": ("eval/forms4/questions.jsonl", [WEIHAI], WEIHAI),
    "forms5": ("eval/forms5/questions.jsonl", [WEIHAI], WEIHAI),
    "forms6": ("eval/forms6/questions.jsonl", [WEIHAI], WEIHAI),
    "forms7": ("eval/forms7/questions.jsonl", [WEIHAI], WEIHAI),
    "forms8": ("eval/forms8/questions.jsonl", [WEIHAI], WEIHAI),
    "forms9": ("eval/forms9/questions.jsonl", [WEIHAI], WEIHAI),
    "forms10": ("eval/forms10/questions.jsonl", [WEIHAI], WEIHAI),
    "traditional": ("eval/traditional/questions.jsonl", [WEIHAI], WEIHAI),
    "dev_en": ("eval/dev_en/questions.jsonl", [WEIHAI], WEIHAI),
    "national2024": ("eval/national2024/questions.jsonl", ["national-2024-government-work-report.txt"], ""),
    "shandong2026": ("eval/shandong2026/questions.jsonl", ["shandong-2026-government-work-report.txt"], ""),
    "shandong2026_fresh6": ("eval/shandong2026/fresh6.jsonl", ["shandong-2026-government-work-report.txt"], ""),
    "cross": ("eval/cross/questions.jsonl", None, ""),
    "cross2": ("eval/cross2/questions.jsonl", None, ""),
}


def round_block(block: dict) -> dict:
    return {k: (round(block[k], 4) if isinstance(block.get(k), float) else block.get(k)) for k in HEADLINE + ("n",)}


def main() -> None:
    pipe = Pipeline.load()
    out = {"config": DEFAULT_CONFIG, "commit": _git_commit(), "sets": {}}
    for name, (path, sources, default) in SETS.items():
        qs = load_questions(ROOT / path, default_source=default)
        assert not qs.errors, (path, qs.errors)
        (_, agg), = evaluate_configs(pipe, qs.questions, [DEFAULT_CONFIG], progress=False, default_source=default,
                                     sources=sources).values()
        out["sets"][name] = {"questions": path, "sources": sources or "all", "metrics": round_block(agg),
                             "by_form": {f: round_block(b) for f, b in agg["by_form"].items()}}
        print(name, json.dumps(out["sets"][name]["metrics"], ensure_ascii=False))
    (ROOT / "eval" / "baseline.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
