"""The offline queue, against a real ingest that is down, failing, rate limiting or hanging:
nothing the app captured is lost, nothing arrives twice, quit never waits on the network."""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope

import sentry_webview
from sentry_webview.transport.offline import DiskQueue
from tests.conftest import load_sample, sample_event
from tests.oracles import assert_relay_accepts

ERROR = load_sample("envelope_error.txt")


def dead_dsn():
    """A DSN whose port refuses connections."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return "http://publickey@127.0.0.1:%d/42" % port


def capture_host_errors(count, prefix="offline"):
    ids = []
    for i in range(count):
        try:
            raise RuntimeError("%s %d" % (prefix, i))
        except RuntimeError:
            ids.append(sentry_sdk.capture_exception())
    return ids


def send_renderer_error():
    host = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    host.intake.accept("envelope", ERROR, host.identity_for("renderer-1"))
    assert host.intake.join(5)


def close_client():
    sentry_sdk.get_client().close(timeout=2)


def eventually(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def queued(path):
    return sorted(p.name for p in path.glob("*.envelope"))


def test_events_captured_while_the_ingest_is_down_arrive_once_at_the_next_start(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    webview_sdk(dsn=dead_dsn(), offline={"path": queue})
    ids = capture_host_errors(3)
    send_renderer_error()
    close_client()
    assert len(queued(queue)) == 4
    webview_sdk(offline={"path": queue, "retry_interval": 0.2})
    events = ingest.wait_for_events(4)
    time.sleep(0.5)
    assert sorted(e["event_id"] for e in ingest.events) == sorted(ids + [sample_event()["event_id"]])
    assert queued(queue) == []
    for event in events:
        assert_relay_accepts(event)


def test_at_start_the_whole_queue_is_sent_in_one_round_not_one_envelope_per_retry_interval(
    webview_sdk, ingest, tmp_path
):
    """With the default retry interval (60 s), what waited on disk arrives at once, each as an envelope."""
    queue = tmp_path / "queue"
    webview_sdk(dsn=dead_dsn(), offline={"path": queue})
    ids = capture_host_errors(3)
    close_client()
    webview_sdk(offline={"path": queue})
    assert sorted(e["event_id"] for e in ingest.wait_for_exactly(3, timeout=5)) == sorted(ids)
    assert {r.headers["Content-Type"] for r in ingest.received} == {"application/x-sentry-envelope"}
    assert queued(queue) == []


def test_the_default_queue_is_under_the_data_dir_per_dsn(webview_sdk, ingest, tmp_path):
    webview_sdk(dsn=dead_dsn(), offline={}, data_dir=tmp_path / "app-data")
    capture_host_errors(1)
    close_client()
    [stored] = list((tmp_path / "app-data").rglob("*.envelope"))
    assert stored.parent.parent == tmp_path / "app-data" / "queue"  # <data dir>/queue/<hash of the DSN>/


def test_a_failing_ingest_gets_the_events_once_it_recovers(webview_sdk, ingest, tmp_path):
    ingest.reply = (500, {})
    webview_sdk(offline={"path": tmp_path / "q", "retry_interval": 0.2})
    [event_id] = capture_host_errors(1)
    assert ingest.wait_for(lambda i: i.attempts >= 1)
    time.sleep(0.5)
    assert ingest.events == []
    ingest.reply = (200, {})
    assert [e["event_id"] for e in ingest.wait_for_exactly(1)] == [event_id]


def test_a_rate_limit_is_honoured_before_sending_again(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    ingest.reply = (429, {"X-Sentry-Rate-Limits": "2:error:key", "Retry-After": "2"})
    webview_sdk(offline={"path": queue, "retry_interval": 0.2})
    ids = capture_host_errors(1)
    eventually(lambda: queued(queue))  # after urllib3's own retries of the 429
    limited_at = time.monotonic()
    ingest.reply = (200, {})
    ids += capture_host_errors(1, prefix="during the limit")  # stored, not sent, while the limit lasts
    ingest.wait_for_events(2, timeout=10)
    assert time.monotonic() - limited_at >= 1.5
    time.sleep(0.5)
    assert sorted(e["event_id"] for e in ingest.events) == sorted(ids)


@pytest.mark.parametrize("reply", [None, (429, {}), (503, {})], ids=["refused", "429", "503"])
def test_what_waits_on_disk_stays_there_while_the_dsn_still_cannot_take_it(webview_sdk, ingest, tmp_path, reply):
    queue = tmp_path / "queue"
    webview_sdk(dsn=dead_dsn(), offline={"path": queue})
    ids = capture_host_errors(2)
    close_client()
    stored = queued(queue)
    if reply is None:  # the next start is offline too
        webview_sdk(dsn=dead_dsn(), offline={"path": queue, "retry_interval": 0.1})
    else:
        ingest.reply = reply
        webview_sdk(offline={"path": queue, "retry_interval": 0.1})
        eventually(lambda: ingest.attempts >= 1)
    time.sleep(0.5)
    assert queued(queue) == stored
    close_client()
    ingest.reply = (200, {})
    webview_sdk(offline={"path": queue, "retry_interval": 0.1})
    assert sorted(e["event_id"] for e in ingest.wait_for_exactly(2)) == sorted(ids)


def test_an_envelope_the_dsn_refuses_for_good_is_not_stored_and_is_reported_lost(webview_sdk, ingest, tmp_path):
    ingest.reply = (413, {})  # too large: sending it again would fail again
    webview_sdk(offline={"path": tmp_path / "queue"})
    capture_host_errors(1)
    eventually(lambda: ingest.attempts >= 1)
    ingest.reply = (200, {})
    sentry_webview.flush(2)
    assert queued(tmp_path / "queue") == []
    assert ingest.wait_for(lambda i: i.client_reports()) == [
        {"reason": "send_error", "category": "error", "quantity": 1}
    ]


def test_of_an_envelope_only_the_rate_limited_items_wait_on_disk(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    ingest.reply = (200, {"X-Sentry-Rate-Limits": "60:attachment:key"})
    webview_sdk(offline={"path": queue})
    capture_host_errors(1, prefix="first")  # its answer sets the limit
    sentry_webview.flush(2)
    ingest.reply = (200, {})
    sentry_sdk.get_isolation_scope().add_attachment(bytes=b"log", filename="app.log")
    [event_id] = capture_host_errors(1, prefix="with an attachment")
    sentry_webview.flush(2)
    [sent] = [r for r in ingest.received if (r.event or {}).get("event_id") == event_id]
    assert [item.type for item in sent.envelope.items] == ["event"]
    [waiting] = [Envelope.deserialize(p.read_bytes()) for p in sorted(queue.glob("*.envelope"))]
    assert [item.type for item in waiting.items] == ["attachment"] and waiting.headers["event_id"] == event_id


def test_quit_with_a_hanging_ingest_is_bounded_and_loses_nothing(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    ingest.hang.set()
    webview_sdk(offline={"path": queue}, shutdown_timeout=1)
    ids = capture_host_errors(5)
    assert ingest.wait_for(lambda i: i.attempts >= 1)
    started = time.monotonic()
    close_client()
    assert time.monotonic() - started < 2.5
    # One envelope hangs in flight; the rest wait in the SDK's queue and go to disk at quit.
    assert len(queued(queue)) == 4
    ingest.hang.clear()
    webview_sdk(offline={"path": queue, "retry_interval": 0.2})
    ingest.wait_for(lambda i: set(ids) <= {e["event_id"] for e in i.events})


def test_what_overflows_the_sdks_send_queue_waits_on_disk(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    ingest.hang.set()
    webview_sdk(offline={"path": queue}, transport_queue_size=1)
    ids = capture_host_errors(4)  # one in flight, one queued, two over the SDK's queue
    assert len(queued(queue)) == 2
    ingest.hang.clear()
    close_client()
    webview_sdk(offline={"path": queue, "retry_interval": 0.2})
    assert sorted(e["event_id"] for e in ingest.wait_for_exactly(4)) == sorted(ids)  # each once


def test_the_queue_is_bounded_and_drops_are_reported(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    ingest.reply = (500, {})
    webview_sdk(offline={"path": queue, "max_count": 3, "retry_interval": 0.2})
    ids = capture_host_errors(5)
    eventually(lambda: ingest.attempts >= 5 and len(queued(queue)) == 3)
    ingest.reply = (200, {})
    assert sorted(e["event_id"] for e in ingest.wait_for_events(3)) == sorted(ids[2:])
    sentry_sdk.get_client().transport._flush_client_reports(force=True)
    reports = ingest.wait_for(lambda i: [r for r in i.received if r.items_of("client_report")])
    items = [item for received in reports for item in received.items_of("client_report")]
    discarded = [entry for item in items for entry in json.loads(item.get_bytes())["discarded_events"]]
    assert {"reason": "queue_overflow", "category": "error", "quantity": 2} in discarded


def test_an_unreadable_file_is_quarantined_and_the_rest_still_arrive(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    webview_sdk(dsn=dead_dsn(), offline={"path": queue})
    [event_id] = capture_host_errors(1)
    close_client()
    corrupt = "%020d-000000.envelope" % time.time_ns()
    (queue / corrupt).write_bytes(b"\x00not an envelope\n{")
    webview_sdk(offline={"path": queue, "retry_interval": 0.2})
    assert [e["event_id"] for e in ingest.wait_for_exactly(1)] == [event_id]
    assert [p.name for p in (queue / "quarantine").iterdir()] == [corrupt]


def test_should_send_and_should_store_decide(webview_sdk, ingest, tmp_path):
    consent = {"given": False}
    queue = tmp_path / "queue"
    webview_sdk(
        offline={
            "path": queue,
            "retry_interval": 0.2,
            "should_send": lambda envelope: consent["given"],
            "should_store": lambda envelope, error: errors.append(error) or "keep" in json.dumps(envelope.get_event()),
        }
    )
    errors = []
    kept = capture_host_errors(1, prefix="keep")
    capture_host_errors(1, prefix="drop")
    sentry_webview.flush(2)
    time.sleep(0.5)
    assert ingest.events == []
    assert len(queued(queue)) == 1
    assert errors == ["should_send returned False"] * 2  # why it wasn't sent, for the app to judge
    consent["given"] = True
    assert [e["event_id"] for e in ingest.wait_for_exactly(1)] == kept


def test_what_should_store_refuses_is_reported_lost(webview_sdk, ingest, tmp_path):
    ingest.reply = (500, {})
    errors = []
    webview_sdk(offline={"path": tmp_path / "queue", "should_store": lambda envelope, error: errors.append(error)})
    sentry_sdk.get_isolation_scope().add_attachment(bytes=b"log", filename="app.log")
    capture_host_errors(1)
    eventually(lambda: errors)
    assert errors == ["HTTP 500"] and queued(tmp_path / "queue") == []
    ingest.reply = (200, {})
    sentry_webview.flush(2)  # sends the client report: Sentry's stats count the event and its attachment as lost
    assert sorted(ingest.wait_for(lambda i: i.client_reports()), key=lambda e: e["category"]) == [
        {"reason": "network_error", "category": "attachment", "quantity": 3},
        {"reason": "network_error", "category": "error", "quantity": 1},
    ]


def test_an_envelope_that_cannot_be_written_to_disk_is_reported_lost(webview_sdk, ingest, tmp_path, caplog):
    ingest.reply = (500, {})
    (tmp_path / "queue").write_text("a file where the queue's directory should be")
    webview_sdk(offline={"path": tmp_path / "queue"})
    capture_host_errors(1)
    eventually(lambda: "could not store an envelope offline" in caplog.text)
    ingest.reply = (200, {})
    sentry_webview.flush(2)
    assert ingest.wait_for(lambda i: i.client_reports()) == [
        {"reason": "network_error", "category": "error", "quantity": 1}
    ]


def test_client_reports_never_take_a_slot_of_the_queue(webview_sdk, ingest, tmp_path):
    queue = tmp_path / "queue"
    webview_sdk(dsn=dead_dsn(), offline={"path": queue, "max_count": 2})
    capture_host_errors(1)
    transport = sentry_sdk.get_client().transport
    transport.record_lost_event("sample_rate", data_category="error")
    transport._flush_client_reports(force=True)  # a report alone in its envelope, sending fails
    sentry_webview.flush(2)
    close_client()
    assert [json.loads(p.read_bytes().split(b"\n")[1])["type"] for p in sorted(queue.glob("*.envelope"))] == ["event"]


def test_offline_can_be_turned_off_and_a_bad_option_is_a_clear_error(webview_sdk):
    with pytest.raises(ValueError, match="unknown offline option"):
        webview_sdk(offline={"max_files": 3})
    webview_sdk(offline=False)
    assert type(sentry_sdk.get_client().transport).__name__ == "HttpTransport"


def test_a_kill_during_queue_writes_leaves_only_whole_envelopes(tmp_path):
    queue = tmp_path / "queue"
    writer = textwrap.dedent(
        """
        import sys
        from sentry_webview.transport.offline import DiskQueue
        queue = DiskQueue(sys.argv[1], max_count=10**6, max_bytes=10**12, max_age_days=30)
        data = open(sys.argv[2], "rb").read()
        print("writing", flush=True)
        while True:
            queue.put(data)
        """
    )
    sample = tmp_path / "sample.envelope"
    sample.write_bytes(ERROR.encode() * 50)
    child = subprocess.Popen([sys.executable, "-c", writer, str(queue), str(sample)], stdout=subprocess.PIPE)
    assert child.stdout.readline() == b"writing\n"
    time.sleep(0.5)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    reopened = DiskQueue(queue, max_count=10**6, max_bytes=10**12, max_age_days=30)
    files = reopened.files()
    assert files and list(queue.glob("*.tmp")) == []
    assert all(f.read_bytes() == sample.read_bytes() for f in files)
