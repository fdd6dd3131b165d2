"""Error storm (distinct-then-repeat): ``python -m bench.storm [--quick] [--gui qt|gtk] [--mode MODE]``.

Four pywebview windows, wired by ``sentry_webview.init`` with its defaults (offline queue, default
transport queue): each captures 30 distinct errors once, then one error ``REPEATS`` times as fast as
it can (``SentryWebview.captureException`` in batches of 50 per task). A 5th, idle window is pinged
(``evaluate_js("1")``) every ~10 ms from a host thread: its round trip is the GUI thread's stall.

Figures: distinct errors delivered (of 4 × 31), events delivered in all, client-report discards at the
ingest (every capture is delivered or discarded, none twice), GUI ping p50 / max, host RSS growth
during the storm (peak − before) and after it (10 s after the last capture was handled − at that
moment), delivered events/s (first capture → last arrival) against sentry-sdk alone sending copies
of the very events delivered, from the same process, right after (a plain ``sentry_sdk.Client``).

Without ``--gui`` it runs every GUI × mode in its own process and prints the table.
"""

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.common import QUICK, REPO, RESULT_PREFIX, GuiLag, Ingest, PageServer, emit, percentile

WINDOWS, DISTINCT = 4, 30
REPEATS = int(os.environ.get("STORM_REPEATS", 0)) or (500 if QUICK else 4500)
STORM_JS = r"""
window.storm = function (name, distinct, repeats) {
  // Without sentry-webview (the plain baseline) the page still builds each error and its stack.
  var sdk = window.SentryWebview || {captureException: function (error) { return error.stack; }};
  window.captureMs = 0; // the page's time inside captureException, synchronous part
  function capture(value) {
    var t = performance.now();
    sdk.captureException(new Error(value));
    window.captureMs += performance.now() - t;
  }
  for (var k = 0; k < distinct; k++) capture("storm " + name + " distinct " + k);
  var sent = 0;
  (function burst() {
    for (var end = Math.min(sent + 50, repeats); sent < end; sent++) capture("storm " + name + " repeat");
    if (sent < repeats) setTimeout(burst, 0); else document.title = "storm done";
  })();
};
"""
PAGE = "<!doctype html><html><head><title>storm</title><script>%s</script></head><body>storm</body></html>"


def rss_kib() -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def storm_in_process(gui: str, mode: str) -> None:
    import sentry_sdk
    import webview

    import sentry_webview

    ingest = Ingest()
    timeout = threading.Thread(target=lambda: (time.sleep(600), print("storm: timed out", flush=True), os._exit(3)))
    timeout.daemon = True
    timeout.start()
    plain = mode == "plain"
    if not plain:
        sentry_webview.init(dsn=ingest.dsn, release="bench@1.0", environment="bench", ipc_mode=mode)
    hub = None if plain else sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    pages = PageServer({"/storm.html": PAGE % STORM_JS, "/idle.html": "<!doctype html><title>idle</title>"})
    windows = [webview.create_window("storm %d" % i, pages.url + "/storm.html") for i in range(WINDOWS)]
    ping = webview.create_window("ping", pages.url + "/idle.html")
    lag = GuiLag(ping, gui)
    thrown = WINDOWS * (DISTINCT + REPEATS)

    def handled() -> int:
        if hub is None:  # plain: nobody counts, the pages say when they are done
            return thrown if all(w.evaluate_js("document.title") == "storm done" for w in windows) else 0
        stats = hub.intake.stats
        counters = ("events", "dropped_in_renderer", "queue_full", "malformed", "failed")
        return sum(stats.get(counter, 0) for counter in counters)

    def run() -> None:
        code = 0
        try:
            emit(measure())
        except Exception as error:
            print("storm failed: %r" % error, flush=True)
            code = 1
        finally:
            ingest.close()
            os._exit(code)  # Qt/GTK teardown of 5 windows adds nothing to measure

    def measure() -> Dict[str, Any]:
        for window in windows + [ping]:
            window.events.loaded.wait(30)
        time.sleep(1.0)
        pings: List[float] = []
        rss_before = rss_peak = rss_kib()
        started = time.time()
        lag.recording = True
        for i, window in enumerate(windows):
            window.evaluate_js("storm('w%d', %d, %d); 0" % (i, DISTINCT, REPEATS))
        deadline = time.monotonic() + 240
        while handled() < thrown and time.monotonic() < deadline:
            t = time.perf_counter()
            ping.evaluate_js("1")
            pings.append((time.perf_counter() - t) * 1000)
            rss_peak = max(rss_peak, rss_kib())
            time.sleep(0.01 if not plain else 0.1)
        lag.recording = False
        capture_ms = sum(float(w.evaluate_js("window.captureMs") or 0) for w in windows)
        result = {
            "gui": gui,
            "mode": mode,
            "thrown": thrown,
            "storm_s": time.time() - started,
            "page_us_per_capture": capture_ms * 1000 / thrown,
            "gui_lag_ms": lag.summary(),
            "ping_ms": {"p50": percentile(pings, 50), "max": max(pings, default=None), "count": len(pings)},
        }
        if hub is None:
            return result
        sentry_webview.flush(30)
        client = sentry_sdk.get_client()
        client.transport._flush_client_reports(force=True)
        client.flush(10)
        rss_done = rss_kib()
        time.sleep(10)
        rss_after = rss_kib()
        client.transport._flush_client_reports(force=True)
        client.flush(10)
        time.sleep(0.5)
        tally = ingest.tally()
        delivered = [(arrived, event) for arrived, event in ingest.take_full() if _is_storm(event)]
        values = [v for v in tally["values"] if (v or "").startswith("storm ")]
        first = {}  # the first arrival of each distinct error
        for arrived, event in sorted(delivered, key=lambda pair: pair[0]):
            first.setdefault(event["exception"]["values"][-1]["value"], (arrived, event))
        distinct_s = max(arrived for arrived, _ in first.values()) - started if first else None
        sdk_s = sdk_alone(ingest, [event for _, event in first.values()])
        result.update(
            distinct_delivered=len(first),
            distinct_total=WINDOWS * (DISTINCT + 1),
            delivered=len(values),
            events_at_ingest=len(tally["values"]),
            discarded=sum(q for key, q in tally["discards"].items() if key.startswith("error:")),
            discards=tally["discards"],
            items=tally["items"],
            stats=dict(hub.intake.stats),
            rss_mib={
                "before": rss_before / 1024,
                "growth": (rss_peak - rss_before) / 1024,
                "after": (rss_after - rss_done) / 1024,
            },
            distinct_s=distinct_s,
            sdk_distinct_s=sdk_s,
            ratio=sdk_s / distinct_s if sdk_s and distinct_s else None,
        )
        return result

    webview.start(run, gui=gui)


def _is_storm(event: Any) -> bool:
    try:
        return event["exception"]["values"][-1]["value"].startswith("storm ")
    except (KeyError, IndexError, TypeError, AttributeError):
        return False


def sdk_alone(ingest: Ingest, events: List[Dict[str, Any]]) -> Optional[float]:
    """Seconds a plain ``sentry_sdk.Client`` takes to deliver copies of ``events`` to the same ingest."""
    import sentry_sdk

    if not events:
        return None
    client = sentry_sdk.Client(
        dsn=ingest.dsn, default_integrations=False, release="bench@1.0", transport_queue_size=len(events) + 100
    )
    copies = []
    for event in events:
        event = copy.deepcopy(event)
        event.pop("event_id", None)
        event["exception"]["values"][-1]["value"] = "sdk " + event["exception"]["values"][-1]["value"]
        copies.append(event)
    started = time.time()
    for event in copies:
        client.capture_event(event)
    ingest.wait(len(copies), timeout=60)
    arrivals = [arrived for arrived, value in ingest.take() if (value or "").startswith("sdk ")]
    client.close()
    return max(arrivals) - started if len(arrivals) == len(copies) else None


GUI_MODES = [(gui, mode) for gui in ("qt", "gtk") for mode in ("plain", "both", "classic", "protocol")]


def run_child(gui: str, mode: str, quick: bool) -> Dict[str, Any]:
    env = dict(os.environ, QTWEBENGINE_DISABLE_SANDBOX="1", PYTHONPATH=os.environ.get("PYTHONPATH") or str(REPO))
    argv = [sys.executable, "-m", "bench.storm", "--gui", gui, "--mode", mode] + (["--quick"] if quick else [])
    if gui == "qt":
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        env.pop("QT_QPA_PLATFORM", None)
        argv = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"] + argv
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=660)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode or not lines:
        return {"gui": gui, "mode": mode, "error": (done.stdout + done.stderr).strip().splitlines()[-5:]}
    return json.loads(lines[-1][len(RESULT_PREFIX) :])


def row(r: Dict[str, Any]) -> str:
    if "error" in r:
        return "| %s, %s | error: %s |" % (r["mode"], r["gui"], " / ".join(r["error"]))
    lag = "%.0f / %.0f / %.0f ms" % (
        r["gui_lag_ms"]["p50"] or 0,
        r["gui_lag_ms"]["p99"] or 0,
        r["gui_lag_ms"]["max"] or 0,
    )
    ping = "%.0f / %.0f ms" % (r["ping_ms"]["p50"] or 0, r["ping_ms"]["max"] or 0)
    if r["mode"] == "plain":
        return "| plain (no sentry-webview), %s | | | %s | %s | | |" % (r["gui"], lag, ping)
    line = "| %s, %s | %d / %d | %d + %d = %d of %d | %s | %s | +%.0f / %+.0f MiB | %.2f vs %.2f s (%.2f×) |"
    return line % (
        r["mode"],
        r["gui"],
        r["distinct_delivered"],
        r["distinct_total"],
        r["delivered"],
        r["discarded"],
        r["delivered"] + r["discarded"],
        r["thrown"],
        lag,
        ping,
        r["rss_mib"]["growth"],
        r["rss_mib"]["after"],
        r["distinct_s"] or 0,
        r["sdk_distinct_s"] or 0,
        r["ratio"] or 0,
    )


HEADER = (
    "| mode, GUI | distinct delivered | delivered + discards = of thrown | GUI thread lag p50 / p99 / max "
    "| ping p50 / max | host RSS during / after | distinct errors delivered in: ours vs sentry-sdk alone |"
    "\n|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--gui", choices=("qt", "gtk"))
    parser.add_argument("--mode", choices=("plain", "both", "classic", "protocol"))
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.gui:
        storm_in_process(args.gui, args.mode or "both")
        return
    results = []
    for gui, mode in GUI_MODES:
        if args.mode and mode != args.mode:
            continue
        results.append(run_child(gui, mode, args.quick))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(HEADER)
    for r in results:
        print(row(r))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    emit({"runs": results})


if __name__ == "__main__":
    main()
