"""The running host side of one ``WebviewIntegration``: token, intake, protocol server, windows."""

import secrets
import time
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional

import sentry_sdk

from sentry_webview.backends.lifecycle import WindowLifecycle
from sentry_webview.backends.pywebview import PywebviewWindows
from sentry_webview.integrations.app_hang import HangWatchdog, Watchdog
from sentry_webview.ipc import wire
from sentry_webview.ipc.intake import Intake
from sentry_webview.ipc.protocol import OriginPolicy, ProtocolServer, make_blueprint
from sentry_webview.integrations.renderer_hang import RendererHangWatchdog
from sentry_webview.renderers.scope_sync import ScopeSync

if TYPE_CHECKING:
    from sentry_webview.backends.cef import CefBrowsers


class WebviewHost:
    """Everything a renderer talks to, created when the integration starts."""

    def __init__(
        self,
        namespace: str,
        mode: str,
        allowed_origins: Iterable[str] = (),
        max_request_bytes: Optional[int] = None,
        max_queue: Optional[int] = None,
        protocol_url: Optional[str] = None,
        anr_threshold: Optional[float] = None,
        renderer_anr_threshold: Optional[float] = None,
    ) -> None:
        self.namespace = namespace
        self.mode = mode
        self.token = secrets.token_urlsafe(32)
        self.origins = OriginPolicy(allowed_origins)
        # Renderer scope goes to the global scope: every host thread sees it, and host values win.
        self.scope_sync = ScopeSync(sentry_sdk.get_global_scope())
        host_scope = sentry_sdk.get_isolation_scope()
        self.renderer_hang = (
            RendererHangWatchdog(renderer_anr_threshold, host_scope) if renderer_anr_threshold else None
        )
        self.intake = Intake(
            self.scope_sync,
            host_scope,
            renderer_hang=self.renderer_hang,
            **({"max_queue": max_queue} if max_queue else {}),
        )
        limits = {"max_request_bytes": max_request_bytes} if max_request_bytes else {}
        self.blueprint = make_blueprint(self.intake, namespace, self.token, self.origins, **limits)
        self.protocol_url = protocol_url
        serve = mode != "classic" and protocol_url is None
        self.protocol: Optional[ProtocolServer] = ProtocolServer(self.blueprint) if serve else None
        self.hang = HangWatchdog(anr_threshold) if anr_threshold else None
        self.lifecycle = WindowLifecycle(self)
        self.windows = PywebviewWindows(self)
        self.cef_browsers: Optional["CefBrowsers"] = None  # created by sentry_webview.cef.wire_browser

    def renderer_config(self, **extra: Any) -> Dict[str, Any]:
        """What a renderer's preload needs: namespace, mode, protocol URL, headers, heartbeat interval."""
        config: Dict[str, Any] = {"ipcNamespace": self.namespace, "ipcMode": self.mode}
        if self.mode != "classic":
            config["protocolUrl"] = self.protocol_url or "%s/%s" % (self.protocol.base_url, self.namespace)
            config["headers"] = {wire.TOKEN_HEADER: self.token}
        if self.renderer_hang is not None:
            config["statusIntervalMs"] = round(self.renderer_hang.interval * 1000)
        config.update(extra)
        return config

    def flush(self, timeout: float) -> bool:
        """Process queued renderer messages, then flush the SDK; both within ``timeout``."""
        deadline = time.monotonic() + timeout
        drained = self.intake.join(timeout)
        sentry_sdk.flush(max(0.0, deadline - time.monotonic()))
        return drained

    def close(self) -> None:
        """Stop the protocol server, the intake worker and the hang watchdogs."""
        if self.protocol is not None:
            self.protocol.stop()
        self.intake.close()
        for watchdog in self.watchdogs():
            watchdog.close()

    def watchdogs(self) -> List[Watchdog]:
        """The enabled hang watchdogs; each wants a heartbeat on the GUI thread's event loop."""
        return [watchdog for watchdog in (self.hang, self.renderer_hang) if watchdog is not None]
