"""Start-up cost per process: a pywebview Qt app that opens one window, waits for ``loaded`` and
closes it, run plain, with sentry-sdk alone (``sentry_sdk.init``, same DSN) as where Flask isn't
installed (pywebview serves files with Bottle), the same with Flask importable, and with
``sentry_webview.init()``; one process per run, the four interleaved.

``python -m bench.startup_qt [--quick]``. Each run reports imports, init, ``webview.start`` to
``loaded``, ``destroy`` to ``start`` returning, ``start`` returning to the last atexit handler's
end (thread joins and atexit handlers: sentry-sdk's flush, sentry-webview's close), the
interpreter's teardown after that, and the process's whole wall time as its parent sees it.
Bytecode is cached (in a temporary ``PYTHONPYCACHEPREFIX``, warmed by a first run of each kind),
as for an installed package. Figures are medians; ``extra_ms`` is wired − plain, ``ours_ms``
wired − sentry-sdk alone, ``flask_ms`` what Flask adds to sentry-sdk alone (its auto-enabled
``FlaskIntegration`` imports Flask wherever it is installed, as sentry-webview's dependency); the
differences are medians of each round's.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List

from bench.common import QUICK, REPO, emit, median

RUNS = 3 if QUICK else 20
KINDS = ("plain", "sdk", "sdk_flask", "wired")
CHILD = r"""
import atexit, json, sys, time
marks = {"t0": time.time()}
atexit.register(lambda: print("STARTUP " + json.dumps(dict(marks, atexit_done=time.time())), flush=True))
import webview
kind = sys.argv[1]
if kind == "sdk":
    sys.modules["flask"] = None  # import flask fails, as where it isn't installed
if kind.startswith("sdk"):
    import sentry_sdk
if kind == "wired":
    import sentry_webview
marks["imported"] = time.time()
if kind.startswith("sdk"):
    sentry_sdk.init(dsn="http://key@127.0.0.1:9/1")
if kind == "wired":
    sentry_webview.init(dsn="http://key@127.0.0.1:9/1", offline=False)
marks["init"] = time.time()
window = webview.create_window("startup", html="<!doctype html><title>t</title><p>hello</p>")
def run():
    window.events.loaded.wait(20)
    marks["loaded"] = time.time()
    window.destroy()
    marks["destroy"] = time.time()
marks["start"] = time.time()
webview.start(run, gui="qt")
marks["returned"] = time.time()
atexit.register(lambda: marks.__setitem__("atexit", time.time()))  # registered last: runs first
"""


def one(kind: str, cache: str) -> Dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1", PYTHONPATH=str(REPO))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    launched = time.time()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    ended = time.time()
    line = next(line for line in done.stdout.splitlines() if line.startswith("STARTUP "))
    m = json.loads(line[len("STARTUP ") :])
    return {
        key: round(value * 1000, 1)
        for key, value in {
            "import_ms": m["imported"] - m["t0"],
            "init_ms": m["init"] - m["imported"],
            "setup_ms": m["init"] - m["t0"],  # imports + init: the sdk run imports Flask in init, ours on import
            "to_loaded_ms": m["loaded"] - m["start"],
            "quit_ms": m["returned"] - m["destroy"],
            "atexit_ms": m["atexit_done"] - m["returned"],
            "teardown_ms": ended - m["atexit_done"],
            "exit_ms": ended - m["destroy"],
            "wall_ms": ended - launched,
        }.items()
    }


def main() -> None:
    runs: Dict[str, List[Dict[str, float]]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory() as cache:
        for kind in KINDS:  # compile and cache the bytecode, warm the disk cache
            one(kind, cache)
        for r in range(RUNS):
            for kind in KINDS[r % len(KINDS) :] + KINDS[: r % len(KINDS)]:
                runs[kind].append(one(kind, cache))
    result: Dict[str, Any] = {
        kind: {key: round(median([run[key] for run in each]), 1) for key in each[0]} for kind, each in runs.items()
    }
    for name, kind, base in (
        ("extra_ms", "wired", "plain"),
        ("ours_ms", "wired", "sdk"),
        ("flask_ms", "sdk_flask", "sdk"),
    ):
        result[name] = {
            key: round(median([k[key] - b[key] for k, b in zip(runs[kind], runs[base])]), 1) for key in runs[base][0]
        }
    result["runs"] = RUNS
    emit(result)


if __name__ == "__main__":
    main()
