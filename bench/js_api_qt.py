"""What a traced js_api call costs over an untraced one, on pywebview Qt.

One process (``python -m bench.js_api_qt``), tracing on (traces_sample_rate=1.0), sending to a
counting transport. The page times ``pywebview.api.noop(i)`` round trips (call to resolved
promise): traced (our wrapper: a page span, the host's traced-call function, a host transaction
and function span) against untraced (the same wrapper with the host's traced-call function
hidden: the call goes to pywebview as it would with tracing off). Envelopes are serialized on a
worker thread, as sentry-sdk's HTTP transport does. Each traced call is a page transaction (the
page's span is a root span after pageload) and a host transaction. Blocks alternate; the first
pair warms up; figures are medians of per-block means.
"""

import json
import os
import queue
import threading
import time

import sentry_sdk
import webview

import sentry_webview
from bench.common import QUICK, CountingTransport, PageServer, emit, median
from sentry_webview.ipc import wire

PAGE = """<!doctype html><title>js_api bench</title><script>
window.benchCalls = async function (traced, n) {
  var api = window.pywebview.api, call = api[%s], t0;
  if (!traced) delete api[%s];
  try {
    t0 = performance.now();
    for (var i = 0; i < n; i++) await api.noop(i);
    return (performance.now() - t0) / n;
  } finally {
    api[%s] = call;
  }
};
</script>""" % ((json.dumps(wire.JS_API_CALL),) * 3)


class WorkerTransport(CountingTransport):
    """Serializes and counts on a worker thread, as sentry-sdk's HTTP transport sends: not in the call."""

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.queue: "queue.Queue" = queue.Queue()
        threading.Thread(target=self._work, daemon=True).start()

    def capture_envelope(self, envelope) -> None:
        self.queue.put(envelope)

    def _work(self) -> None:
        while True:
            CountingTransport.capture_envelope(self, self.queue.get())


def watchdog(seconds: float, on_timeout) -> None:
    threading.Thread(target=lambda: (time.sleep(seconds), on_timeout()), daemon=True).start()


class Api:
    def noop(self, value):
        return value


def main() -> None:
    blocks, per_block = (4, 20) if QUICK else (12, 50)
    transport = WorkerTransport()
    sentry_webview.init(
        dsn="http://publickey@127.0.0.1:9/42", transport=transport, traces_sample_rate=1.0, offline=False
    )
    pages = PageServer({"/bench.html": PAGE})
    window = webview.create_window("js_api bench", pages.url + "/bench.html", js_api=Api())
    watchdog(300, lambda: (print("js_api_qt: timed out", flush=True), os._exit(3)))

    def run() -> None:
        code = 0
        try:
            deadline = time.monotonic() + 30
            while not window.evaluate_js("!!(window.pywebview && window.pywebview.api && window.pywebview.api.noop)"):
                if time.monotonic() > deadline:
                    raise TimeoutError("the page never got its js_api")
                time.sleep(0.1)
            time.sleep(1.5)  # past the pageload transaction
            ms = {True: [], False: []}
            for block in range(blocks + 1):
                for traced in (True, False) if block % 2 else (False, True):
                    window.evaluate_js(
                        "window.benchResult = null; benchCalls(%s, %d).then(function (ms) { window.benchResult = ms; })"
                        % ("true" if traced else "false", per_block)
                    )
                    value = None
                    while value is None:
                        time.sleep(0.05)
                        value = window.evaluate_js("window.benchResult")
                    if block:
                        ms[traced].append(float(value))
            sentry_sdk.flush(5)
            traced_ms, untraced_ms = median(ms[True]), median(ms[False])
            emit(
                {
                    "traced_call_ms": traced_ms,
                    "untraced_call_ms": untraced_ms,
                    "added_ms": median([t - u for t, u in zip(ms[True], ms[False])]),
                    "calls": blocks * per_block,
                    "envelopes": transport.count if hasattr(transport, "count") else None,
                }
            )
        except Exception as error:
            print("js_api_qt failed: %r" % error, flush=True)
            code = 1
        finally:
            os._exit(code)

    webview.start(run, gui="qt")


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    main()
