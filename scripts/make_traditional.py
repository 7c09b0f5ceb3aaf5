"""Write eval/traditional/questions.jsonl: the Chinese questions of the public Weihai set in
traditional characters (OpenCC s2t), everything else unchanged, so that `rag eval` measures
traditional input against the same expectations. Usage: .venv/bin/python scripts/make_traditional.py"""

from __future__ import annotations

import json
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    conv = opencc.OpenCC("s2t.json")
    out = []
    for raw in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(raw)
        if q["lang"] != "zh":
            continue
        q["id"] = f"t-{q['id']}"
        q["question"] = conv.convert(q["question"])
        out.append(json.dumps(q, ensure_ascii=False))
    path = ROOT / "eval" / "traditional" / "questions.jsonl"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(out)} questions -> {path}")


if __name__ == "__main__":
    main()
