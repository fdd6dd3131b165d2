"""The app's own Flask app with the protocol blueprint mounted, served over real HTTP, tracing on: a
page's fetch to the app continues the page's trace, and renderer messages make no transactions."""

import http.client
import threading
import time

import pytest
from flask import Flask
from werkzeug.serving import make_server

import sentry_webview
from sentry_webview import IPCMode
from tests.conftest import load_sample
from tests.protocol_client import post

TRACE_ID = "771a43a4192642f0b136d5159a501700"
PAGE_SPAN = "b3a5d7c1e4f60718"
PAGE_BAGGAGE = "sentry-trace_id=%s,sentry-public_key=publickey,sentry-sampled=true,sentry-sample_rate=1" % TRACE_ID


@pytest.fixture
def apps_server(webview_sdk):
    """The app's Flask app (protocol mounted, one ``/data`` route) served as ``app.run`` would."""
    webview_sdk(traces_sample_rate=1.0, ipc_mode=IPCMode.PROTOCOL, protocol_url="/sentry-ipc")
    app = Flask("the-apps-own")
    app.register_blueprint(sentry_webview.protocol_blueprint())
    app.add_url_rule("/data", "data", lambda: {"rows": 3})
    server = make_server("127.0.0.1", 0, app, threaded=True)  # app, not app.wsgi_app: sentry-sdk's Flask hook runs
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_port
    server.shutdown()
    thread.join(5)


def transactions(ingest):
    return [r.event for r in list(ingest.received) if r.items_of("transaction")]


def test_a_pages_fetch_continues_its_trace_and_renderer_messages_make_no_transaction(apps_server, ingest):
    origin = apps_server
    config = dict(sentry_webview.renderer_config(), protocolUrl=origin)
    for channel, body in [("scope", {"tags": {"page": "home"}}), ("envelope", load_sample("envelope_error.txt"))]:
        assert post(config, channel, body, origin=origin)[0] == 200
    conn = http.client.HTTPConnection("127.0.0.1", int(origin.rsplit(":", 1)[1]), timeout=10)
    headers = {"Origin": origin, "sentry-trace": "%s-%s-1" % (TRACE_ID, PAGE_SPAN), "baggage": PAGE_BAGGAGE}
    conn.request("GET", "/data", headers=headers)
    assert conn.getresponse().read() == b'{"rows":3}\n'
    conn.close()

    ingest.wait_for(transactions)
    sentry_webview.flush(5)
    time.sleep(0.5)
    assert [t["transaction"] for t in transactions(ingest)] == ["data"]  # none named sentry_webview_*
    trace = transactions(ingest)[0]["contexts"]["trace"]
    assert (trace["trace_id"], trace["parent_span_id"], trace["op"]) == (TRACE_ID, PAGE_SPAN, "http.server")
    assert len(ingest.wait_for_exactly(1)) == 1  # the renderer's error, delivered through the mounted blueprint
    assert [r for r in ingest.client_reports() if r["category"] in ("transaction", "span")] == []  # not "lost" either


def test_the_standalone_protocol_server_makes_no_transaction_either(webview_sdk, ingest):
    webview_sdk(traces_sample_rate=1.0)
    trace = {"sentry-trace": "%s-%s-1" % (TRACE_ID, PAGE_SPAN), "baggage": PAGE_BAGGAGE}
    config = sentry_webview.renderer_config()
    assert post(config, "envelope", load_sample("envelope_error.txt"), headers=trace)[0] == 200
    assert len(ingest.wait_for_exactly(1)) == 1
    sentry_webview.flush(5)
    assert transactions(ingest) == []
