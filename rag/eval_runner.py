"""``rag eval``: run a question set through one or more pipeline configurations, write
``rows.jsonl`` (per question), ``metrics.json`` (aggregates) and ``report.html`` (charts, the
ablation table, every failure, the run's configuration).

The metrics themselves are pure functions in ``rag.evaluate``; this module only drives the
pipeline and writes files.
"""

from __future__ import annotations

import hashlib
import html
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .config import PROJECT_ROOT, Settings
from .evaluate import HEADLINE, aggregate, hit_at_k, load_questions, run

#: Named configurations for ablations: Settings overrides.
CONFIGS: dict[str, dict[str, Any]] = {
    "lexical": {"use_dense": False, "use_english_path": False},
    "dense": {"use_lexical": False, "use_english_path": False},
    "hybrid": {"use_english_path": False},
    "hybrid+en": {},
    # what each part of the vocabulary buys
    "no-synonyms": {"use_synonyms": False},
    "no-lexicon-en": {"use_lexicon_en": False},
    "no-cedict": {"use_cedict": False},
    "no-vocabulary": {"use_synonyms": False, "use_lexicon_en": False, "use_cedict": False},
}
DEFAULT_CONFIG = "hybrid+en"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "") if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _scored(a) -> tuple[dict, list[int] | None]:
    """What the metrics read from an Answer: its public JSON (plus how a generative step went and
    how a follow-up was understood) and the ranked lines behind its citations."""
    out = a.to_json()
    if "llm" in a.meta:
        out["_llm"] = a.meta["llm"]  # used, fallback: …
    out["resolved_question"] = a.resolved_question
    return out, a.meta.get("ranking")


def _asker(pipe, sources=None):
    return lambda question: _scored(pipe.ask(question, sources=sources))


def evaluate_configs(base, questions: list[dict], names: list[str], progress: bool = True,
                     default_source: str = "", sources: list[str] | None = None):
    """{name: (rows, aggregate)} with the model loaded once (``base`` is a loaded Pipeline);
    ``sources`` answers from those documents only (a report as if it were alone)."""
    from .pipeline import Pipeline

    results = {}
    for name in names:
        # no answer cache: every question is answered and timed for real
        settings = base.settings.with_(cache_size=0, **CONFIGS[name])
        pipe = Pipeline(settings, base.documents, base.index, base.embedder, base.xembedder)
        bar = None
        if progress:
            from tqdm import tqdm

            def bar(it, name=name):
                return tqdm(it, desc=f"eval {name}", unit="q", file=sys.stderr, leave=False)
        results[name] = run(questions, _asker(pipe, sources), progress=bar, default_source=default_source)
    return results


# -- report ------------------------------------------------------------------------------------
def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return html.escape(str(v))


def _charts(out: Path, rows: list[dict], agg: dict) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    # metrics by type and language
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for ax, key, title in ((axes[0], "by_type", "by question type"), (axes[1], "by_lang", "by language")):
        groups = list(agg[key])
        metrics = ["hit@1", "direct_accuracy", "summary_coverage", "refusal_recall"]
        width = 0.8 / len(metrics)
        for i, m in enumerate(metrics):
            vals = [agg[key][g].get(m) or 0.0 for g in groups]
            ax.bar([x + i * width for x in range(len(groups))], vals, width, label=m)
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(groups))], groups)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"Metrics {title}")
        ax.grid(axis="y", alpha=0.3)
    axes[1].legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "metrics.png", dpi=110)
    plt.close(fig)
    names.append("metrics.png")
    # latency histogram
    lat = [r["latency_ms"] for r in rows if r.get("latency_ms") is not None]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(lat, bins=30, color="#4477aa")
    ax.axvline(agg["latency_p50_ms"] or 0, color="k", ls="--", label=f"p50 {agg['latency_p50_ms'] or 0:.1f} ms")
    ax.axvline(agg["latency_p95_ms"] or 0, color="r", ls=":", label=f"p95 {agg['latency_p95_ms'] or 0:.1f} ms")
    ax.set_xlabel("end-to-end latency per question (ms)")
    ax.set_ylabel("questions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)
    names.append("latency.png")
    # hit@k curve
    curve = hit_at_k(rows)
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(range(1, len(curve) + 1), curve, marker="o")
    ax.set_xlabel("k")
    ax.set_ylabel("hit@k")
    ax.set_ylim(min(curve + [1.0]) - 0.05, 1.005)
    ax.set_xticks(range(1, len(curve) + 1))
    ax.grid(alpha=0.3)
    ax.set_title("Correct paragraph within the top k")
    fig.tight_layout()
    fig.savefig(out / "hitk.png", dpi=110)
    plt.close(fig)
    names.append("hitk.png")
    return names


def _line_texts(pipe) -> dict[tuple[str, int], str]:
    """(document, line) -> the line's raw text, every line of every document (furniture included,
    so that a question set naming a line the parser dropped is still checked, not rejected)."""
    out: dict[tuple[str, int], str] = {}
    for d in pipe.documents:
        path = pipe.settings.seeds_dir / d.source
        for n, line in enumerate(path.read_text(encoding="utf-8-sig").split("\n"), start=1):
            out[(d.source, n)] = line
    return out


def evaluate_conversations(base, path: Path, default_source: str = ""):
    """Dialogues where later turns lean on earlier ones (``eval/conversations.jsonl``)."""
    from .evaluate import run_conversations
    from .pipeline import Pipeline

    pipe = Pipeline(base.settings.with_(cache_size=0), base.documents, base.index, base.embedder, base.xembedder)
    dialogues = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]

    return run_conversations(dialogues, lambda question, history: _scored(pipe.ask(question, history=history)),
                             default_source)


def write_report(out: Path, results: dict, primary: str, run_info: dict, errors: list,
                 conversations: dict | None = None) -> Path:
    rows, agg = results[primary]
    charts = _charts(out, rows, agg)
    cols = list(HEADLINE) + ["latency_p50_ms", "latency_p95_ms"]
    h: list[str] = []
    h.append("<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>Evaluation report</title>")
    h.append("<style>body{font-family:'Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif;margin:2em;max-width:1200px}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;"
             "vertical-align:top}th{background:#f3f3f3}.num{text-align:right}.bad{color:#a00}"
             "img{max-width:100%;border:1px solid #eee;margin:.5em 0}.wrap{overflow-x:auto}code{font-size:12px}</style></head><body>")
    h.append(f"<h1>Evaluation: {html.escape(run_info['questions'])}</h1>")
    h.append(f"<p>{len(rows)} questions · configuration <b>{html.escape(primary)}</b> · "
             f"{html.escape(run_info['finished'])}</p>")
    if errors:
        h.append(f"<p class='bad'>{len(errors)} malformed line(s) skipped: "
                 + ", ".join(f"line {n}: {html.escape(m)}" for n, m in errors[:20]) + "</p>")
    h.append("<h2>Headline metrics</h2><div class='wrap'><table><tr>" + "".join(f"<th>{c}</th>" for c in ["slice"] + cols) + "</tr>")
    slices = [("all", agg)] + [(f"lang={k}", v) for k, v in agg["by_lang"].items()] + \
             [(f"type={k}", v) for k, v in agg["by_type"].items()] + \
             [(f"form={k}", v) for k, v in agg["by_form"].items()] + \
             [(f"document={k}", v) for k, v in agg.get("by_source", {}).items()]
    for name, block in slices:
        h.append(f"<tr><td>{name} (n={block['n']})</td>" + "".join(f"<td class='num'>{_fmt(block.get(c))}</td>"
                                                                    for c in cols) + "</tr>")
    h.append("</table></div>")
    if len(results) > 1:
        h.append("<h2>Ablations</h2><p>The same questions through each configuration "
                 "(model loaded once).</p><div class='wrap'><table><tr><th>configuration</th>"
                 + "".join(f"<th>{c}</th>" for c in cols + ["hit@1 zh", "hit@1 en"]) + "</tr>")
        for name, (_, a) in results.items():
            extra = [a["by_lang"].get("zh", {}).get("hit@1"), a["by_lang"].get("en", {}).get("hit@1")]
            h.append(f"<tr><td><b>{html.escape(name)}</b></td>" + "".join(
                f"<td class='num'>{_fmt(v)}</td>" for v in [a.get(c) for c in cols] + extra) + "</tr>")
        h.append("</table></div>")
    if conversations:
        h.append("<h2>Conversations</h2><p>Follow-up turns answered with the conversation so far, beside the "
                 "dialogues' first (standalone) turns.</p><table><tr><th>turns</th>"
                 + "".join(f"<th>{c}</th>" for c in ("pass_rate", "hit@1", "direct_accuracy", "refusal_recall",
                                                     "false_refusal_rate")) + "</tr>")
        for k in ("first_turns", "later_turns"):
            b = conversations[k]
            h.append(f"<tr><td>{k} (n={b['n']})</td>" + "".join(
                f"<td class='num'>{_fmt(b.get(c))}</td>" for c in ("pass_rate", "hit@1", "direct_accuracy",
                                                                    "refusal_recall", "false_refusal_rate")) + "</tr>")
        h.append("</table>")
    h.append("<h2>Charts</h2>" + "".join(f"<img src='{c}' alt='{c}'>" for c in charts))
    failures = [r for r in rows if not r["pass"]]
    h.append(f"<h2>Failures ({len(failures)})</h2><table><tr><th>id</th><th>lang/type</th><th>question</th>"
             "<th>expected</th><th>gold (document:line)</th><th>got</th><th>cited</th></tr>")

    def where(pairs) -> str:
        return html.escape(", ".join(f"{s}:{n}" for s, n in pairs))

    for r in failures:
        got = "(refused)" if r["refused"] else r["got"]
        h.append(f"<tr><td>{_fmt(r['id'])}</td><td>{r['lang']}/{r['type']}/{r['form']}</td>"
                 f"<td>{html.escape(r['question'])}</td><td>{html.escape(' | '.join(r['expected']))}</td>"
                 f"<td>{where(r['gold'])}</td><td>{html.escape(got)}</td><td>{where(r['cited'])}</td></tr>")
    h.append("</table><h2>Run configuration</h2><table>")
    for k, v in run_info.items():
        h.append(f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(json.dumps(v, ensure_ascii=False))}</code></td></tr>")
    h.append("</table></body></html>")
    path = out / "report.html"
    path.write_text("\n".join(h), encoding="utf-8")
    return path


def main(args, settings: Settings) -> int:
    from .pipeline import Pipeline

    qpath = Path(args.questions) if args.questions else PROJECT_ROOT / "eval" / "questions.jsonl"
    if not qpath.exists():
        print(f"Error: question set {qpath} does not exist", file=sys.stderr)
        return 2
    names = args.config or [DEFAULT_CONFIG]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        print(f"Error: unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}",
              file=sys.stderr)
        return 2
    base = Pipeline.load(settings)
    # gold given as bare line numbers belongs to the set's one document: --source, else the home document
    default_source = getattr(args, "source", None) or (base.corpus.home[0] if base.corpus.home else
                                                       base.documents[0].source)
    lines = _line_texts(base)
    qs = load_questions(qpath, lines=lines, default_source=default_source)
    for n, msg in qs.errors:
        print(f"{qpath}:{n}: {msg}", file=sys.stderr)
    started = time.perf_counter()
    results = evaluate_configs(base, qs.questions, names, progress=sys.stderr.isatty(),
                               default_source=default_source, sources=getattr(args, "only", None))
    conv = None
    cpath = Path(args.conversations) if getattr(args, "conversations", None) else (
        PROJECT_ROOT / "eval" / "conversations.jsonl" if not args.questions else None)
    if cpath is not None and cpath.exists():
        conv = evaluate_conversations(base, cpath, default_source)
    out = Path(args.out) if args.out else PROJECT_ROOT / "eval" / "runs" / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    primary = names[0]
    manifest_bytes = (settings.index_dir / "manifest.json").read_bytes()
    run_info = {
        "questions": str(qpath),
        "questions_sha256": hashlib.sha256(qpath.read_bytes()).hexdigest(),
        "configs": names,
        "model": base.manifest["model"],
        "xling_model": base.manifest.get("xling_model"),
        "index_manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
        "index_built_at": base.manifest["built_at"],
        "git_commit": _git_commit(),
        "llm": settings.llm or None,
        "seconds": round(time.perf_counter() - started, 1),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        "malformed_lines": [n for n, _ in qs.errors],
    }
    with open(out / "rows.jsonl", "w", encoding="utf-8") as f:
        for name, (rows, _) in results.items():
            for r in rows:
                f.write(json.dumps({"config": name, **r}, ensure_ascii=False) + "\n")
    metrics = {"primary": primary, "metrics": results[primary][1],
               "configs": {name: agg for name, (_, agg) in results.items()}, "run": run_info}
    if conv is not None:
        metrics["conversations"] = conv[1]
        with open(out / "conversation_rows.jsonl", "w", encoding="utf-8") as f:
            for row in conv[0]:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    report = None if args.no_report else write_report(out, results, primary, run_info, qs.errors,
                                                      conv[1] if conv else None)
    agg = results[primary][1]
    if args.json:
        payload = dict(agg)
        if len(results) > 1:
            payload["configs"] = metrics["configs"]
        if conv is not None:
            payload["conversations"] = {k: conv[1][k]["pass_rate"] for k in ("first_turns", "later_turns")}
        payload["malformed_lines"] = run_info["malformed_lines"]
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(f"{len(qs.questions)} questions, configuration {primary}:")
        for k in HEADLINE + ("latency_p50_ms", "latency_p95_ms"):
            print(f"  {k:22s} {_fmt(agg.get(k))}")
        if len(results) > 1:
            print("ablations (hit@1 / direct_accuracy / refusal_recall / false_refusal_rate):")
            for name, (_, a) in results.items():
                print(f"  {name:10s} " + " / ".join(_fmt(a.get(k)) for k in
                                                   ("hit@1", "direct_accuracy", "refusal_recall", "false_refusal_rate")))
        if conv is not None:
            c = conv[1]
            print(f"conversations: pass rate first turns {_fmt(c['first_turns']['pass_rate'])}, "
                  f"follow-up turns {_fmt(c['later_turns']['pass_rate'])}")
        print(f"rows, metrics{' and report' if report else ''} in {out}")
    return 1 if qs.errors else 0


# re-exported for tests
__all__ = ["CONFIGS", "evaluate_configs", "write_report", "main", "aggregate"]
