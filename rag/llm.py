"""Optional generative answers through any LangChain chat model, held to the report.

Off by default (the offline extractive answerer answers). ``Settings.llm`` / ``RAG_LLM`` /
``--llm`` selects a model:

* an ``init_chat_model`` spec: ``openai:gpt-4o-mini``, ``ollama:qwen2.5:3b`` … (the provider's
  LangChain package must be installed);
* an OpenAI-compatible server: ``openai-compatible:MODEL@http://127.0.0.1:8000/v1`` (a local
  llama.cpp, vLLM or Ollama server); ``RAG_LLM_API_KEY`` if it wants one.

The model sees numbered passages and the question and is asked for a short answer in the
question's language citing ``[n]``. Nothing it says reaches a user unchecked (``check``): the
citations are parsed and bounds-checked, every figure must appear verbatim in a cited passage,
the length is bounded, and "NOT_IN_REPORT" is a refusal. A response that fails, times out
(``RAG_LLM_TIMEOUT``, default 8 s) or errors is replaced by the extractive answer and the event
is logged; the user always gets an answer. A refusal by either side wins over an answer (the
product never guesses), and the extractive answerer's intent refusals (another year, a date,
a list it only counts …) stand.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .cite import header, location
from .grounding import unsupported_figures
from .types import Citation

log = logging.getLogger(__name__)

NOT_IN_REPORT = "NOT_IN_REPORT"
MAX_ANSWER_CHARS = 200  # "a short answer": a model that pastes passages back is not answering
# The prompt's own scaffolding in a response means the model is continuing the prompt, not answering.
_SCAFFOLD = re.compile(r"段落[:：]|问题[:：]|回答[:：]|Passages:|Question:|Answer:|（[^）]*第\d+行）")
_CITE = re.compile(r"\[(\d+)\]")
_REFUSAL = re.compile(r"NOT[_ ]IN[_ ]REPORT|报告中?没有(?:提到|给出|说明)|the report does not (?:say|mention|give)",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    n: int
    source: str
    title: str
    line: int
    section: str
    text: str


@dataclass(frozen=True)
class Verdict:
    ok: bool
    text: str  # the checked answer (citation marks kept)
    cited: tuple[int, ...]
    refusal: bool = False
    reason: str = ""  # why it was rejected


def build_messages(question: str, passages: Sequence[Passage], lang: str) -> list[tuple[str, str]]:
    """The prompt: numbered passages, the question, the rules. (role, content) pairs."""
    numbered = "\n".join(f"[{p.n}] 《{p.title}》{location(p.section, p.line)}{p.text}" for p in passages)
    titles = "、".join(dict.fromkeys(f"《{p.title}》" for p in passages))
    if lang == "en":
        system = (f"You answer questions about government work reports ({titles}) using ONLY the numbered "
                  "passages (in Chinese). Reply in English, in one or two short sentences. Cite the passages "
                  "you use like [1]. Copy every figure exactly as written in the passage, with its unit "
                  f"(e.g. 900座, 5.5%左右). If the passages do not contain the answer, reply exactly: {NOT_IN_REPORT}")
        user = f"Passages:\n{numbered}\n\nQuestion: {question}\nAnswer:"
    else:
        system = (f"你根据政府工作报告（{titles}）回答问题，只能使用下面编号的段落。用中文回答，一到两句话。"
                  "用[1]这样的编号注明出处。数字必须与段落原文完全一致，带单位（如900座、5.5%左右）。"
                  f"如果段落中没有答案，只回复：{NOT_IN_REPORT}")
        user = f"段落：\n{numbered}\n\n问题：{question}\n回答："
    return [("system", system), ("human", user)]


def check(text: str, passages: Sequence[Passage]) -> Verdict:
    """The guard: may this generated text be shown as an answer grounded in ``passages``?"""
    from .cite import display

    text = display(text or "")
    if not text:
        return Verdict(False, "", (), reason="empty")
    if _REFUSAL.search(text):
        return Verdict(True, text, (), refusal=True)
    if len(text) > MAX_ANSWER_CHARS:
        return Verdict(False, text, (), reason="too long")
    if _SCAFFOLD.search(text):
        return Verdict(False, text, (), reason="echoes the prompt")
    cited = tuple(dict.fromkeys(int(n) for n in _CITE.findall(text)))
    if not cited:
        return Verdict(False, text, (), reason="no citation")
    by_n = {p.n: p for p in passages}
    out_of_range = [n for n in cited if n not in by_n]
    if out_of_range:
        return Verdict(False, text, cited, reason=f"citation out of range: {out_of_range}")
    bad = unsupported_figures(text, [by_n[n].text for n in cited], allow_years=False)
    if bad:
        return Verdict(False, text, cited, reason=f"figures not in the cited passages: {bad}")
    return Verdict(True, text, cited)


def sentence_ok(sentence: str, passages: Sequence[Passage]) -> bool:
    """While streaming: a finished sentence may be shown if its figures are in the passages it cites
    (or, when it cites none yet, in any passage) and its citations are in range."""
    by_n = {p.n: p for p in passages}
    cited = [int(n) for n in _CITE.findall(sentence)]
    if any(n not in by_n for n in cited) or _SCAFFOLD.search(sentence):
        return False
    pool = [by_n[n].text for n in cited] or [p.text for p in passages]
    return not unsupported_figures(sentence, pool, allow_years=False)


def parse_spec(spec: str) -> dict[str, Any]:
    """``openai-compatible:MODEL@URL`` -> ChatOpenAI arguments; anything else -> init_chat_model."""
    if spec.startswith("openai-compatible:"):
        rest = spec.split(":", 1)[1]
        model, _, url = rest.partition("@")
        if not model or not url:
            raise ValueError("use openai-compatible:MODEL@http://host:port/v1")
        return {"kind": "openai-compatible", "model": model, "base_url": url}
    if ":" not in spec:
        raise ValueError("use PROVIDER:MODEL (e.g. openai:gpt-4o-mini) or openai-compatible:MODEL@URL")
    return {"kind": "init_chat_model", "model": spec}


def make_chat_model(spec: str, timeout_s: float, max_tokens: int = 160):
    max_tokens = int(os.environ.get("RAG_LLM_MAX_TOKENS", max_tokens))
    """A LangChain chat model for ``spec`` (secrets read from the environment now, never stored)."""
    parsed = parse_spec(spec)
    if parsed["kind"] == "openai-compatible":
        from langchain_openai import ChatOpenAI

        # max_tokens is sent as max_completion_tokens, which llama.cpp's server ignores: pass the
        # classic max_tokens in the body too, stop at a blank line, and cap the stream ourselves.
        return ChatOpenAI(model=parsed["model"], base_url=parsed["base_url"],
                          api_key=os.environ.get("RAG_LLM_API_KEY") or "not-needed", timeout=timeout_s,
                          max_retries=0, temperature=0, extra_body={"max_tokens": max_tokens},
                          stop=["\n\n", "问题：", "Question:"])
    from langchain.chat_models import init_chat_model

    return init_chat_model(parsed["model"], temperature=0, timeout=timeout_s, max_retries=0)


class Generator:
    """Runs the chat model with a deadline; ``stream`` yields text pieces, ``generate`` the whole."""

    def __init__(self, model, timeout_s: float = 8.0, max_chars: int = MAX_ANSWER_CHARS + 100):
        self.model = model
        self.timeout_s = timeout_s
        self.max_chars = max_chars

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        """Text pieces as they arrive; raises TimeoutError past the deadline."""
        deadline = time.monotonic() + self.timeout_s
        total = 0
        for chunk in self.model.stream(messages):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no complete answer within {self.timeout_s:g} s")
            piece = chunk.content if isinstance(chunk.content, str) else "".join(
                c.get("text", "") for c in chunk.content if isinstance(c, dict))
            if not piece:
                continue
            total += len(piece)
            yield piece
            if total >= self.max_chars:  # the server may ignore max tokens: stop reading
                return

    def generate(self, messages: list[tuple[str, str]]) -> str:
        """The whole response, or TimeoutError (the call runs in a worker thread we stop waiting for)."""
        result: dict[str, Any] = {}

        def run() -> None:
            try:
                result["text"] = "".join(self.stream(messages))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                result["error"] = exc

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(self.timeout_s)
        if worker.is_alive():
            raise TimeoutError(f"no answer within {self.timeout_s:g} s")
        if "error" in result:
            raise result["error"]
        return result["text"]


def strip_marks(text: str) -> str:
    return _CITE.sub("", text).strip()


# -- the pipeline's generative step ---------------------------------------------------------------
# Refusals that come from what the question asks (another year, a date, a place, a list the report
# only counts, a total, a per-person figure) stand whatever a model says.
INTENT_REFUSAL_KEYS = ("scope", "when", "where", "list_", "total", "figure_not_given", "no_figure",
                       "yesno_unsettled", "no_definition")


_SERIAL = itertools.count(1)


class LLMAnswerer:
    """Wraps a chat model; turns an extractive ``Answer`` into a generated one when it passes."""

    def __init__(self, spec: str, timeout_s: float, model=None):
        self.spec = spec
        self.timeout_s = timeout_s
        self.key = next(_SERIAL)  # tells this model's cached answers from another's (an id() is reused)
        self._model = model
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = make_chat_model(self.spec, self.timeout_s)
        return self._model

    def condense(self, turns: Sequence[str], question: str) -> str | None:
        """A follow-up rewritten as a standalone question by the model, or None (then the offline
        resolver's rewrite stands). Bounded like every model call."""
        if not turns:
            return None
        convo = "\n".join(f"- {t}" for t in turns[-4:])
        messages = [("system", "Rewrite the user's last message as one standalone question in the same language, "
                               "using the earlier questions for what it leaves out. Reply with the question only."),
                    ("human", f"Earlier questions:\n{convo}\nLast message: {question}\nStandalone question:")]
        try:
            text = Generator(self.model, self.timeout_s, max_chars=300).generate(messages).strip()
        except Exception as exc:  # timeout or provider error: the offline resolver answers
            log.warning("LLM condensation failed (%s); using the offline resolver", type(exc).__name__)
            return None
        text = text.splitlines()[0].strip() if text else ""
        if not text or len(text) > 200 or NOT_IN_REPORT in text:
            return None
        return text

    def _passages(self, pipe, extractive, hits) -> list[Passage]:
        """The passages the model may use: the extractive answer's citations, then the best hits."""
        lines: list[tuple[str, int, str, str]] = []
        for c in extractive.citations:
            lines.append((c.source, c.line, c.section, pipe.paragraph(c.source, c.line).text))
        for h in hits:
            ps = h.passage
            if len(lines) >= 3:
                break
            if (ps.source, ps.line) not in {x[:2] for x in lines}:
                lines.append((ps.source, ps.line, ps.section_path, ps.text))
        return [Passage(i + 1, src, pipe.document(src).title, line, section, text)
                for i, (src, line, section, text) in enumerate(lines[:3])]

    def _final(self, question: str, extractive, verdict: Verdict, passages: list[Passage], pipe, lang: str):
        from dataclasses import replace

        from .messages import messages

        # renumber: the first passage cited becomes [1]
        order = {old: new for new, old in enumerate(verdict.cited, start=1)}
        text = _CITE.sub(lambda m: f"[{order.get(int(m.group(1)), int(m.group(1)))}]", verdict.text)
        by_n = {p.n: p for p in passages}
        citations = []
        for old, new in order.items():
            p = by_n[old]
            citations.append(Citation(new, p.source, p.title, p.line, p.section, p.text, 1.0 if new == 1 else 0.5))
        m = messages(lang)
        lines = [text, "", m.sources]
        for c in citations:
            lines += [header(c, lang), f"> {c.quote}"]
        return replace(extractive, answer="\n".join(lines), direct_answer=strip_marks(text), refused=False,
                       citations=tuple(citations), meta={**extractive.meta, "llm": "used"})

    @staticmethod
    def _mark(answer, status: str, **meta):
        """The answer with how the generative step went recorded in its meta ("used", "fallback: …")."""
        from dataclasses import replace

        return replace(answer, meta={**answer.meta, "llm": status, **meta})

    def _fallback(self, extractive, reason: str):
        log.warning("LLM answer replaced by the extractive one: %s", reason)
        return self._mark(extractive, f"fallback: {reason}")

    def _skip(self, extractive) -> str | None:
        if extractive.error:
            return "rejected input"
        reason = extractive.meta.get("reason_key")
        if extractive.refused and reason in INTENT_REFUSAL_KEYS:
            return f"intent refusal ({reason})"
        return None

    def answer(self, pipe, question: str, extractive, hits, lang: str):
        """The generated answer if it passes the guard, else the extractive one (logged)."""
        skip = self._skip(extractive)
        if skip:
            return self._mark(extractive, f"skipped: {skip}")
        passages = self._passages(pipe, extractive, hits)
        started = time.perf_counter()
        try:
            text = Generator(self.model, self.timeout_s).generate(build_messages(question, passages, lang))
        except TimeoutError as exc:
            return self._fallback(extractive, f"timeout ({exc})")
        except Exception as exc:  # any provider error: the user still gets an answer
            return self._fallback(extractive, f"error ({type(exc).__name__}: {str(exc)[:120]})")
        return self._decide(pipe, question, extractive, check(text, passages), passages, lang, started)

    def _decide(self, pipe, question, extractive, verdict: Verdict, passages, lang, started):
        from dataclasses import replace

        ms = (time.perf_counter() - started) * 1000
        if verdict.refusal:
            if extractive.refused:
                return self._mark(extractive, "agreed refusal", llm_ms=ms)
            return self._fallback(extractive, "the model refused where the report has an answer")
        if not verdict.ok:
            return self._fallback(extractive, f"guard: {verdict.reason}")
        record = extractive.meta.get("record")
        if record and not extractive.refused and record["text"] not in verdict.text:
            # the same check as the extractive path: a figure question is answered with the figure of
            # the metric asked (the matched record), never another figure of the passages
            return self._fallback(extractive, "guard: not the figure of the metric asked")
        if extractive.refused:  # a refusal wins: never guess
            return self._mark(extractive, "kept the refusal", llm_ms=ms)
        out = self._final(question, extractive, verdict, passages, pipe, lang)
        timings = dict(out.timings_ms)
        timings["llm"] = ms
        timings["total"] = timings.get("total", 0.0) + ms
        return replace(out, timings_ms=timings, meta={**out.meta, "llm_ms": ms})

    def stream(self, pipe, question: str, extractive, hits, lang: str) -> Iterator[dict[str, Any]]:
        """Events: {"event": "delta", "text": verified text so far} … then {"event": "final", "answer"}.

        Each sentence is shown only once it is complete and its figures and citations check out;
        the first that does not stops the stream and the extractive answer takes its place."""
        skip = self._skip(extractive)
        if skip:
            yield {"event": "final", "answer": self._mark(extractive, f"skipped: {skip}")}
            return
        passages = self._passages(pipe, extractive, hits)
        started = time.perf_counter()
        buf, shown = "", ""
        try:
            for piece in Generator(self.model, self.timeout_s).stream(build_messages(question, passages, lang)):
                buf += piece
                while True:
                    m = re.search(r"[。！？!?\n]|\.(?:\s|$)", buf[len(shown):])
                    if not m:
                        break
                    sentence = buf[len(shown): len(shown) + m.end()]
                    if _REFUSAL.search(sentence):
                        shown += sentence
                        break
                    if not sentence_ok(sentence, passages):
                        yield {"event": "final", "answer": self._fallback(extractive, "guard: a streamed sentence failed")}
                        return
                    shown += sentence
                    if not extractive.refused:
                        yield {"event": "delta", "text": shown}
        except TimeoutError as exc:
            yield {"event": "final", "answer": self._fallback(extractive, f"timeout ({exc})")}
            return
        except Exception as exc:
            yield {"event": "final", "answer": self._fallback(extractive, f"error ({type(exc).__name__})")}
            return
        yield {"event": "final", "answer": self._decide(pipe, question, extractive, check(buf, passages), passages,
                                                          lang, started)}
