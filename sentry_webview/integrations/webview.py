"""``WebviewIntegration``: the renderer hub as a sentry-sdk integration.

It owns the IPC options (namespace, mode, origins, limits), starts the hub that
renderers talk to, and wires windows: every pywebview window (or those
``get_windows`` returns), and CEF browsers handed to ``sentry_webview.cef.wire_browser``.
Features (window events, hangs, screenshots, sessions, ...) are integrations of
their own around the hub; ``sentry_webview.sdk.default_integrations`` lists them.
"""

import atexit
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

import sentry_sdk
from sentry_sdk.attachments import Attachment
from sentry_sdk.integrations import Integration
from sentry_sdk.scope import add_global_event_processor
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.app_info import app_root as default_app_root
from sentry_webview.backends import pywebview
from sentry_webview.backends.cef import CefBrowsers
from sentry_webview.ipc import wire
from sentry_webview.ipc.wire import IPCMode
from sentry_webview.renderers.hub import QUIT_FLUSH_TIMEOUT, RendererHub

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint


class WebviewIntegration(Integration):
    """Receive events, scope and breadcrumbs from webview renderers.

    ``protocol_url``: where renderers POST, when the app mounts ``protocol_blueprint()``
    in the Flask app that serves its pages (e.g. ``"/sentry-ipc"``, same-origin); the
    standalone loopback server is then not started. ``allowed_origins``: page origins
    besides loopback, ``file://`` and the wired windows' own pages that may talk to the host.
    ``app_root``: the directory whose files renderer events name ``app:///...`` (default: the
    ``__main__`` script's directory, or a frozen app's bundle); pages served on loopback are
    ``app:///`` whatever their port.

    >>> sentry_sdk.init(dsn=..., integrations=[WebviewIntegration(ipc_namespace="my-app")])
    """

    identifier = "webview"
    _hubs: List[RendererHub] = []
    _hubs_lock = threading.Lock()

    def __init__(
        self,
        ipc_mode: Union[IPCMode, str] = IPCMode.BOTH,
        ipc_namespace: str = wire.DEFAULT_NAMESPACE,
        get_windows: Optional[Callable[[], Iterable[Any]]] = None,
        allowed_origins: Iterable[str] = (),
        max_request_bytes: Optional[int] = None,
        max_queue: Optional[int] = None,
        protocol_url: Optional[str] = None,
        app_root: Optional[Union[str, Path]] = None,
    ) -> None:
        try:
            self.ipc_mode = IPCMode(ipc_mode)
        except ValueError:
            raise ValueError("ipc_mode must be one of %s; got %r" % ([m.name for m in IPCMode], ipc_mode)) from None
        self.ipc_namespace = wire.validate_namespace(ipc_namespace)
        self.get_windows = get_windows
        self._hub_options: Dict[str, Any] = dict(
            allowed_origins=tuple(allowed_origins),
            max_request_bytes=max_request_bytes,
            max_queue=max_queue,
            protocol_url=protocol_url,
            app_root=Path(app_root) if app_root is not None else default_app_root(),
        )
        self._hub: Optional[RendererHub] = None
        self._pywebview: Optional[pywebview.PywebviewWindows] = None
        self._cef: Optional[CefBrowsers] = None
        self._lock = threading.Lock()

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_drop_pywebview_noise)
        add_global_event_processor(_renderer_scope_attachments)
        pywebview.install(before_start=_wire_pywebview_windows, after_start=_flush_at_quit)

    @classmethod
    def current(cls) -> "WebviewIntegration":
        """The integration of the current client; ``RuntimeError`` when sentry_webview isn't initialized."""
        integration = sentry_sdk.get_client().get_integration(cls)
        if integration is None:
            raise RuntimeError("sentry_webview is not initialized: call sentry_webview.init() first")
        return integration

    @property
    def started(self) -> bool:
        """Whether the hub runs (without starting it)."""
        return self._hub is not None

    @property
    def hub(self) -> RendererHub:
        """The running hub, started on first use."""
        with self._lock:
            if self._hub is None:
                self._hub = RendererHub(self.ipc_namespace, self.ipc_mode, **self._hub_options)
                with WebviewIntegration._hubs_lock:
                    WebviewIntegration._hubs.append(self._hub)
                _flush_before_sdk_exit()
            return self._hub

    def wire_pywebview_windows(self) -> None:
        """Wire the pywebview windows (or those ``get_windows`` returns) not wired yet; nothing without pywebview."""
        hub = self.hub
        with self._lock:
            if self._pywebview is None:
                self._pywebview = pywebview.PywebviewWindows(hub)
            windows = self._pywebview
        windows.wire_all(self.get_windows)

    def cef_browsers(self, cef: Any) -> CefBrowsers:
        """The CEF browsers wired to this integration's hub, for ``cefpython3.cefpython`` module ``cef``."""
        hub = self.hub
        _flush_before_sdk_exit()
        with self._lock:
            if self._cef is None:
                self._cef = CefBrowsers(hub, cef)
            return self._cef

    def close(self) -> None:
        """Stop this integration's hub (tests, and apps that re-init)."""
        with self._lock:
            hub, self._hub, self._pywebview, self._cef = self._hub, None, None, None
        if hub is not None:
            hub.close()
            with WebviewIntegration._hubs_lock:
                WebviewIntegration._hubs.remove(hub)


def _wire_pywebview_windows() -> None:
    integration = sentry_sdk.get_client().get_integration(WebviewIntegration)
    if integration is not None:
        integration.wire_pywebview_windows()
        _flush_before_sdk_exit()


def _flush_at_quit() -> None:
    """``webview.start`` returned: deliver what renderers sent while the app still runs."""
    for hub in _running_hubs():
        hub.flush(QUIT_FLUSH_TIMEOUT)


def _close_all() -> None:
    for hub in _running_hubs():
        hub.flush(QUIT_FLUSH_TIMEOUT)
        hub.close(at_exit=True)


def _running_hubs() -> List[RendererHub]:
    with WebviewIntegration._hubs_lock:
        return list(WebviewIntegration._hubs)


def _flush_before_sdk_exit() -> None:
    """(Re)register the exit flush so it runs before sentry-sdk's own atexit handler closes the client.

    atexit runs last-registered first, and sentry-sdk registers its handler when its
    integrations are set up, after ours: so ours goes (again) to the end once a hub starts.
    """
    atexit.unregister(_close_all)
    atexit.register(_close_all)


def _renderer_scope_attachments(event: "Event", hint: "Hint") -> "Event":
    """The attachments renderers put on their scopes, on every error event (as sentry-sdk's own scope
    attachments); a renderer event that already carries one (same name and size) doesn't get it twice."""
    with capture_internal_exceptions():
        integration = sentry_sdk.get_client().get_integration(WebviewIntegration)
        if integration is None or not integration.started or event.get("type") == "transaction":
            return event
        hub = integration.hub
        present = {_identity(a) for a in hint.get("attachments") or ()}
        synced = [a for a in hub.scope_sync.attachments() if _identity(a) not in present]
        if synced:
            # A new list: one renderer envelope's events share theirs.
            hint["attachments"] = list(hint.get("attachments") or ()) + synced
    return event


def _identity(attachment: Attachment) -> Tuple[str, int]:
    """An attachment's name and size (-1 when it isn't bytes in memory)."""
    data = attachment.bytes
    return attachment.filename, len(data) if isinstance(data, bytes) else -1


def _drop_pywebview_noise(event: "Event", hint: "Hint") -> "Optional[Event]":
    """Not the app's error: pywebview's GUI probing (where sentry-sdk's ignored loggers can't keep it out)."""
    tags = event.get("tags")
    if isinstance(tags, dict) and tags.get(wire.PROCESS_TAG) == wire.RENDERER_PROCESS:
        return event  # a page's event: never pywebview's own logging
    with capture_internal_exceptions():
        if sentry_sdk.get_client().get_integration(WebviewIntegration) is not None:
            if pywebview.is_gui_probe(event):
                return None
    return event
