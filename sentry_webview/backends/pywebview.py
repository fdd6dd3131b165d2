"""Wire pywebview windows: inject the renderer SDK, expose the bridge, record the lifecycle.

Every window is wired, or those ``get_windows`` returns, whether created before or
after ``init``: ``webview.create_window`` and ``webview.start`` are wrapped once.
The engine-specific parts (document-start injection, renderer death) go through
``backend_for_pywebview``; pages of engines we can't drive natively get the
renderer at ``loaded``, as a real ``<script>`` element.
"""

import functools
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

import sentry_sdk
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.backends.base import Backend, backend_for_pywebview
from sentry_webview.renderers.identity import RendererIdentity
from sentry_webview.backends.injection import injected_source, script_element_loader
from sentry_webview.ipc.bridge import bridge_functions
from sentry_webview.ipc.protocol import origin_of

if TYPE_CHECKING:
    from sentry_webview.integrations.app_hang import Watchdog
    from sentry_webview.renderers.hub import WebviewHost


class PywebviewWindows:
    """The pywebview windows one host has wired."""

    def __init__(self, host: "WebviewHost") -> None:
        self.host = host
        self.lifecycle = host.lifecycle
        self._identities: Dict[str, RendererIdentity] = {}
        self._shown: Dict[str, Tuple[Any, Backend]] = {}
        self._lock = threading.Lock()

    def wire(self, window: Any) -> None:
        """Wire ``window`` once: bridge, injection, lifecycle breadcrumbs, renderer watch."""
        with self._lock:
            if window.uid in self._identities:
                return
            identity = RendererIdentity(window.uid, backend="pywebview", window_uid=window.uid, title=window.title)
            self._identities[window.uid] = identity
        identity.update(url=window.real_url, page_url=window.real_url)
        if window.real_url and origin_of(window.real_url):
            self.host.origins.allow(window.real_url)
        if self.host.mode != "protocol":
            window.expose(*bridge_functions(self.host.intake, self.host.namespace, identity, self.host.origins))
        state: Dict[str, Any] = {"native": False, "backend": None}

        def before_show(window: Any) -> None:
            with capture_internal_exceptions():
                self._before_show(window, identity, state)

        def loaded(window: Any) -> None:
            with capture_internal_exceptions():
                self._loaded(window, identity, state)

        def shown(window: Any) -> None:
            self.lifecycle.breadcrumb("shown", identity)
            if state["backend"] is not None:
                with self._lock:
                    self._shown[window.uid] = (window, state["backend"])

        def closed(window: Any) -> None:
            with capture_internal_exceptions():
                with self._lock:
                    self._shown.pop(window.uid, None)
                if state["backend"] is not None:
                    state["backend"].closed(window)
                self.lifecycle.closed(identity)

        window.events.before_show += before_show
        window.events.loaded += loaded
        window.events.shown += shown
        window.events.closed += closed
        self.lifecycle.created(identity)

    def _before_show(self, window: Any, identity: RendererIdentity, state: Dict[str, Any]) -> None:
        backend: Optional[Backend] = backend_for_pywebview()
        if backend is None:
            return
        state["backend"] = backend
        identity.update(backend=backend.name, engine=backend.engine())
        source = injected_source(self.lifecycle.renderer_config(identity))
        state["native"] = bool(source) and backend.inject_at_document_start(window, source)
        backend.watch_renderer(window, lambda reason, code: self.lifecycle.renderer_gone(identity, reason, code))
        backend.watch_url(window, lambda url: identity.update(page_url=url))
        for watchdog in self.host.watchdogs():
            if watchdog.attach():
                backend.heartbeat(window, self._heartbeat(watchdog), watchdog.interval)

    def _heartbeat(self, watchdog: "Watchdog") -> Callable[[], None]:
        """A beat for ``watchdog`` that says whether any window is visible (it runs on the GUI thread)."""

        def beat() -> None:
            with capture_internal_exceptions():  # never into the GUI's timer callback
                watchdog.beat(any(backend.visible(window) for window, backend in self.shown()))

        return beat

    def shown(self) -> List[Tuple[Any, Backend]]:
        """The windows shown and not closed, with their backend, in the order they were shown.

        Whether one is hidden or minimized now only its GUI can tell (``Backend.visible``):
        pywebview 6.2 has no event for ``hide()``/``show()``.
        """
        with self._lock:
            return list(self._shown.values())

    def _loaded(self, window: Any, identity: RendererIdentity, state: Dict[str, Any]) -> None:
        # No GUI round trips here (get_current_url blocks forever once the window is gone):
        # the renderer's start message reports its URL, and navigations.
        self.lifecycle.breadcrumb("loaded", identity)
        if not state["native"]:
            source = injected_source(self.lifecycle.renderer_config(identity))
            if source:
                window.run_js(script_element_loader(source))


def install() -> None:
    """Wrap ``webview.create_window`` and ``webview.start`` so every window gets wired (once per process)."""
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
            wire_windows()
        return window

    @functools.wraps(original_start)
    def start(*args: Any, **kwargs: Any) -> Any:
        with capture_internal_exceptions():
            wire_windows()
        try:
            return original_start(*args, **kwargs)
        finally:
            with capture_internal_exceptions():
                backend = backend_for_pywebview()
                if backend is not None:
                    backend.loop_ended()

    webview.create_window = create_window
    webview.start = start


def wire_windows() -> None:
    """Wire the windows of the active integration that aren't wired yet."""
    import webview

    from sentry_webview.integrations.webview import WebviewIntegration

    integration = sentry_sdk.get_client().get_integration(WebviewIntegration)
    if integration is None:
        return
    windows = integration.get_windows() if integration.get_windows else list(webview.windows)
    for window in windows or ():
        integration.host.windows.wire(window)
