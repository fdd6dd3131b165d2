#!/usr/bin/env bash
# Mutation testing of the core modules (what reaches Sentry, what is dropped, whether the app exits)
# with mutmut. By hand or nightly, NOT in CI: 1.5-2 hours on 2 cores with 2 jobs, mostly tests waiting on
# sockets (MUTATION_JOBS=4 more than halved the offline group). Four groups, each with the tests that exercise
# its modules, so a surviving mutant runs those and not the whole suite.
#   bash scripts/mutation.sh                          # every group, then the score and each survivor
#   MUTATION_GROUPS=ipc bash scripts/mutation.sh      # one group (renderers, ipc, offline, sessions)
#   MUTATION_GROUPS=ipc bash scripts/mutation.sh 'sentry_webview.ipc.protocol.x_make_blueprint__mutmut_*'
#   MUTATION_ONLY='sentry_webview/renderers/merge.py' MUTATION_TESTS='tests/unit/test_merge.py' ...  # your own
# It works on copies of the tree in .mutation/<group>/ (git-ignored), so the checkout is left alone.
# Show one survivor: (cd .mutation/<group> && ../../.venv/bin/mutmut show NAME)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)
"$PY" -c "import mutmut" 2>/dev/null || "$PY" -m pip install -q "mutmut==3.8.1"
MUTMUT="$(dirname "$PY")/mutmut"

# group -> "modules | tests". Tests whose apps run in another working directory (test_exit_time) stay
# out: mutmut's stats run needs its config in every process's working directory. They, and the app tests
# of code only subprocesses run, re-check each survivor afterwards (scripts/mutation_report.py).
declare -A SETS=(
  [renderers]="sentry_webview/renderers/merge.py sentry_webview/renderers/scope_sync.py sentry_webview/ipc/origins.py
    | tests/unit tests/integration/test_renderer_events.py tests/integration/test_what_users_lose.py"
  [ipc]="sentry_webview/ipc/intake.py sentry_webview/ipc/protocol.py
    | tests/unit/test_intake.py tests/integration/test_protocol_security.py tests/integration/test_flask_tracing.py
      tests/integration/test_bounds.py"
  [offline]="sentry_webview/transport/offline.py
    | tests/integration/test_offline.py tests/integration/test_disk_safety.py tests/integration/test_what_users_lose.py"
  [sessions]="sentry_webview/integrations/sessions.py | tests/integration/test_sessions.py tests/integration/test_host_crash.py"
)
# -k per group: test_bounds's floods take 20 s and check the intake's turn-taking, which
# tests/unit/test_intake.py checks too; its heartbeats are renderer_hang's (not mutated).
declare -A FILTERS=([ipc]="not flooding_page and not heartbeats")
if [ -n "${MUTATION_ONLY:-}" ]; then
  SETS=([custom]="$MUTATION_ONLY | ${MUTATION_TESTS:-tests/unit}")
  MUTATION_GROUPS=custom
fi

run_group() {  # name, then mutmut's arguments
  local name=$1 dir=.mutation/$1 modules tests
  shift
  modules=${SETS[$name]%%|*}
  tests=${SETS[$name]#*|}
  rm -rf "$dir" && mkdir -p "$dir"
  git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$dir"
  {
    echo "[mutmut]"
    echo "source_paths = sentry_webview"
    echo "only_mutate ="; for f in $modules; do echo "    $f"; done
    # Left out: test_typing runs mypy over the tree, which the mutants' trampolines never pass;
    # test_compat tests _compat.py (not mutated) against sentry-sdk's process-wide state (an integration
    # set up once per process, the current client), which mutmut's several pytest runs in one process
    # leave behind.
    echo "pytest_add_cli_args ="
    for a in -p no:cacheprovider --timeout=60 --ignore=tests/unit/test_typing.py --ignore=tests/unit/test_compat.py; do
      echo "    $a"
    done
    echo "pytest_add_cli_args_test_selection ="; for t in $tests; do echo "    $t"; done
    [ -z "${FILTERS[$name]:-}" ] || printf '    -k\n    %s\n' "${FILTERS[$name]}"
    echo "timeout_multiplier = 5.0"
    echo "also_copy ="; for a in js examples bench scripts README.md playwright.config.py; do echo "    $a"; done
  } > "$dir/setup.cfg"
  (
    cd "$dir"
    # PYTHONPATH lets the tests' subprocesses import the mutated copy. The directory must exist before
    # mutmut starts: Python caches "no finder" for a sys.path entry that is missing at its first import,
    # and mutmut's in-process pytest then can't import tests/ from it ("No module named 'tests'").
    mkdir mutants
    export FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-50} PYTHONPATH=$PWD/mutants
    started=$(date +%s)
    "$MUTMUT" run --max-children "${MUTATION_JOBS:-2}" "$@" || true
    "$MUTMUT" results --all true > results.txt 2>&1 || true
    # Re-checks the survivors of code that only the tests' app subprocesses run (MUTATION_RECHECK=0: not).
    "$PY" "$ROOT/scripts/mutation_report.py" recheck
    echo "== group $name took $(($(date +%s) - started)) s"
  )
}

for name in ${MUTATION_GROUPS:-renderers ipc offline sessions}; do
  run_group "$name" "$@"
done
"$PY" scripts/mutation_report.py summary .mutation/*/results-rechecked.txt
