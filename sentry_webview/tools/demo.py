"""The demo: a pywebview window throws in the renderer and in Python, and both
arrive merged at a local ingest (or ``--dsn``), each with a screenshot of the window.
Prints what arrived."""

import importlib.util
import os
import threading
from datetime import datetime
from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple

from sentry_webview.ipc import wire

Gui = Optional[Literal["qt", "gtk"]]  # pywebview's GUIs this runs on (None: pywebview's own choice)

PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>sentry-webview demo</title></head>
<body>
  <h1>sentry-webview demo</h1>
  <button id="renderer-error">Throw in the renderer</button>
  <button id="host-error">Throw in Python</button>
  <script>
    SentryWebview.setUser({ id: "demo-user" });
    document.getElementById("renderer-error").onclick = function () {
      console.log("computing the cart total");
      var cart = undefined;
      return cart.total;                      // TypeError in the renderer
    };
    document.getElementById("host-error").onclick = function () {
      SentryWebview.addBreadcrumb({ category: "ui", message: "asked Python to check out" });
      window.pywebview.api.checkout();        // raises in Python
    };
  </script>
</body></html>"""


def headless_environment() -> None:
    """Qt offscreen without a display, and QtWebEngine's sandbox off as root (it refuses to start)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def _page(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [PAGE]


class DemoApi:
    """The app's own js_api: ``checkout`` fails in Python."""

    def checkout(self) -> None:
        import sentry_sdk

        try:
            {"items": 3}["total"]
        except KeyError:
            sentry_sdk.capture_exception()


def summarize(event: Dict[str, Any], attachments: Sequence[Any] = ()) -> str:
    """A few readable lines about one merged event and its attachments (sentry-sdk ``Attachment``)."""
    exception = (event.get("exception") or {}).get("values") or [{}]
    last = exception[-1]
    tags = event.get("tags") or {}
    webview = (event.get("contexts") or {}).get(wire.WEBVIEW_CONTEXT) or {}
    lines = [
        "● %-8s %s: %s" % (tags.get(wire.PROCESS_TAG, "?"), last.get("type"), last.get("value")),
        "    event %s  release %s  environment %s  user %s"
        % (event.get("event_id"), event.get("release"), event.get("environment"), (event.get("user") or {}).get("id")),
    ]
    if webview:
        lines.append(
            "    window %s (%s, %s)  %s"
            % (webview.get("window_uid"), webview.get("backend"), webview.get("engine"), webview.get("url"))
        )
    for attachment in attachments:
        size = len(attachment.bytes or b"") / 1000
        lines.append("    attachment %s (%s, %.1f kB)" % (attachment.filename, attachment.content_type, size))
    lines.append("    breadcrumbs, both sides in time order:")
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        timestamp = crumb.get("timestamp")
        when = timestamp.strftime("%H:%M:%S.%f")[:-3] if isinstance(timestamp, datetime) else str(timestamp)[11:23]
        side = wire.RENDERER_PROCESS if "webview.window" in (crumb.get("data") or {}) else wire.HOST_PROCESS
        lines.append("      %s %-8s [%s] %s" % (when, side, crumb.get("category"), crumb.get("message")))
    return "\n".join(lines)


def run_demo(dsn: Optional[str] = None, gui: "Gui" = None) -> int:
    headless_environment()
    if gui is None and importlib.util.find_spec("PyQt6") is not None:
        gui = "qt"
    import sentry_sdk
    import webview

    import sentry_webview
    from sentry_webview.tools.ingest import LocalIngest

    ingest = None if dsn else LocalIngest()
    sent: List[Tuple[Dict[str, Any], List[Any]]] = []  # each event, with its attachments
    arrived = threading.Event()

    def before_send(event: Dict[str, Any], hint: Dict[str, Any]) -> Dict[str, Any]:
        sent.append((event, list(hint.get("attachments") or ())))
        if len(sent) >= 2:
            arrived.set()
        return event

    sentry_webview.init(
        dsn=dsn or (ingest.dsn if ingest is not None else None),
        release="sentry-webview-demo@0.1.0",
        before_send=before_send,
        attach_screenshot=True,
    )
    sentry_sdk.set_tag("demo", "yes")
    window = webview.create_window("sentry-webview demo", url=_page, js_api=DemoApi(), width=640, height=400)
    assert window is not None  # None only when an app's own `initialized` handler cancels it

    def script() -> None:
        window.events.loaded.wait(15)
        window.evaluate_js("document.getElementById('renderer-error').click()")
        window.evaluate_js("document.getElementById('host-error').click()")
        arrived.wait(15)
        sentry_webview.flush(5)
        window.destroy()

    print(
        "sentry-webview demo: opening a %s window%s"
        % (gui or "pywebview", " (offscreen)" if os.environ.get("QT_QPA_PLATFORM") == "offscreen" else "")
    )
    webview.start(script, gui=gui)
    sentry_webview.flush(5)
    if ingest is not None:
        received = ingest.events
        attachments = {event["event_id"]: files for event, files in sent}
        print("\n%d events arrived at the embedded local ingest (%s):\n" % (len(received), ingest.dsn))
        for event in received:
            print(summarize(event, attachments.get(event.get("event_id"), [])) + "\n")
        ingest.close()
        return 0 if len(received) >= 2 else 1
    print("\n%d events sent to %s:\n" % (len(sent), dsn))
    for event, files in sent:
        print(summarize(event, files) + "\n")
    return 0 if len(sent) >= 2 else 1
