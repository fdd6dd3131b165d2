"""A page that ships sentry-webview's JS itself, talking to the host over the protocol.

This is the bundled-app path: when a frozen app has no ``sentry_webview/static``
files, nothing is injected, so the page includes the preload and the renderer bundles
(``python -m sentry_webview js --out DIR`` writes them) and gets its config from the host
(``renderer_config()``).

    SENTRY_DSN=https://key@o0.ingest.sentry.io/1 python examples/manual_preload/app.py
"""

import json
import os
from importlib import resources
from pathlib import Path

import webview
from flask import Flask, Response

import sentry_webview
from sentry_webview import IPCMode

HERE = Path(__file__).resolve().parent
STATIC = resources.files("sentry_webview") / "static"

# get_windows=list: wire no window automatically, as when the bundles are missing.
sentry_webview.init(dsn=os.environ.get("SENTRY_DSN"), ipc_mode=IPCMode.PROTOCOL, get_windows=list)

app = Flask(__name__)


@app.route("/")
def index():
    return (HERE / "index.html").read_text("utf-8")


@app.route("/config.js")
def config():
    body = "window.__SENTRY_WEBVIEW__ = %s;" % json.dumps(sentry_webview.renderer_config())
    return Response(body, mimetype="text/javascript")


@app.route("/sentry-webview-<name>.js")
def bundle(name):
    shipped = {"preload": STATIC / "preload.js", "renderer": STATIC / "renderer.js"}[name]
    return Response(shipped.read_text("utf-8"), mimetype="text/javascript")


if __name__ == "__main__":
    webview.create_window("sentry-webview manual preload", app)
    webview.start()
