#!/usr/bin/env bash
# Set up everything sentry-webview's demo and tests need on a Debian 12 machine:
# apt packages (chromium, Xvfb, the Qt/GTK bits, Node), a venv in .venv and the JS build.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libnss3 libxkbcommon0 libgbm1
              libegl1 libgl1 libasound2 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1 libfontconfig1
              gir1.2-webkit2-4.1 libgirepository1.0-dev libcairo2-dev pkg-config gcc libgtk2.0-0
              gdb)  # gdb: tests/e2e/test_renderer_ends.py makes a real renderer _exit(N)
command -v node >/dev/null || APT_PACKAGES+=(nodejs npm)
python3 -c "import venv, ensurepip" 2>/dev/null || APT_PACKAGES+=(python3-venv python3-dev)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "setup: pip install -e .[qt,gtk,test]"
  .venv/bin/pip install -q -e '.[qt,gtk,test]' 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c "import sentry_webview, webview, PyQt6.QtWebEngineCore, gi, sentry_relay, playwright"
  touch "$stamp"
fi

if [ ! -d js/node_modules ] || [ js/package-lock.json -nt js/node_modules ]; then
  echo "setup: npm ci (js/)"
  (cd js && npm ci --no-audit --no-fund --loglevel=error)
  touch js/node_modules
fi
