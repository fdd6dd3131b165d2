"""pywebview's GTK GUI (WebKit2GTK): user scripts at document start, web-process-terminated, and
snapshots of the visible page."""

import importlib
import io
import threading
import time
from typing import Any, Callable, List, Optional

from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.backends.base import Backend, RendererGone, UrlChanged

# WebKit2.WebProcessTerminationReason, as @sentry/electron's exit reasons.
_REASONS = {"CRASHED": "crashed", "EXCEEDED_MEMORY_LIMIT": "oom", "TERMINATED_BY_API": "killed"}


_LOOP_END_DRAIN = 1.0  # seconds


def _waits_for_bridge_reply(thread: Any) -> bool:
    """A pywebview thread running a bridge call (``js_bridge_call``'s ``_call``)."""
    return getattr(getattr(thread, "_target", None), "__qualname__", "") == "js_bridge_call.<locals>._call"


def _dispatch_while(busy: Callable[[], bool], timeout: float) -> None:
    """On the GUI thread: run the default main context while ``busy()``, at most ``timeout`` seconds."""
    GLib = _gi("GLib")

    context = GLib.MainContext.default()
    deadline = time.monotonic() + timeout
    while busy() and time.monotonic() < deadline:
        if not context.iteration(False):
            time.sleep(0.005)


def _gi(name: str) -> Any:
    """An introspected module of ``gi.repository`` (typed as Any: PyGObject's stubs know no WebKit2)."""
    return importlib.import_module("gi.repository." + name)


def _browser_view(window: Any) -> Any:
    from webview.platforms.gtk import BrowserView

    return BrowserView.instances[window.uid]


class GtkBackend(Backend):
    name = "gtk"

    def engine(self) -> Optional[str]:
        WebKit2 = _gi("WebKit2")

        return "WebKitGTK %d.%d.%d" % (
            WebKit2.get_major_version(),
            WebKit2.get_minor_version(),
            WebKit2.get_micro_version(),
        )

    def inject_at_document_start(self, window: Any, source: str) -> bool:
        WebKit2 = _gi("WebKit2")

        script = WebKit2.UserScript(
            source, WebKit2.UserContentInjectedFrames.TOP_FRAME, WebKit2.UserScriptInjectionTime.START, None, None
        )
        _browser_view(window).manager.add_script(script)
        return True

    def watch_renderer(self, window: Any, on_gone: RendererGone) -> None:
        def terminated(view: Any, reason: Any) -> None:
            on_gone(_REASONS.get(getattr(reason, "value_nick", "").upper().replace("-", "_"), "crashed"), None)

        _browser_view(window).webview.connect("web-process-terminated", terminated)

    def watch_url(self, window: Any, on_url: UrlChanged) -> None:
        _browser_view(window).webview.connect("notify::uri", lambda view, _: on_url(view.get_uri() or ""))

    def run_script(self, window: Any, script: str) -> bool:
        GLib = _gi("GLib")

        def run() -> bool:
            with capture_internal_exceptions():  # KeyError once the window is gone
                _browser_view(window).webview.evaluate_javascript(script, -1, None, None, None, None, None)
            return False

        GLib.idle_add(run)
        return True

    def closed(self, window: Any) -> None:
        """Nothing to do: pywebview's GTK backend releases the evaluate_js calls it registered."""

    def loop_ended(self) -> None:
        # A bridge call's reply is an evaluate_js that waits on an idle callback; one queued just as
        # the last window closed is never dispatched, and its non-daemon thread would keep the
        # process alive. Dispatch what is pending while such replies wait (bounded).
        _dispatch_while(lambda: any(map(_waits_for_bridge_reply, threading.enumerate())), _LOOP_END_DRAIN)

    def heartbeat(self, window: Any, beat: Callable[[], None], interval: float) -> None:
        GLib = _gi("GLib")

        def tick() -> bool:
            beat()
            return True  # again

        GLib.timeout_add(int(interval * 1000), tick)

    def visible(self, window: Any) -> bool:
        Gdk = _gi("Gdk")

        native = _browser_view(window).window
        surface = native.get_window()  # None until realized
        return bool(native.get_visible() and not (surface and surface.get_state() & Gdk.WindowState.ICONIFIED))

    def screenshot(self, window: Any, timeout: float) -> Optional[bytes]:
        GLib, WebKit2 = _gi("GLib"), _gi("WebKit2")

        done = threading.Event()
        png: List[bytes] = []

        def finished(view: Any, result: Any) -> None:
            with capture_internal_exceptions():
                stream = io.BytesIO()
                view.get_snapshot_finish(result).write_to_png(stream)
                png.append(stream.getvalue())
            done.set()

        def start() -> bool:
            with capture_internal_exceptions():
                if self.visible(window):
                    region, options = WebKit2.SnapshotRegion.VISIBLE, WebKit2.SnapshotOptions.NONE
                    _browser_view(window).webview.get_snapshot(region, options, None, finished)
                    return False
            done.set()
            return False

        if not GLib.MainContext.default().is_owner():
            GLib.idle_add(start)
            done.wait(timeout)
        else:  # on the GUI thread the snapshot arrives through its own loop: run that loop meanwhile
            start()
            _dispatch_while(lambda: not done.is_set(), timeout)
        return png[0] if png else None
