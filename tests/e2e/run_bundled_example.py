"""Run examples/bundled_app/app.py (or a built copy of it, given as argument) unmodified and drive
it like a user: ``python -m tests.e2e.run_bundled_example [path/to/app.py]``.

Clicks "Load report" (a js_api call into Python), waits for its result in the page, sends
feedback through the page's own SDK (as the widget's submit does), lets the pageload
transaction end, flushes page and host, and closes the window.
"""

import os
import runpy
import sys
import threading
import time

import webview

import sentry_webview

APP = sys.argv[1] if len(sys.argv) > 1 else "examples/bundled_app/app.py"
_start = webview.start


def _wait(window, script, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = window.evaluate_js(script)
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit("timed out waiting for %s" % script)


def _drive() -> None:
    window = webview.windows[0]
    _wait(window, "!!(window.pywebview && window.pywebview.api && window.pywebview.api.load_report && window.Sentry)")
    window.evaluate_js("document.getElementById('load').click()")
    print("TITLE " + _wait(window, "document.title.indexOf('loaded:') === 0 && document.title"), flush=True)
    print("WIDGET %s" % bool(window.evaluate_js("!!document.getElementById('sentry-feedback')")), flush=True)
    window.evaluate_js("Sentry.captureFeedback({message: 'The report took long', name: 'Ada', email: 'ada@x.test'})")
    time.sleep(2.0)  # the pageload transaction ends 1 s after the page's last activity
    window.evaluate_js("Sentry.flush(2000)")
    time.sleep(1.0)
    sentry_webview.flush(5)
    window.destroy()


def start(func=None, *args, **kwargs):
    return _start(_drive, *args, **kwargs)


webview.start = start
threading.Thread(
    target=lambda: (time.sleep(60), print("EXAMPLE TIMEOUT", flush=True), os._exit(3)), daemon=True
).start()
sys.argv = [APP]
runpy.run_path(APP, run_name="__main__")
