"""Run every development question set in one process and compare with an earlier run: the loop
for working on quality. Held-out sets are never run here (scripts/run_heldout.sh reports them).

    .venv/bin/python scripts/dev_runs.py OUT_DIR [--diff PREV_DIR] [--only NAME ...]

Each set is answered as its users would ask it (see scripts/update_baseline.py): the Weihai sets
from Weihai's report alone, national 2024 and Shandong from theirs, the cross sets from the whole
shipped corpus, each provincial set from its report indexed alone (under OUT_DIR/../dev-index), and
a province's further sets (eval/<province>2026/<name>.jsonl, as <province>_<name>) from the same index.
Writes OUT_DIR/<set>.jsonl (one scored row per question) and prints a table; with --diff, the
questions whose pass/fail changed since PREV_DIR.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from update_baseline import SETS  # noqa: E402

from rag import Pipeline  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.eval_runner import DEFAULT_CONFIG, evaluate_configs  # noqa: E402
from rag.evaluate import load_questions  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "provinces-2026"
KEYS = ("n", "hit@1", "direct_accuracy", "refusal_recall", "false_refusal_rate", "wrong_figure_rate",
        "list_coverage", "both_sides_cited")


def provinces() -> list[str]:
    return sorted(p.name[:-4] for p in (ROOT / "eval").glob("*2026") if p.name != "shandong2026"
                  and (CORPUS / f"{p.name[:-4]}-2026-government-work-report.txt").exists())


def run_set(pipe, name: str, path: str, sources, default: str) -> tuple[list[dict], dict]:
    qs = load_questions(ROOT / path, default_source=default)
    assert not qs.errors, (path, qs.errors)
    (rows, agg), = evaluate_configs(pipe, qs.questions, [DEFAULT_CONFIG], progress=False, default_source=default,
                                    sources=sources).values()
    return rows, agg


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--diff", type=Path)
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    results = {}
    base = Pipeline.load()
    jobs = [(n, base, *spec) for n, spec in SETS.items()]
    for p in provinces():
        jobs.append((p, None, f"eval/{p}2026/questions.jsonl", None, ""))
        for extra in sorted((ROOT / "eval" / f"{p}2026").glob("*.jsonl")):  # further sets, by other writers
            if extra.stem != "questions":
                jobs.append((f"{p}_{extra.stem}", None, f"eval/{p}2026/{extra.name}", None, ""))
    loaded: dict[str, Pipeline] = {}
    for name, pipe, path, sources, default in jobs:
        if a.only and name not in a.only and name.split("_")[0] not in a.only:
            continue
        if pipe is None:
            prov = name.split("_")[0]
            if prov not in loaded:
                seeds = a.out.parent / "dev-index" / "seeds" / prov
                seeds.mkdir(parents=True, exist_ok=True)
                shutil.copy(CORPUS / f"{prov}-2026-government-work-report.txt", seeds)
                loaded[prov] = Pipeline.load(Settings.from_env().with_(
                    seeds_dir=seeds, index_dir=a.out.parent / "dev-index" / "index" / prov))
            pipe = loaded[prov]
        rows, agg = run_set(pipe, name, path, sources, default)
        with open(a.out / f"{name}.jsonl", "w") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        results[name] = agg
        print(name.ljust(14), "  ".join(f"{k}={agg[k]:.3f}" if isinstance(agg.get(k), float) else f"{k}={agg.get(k)}"
                                        for k in KEYS if agg.get(k) is not None), flush=True)
    (a.out / "summary.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    if a.diff:
        for name in results:
            prev = a.diff / f"{name}.jsonl"
            if not prev.exists():
                continue
            old = {r["id"]: r for r in map(json.loads, prev.read_text().splitlines())}
            for r in map(json.loads, (a.out / f"{name}.jsonl").read_text().splitlines()):
                o = old.get(r["id"])
                if o and o["pass"] != r["pass"]:
                    sign = "+" if r["pass"] else "-"
                    print(f"{sign} {name} {r['id']} {r['question']}\n    was: {o['got'][:90]!r}\n    now: {r['got'][:90]!r}")


if __name__ == "__main__":
    main()
