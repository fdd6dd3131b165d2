#!/usr/bin/env bash
# Python 3.9, the package's floor, for the compat matrix (scripts/compat.sh): Debian bullseye's python3.9,
# unpacked into a private prefix with a private apt config as scripts/setup_cef.sh does for python2.7
# (the system's apt sources and state are untouched; nothing is installed system-wide).
# Usage: scripts/setup_py39.sh [DEST]   (default .py39-runtime); makes DEST/python3.9. Idempotent.
# Prints the interpreter's path on its last line; DEST/ld_library_path names the libraries it needs
# (a venv made from it links the real binary, not the wrapper). Venvs: `-m venv --without-pip`, then pip
# from outside (`pip --python VENV/bin/python`): Debian's ensurepip looks for wheels in /usr/share only. When bullseye can't be reached it falls back to a
# pyenv-installed 3.9 if there is one, else fails: the matrix must not silently lose its floor row.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=$(realpath -m "${1:-.py39-runtime}")
check() { "$1" -c 'import sys, ssl, ctypes, sqlite3, decimal, venv, distutils.cmd; assert sys.version_info[:2] == (3, 9)' 2>/dev/null; }
if [ -x "$DEST/python3.9" ] && check "$DEST/python3.9"; then
  echo "$DEST/python3.9"; exit 0
fi
fallback() {
  echo "setup_py39: Debian bullseye's python3.9 unavailable: $1" >&2
  for candidate in "$(pyenv root 2>/dev/null)"/versions/3.9*/bin/python3.9 /root/.pyenv/versions/3.9*/bin/python3.9; do
    if [ -x "$candidate" ] && check "$candidate"; then
      echo "setup_py39: using $candidate instead" >&2; echo "$candidate"; exit 0
    fi
  done
  echo "setup_py39: no Python 3.9 to be had" >&2; exit 1
}
rm -rf "$DEST"
mkdir -p "$DEST"/apt/{lists/partial,cache/archives/partial,etc/parts} "$DEST"/{debs,root}
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
echo "setup_py39: python3.9 from Debian bullseye into $DEST" >&2
apt-get -q update >/dev/null 2>&1 || fallback "apt-get update of Debian bullseye failed"
# The interpreter and its stdlib (distutils is split out; pip needs it on 3.9), and the libraries
# bookworm no longer has (libssl1.1, libffi7, libmpdec3).
(cd "$DEST/debs" && apt-get -q download python3.9 python3.9-minimal libpython3.9-minimal libpython3.9-stdlib \
  python3-distutils python3-lib2to3 libssl1.1 libffi7 libmpdec3 >/dev/null 2>&1) \
  || fallback "bullseye's python3.9 packages can't be downloaded"
for deb in "$DEST"/debs/*.deb; do dpkg-deb -x "$deb" "$DEST/root"; done
rm -rf "$DEST/debs" "$DEST/apt/cache"
echo "$DEST/root/usr/lib/x86_64-linux-gnu" > "$DEST/ld_library_path"
cat > "$DEST/python3.9" <<S
#!/bin/sh
export LD_LIBRARY_PATH="$DEST/root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
exec "$DEST/root/usr/bin/python3.9" "\$@"
S
chmod +x "$DEST/python3.9"
check "$DEST/python3.9" || fallback "the unpacked python3.9 doesn't run"
echo "setup_py39: $("$DEST/python3.9" --version)" >&2
echo "$DEST/python3.9"
