"""The shipped bundles in real Chromium (Playwright, Debian's chromium), against the real host:
the bundled-app path (no bridge, loopback protocol), namespaces, a late bridge, a broken host."""

import json
import time

import pytest
import sentry_sdk

import sentry_webview
from sentry_webview.ipc import wire
from sentry_webview.ipc.bridge import bridge_functions
from sentry_webview.renderers.hub import RendererHub
from tests.oracles import assert_relay_accepts

pytestmark = pytest.mark.browser


def shipped_page(config, body="", namespace="sentry-ipc", init=True):
    """A page that ships both bundles itself, as a bundled app does."""
    ns = json.dumps(namespace)
    return """<!doctype html><html><head><meta charset="utf-8"><title>bundled</title>
<script>window.__SENTRY_WEBVIEW__ = %s;</script>
<script src="/sentry-webview-preload.js"></script>
<script>SentryWebviewPreload.hookupIpc(%s, window.__SENTRY_WEBVIEW__);</script>
<script src="/sentry-webview-renderer.js"></script>
<script>%s</script>
</head><body><p id="status">ok</p>%s</body></html>""" % (
        json.dumps(config),
        ns,
        "SentryWebview.init({ipcNamespace: %s});" % ns if init else "",
        body,
    )


def intake():
    return sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub.intake


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def console_log(page):
    messages = []
    page.on("console", lambda message: messages.append((message.type, message.text)))
    return messages


def test_a_bundled_page_without_bridge_delivers_its_errors(webview_sdk, ingest, pages, page):
    webview_sdk()
    sentry_sdk.set_tag("host.tag", "host")
    console = console_log(page)
    pages.pages["/index.html"] = shipped_page(
        sentry_webview.renderer_config(),
        """<script>
  // Spaced out: @sentry/browser ignores global errors in the same timer batch as one it re-threw.
  setTimeout(function () { null.total(); }, 0);
  setTimeout(function () { Promise.reject(new Error('rejected in renderer')); }, 150);
  setTimeout(function () { throw 'a plain string'; }, 300);
  setTimeout(function () {
    SentryWebview.captureException(new Error('with attachment'),
      {attachments: [{filename: 'log.txt', data: 'line1\\nline2'}]});
  }, 450);
</script>""",
    )
    page.goto(pages.url + "/index.html")
    events = ingest.wait_for_events(4)
    values = sorted(str(e["exception"]["values"][-1].get("value")) for e in events)
    assert any("null" in v for v in values)
    assert "rejected in renderer" in values
    plain = next(e for e in events if "a plain string" in str(e["exception"]["values"][-1].get("value")))
    assert "stacktrace" not in plain["exception"]["values"][-1]
    assert "with attachment" in values
    for event in events:
        assert event["tags"]["event.process"] == "renderer"
        assert event["tags"]["host.tag"] == "host"
        assert event["release"] == "app@1.2.3"
        assert event["contexts"]["webview"]["url"] == pages.url + "/index.html"
        assert event["contexts"]["webview"]["engine"].startswith("Chromium ")
        assert_relay_accepts(event)
    attachments = [r.items_of("attachment") for r in ingest.received if r.items_of("attachment")]
    assert attachments and attachments[0][0].get_bytes() == b"line1\nline2"
    fallbacks = [text for kind, text in console if "sentry-webview" in text and "protocol" in text]
    assert len(fallbacks) == 1, console


def test_page_breadcrumbs_and_user_reach_a_later_host_error(webview_sdk, ingest, pages, page):
    webview_sdk()
    pages.pages["/index.html"] = shipped_page(
        sentry_webview.renderer_config(),
        """<script>
  SentryWebview.setUser({id: 'page-user', username: 'alice'});
  SentryWebview.addBreadcrumb({category: 'cart', message: 'added 3 items'});
</script>""",
    )
    page.goto(pages.url + "/index.html")
    host_scope = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub.scope_sync.scope
    wait_for(lambda: "added 3 items" in [c.get("message") for c in list(host_scope._breadcrumbs)])
    try:
        raise ValueError("host failed later")
    except ValueError:
        sentry_sdk.capture_exception()
    event = ingest.wait_for_events(1)[0]
    assert event["tags"]["event.process"] == "host"
    assert event["user"] == {"id": "page-user", "username": "alice"}
    assert "added 3 items" in [c.get("message") for c in event["breadcrumbs"]["values"]]
    assert_relay_accepts(event)


def test_two_namespaces_on_one_page_do_not_cross(webview_sdk, ingest, pages, page):
    webview_sdk(ipc_namespace="app-a")
    other = RendererHub("app-b", wire.IPCMode.PROTOCOL)
    config_b = other.renderer_config()
    try:
        envelope_b = "\n".join(
            [
                json.dumps({"event_id": "b" * 32}),
                json.dumps({"type": "event"}),
                json.dumps({"event_id": "b" * 32, "message": "sent on app-b"}),
            ]
        )
        pages.pages["/index.html"] = shipped_page(
            sentry_webview.renderer_config(),
            """<script>
  SentryWebviewPreload.hookupIpc('app-b', %s);
  window.__SENTRY_IPC__['app-b'].sendEnvelope(%s);
  setTimeout(function () { throw new Error('thrown on app-a'); }, 0);
</script>"""
            % (json.dumps(config_b), json.dumps(envelope_b)),
            namespace="app-a",
        )
        page.goto(pages.url + "/index.html")
        wait_for(lambda: intake().stats["events"] >= 1 and other.stats["events"] >= 1)
        assert other.intake.join(5) and sentry_webview.flush(5)
        assert intake().stats["events"] == 1
        assert other.stats["events"] == 1
        assert sorted(page.evaluate("Object.keys(window.__SENTRY_IPC__)")) == ["app-a", "app-b"]
        by_id = {e["event_id"]: e for e in ingest.wait_for_events(2)}
        assert by_id["b" * 32]["message"] == "sent on app-b"
        others = [e for i, e in by_id.items() if i != "b" * 32]
        assert others[0]["exception"]["values"][-1]["value"] == "thrown on app-a"
    finally:
        other.close()


def test_a_late_bridge_gets_the_queued_messages_once(webview_sdk, ingest, pages, page):
    webview_sdk()
    hub = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    renderer = hub.identity_for("late-window")
    functions = {f.__name__: f for f in bridge_functions(hub.intake, "sentry-ipc", renderer, hub.origins)}
    page.expose_function("__pyBridge", lambda name, payload: functions[name](payload))
    names = {c: wire.bridge_function_name("sentry-ipc", c) for c in wire.CHANNELS}
    pages.pages["/index.html"] = shipped_page(
        {"ipcNamespace": "sentry-ipc", "ipcMode": "classic"},
        """<script>
  setTimeout(function () { throw new Error('before the bridge'); }, 0);
  setTimeout(function () {
    var api = {};
    %s.forEach(function (name) { api[name] = function (p) { return window.__pyBridge(name, p); }; });
    window.pywebview = {api: api};
    window.dispatchEvent(new Event('pywebviewready'));
  }, 500);
</script>"""
        % json.dumps(sorted(names.values())),
    )
    page.goto(pages.url + "/index.html")
    # Playwright's sync API runs exposed functions only while the test is inside a Playwright call.
    page.wait_for_timeout(1500)
    assert sentry_webview.flush(5)
    assert [e["exception"]["values"][-1]["value"] for e in ingest.events] == ["before the bridge"]
    assert hub.stats["renderers_started"] == 1
    assert ingest.events[0]["contexts"]["webview"]["window_uid"] == "late-window"


@pytest.mark.parametrize("broken", ["wrong token", "closed port"])
def test_a_broken_host_leaves_the_page_working_with_one_diagnostic(broken, webview_sdk, ingest, pages, page):
    webview_sdk()
    config = sentry_webview.renderer_config()
    if broken == "wrong token":
        config["headers"] = {wire.TOKEN_HEADER: "stale"}
    else:
        config["protocolUrl"] = "http://127.0.0.1:9/sentry-ipc"
    console = console_log(page)
    page_errors = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    pages.pages["/index.html"] = shipped_page(
        config,
        """<script>
  window.rejections = [];
  window.addEventListener('unhandledrejection', function (e) { window.rejections.push(String(e.reason)); });
  setTimeout(function () { throw new Error('first'); }, 0);
  setTimeout(function () { throw new Error('second'); }, 50);
  setTimeout(function () { document.getElementById('status').textContent = 'still working'; }, 100);
</script>""",
    )
    page.goto(pages.url + "/index.html")
    page.wait_for_function("document.getElementById('status').textContent === 'still working'")
    page.evaluate("new Promise(function (r) { setTimeout(r, 1000); })")
    diagnostics = [text for kind, text in console if kind == "error" and "failed to reach the host" in text]
    assert len(diagnostics) == 1, console
    assert page.evaluate("window.rejections") == []
    assert sorted(page_errors) == ["first", "second"]
    assert ingest.events == []


def test_envelopes_dropped_while_waiting_for_the_host_are_reported(webview_sdk, ingest, pages, page):
    webview_sdk()
    total = 150  # the preload holds 100 messages while it waits for a promised bridge
    config = dict(sentry_webview.renderer_config(), bridge=True, bridgeTimeoutMs=1500)
    pages.pages["/index.html"] = shipped_page(
        config,
        """<script>
  var sent = 0;  // ten per tick: @sentry/browser's own send buffer holds 64
  (function burst() {
    for (var end = sent + 10; sent < end && sent < %d; sent++) {
      SentryWebview.captureException(new Error('waiting ' + sent));
    }
    if (sent < %d) setTimeout(burst, 0);
  })();
</script>"""
        % (total, total),
    )
    page.goto(pages.url + "/index.html")
    wait_for(lambda: intake().stats["dropped_in_renderer"] + intake().stats["events"] >= total)
    sentry_webview.flush(5)
    sentry_sdk.get_client().transport._flush_client_reports(force=True)
    reports = ingest.wait_for(lambda i: [r for r in i.received if r.items_of("client_report")])
    discarded = [
        entry
        for received in reports
        for item in received.items_of("client_report")
        for entry in json.loads(item.get_bytes())["discarded_events"]
    ]
    delivered = [e for e in ingest.events if e["exception"]["values"][-1]["value"].startswith("waiting ")]
    reported = sum(d["quantity"] for d in discarded if d["reason"] == "queue_overflow")
    assert reported > 0
    assert len(delivered) + reported == total


@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
def test_a_blocked_page_is_reported_over_the_protocol_unless_hidden(hidden, webview_sdk, ingest, pages, page):
    webview_sdk(renderer_anr_threshold=1.0)
    pages.pages["/index.html"] = shipped_page(
        sentry_webview.renderer_config(),
        """<script>
  if (%s) setTimeout(function () {  // as when the window is minimized
    Object.defineProperty(document, 'visibilityState', {value: 'hidden'});
    document.dispatchEvent(new Event('visibilitychange'));
  }, 500);
  setTimeout(function () { var end = Date.now() + 3000; while (Date.now() < end) {} }, 1000);
</script>"""
        % json.dumps(hidden),
    )
    page.goto(pages.url + "/index.html")
    wait_for(lambda: intake().stats["statuses"] >= 2)
    time.sleep(4)  # the block, then idle (or hidden) again
    assert sentry_webview.flush(5)
    if hidden:
        assert ingest.events == []
        return
    assert len(ingest.events) == 1, ingest.events
    event = ingest.events[0]
    assert event["exception"]["values"][-1]["type"] == "ApplicationNotResponding"
    assert event["tags"]["event.process"] == "renderer"
    assert event["contexts"]["webview"]["url"] == pages.url + "/index.html"
    assert event["contexts"]["webview"]["title"] == "bundled"
    assert event["contexts"]["webview"]["engine"].startswith("Chromium ")
    assert_relay_accepts(event)
