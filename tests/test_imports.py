"""Importing the library stays cheap: heavy dependencies load only when used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "sentence_transformers", "faiss", "gradio", "transformers", "jieba", "matplotlib", "langchain_core")


def test_import_rag_is_light():
    code = f"import sys, rag, rag.cli, rag.types, rag.config; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_pipeline_is_exported():
    import rag

    assert rag.Pipeline.__name__ == "Pipeline"
    assert {"Pipeline", "Settings", "Answer", "Citation"} <= set(rag.__all__)


def test_lint_is_clean():
    """ruff (rules in pyproject.toml) over the code: what CI would otherwise only warn about."""
    from tests.conftest import ROOT

    r = subprocess.run([sys.executable, "-m", "ruff", "check", "rag", "ui", "tests", "bench", "scripts"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
