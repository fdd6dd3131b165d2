"""What every backend reports about its windows, the same way: lifecycle breadcrumbs,
renderer-gone events (like @sentry/electron's child-process integration), and a
bounded flush once the last window closes."""

import threading
from typing import TYPE_CHECKING, Any, Dict, Optional, Set

import sentry_sdk
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.renderers.identity import RendererIdentity
from sentry_webview.integrations.sessions import crash_session

if TYPE_CHECKING:
    from sentry_webview.renderers.hub import WebviewHost

QUIT_FLUSH_TIMEOUT = 2.0
_FATAL_REASONS = {"crashed", "oom", "launch-failed", "integrity-failure"}


class WindowLifecycle:
    """The open windows of one host, across backends."""

    def __init__(self, host: "WebviewHost") -> None:
        self.host = host
        self._open: Set[str] = set()
        self._lock = threading.Lock()

    def created(self, identity: RendererIdentity) -> None:
        with self._lock:
            self._open.add(identity.renderer_id)
        self.host.intake.register(identity)
        self.breadcrumb("created", identity)

    def breadcrumb(self, action: str, identity: RendererIdentity, **data: Any) -> None:
        """``window.<action>`` in category ``webview``."""
        self.host.scope_sync.lifecycle_breadcrumb(action, identity, **data)

    def closed(self, identity: RendererIdentity) -> None:
        """Record the close; after the last window, flush in the background within ``QUIT_FLUSH_TIMEOUT``."""
        self.breadcrumb("closed", identity)
        self.forget(identity)
        with self._lock:
            self._open.discard(identity.renderer_id)
            last = not self._open
        if last:
            threading.Thread(
                target=self.host.flush, args=(QUIT_FLUSH_TIMEOUT,), name="sentry-webview-quit-flush", daemon=True
            ).start()

    def renderer_gone(self, identity: RendererIdentity, reason: str, exit_code: Optional[int] = None) -> None:
        """A breadcrumb, and unless it exited cleanly an event: ``fatal`` for crashes, else ``warning``."""
        with capture_internal_exceptions():
            self.host.intake.stats["renderers_gone"] += 1
            self.breadcrumb("renderer-gone", identity, reason=reason, exit_code=exit_code)
            self.forget(identity)
            if reason == "clean-exit":
                return
            with sentry_sdk.scope.use_isolation_scope(self.host.intake.host_scope), sentry_sdk.new_scope() as scope:
                scope.set_context("webview", identity.context())
                scope.set_tag("event.process", "renderer")
                scope.set_tag("exit.reason", reason)
                level = "fatal" if reason in _FATAL_REASONS else "warning"
                sentry_sdk.capture_message("Renderer process gone: %s" % reason, level=level)
            if level == "fatal":
                crash_session()

    def forget(self, identity: RendererIdentity) -> None:
        """Stop watching the heartbeats of a renderer that is gone."""
        if self.host.renderer_hang is not None:
            self.host.renderer_hang.forget(identity)

    def renderer_config(self, identity: RendererIdentity) -> Dict[str, Any]:
        """The injected config of a renderer the host also reaches over the bridge (unless PROTOCOL)."""
        return self.host.renderer_config(rendererId=identity.renderer_id, bridge=self.host.mode != "protocol")
