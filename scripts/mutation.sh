#!/usr/bin/env bash
# Mutation testing of the core modules (what reaches Sentry, what is dropped, whether the app exits)
# with mutmut. By hand or nightly, NOT in CI: a run takes ~20-30 min on 2 cores.
#   bash scripts/mutation.sh            # run, then print the score and every surviving mutant
#   MUTATION_ONLY='sentry_webview/renderers/merge.py' bash scripts/mutation.sh   # one module
#   MUTATION_TESTS='tests/integration/test_protocol_security.py' ...   # fewer tests: each survivor runs
#       every selected test that calls the mutated function (the hub makes the blueprint in every test)
#   bash scripts/mutation.sh 'sentry_webview.ipc.protocol.x_make_blueprint__mutmut_*'   # these mutants only
# It works on a copy of the tree in .mutation/ (git-ignored), so the checkout is left alone.
# Show one survivor: (cd .mutation && ../.venv/bin/mutmut show NAME)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)
"$PY" -c "import mutmut" 2>/dev/null || "$PY" -m pip install -q "mutmut==3.8.1"
MUTMUT="$(dirname "$PY")/mutmut"

CORE=${MUTATION_ONLY:-"sentry_webview/renderers/merge.py sentry_webview/renderers/scope_sync.py
sentry_webview/ipc/intake.py sentry_webview/ipc/protocol.py sentry_webview/ipc/origins.py
sentry_webview/transport/offline.py sentry_webview/integrations/sessions.py"}
# The fast tests that exercise those modules (no GUI, no subprocess apps, no PyInstaller); test_bounds
# for the protocol's byte budget and connection cap.
TESTS=${MUTATION_TESTS:-"tests/unit tests/integration/test_renderer_events.py tests/integration/test_protocol_security.py
tests/integration/test_offline.py tests/integration/test_sessions.py
tests/integration/test_integrations.py tests/integration/test_pywebview_bridge.py tests/integration/test_what_users_lose.py
tests/integration/test_bounds.py"}

rm -rf .mutation && mkdir .mutation
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t .mutation
{
  echo "[mutmut]"
  echo "source_paths = sentry_webview"
  echo "only_mutate ="; for f in $CORE; do echo "    $f"; done
  # Left out: test_typing runs mypy over the tree, which the mutants' trampolines never pass;
  # test_compat tests _compat.py (not mutated) against sentry-sdk's process-wide state (an integration
  # set up once per process, the current client), which mutmut's several pytest runs in one process
  # leave behind.
  echo "pytest_add_cli_args ="
  for a in -p no:cacheprovider --timeout=60 --ignore=tests/unit/test_typing.py --ignore=tests/unit/test_compat.py; do
    echo "    $a"
  done
  echo "pytest_add_cli_args_test_selection ="; for t in $TESTS; do [ -e "$t" ] && echo "    $t"; done
  echo "timeout_multiplier = 5.0"
  echo "also_copy ="; for a in js examples bench scripts README.md; do echo "    $a"; done
} > .mutation/setup.cfg
cd .mutation
# PYTHONPATH lets the tests' subprocesses import the mutated copy. The directory must exist before
# mutmut starts: Python caches "no finder" for a sys.path entry that is missing at its first import,
# and mutmut's in-process pytest then can't import tests/ from it ("No module named 'tests'").
mkdir mutants
export FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-50} PYTHONPATH=$PWD/mutants
started=$(date +%s)
"$MUTMUT" run --max-children "${MUTATION_JOBS:-2}" "$@" || true
"$MUTMUT" results --all true > results.txt 2>&1 || "$MUTMUT" results > results.txt 2>&1 || true
echo "== mutation run took $(( $(date +%s) - started )) s"
"$PY" - <<'PYEOF'
import collections, re
counts = collections.Counter()
for line in open("results.txt"):
    m = re.match(r"\s*(\S+): (\w[\w ]*)$", line)
    if m:
        counts[m.group(2)] += 1
total = sum(counts.values())
killed = counts.get("killed", 0) + counts.get("timeout", 0)  # a mutant that hangs the tests is caught
checked = total - counts.get("not checked", 0)
print("mutants: %d  %s" % (total, dict(counts)))
if checked:
    print("score (killed or timed out / checked): %.1f%%" % (100.0 * killed / checked))
PYEOF
grep -E ': (survived|no tests)$' results.txt || true
