"""pywebview's own bridge dispatch (``webview.util.js_bridge_call``) calling our exposed functions.

No GUI: the window is created but never shown. (With a GUI, our calls leave pywebview's
dispatch for a thread of ours: tests/e2e/test_undisturbed.py.)
"""

import pytest
import sentry_sdk

import sentry_webview
from sentry_webview import WebviewIntegration
from sentry_webview.ipc import wire
from sentry_webview.ipc.origins import SCRIPT_RULE_KEY
from tests.conftest import load_sample, sample_event
from tests.protocol_client import post

webview = pytest.importorskip("webview", reason="pywebview is not installed (pip install .[qt])")
from webview.util import js_bridge_call  # noqa: E402


@pytest.fixture
def window(webview_sdk):
    webview_sdk()
    window = webview.create_window("bridge", html="<p>bridge</p>", js_api=AppApi())
    yield window
    webview.windows.remove(window)


ENVELOPE = load_sample("envelope_error.txt")


class AppApi:
    def save(self, value):
        return value


def test_a_batch_from_a_busy_bridge_arrives_message_by_message(window, ingest):
    intake = sentry_sdk.get_client().get_integration(WebviewIntegration).hub.intake
    window.evaluate_js = lambda script: None  # the page takes the reply
    first, second = (load_sample("envelope_error.txt").replace(sample_event()["event_id"], c * 32) for c in "ab")
    batch = {wire.BATCH_KEY: [first, "not an envelope", second]}
    js_bridge_call(window, wire.bridge_function_name(wire.DEFAULT_NAMESPACE, wire.ENVELOPE), [batch], "3")
    assert sorted(e["event_id"] for e in ingest.wait_for_events(2)) == ["a" * 32, "b" * 32]
    assert intake.stats["malformed"] == 1


@pytest.mark.parametrize(
    "page_url, arrives",
    [
        ("file:///app/", True),  # the html= window's own page (pywebview loads it on a file:// base)
        ("blob:http://foreign.test:8000/5b1c", False),
        ("data:text/html,<p>x</p>", True),  # the html= window's own page, as QtWebEngine's setHtml shows it
        ("about:blank", True),  # and as WebKitGTK's load_html does
        ("data:image/svg+xml,<svg/>", False),
        ("about:srcdoc", False),
        ("http://foreign.test:8000/", False),
    ],
)
def test_the_bridge_judges_the_page_the_engine_shows_by_its_inner_origin(window, ingest, page_url, arrives):
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    window.evaluate_js = lambda script: None
    hub.identity_for(window.uid).update(page_url=page_url)
    # The exposed function itself, as pywebview's dispatch calls it (in a thread of its own there).
    call = window._functions[wire.bridge_function_name(wire.DEFAULT_NAMESPACE, wire.ENVELOPE)]
    call(load_sample("envelope_error.txt"))
    assert hub.intake.join(5)
    sentry_sdk.flush(2)
    if arrives:
        ingest.wait_for_events(1)
    assert (len(ingest.events), hub.stats["refused_origin"]) == ((1, 0) if arrives else (0, 1))


def test_a_window_of_a_local_file_pywebview_serves_over_http_accepts_no_null_origin(webview_sdk, ingest):
    webview_sdk()
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    config = sentry_webview.renderer_config()
    local = webview.create_window("app", "index.html")  # served by pywebview's own http server
    try:
        rule = hub.renderer_config(hub.identity_for(local.uid))[SCRIPT_RULE_KEY]
        assert not rule["null"]  # a sandboxed srcdoc frame of its page gets no config
        # A sandboxed frame's request: refused, preflight and post.
        assert post(config, "envelope", ENVELOPE, origin="null", method="OPTIONS")[0] == 403
        assert post(config, "envelope", ENVELOPE, origin="null")[0] == 403
        html = webview.create_window("html", html="<p>app</p>")
        try:  # an html= window's page is null: its requests and bridge calls are the app's
            assert post(config, "envelope", ENVELOPE, origin="null")[0] == 200
            assert hub.renderer_config(hub.identity_for(html.uid))[SCRIPT_RULE_KEY]["null"]
            assert not hub.renderer_config(hub.identity_for(local.uid))[SCRIPT_RULE_KEY]["null"]
        finally:
            webview.windows.remove(html)
    finally:
        webview.windows.remove(local)
    assert hub.intake.join(5) and sentry_webview.flush(2)
    ingest.wait_for_exactly(1)  # the html= page's event, and nothing else
