#!/usr/bin/env bash
# The compatibility matrix: the package as a user gets it (the wheel, built from the sdist) in fresh venvs,
# against the oldest sentry-sdk it declares and the newest 2.x, on Python 3.9 (its floor) and 3.11.
# Each row runs tests/unit and tests/integration (no GUI needed) from the unpacked sdist, with the
# sdist's own sentry_webview/ removed so that the installed wheel is what the tests import.
#
# Usage: scripts/compat.sh [ROW...]     ROW = PYTHON:SDK, PYTHON 3.9|3.11, SDK floor|latest|X.Y.Z
#        (default: 3.9:floor 3.9:latest 3.11:floor 3.11:latest, $COMPAT_JOBS rows at a time, default 2)
# Work files go to $COMPAT_DIR (default .compat/); pip's own cache keeps the second run quick.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(realpath -m "${COMPAT_DIR:-.compat}")
ROWS=("$@")
[ ${#ROWS[@]} -gt 0 ] || ROWS=(3.9:floor 3.9:latest 3.11:floor 3.11:latest)
PY311=${PYTHON311:-$(command -v python3.11 || command -v python3)}
JOBS=${COMPAT_JOBS:-2}  # the rows' tests mostly wait on sockets and subprocesses; the machine has two cores
TEST_DEPS=(pytest pytest-timeout hypothesis brotli sentry-relay pywebview)
started=$SECONDS
mkdir -p "$WORK"

echo "== compat: build the sdist, and the wheel from it"
if [ ! -x "$WORK/build-venv/bin/python" ]; then
  "$PY311" -m venv "$WORK/build-venv"
  "$WORK/build-venv/bin/pip" install -q --disable-pip-version-check build 2>&1 | grep -v "is ignored" || true
fi
PIP=("$WORK/build-venv/bin/pip" --disable-pip-version-check)
rm -rf "$WORK/dist" "$WORK/src"
"$WORK/build-venv/bin/python" -m build -q --outdir "$WORK/dist" . >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
WHEEL=$(ls "$WORK"/dist/*.whl)
mkdir -p "$WORK/src"
tar xzf "$WORK"/dist/*.tar.gz -C "$WORK/src" --strip-components=1
rm -rf "$WORK/src/sentry_webview" "$WORK/src/sentry_webview.egg-info"
FLOOR=$("$PY311" - "$WHEEL" <<'PY'
import re, sys, zipfile
wheel = zipfile.ZipFile(sys.argv[1])
[name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
print(re.search(r"^Requires-Dist: sentry-sdk.*>=([\d.]+)", wheel.read(name).decode(), re.M).group(1))
PY
)
[ -n "$FLOOR" ] || { echo "compat: no sentry-sdk floor in the wheel's metadata"; exit 1; }

declare -A INTERPRETER=()  # each Python once, before the rows run side by side
for row in "${ROWS[@]}"; do
  case "${row%%:*}" in
    3.11) INTERPRETER[3.11]=$PY311 ;;
    3.9) [ -n "${INTERPRETER[3.9]:-}" ] || INTERPRETER[3.9]=$(bash scripts/setup_py39.sh "$WORK/py39-runtime" | tail -n 1) ;;
    *) echo "compat: no Python ${row%%:*} here (3.9 or 3.11)"; exit 1 ;;
  esac
done

run_row() {  # run_row PYTHON SDK: one fresh venv, one pytest run; output in $WORK/<row>.log
  local python=$1 sdk=$2 name="py$1-sdk-$2" interpreter requirement env=()
  case "$sdk" in
    floor) requirement="sentry-sdk==$FLOOR" ;;
    latest) requirement="sentry-sdk>=$FLOOR,<3" ;;
    *) requirement="sentry-sdk==$sdk" ;;
  esac
  interpreter=${INTERPRETER[$python]}
  local runtime
  runtime=$(dirname "$interpreter")
  [ -f "$runtime/ld_library_path" ] && env=(LD_LIBRARY_PATH="$(cat "$runtime/ld_library_path")")
  local venv="$WORK/venv-$name"
  rm -rf "$venv" "$WORK/tmp-$name"
  {
    env "${env[@]}" "$interpreter" -m venv --without-pip "$venv"
    env "${env[@]}" "${PIP[@]}" --python "$venv/bin/python" install -q "$WHEEL" "$requirement" "${TEST_DEPS[@]}" 2>&1 \
      | grep -v "is ignored" || true
    cd "$WORK/src"
    env "${env[@]}" "$venv/bin/python" -c "import sys, sentry_sdk, sentry_webview
print('compat row: Python %s, sentry-sdk %s, sentry_webview from %s' % (sys.version.split()[0], sentry_sdk.VERSION,
      sentry_webview.__file__))
assert '/site-packages/' in sentry_webview.__file__, 'not the installed wheel'"
    env "${env[@]}" "$venv/bin/python" -m pytest tests/unit tests/integration -q -p no:cacheprovider \
      --basetemp "$WORK/tmp-$name"
  } >"$WORK/$name.log" 2>&1
}

echo "== compat: ${ROWS[*]} (sentry-sdk floor $FLOOR)"
declare -A pids=()
failed=()
for row in "${ROWS[@]}"; do
  run_row "${row%%:*}" "${row#*:}" &
  pids[$row]=$!
  if [ ${#pids[@]} -ge "$JOBS" ]; then
    for done_row in "${!pids[@]}"; do
      wait "${pids[$done_row]}" || failed+=("$done_row")
      unset "pids[$done_row]"
      break
    done
  fi
done
for done_row in "${!pids[@]}"; do wait "${pids[$done_row]}" || failed+=("$done_row"); done
for row in "${ROWS[@]}"; do
  name="py${row%%:*}-sdk-${row#*:}"
  echo "-- $row: $(grep -m1 '^compat row:' "$WORK/$name.log" | cut -c13- || true)"
  if [[ " ${failed[*]} " == *" $row "* ]]; then tail -n 40 "$WORK/$name.log"; else tail -n 1 "$WORK/$name.log"; fi
done
echo "== compat: ${#ROWS[@]} rows in $((SECONDS - started)) s, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
