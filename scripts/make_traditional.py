"""Write a traditional-character copy of a question set: its Chinese questions converted with OpenCC
(s2t), everything else unchanged, so that `rag eval` measures traditional input against the same
expectations.

    .venv/bin/python scripts/make_traditional.py                       # eval/questions.jsonl -> eval/traditional/ (zh only)
    .venv/bin/python scripts/make_traditional.py SRC OUT --keep-english  # e.g. a held-out set, converted without reading it
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("src", nargs="?", default=str(ROOT / "eval" / "questions.jsonl"))
    ap.add_argument("out", nargs="?", default=str(ROOT / "eval" / "traditional" / "questions.jsonl"))
    ap.add_argument("--keep-english", action="store_true", help="keep the English questions (unchanged)")
    args = ap.parse_args()
    conv = opencc.OpenCC("s2t.json")
    out = []
    for raw in Path(args.src).read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        q = json.loads(raw)
        if q["lang"] == "zh":
            q["id"] = f"t-{q['id']}"
            q["question"] = conv.convert(q["question"])
        elif not args.keep_english:
            continue
        out.append(json.dumps(q, ensure_ascii=False))
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(out)} questions -> {path}")


if __name__ == "__main__":
    main()
