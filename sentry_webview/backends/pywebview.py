"""Wire pywebview windows: inject the renderer SDK, expose the bridge, report the lifecycle to the hub.

Every window is wired, or those ``get_windows`` returns, whether created before or
after ``init``: ``webview.create_window`` and ``webview.start`` are wrapped once.
The engine-specific parts (document-start injection, renderer death) go through
``backend_for_pywebview``; pages of engines we can't drive natively get the
renderer at ``loaded``, as a real ``<script>`` element. Nothing here imports
pywebview before the app does: a CEF-only app has none.
"""

import contextlib
import functools
import json
import queue
import re
import sys
import threading
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional

from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.backends.base import Backend
from sentry_webview.backends.injection import injected_source, script_element_loader
from sentry_webview.ipc import wire
from sentry_webview.ipc.bridge import bridge_functions
from sentry_webview.ipc.origins import origin_of
from sentry_webview.ipc.wire import IPCMode
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
            webview = sys.modules.get("webview")  # not imported by the app: no pywebview window to wire
            windows: Iterable[Any] = list(webview.windows) if webview is not None else ()
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
        first_url = first_page_url(window)
        identity.update(url=first_url, page_url=first_url)  # None: html=
        identity.html_page = getattr(window, "html", None) is not None
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
        backend.wired(window)
        route_bridge_calls(backend, self.hub.intake.join)
        # The URL pywebview resolved and loads (an engine's URL change before this isn't seen by watch_url).
        identity.update(backend=backend.name, engine=backend.engine(), url=window.real_url, page_url=window.real_url)
        if self.hub.mode is IPCMode.PROTOCOL:
            backend.let_local_pages_fetch(window)
        source = injected_source(self.hub.renderer_config(identity))
        state["native"] = source is not None and backend.inject_at_document_start(window, source)
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


def first_page_url(window: Any) -> Optional[str]:
    """The http(s) URL ``window`` opens with, as pywebview will load it; None for ``html=`` and local files.

    pywebview sets ``real_url`` only inside ``start()``; an http(s) ``url`` loads as given, and
    what pywebview serves itself (local files, a WSGI app) is loopback, allowed anyway.
    """
    for url in (getattr(window, "real_url", None), getattr(window, "original_url", None)):
        if isinstance(url, str) and origin_of(url):
            return url
    return None


# The GUI modules of pywebview that call ``webview.util.js_bridge_call``, by backend name.
_BRIDGE_CALLERS = {"qt": "webview.platforms.qt", "gtk": "webview.platforms.gtk"}


# How long an app's js_api call may wait for the page's earlier messages to reach the host scope.
APP_CALL_WAIT = 1.0


def route_bridge_calls(backend: Backend, settle: Callable[[float], bool]) -> None:
    """Take our own bridge calls out of pywebview's ``js_bridge_call`` (on the GUI thread, once).

    pywebview runs each call in a non-daemon thread whose reply is an ``evaluate_js``: it
    waits up to 20 s for the page's ``pywebviewready`` (so a page replaced before that keeps
    the process alive), lands in whatever page is shown by then (a traceback when that page
    is another), and on Qt it is one more result in flight when the window closes. Ours go
    to one daemon thread instead, in arrival order, and their reply is a script the GUI
    thread runs when it gets to it, which settles the page's promise only if that page still
    waits for it, asking no result back. Every other call (the app's js_api) goes to
    pywebview as before, but after the messages that arrived before it: a breadcrumb the page
    adds right before it calls Python is on the host's scope when that call captures
    (``settle`` waits for the intake, at most ``APP_CALL_WAIT``).
    """
    module = sys.modules.get(_BRIDGE_CALLERS.get(backend.name, ""))
    original = getattr(module, "js_bridge_call", None)
    if module is None or original is None or getattr(original, "_sentry_webview", False):
        return

    def ours(window: Any, function: Callable[..., Any], func_name: str, param: Any, value_id: str) -> None:
        result = function(*param) if isinstance(param, list) else function(param)
        backend.run_script(window, bridge_reply(func_name, value_id, result))

    def app_call(window: Any, func_name: str, param: Any, value_id: str) -> None:
        settle(APP_CALL_WAIT)
        original(window, func_name, param, value_id)

    def js_bridge_call(window: Any, func_name: str, param: Any, value_id: str) -> Any:
        function = None
        if isinstance(func_name, str) and func_name.startswith(wire.BRIDGE_PREFIX + "_"):
            function = getattr(window, "_functions", {}).get(func_name)
        if function is None and (_calls is None or not _calls.unfinished_tasks):  # nothing of ours before it
            return original(window, func_name, param, value_id)
        with capture_internal_exceptions():
            if function is None:
                job = functools.partial(app_call, window, func_name, param, value_id)
            else:
                job = functools.partial(ours, window, function, func_name, param, value_id)
            _bridge_calls().put(job)
        return None

    js_bridge_call._sentry_webview = True  # type: ignore[attr-defined]
    module.js_bridge_call = js_bridge_call  # type: ignore[attr-defined]


_calls: "Optional[queue.Queue[Callable[[], None]]]" = None
_calls_lock = threading.Lock()


def _bridge_calls() -> "queue.Queue[Callable[[], None]]":
    """The queue of bridge calls for our thread, with the thread (started on first use)."""
    global _calls
    with _calls_lock:
        if _calls is None:
            _calls = queue.Queue()
            threading.Thread(
                target=_run_bridge_calls, args=(_calls,), name="sentry-webview-bridge", daemon=True
            ).start()
        return _calls


def _run_bridge_calls(calls: "queue.Queue[Callable[[], None]]") -> None:
    while True:
        job = calls.get()
        with capture_internal_exceptions():
            job()
        calls.task_done()


def bridge_reply(func_name: str, value_id: str, result: Any) -> str:
    """JS that settles the promise of pywebview's ``api[func_name]`` call ``value_id`` if this page has it."""
    return (
        "(function(p){var c=p&&p._returnValuesCallbacks&&p._returnValuesCallbacks[%s],f=c&&c[%s];"
        "if(typeof f==='function')f({value:%s});})(window.pywebview);"
        % (json.dumps(func_name), json.dumps(value_id), json.dumps(json.dumps(result)))
    )


def backend_for_pywebview() -> Optional[Backend]:
    """The backend of pywebview's running GUI, or None for one we don't drive natively (or no pywebview)."""
    webview = sys.modules.get("webview")
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
    original_initialize = webview.initialize

    @functools.wraps(original_initialize)
    def initialize(*args: Any, **kwargs: Any) -> Any:
        with _quiet_gui_probe():
            return original_initialize(*args, **kwargs)

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
    webview.initialize = initialize


@contextlib.contextmanager
def _quiet_gui_probe() -> Iterator[None]:
    """While pywebview picks its GUI, its log records of the GUIs it could not load (``logger.exception``)
    are neither events nor breadcrumbs: probing GTK before Qt is not the app's error.

    Uses sentry-sdk's set of ignored loggers (``ignore_logger`` has no undo); where it
    is missing, ``is_gui_probe`` drops the event instead.
    """
    from sentry_sdk.integrations import logging as sentry_logging

    ignored = getattr(sentry_logging, "_IGNORED_LOGGERS", None)
    if not isinstance(ignored, set) or _PYWEBVIEW_LOGGER in ignored:
        yield
        return
    ignored.add(_PYWEBVIEW_LOGGER)
    try:
        yield
    finally:
        ignored.discard(_PYWEBVIEW_LOGGER)


_PYWEBVIEW_LOGGER = "pywebview"
_GUI_PROBE = re.compile(r"^\w+ cannot be loaded$")


def is_gui_probe(event: Mapping[str, object]) -> bool:
    """pywebview logging (``logger.exception``) a GUI it tried before the one it uses, e.g. GTK on a Qt app.

    If no GUI loads, pywebview raises ``WebViewException``: that one is reported.
    """
    entry = event.get("logentry")
    message = entry.get("message") if isinstance(entry, dict) else None
    return event.get("logger") == _PYWEBVIEW_LOGGER and isinstance(message, str) and bool(_GUI_PROBE.match(message))
