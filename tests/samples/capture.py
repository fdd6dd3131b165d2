"""Capture renderer payloads exactly as the shipped bundles send them, from real Chromium.

    .venv/bin/python tests/samples/capture.py

Loads sentry_webview/static/renderer.js in Debian's Chromium with a recording bridge
(``window.pywebview.api``), makes the page produce an error, an error with an
attachment, a transaction and a scope update, and writes what crossed the bridge.
"""

import importlib.util
import json
from pathlib import Path

from playwright.sync_api import sync_playwright

from sentry_webview.ipc import wire

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
spec = importlib.util.spec_from_file_location("playwright_config", ROOT / "playwright.config.py")
config = importlib.util.module_from_spec(spec)
spec.loader.exec_module(config)

NAMES = {wire.bridge_function_name("sentry-ipc", c): c for c in wire.CHANNELS}
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script>
window.__SENTRY_WEBVIEW__ = {ipcNamespace: "sentry-ipc", ipcMode: "classic", autoInit: true};
var api = {};
%s.forEach(function (name) { api[name] = function (p) { return window.__record(name, p); }; });
window.pywebview = {api: api};
</script>
<script src="/renderer.js"></script>
</head><body><button id="save">Save</button>
<script>
SentryWebview.setUser({id: "u-42", username: "alice"});
SentryWebview.setTag("page", "settings");
SentryWebview.addBreadcrumb({category: "navigation", message: "opened settings"});
console.log("hello from renderer");
function computeTotal(cart) { return cart.items.reduce(function (a, b) { return a + b; }, 0); }
document.getElementById("save").onclick = function () { setTimeout(function onSave() { computeTotal({}); }, 0); };
</script></body></html>""" % json.dumps(sorted(NAMES))

STEPS = [
    "document.getElementById('save').click()",
    "SentryWebview.captureException(new Error('with attachment'), "
    "{attachments: [{filename: 'log.txt', data: 'line1\\nline2'}]})",
    "SentryWebview.captureEvent({type: 'transaction', transaction: '/settings', "
    "start_timestamp: Date.now() / 1000 - 0.25, timestamp: Date.now() / 1000, "
    "contexts: {trace: {trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8), op: 'pageload'}}, spans: []})",
]


def main() -> None:
    calls = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**config.launch_args())
        page = browser.new_page()
        page.expose_function("__record", lambda name, payload: calls.append((NAMES[name], payload)))
        page.route("http://app.test/index.html", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
        renderer = (ROOT / "sentry_webview" / "static" / "renderer.js").read_text()
        page.route(
            "http://app.test/renderer.js", lambda route: route.fulfill(body=renderer, content_type="text/javascript")
        )
        page.goto("http://app.test/index.html")
        for step in STEPS:
            page.evaluate(step)
            page.wait_for_timeout(400)
        browser.close()
    envelopes = [payload for channel, payload in calls if channel == "envelope"]
    error = next(e for e in envelopes if isinstance(e, str) and '"type":"event"' in e and "TypeError" in e)
    binary = next(e for e in envelopes if isinstance(e, dict))
    transaction = next(e for e in envelopes if isinstance(e, str) and '"type":"transaction"' in e)
    scope = next(p for c, p in calls if c == "scope" and "hello from renderer" in p)
    (HERE / "envelope_error.txt").write_text(error)
    (HERE / "envelope_attachment.b64").write_text(binary["base64"])
    (HERE / "envelope_transaction.txt").write_text(transaction)
    (HERE / "scope.json").write_text(json.dumps(json.loads(scope), indent=1))
    print("captured %d bridge calls: %s" % (len(calls), [c for c, _ in calls]))


if __name__ == "__main__":
    main()
