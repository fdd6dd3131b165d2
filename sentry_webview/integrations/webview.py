"""``WebviewIntegration``: the sentry-sdk integration that merges renderer events into the host.

It runs the host side (intake, scope sync, loopback protocol server), tags host
events, and keeps a renderer event's merged breadcrumbs up to its time and within
``max_breadcrumbs``.
"""

import atexit
import threading
from datetime import datetime
from typing import Any, Callable, Dict, Iterable, List, Optional

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.scope import add_global_event_processor

from sentry_webview.app_info import host_contexts
from sentry_webview.backends import pywebview
from sentry_webview.backends.lifecycle import QUIT_FLUSH_TIMEOUT
from sentry_webview.renderers.hub import WebviewHost
from sentry_webview.ipc import wire
from sentry_webview.ipc.wire import IPCMode
from sentry_webview.renderers.merge import RENDERER_PROCESS, to_datetime
from sentry_webview.integrations.screenshots import attach_screenshots

HOST_PROCESS = "host"


class WebviewIntegration(Integration):
    """Receive events, scope and breadcrumbs from webview renderers.

    ``protocol_url``: where renderers POST, when the app mounts ``protocol_blueprint()``
    in the Flask app that serves its pages (e.g. ``"/sentry-ipc"``, same-origin); the
    standalone loopback server is then not started. ``anr_threshold``: report the GUI
    thread as not responding after this many seconds without running its event loop
    (off by default). ``renderer_anr_threshold``: the same for a visible page's event
    loop, judged by its heartbeats (off by default). ``attach_screenshot``: attach a PNG
    of each visible window to every error event (off by default; not for CEF).

    >>> sentry_sdk.init(dsn=..., integrations=[WebviewIntegration(ipc_namespace="my-app")])
    """

    identifier = "webview"
    _hosts: List[WebviewHost] = []
    _hosts_lock = threading.Lock()

    def __init__(
        self,
        ipc_mode: IPCMode = IPCMode.BOTH,
        ipc_namespace: str = wire.DEFAULT_NAMESPACE,
        get_windows: Optional[Callable[[], Iterable[Any]]] = None,
        allowed_origins: Iterable[str] = (),
        max_request_bytes: Optional[int] = None,
        max_queue: Optional[int] = None,
        protocol_url: Optional[str] = None,
        anr_threshold: Optional[float] = None,
        renderer_anr_threshold: Optional[float] = None,
        attach_screenshot: bool = False,
    ) -> None:
        try:
            self.ipc_mode = IPCMode(ipc_mode)
        except ValueError:
            raise ValueError("ipc_mode must be one of %s; got %r" % ([m.name for m in IPCMode], ipc_mode)) from None
        self.ipc_namespace = wire.validate_namespace(ipc_namespace)
        self.get_windows = get_windows
        self.attach_screenshot = attach_screenshot
        self._host_options = dict(
            allowed_origins=tuple(allowed_origins),
            max_request_bytes=max_request_bytes,
            max_queue=max_queue,
            protocol_url=protocol_url,
            anr_threshold=anr_threshold,
            renderer_anr_threshold=renderer_anr_threshold,
        )
        self._host: Optional[WebviewHost] = None
        self._lock = threading.Lock()

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_process_event)
        add_global_event_processor(attach_screenshots)
        atexit.register(WebviewIntegration._close_all)
        pywebview.install()

    def setup_once_with_options(self, options: Optional[Dict[str, Any]] = None) -> None:
        self.host  # noqa: B018 - start serving renderers now

    @property
    def host(self) -> WebviewHost:
        """The running host side, started on first use."""
        with self._lock:
            if self._host is None:
                self._host = WebviewHost(self.ipc_namespace, self.ipc_mode.value, **self._host_options)
                with WebviewIntegration._hosts_lock:
                    WebviewIntegration._hosts.append(self._host)
            return self._host

    def close(self) -> None:
        """Stop this integration's host side (tests, and apps that re-init)."""
        with self._lock:
            host, self._host = self._host, None
        if host is not None:
            host.close()
            with WebviewIntegration._hosts_lock:
                WebviewIntegration._hosts.remove(host)

    @staticmethod
    def _close_all() -> None:
        with WebviewIntegration._hosts_lock:
            hosts = list(WebviewIntegration._hosts)
        for host in hosts:
            host.flush(QUIT_FLUSH_TIMEOUT)
            host.close()


def _is_lost_bridge_reply(hint: Dict[str, Any]) -> bool:
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


def _renderer_breadcrumbs(crumbs: List[Any], timestamp: Any, client: Any) -> List[Any]:
    """Only what happened up to the renderer's event (host scope may have moved on), at most ``max_breadcrumbs``."""
    when = to_datetime(timestamp)
    if isinstance(when, datetime):
        crumbs = [c for c in crumbs if not isinstance(c, dict) or not _after(c.get("timestamp"), when)]
    limit = client.options.get("max_breadcrumbs")
    if limit is None:
        return crumbs
    return crumbs[-limit:] if limit else []


def _after(timestamp: Any, when: datetime) -> bool:
    timestamp = to_datetime(timestamp)
    return isinstance(timestamp, datetime) and timestamp > when


def _process_event(event: Dict[str, Any], hint: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    client = sentry_sdk.get_client()
    if client.get_integration(WebviewIntegration) is None:
        return event
    if _is_lost_bridge_reply(hint):
        return None
    tags = event.setdefault("tags", {})
    contexts = event.setdefault("contexts", {})
    if not isinstance(tags, dict) or not isinstance(contexts, dict):
        return event
    for key, value in host_contexts().items():
        contexts.setdefault(key, value)
    if tags.get("event.process") == RENDERER_PROCESS:
        crumbs = event.get("breadcrumbs")
        if isinstance(crumbs, dict) and isinstance(crumbs.get("values"), list):
            crumbs["values"] = _renderer_breadcrumbs(crumbs["values"], event.get("timestamp"), client)
    else:
        tags.setdefault("event.process", HOST_PROCESS)
        tags.setdefault("event.origin", "python")
    return event
