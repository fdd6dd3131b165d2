"""Every merge rule, end to end: a renderer payload as @sentry/browser sends it goes
through the real protocol server, intake and sentry-sdk transport to a local ingest,
and Relay accepts what arrives."""

import base64
import json
import logging
import threading
import time
from datetime import datetime, timezone

import pytest
import sentry_sdk

import sentry_webview
from sentry_webview.renderers.identity import RendererIdentity
from tests.conftest import load_sample, sample_event
from tests.oracles import assert_relay_accepts, assert_relay_accepts_replay
from tests.protocol_client import post

ERROR = load_sample("envelope_error.txt")
WITH_ATTACHMENT = base64.b64decode(load_sample("envelope_attachment.b64"))
SCOPE = load_sample("scope.json")


def envelope_of(event, *items):
    """A browser-shaped text envelope carrying ``event`` and extra ``(headers, payload)`` items."""
    lines = [
        json.dumps(
            {
                "event_id": event.get("event_id"),
                "sent_at": "2026-11-24T00:00:00.000Z",
                "sdk": {"name": "sentry.javascript.browser", "version": "11.12.0"},
                "trace": {"public_key": "public", "release": "renderer@0", "environment": "js", "trace_id": "a" * 32},
            }
        )
    ]
    lines += [json.dumps({"type": event.get("type", "event")}), json.dumps(event)]
    for headers, payload in items:
        lines += [json.dumps(headers), payload]
    return "\n".join(lines)


@pytest.fixture
def host(webview_sdk):
    def start(**options):
        webview_sdk(**options)
        return sentry_webview.renderer_config()

    return start


def deliver(config, *messages, renderer="renderer-1"):
    for channel, body in messages:
        status, _, text = post(config, channel, body, renderer=renderer)
        assert status == 200, text
    assert sentry_webview.flush(5)


def test_a_renderer_error_arrives_merged_with_the_host(host, ingest):
    config = host(dist="42")
    sentry_sdk.set_tag("host.tag", "yes")
    deliver(
        config,
        (
            "start",
            json.dumps(
                {
                    "url": "http://127.0.0.1:8000/index.html",
                    "title": "Shop",
                    "userAgent": "Mozilla/5.0 HeadlessChrome/156.0.0.0 Safari/537.36",
                    "screen": [1280, 800, 2],
                }
            ),
        ),
        ("envelope", ERROR),
    )
    event = ingest.wait_for_exactly(1)[0]
    original = sample_event()
    assert event["event_id"] == original["event_id"]
    assert event["platform"] == "javascript"
    assert event["exception"]["values"][-1]["type"] == original["exception"]["values"][-1]["type"]
    assert (event["release"], event["environment"], event["dist"]) == ("app@1.2.3", "test", "42")
    assert event["tags"]["event.process"] == "renderer"
    assert event["tags"]["event.origin"] == "webview"
    assert event["tags"]["event.environment"] == "javascript"
    assert event["tags"]["host.tag"] == "yes"
    assert event["contexts"]["webview"] == {  # no title without send_default_pii
        "backend": "web",
        "window_uid": "renderer-1",
        "url": "app:///index.html",
        "engine": "Chromium 156",
    }
    assert event["request"]["headers"] == {}  # the user agent is the browser context now, as @sentry/electron
    assert event["contexts"]["browser"] == {"name": "Chrome", "version": "156.0.0.0"}
    assert {"os", "app", "device"} <= set(event["contexts"])
    assert event["contexts"]["runtime"] == {"name": "Chromium", "version": "156"}
    device = event["contexts"]["device"]
    assert (device["screen_resolution"], device["screen_density"]) == ("2560x1600", 2)  # as a page sees it
    assert event["sdk"]["name"] == "sentry.javascript.browser"
    assert "server_name" not in event and "modules" not in event and "sys.argv" not in event.get("extra", {})
    assert_relay_accepts(event)


def renderer_gone(identity):
    hub = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    hub.renderer_gone(identity, "crashed", 139)


def test_a_renderer_gone_event_names_the_page_as_app_and_carries_nothing_of_the_host(host, ingest):
    """The host's own event about a renderer is a renderer event like the page's: no random port, no
    machine name, no Python modules or command line (those stay on the host's events)."""
    host()
    identity = RendererIdentity("w1", backend="qt", window_uid="w1", url="http://127.0.0.1:41999/index.html?tab=2")
    renderer_gone(identity)
    sentry_sdk.capture_message("the host's own")
    assert sentry_webview.flush(5)
    events = {e.get("message"): e for e in ingest.wait_for_exactly(2)}
    gone, own = events["Renderer process gone: crashed"], events["the host's own"]
    assert gone["contexts"]["webview"] == {"backend": "qt", "window_uid": "w1", "url": "app:///index.html?tab=2"}
    assert "modules" not in gone and "sys.argv" not in gone.get("extra", {}) and "server_name" not in gone
    assert own["modules"] and "sys.argv" in own["extra"] and own["server_name"]
    assert_relay_accepts(gone)


@pytest.mark.parametrize("pii", [False, True], ids=["default", "send_default_pii"])
def test_the_window_title_goes_only_with_send_default_pii(host, ingest, pii):
    """A title may name the user's document: on renderer events only when the app sends PII, never in
    the lifecycle breadcrumbs."""
    config = host(send_default_pii=pii)
    start = {"url": "http://127.0.0.1:8000/index.html", "title": "Invoice for Jane Doe.pdf"}
    deliver(config, ("start", json.dumps(start)), ("envelope", ERROR))
    hub = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    identity = hub.identity_for("renderer-1")
    hub.window_loaded(identity)
    renderer_gone(identity)
    assert sentry_webview.flush(5)
    events = ingest.wait_for_exactly(2)
    for event in events:
        assert event["contexts"]["webview"].get("title") == ("Invoice for Jane Doe.pdf" if pii else None)
        assert_relay_accepts(event)
    [gone] = [e for e in events if e.get("message")]
    crumbs = [c for c in gone["breadcrumbs"]["values"] if c.get("category") == "webview"]
    assert [c["message"] for c in crumbs] == ["window.loaded", "window.renderer-gone"]
    assert "Invoice" not in json.dumps(crumbs)


def test_the_files_under_app_root_are_app_urls_and_no_other(host, ingest, tmp_path):
    config = host(app_root=tmp_path)
    inside = (tmp_path / "x.js").as_uri()
    in_folder = (tmp_path / "web" / "app.js").as_uri()  # the README's --url-prefix 'app:///web'
    outside = (tmp_path.parent / "elsewhere" / "y.js").as_uri()
    alike = (tmp_path.parent / (tmp_path.name + "-2") / "z.js").as_uri()  # shares app_root's name as a prefix
    frames = [
        {"filename": url, "function": "f", "lineno": 1, "colno": 1} for url in (alike, outside, in_folder, inside)
    ]
    event = dict(sample_event(), event_id="4" * 32, request={"url": inside})
    event["exception"]["values"][0]["stacktrace"]["frames"] = frames
    deliver(config, ("envelope", envelope_of(event)))
    [received] = ingest.wait_for_exactly(1)
    names = [f["filename"] for f in received["exception"]["values"][0]["stacktrace"]["frames"]]
    assert names == [alike, outside, "app:///web/app.js", "app:///x.js"]
    assert received["request"]["url"] == "app:///x.js"
    assert_relay_accepts(received)


def test_breadcrumbs_from_both_sides_in_time_order_up_to_the_error_within_max_breadcrumbs(host, ingest):
    config = host(max_breadcrumbs=6)
    now = time.time()
    for i in range(3):
        sentry_sdk.add_breadcrumb(
            category="host", message="host %d" % i, timestamp=datetime.fromtimestamp(now - 10 + 2 * i, timezone.utc)
        )
    renderer_crumbs = [
        {"timestamp": now - 9 + 2 * i, "category": "console", "message": "renderer %d" % i, "level": "log"}
        for i in range(3)
    ]
    event = dict(sample_event(), timestamp=now)
    event["breadcrumbs"] = [{"timestamp": now - 1, "category": "ui.click", "message": "button#pay"}]
    later = {"timestamp": now + 1, "category": "console", "message": "after the error"}
    deliver(
        config,
        ("scope", json.dumps({"breadcrumbs": renderer_crumbs + [later]})),
        ("envelope", envelope_of(event)),
    )
    crumbs = ingest.wait_for_exactly(1)[0]["breadcrumbs"]["values"]
    assert [c["message"] for c in crumbs] == [
        "renderer 0",
        "host 1",
        "renderer 1",
        "host 2",
        "renderer 2",
        "button#pay",
    ]
    assert_relay_accepts(ingest.events[0])


def test_a_breadcrumb_sent_by_scope_and_on_the_event_appears_once(host, ingest):
    config = host()
    crumb = {"timestamp": time.time() - 1, "category": "navigation", "message": "to /cart"}
    event = dict(sample_event(), breadcrumbs=[crumb], timestamp=time.time())
    deliver(config, ("scope", json.dumps({"breadcrumbs": [crumb]})), ("envelope", envelope_of(event)))
    crumbs = ingest.wait_for_exactly(1)[0]["breadcrumbs"]["values"]
    assert [c["message"] for c in crumbs].count("to /cart") == 1


def test_the_renderers_user_wins_else_the_hosts(host, ingest):
    config = host()
    sentry_sdk.set_user({"id": "host-user"})
    with_user = dict(sample_event(), user={"id": "u-42"}, event_id="1" * 32)
    without_user = dict(sample_event(), event_id="2" * 32)
    without_user.pop("user", None)
    deliver(config, ("envelope", envelope_of(with_user)), ("envelope", envelope_of(without_user)))
    users = {e["event_id"]: e["user"] for e in ingest.wait_for_events(2)}
    assert users["1" * 32]["id"] == "u-42"
    assert users["2" * 32]["id"] == "host-user"


def test_attachments_arrive_as_attachment_items(host, ingest):
    config = host()
    deliver(config, ("envelope", WITH_ATTACHMENT))
    received = ingest.wait_for(lambda i: [r for r in i.received if r.items_of("attachment")])[0]
    attachment = received.items_of("attachment")[0]
    assert attachment.headers["filename"] == "log.txt"
    assert attachment.get_bytes() == b"line1\nline2"
    assert_relay_accepts(received.event)


def test_host_before_send_runs_on_renderer_events(host, ingest):
    def before_send(event, hint):
        if event["tags"].get("drop") == "yes":
            return None
        event["tags"]["seen_by"] = "before_send"
        return event

    config = host(before_send=before_send)
    dropped = dict(sample_event(), tags={"drop": "yes"}, event_id="3" * 32)
    deliver(config, ("envelope", ERROR), ("envelope", envelope_of(dropped)))
    events = ingest.wait_for_exactly(1)
    time.sleep(0.2)
    assert [e["event_id"] for e in ingest.events] == [sample_event()["event_id"]]
    assert events[0]["tags"]["seen_by"] == "before_send"


def test_a_page_event_that_looks_like_pywebviews_gui_probe_is_still_reported(host, ingest):
    config = host()
    logged = dict(sample_event(), logger="pywebview", logentry={"message": "GTK cannot be loaded"}, event_id="4" * 32)
    logging.getLogger("pywebview").error("GTK cannot be loaded")  # the host's own probe: dropped
    deliver(config, ("envelope", envelope_of(logged)))
    [event] = ingest.wait_for_exactly(1)
    assert event["event_id"] == "4" * 32 and event["tags"]["event.process"] == "renderer"


def test_transactions_go_through_before_send_transaction(host, ingest):
    seen = []
    config = host(before_send_transaction=lambda event, hint: seen.append(event["transaction"]) or event)
    deliver(config, ("envelope", load_sample("envelope_transaction.txt")))
    received = ingest.wait_for(lambda i: [r for r in i.received if r.items_of("transaction")])[0]
    transaction = received.event
    assert seen == [transaction["transaction"]]
    assert transaction["tags"]["event.process"] == "renderer"
    assert transaction["release"] == "app@1.2.3"
    assert_relay_accepts(transaction)


def test_a_replay_is_forwarded_under_the_hosts_identity_with_app_urls(host, ingest):
    """A page's replay (a replay_event and its recording) as @sentry/electron forwards one: the host's DSC,
    release and environment, the app's URLs as app:///, the recording's bytes untouched."""
    config = host()
    replay_event = {
        "type": "replay_event",
        "replay_id": "b" * 32,
        "segment_id": 0,
        "release": "page@9",
        "environment": "page",
        "urls": ["http://127.0.0.1:40123/index.html", "https://example.com/"],
        "request": {"url": "http://127.0.0.1:40123/index.html"},
    }
    recording = b'{"segment_id":0}\n' + bytes(range(256))
    lines = [envelope_of({"event_id": "c" * 32}).split("\n")[0], json.dumps({"type": "replay_event"})]
    body = ("\n".join(lines + [json.dumps(replay_event)]) + "\n").encode()
    body += json.dumps({"type": "replay_recording", "length": len(recording)}).encode() + b"\n" + recording
    deliver(config, ("envelope", body))
    received = ingest.wait_for(lambda i: [r for r in i.received if r.items_of("replay_event")])[0]
    trace = received.envelope.headers["trace"]
    assert (trace["public_key"], trace["release"], trace["environment"]) == ("publickey", "app@1.2.3", "test")
    [event] = [json.loads(item.get_bytes()) for item in received.items_of("replay_event")]
    assert (event["release"], event["environment"]) == ("app@1.2.3", "test")
    assert event["urls"] == ["app:///index.html", "https://example.com/"]
    assert event["request"]["url"] == "app:///index.html"
    assert_relay_accepts_replay(event)
    assert [item.get_bytes() for item in received.items_of("replay_recording")] == [recording]


def test_sessions_check_ins_and_metrics_from_a_renderer_are_dropped_and_counted(host, ingest):
    config = host()
    hub = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    session = {"sid": "d" * 32, "status": "crashed", "init": True, "attrs": {"release": "other@9"}}
    hostile = [
        ({"type": "session"}, json.dumps(session)),
        (
            {"type": "sessions"},
            json.dumps(
                {"aggregates": [{"started": "2026-11-24T00:00:00Z", "crashed": 500}], "attrs": {"release": "other@9"}}
            ),
        ),
        ({"type": "check_in"}, json.dumps({"check_in_id": "e" * 32, "monitor_slug": "nightly", "status": "ok"})),
        ({"type": "statsd"}, "page.metric:1|c"),
        ({"type": "replay_event"}, json.dumps({"type": "replay_event", "replay_id": "b" * 32, "segment_id": 0})),
    ]
    header = envelope_of({"event_id": "c" * 32}).split("\n")[:1]
    for headers, payload in hostile:
        deliver(config, ("envelope", "\n".join(header + [json.dumps(headers), payload])))
    assert ingest.wait_for(lambda i: [r for r in i.received if r.items_of("replay_event")])
    time.sleep(0.5)  # anything that would follow the replay has had its time
    types = [item.type for received in ingest.received for item in received.envelope.items]
    assert types == ["replay_event"]
    assert hub.stats["refused_items"] == 4 and hub.stats["forwarded"] == 1


def test_renderer_identities_are_bounded_and_wired_windows_are_never_forgotten(host, ingest):
    from sentry_webview.renderers.hub import MAX_IDENTITIES

    config = host()
    hub = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    wired = hub.identity_for("wired-window")
    hub.window_created(wired)
    for n in range(3 * MAX_IDENTITIES):
        hub.identity_for("flood-%d" % n)
    deliver(config, ("start", json.dumps({"url": "http://127.0.0.1:8000/a"})), renderer="flood-last")
    assert len(hub._identities) <= MAX_IDENTITIES + 1 and len(hub._started) <= MAX_IDENTITIES + 1
    assert hub.identity_for("wired-window") is wired
    assert hub.identity_for("flood-last").url == "http://127.0.0.1:8000/a"  # the recent ones are kept
    assert ingest.received == []


def test_renderer_scope_reaches_a_later_host_error(host, ingest):
    config = host()
    deliver(config, ("scope", SCOPE))
    scope = json.loads(SCOPE)
    try:
        {}["missing"]
    except KeyError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush(5)
    event = ingest.wait_for_exactly(1)[0]
    assert event["exception"]["values"][0]["type"] == "KeyError"
    assert event["tags"]["event.process"] == "host"
    assert event["user"]["id"] == scope["user"]["id"]
    page_crumbs = [c["message"] for c in scope["breadcrumbs"] if c.get("message")]
    assert set(page_crumbs) <= {c.get("message") for c in event["breadcrumbs"]["values"]}
    assert_relay_accepts(event)


def test_renderer_scope_reaches_host_threads_started_earlier_and_host_values_win(host, ingest):
    config = host()
    sentry_sdk.set_tag("side", "host")
    worker_may_capture = threading.Event()

    def worker():
        worker_may_capture.wait(5)
        try:
            raise LookupError("in a worker thread")
        except LookupError:
            sentry_sdk.capture_exception()

    thread = threading.Thread(target=worker)
    thread.start()
    deliver(config, ("scope", json.dumps({"user": {"id": "page-user"}, "tags": {"side": "renderer", "page": "cart"}})))
    worker_may_capture.set()
    thread.join()
    sentry_sdk.flush(5)
    event = ingest.wait_for_exactly(1)[0]
    assert event["user"]["id"] == "page-user"
    assert (event["tags"]["side"], event["tags"]["page"]) == ("host", "cart")
    assert_relay_accepts(event)


def test_bad_input_is_dropped_counted_and_never_raises(host, ingest):
    host()
    hub = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    intake, renderer = hub.intake, hub.identity_for("r")
    assert intake.submit("envelope", "not an envelope", renderer)
    assert intake.submit("scope", "[]", renderer)
    assert intake.submit("nope", "{}", renderer) == "unknown channel 'nope'"
    assert intake.submit("envelope", envelope_of({"event_id": "d" * 32, "exception": "boom"}), renderer) is None
    assert intake.submit("envelope", ERROR, renderer) is None
    assert sentry_webview.flush(5)
    assert [e["event_id"] for e in ingest.wait_for_exactly(1)] == [sample_event()["event_id"]]
    assert intake.stats["malformed"] == 3
    assert intake.stats["failed"] == 1
