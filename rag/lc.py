"""LangChain at the edge: our retriever as a ``BaseRetriever`` and our embedder as ``Embeddings``.

Nothing in the pipeline depends on LangChain; these adapters let LangChain code use the
report (``ReportRetriever``) and let the benchmarks build LangChain's own reference pipeline with
the same model (``EmbedderEmbeddings``). Imports are lazy (``langchain_core`` loads on use).
"""

from __future__ import annotations

from typing import Any


def EmbedderEmbeddings(embedder):  # noqa: N802 - a class factory, reads like a class
    """Wrap an ``rag.embed.Embedder`` as a LangChain ``Embeddings``."""
    from langchain_core.embeddings import Embeddings

    class _Embeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.encode_passages(list(texts)).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.encode_query(text).tolist()

    return _Embeddings()


def ReportRetriever(pipeline, k: int = 3):  # noqa: N802
    """Our hybrid retriever as a LangChain ``BaseRetriever``: one Document per retrieved passage,
    with source, title, line, section and fused score in its metadata."""
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class _Retriever(BaseRetriever):
        def _get_relevant_documents(self, query: str, *, run_manager: Any = None) -> list[Document]:
            return [
                Document(page_content=h.passage.text,
                         metadata={"source": h.passage.source, "title": pipeline.document(h.passage.source).title,
                                   "line": h.passage.line, "section": h.passage.section_path, "score": h.score})
                for h in pipeline.search(query, k=k)
            ]

    return _Retriever()
