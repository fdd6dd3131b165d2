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
        assert event["contexts"]["webview"]["url"] == "app:///index.html"  # whatever the port
        assert event["contexts"]["webview"]["engine"].startswith("Chromium ")
        assert_relay_accepts(event)
    attachments = [r.items_of("attachment") for r in ingest.received if r.items_of("attachment")]
    assert attachments and attachments[0][0].get_bytes() == b"line1\nline2"
    fallbacks = [text for kind, text in console if "sentry-webview" in text and "protocol" in text]
    assert len(fallbacks) == 1, console


def test_protocol_mode_logs_no_fallback_warning(webview_sdk, ingest, pages, page):
    """The protocol is what the host asked for: no console warning on every page (BOTH still warns once)."""
    webview_sdk(ipc_mode=sentry_webview.IPCMode.PROTOCOL)
    console = console_log(page)
    pages.pages["/index.html"] = shipped_page(
        sentry_webview.renderer_config(),
        "<script>setTimeout(function () { throw new Error('over the protocol'); }, 0);</script>",
    )
    page.goto(pages.url + "/index.html")
    assert ingest.wait_for_events(1)[0]["exception"]["values"][-1]["value"] == "over the protocol"
    assert [text for kind, text in console if "sentry-webview" in text] == []


def test_attachments_on_the_page_scope_move_to_the_host_and_reach_every_event_once(webview_sdk, ingest, pages, page):
    webview_sdk()
    pages.pages["/index.html"] = shipped_page(
        sentry_webview.renderer_config(),
        """<script>
  SentryWebview.getCurrentScope().addAttachment({filename: 'state.json', data: '{"cart": 3}'});
  SentryWebview.getCurrentScope().addAttachment({filename: 'icon.bin', data: new Uint8Array([0, 255, 7])});
  SentryWebview.setTag('page', 'cart');  // a scope change carries them to the host, as in @sentry/electron
  setTimeout(function () { throw new Error('after the attachments'); }, 100);
</script>""",
    )
    page.goto(pages.url + "/index.html")
    renderer_event = ingest.wait_for_events(1)[0]
    assert renderer_event["exception"]["values"][-1]["value"] == "after the attachments"
    try:
        raise ValueError("host error after the page's attachments")
    except ValueError:
        sentry_sdk.capture_exception()
    assert sentry_webview.flush(5)
    ingest.wait_for_events(2)
    by_event = {
        r.event["event_id"]: sorted((a.headers.get("filename"), a.get_bytes()) for a in r.items_of("attachment"))
        for r in ingest.received
        if r.items_of("event")
    }
    expected = [("icon.bin", bytes([0, 255, 7])), ("state.json", b'{"cart": 3}')]
    assert list(by_event.values()) == [expected, expected]


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
    renderer.update(page_url=pages.url + "/index.html")  # as a backend reports what its engine shows
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


def queue_overflow_reported(ingest):
    """The ``queue_overflow`` discards the host has reported in client reports so far."""
    sentry_sdk.get_client().transport._flush_client_reports(force=True)
    reports = ingest.wait_for(lambda i: [r for r in i.received if r.items_of("client_report")]) or []
    return sum(
        entry["quantity"]
        for received in reports
        for item in received.items_of("client_report")
        for entry in json.loads(item.get_bytes())["discarded_events"]
        if entry["reason"] == "queue_overflow"
    )


DISTINCT, REPEATS = 30, 3000

# 30 distinct errors, then one error 3,000 times, 25 per tick (@sentry/browser's send buffer holds 64).
# The repeat comes from two columns of one line: @sentry/browser's Dedupe drops an event identical to
# the one before, frames and columns included; the preload keys an error by its top in-app frame's
# file, function and line, so to the preload these are one error.
STORM_PAGE = """<script>
  window.beforeSendCalls = 0;
  SentryWebview.init({ipcNamespace: "sentry-ipc", beforeSend: function (event) { beforeSendCalls++; return event; }});
  function boom(i) { return i %% 2 ? new Error('storm') : new Error('storm'); }
  var sent = 0, total = %d + %d;
  (function burst() {
    for (var end = sent + 25; sent < end && sent < total; sent++) {
      SentryWebview.captureException(sent < %d ? new Error('distinct ' + sent) : boom(sent));
    }
    if (sent < total) setTimeout(burst, 0);
  })();
</script>""" % (DISTINCT, REPEATS, DISTINCT)

# A pywebview-style bridge that takes 20 ms per call before it hands the payload to the host.
SLOW_BRIDGE = """<script>
  var api = {};
  %s.forEach(function (name) {
    api[name] = function (payload) {
      return new Promise(function (resolve) { setTimeout(resolve, 20); })
        .then(function () { return window.__pyBridge(name, payload); });
    };
  });
  window.pywebview = {api: api};
</script>"""


@pytest.mark.parametrize("host", ["bridge never comes", "slow bridge"])
def test_an_error_storm_keeps_every_distinct_error_and_reports_the_repeats(host, webview_sdk, ingest, pages, page):
    webview_sdk()
    host_intake = intake()
    if host == "slow bridge":
        hub = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
        renderer = hub.identity_for("storm-window")
        renderer.update(page_url=pages.url + "/index.html")  # as a backend reports what its engine shows
        functions = {f.__name__: f for f in bridge_functions(hub.intake, "sentry-ipc", renderer, hub.origins)}
        page.expose_function("__pyBridge", lambda name, payload: functions[name](payload))
        names = sorted(wire.bridge_function_name("sentry-ipc", c) for c in wire.CHANNELS)
        config = {"ipcNamespace": "sentry-ipc", "ipcMode": sentry_webview.IPCMode.CLASSIC}
        html = shipped_page(config, STORM_PAGE, init=False)
        html = html.replace("<head>", "<head>" + SLOW_BRIDGE % json.dumps(names), 1)
    else:
        # The host promised a bridge that never comes: everything waits 4 s, then goes over the protocol.
        config = dict(sentry_webview.renderer_config(), bridge=True, bridgeTimeoutMs=4000)
        html = shipped_page(config, STORM_PAGE, init=False)
    console = console_log(page)
    pages.pages["/index.html"] = html
    page.goto(pages.url + "/index.html")

    def accounted():
        page.wait_for_timeout(100)  # Playwright's sync API runs exposed functions only inside its calls
        return host_intake.stats["events"] + host_intake.stats["dropped_in_renderer"] >= DISTINCT + REPEATS

    wait_for(accounted, timeout=90)
    assert sentry_webview.flush(10)
    values = [e["exception"]["values"][-1]["value"] for e in ingest.events]
    assert sorted(v for v in values if v != "storm") == sorted("distinct %d" % i for i in range(DISTINCT))
    storms = values.count("storm")
    assert 1 <= storms <= 10  # its first occurrence always, repeats within the per-error budget
    # Repeats past the budget are dropped before they are sent: the app's beforeSend never sees them.
    assert page.evaluate("beforeSendCalls") == DISTINCT + storms
    assert host_intake.stats["dropped_in_renderer"] == REPEATS - storms
    assert queue_overflow_reported(ingest) == REPEATS - storms
    warnings = [text for kind, text in console if "sentry-webview" in text and "an error repeated" in text]
    assert len(warnings) == 1, console
    assert [text for kind, text in console if kind == "error" and "sentry-webview" in text] == []


def test_the_queue_policy_keeps_start_and_first_errors_and_never_queues_heartbeats(pages, page):
    """The preload alone, no host: a page storms while no bridge is up, then a bridge records what it gets."""
    pages.pages["/index.html"] = """<!doctype html><html><head><meta charset="utf-8">
<script src="/sentry-webview-preload.js"></script></head><body><script>
  var ipc = SentryWebviewPreload.hookupIpc('sentry-ipc', {ipcMode: 'classic', bridgeTimeoutMs: 60000});
  function envelope(value, line, vendorLine) {
    var frames = [
      {filename: 'app:///index.html', 'function': 'outer', lineno: 1, in_app: true},
      {filename: 'app:///index.html', 'function': 'boom', lineno: line},
      {filename: 'app:///vendor.js', 'function': 'lib', lineno: vendorLine, in_app: false}];
    return [JSON.stringify({event_id: 'e'}), JSON.stringify({type: 'event'}),
      JSON.stringify({exception: {values: [{type: 'Error', value: value, stacktrace: {frames: frames}}]}})].join('\\n');
  }
  window.sent = {envelopes: 0};
  function sendEnvelope(payload) { window.sent.envelopes++; ipc.sendEnvelope(payload); }
  ipc.sendStart('{"url": "start"}');
  ipc.sendStatus('{"visible": true}');
  for (var i = 0; i < 30; i++) sendEnvelope(envelope('distinct', 100 + i, 7));  // same value, 30 lines
  for (var i = 0; i < 3000; i++) {
    sendEnvelope(envelope('storm', 50, i));  // one error: only a library frame varies
    ipc.sendScope(JSON.stringify({breadcrumbs: [{message: 'crumb ' + i}]}));
    if (i %% 500 === 0) ipc.sendStatus('{"visible": true}');
  }
  for (var i = 0; i < 15; i++) sendEnvelope(new TextEncoder().encode(envelope('binary', 60, 0) + '\\n'));
  sendEnvelope('{}\\n{"type": "transaction"}\\n{}');
  sendEnvelope('not an envelope');
  window.received = [];
  setTimeout(function () {  // after the drop report (1 s after the first drop) is queued
    var api = {};
    %s.forEach(function (pair) {
      api[pair[1]] = function (payload) {
        var batch = payload && payload.batch ? payload.batch : [payload];
        batch.forEach(function (p) { window.received.push([pair[0], p]); });
        return Promise.resolve();
      };
    });
    window.pywebview = {api: api};
    window.dispatchEvent(new Event('pywebviewready'));
  }, 1500);
</script></body></html>""" % json.dumps([[c, wire.bridge_function_name("sentry-ipc", c)] for c in wire.CHANNELS])
    console = console_log(page)
    page.goto(pages.url + "/index.html")
    page.wait_for_function(
        "window.received.length > 0 && window.received.some(function (m) {"
        " return typeof m[1] === 'string' && m[1].indexOf('droppedEnvelopes') >= 0; })",
        timeout=15000,
    )
    page.wait_for_timeout(300)
    received = page.evaluate("window.received")
    sent = page.evaluate("window.sent.envelopes")
    assert received[0][0] == "start"
    assert "status" not in [channel for channel, _ in received]
    envelopes = [payload for channel, payload in received if channel == "envelope"]
    text = [e for e in envelopes if isinstance(e, str)]
    binary = [e for e in envelopes if isinstance(e, dict)]  # the bridge carries bytes as {"base64": ...}
    assert len(text) + len(binary) == len(envelopes)
    distinct = sorted(
        json.loads(e.split("\n")[2])["exception"]["values"][0]["stacktrace"]["frames"][1]["lineno"]
        for e in text
        if '"value":"distinct"' in e
    )
    assert distinct == list(range(100, 130))
    storms = sum(1 for e in text if '"value":"storm"' in e)
    assert 1 <= storms <= 10
    assert 1 <= len(binary) <= 10
    assert '{}\n{"type": "transaction"}\n{}' in text and "not an envelope" in text  # no key: sent as they are
    reports = [json.loads(p)["droppedEnvelopes"] for c, p in received if c == "scope" and "droppedEnvelopes" in p]
    assert reports and len(envelopes) + reports[-1] == sent
    scopes = [p for c, p in received if c == "scope" and "droppedEnvelopes" not in p]
    assert 0 < len(scopes) < 3000  # over the queue's bound, the oldest scope updates went first
    # Queued scope updates merge (the last 100 breadcrumbs kept): the newest one is there, last.
    assert json.loads(scopes[-1])["breadcrumbs"][-1]["message"] == "crumb 2999"
    warnings = [text for kind, text in console if "sentry-webview" in text]
    # The queue stays under its bound now that queued scope updates merge: only the repeats are reported.
    assert any("repeated" in w for w in warnings), warnings


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
    assert event["contexts"]["webview"]["url"] == "app:///index.html"  # not the random port
    assert "title" not in event["contexts"]["webview"]  # only with send_default_pii
    assert event["contexts"]["webview"]["engine"].startswith("Chromium ")
    assert_relay_accepts(event)
