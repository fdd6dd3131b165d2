"""Host memory: RSS while 100k renderer events (and a scope message with a new breadcrumb every 10th)
go through intake, merge and ``capture_event`` to a counting transport. It must stay flat."""

import json
import time

from bench.common import QUICK, emit, sample_envelope
from bench.merge import init_host

BATCH = 1000


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def main() -> None:
    total = 10_000 if QUICK else 100_000
    host, transport = init_host()
    identity = host.identity_for("bench")
    payload = sample_envelope()
    samples = [(0, rss_mib())]
    for done in range(BATCH, total + 1, BATCH):
        for i in range(done - BATCH, done):
            if i % 10 == 0:
                crumb = {"category": "ui.click", "message": "clicked %d" % i, "timestamp": time.time()}
                host.intake.accept("scope", json.dumps({"breadcrumbs": [crumb]}), identity)
            host.intake.accept("envelope", payload, identity)
        host.flush(60)
        if done % (total // 10) == 0:
            samples.append((done, rss_mib()))
    if transport.count != total:
        raise SystemExit(
            "expected %d envelopes, the transport got %d (%s)" % (total, transport.count, host.intake.stats)
        )
    warm = samples[1][1]  # after the first tenth: imports, caches and the full breadcrumb ring are in
    emit(
        {
            "events": total,
            "rss_mib": [[count, round(rss, 1)] for count, rss in samples],
            "rss_start_mib": samples[0][1],
            "rss_end_mib": samples[-1][1],
            "growth_after_warmup_mib": samples[-1][1] - warm,
        }
    )


if __name__ == "__main__":
    main()
