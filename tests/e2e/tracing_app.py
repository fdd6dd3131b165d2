"""A pywebview app with tracing on: ``python -m tests.e2e.tracing_app``.

The page (served on 127.0.0.1) fetches from its own origin, then a click calls the
app's ``js_api`` function ``load_report``, which does its Python work and an outgoing
HTTP request to the same local server; then the page navigates (``history.pushState``).
``TRACED_HEADERS`` lines tell the test what trace headers the server received. ``TRACES``
off runs the same app untraced. ``SERVE=flask`` serves the same routes from the app's own
Flask app instead (pywebview serves it, the protocol blueprint mounted, as in examples/flask_app).
"""

import json
import os
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sentry_sdk
import webview

import sentry_webview

PAGE = """<!doctype html><title>tracing</title><link rel="icon" href="data:,"><button id="go">load</button>
<script>
document.getElementById('go').addEventListener('click', function () {
  fetch('/data').then(function (r) { return r.text(); }).then(function () {
    return window.pywebview.api.load_report('q3', {rows: 2});
  }).then(function (result) {
    history.pushState({}, '', '/report?name=' + result);  // a navigation: the page's own transaction
    document.title = 'done:' + result;
  }, function (error) { document.title = 'failed:' + error; });
});
window.addEventListener('pywebviewready', function () { document.getElementById('go').click(); });
</script>"""
received = []


class _Server(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path != "/":
            received.append({"path": self.path, "sentry-trace": self.headers.get("sentry-trace")})
        body = (PAGE if self.path == "/" else '{"ok": true}').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8" if self.path == "/" else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def flask_app():
    from flask import Flask, request

    app = Flask(__name__)
    app.register_blueprint(sentry_webview.protocol_blueprint())

    @app.route("/")
    def page():
        return PAGE

    def answer():
        received.append({"path": request.full_path.rstrip("?"), "sentry-trace": request.headers.get("sentry-trace")})
        return {"ok": True}

    app.add_url_rule("/data", "data", answer)
    app.add_url_rule("/downstream", "downstream", answer)
    return app


class Api:
    def load_report(self, name, options):
        """The app's Python work: it checks its arguments and calls a local HTTP service."""
        assert name == "q3" and options == {"rows": 2}, (name, options)
        base = window.real_url.rstrip("/")  # the page's own server
        with urllib.request.urlopen(base + "/downstream?report=" + name, timeout=5) as response:
            json.loads(response.read())
        return name.upper()


FLASK = os.environ.get("SERVE") == "flask"
sentry_webview.init(
    dsn=os.environ["SENTRY_DSN"],
    release="e2e@1.0",
    environment="e2e",
    traces_sample_rate=1.0 if os.environ.get("TRACES", "on") == "on" else None,
    **({"ipc_mode": sentry_webview.IPCMode.PROTOCOL, "protocol_url": "/sentry-ipc"} if FLASK else {}),
)
if FLASK:
    window = webview.create_window("tracing", flask_app(), js_api=Api())
else:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    window = webview.create_window("tracing", "http://127.0.0.1:%d/" % server.server_address[1], js_api=Api())


def run():
    deadline = time.monotonic() + 30
    title = ""
    while time.monotonic() < deadline and not title.startswith(("done:", "failed:")):
        time.sleep(0.1)
        title = window.evaluate_js("document.title") or ""
    print("TITLE %s" % title, flush=True)
    print("TRACED_HEADERS %s" % json.dumps(received), flush=True)
    time.sleep(1.5)  # the page's idle pageload transaction ends 1 s after its last activity
    window.evaluate_js("SentryWebview.flush(2000)")
    time.sleep(0.5)
    sentry_webview.flush(5)
    hub = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
    print("HUB_STATS %s" % json.dumps(dict(hub.stats)), flush=True)
    window.destroy()


threading.Thread(target=lambda: (time.sleep(60), print("TIMEOUT", flush=True), os._exit(3)), daemon=True).start()
webview.start(run, gui=os.environ.get("PYWEBVIEW_GUI"))
