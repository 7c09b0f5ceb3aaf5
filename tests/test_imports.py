"""Importing the library stays cheap: heavy dependencies load only when used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "sentence_transformers", "faiss", "gradio", "transformers", "jieba", "matplotlib", "langchain_core")


def test_import_rag_is_light():
    code = "import sys, rag, rag.cli, rag.types, rag.config; print(','.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_pipeline_is_exported():
    import rag

    assert rag.Pipeline.__name__ == "Pipeline"
    assert {"Pipeline", "Settings", "Answer", "Citation"} <= set(rag.__all__)
