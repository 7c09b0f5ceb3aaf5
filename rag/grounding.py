"""The grounding contract: every figure an answer states appears verbatim in a passage it cites.

Used by the extractive answerer (as a guard), the generative path (``rag.llm``) and the
evaluation (``numeric_faithfulness``). Numbers are compared as whole tokens (``5`` is not found
in ``5.5``); citation marks ``[n]`` and line references are not figures.
"""

from __future__ import annotations

import re

from .figures import numbers
from .text import normalize

_CITATION_MARK = re.compile(r"\[\d+\]")
_LINE_REF = re.compile(r"(?:第\s*\d+\s*行|\b[Ll]ine\s+\d+|\bL\d+\b)")
_YEAR_LABEL = re.compile(r"(?<![\d.])20\d\d(?:—20\d\d)?(?:年|\s(?:target|plan|result)\b)")


def unsupported_figures(text: str, quotes: list[str], *, allow_years: bool = True) -> list[str]:
    """Numbers in ``text`` that appear in none of ``quotes``.

    ``allow_years``: a year label the answer adds from the document's metadata ("2025年目标：…")
    is not a figure of the answer.
    """
    body = _LINE_REF.sub(" ", _CITATION_MARK.sub(" ", text))
    if allow_years:
        body = _YEAR_LABEL.sub(" ", body)
    allowed: set[str] = set()
    for q in quotes:
        allowed.update(numbers(normalize(q)))
    return [n for n in numbers(normalize(body)) if n not in allowed]
