#!/usr/bin/env bash
# The whole test suite, the same command CI runs (real model, real index, browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False TOKENIZERS_PARALLELISM=false
exec .venv/bin/python -m pytest -q "$@"
