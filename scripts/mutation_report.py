"""The second half of scripts/mutation.sh: re-check what mutmut can't see, then print the score.

``recheck`` (in a group's directory, after ``mutmut results``): mutmut maps each mutant to the tests that
call its function *in process*. Code that only the tests' app subprocesses run (release health, the quit
path, whether the app exits) then shows as "survived" or "no tests" although those tests would catch it.
So each such mutant of a module in ``APP_TESTS`` runs again against that module's app tests, switched on
by ``MUTANT_UNDER_TEST``: the apps inherit it and import the mutated copy (``PYTHONPATH``). The result
goes to ``results-rechecked.txt``.

``summary FILE...``: the score per module over every group, and each mutant still surviving.
"""

import collections
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Counter, Dict, List, Tuple

# module -> the tests whose app subprocesses run it
APP_TESTS = {
    "sentry_webview.integrations.sessions": [
        "tests/integration/test_sessions.py",
        "tests/integration/test_host_crash.py",
    ],
    "sentry_webview.transport.offline": [  # the rest of these files runs in process, so mutmut saw it
        "tests/integration/test_offline.py::test_a_kill_during_queue_writes_leaves_only_whole_envelopes",
        "tests/integration/test_what_users_lose.py::test_what_waits_in_the_sdk_at_the_quit_flush_arrives_at_the_next_start",
        "tests/integration/test_exit_time.py",
    ],
    "sentry_webview.ipc.protocol": ["tests/integration/test_exit_time.py", "tests/integration/test_what_users_lose.py"],
    "sentry_webview.ipc.intake": ["tests/integration/test_exit_time.py", "tests/integration/test_what_users_lose.py"],
}
CAUGHT = ("killed", "timeout", "killed by app tests")  # a mutant that hangs the tests is caught too
PYTEST = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--timeout=120"]


def module_of(mutant: str) -> str:
    return mutant.split(".x_")[0].split(".xǁ")[0]


def read(path: str) -> Dict[str, str]:
    results = {}
    for line in open(path, encoding="utf-8"):
        match = re.match(r"\s*(\S+): (\w[\w ]*)$", line)
        if match:
            results[match.group(1)] = match.group(2)
    return results


def run_tests(tests: List[str], mutant: str) -> int:
    env = dict(os.environ, MUTANT_UNDER_TEST=mutant)
    return subprocess.run(PYTEST + tests, cwd="mutants", env=env, capture_output=True).returncode


def recheck() -> None:
    results = read("results.txt")
    todo = [m for m, s in results.items() if s in ("survived", "no tests") and module_of(m) in APP_TESTS]
    if os.environ.get("MUTATION_RECHECK", "1") == "0":
        todo = []
    for module in sorted({module_of(m) for m in todo}):
        if run_tests(APP_TESTS[module], "") != 0:  # without a mutant they must pass, or a kill means nothing
            sys.exit("mutation: %s's app tests fail without a mutant; fix that first" % module)

    def one(mutant: str) -> Tuple[str, str]:
        failed = run_tests(APP_TESTS[module_of(mutant)], mutant) != 0
        return mutant, "killed by app tests" if failed else results[mutant]

    with ThreadPoolExecutor(int(os.environ.get("MUTATION_JOBS", "2"))) as pool:
        results.update(pool.map(one, todo))
    with open("results-rechecked.txt", "w", encoding="utf-8") as out:
        out.writelines("%s: %s\n" % item for item in sorted(results.items()))
    print_summary(results, survivors=False)


def print_summary(results: Dict[str, str], survivors: bool = True) -> None:
    by_module: Dict[str, Counter[str]] = collections.defaultdict(collections.Counter)
    for mutant, status in results.items():
        by_module[module_of(mutant)][status] += 1
    total: Counter[str] = collections.Counter()
    for module, counts in sorted(by_module.items()):
        total.update(counts)
        print("%-40s %s" % (module, dict(counts)))
    checked = sum(total.values()) - total["not checked"]
    print("mutants: %d  %s" % (sum(total.values()), dict(total)))
    if checked:
        caught = sum(total[status] for status in CAUGHT)
        print("score (killed, timed out or killed by app tests / checked): %.1f%%" % (100.0 * caught / checked))
    if survivors:
        for mutant, status in sorted(results.items()):
            if status in ("survived", "no tests"):
                print("%s: %s" % (mutant, status))


def main() -> None:
    if sys.argv[1:2] == ["recheck"]:
        recheck()
    elif sys.argv[1:2] == ["summary"]:
        results: Dict[str, str] = {}
        for path in sys.argv[2:]:
            results.update(read(path))
        print_summary(results)
    else:
        sys.exit("usage: mutation_report.py recheck | summary FILE...")


if __name__ == "__main__":
    main()
