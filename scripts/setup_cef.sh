#!/usr/bin/env bash
# The real CEF 66 for the contract and end-to-end tests: cefpython3 66.0 (its last Linux wheel) runs
# only on Python <= 3.7, so it runs under Debian bullseye's python2.7, unpacked into a private prefix
# with a private apt config (the system's apt sources and state are untouched).
# Usage: scripts/setup_cef.sh [DEST]   (default .cef-runtime); makes DEST/python2.7. Idempotent.
# When bullseye or PyPI can't be reached it says why and exits 0: the CEF tests then skip with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=$(realpath -m "${1:-.cef-runtime}")
if [ -x "$DEST/python2.7" ] && "$DEST/python2.7" -c 'from cefpython3 import cefpython' 2>/dev/null; then
  exit 0
fi
unavailable() { echo "setup_cef: CEF runtime unavailable: $1" | tee "$DEST.unavailable"; exit 0; }
rm -rf "$DEST" "$DEST.unavailable"
mkdir -p "$DEST"/apt/{lists/partial,cache/archives/partial,etc/parts} "$DEST"/{debs,root,site,wheel}
cat > "$DEST/apt/etc/sources.list" <<S
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bullseye-security main
S
: > "$DEST/apt/status"
cat > "$DEST/apt/apt.conf" <<S
Dir::Etc::SourceList "$DEST/apt/etc/sources.list"; Dir::Etc::SourceParts "$DEST/apt/etc/parts";
Dir::State::Lists "$DEST/apt/lists"; Dir::State::status "$DEST/apt/status"; Dir::Cache "$DEST/apt/cache";
APT::Architecture "amd64"; APT::Architectures "amd64";
S
export APT_CONFIG="$DEST/apt/apt.conf"
echo "setup_cef: python2.7 from Debian bullseye, cefpython3 66.0 from PyPI into $DEST"
apt-get -q update >/dev/null 2>&1 || unavailable "apt-get update of Debian bullseye failed"
(cd "$DEST/debs" && apt-get -q download python2.7 python2.7-minimal libpython2.7 libpython2.7-minimal \
  libpython2.7-stdlib libssl1.1 libffi7 >/dev/null 2>&1) || unavailable "bullseye's python2.7 packages can't be downloaded"
for deb in "$DEST"/debs/*.deb; do dpkg-deb -x "$deb" "$DEST/root"; done
"${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}" -m pip download -q --no-deps --only-binary=:all: --platform manylinux1_x86_64 --python-version 2.7 \
  -d "$DEST/wheel" cefpython3==66.0 2>/dev/null || unavailable "cefpython3 66.0 can't be downloaded from PyPI"
python3 -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
  z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith('cefpython3/')])" "$DEST"/wheel/cefpython3-66.0-*.whl "$DEST/site"
chmod +x "$DEST/site/cefpython3/subprocess"
cat > "$DEST/python2.7" <<S
#!/bin/sh
export LD_LIBRARY_PATH="$DEST/root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export PYTHONHOME="$DEST/root/usr" PYTHONPATH="$DEST/site\${PYTHONPATH:+:\$PYTHONPATH}"
exec "$DEST/root/usr/bin/python2.7" "\$@"
S
chmod +x "$DEST/python2.7"
"$DEST/python2.7" -c 'from cefpython3 import cefpython as c; print("setup_cef: cefpython3 %(version)s, Chromium %(chrome_version)s" % c.GetVersion())' \
  || unavailable "cefpython3 doesn't import under the unpacked python2.7"
