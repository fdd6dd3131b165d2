#!/usr/bin/env bash
# Run the sentry-webview demo: a pywebview window (offscreen when there is no display)
# throws in the renderer and in Python; both arrive merged at an embedded local ingest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m sentry_webview demo "$@"
