#!/usr/bin/env bash
# Run sentry-webview's whole test suite on a fresh Debian 12 machine (sets itself up first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup_cef.sh   # the real CEF 66 for tests/cef (Python 2.7 from Debian bullseye)
echo "== JS bundles match a fresh build"
(cd js && npm run --silent check)
if [ $# -eq 0 ] || [ "${COMPAT:-}" = 1 ]; then  # the whole suite (CI), or asked for
  echo "== compat matrix: the wheel on Python 3.9/3.11 x sentry-sdk floor/newest"
  bash scripts/compat.sh
fi
echo "== pytest"
export SENTRY_WEBVIEW_REQUIRE_ALL=1  # a skip for a missing GUI toolkit, browser or CEF runtime fails the run
exec .venv/bin/python -m pytest "$@"
