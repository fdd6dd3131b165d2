"""Delivery from pywebview Qt windows (offscreen), one process: ``python -m bench.delivery_qt``.

Four windows are wired by sentry-webview (injected renderer, the bridge) and have a ``js_api``
with an empty ``noop``: the bridge's limit, measured in the same windows. Four more are not
wired and ship the bundles themselves, so they reach the same host over the protocol.
"""

import os
import queue
import time
from typing import Any, Dict, List

import webview

from bench.common import BENCH_JS, Ingest, PageServer, emit, percentile
from bench.delivery import (
    EVENTS,
    GAP_MS,
    PACED,
    REPEATS,
    IntakeClock,
    init_host,
    latency,
    sdk_latency,
    sdk_throughput,
    shipped_page,
    summarize,
    throughput,
    watchdog,
)

WINDOWS = 4
_results: "queue.Queue[Any]" = queue.Queue()


class Api:
    def noop(self) -> None:
        return None

    def done(self, result: Any) -> None:
        _results.put(result)


def noop_throughput(windows: List[Any], n: int) -> Dict[str, Any]:
    """Empty ``pywebview.api`` calls/s from ``len(windows)`` windows, fired like the preload fires bridge calls."""
    for window in windows:
        window.run_js("bench.noopBurst(%d).then(pywebview.api.done); 0" % (n // len(windows)))
    results = [_results.get(timeout=60 + n / 20) for _ in windows]
    return {"calls_per_s": sum(r["n"] for r in results) / max(r["ms"] for r in results) * 1000}


def noop_latency(window: Any) -> Dict[str, Any]:
    """Round trip ms of sequential empty ``pywebview.api`` calls, one every ``GAP_MS``."""
    window.run_js("bench.noopSeq(%d, %d).then(pywebview.api.done); 0" % (PACED, GAP_MS))
    ms = _results.get(timeout=60)
    return {"p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99)}


def measure(host: Any, ingest: Ingest, bridge: List[Any], protocol: List[Any]) -> Dict[str, Any]:
    for window in bridge + protocol:
        window.events.loaded.wait(30)
    deadline = time.monotonic() + 30
    while host.intake.stats["renderers_started"] < 2 * WINDOWS and time.monotonic() < deadline:
        time.sleep(0.05)
    clock = IntakeClock(host)

    def on(windows: List[Any]) -> Any:
        return lambda index, expression: windows[index].run_js(expression + "; 0")

    runs = []
    for r in range(REPEATS):
        runs.append(
            {
                "noop_1w": noop_throughput(bridge[:1], EVENTS),
                "noop_4w": noop_throughput(bridge, EVENTS),
                "bridge_1w": throughput(ingest, on(bridge), "r%d-b1" % r, 1, EVENTS),
                "bridge_4w": throughput(ingest, on(bridge), "r%d-b4" % r, WINDOWS, EVENTS),
                "protocol_1w": throughput(ingest, on(protocol), "r%d-p1" % r, 1, EVENTS),
                "protocol_4w": throughput(ingest, on(protocol), "r%d-p4" % r, WINDOWS, EVENTS),
                "sdk": sdk_throughput(ingest, "r%d-s" % r, EVENTS),
                "noop_latency": noop_latency(bridge[0]),
                "bridge_latency": latency(ingest, on(bridge), "r%d-bl" % r, clock),
                "protocol_latency": latency(ingest, on(protocol), "r%d-pl" % r, clock),
                "sdk_latency": sdk_latency(ingest, "r%d-sl" % r),
            }
        )
    result = {name: summarize([run[name] for run in runs]) for name in runs[0]}
    stats = host.intake.stats
    result.update(repeats=REPEATS, events=EVENTS, scopes_per_event=stats["scopes"] / max(1, stats["events"]))
    return result


def main() -> None:
    ingest = Ingest()
    watchdog(540, lambda: (print("delivery_qt: timed out", flush=True), ingest.close(), os._exit(3)))
    # Only the "bridge" windows are wired; the others are pages that ship the JS (protocol).
    host = init_host(ingest.dsn, get_windows=lambda: [w for w in webview.windows if w.title == "bridge"])
    page = "<!doctype html><html><head><title>bridge</title><script>%s</script></head><body>b</body></html>"
    pages = PageServer({"/bridge.html": page % BENCH_JS, "/protocol.html": shipped_page(host.renderer_config())})
    bridge = [webview.create_window("bridge", pages.url + "/bridge.html", js_api=Api()) for _ in range(WINDOWS)]
    protocol = [webview.create_window("protocol", pages.url + "/protocol.html") for _ in range(WINDOWS)]

    def run() -> None:
        code = 0
        try:
            emit(measure(host, ingest, bridge, protocol))
        except Exception as error:
            print("delivery_qt failed: %r" % error, flush=True)
            code = 1
        finally:
            ingest.close()
            os._exit(code)  # Qt teardown of 8 windows adds nothing to measure

    webview.start(run, gui="qt")


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    main()
