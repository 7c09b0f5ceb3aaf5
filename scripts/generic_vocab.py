"""Keep only the generic part of a vocabulary file (rag/data/synonyms_zh.tsv, lexicon_en.tsv).

An entry maps a user's word to report terms (``left<TAB>term1|term2``). A report term is
*generic* when it occurs in at least ``--min-reports`` reference reports: the national reports
and the provincial ones, never the home city's report and never the held-out reports (so the
filter cannot learn from what the evaluation measures). Terms that fail are dropped from the
entry; an entry left with no term, or whose left side names a place, is dropped.

    python scripts/generic_vocab.py rag/data/synonyms_zh.tsv --min-reports 3 > /tmp/out.tsv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.places import gazetteer  # noqa: E402
from rag.text import normalize  # noqa: E402

# The reports of the held-out sets the vocabulary was filtered without. (The held-out sets of
# eval/heldout4, Qinghai and Inner Mongolia, were written after the vocabulary: those two reports are
# among the reference reports a term is counted in, which is all the filter reads of them.)
HELD_OUT = ("hubei", "yunnan", "tianjin", "ningxia", "gansu")


def reference_texts(shared: Path) -> list[str]:
    files = [shared / "seeds" / "national-2024-government-work-report.txt",
             shared / "seeds" / "national-2025-government-work-report.txt"]
    files += [f for f in sorted((shared / "corpus" / "provinces-2026").glob("*.txt"))
              if not f.name.startswith(HELD_OUT)]
    return [normalize(f.read_text(encoding="utf-8")) for f in files]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--min-reports", type=int, default=3)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = ap.parse_args()
    texts = reference_texts(Path(args.shared))
    names = {p.short for p in gazetteer().values() if len(p.short) >= 2 and p.short != "全国"}
    english = {e for p in gazetteer().values() if p.level != "national" for e in p.english}
    kept = dropped = 0
    out = []
    for raw in Path(args.path).read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#") or "\t" not in raw:
            continue
        left, right = raw.split("\t", 1)
        words = set(left.lower().replace("-", " ").split())
        if any(n in left for n in names) or words & english:
            dropped += 1
            continue
        terms = [t.strip() for t in right.split("|") if t.strip()]
        good = [t for t in terms if sum(normalize(t) in x for x in texts) >= args.min_reports]
        if good:
            out.append(f"{left}\t{'|'.join(good)}")
            kept += 1
        else:
            dropped += 1
    sys.stdout.write("\n".join(out) + "\n")
    print(f"kept {kept}, dropped {dropped}", file=sys.stderr)


if __name__ == "__main__":
    main()
