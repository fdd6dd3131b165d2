"""Delivery: renderer ``captureException`` → envelope at the ingest (``bench.ingest``, its own process).

The harness here drives any set of windows through ``run_js(window, expression)``; run as
``python -m bench.delivery`` it measures the protocol from Chromium pages (Playwright, Debian's
chromium). ``bench.delivery_qt`` drives pywebview Qt windows (bridge and protocol).

Throughput: each of k windows sends n/k errors as fast as it can; events/s = events received /
(last arrival − first capture). Latency: one error every ``GAP_MS`` from one window; per event, arrival at the
ingest (``time.time()``) − ``captureException`` time in the page (wall clock): it includes
@sentry/browser building the event, the bridge or protocol, intake, merge, ``capture_event`` and
sentry-sdk's HTTP transport up to the ingest's parse. ``intake_ms`` is the part up to the host's intake.
``sdk_*`` is the same host's sentry-sdk alone (``capture_event`` of the sample event, same scope and
transport, no renderer): the ceiling and floor of everything after our intake.
"""

import copy
import importlib.util
import json
import re
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import sentry_sdk

from bench.common import BENCH_JS, QUICK, REPO, Ingest, PageServer, emit, median, percentile, sample_event
from sentry_webview import WebviewIntegration
from sentry_webview.renderers.hub import RendererHub

REPEATS, EVENTS, PACED = (3, 200, 20) if QUICK else (5, 600, 80)
GAP_MS = 50  # 20 events/s: well under every path's capacity, so latency is not queueing
RunJs = Callable[[int, str], None]
_MESSAGE = re.compile(rb"bench (\S+) \d+ ([\d.]+)")


def init_host(dsn: str, **integration_options: Any) -> RendererHub:
    """The SDK with the integration. The transport queue holds a whole burst: we measure delivery, not drops."""
    sentry_sdk.init(
        dsn=dsn,
        integrations=[WebviewIntegration(**integration_options)],
        release="bench@1.0",
        environment="bench",
        transport_queue_size=100_000,
    )
    return sentry_sdk.get_client().get_integration(WebviewIntegration).hub


def shipped_page(config: Dict[str, Any]) -> str:
    """A page that ships the bundles itself, talking over the protocol (as tests/e2e/test_browser.py)."""
    return """<!doctype html><html><head><meta charset="utf-8"><title>protocol</title>
<script>window.__SENTRY_WEBVIEW__ = %s;</script>
<script src="/sentry-webview-preload.js"></script>
<script>SentryWebviewPreload.hookupIpc("sentry-ipc", window.__SENTRY_WEBVIEW__);</script>
<script src="/sentry-webview-renderer.js"></script>
<script>SentryWebview.init({ipcNamespace: "sentry-ipc"});</script>
<script>%s</script></head><body>protocol</body></html>""" % (json.dumps(config), BENCH_JS)


class IntakeClock:
    """Stamps each envelope as the host's intake accepts it (wraps ``intake.accept`` of this host)."""

    def __init__(self, host: RendererHub) -> None:
        self.stamps: List[Tuple[float, Any]] = []
        accept = host.intake.accept

        def stamped(channel: str, payload: Any, identity: Any) -> None:
            if channel == "envelope":
                self.stamps.append((time.time(), payload))
            accept(channel, payload, identity)

        host.intake.accept = stamped  # type: ignore[method-assign]

    def take(self, tag: str) -> Dict[str, float]:
        """``{capture ms: intake arrival s}`` of ``tag``'s envelopes."""
        stamps, self.stamps = self.stamps, []
        found = {}
        for arrived, payload in stamps:
            data = payload.encode() if isinstance(payload, str) else bytes(payload)
            match = _MESSAGE.search(data)
            if match and match.group(1).decode().rsplit(".", 1)[0] == tag:
                found[match.group(2).decode()] = arrived
        return found


def _events(ingest: Ingest, tag: str, expected: int) -> List[Tuple[float, float, str]]:
    """(arrival s, capture ms, capture text) of ``tag``'s events, once ``expected`` arrived or time ran out."""
    ingest.wait(expected, timeout=20 + expected / 20)
    rows = []
    for arrived, value in ingest.take():
        parts = (value or "").split()
        if len(parts) == 4 and parts[1].rsplit(".", 1)[0] == tag:
            rows.append((arrived, float(parts[3]), parts[3]))
    return rows


def throughput(ingest: Ingest, run_js: RunJs, tag: str, windows: int, n: int) -> Dict[str, Any]:
    """Events/s from ``windows`` windows sending ``n`` errors in all, as fast as they can."""
    per = n // windows
    for window in range(windows):
        run_js(window, "bench.burst(%s, %d)" % (json.dumps("%s.%d" % (tag, window)), per))
    return _rate(_events(ingest, tag, per * windows), per * windows)


def latency(ingest: Ingest, run_js: RunJs, tag: str, clock: Optional[IntakeClock] = None) -> Dict[str, Any]:
    """capture → ingest (and → intake) ms of ``PACED`` errors, one every ``GAP_MS``, from window 0."""
    run_js(0, "bench.paced(%s, %d, %d)" % (json.dumps(tag + ".0"), PACED, GAP_MS))
    rows = _events(ingest, tag, PACED)
    result = _latency(rows)
    if clock is not None:
        at_intake = clock.take(tag)
        intake = [at_intake[text] * 1000 - captured for _, captured, text in rows if text in at_intake]
        result.update(intake_p50_ms=percentile(intake, 50), intake_p99_ms=percentile(intake, 99))
    return result


def sdk_capture(tag: str, n: int, gap_ms: float = 0) -> None:
    """``capture_event`` of ``n`` copies of the sample event from this host thread, tagged like the pages'."""
    events = [copy.deepcopy(sample_event()) for _ in range(n)]
    for i, event in enumerate(events):
        event["exception"]["values"][-1]["value"] = "bench %s.0 %d %f" % (tag, i, time.time() * 1000)
        sentry_sdk.capture_event(event)
        time.sleep(gap_ms / 1000)


def sdk_throughput(ingest: Ingest, tag: str, n: int) -> Dict[str, Any]:
    sdk_capture(tag, n)
    return _rate(_events(ingest, tag, n), n)


def sdk_latency(ingest: Ingest, tag: str) -> Dict[str, Any]:
    sdk_capture(tag, PACED, GAP_MS)
    return _latency(_events(ingest, tag, PACED))


def _rate(rows: List[Tuple[float, float, str]], expected: int) -> Dict[str, Any]:
    """Events/s from the first capture to the last arrival."""
    elapsed = max(r[0] for r in rows) - min(r[1] for r in rows) / 1000 if rows else 0
    return {"events_per_s": len(rows) / elapsed if elapsed else 0.0, "lost": expected - len(rows)}


def _latency(rows: List[Tuple[float, float, str]]) -> Dict[str, Any]:
    total = [arrived * 1000 - captured for arrived, captured, _ in rows]
    return {"p50_ms": percentile(total, 50), "p99_ms": percentile(total, 99), "lost": PACED - len(rows)}


def summarize(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The median over repeats of every figure (and the total of ``lost``)."""
    keys = {key for run in runs for key in run}
    return {
        key: sum(run.get(key) or 0 for run in runs)
        if key == "lost"
        else median([run[key] for run in runs if run.get(key) is not None])
        for key in sorted(keys)
    }


def watchdog(seconds: float, on_timeout: Callable[[], None]) -> None:
    def fire() -> None:
        time.sleep(seconds)
        on_timeout()

    threading.Thread(target=fire, daemon=True).start()


def _playwright_config() -> Any:
    spec = importlib.util.spec_from_file_location("playwright_config", REPO / "playwright.config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    """Chromium (Playwright) pages over the protocol: throughput from 1 and 4 pages, latency."""
    from playwright.sync_api import sync_playwright

    ingest = Ingest()
    host = init_host(ingest.dsn, ipc_mode="protocol")
    clock = IntakeClock(host)
    pages = PageServer({"/protocol.html": shipped_page(host.renderer_config())})
    runs = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**_playwright_config().launch_args())
            tabs = [browser.new_page() for _ in range(4)]
            for tab in tabs:
                tab.goto(pages.url + "/protocol.html")
            deadline = time.monotonic() + 20
            while host.intake.stats["renderers_started"] < 4 and time.monotonic() < deadline:
                time.sleep(0.05)

            def run_js(window: int, expression: str) -> None:
                tabs[window].evaluate("() => { %s; }" % expression)

            for r in range(REPEATS):
                runs.append(
                    {
                        "protocol_1w": throughput(ingest, run_js, "r%d-p1" % r, 1, EVENTS),
                        "protocol_4w": throughput(ingest, run_js, "r%d-p4" % r, 4, EVENTS),
                        "protocol_latency": latency(ingest, run_js, "r%d-pl" % r, clock),
                    }
                )
            browser.close()
    finally:
        ingest.close()
    emit({name: summarize([run[name] for run in runs]) for name in runs[0]} | {"repeats": REPEATS, "events": EVENTS})


if __name__ == "__main__":
    main()
