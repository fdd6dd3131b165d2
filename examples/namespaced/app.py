"""A custom IPC namespace, for apps that run two Sentry setups side by side.

The namespace prefixes every channel: the bridge functions, the protocol URL and
``window.__SENTRY_IPC__["my-app"]``. The injected renderer uses the host's.

    SENTRY_DSN=https://key@o0.ingest.sentry.io/1 python examples/namespaced/app.py
"""

import os
from pathlib import Path

import webview

import sentry_webview

sentry_webview.init(dsn=os.environ.get("SENTRY_DSN"), ipc_namespace="my-app")
webview.create_window("sentry-webview namespaced", str(Path(__file__).resolve().with_name("index.html")))
webview.start()
