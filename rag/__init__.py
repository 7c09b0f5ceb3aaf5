"""Grounded question answering over Weihai's 2025 government work report.

``from rag import Pipeline; Pipeline.load().ask("今年要建多少5G基站？")`` returns an ``Answer``.
Importing ``rag`` is cheap: models, faiss and torch load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Pipeline", "Settings", "Answer", "Citation"]
__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from .config import Settings
    from .pipeline import Pipeline
    from .types import Answer, Citation


def __getattr__(name: str):
    if name == "Pipeline":
        from .pipeline import Pipeline

        return Pipeline
    if name == "Settings":
        from .config import Settings

        return Settings
    if name in ("Answer", "Citation"):
        from . import types

        return getattr(types, name)
    raise AttributeError(name)
