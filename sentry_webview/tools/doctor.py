"""``python -m sentry_webview doctor``: what is wired, and for each problem, the fix.

It opens a short self-test window (offscreen when there is no display) against an
embedded local ingest, never the app's DSN, and checks the path a renderer error
takes: bundles found, injection, bridge, protocol, intake. It aims at the complaints
@sentry/electron users file most: a silent fallback, "failed to establish
connection", and the preload not found after bundling.
"""

import http.client
import importlib.util
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from sentry_webview.tools.demo import Gui, headless_environment

PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>sentry-webview doctor</title></head>
<body><p>sentry-webview doctor</p></body></html>"""
PROBE = """JSON.stringify({
  injected: !!window.__SENTRY_WEBVIEW__,
  namespaces: Object.keys(window.__SENTRY_IPC__ || {}),
  bridge: !!(window.pywebview && window.pywebview.api && window.pywebview.api[%s]),
  sdk: typeof SentryWebview !== "undefined"
})"""

Check = Tuple[bool, str, str, str]  # ok, name, what was found, the fix when not ok


def _page(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [PAGE]


def static_checks(dsn: Optional[str]) -> List[Check]:
    """What can be told without a window: DSN, bundles, the GUI, the offline queue."""
    from sentry_sdk.utils import BadDsn, Dsn

    from sentry_webview.app_info import app_name
    from sentry_webview.backends.injection import renderer_bundle
    from sentry_webview.transport.offline import default_queue_path

    checks: List[Check] = []
    try:
        Dsn(dsn or "")
        valid = True
    except BadDsn:
        valid = False
    found_dsn = "set (%s)" % urlsplit(dsn or "").hostname if valid else "missing or invalid: %r" % (dsn,)
    checks.append((valid, "DSN", found_dsn, "pass dsn= to sentry_webview.init or set SENTRY_DSN"))
    frozen = getattr(sys, "frozen", False)
    found = renderer_bundle() is not None
    checks.append(
        (
            found,
            "renderer bundle",
            "sentry_webview/static found%s" % (" (frozen app)" if frozen else "") if found else "missing",
            "a frozen app needs sentry-webview's PyInstaller hook (pip install sentry-webview in the build env, "
            "or collect_data_files('sentry_webview')); else pages must ship the bundles "
            "(python -m sentry_webview js --out DIR) and use ipc_mode PROTOCOL or BOTH",
        )
    )
    gui = next((name for name in ("PyQt6", "gi") if importlib.util.find_spec(name)), None)
    found_gui = {"PyQt6": "Qt (QtWebEngine)", "gi": "GTK (WebKit2GTK)"}.get(gui or "", "none")
    checks.append((bool(gui), "GUI", found_gui, "pip install sentry-webview[qt] or sentry-webview[gtk]"))
    if valid:
        queue = default_queue_path(str(dsn))
        depth = len(list(queue.glob("*.envelope"))) if queue.exists() else 0
        checks.append((True, "offline queue", "%s (%d waiting, app %r)" % (queue, depth, app_name()), ""))
    return checks


def live_checks(gui: Gui) -> List[Check]:
    """A self-test window: injection, bridge, protocol, and a renderer error reaching the intake."""
    import webview

    import sentry_webview
    from sentry_webview.ipc import wire
    from sentry_webview.tools.ingest import LocalIngest

    ingest = LocalIngest()
    sentry_webview.init(dsn=ingest.dsn, offline=False, release="sentry-webview-doctor")
    host = sentry_webview.WebviewIntegration.current().hub
    window = webview.create_window("sentry-webview doctor", url=_page, width=480, height=240)
    assert window is not None  # None only when an `initialized` handler cancels it
    checks: List[Check] = []

    def probe() -> None:
        try:
            window.events.loaded.wait(15)
            name = wire.bridge_function_name(host.namespace, wire.ENVELOPE)
            page = json.loads(window.evaluate_js(PROBE % json.dumps(name)) or "{}")
            deadline = time.monotonic() + 5
            while not page.get("bridge") and time.monotonic() < deadline:
                time.sleep(0.1)
                page = json.loads(window.evaluate_js(PROBE % json.dumps(name)) or "{}")
            checks.append(
                (
                    bool(page.get("injected") and page.get("sdk")),
                    "injection",
                    "renderer SDK running in the page" if page.get("sdk") else "nothing injected",
                    "see the renderer bundle check; pages of GUIs other than Qt/GTK get it at `loaded`",
                )
            )
            checks.append(
                (
                    host.namespace in page.get("namespaces", []),
                    "namespace",
                    "%r in host and page, ipc_mode %s" % (host.namespace, host.mode.value),
                    "use the same ipc_namespace in init, hookupIpc and SentryWebview.init",
                )
            )
            checks.append(
                (
                    bool(page.get("bridge")),
                    "bridge",
                    "window.pywebview.api.%s present" % name if page.get("bridge") else "missing",
                    "ipc_mode must be CLASSIC or BOTH, and sentry_webview.init must run before webview.start()",
                )
            )
            checks.append(_protocol_check(host))
            started = time.monotonic()
            window.evaluate_js("setTimeout(function () { throw new Error('sentry-webview doctor'); }, 0)")
            arrived = ingest.wait_for(lambda i: i.events, timeout=10)
            checks.append(
                (
                    bool(arrived),
                    "renderer event",
                    "reached the host and the ingest in %.0f ms" % ((time.monotonic() - started) * 1000)
                    if arrived
                    else "did not arrive within 10 s",
                    "look for a 'sentry-webview' line in the page console: it names the fallback and why",
                )
            )
        finally:
            window.destroy()

    webview.start(probe, gui=gui)
    ingest.close()
    return checks


def _protocol_check(host: Any) -> Check:
    from sentry_webview.ipc import wire

    if host.protocol is None:
        return (True, "protocol", "not served (ipc_mode CLASSIC, or mounted in the app's Flask app)", "")
    connection = http.client.HTTPConnection("127.0.0.1", host.protocol.port, timeout=5)
    try:
        connection.request(
            "POST",
            wire.protocol_path(host.namespace, wire.START),
            body=b"{}",
            headers={wire.TOKEN_HEADER: host.token, "Origin": host.protocol.base_url},  # a loopback page's
        )
        status = connection.getresponse().status
    except OSError as error:
        status, detail = None, str(error)
    finally:
        connection.close()
    ok = status == 200
    return (
        ok,
        "protocol",
        "%s answers" % host.protocol.base_url if ok else "%s: %s" % (host.protocol.base_url, status or detail),
        "a firewall or proxy on loopback? NO_PROXY must include 127.0.0.1",
    )


def run_doctor(dsn: Optional[str] = None, gui: Gui = None) -> int:
    """Print every check; exit status 1 when one failed."""
    headless_environment()
    dsn = dsn or os.environ.get("SENTRY_DSN")
    if gui is None and importlib.util.find_spec("PyQt6") is not None:
        gui = "qt"
    checks = static_checks(dsn)
    if all(ok for ok, name, _, _ in checks if name == "GUI"):
        checks += live_checks(gui)
    for ok, name, found, fix in checks:
        print("%s %-15s %s" % ("✓" if ok else "✗", name, found))
        if not ok:
            print("  fix: %s" % fix)
    return 0 if all(ok for ok, *_ in checks) else 1
