"""Public entry points: ``init``, ``renderer_config`` and ``flush``."""

from typing import Any, Callable, Dict, Iterable, List, Optional

import sentry_sdk
from flask import Blueprint

from sentry_webview.app_info import default_environment, default_release
from sentry_webview.backends.pywebview import wire_windows
from sentry_webview.integrations.crash import HostCrashIntegration
from sentry_webview.integrations.webview import IPCMode, WebviewIntegration
from sentry_webview.ipc import wire
from sentry_webview.integrations.sessions import HostSessionIntegration
from sentry_webview.transport import offline_transport

_HEALTH = (HostCrashIntegration, HostSessionIntegration)
_HOST_OPTIONS = (
    "allowed_origins",
    "max_request_bytes",
    "max_queue",
    "protocol_url",
    "anr_threshold",
    "renderer_anr_threshold",
    "attach_screenshot",
)


def init(
    ipc_mode: IPCMode = IPCMode.BOTH,
    ipc_namespace: str = wire.DEFAULT_NAMESPACE,
    get_windows: Optional[Callable[[], Iterable[Any]]] = None,
    **options: Any,
) -> None:
    """Start Sentry for a webview app: ``sentry_sdk.init`` plus the renderer host.

    Call it before ``webview.start()``. ``WebviewIntegration``'s options
    (``allowed_origins``, ``max_request_bytes``, ``max_queue``, ``protocol_url``,
    ``anr_threshold``, ``renderer_anr_threshold``: seconds a visible page's event loop
    may go without its heartbeat, ``attach_screenshot``: a PNG of each visible window
    on every error event) go to the integration; every ``sentry_sdk.init``
    option passes through. ``release``
    defaults to ``<app>@<version>`` and ``environment`` to ``production`` in a frozen
    app, ``development`` otherwise (as @sentry/electron). ``offline`` (default True)
    keeps what can't be sent on disk and sends it later: ``False`` turns it off, a dict
    tunes it (``path``, ``max_count``, ``max_bytes``, ``max_age_days``,
    ``retry_interval``, ``should_store``, ``should_send``). An app's own ``transport``
    replaces it. Release health (``HostSessionIntegration``) and host crash reports
    (``HostCrashIntegration``) are on; ``disabled_integrations=[...]`` turns either
    off. ``data_dir`` is where the offline queue and the run files go (default
    ``<user data dir of the app>/sentry-webview``).

    >>> sentry_webview.init(dsn="https://key@o0.ingest.sentry.io/1", ipc_namespace="my-app")
    """
    integrations = list(options.pop("integrations", None) or [])
    integration = next((i for i in integrations if isinstance(i, WebviewIntegration)), None)
    if integration is None:
        host_options = {key: options.pop(key) for key in _HOST_OPTIONS if key in options}
        integration = WebviewIntegration(
            ipc_mode=ipc_mode, ipc_namespace=ipc_namespace, get_windows=get_windows, **host_options
        )
        integrations.append(integration)
    data_dir = options.pop("data_dir", None)
    integrations += [cls(data_dir=data_dir) for cls in _HEALTH if not any(isinstance(i, cls) for i in integrations)]
    offline = options.pop("offline", True)
    if offline is not False and "transport" not in options:
        options["transport"] = offline_transport(data_dir, **(offline if isinstance(offline, dict) else {}))
    options.setdefault("release", default_release())
    options.setdefault("environment", default_environment())
    close_health()  # a previous init's run ends cleanly
    sentry_sdk.init(integrations=integrations, **options)
    integration.host  # noqa: B018 - serve renderers from now on
    for health in _health():
        health.start()
    wire_windows()


def _health() -> List[Any]:
    client = sentry_sdk.get_client()
    return [i for i in (client.get_integration(cls) for cls in _HEALTH) if i is not None]


def close_health() -> None:
    """End this run's session and crash watch as at a clean exit (tests, and apps that re-init)."""
    for health in _health():
        health.close()


def _integration() -> WebviewIntegration:
    integration = sentry_sdk.get_client().get_integration(WebviewIntegration)
    if integration is None:
        raise RuntimeError("sentry_webview is not initialized: call sentry_webview.init() first")
    return integration


def renderer_config(**extra: Any) -> Dict[str, Any]:
    """What a page needs to reach the host, for pages the app serves or templates itself.

    ``{"ipcNamespace", "ipcMode", "protocolUrl", "headers", "statusIntervalMs"}``;
    ``protocolUrl`` and ``headers`` only when the mode includes PROTOCOL,
    ``statusIntervalMs`` only with ``renderer_anr_threshold``. Publish it as
    ``window.__SENTRY_WEBVIEW__`` or pass it to ``SentryWebviewPreload.hookupIpc``.
    """
    return _integration().host.renderer_config(**extra)


def protocol_blueprint() -> Blueprint:
    """The protocol endpoints as a Flask Blueprint, to mount in the app's own Flask app.

    Mounted, the endpoint is same-origin with the page (no CORS): publish
    ``renderer_config(protocolUrl="/<namespace>")`` to the page.

    >>> app.register_blueprint(sentry_webview.protocol_blueprint())
    """
    return _integration().host.blueprint


def flush(timeout: float = 2.0) -> bool:
    """Deliver what renderers sent so far, within ``timeout`` seconds."""
    integration = sentry_sdk.get_client().get_integration(WebviewIntegration)
    if integration is None:
        sentry_sdk.flush(timeout)
        return True
    return integration.host.flush(timeout)
