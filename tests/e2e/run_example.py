"""Run an example from ``examples/`` unmodified and drive its window like a user:
``python -m tests.e2e.run_example examples/basic/app.py``.

Clicks ``#throw``, waits until the host has the renderer's event, prints what the
page's IPC looked like, flushes and closes the window.
"""

import os
import runpy
import sys
import threading
import time

import sentry_sdk
import webview

import sentry_webview

_start = webview.start


def _drive() -> None:
    window = webview.windows[0]
    window.events.loaded.wait(20)
    time.sleep(0.3)
    window.evaluate_js("document.getElementById('throw').click()")
    intake = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub.intake
    deadline = time.monotonic() + 20
    while intake.stats["events"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    ipc = window.evaluate_js(
        "JSON.stringify({namespaces: Object.keys(window.__SENTRY_IPC__ || {}), "
        "config: window.__SENTRY_WEBVIEW__ || null})"
    )
    print("PAGE_IPC " + ipc, flush=True)
    sentry_webview.flush(5)
    window.destroy()


def start(func=None, *args, **kwargs):
    return _start(_drive, *args, **kwargs)


webview.start = start
threading.Thread(
    target=lambda: (time.sleep(60), print("EXAMPLE TIMEOUT", flush=True), os._exit(3)), daemon=True
).start()
sys.argv = sys.argv[1:]  # pywebview serves relative paths from the script's folder (sys.argv[0])
runpy.run_path(sys.argv[0], run_name="__main__")
