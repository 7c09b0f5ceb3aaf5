"""Domain errors. Every message names the fix; the CLI prints ``Error: <message>``."""

from __future__ import annotations


class RagError(Exception):
    """Base class for errors a user can act on."""


class SourceError(RagError):
    """The seeds folder is missing, empty or unreadable."""


class IndexMissingError(RagError):
    """No index has been built yet."""


class IndexCorruptError(RagError):
    """An index file is damaged (hash mismatch, unreadable, truncated)."""


class IndexStaleError(RagError):
    """The index was built from other sources, another model or other parameters."""


class ModelError(RagError):
    """The bundled embedding model cannot be found or loaded."""


class FeedbackUnavailable(RagError):
    """The feedback database cannot be reached or written right now (the row was not stored)."""
