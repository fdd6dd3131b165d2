"""What a user would lose if one line went wrong: each test goes through the path an app takes
(the real protocol socket, intake, transport, disk queue and a real local ingest) and counts every
event that arrives. Each names the bug (mutant) it catches; see the README's "Mutation testing"."""

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import sentry_sdk

import sentry_webview
from tests.conftest import sample_event
from tests.integration.test_offline import capture_host_errors, dead_dsn
from tests.integration.test_renderer_events import envelope_of
from tests.oracles import assert_relay_accepts
from tests.protocol_client import post


def queued(path):
    return sorted(path.glob("*.envelope"))


def lost(ingest, reason, category="error"):
    """How many ``category`` items the host reported lost for ``reason`` in client reports."""
    sentry_sdk.get_client().transport._flush_client_reports(force=True)
    sentry_sdk.flush(5)
    return sum(
        entry["quantity"]
        for entry in ingest.client_reports()
        if entry["reason"] == reason and entry["category"] == category
    )


def eventually(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- mutant: merge.py no longer replaces the renderer's own release/environment/dist ---------------


@pytest.mark.parametrize("host_dist", ["42", None])
def test_a_page_with_its_own_release_reports_under_the_hosts(webview_sdk, ingest, host_dist):
    """A page bundling its own @sentry/browser sets release/environment/dist; Sentry must show the app's."""
    webview_sdk(**({"dist": host_dist} if host_dist else {}))
    config = sentry_webview.renderer_config()
    event = dict(sample_event(), release="page@9.9.9", environment="page-env", dist="page-dist")
    status, _, text = post(config, "envelope", envelope_of(event))
    assert status == 200, text
    assert sentry_webview.flush(5)
    [arrived] = ingest.wait_for_exactly(1)
    assert arrived["event_id"] == event["event_id"]
    assert (arrived["release"], arrived["environment"]) == ("app@1.2.3", "test")
    assert arrived.get("dist") == host_dist
    assert_relay_accepts(arrived)


# -- mutant: intake.py no longer records a full intake queue as lost --------------------------------


def test_a_full_intake_queue_is_reported_as_lost(webview_sdk, ingest):
    """The intake worker is stuck (here in the app's before_send); a page keeps sending: what doesn't
    fit the queue is refused (429 to the page) and dropped, and Sentry hears how many (client report
    ``queue_overflow``); everything accepted arrives."""
    release = threading.Event()
    entered = threading.Event()

    def before_send(event, hint):
        entered.set()
        release.wait(10)
        return event

    webview_sdk(max_queue=2, before_send=before_send)
    config = sentry_webview.renderer_config()
    base = sample_event()
    statuses = []
    for i in range(6):
        event = dict(base, event_id="%032x" % (i + 1))
        statuses.append(post(config, "envelope", envelope_of(event))[0])
        if i == 0:
            assert entered.wait(5)  # the worker holds #1; the queue fills behind it
    release.set()
    assert sentry_webview.flush(5)
    accepted = ["%032x" % (i + 1) for i, status in enumerate(statuses) if status == 200]
    assert set(statuses) == {200, 429} and statuses[0] == 200, statuses
    assert sorted(e["event_id"] for e in ingest.wait_for_exactly(len(accepted))) == accepted
    assert lost(ingest, "queue_overflow") == statuses.count(429)


# -- mutant: protocol.py counts a byte in flight when none is (``reading = [1]``) --------------------


def test_an_idle_host_takes_one_body_larger_than_its_byte_budget(webview_sdk, ingest):
    """A page's event with a large attachment (a screenshot, a log file) bigger than the intake's byte
    budget but under the request cap: with nothing read or queued it is taken and arrives, else it
    would get 429 at every retry and never arrive."""
    webview_sdk()
    intake = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub.intake
    intake.max_bytes = 256 * 1024
    config = sentry_webview.renderer_config()
    event = dict(sample_event(), event_id="%032x" % 7)
    log = "x" * (512 * 1024)
    body = envelope_of(event, ({"type": "attachment", "filename": "big.log", "length": len(log)}, log))
    assert post(config, "envelope", body)[0] == 200
    [arrived] = ingest.wait_for_exactly(1)
    assert arrived["event_id"] == event["event_id"]
    assert [len(a.get_bytes()) for r in ingest.received for a in r.items_of("attachment")] == [len(log)]


# -- mutant: offline.py's flush no longer spills what still waits in sentry-sdk's queue -------------

QUIT_APP = textwrap.dedent(
    """
    import os, sys
    import sentry_sdk, sentry_webview
    sentry_webview.init(dsn=sys.argv[1], offline={"path": sys.argv[2]}, release="app@1")
    ids = []
    for i in range(5):
        try:
            raise RuntimeError("at quit %d" % i)
        except RuntimeError:
            ids.append(sentry_sdk.capture_exception())
    print(" ".join(ids), flush=True)
    sentry_webview.flush(1.0)   # the quit flush, bounded
    os._exit(0)                 # and the process is gone (no atexit, no client close)
    """
)


def test_what_waits_in_the_sdk_at_the_quit_flush_arrives_at_the_next_start(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    script = tmp_path / "app.py"
    script.write_text(QUIT_APP)
    ingest.hang.set()  # the network is too slow to deliver anything before quit
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    run = subprocess.run(
        [sys.executable, str(script), ingest.dsn, str(queue)], capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode == 0, run.stderr
    ids = run.stdout.split()
    assert len(ids) == 5
    # One envelope was in flight when the process died; the four still queued went to disk.
    assert len(queued(queue)) == 4
    ingest.hang.clear()
    webview_sdk(offline={"path": queue, "retry_interval": 0.2})
    assert sorted(e["event_id"] for e in ingest.wait_for_exactly(5)) == sorted(ids)
    assert queued(queue) == []


# -- mutants: the disk queue ignores max_bytes / max_age_days ---------------------------------------


def test_the_disk_queue_keeps_to_max_bytes_and_reports_what_it_drops(webview_sdk, ingest, tmp_path):
    probe = tmp_path / "probe"
    webview_sdk(dsn=dead_dsn(), offline={"path": probe})
    capture_host_errors(1)
    sentry_sdk.get_client().close(timeout=2)
    [file] = queued(probe)
    size = file.stat().st_size  # one stored host error; the ones below differ by a few bytes at most

    queue = tmp_path / "queue"
    ingest.reply = (500, {})
    webview_sdk(offline={"path": queue, "max_bytes": int(size * 2.5), "max_count": 100, "retry_interval": 0.2})
    ids = capture_host_errors(5)
    eventually(lambda: ingest.attempts >= 5 and len(queued(queue)) == 2)
    assert sum(f.stat().st_size for f in queued(queue)) <= size * 2.5
    ingest.reply = (200, {})
    assert sorted(e["event_id"] for e in ingest.wait_for_exactly(2)) == sorted(ids[3:])
    assert lost(ingest, "queue_overflow") == 3


def test_the_disk_queue_drops_what_is_older_than_max_age_and_reports_it(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    webview_sdk(dsn=dead_dsn(), offline={"path": queue})
    capture_host_errors(2, prefix="old")
    sentry_sdk.get_client().close(timeout=2)
    assert len(queued(queue)) == 2
    time.sleep(2.5)  # older than the 2 s max age below
    webview_sdk(offline={"path": queue, "max_age_days": 2 / 86400, "retry_interval": 0.2})
    [fresh] = capture_host_errors(1, prefix="fresh")
    assert [e["event_id"] for e in ingest.wait_for_exactly(1)] == [fresh]
    assert queued(queue) == []
    assert lost(ingest, "queue_overflow") == 2
