"""pywebview serving a Flask app, with sentry-webview's protocol mounted same-origin.

The renderer POSTs to ``/sentry-ipc/...`` on the app's own server: no CORS, no
second port, and a strict ``connect-src 'self'`` Content-Security-Policy still works.

    SENTRY_DSN=https://key@o0.ingest.sentry.io/1 python examples/flask_app/app.py
"""

import os

import webview
from flask import Flask

import sentry_webview
from sentry_webview import IPCMode

sentry_webview.init(dsn=os.environ.get("SENTRY_DSN"), ipc_mode=IPCMode.PROTOCOL, protocol_url="/sentry-ipc")

app = Flask(__name__)
app.register_blueprint(sentry_webview.protocol_blueprint())


@app.after_request
def content_security_policy(response):
    # connect-src 'self' is enough for sentry-webview; pywebview's evaluate_js needs 'unsafe-eval'.
    policy = "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; connect-src 'self'"
    response.headers["Content-Security-Policy"] = policy
    return response


@app.route("/")
def index():
    return """<!doctype html><html><head><meta charset="utf-8"><title>sentry-webview flask</title></head>
<body><h1>Flask</h1><button id="throw">Throw after a fetch</button>
<script>
document.getElementById("throw").onclick = function () {
  fetch("/total").then(function (r) { return r.json(); }).then(function (total) { total.sum.toFixed(2); });
};
</script></body></html>"""


@app.route("/total")
def total():
    return {"count": 3}


if __name__ == "__main__":
    webview.create_window("sentry-webview flask", app)
    webview.start()
