"""Write eval/baseline.json from a fresh run of the public set (commit it with the change that
moved the metrics). Usage: .venv/bin/python scripts/update_baseline.py"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import Pipeline  # noqa: E402
from rag.eval_runner import DEFAULT_CONFIG, _git_commit, evaluate_configs  # noqa: E402
from rag.evaluate import HEADLINE, load_questions  # noqa: E402


def main() -> None:
    pipe = Pipeline.load()
    lines = {p.line: p.text for p in pipe.paragraphs}
    qs = load_questions(ROOT / "eval" / "questions.jsonl", max_line=max(lines), lines=lines)
    (_, agg), = evaluate_configs(pipe, qs.questions, [DEFAULT_CONFIG], progress=False).values()
    out = {
        "questions": "eval/questions.jsonl",
        "config": DEFAULT_CONFIG,
        "commit": _git_commit(),
        "metrics": {k: round(agg[k], 4) for k in HEADLINE},
        "by_lang": {lang: {k: (round(v[k], 4) if v[k] is not None else None) for k in HEADLINE}
                    for lang, v in agg["by_lang"].items()},
    }
    (ROOT / "eval" / "baseline.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(out["metrics"], indent=2))


if __name__ == "__main__":
    main()
