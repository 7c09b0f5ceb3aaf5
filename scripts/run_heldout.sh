#!/usr/bin/env bash
# Run the held-out question sets once, as their users would ask them, and print the aggregate
# metrics only (never the failures: these sets are not for tuning). ≈ 5 minutes on 2 cores.
#
#   scripts/run_heldout.sh [OUT_DIR]      # default /tmp/heldout-runs
#
# - eval/holdout2: Weihai 2025 alone; also its Chinese questions converted to traditional characters.
# - eval/heldout/{hubei,yunnan,tianjin}: each provincial report alone in its own folder, with no
#   metadata file (detected), indexed from scratch.
# - eval/heldout/cross: the shipped corpus (seeds/); eval/heldout/forms: Weihai alone.
# - eval/heldout3 (written later, run once): ningxia and gansu each alone with no metadata file,
#   weihai (Weihai alone), cross (the shipped corpus).
# - eval/heldout4 (written 2026-12-06 by writers who read only the report): qinghai and
#   inner-mongolia, each alone with no metadata file.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-/tmp/heldout-runs}"
mkdir -p "$OUT"
RAG=".venv/bin/rag"
CORPUS="../shared/corpus/provinces-2026"
WEIHAI="weihai-2025-government-work-report"

summary() {  # name, metrics.json
  .venv/bin/python - "$1" "$2" <<'EOF'
import json, sys
name, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
keys = ["n", "hit@1", "direct_accuracy", "refusal_recall", "false_refusal_rate", "wrong_figure_rate",
        "list_coverage", "summary_coverage", "both_sides_cited", "scope_refusal_recall", "latency_p50_ms"]
m = dict(d)
m["scope_refusal_recall"] = (d.get("by_form") or {}).get("scope", {}).get("refusal_recall")
cells = []
for k in keys:
    v = m.get(k)
    if v is None:
        continue
    cells.append(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}")
print(name.ljust(22), "  ".join(cells))
if name.endswith("forms") or name == "heldout3-weihai":
    for form, b in sorted((d.get("by_form") or {}).items()):
        parts = [f"{k}={b[k]:.3f}" if isinstance(b.get(k), float) else f"{k}={b.get(k)}"
                 for k in ("n", "direct_accuracy", "refusal_recall", "false_refusal_rate", "wrong_figure_rate",
                           "list_coverage") if b.get(k) is not None]
        print("    by form", form.ljust(11), "  ".join(parts))
EOF
}

run() {  # name, question file, rag options...
  local name="$1" questions="$2"
  shift 2
  "$RAG" "$@" eval --questions "$questions" --json --no-report --out "$OUT/$name" >"$OUT/$name.json" 2>"$OUT/$name.log"
  summary "$name" "$OUT/$name.json"
}

mkdir -p "$OUT/seeds/weihai"
cp seeds/$WEIHAI.* "$OUT/seeds/weihai/"
run holdout2 eval/holdout2/questions.jsonl --seeds-dir "$OUT/seeds/weihai" --index-dir "$OUT/index/weihai"
.venv/bin/python scripts/make_traditional.py eval/holdout2/questions.jsonl "$OUT/holdout2-traditional.jsonl" \
  --keep-english >/dev/null
run holdout2-traditional "$OUT/holdout2-traditional.jsonl" --seeds-dir "$OUT/seeds/weihai" --index-dir "$OUT/index/weihai"
run heldout-forms eval/heldout/forms/questions.jsonl --seeds-dir "$OUT/seeds/weihai" --index-dir "$OUT/index/weihai"
province() {  # name, province, question file
  mkdir -p "$OUT/seeds/$2"
  cp "$CORPUS/$2-2026-government-work-report.txt" "$OUT/seeds/$2/"
  run "$1" "$3" --seeds-dir "$OUT/seeds/$2" --index-dir "$OUT/index/$2"
}
for p in hubei yunnan tianjin; do
  province "heldout-$p" "$p" "eval/heldout/$p/questions.jsonl"
done
run heldout-cross eval/heldout/cross/questions.jsonl --seeds-dir seeds --index-dir "$OUT/index/corpus"
run heldout3-weihai eval/heldout3/weihai/questions.jsonl --seeds-dir "$OUT/seeds/weihai" --index-dir "$OUT/index/weihai"
for p in ningxia gansu; do
  province "heldout3-$p" "$p" "eval/heldout3/$p/questions.jsonl"
done
run heldout3-cross eval/heldout3/cross/questions.jsonl --seeds-dir seeds --index-dir "$OUT/index/corpus"
for p in qinghai inner-mongolia; do
  province "heldout4-$p" "$p" "eval/heldout4/$p/questions.jsonl"
done
