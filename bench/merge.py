"""Host merge cost: intake + merge + ``capture_event`` of a renderer event vs a plain ``capture_event``.

Both sides use one client and one ``CountingTransport``, in one process, in alternating
batches; the figure is the median per-event cost and the median of the paired ratios.
"""

import copy
import time
from typing import Any, List, Tuple

import sentry_sdk

from bench.common import QUICK, CountingTransport, emit, median, sample_envelope, sample_event
from sentry_webview import WebviewIntegration
from sentry_webview.renderers.hub import RendererHub


def init_host() -> Tuple[RendererHub, CountingTransport]:
    """The SDK with the integration (classic mode: no protocol server) and a counting transport."""
    transport = CountingTransport()
    sentry_sdk.init(
        dsn="http://publickey@127.0.0.1:9/42",
        transport=transport,
        integrations=[WebviewIntegration(ipc_mode="classic")],
        release="bench@1.0",
        environment="bench",
    )
    return sentry_sdk.get_client().get_integration(WebviewIntegration).hub, transport


def renderer_batch(host: RendererHub, payload: bytes, n: int) -> float:
    """Seconds per event: ``n`` envelopes through the intake, merged, captured and flushed."""
    identity = host.identity_for("bench")
    start = time.perf_counter()
    for _ in range(n):
        host.intake.accept("envelope", payload, identity)
    host.flush(60)
    return (time.perf_counter() - start) / n


def plain_batch(events: List[Any]) -> float:
    """Seconds per event: ``capture_event`` of ready parsed events, flushed."""
    start = time.perf_counter()
    for event in events:
        sentry_sdk.capture_event(event)
    sentry_sdk.flush(60)
    return (time.perf_counter() - start) / len(events)


def main() -> None:
    repeats, n = (3, 500) if QUICK else (7, 2000)
    host, transport = init_host()
    payload, event = sample_envelope(), sample_event()
    renderer, plain = [], []
    for r in range(repeats + 1):  # the first round warms up
        events = [copy.deepcopy(event) for _ in range(n)]
        if r % 2:  # alternate which side goes first
            plain_us = plain_batch(events)
            renderer_us = renderer_batch(host, payload, n)
        else:
            renderer_us = renderer_batch(host, payload, n)
            plain_us = plain_batch(events)
        if r:
            renderer.append(renderer_us * 1e6)
            plain.append(plain_us * 1e6)
    sent = transport.count
    if sent != 2 * n * (repeats + 1):
        raise SystemExit("expected %d envelopes, the transport got %d" % (2 * n * (repeats + 1), sent))
    emit(
        {
            "renderer_us": median(renderer),
            "plain_us": median(plain),
            "ratio": median([a / b for a, b in zip(renderer, plain)]),
            "events_per_batch": n,
            "repeats": repeats,
            "envelope_bytes": transport.bytes // max(1, sent),
        }
    )


if __name__ == "__main__":
    main()
