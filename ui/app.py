"""The web app: a chat for citizens, a lookup view for hotline operators, and the HTTP API.

``build_app(pipeline, feedback_store)`` builds the Gradio Blocks (two tabs) without launching
anything; ``create_app(...)`` puts them on a FastAPI app next to the JSON routes of
``ui.api``; ``serve(...)`` (what ``rag serve`` calls) runs that app with uvicorn on
127.0.0.1 unless told otherwise.

Concurrency (see ``PIPELINE_CONCURRENCY`` and ``QUEUE_MAX_SIZE``): every event that calls the
pipeline (chat, lookup, the ``/ask`` Gradio endpoint) shares one concurrency group limited to
``PIPELINE_CONCURRENCY`` workers. An answer is ~15-30 ms of CPU on a 2-core machine, so more
parallel workers only contend for the cores while holding more memory; a handful keeps the
cores busy while streamed updates are being sent. The queue is bounded (``QUEUE_MAX_SIZE``):
past that a visitor is told the server is busy at once instead of waiting behind an ever longer
line. Feedback clicks are a separate group (an SQLite insert) so a rating never waits behind
answers. The JSON API does not use the Gradio queue; it has its own limiter (``ui.api``).

Security: user text is escaped before it goes into any Markdown or HTML (``ui.render``), the
Chatbot keeps ``sanitize_html=True`` and preserves no custom tags, LaTeX rendering is off, and
no ``allowed_paths`` are served.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag.cite import best_sentence  # noqa: E402
from rag.feedback import MAX_COMMENT_CHARS, FeedbackStore  # noqa: E402
from rag.text import clean_input  # noqa: E402

from . import render  # noqa: E402

log = logging.getLogger(__name__)

TITLE = "政府工作报告 · 问答与查询"
SUBTITLE = "依据报告原文作答，并注明出处（哪份报告、第几行）。Answers quote the reports and cite report and line."
SORRY = "抱歉，系统出错了，请稍后再试。Sorry, something went wrong; please try again."
ALL_DOCS = "全部报告 All reports"


def examples_for(pipeline) -> list[str]:
    """Example questions built from the documents held (no report's own wording): the home place's
    targets, another place's last year, a comparison, a list question and English."""
    corpus = pipeline.corpus
    short = {d.place: d.short_place for d in pipeline.documents}
    home = corpus.home_place
    others = [p for p in corpus.by_place if p and p != home]
    out = [f"{short.get(home, '')}今年经济增长目标是多少？", "今年有哪些稳就业的措施？"]
    if others:
        out.append(f"{short[others[0]]}去年GDP增长了多少？")
    if home and others:
        out.append(f"{short[home]}和{short[others[-1]]}今年GDP增长目标分别是多少？")
    out.append("What is this year's GDP growth target?")
    return out


#: Workers answering at once, shared by every pipeline-bound event (see the module docstring).
PIPELINE_CONCURRENCY = 4
#: Requests that may wait in the Gradio queue; more are refused with "queue full" at once.
QUEUE_MAX_SIZE = 256
FEEDBACK_CONCURRENCY = 8
LOOKUP_K = 5

# No web fonts: the default theme would fetch Google Fonts; these are local (fonts-noto-cjk,
# fonts-wqy-zenhei) with the system's sans-serif as the fallback.
FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei",
         "system-ui", "sans-serif"]
MONO_FONTS = ["Noto Sans Mono CJK SC", "DejaVu Sans Mono", "monospace"]

CSS = """
.gradio-container { max-width: 1180px !important; margin: 0 auto !important; }
#app-title h2 { margin: 0.2em 0 0; }
#app-title p { margin: 0.2em 0 0.4em; color: var(--body-text-color-subdued); }
#chat mark, .lk-text mark, .rp-text mark { padding: 0 2px; border-radius: 3px; }
.lk-results, .rp-section { font-size: 15px; line-height: 1.7; }
.lk-summary { color: var(--body-text-color-subdued); margin-bottom: 4px; }
.lk-list { list-style: none; padding: 0; margin: 0; }
.lk-item { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 12px;
           margin: 8px 0; }
.lk-head { font-size: 13px; color: var(--body-text-color-subdued); margin-bottom: 2px; }
.lk-rank { font-weight: 600; color: var(--body-text-color); }
.lk-line { font-weight: 600; color: var(--color-accent); }
.lk-doc { font-weight: 600; }
.fg-results { font-size: 14px; }
.fg-title { font-weight: 600; margin: 10px 0 4px; }
.fg-table { border-collapse: collapse; width: 100%; }
.fg-table td, .fg-table th { border: 1px solid var(--border-color-primary); padding: 3px 6px; }
.fg-value { font-weight: 700; white-space: nowrap; }
.lk-text mark { background: #ffe066; color: #111; }
.lk-text mark.fig { background: transparent; color: inherit; font-weight: 700; padding: 0; }
.lk-empty { color: var(--body-text-color-subdued); padding: 8px 0; }
.rp-para { padding: 4px 6px; border-radius: 6px; margin: 2px 0; }
.rp-selected { background: #fff3bf; }
.rp-line { font-size: 12px; color: var(--color-accent); font-weight: 600; margin-right: 4px; }
.rp-title { font-weight: 600; }
.rp-section { max-height: 460px; overflow-y: auto; }
footer { display: none !important; }
"""

# Focus the search box when the operator opens the lookup tab (keyboard first).
FOCUS_LOOKUP_JS = ("() => { setTimeout(() => document.querySelector('#lookup-q textarea, #lookup-q input')"
                   "?.focus(), 50); }")


SCROLL_TO_SELECTED_JS = ("() => { setTimeout(() => document.querySelector('#report-text .rp-selected')"
                         "?.scrollIntoView({block: 'nearest'}), 50); }")


def theme() -> gr.themes.Base:
    return gr.themes.Default(font=FONTS, font_mono=MONO_FONTS, primary_hue="blue")


def launch_kwargs() -> dict[str, Any]:
    """Options Gradio 6 takes at launch/mount time rather than in ``gr.Blocks``."""
    return {"theme": theme(), "css": CSS, "footer_links": [], "ssr_mode": False}


# -- handlers ---------------------------------------------------------------------------------
_warned_no_history = False


def _ask(pipeline, question: str, history: list[dict] | None):
    """``pipeline.ask`` with the chat history; falls back to no history, then to None (logged)."""
    global _warned_no_history
    try:
        return pipeline.ask(question, history=history or None)
    except ImportError as exc:  # the pipeline's follow-up resolver is not installed (yet)
        if not _warned_no_history:
            log.warning("follow-up questions are answered without chat history: %s", exc)
            _warned_no_history = True
    except Exception:
        log.exception("ask failed (history of %d messages)", len(history or []))
    if history:
        try:
            return pipeline.ask(question)
        except Exception:
            log.exception("ask failed without history too")
    return None


def build_app(pipeline, feedback_store: FeedbackStore | None) -> gr.Blocks:
    """The Gradio Blocks: "问答 Chat" for citizens and "热线查询 Lookup" for hotline operators."""
    cap = pipeline.settings.max_question_chars
    titles = {d.source: d.title for d in pipeline.documents}
    doc_choices = [(d.title, d.source) for d in pipeline.documents]
    outlines = {d.source: render.outline(d.paragraphs) for d in pipeline.documents}
    first_doc = (pipeline.corpus.home or (pipeline.documents[0].source,))[0]

    def _parts(source: str | None) -> list:
        return outlines.get(source or first_doc, [])

    def _first_part(source: str | None) -> str | None:
        parts = _parts(source)
        # the browser opens on the first part with more than one paragraph
        return next((name for name, paras in parts if len(paras) > 1), parts[0][0] if parts else None)

    # -- chat ---------------------------------------------------------------------------
    def respond(message: str | None, display: list | None, history: list | None, msg_turns: list | None,
                turns: list | None):
        """Stream one answer in coarse steps: the question, the direct answer, the citations."""
        message = message or ""
        display, history = list(display or []), list(history or [])
        msg_turns, turns = list(msg_turns or []), list(turns or [])
        if not clean_input(message):
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        display.append(render.user_message(message))
        msg_turns.append(None)
        pending = {"role": "assistant", "content": "…",
                   "metadata": {"title": "正在查找 Searching the report", "status": "pending"}}
        yield "", display + [pending], history, msg_turns, turns

        answer = None
        if getattr(pipeline, "llm", None) is not None:
            # a generative model: show each checked sentence as it arrives, then the final answer
            # (the same rendering as an extractive one: direct answer, then cited passages)
            try:
                for event in pipeline.stream(message, history or None):
                    if event["event"] == "delta":
                        draft = {"role": "assistant", "content": render.escape_md(event["text"])}
                        yield "", display + [draft], history, msg_turns, turns
                    else:
                        answer = event["answer"]
            except Exception:
                log.exception("streaming failed")
                answer = None
        if answer is None:
            answer = _ask(pipeline, message, history)
        if answer is None:
            display.append({"role": "assistant", "content": SORRY})
            msg_turns.append(None)
            yield "", display, history, msg_turns, turns
            return
        turn = len(turns)
        turns.append({"question": message, "answer": answer.to_json()})
        main, cites = render.answer_messages(answer)
        display.append(main)
        msg_turns.append(turn)
        if cites:  # the direct answer first, the quoted passages in a second update
            yield "", display, history, msg_turns, turns
            display.extend(cites)
            msg_turns.extend([turn] * len(cites))
        if not answer.error:
            history += [{"role": "user", "content": message},
                        {"role": "assistant", "content": answer.direct_answer or answer.answer}]
        yield "", display, history, msg_turns, turns

    def on_like(data: gr.LikeData, comment: str, msg_turns: list, turns: list, rated: dict,
                request: gr.Request):
        """One row per rated answer: a first click adds it, switching thumbs updates it, un-clicking
        deletes it (``rated`` maps an answer's index in ``turns`` to its row id)."""
        index = data.index if isinstance(data.index, int) else data.index[0]
        turn = msg_turns[index] if msg_turns and 0 <= index < len(msg_turns) else None
        if turn is None or turn >= len(turns) or feedback_store is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        rated = dict(rated or {})
        row = rated.get(turn)
        comment = (comment or "").strip()[:MAX_COMMENT_CHARS]
        try:
            if data.liked is not True and data.liked is not False:  # the thumb was clicked off again
                if row is not None:
                    feedback_store.delete(row)
                    rated.pop(turn)
                return "已取消评价。Rating withdrawn.", gr.skip(), None, rated
            rating = 1 if data.liked else -1
            if row is not None and feedback_store.set_rating(row, rating):
                if comment:
                    feedback_store.set_comment(row, comment)
            else:
                t = turns[turn]
                row = feedback_store.add(t["question"], t["answer"], rating, comment=comment,
                                         session=getattr(request, "session_hash", "") or "")
                rated[turn] = row
        except Exception:
            log.exception("saving feedback failed")
            return "反馈保存失败，请稍后再试。Could not save the feedback.", gr.skip(), None, gr.skip()
        thanks = "已记录：有帮助。" if rating > 0 else "已记录：没有帮助，我们会改进。"
        extra = "" if comment else " 可以在上面补充意见。You can add a comment above."
        return f"{thanks} Thanks for the feedback (#{row}).{extra}", "", row, rated

    def on_comment(comment: str, last_id: int | None):
        comment = (comment or "").strip()
        if not comment:
            return "请先输入意见。Type a comment first.", gr.skip()
        if feedback_store is None or last_id is None:
            return "请先点回答下方的赞或踩。Rate an answer (thumbs up or down) first.", gr.skip()
        try:
            feedback_store.set_comment(int(last_id), comment[:MAX_COMMENT_CHARS])
        except Exception:
            log.exception("saving the comment failed")
            return "意见保存失败。Could not save the comment.", gr.skip()
        return f"意见已保存 Comment saved (#{last_id}).", ""

    def new_chat():
        return [], [], [], [], None, {}, ""

    # -- lookup ---------------------------------------------------------------------------
    def _terms(query: str) -> list[str]:
        text = clean_input(query or "")[:cap]
        if not text:
            return []
        q = pipeline.analyze(text)
        words = [t.text for t in q.terms] + [w for w in q.en_unmatched if w.isdigit()]
        if q.lang == "zh":  # what the operator typed also counts, e.g. a figure "900"
            words += text.split()
        return render.highlight_terms(words)

    def _sources(doc: str | None) -> list[str] | None:
        return None if not doc or doc == ALL_DOCS else [doc]

    def lookup(query: str, doc: str | None = None):
        query = (query or "")[:cap]
        try:
            hits = pipeline.search(query, k=LOOKUP_K, sources=_sources(doc)) if clean_input(query) else []
            terms = _terms(query) if hits else []
        except Exception:
            log.exception("lookup failed")
            return ('<div class="lk-empty">查询出错，请重试。Search failed; please try again.</div>',
                    gr.update(choices=[], value=None), "")
        html = render.lookup_html(query, hits, terms, titles)
        choices = [render.hit_choice(n, h, titles) for n, h in enumerate(hits, start=1)]
        first = choices[0][1] if choices else None
        cite = _citation(first, query) if first else ""
        return html, gr.update(choices=choices, value=first), cite

    def _citation(key: str | None, query: str = "") -> str:
        if not key:
            return ""
        source, line, start = render.parse_key(key)
        try:
            p = pipeline.paragraph(source, line)
        except KeyError:
            return ""
        text = p.text
        if start:  # a passage of a long paragraph: quote from it
            text = next((ps.text for ps in pipeline.retriever.passages if ps.key == (source, line)
                         and ps.start == start), text)
        quote = best_sentence(text, _terms(query)) if query else None
        return pipeline.citation_text(source, line, quote)

    def pick_result(key: str | None, query: str):
        return _citation(key, query)

    def pick_doc(source: str | None):
        parts = _parts(source)
        first = _first_part(source)
        paras = dict(parts).get(first or "", [])
        choices = [render.paragraph_choice(p) for p in paras]
        return (gr.update(choices=[name for name, _ in parts], value=first), render.section_html(paras),
                gr.update(choices=choices, value=None), "")

    def pick_part(name: str | None, source: str | None):
        paras = dict(_parts(source)).get(name or "", [])
        choices = [render.paragraph_choice(p) for p in paras]
        first = choices[0][1] if choices else None
        return (render.section_html(paras, first), gr.update(choices=choices, value=first),
                _citation(first))

    def pick_paragraph(key: str | None, name: str | None, source: str | None):
        paras = dict(_parts(source)).get(name or "", [])
        return render.section_html(paras, key), _citation(key)

    def figures(metric: str, docs: list | None):
        try:
            recs = pipeline.figure_table(sources=[d for d in (docs or []) if d] or None, metric=(metric or "")[:cap])
        except Exception:
            log.exception("figure table failed")
            return '<div class="lk-empty">查询出错，请重试。Search failed; please try again.</div>'
        return render.figures_html(recs, titles, metric or "")

    def ask_api(question: str) -> dict:
        """Answer a question about the reports; returns the same JSON as ``rag ask --json``."""
        answer = pipeline.ask(question if isinstance(question, str) else "")
        return answer.to_json()

    # -- layout ---------------------------------------------------------------------------
    held = pipeline.corpus.describe()
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        gr.Markdown(f"## {TITLE}\n{SUBTITLE}\n\n现有报告 Reports held：{render.escape_md(held)}",
                    elem_id="app-title")
        with gr.Tabs():
            with gr.Tab("问答 Chat", id="chat", elem_id="tab-chat"):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    label="问答 Chat",
                    show_label=False,
                    height=540,
                    layout="bubble",
                    sanitize_html=True,
                    allow_tags=False,
                    render_markdown=True,
                    latex_delimiters=[],
                    feedback_options=["Like", "Dislike"],
                    buttons=["copy"],
                    placeholder=f"**您好！** 请就政府工作报告提问，中文或英文均可（现有：{render.escape_md(held)}）。"
                                "没有说明地方时，按"
                                + (f"《{render.escape_md(titles[pipeline.corpus.home[0]])}》" if pipeline.corpus.home
                                   else "全部报告") + "回答。\n\n"
                                "Ask about the government work reports, in Chinese or English.",
                )
                with gr.Row(equal_height=True):
                    box = gr.Textbox(
                        elem_id="question",
                        show_label=False,
                        placeholder="输入问题，按回车发送 · Type a question, press Enter",
                        max_length=cap,
                        lines=1,
                        max_lines=4,
                        autofocus=True,
                        scale=8,
                    )
                    send = gr.Button("发送 Send", variant="primary", scale=1, min_width=100, elem_id="send")
                sample = examples_for(pipeline)
                examples = gr.Examples(examples=[[q] for q in sample], inputs=[box],
                                       label="示例问题 Examples", examples_per_page=len(sample))
                with gr.Row(equal_height=True):
                    comment = gr.Textbox(elem_id="comment", show_label=False, scale=8, container=False,
                                         max_length=MAX_COMMENT_CHARS,
                                         placeholder="意见（可选），随赞/踩一并保存 · Optional comment")
                    comment_btn = gr.Button("提交意见 Send comment", scale=1, min_width=150, size="sm",
                                            elem_id="send-comment")
                    clear = gr.Button("新对话 New chat", scale=1, min_width=130, size="sm",
                                      elem_id="new-chat")
                status = gr.Markdown(elem_id="feedback-status")
                history = gr.State([])  # what the pipeline sees: [{"role", "content"}], raw text
                msg_turns = gr.State([])  # per chatbot message: the index of its answer in `turns`
                turns = gr.State([])  # per answer: {"question", "answer": Answer.to_json()}
                last_feedback = gr.State(None)  # the row a comment goes to
                rated = gr.State({})  # answer index in `turns` -> its feedback row

            with gr.Tab("热线查询 Lookup", id="lookup", elem_id="tab-lookup") as lookup_tab:
                with gr.Row():
                    with gr.Column(scale=3):
                        with gr.Row():
                            q = gr.Textbox(elem_id="lookup-q", label="查询 Search", scale=3,
                                           placeholder="关键词，回车查询（输入时自动更新）· Keywords, Enter",
                                           max_length=cap, lines=1)
                            doc_filter = gr.Dropdown(choices=[(ALL_DOCS, ALL_DOCS)] + doc_choices, value=ALL_DOCS,
                                                     label="报告 Report", elem_id="lookup-doc", scale=2)
                        results = gr.HTML(render.lookup_html("", [], []), elem_id="lookup-results",
                                          js_on_load=None)
                    with gr.Column(scale=2):
                        pick = gr.Radio(choices=[], label="选择结果 Choose a result", elem_id="lookup-pick")
                        citation = gr.Textbox(label="引用（点右上角复制）Citation — copy",
                                              elem_id="lookup-citation", buttons=["copy"], interactive=False,
                                              lines=3, max_lines=8)
                        with gr.Accordion("报告结构 Report structure", open=True, elem_id="report-browser"):
                            first_part = _first_part(first_doc)
                            first_paras = dict(_parts(first_doc)).get(first_part or "", [])
                            doc = gr.Dropdown(choices=doc_choices, value=first_doc, label="报告 Report",
                                              elem_id="report-doc")
                            part = gr.Dropdown(choices=[name for name, _ in _parts(first_doc)], value=first_part,
                                               label="部分 Part", elem_id="report-part")
                            para = gr.Dropdown(choices=[render.paragraph_choice(p) for p in first_paras],
                                               value=None, label="段落 Paragraph", elem_id="report-para")
                            report_text = gr.HTML(render.section_html(first_paras), elem_id="report-text",
                                                  js_on_load=None)

            with gr.Tab("数字 Figures", id="figures", elem_id="tab-figures"):
                gr.Markdown("报告给出的目标、安排和实际数字（指标、数值、类型、行号）；输入指标可并排比较各报告。"
                            "Targets, plans and results the reports state; name a metric to compare reports side by side.")
                with gr.Row():
                    fig_metric = gr.Textbox(label="指标 Metric", placeholder="例如 生产总值、城镇新增就业、GDP",
                                            elem_id="figures-metric", max_length=cap, lines=1, scale=2)
                    fig_docs = gr.Dropdown(choices=doc_choices, value=[first_doc], multiselect=True,
                                           label="报告 Reports", elem_id="figures-docs", scale=3)
                fig_table = gr.HTML(figures("", [first_doc]), elem_id="figures-table", js_on_load=None)

        # -- events ---------------------------------------------------------------------------
        chat_io = dict(inputs=[box, chatbot, history, msg_turns, turns],
                       outputs=[box, chatbot, history, msg_turns, turns],
                       concurrency_id="pipeline", show_progress="hidden", api_visibility="private")
        box.submit(respond, **chat_io)
        send.click(respond, **chat_io)
        examples.load_input_event.then(respond, **chat_io)
        chatbot.like(on_like, inputs=[comment, msg_turns, turns, rated],
                     outputs=[status, comment, last_feedback, rated],
                     concurrency_id="feedback", concurrency_limit=FEEDBACK_CONCURRENCY,
                     api_visibility="private", show_progress="hidden")
        comment_io = dict(inputs=[comment, last_feedback], outputs=[status, comment],
                          concurrency_id="feedback", api_visibility="private", show_progress="hidden")
        comment.submit(on_comment, **comment_io)
        comment_btn.click(on_comment, **comment_io)
        clear.click(new_chat, outputs=[chatbot, history, msg_turns, turns, last_feedback, rated, status],
                    queue=False, api_visibility="private")
        chatbot.clear(new_chat, outputs=[chatbot, history, msg_turns, turns, last_feedback, rated, status],
                      queue=False, api_visibility="private")

        # One event for Enter and for typing, so a session's searches run one after another and an
        # older search can never land after a newer one; "always_last" runs only the latest pending
        # value once the running search finishes. `.change`, not `.input`: text entered through an
        # IME (how Chinese is typed) changes the value without Gradio's input event; nothing else
        # sets this box, so both mean "the operator typed".
        gr.on([q.submit, q.change, doc_filter.input], lookup, inputs=[q, doc_filter], outputs=[results, pick, citation],
              api_name="lookup", trigger_mode="always_last", concurrency_id="pipeline", show_progress="hidden")
        pick.input(pick_result, inputs=[pick, q], outputs=[citation], api_visibility="private",
                   queue=False, show_progress="hidden")
        doc.input(pick_doc, inputs=[doc], outputs=[part, report_text, para, citation], api_visibility="private",
                  queue=False, show_progress="hidden")
        part.input(pick_part, inputs=[part, doc], outputs=[report_text, para, citation], api_visibility="private",
                   queue=False, show_progress="hidden")
        gr.on([fig_metric.submit, fig_metric.change, fig_docs.input], figures, inputs=[fig_metric, fig_docs],
              outputs=[fig_table], api_visibility="private", trigger_mode="always_last",
              concurrency_id="pipeline", show_progress="hidden")
        para.input(pick_paragraph, inputs=[para, part, doc], outputs=[report_text, citation],
                   api_visibility="private", queue=False, show_progress="hidden").then(
            None, js=SCROLL_TO_SELECTED_JS)
        lookup_tab.select(None, js=FOCUS_LOOKUP_JS)

        gr.api(ask_api, api_name="ask", concurrency_id="pipeline")

    demo.queue(default_concurrency_limit=PIPELINE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    return demo


# -- serving -----------------------------------------------------------------------------------
def create_app(pipeline, feedback_store: FeedbackStore | None = None, *, db_path: Path | str | None = None):
    """A FastAPI app: the JSON API under /api and the Gradio UI mounted at "/"."""
    from fastapi import FastAPI, Request
    from fastapi.exception_handlers import http_exception_handler
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from .api import add_api_routes

    if feedback_store is None:
        from rag.feedback import open_store

        feedback_store = open_store(Path(db_path) if db_path else None)
    # No /docs, /redoc or /openapi.json: they would load Swagger UI from a CDN.
    app = FastAPI(title=TITLE, docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(StarletteHTTPException)
    async def _json_errors(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)
        return await http_exception_handler(request, exc)

    add_api_routes(app, pipeline, feedback_store)
    demo = build_app(pipeline, feedback_store)
    app = gr.mount_gradio_app(app, demo, path="/", **launch_kwargs())
    if os.environ.get("RAG_WORKER_ID"):  # one of `rag serve --workers N`: keep browsers on this process
        from .workers import StickyCookie

        app.add_middleware(StickyCookie, worker_id=os.environ["RAG_WORKER_ID"])
    app.state.demo = demo
    app.state.feedback_store = feedback_store
    return app


def serve(pipeline, host: str = "127.0.0.1", port: int = 7860, db_path: Path | str | None = None,
          uds: str | None = None) -> None:
    """Run the web app and the API with uvicorn until interrupted (``rag serve``); ``uds``: listen on
    that Unix socket instead (a worker of ``rag serve --workers N``)."""
    import uvicorn

    if uds:
        app = create_app(pipeline, db_path=db_path)
        uvicorn.run(app, uds=uds, log_level="warning", access_log=False)
        return
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("listening on %s: the app is reachable from other machines", host)
    app = create_app(pipeline, db_path=db_path)
    log.info("feedback store: %s", app.state.feedback_store.describe())
    # access_log off: visitors' requests are not written to the console.
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


class BackgroundServer:
    """The app served by uvicorn in a daemon thread (tests, notebooks).

    ``with BackgroundServer(app) as s: httpx.get(s.url + "/api/health")``.

    ``port=0`` lets the OS pick a free port; ``url`` reports the one bound.
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, startup_timeout_s: float = 60.0):
        import threading

        import uvicorn

        self.app = app
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, name="rag-ui-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + startup_timeout_s
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web app did not start on {host}:{port}")
            time.sleep(0.05)
        sock = self.server.servers[0].sockets[0]
        self.host, self.port = sock.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=15)

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
