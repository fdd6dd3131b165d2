"""Every renderer input has a bound: a flooding page can't starve another, bodies have a byte budget,
deep JSON is a 400, and the loopback server caps and times out its connections. Loopback only, every
loop bounded in count and time."""

import collections
import json
import socket
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest
import sentry_sdk

import sentry_webview
from sentry_webview.integrations import renderer_hang
from sentry_webview.ipc import protocol, wire
from sentry_webview.renderers import hub as hub_module
from sentry_webview.renderers.hub import MAX_EVENT_ITEM_BYTES, MAX_REPLAY_RECORDING_BYTES
from sentry_webview.renderers.identity import RendererIdentity
from tests.oracles import assert_relay_accepts
from tests.protocol_client import post

FLOOD_SECONDS = 6.0
FLOOD_MAX_REQUESTS = 4000
OTHER_EVENTS = 20


def envelope(message, event_id=None, attachment=b""):
    event_id = event_id or uuid.uuid4().hex
    lines = [json.dumps({"event_id": event_id}), json.dumps({"type": "event"})]
    lines.append(json.dumps({"event_id": event_id, "message": message, "platform": "javascript"}))
    if attachment:
        lines += [json.dumps({"type": "attachment", "length": len(attachment), "filename": "a.bin"})]
        return ("\n".join(lines) + "\n").encode() + attachment
    return "\n".join(lines)


def envelope_of_size(message, size):
    """An envelope of exactly ``size`` bytes: an event and an attachment that fills the rest."""
    attachment = size
    while len(envelope(message, "f" * 32, b"y" * attachment)) != size:
        attachment = size - (len(envelope(message, "f" * 32, b"y" * attachment)) - attachment)
    return envelope(message, "f" * 32, b"y" * attachment)


def hub():
    return sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub


def flood_header(kind, n):
    """The renderer id header a flooding page sends: always the same, or a new one or none at all each time."""
    if kind == "fixed":
        return "flooder"
    return None if n % 2 else "flood-%s" % uuid.uuid4().hex


def wired_window(renderer_id):
    """A renderer the hub knows: a wired window showing the app's loopback page."""
    identity = RendererIdentity(renderer_id, url="http://127.0.0.1:8000/index.html")
    hub().window_created(identity)
    return identity


@pytest.mark.parametrize("header", ["fixed", "varied or left out"])
def test_a_flooding_page_does_not_make_another_pages_events_wait(webview_sdk, ingest, header):
    handled = {}

    def before_send(event, hint):
        handled.setdefault(event.get("message") or event.get("logentry", {}).get("message"), time.monotonic())
        return event

    webview_sdk(before_send=before_send)
    config = sentry_webview.renderer_config()
    wired_window("shop")
    stop = threading.Event()
    answers = []

    def flood():
        while not stop.is_set() and len(answers) < FLOOD_MAX_REQUESTS:
            answers.append(post(config, "envelope", envelope("flood"), renderer=flood_header(header, len(answers)))[0])

    flooders = [threading.Thread(target=flood) for _ in range(4)]
    for thread in flooders:
        thread.start()
    deadline = time.monotonic() + FLOOD_SECONDS + 10
    time.sleep(1.0)  # the flood is on
    sent, shop_answers = {}, []
    for n in range(OTHER_EVENTS):
        message = "shop-%d" % n
        sent[message] = time.monotonic()
        shop_answers.append(post(config, "envelope", envelope(message), renderer="shop")[0])
        time.sleep((FLOOD_SECONDS - 1.0) / OTHER_EVENTS)
    stop.set()
    for thread in flooders:
        thread.join(max(0.1, deadline - time.monotonic()))
    assert hub().intake.join(30)
    assert shop_answers == [200] * OTHER_EVENTS  # never refused
    waits = sorted(handled[m] - sent[m] for m in sent)
    p95 = waits[int(len(waits) * 0.95) - 1]
    print(
        "flood: %d requests (%s), other page's wait p50 %.0f ms p95 %.0f ms max %.0f ms"
        % (
            len(answers),
            {s: answers.count(s) for s in set(answers)},
            waits[len(waits) // 2] * 1000,
            p95 * 1000,
            waits[-1] * 1000,
        )
    )
    assert len(answers) > 300, "the flood did not happen"
    assert p95 <= 0.2
    assert set(answers) <= {200, 429}
    stats = hub().stats
    assert stats["events"] == answers.count(200) + OTHER_EVENTS  # each accepted event handled once, none lost
    assert sentry_webview.flush(10)
    events = ingest.events
    messages = [e.get("message") for e in events]
    assert len(messages) == len({e["event_id"] for e in events})  # no event twice
    assert set(messages) <= {"flood"} | set(sent)


def test_with_the_queue_full_of_a_pages_flood_under_any_ids_a_wired_window_is_still_served_next(webview_sdk, ingest):
    order = []
    webview_sdk(max_queue=40, before_send=lambda event, hint: order.append(event.get("message")) or event)
    config = sentry_webview.renderer_config()
    wired_window("shop")
    intake = hub().intake
    release = threading.Event()
    original = hub()._on_envelope

    def slow(envelope, identity):  # the worker is busy: the flood waits in the intake
        release.wait(10)
        original(envelope, identity)

    intake.routes["envelope"] = intake.routes["envelope"].__class__(
        intake.routes["envelope"].parse, slow, intake.routes["envelope"].inline
    )
    flood = [post(config, "envelope", envelope("flood"), renderer=flood_header("varied", n))[0] for n in range(60)]
    shop = [post(config, "envelope", envelope("shop-%d" % n), renderer="shop")[0] for n in range(3)]
    assert shop == [200, 200, 200]
    assert flood.count(429) >= 40  # one bucket for them all: at most a quarter of the queue
    release.set()
    assert intake.join(10) and sentry_webview.flush(5)
    ingest.wait_for_exactly(flood.count(200) + 3, timeout=5)
    # The flood's message in hand and its next one (its bucket came first), then turns alternate.
    assert [order.index("shop-%d" % n) for n in range(3)] == [2, 4, 6], order


def hold_the_worker(max_bytes):
    """The intake's worker waits for the returned event: bodies stay queued, within ``max_bytes``."""
    intake = hub().intake
    intake.max_bytes = max_bytes
    release = threading.Event()
    original = hub()._on_envelope

    def slow(envelope, identity):
        release.wait(10)
        original(envelope, identity)

    route = intake.routes["envelope"]
    intake.routes["envelope"] = route.__class__(route.parse, slow, route.inline)
    return intake, release


def test_past_the_bytes_budget_bodies_get_429_with_a_client_report(webview_sdk, ingest):
    webview_sdk()
    config = sentry_webview.renderer_config()
    intake, release = hold_the_worker(3 * 1024 * 1024)
    replies = [post(config, "envelope", envelope("big", attachment=b"x" * 1024 * 1024)) for _ in range(6)]
    statuses = [status for status, _, _ in replies]
    assert statuses[:2] == [200, 200] and 429 in statuses
    # A page whose @sentry/browser transport posts here backs off for Retry-After (60 s without it).
    retry_after = [{k.lower(): v for k, v in headers.items()}.get("retry-after") for status, headers, _ in replies]
    assert {value for value, status in zip(retry_after, statuses) if status == 429} == {"1"}
    # and it can read them: a refusal without CORS headers is a network error to the page's fetch
    assert {h.get("Access-Control-Allow-Origin") for status, h, _ in replies} == {"http://127.0.0.1:8000"}
    assert intake.queued_bytes <= intake.max_bytes
    release.set()
    assert intake.join(10) and sentry_webview.flush(5)
    assert len(ingest.events) == statuses.count(200)
    ingest.wait_for(lambda i: [item for r in i.received for item in r.items_of("client_report")], timeout=5)
    reports = [json.loads(item.get_bytes()) for r in ingest.received for item in r.items_of("client_report")]
    lost = collections.Counter()
    for entry in (d for r in reports for d in r.get("discarded_events", [])):
        lost[entry["reason"], entry["category"]] += entry["quantity"]
    assert lost == {("queue_overflow", "error"): statuses.count(429)}  # what Sentry's stats show as dropped errors


def test_a_body_past_the_budget_is_refused_before_it_is_read_and_one_that_fits_exactly_is_taken(webview_sdk, ingest):
    """The budget counts a body by its Content-Length before reading a byte of it: a page can't make the
    host hold more than the budget in memory, and a body that just fits is not refused."""
    webview_sdk()
    config = sentry_webview.renderer_config()
    intake, release = hold_the_worker(3 * 1024 * 1024)
    assert post(config, "envelope", envelope("queued", attachment=b"x" * 1024 * 1024))[0] == 200
    room = intake.max_bytes - intake.queued_bytes
    url = urlsplit(config["protocolUrl"])
    with socket.create_connection((url.hostname, url.port), timeout=3) as sock:  # headers only, no body
        sock.sendall(
            b"POST %s HTTP/1.1\r\nHost: %s\r\nOrigin: http://127.0.0.1:8000\r\n%s: %s\r\nContent-Length: %d\r\n\r\n"
            % (
                wire.protocol_path(config["ipcNamespace"], "envelope").encode(),
                url.netloc.encode(),
                wire.TOKEN_HEADER.encode(),
                config["headers"][wire.TOKEN_HEADER].encode(),
                room + 1,
            )
        )
        assert sock.recv(64).startswith(b"HTTP/1.1 429")
    fits = envelope_of_size("fits", room)
    assert post(config, "envelope", fits)[0] == 200
    release.set()
    assert intake.join(10) and sentry_webview.flush(5)
    assert sorted(e["message"] for e in ingest.wait_for_exactly(2)) == ["fits", "queued"]


def test_pages_of_two_origins_wait_in_buckets_of_their_own(webview_sdk, ingest):
    """A page that isn't a wired window shares a bucket with its origin's pages, not with other origins':
    one origin past its cap gets 429 with Retry-After, the other is still taken."""
    webview_sdk()
    config = sentry_webview.renderer_config()
    intake, release = hold_the_worker(64 * 1024 * 1024)
    intake.max_per_renderer = 2
    flooding, other = "http://127.0.0.1:8000", "http://127.0.0.1:9000"
    replies = [post(config, "envelope", envelope("a%d" % n), origin=flooding, renderer=str(n)) for n in range(5)]
    refused = [
        (headers["Retry-After"], headers["Access-Control-Allow-Origin"]) for s, headers, _ in replies if s == 429
    ]
    assert refused and set(refused) == {("1", flooding)}
    assert post(config, "envelope", envelope("b"), origin=other, renderer="9")[0] == 200
    release.set()
    assert intake.join(10) and sentry_webview.flush(5)
    assert "b" in [e["message"] for e in ingest.wait_for_exactly(6 - len(refused))]


@pytest.mark.parametrize("channel", ["envelope", "scope", "start"])
def test_deep_json_over_the_socket_is_a_400_and_never_an_event_of_ours(webview_sdk, ingest, channel):
    webview_sdk()
    config = sentry_webview.renderer_config()
    deep = "[" * 100000 + "]" * 100000
    body = deep if channel != "envelope" else '{"event_id": %s}\n{"type":"event"}\n{}' % deep
    deep_event = '{}\n{"type":"event"}\n{"extra": %s}' % ('{"a":' * 5000 + "1" + "}" * 5000)
    for payload in (body, deep_event) if channel == "envelope" else (body, '{"user": %s}' % deep):
        status, headers, text = post(config, channel, payload)
        assert status == 400 and headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000", text
    assert post(config, "envelope", envelope("after"))[0] == 200
    sentry_webview.flush(5)
    assert [e.get("message") for e in ingest.events] == ["after"]


def test_connections_past_the_cap_are_closed_and_silent_ones_time_out(webview_sdk, ingest, monkeypatch):
    monkeypatch.setattr(protocol, "MAX_CONNECTIONS", 4)
    monkeypatch.setattr(protocol._QuietHandler, "timeout", 1.0)
    webview_sdk()
    config = sentry_webview.renderer_config()
    port = hub().protocol.port
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
    try:
        time.sleep(0.3)
        for _ in range(2):
            extra = socket.create_connection(("127.0.0.1", port), timeout=5)
            assert extra.recv(1) == b""  # closed at accept
            extra.close()
        started = time.monotonic()
        for sock in silent:  # the server gives up on silent clients
            sock.settimeout(5)
            sock.recv(1)
        assert time.monotonic() - started < 4
        assert post(config, "envelope", envelope("legit"))[0] == 200
    finally:
        for sock in silent:
            sock.close()
    sentry_webview.flush(5)
    assert [e.get("message") for e in ingest.events] == ["legit"]
    assert hub().protocol.refused_connections == 2  # the two past the cap


def forwarded_envelope(*items):
    """A renderer envelope of forwarded items, each ``(type, payload bytes)`` with its length."""
    body = json.dumps({"event_id": uuid.uuid4().hex, "sent_at": "2026-11-24T00:00:00.000Z"}).encode() + b"\n"
    for item_type, payload in items:
        body += json.dumps({"type": item_type, "length": len(payload)}).encode() + b"\n" + payload + b"\n"
    return body


def replay(replay_id, recording_bytes):
    """A replay segment: its event and a recording of exactly ``recording_bytes``."""
    event = json.dumps({"type": "replay_event", "replay_id": replay_id, "segment_id": 0, "platform": "javascript"})
    recording = b'{"segment_id":0}\n'
    recording += b"r" * (recording_bytes - len(recording))
    return forwarded_envelope(("replay_event", event.encode()), ("replay_recording", recording))


def test_replay_and_feedback_items_over_relays_limits_are_dropped_with_a_client_report(webview_sdk, ingest):
    """Relay answers 413 for the whole envelope if one item is over its limit: the host drops a replay
    (event and recording) or a feedback (with its screenshot) that is, counts it, and sends the rest."""
    webview_sdk()
    config = sentry_webview.renderer_config()
    big_feedback = {"type": "feedback", "contexts": {"feedback": {"message": "x" * MAX_EVENT_ITEM_BYTES}}}
    screenshot = b"\x89PNG" + b"s" * 1000
    sent = [
        replay("a" * 32, MAX_REPLAY_RECORDING_BYTES + 1),
        replay("b" * 32, MAX_REPLAY_RECORDING_BYTES),  # at the limit: sent
        forwarded_envelope(("feedback", json.dumps(big_feedback).encode()), ("attachment", screenshot)),
        forwarded_envelope(("feedback", json.dumps({"type": "feedback", "contexts": {}}).encode())),
    ]
    for body in sent:
        assert post(config, "envelope", body)[0] == 200
    assert hub().intake.join(10) and sentry_webview.flush(5)
    ingest.wait_for(lambda i: [item for r in i.received for item in r.items_of("client_report")], timeout=5)
    kinds = sorted(tuple(sorted(item.type for item in r.envelope.items)) for r in ingest.received)
    assert kinds == [("client_report",), ("feedback",), ("replay_event", "replay_recording")], kinds
    [forwarded] = [json.loads(i.get_bytes()) for r in ingest.received for i in r.items_of("replay_event")]
    assert forwarded["replay_id"] == "b" * 32
    lost = collections.Counter()
    for entry in ingest.client_reports():
        lost[entry["reason"], entry["category"]] += entry["quantity"]
    expected = {("send_error", "replay"): 1, ("send_error", "feedback"): 1, ("send_error", "attachment"): 1004}
    assert lost == expected  # what Sentry's stats show as dropped replays, feedback and attachment bytes
    assert hub().stats["oversized_items"] == 4


def test_scope_keys_from_many_messages_stop_at_the_cap_and_set_ones_still_change(webview_sdk, ingest, caplog):
    webview_sdk()
    config = sentry_webview.renderer_config()
    for n in range(300):  # 100 keys a message, each message new ones
        keys = ["k%d-%d" % (n, i) for i in range(100)]
        scope = {"tags": dict.fromkeys(keys, "v"), "extra": dict.fromkeys(keys, "v")}
        scope["contexts"] = {key: {"v": 1} for key in keys}
        assert post(config, "scope", scope)[0] == 200
    assert post(config, "scope", {"tags": {"k0-0": "changed"}, "extra": {"k299-0": "new"}})[0] == 200
    sentry_sdk.capture_message("host event")
    [event] = ingest.wait_for_exactly(1)
    renderer = lambda values: [key for key in values if key.startswith("k")]  # noqa: E731
    assert len(renderer(event["tags"])) == len(renderer(event["contexts"])) == 200
    extra = sentry_sdk.get_global_scope()._extras  # what scope.json holds; events show sentry-sdk's first 10
    assert len(renderer(extra)) == 200 and "k299-0" not in extra
    assert event["tags"]["k0-0"] == "changed"
    assert hub().scope_sync.dropped_keys == {"tags": 29800, "extra": 29801, "contexts": 29800}
    assert [r.getMessage() for r in caplog.records if "new keys are dropped" in r.getMessage()] == [
        "sentry-webview: renderers set more than 200 %s; new keys are dropped" % kind
        for kind in ("tags", "extra", "contexts")
    ]
    # Relay keeps 200 tags and contexts as they are; of the extras sentry-sdk itself sends 10 (and says so in _meta).
    assert_relay_accepts({key: value for key, value in event.items() if key not in ("extra", "_meta")})


def test_heartbeats_under_made_up_ids_are_watched_only_while_the_hub_knows_them(webview_sdk, ingest, monkeypatch):
    monkeypatch.setattr(hub_module, "MAX_IDENTITIES", 50)
    monkeypatch.setattr(renderer_hang, "MAX_IDENTITIES", 50)
    webview_sdk(renderer_anr_threshold=2.0)  # each id forgotten (50 ids later) well before it would be late
    config = sentry_webview.renderer_config()
    for n in range(150):  # each a visible page that never beats again
        assert post(config, "status", {"visible": True}, renderer="made-up-%d" % n)[0] == 200
    watchdog = sentry_sdk.get_client().get_integration(renderer_hang.RendererHangIntegration)._watchdog(hub())
    assert len(watchdog._watched) <= 50
    hung = ingest.wait_for_exactly(50, timeout=10, settle=1.0)  # the 50 the hub still knows, each once
    assert {e["contexts"]["webview"]["window_uid"] for e in hung} == {"made-up-%d" % n for n in range(100, 150)}
