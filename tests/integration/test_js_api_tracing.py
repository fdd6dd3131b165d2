"""A traced js_api call as pywebview dispatches it (``webview.util.js_bridge_call``), without a GUI:
the app's function runs with its own arguments and result, in a host transaction that continues
the page's trace under the host's DSC."""

import json
import threading

import pytest
import sentry_sdk

from sentry_webview import PageInitIntegration, WebviewIntegration
from sentry_webview.backends.injection import injected_source
from sentry_webview.ipc import wire
from tests.oracles import assert_relay_accepts

webview = pytest.importorskip("webview", reason="pywebview is not installed (pip install .[qt])")
from webview.util import js_bridge_call  # noqa: E402

TRACE_ID = "771a43a4192642f0b136d5159a501700"
PAGE_SPAN = "b3a5d7c1e4f60718"
# What a page without the host's DSC sends (its own bundle, no injected config): a dummy key, no release.
PAGE_BAGGAGE = (
    "sentry-trace_id=%s,sentry-public_key=public,sentry-sampled=true,sentry-sample_rate=1,other=kept" % TRACE_ID
)


class AppApi:
    def __init__(self):
        self.calls = []

    def save(self, name, options):
        self.calls.append((name, options))
        return {"saved": name}

    def fail(self):
        raise ValueError("app failure")


def call(window, name, args, trace):
    """A traced call as the page makes it; returns what pywebview hands back to the page."""
    answered = threading.Event()
    replies = []

    def evaluate_js(script):
        replies.append(script)
        answered.set()

    window.evaluate_js = evaluate_js
    js_bridge_call(window, wire.JS_API_CALL, [name, args, trace], "1")
    assert answered.wait(10)
    return replies[0]


@pytest.fixture
def traced_window(webview_sdk):
    webview_sdk(traces_sample_rate=1.0)
    api = AppApi()
    window = webview.create_window("traced", html="<p>traced</p>", js_api=api)
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    hub.gui_ready(window, None)  # what the backend does before the window is first shown
    yield window, api, hub
    webview.windows.remove(window)


def test_a_traced_js_api_call_runs_the_apps_function_in_a_host_transaction_continuing_the_page(traced_window, ingest):
    window, api, _ = traced_window
    headers = {"sentry-trace": "%s-%s-1" % (TRACE_ID, PAGE_SPAN), "baggage": PAGE_BAGGAGE}
    reply = call(window, "save", ["report", {"rows": 2}], headers)
    assert api.calls == [("report", {"rows": 2})]
    assert "{value: '%s'}" % json.dumps({"saved": "report"}) in reply
    received = ingest.wait_for(lambda i: [r for r in i.received if r.event], timeout=10)
    sentry_sdk.flush(2)
    assert len([r for r in ingest.received if r.event]) == 1
    transaction = received[0].event
    trace = transaction["contexts"]["trace"]
    assert (trace["trace_id"], trace["parent_span_id"], trace["op"]) == (TRACE_ID, PAGE_SPAN, wire.JS_API_OP)
    assert transaction["transaction"] == "save" and transaction["tags"][wire.PROCESS_TAG] == wire.HOST_PROCESS
    spans = [(s["op"], s["description"]) for s in transaction["spans"]]
    assert spans == [("function", "tests.integration.test_js_api_tracing.AppApi.save")]
    dsc = received[0].envelope.headers["trace"]
    assert dsc["trace_id"] == TRACE_ID
    assert (dsc["release"], dsc["environment"], dsc["public_key"]) == ("app@1.2.3", "test", "publickey")
    assert_relay_accepts(transaction)


def test_an_app_function_that_raises_rejects_in_the_page_as_without_tracing(traced_window, ingest):
    window, _, _ = traced_window
    reply = call(window, "fail", [], {"sentry-trace": "%s-%s-1" % (TRACE_ID, PAGE_SPAN)})
    assert "isError: true" in reply and "app failure" in reply and "ValueError" in reply
    ingest.wait_for(lambda i: [r for r in i.received if (r.event or {}).get("type") == "transaction"], timeout=10)
    transaction = [r.event for r in ingest.received if (r.event or {}).get("type") == "transaction"][0]
    assert transaction["contexts"]["trace"]["status"] == "internal_error"


def test_the_traced_call_reaches_only_the_apps_functions(traced_window):
    window, _, hub = traced_window
    reply = call(window, wire.bridge_function_name(hub.namespace, wire.START), ["{}"], {})
    assert "isError: true" in reply and "does not exist" in reply
    assert hub.stats["renderers_started"] == 0


def test_pages_get_the_tracing_bundle_only_when_the_host_traces(webview_sdk):
    webview_sdk()
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    config = hub.renderer_config()
    assert "tracing" not in config
    assert config["host"] == {"release": "app@1.2.3", "environment": "test", "public_key": "publickey"}
    assert "browserTracing" not in injected_source(hub.renderer_config())
    webview_sdk(traces_sample_rate=0.25)
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    config = hub.renderer_config()
    assert config["tracing"] == {"tracesSampleRate": 0.25}
    assert "BrowserTracing" in injected_source(config)


def test_a_page_that_inits_its_own_sdk_gets_the_preload_but_no_second_init(webview_sdk):
    webview_sdk(traces_sample_rate=1.0, integrations=[PageInitIntegration()])
    hub = sentry_sdk.get_client().get_integration(WebviewIntegration).hub
    source = injected_source(hub.renderer_config())
    assert '"autoInit": false' in source
    assert "BrowserTracing" not in source  # the page's own SDK traces; the injected one only hooks up the IPC
