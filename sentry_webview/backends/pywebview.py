"""Wire pywebview windows: inject the renderer SDK, expose the bridge, report the lifecycle to the hub.

Every window is wired, or those ``get_windows`` returns, whether created before or
after ``init``: ``webview.create_window`` and ``webview.start`` are wrapped once.
The engine-specific parts (document-start injection, renderer death) go through
``backend_for_pywebview``; pages of engines we can't drive natively get the
renderer at ``loaded``, as a real ``<script>`` element. Nothing here imports
pywebview before the app does: a CEF-only app has none.
"""

import functools
import threading
from typing import Any, Callable, Dict, Iterable, Optional

from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.backends.base import Backend
from sentry_webview.backends.injection import injected_source, script_element_loader
from sentry_webview.ipc import wire
from sentry_webview.ipc.bridge import bridge_functions
from sentry_webview.renderers.hub import RendererHub
from sentry_webview.renderers.identity import RendererIdentity


class PywebviewWindows:
    """The pywebview windows one hub has wired."""

    def __init__(self, hub: RendererHub) -> None:
        self.hub = hub
        self._identities: Dict[str, RendererIdentity] = {}
        self._lock = threading.Lock()

    def wire_all(self, get_windows: Optional[Callable[[], Iterable[Any]]]) -> None:
        """Wire the windows ``get_windows`` returns (default: every pywebview window) not wired yet."""
        if get_windows is None:
            import webview

            windows: Iterable[Any] = list(webview.windows)
        else:
            windows = get_windows() or ()
        for window in windows:
            self.wire(window)

    def wire(self, window: Any) -> None:
        """Wire ``window`` once: bridge, injection, lifecycle, renderer watch."""
        with self._lock:
            if window.uid in self._identities:
                return
            identity = RendererIdentity(window.uid, backend="pywebview", window_uid=window.uid, title=window.title)
            self._identities[window.uid] = identity
        identity.update(url=window.real_url or window.original_url, page_url=window.real_url)  # None: html=
        hub = self.hub
        if hub.mode.bridge:
            window.expose(*bridge_functions(hub.intake, hub.namespace, identity, hub.origins))
        state: Dict[str, Any] = {"native": False, "backend": None}

        def before_show(window: Any) -> None:
            with capture_internal_exceptions():
                self._before_show(window, identity, state)

        def loaded(window: Any) -> None:
            with capture_internal_exceptions():
                self._loaded(window, identity, state)

        def shown(window: Any) -> None:
            with capture_internal_exceptions():
                hub.window_shown(identity, window, state["backend"])

        def closed(window: Any) -> None:
            with capture_internal_exceptions():
                if state["backend"] is not None:
                    state["backend"].closed(window)
                hub.window_closed(identity)

        window.events.before_show += before_show
        window.events.loaded += loaded
        window.events.shown += shown
        window.events.closed += closed
        hub.window_created(identity)

    def _before_show(self, window: Any, identity: RendererIdentity, state: Dict[str, Any]) -> None:
        backend: Optional[Backend] = backend_for_pywebview()
        if backend is None:
            return
        state["backend"] = backend
        # The URL pywebview resolved and loads (an engine's URL change before this isn't seen by watch_url).
        identity.update(backend=backend.name, engine=backend.engine(), url=window.real_url, page_url=window.real_url)
        source = injected_source(self.hub.renderer_config(identity))
        state["native"] = bool(source) and backend.inject_at_document_start(window, source)
        backend.watch_renderer(window, lambda reason, code: self.hub.renderer_gone(identity, reason, code))
        backend.watch_url(window, lambda url: identity.update(page_url=url))
        self.hub.gui_ready(window, backend)

    def _loaded(self, window: Any, identity: RendererIdentity, state: Dict[str, Any]) -> None:
        # No GUI round trips here (get_current_url blocks forever once the window is gone):
        # the renderer's start message reports its URL, and navigations.
        self.hub.window_loaded(identity)
        if not state["native"]:
            source = injected_source(self.hub.renderer_config(identity))
            if source:
                window.run_js(script_element_loader(source))


def backend_for_pywebview() -> Optional[Backend]:
    """The backend of pywebview's running GUI, or None for one we don't drive natively."""
    import webview

    renderer = getattr(getattr(webview, "guilib", None), "renderer", None)
    if renderer == "qtwebengine":
        from sentry_webview.backends.qt import QtBackend

        return QtBackend()
    if renderer == "gtkwebkit2":
        from sentry_webview.backends.gtk import GtkBackend

        return GtkBackend()
    return None


def install(before_start: Callable[[], None], after_start: Callable[[], None]) -> None:
    """Wrap ``webview.create_window`` and ``webview.start`` (once per process, if pywebview is installed).

    ``before_start`` runs after each ``create_window`` and before ``start``;
    ``after_start`` once ``start`` has returned (the GUI loop ended).
    """
    try:
        import webview
    except ImportError:
        return
    original_create = webview.create_window
    original_start = webview.start

    @functools.wraps(original_create)
    def create_window(*args: Any, **kwargs: Any) -> Any:
        window = original_create(*args, **kwargs)
        with capture_internal_exceptions():
            before_start()
        return window

    @functools.wraps(original_start)
    def start(*args: Any, **kwargs: Any) -> Any:
        with capture_internal_exceptions():
            before_start()
        try:
            return original_start(*args, **kwargs)
        finally:
            with capture_internal_exceptions():
                backend = backend_for_pywebview()
                if backend is not None:
                    backend.loop_ended()
                after_start()

    webview.create_window = create_window
    webview.start = start


def is_lost_bridge_reply(hint: Dict[str, Any]) -> bool:
    """pywebview failing to hand one of *our* bridge calls' results back to a page that navigated away.

    pywebview runs each bridge call in a thread whose ``_call`` has the function's name
    in ``func_name``; the app's own js_api calls failing the same way are left alone.
    """
    exc_info = hint.get("exc_info")
    if not exc_info or type(exc_info[1]).__name__ != "JavascriptException":
        return False
    tb = exc_info[2]
    while tb is not None:
        name = tb.tb_frame.f_locals.get("func_name") if tb.tb_frame.f_code.co_name == "_call" else None
        if isinstance(name, str) and name.startswith(wire.BRIDGE_PREFIX + "_"):
            return True
        tb = tb.tb_next
    return False
