"""Public entry points: ``init``, ``default_integrations``, ``renderer_config``, ``protocol_blueprint``, ``flush``."""

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Union

import sentry_sdk
from flask import Blueprint
from sentry_sdk.integrations import Integration
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.app_info import default_environment, default_release
from sentry_webview.integrations._runs import RunIntegration
from sentry_webview.integrations.app_hang import AppHangIntegration
from sentry_webview.integrations.crash import HostCrashIntegration
from sentry_webview.integrations.host_context import HostContextIntegration
from sentry_webview.integrations.renderer_hang import RendererHangIntegration
from sentry_webview.integrations.screenshots import ScreenshotsIntegration
from sentry_webview.integrations.sessions import HostSessionIntegration
from sentry_webview.integrations.tracing import JsApiTracingIntegration
from sentry_webview.integrations.webview import WebviewIntegration
from sentry_webview.integrations.window_events import WindowEventsIntegration
from sentry_webview.ipc import wire
from sentry_webview.ipc.wire import IPCMode
from sentry_webview.renderers.merge import without_host_details
from sentry_webview.transport import offline_transport

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing's from 3.11; typing_extensions comes with mypy

    from sentry_webview.sdk_options import SdkOptions


def default_integrations(
    ipc_mode: Union[IPCMode, str] = IPCMode.BOTH,
    ipc_namespace: str = wire.DEFAULT_NAMESPACE,
    get_windows: Optional[Callable[[], Iterable[Any]]] = None,
    allowed_origins: Iterable[str] = (),
    max_request_bytes: Optional[int] = None,
    max_queue: Optional[int] = None,
    protocol_url: Optional[str] = None,
    app_root: Optional[Union[str, Path]] = None,
    data_dir: Optional[Union[str, Path]] = None,
    anr_threshold: Optional[float] = None,
    renderer_anr_threshold: Optional[float] = None,
    attach_screenshot: bool = False,
) -> List[Integration]:
    """The integrations ``init`` sets up: the one list of sentry-webview's features.

    The renderer hub (``WebviewIntegration``), host contexts, window events, release
    health, host crash reports and js_api tracing (when the host traces) are on; app
    hangs, renderer hangs and screenshots come with their option. For apps that call
    ``sentry_sdk.init`` themselves:

    >>> sentry_sdk.init(dsn=..., integrations=sentry_webview.default_integrations(ipc_namespace="my-app"))
    """
    data_path = Path(data_dir) if data_dir is not None else None
    integrations: List[Integration] = [
        WebviewIntegration(
            ipc_mode=ipc_mode,
            ipc_namespace=ipc_namespace,
            get_windows=get_windows,
            allowed_origins=allowed_origins,
            max_request_bytes=max_request_bytes,
            max_queue=max_queue,
            protocol_url=protocol_url,
            app_root=app_root,
        ),
        HostContextIntegration(),
        WindowEventsIntegration(),
        HostSessionIntegration(data_dir=data_path),
        HostCrashIntegration(data_dir=data_path),
        JsApiTracingIntegration(),
    ]
    if anr_threshold is not None:
        integrations.append(AppHangIntegration(anr_threshold))
    if renderer_anr_threshold is not None:
        integrations.append(RendererHangIntegration(renderer_anr_threshold))
    if attach_screenshot:
        integrations.append(ScreenshotsIntegration())
    return integrations


def init(
    ipc_mode: Union[IPCMode, str] = IPCMode.BOTH,
    ipc_namespace: str = wire.DEFAULT_NAMESPACE,
    get_windows: Optional[Callable[[], Iterable[Any]]] = None,
    *,
    allowed_origins: Iterable[str] = (),
    max_request_bytes: Optional[int] = None,
    max_queue: Optional[int] = None,
    protocol_url: Optional[str] = None,
    app_root: Optional[Union[str, Path]] = None,
    data_dir: Optional[Union[str, Path]] = None,
    anr_threshold: Optional[float] = None,
    renderer_anr_threshold: Optional[float] = None,
    attach_screenshot: bool = False,
    offline: Union[bool, Dict[str, Any]] = True,
    **sdk_options: "Unpack[SdkOptions]",
) -> None:
    """Start Sentry for a webview app: ``sentry_sdk.init`` with ``default_integrations()``.

    Call it before ``webview.start()``. Every ``sentry_sdk.init`` option passes through
    (typed for mypy: ``sentry_webview.sdk_options.SdkOptions``); an integration of the
    same kind in ``integrations`` replaces the default one, and ``disabled_integrations=[...]``
    turns any of them off.

    - ``ipc_mode``, ``ipc_namespace``, ``get_windows``, ``allowed_origins``,
      ``max_request_bytes``, ``max_queue``, ``protocol_url``, ``app_root``: ``WebviewIntegration``'s.
    - ``anr_threshold``: report the GUI thread as not responding after this many seconds
      without its event loop (``AppHangIntegration``; off by default).
    - ``renderer_anr_threshold``: the same for a visible page's event loop, judged by
      its heartbeats (``RendererHangIntegration``; off by default).
    - ``attach_screenshot``: a PNG of each visible window on every error event
      (``ScreenshotsIntegration``; off by default; not for CEF).
    - ``release`` defaults to ``<app>@<version>`` and ``environment`` to ``production``
      in a frozen app, ``development`` otherwise (as @sentry/electron).
    - Renderer events go without the host's ``server_name``, ``modules`` and ``sys.argv`` (before the
      app's ``before_send``).
    - ``auto_session_tracking`` defaults to False: the run's one application session
      stands, whatever serves the pages (pywebview's Bottle server, the app's Flask app).
    - sentry-sdk's Bottle integration stays off unless listed in ``integrations``: Bottle is
      pywebview's file server, and each file it serves would be a transaction.
    - ``offline`` (default True) keeps what can't be sent on disk and sends it later:
      ``False`` turns it off, a dict tunes it (``path``, ``max_count``, ``max_bytes``,
      ``max_age_days``, ``retry_interval``, ``should_store``, ``should_send``). An
      app's own ``transport`` replaces it.
    - ``data_dir``: where the offline queue and the run files go (default
      ``<user data dir of the app>/sentry-webview``), for your own ``HostSessionIntegration(...)`` in
      ``integrations`` too when it names none.

    >>> sentry_webview.init(dsn="https://key@o0.ingest.sentry.io/1", ipc_namespace="my-app")
    """
    options: Dict[str, Any] = dict(sdk_options)
    defaults = default_integrations(
        ipc_mode=ipc_mode,
        ipc_namespace=ipc_namespace,
        get_windows=get_windows,
        allowed_origins=allowed_origins,
        max_request_bytes=max_request_bytes,
        max_queue=max_queue,
        protocol_url=protocol_url,
        app_root=app_root,
        data_dir=data_dir,
        anr_threshold=anr_threshold,
        renderer_anr_threshold=renderer_anr_threshold,
        attach_screenshot=attach_screenshot,
    )
    given = list(options.pop("integrations", None) or [])
    for mine in given:  # an app's own HostSessionIntegration(...) keeps its run files where crash reports look
        if isinstance(mine, RunIntegration) and mine.data_dir is None and data_dir is not None:
            mine.data_dir = Path(data_dir)
    # Filtered here too: sentry-sdk ignores disabled_integrations for one it set up in an earlier init.
    disabled = tuple(d if isinstance(d, type) else type(d) for d in options.get("disabled_integrations") or ())
    integrations = [
        integration
        for integration in given + [i for i in defaults if not any(type(i) is type(mine) for mine in given)]
        if not isinstance(integration, disabled)
    ]
    if offline is not False and "transport" not in options:
        options["transport"] = offline_transport(data_dir, **(offline if isinstance(offline, dict) else {}))
    options.setdefault("release", default_release())
    options.setdefault("environment", default_environment())
    for hook in ("before_send", "before_send_transaction"):
        options[hook] = _without_host_details(options.get(hook))
    if not any(getattr(integration, "identifier", None) == "bottle" for integration in given):
        options["disabled_integrations"] = list(options.get("disabled_integrations") or []) + _file_server()
    # One application session per run (HostSessionIntegration), as @sentry/electron: a request-mode session
    # per request of pywebview's Bottle server or the app's Flask app would end it and count each page load.
    options.setdefault("auto_session_tracking", False)
    close()
    sentry_sdk.init(integrations=integrations, **options)
    client = sentry_sdk.get_client()
    for integration in client.integrations.values():
        if isinstance(integration, RunIntegration):
            integration.start()
    webview = client.get_integration(WebviewIntegration)
    if webview is not None:
        webview.hub  # noqa: B018 - serve renderers from now on
        webview.wire_pywebview_windows()


def close() -> None:
    """Stop the current client's hub, and end its run as at a clean exit (tests, and apps that re-init)."""
    client = sentry_sdk.get_client()
    for integration in list(getattr(client, "integrations", {}).values()):
        if isinstance(integration, (WebviewIntegration, RunIntegration)):
            integration.close()


def _file_server() -> List[Any]:
    """sentry-sdk's Bottle integration, which it would switch on by itself: Bottle is pywebview's file
    server, whose every page and asset would be a transaction (an app that wants it lists it)."""
    try:
        from sentry_sdk.integrations.bottle import BottleIntegration
    except Exception:  # DidNotEnable, ImportError: Bottle is not installed
        return []
    return [BottleIntegration]


def _without_host_details(hook: Optional[Callable[[Any, Any], Any]]) -> Callable[[Any, Any], Any]:
    """``hook`` (the app's ``before_send``), after what describes only the host is taken off renderer events.

    Every renderer event, the host's own ones about renderers (renderer gone, renderer
    hang) too: sentry-sdk gives every event its ``server_name`` option (the host name,
    which may identify the user) after the event processors have run, and ``modules``
    and ``sys.argv`` (absolute paths) describe the Python process, not the page.
    """

    def before_send(event: Any, hint: Any) -> Any:
        with capture_internal_exceptions():
            if (event.get("tags") or {}).get(wire.PROCESS_TAG) == wire.RENDERER_PROCESS:
                without_host_details(event)
        return hook(event, hint) if hook is not None else event

    return before_send


def renderer_config(**extra: Any) -> Dict[str, Any]:
    """What a page needs to reach the host, for pages the app serves or templates itself.

    ``{"ipcNamespace", "ipcMode", "protocolUrl", "headers", "statusIntervalMs"}``;
    ``protocolUrl`` and ``headers`` only when the mode includes PROTOCOL,
    ``statusIntervalMs`` only with ``renderer_anr_threshold``. Publish it as
    ``window.__SENTRY_WEBVIEW__`` or pass it to ``SentryWebviewPreload.hookupIpc``.
    """
    return WebviewIntegration.current().hub.renderer_config(**extra)


def protocol_blueprint() -> Blueprint:
    """The protocol endpoints as a Flask Blueprint, to mount in the app's own Flask app.

    Mounted, the endpoint is same-origin with the page (no CORS): publish
    ``renderer_config(protocolUrl="/<namespace>")`` to the page.

    >>> app.register_blueprint(sentry_webview.protocol_blueprint())
    """
    return WebviewIntegration.current().hub.blueprint


def flush(timeout: float = 2.0) -> bool:
    """Deliver what renderers sent so far, within ``timeout`` seconds."""
    integration = sentry_sdk.get_client().get_integration(WebviewIntegration)
    if integration is None:
        sentry_sdk.flush(timeout)
        return True
    return integration.hub.flush(timeout)
