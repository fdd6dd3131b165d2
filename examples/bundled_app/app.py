"""A pywebview app whose page is built by a bundler and imports the ``sentry-webview`` npm package.

    cd examples/bundled_app && npm install && npm run build
    SENTRY_DSN=https://key@o0.ingest.sentry.io/1 python examples/bundled_app/app.py

With tracing on, a click on "Load report" is one trace: the page's span, the host's
transaction for the ``js_api`` call, the Python work and its outgoing HTTP request
(to a local service started here, on 127.0.0.1). The page inits its own SDK
(``PageInitIntegration``): the host injects only the preload.
"""

import json
import os
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import webview

import sentry_webview

HERE = Path(__file__).resolve().parent


class ReportService(BaseHTTPRequestHandler):
    """Stands in for the service the app's Python side calls."""

    def do_GET(self):  # noqa: N802
        body = json.dumps({"rows": 42}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


service = ThreadingHTTPServer(("127.0.0.1", 0), ReportService)
threading.Thread(target=service.serve_forever, daemon=True).start()


class Api:
    def load_report(self, name):
        url = "http://127.0.0.1:%d/reports/%s" % (service.server_address[1], name)
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())


sentry_webview.init(
    dsn=os.environ.get("SENTRY_DSN"),
    traces_sample_rate=1.0,
    integrations=[sentry_webview.PageInitIntegration()],
)
webview.create_window("sentry-webview bundled app", str(HERE / "index.html"), js_api=Api())
webview.start()
