"""Start-up cost per process: a pywebview Qt app that opens one window, waits for ``loaded`` and
closes it, run plain and with ``sentry_webview.init()`` (one process per run, alternating).

``python -m bench.startup_qt [--quick]``. Each run reports, from the interpreter's start:
imports, init, ``webview.start`` to ``loaded``, ``destroy`` to ``start`` returning, and the
process's whole wall time as its parent sees it. Figures are medians.
"""

import json
import os
import subprocess
import sys
import time
from typing import Any, Dict, List

from bench.common import QUICK, REPO, emit, median

RUNS = 3 if QUICK else 8
CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
import webview
wired = sys.argv[1] == "wired"
if wired:
    import sentry_webview
t_import = time.perf_counter()
if wired:
    sentry_webview.init(dsn="http://key@127.0.0.1:9/1", offline=False)
t_init = time.perf_counter()
window = webview.create_window("startup", html="<!doctype html><title>t</title><p>hello</p>")
marks = {}
def run():
    window.events.loaded.wait(20)
    marks["loaded"] = time.perf_counter()
    window.destroy()
    marks["destroy"] = time.perf_counter()
marks["start"] = time.perf_counter()
webview.start(run, gui="qt")
t_end = time.perf_counter()
print("STARTUP " + json.dumps({
    "import_ms": (t_import - t0) * 1000, "init_ms": (t_init - t_import) * 1000,
    "to_loaded_ms": (marks["loaded"] - marks["start"]) * 1000,
    "quit_ms": (t_end - marks["destroy"]) * 1000,
}), flush=True)
"""


def one(kind: str) -> Dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1", PYTHONPATH=str(REPO))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    wall = (time.perf_counter() - started) * 1000
    line = next(line for line in done.stdout.splitlines() if line.startswith("STARTUP "))
    return dict(json.loads(line[len("STARTUP ") :]), wall_ms=wall)


def main() -> None:
    runs: Dict[str, List[Dict[str, Any]]] = {"plain": [], "wired": []}
    one("plain")  # warm the disk cache
    for _ in range(RUNS):
        for kind in runs:
            runs[kind].append(one(kind))
    result = {
        kind: {key: round(median([run[key] for run in each]), 1) for key in each[0]} for kind, each in runs.items()
    }
    result["extra_ms"] = {key: round(result["wired"][key] - result["plain"][key], 1) for key in result["plain"]}
    result["runs"] = RUNS
    emit(result)


if __name__ == "__main__":
    main()
