#!/usr/bin/env bash
# Run the provincial development sets, each report alone in its own folder with no metadata file
# (detected), indexed from scratch, as a new deployment would. Prints the aggregate per set.
#
#   scripts/run_dev_provinces.sh [OUT_DIR] [PROVINCE ...]     # default /tmp/dev-provinces, all fifteen
#
# Sets: eval/<province>2026/questions.jsonl (40 each, written before tuning; see README "Evaluation").
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-/tmp/dev-provinces}"
shift || true
PROVINCES=("$@")
[ ${#PROVINCES[@]} -gt 0 ] || PROVINCES=(henan zhejiang anhui hunan fujian jiangxi guangxi shaanxi chongqing hebei beijing guizhou heilongjiang shanghai liaoning)
CORPUS="../shared/corpus/provinces-2026"
mkdir -p "$OUT"
for p in "${PROVINCES[@]}"; do
  mkdir -p "$OUT/seeds/$p"
  cp "$CORPUS/$p-2026-government-work-report.txt" "$OUT/seeds/$p/"
  .venv/bin/rag --seeds-dir "$OUT/seeds/$p" --index-dir "$OUT/index/$p" eval \
    --questions "eval/${p}2026/questions.jsonl" --json --no-report --out "$OUT/$p" >"$OUT/$p.json" 2>"$OUT/$p.log"
  .venv/bin/python - "$p" "$OUT/$p.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
keys = ["n", "hit@1", "direct_accuracy", "refusal_recall", "false_refusal_rate", "wrong_figure_rate",
        "list_coverage", "summary_coverage", "latency_p50_ms"]
print(name.ljust(10), "  ".join(f"{k}={d[k]:.3f}" if isinstance(d.get(k), float) else f"{k}={d.get(k)}"
                                 for k in keys if d.get(k) is not None))
PY
done
