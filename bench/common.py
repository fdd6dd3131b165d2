"""Shared pieces: statistics, the counting transport, the sample event, the ingest process, test pages."""

import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "samples" / "envelope_error.txt"
RESULT_PREFIX = "BENCH_RESULT "
QUICK = "--quick" in sys.argv

# Page-side drivers. Capture times are wall-clock ms (Date.now's clock at performance.now's resolution),
# so the host can subtract them from time.time() at the ingest.
BENCH_JS = r"""
window.bench = (function () {
  var offset = 0;
  function sync() { var d = Date.now(); while (Date.now() === d); offset = Date.now() - performance.now(); }
  function now() { return offset + performance.now(); }
  var channel = new MessageChannel(), waiting = [];
  channel.port1.onmessage = function () { waiting.shift()(); };
  function yieldTask() { return new Promise(function (r) { waiting.push(r); channel.port2.postMessage(0); }); }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function capture(tag, i) { SentryWebview.captureException(new Error("bench " + tag + " " + i + " " + now())); }
  return {
    // As fast as the page can: yield every 16 so @sentry/browser's 64-request buffer drains.
    burst: async function (tag, n) {
      sync();
      for (var i = 0; i < n; i++) { capture(tag, i); if (i % 16 === 15) await yieldTask(); }
    },
    paced: async function (tag, n, gap) { sync(); for (var i = 0; i < n; i++) { capture(tag, i); await sleep(gap); } },
    noopBurst: async function (n) {
      var t0 = performance.now(), calls = [];
      for (var i = 0; i < n; i++) { calls.push(pywebview.api.noop()); if (i % 16 === 15) await yieldTask(); }
      await Promise.all(calls);
      return {n: n, ms: performance.now() - t0};
    },
    noopSeq: async function (n, gap) {
      var ms = [];
      for (var i = 0; i < n; i++) {
        var t = performance.now(); await pywebview.api.noop(); ms.push(performance.now() - t); await sleep(gap);
      }
      return ms;
    },
  };
})();
"""


def median(values: Sequence[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], p: float) -> Optional[float]:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def emit(result: Dict[str, Any]) -> None:
    """Hand a measurement's result to ``bench.run`` (the last such line of the process's stdout)."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def sample_envelope() -> bytes:
    """A real renderer envelope, exactly as the bundle sends it."""
    return SAMPLE.read_bytes()


def sample_event() -> Dict[str, Any]:
    return json.loads(SAMPLE.read_text("utf-8").split("\n")[2])


class CountingTransport(Transport):
    """Serializes each envelope (so that cost counts) and counts it; sends nothing."""

    def __init__(self, options: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(options)
        self.count = 0
        self.bytes = 0

    def capture_envelope(self, envelope: Envelope) -> None:
        self.bytes += len(envelope.serialize())
        self.count += 1


class Ingest:
    """A ``LocalIngest`` in its own process (``bench.ingest``): Sentry's work must not load the host."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.ingest"], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.port = int(self._proc.stdout.readline())
        self.dsn = "http://publickey@127.0.0.1:%d/42" % self.port

    def _get(self, path: str, timeout: float = 30) -> Any:
        url = "http://127.0.0.1:%d/bench/%s" % (self.port, path)
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())

    def wait(self, count: int, timeout: float) -> int:
        """Block until ``count`` events arrived (or ``timeout``); the number that did."""
        return self._get("wait?count=%d&timeout=%f" % (count, timeout), timeout + 10)["count"]

    def take(self) -> List[List[Any]]:
        """``[arrival time.time(), exception value]`` of the events received since the last take."""
        return self._get("take")

    def take_full(self) -> List[List[Any]]:
        """``[arrival time.time(), event]`` of the events received since the last take."""
        return self._get("take?full=1")

    def tally(self) -> Dict[str, Any]:
        """Everything received since the start: ``values`` (each event's), ``discards``, ``items``."""
        return self._get("tally")

    def close(self) -> None:
        self._proc.stdin.close()
        self._proc.wait(10)


class PageServer(ThreadingHTTPServer):
    """Serves ``pages[path]`` and the shipped bundles as ``/sentry-webview-*.js`` on loopback."""

    daemon_threads = True

    def __init__(self, pages: Dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _PageHandler)
        self.pages = pages
        self.url = "http://127.0.0.1:%d" % self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _PageHandler(BaseHTTPRequestHandler):
    server: PageServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?")[0]
        body = self.server.pages.get(path)
        if body is None and path.startswith("/sentry-webview-"):
            body = (REPO / "sentry_webview" / "static" / path[len("/sentry-webview-") :]).read_text("utf-8")
        data = (body or "").encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/javascript" if path.endswith(".js") else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


class GuiLag:
    """The GUI thread's stalls: how late a 10 ms timer on it fires (Qt or GTK, installed at ``before_show``)."""

    INTERVAL = 0.010

    def __init__(self, window: Any, gui: str) -> None:
        self.lags_ms: List[float] = []
        self.recording = False
        self._last: Optional[float] = None
        self._gui = gui
        self._timer: Any = None
        window.events.before_show += self._install

    def _tick(self) -> bool:
        now = time.perf_counter()
        if self.recording and self._last is not None:
            self.lags_ms.append(max(0.0, (now - self._last - self.INTERVAL) * 1000))
        self._last = now
        return True

    def _install(self, window: Any) -> None:
        if self._gui == "gtk":
            from gi.repository import GLib

            GLib.timeout_add(int(self.INTERVAL * 1000), self._tick)
        else:
            from qtpy.QtCore import Qt, QTimer

            self._timer = QTimer(window.native)
            self._timer.setTimerType(Qt.TimerType.PreciseTimer)
            self._timer.timeout.connect(self._tick)
            self._timer.start(int(self.INTERVAL * 1000))

    def summary(self) -> Dict[str, Any]:
        return {
            "p50": percentile(self.lags_ms, 50),
            "p99": percentile(self.lags_ms, 99),
            "max": max(self.lags_ms, default=None),
        }
