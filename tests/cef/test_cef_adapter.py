"""The CEF adapter (``sentry_webview.cef.wire_browser``) on the strict fake of cefpython3 66:
what a CEF app's user sees at the ingest, judged by Relay."""

import sys
import time

import pytest
import sentry_sdk

import sentry_webview.cef
from sentry_webview import WebviewIntegration
from sentry_webview.backends.injection import SOURCE_URL
from sentry_webview.ipc import wire
from tests.cef import fake_cefpython3 as cef
from tests.conftest import load_sample, sample_event
from tests.oracles import assert_relay_accepts

START, SCOPE, ENVELOPE, STATUS = (wire.bridge_function_name(wire.DEFAULT_NAMESPACE, c) for c in wire.CHANNELS)
APP = "http://127.0.0.1:8000/index.html"


@pytest.fixture(scope="module", autouse=True)
def initialized():
    if not cef._state["initialized"]:
        cef.Initialize()


@pytest.fixture
def excepthook(monkeypatch):
    """What reached ``sys.excepthook``: cefpython's sink for exceptions in callbacks and bound functions."""
    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc_info: seen.append(exc_info[1]))
    return seen


class AppHandler:
    def __init__(self):
        self.calls = []

    def OnLoadEnd(self, browser, frame, http_code):  # noqa: N802
        self.calls.append(("OnLoadEnd", http_code))

    def DoClose(self, browser):  # noqa: N802
        self.calls.append(("DoClose",))
        return False


def host():
    return sentry_sdk.get_client().get_integration(WebviewIntegration).hub


def test_a_renderer_error_over_the_binding_arrives_merged(webview_sdk, ingest, excepthook):
    webview_sdk()
    sentry_sdk.set_tag("host.tag", "cef")
    browser = cef.CreateBrowserSync(url="about:blank")
    sentry_webview.cef.wire_browser(browser, cef=cef)
    browser.LoadUrl(APP, title="cef app")
    page = browser.page
    assert page.call(START, '{"url": "%s", "title": "cef app"}' % APP) is None  # async: JS gets null
    assert page.call(ENVELOPE, load_sample("envelope_error.txt")) is None
    assert ingest.events == []
    cef.MessageLoopWork()
    event = ingest.wait_for_events(1)[0]
    assert event["event_id"] == sample_event()["event_id"]
    assert event["tags"]["event.process"] == "renderer"
    assert event["tags"]["host.tag"] == "cef"
    assert event["contexts"]["webview"] == {
        "backend": "cef",
        "window_uid": "cef-%d" % browser.GetIdentifier(),
        "url": "app:///index.html",  # the app's page, whatever the port; no title without send_default_pii
        "engine": "Chromium 66",
    }
    assert_relay_accepts(event)
    assert excepthook == []


def test_the_renderer_is_injected_at_every_load_start_with_its_config(webview_sdk):
    webview_sdk()
    browser = cef.CreateBrowserSync(url="about:blank")
    identity = sentry_webview.cef.wire_browser(browser, cef=cef)
    for url in (APP, "http://localhost:9000/other.html"):
        browser.LoadUrl(url)
        [script] = browser.page.scripts
        assert script["url"] == SOURCE_URL
        assert '"rendererId": "%s"' % identity.renderer_id in script["code"]
        assert '"bridge": true' in script["code"]
        assert '"autoInit": true' in script["code"]


def test_bindings_survive_cross_site_navigation_and_the_apps_own_stay(webview_sdk):
    webview_sdk()
    unwired = cef.CreateBrowserSync(url="about:blank")
    browser = cef.CreateBrowserSync(url="about:blank")
    for each in (unwired, browser):
        bindings = cef.JavascriptBindings(bindToFrames=False, bindToPopups=False)
        bindings.SetFunction("app_save", lambda value: None)
        each.SetJavascriptBindings(bindings)
    sentry_webview.cef.wire_browser(browser, cef=cef)
    for each in (unwired, browser):
        each.LoadUrl(APP)
        each.LoadUrl("http://localhost:9000/other.html")
    assert unwired.page.typeof("app_save") == "undefined"  # cefpython #406, without us
    assert browser.page.typeof("app_save") == "function"
    assert browser.page.typeof(ENVELOPE) == "function"


def test_the_apps_client_callbacks_keep_running(webview_sdk):
    webview_sdk()
    browser = cef.CreateBrowserSync(url="about:blank")
    app = AppHandler()
    browser.SetClientHandler(app)
    sentry_webview.cef.wire_browser(browser, cef=cef)
    browser.LoadUrl(APP)
    browser.CloseBrowser()
    assert app.calls == [("OnLoadEnd", 200), ("DoClose",)]
    crumbs = [c["message"] for c in sentry_sdk.get_global_scope()._breadcrumbs if c["category"] == "webview"]
    assert crumbs == ["window.created", "window.loaded", "window.closed"]


def test_a_killed_renderer_is_reported_with_its_window(webview_sdk, ingest):
    webview_sdk(send_default_pii=True)  # the window's title goes too
    browser = cef.CreateBrowserSync(url="about:blank")
    sentry_webview.cef.wire_browser(browser, cef=cef)
    browser.LoadUrl(APP, title="victim")
    browser.KillRenderer(cef.TS_PROCESS_CRASHED)
    event = ingest.wait_for_events(1)[0]
    assert event["message"] == "Renderer process gone: crashed"
    assert event["level"] == "fatal"
    assert event["contexts"]["webview"]["title"] == "victim"
    assert "window.renderer-gone" in [c["message"] for c in event["breadcrumbs"]["values"]]
    assert_relay_accepts(event)


def test_bad_input_from_the_page_never_reaches_excepthook(webview_sdk, ingest, excepthook):
    webview_sdk()
    browser = cef.CreateBrowserSync(url="about:blank")
    sentry_webview.cef.wire_browser(browser, cef=cef)
    browser.LoadUrl(APP)
    browser.page.call(ENVELOPE, "not an envelope")
    browser.page.call(SCOPE, [1, 2])
    browser.page.call(ENVELOPE, float("nan"))  # arrives as 0.0
    cef.MessageLoopWork()
    assert excepthook == []
    assert host().intake.stats["malformed"] == 3


def test_protocol_mode_binds_nothing(webview_sdk):
    webview_sdk(ipc_mode="protocol")
    browser = cef.CreateBrowserSync(url="about:blank")
    sentry_webview.cef.wire_browser(browser, cef=cef)
    browser.LoadUrl(APP)
    assert browser.GetJavascriptBindings() is None
    assert '"bridge": false' in browser.page.scripts[0]["code"]


def test_wiring_twice_is_wiring_once(webview_sdk):
    webview_sdk()
    browser = cef.CreateBrowserSync(url="about:blank")
    first = sentry_webview.cef.wire_browser(browser, cef=cef)
    assert sentry_webview.cef.wire_browser(browser, cef=cef) is first
    browser.LoadUrl(APP)
    assert len(browser.page.scripts) == 1


def test_a_page_of_a_foreign_origin_cant_use_the_bridge(webview_sdk, ingest):
    webview_sdk()
    browser = cef.CreateBrowserSync(url="about:blank")
    sentry_webview.cef.wire_browser(browser, cef=cef)
    browser.LoadUrl("https://elsewhere.example/page.html")
    assert browser.page.call(ENVELOPE, load_sample("envelope_error.txt")) is None
    cef.MessageLoopWork()
    assert host().intake.stats["refused_origin"] == 1
    assert host().intake.join(2) and ingest.events == []


def test_a_ui_thread_that_stops_running_its_loop_is_reported_once(webview_sdk, ingest):
    webview_sdk(anr_threshold=0.4)
    browser = cef.CreateBrowserSync(url="about:blank")
    sentry_webview.cef.wire_browser(browser, cef=cef)
    cef.MessageLoopWork()  # the first heartbeat
    time.sleep(1.2)  # the "UI thread" runs no loop: blocked
    event = ingest.wait_for_events(1)[0]
    exception = event["exception"]["values"][0]
    assert exception["type"] == "ApplicationNotResponding"
    assert exception["mechanism"] == {"type": "ANR", "handled": False}
    assert "test_a_ui_thread_that_stops_running_its_loop_is_reported_once" in [
        frame["function"] for frame in exception["stacktrace"]["frames"]
    ]
    assert_relay_accepts(event)
    time.sleep(0.5)
    assert len(ingest.events) == 1  # once per hang


def test_a_visible_page_whose_heartbeats_stop_is_reported_once_unless_closed_or_hidden(webview_sdk, ingest):
    webview_sdk(renderer_anr_threshold=0.4)
    browsers = {}
    for title, visible in (("blocked", "true"), ("closed", "true"), ("hidden", "false")):
        browsers[title] = browser = cef.CreateBrowserSync(url="about:blank")
        sentry_webview.cef.wire_browser(browser, cef=cef)
        browser.LoadUrl(APP, title=title)
        browser.page.call(STATUS, '{"visible": %s}' % visible)
    cef.MessageLoopWork()
    browsers["closed"].CloseBrowser()
    time.sleep(1.2)  # the UI thread runs no loop: bound calls can't arrive, so no page is judged
    assert ingest.events == []
    deadline = time.monotonic() + 1.2
    while time.monotonic() < deadline:  # the UI thread runs again; the pages send nothing more
        cef.MessageLoopWork()
        time.sleep(0.05)
    event = ingest.wait_for_events(1)[0]
    exception = event["exception"]["values"][0]
    assert exception["type"] == "ApplicationNotResponding"
    assert exception["mechanism"] == {"type": "ANR", "handled": False}
    assert event["tags"]["event.process"] == "renderer"
    blocked = host().identity_for("cef-%d" % browsers["blocked"].GetIdentifier())
    assert event["contexts"]["webview"] == dict(blocked.context(), url="app:///index.html")  # no title: no PII
    assert_relay_accepts(event)
    time.sleep(0.5)
    assert len(ingest.events) == 1  # once per block
