"""The smallest sentry-webview app: a page with a button that throws.

SENTRY_DSN=https://key@o0.ingest.sentry.io/1 python examples/basic/app.py
"""

import os
from pathlib import Path

import webview

import sentry_webview

sentry_webview.init(dsn=os.environ.get("SENTRY_DSN"))
webview.create_window("sentry-webview basic", str(Path(__file__).resolve().with_name("index.html")))
webview.start()
