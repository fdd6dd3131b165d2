"""``WindowEventsIntegration``: what happens to windows, as breadcrumbs and events.

Lifecycle breadcrumbs (``window.created``, ``shown``, ``loaded``, ``navigated``,
``closed``, category ``webview``) and, like @sentry/electron's child-process
integration, an event when a renderer process terminates other than cleanly:
``fatal`` for crashes, else ``warning``.
"""

from typing import Any, Dict, Literal, Optional

import sentry_sdk
from sentry_sdk.integrations import Integration

from sentry_webview.backends.base import FATAL_EXIT_REASONS
from sentry_webview.ipc import wire
from sentry_webview.renderers.hub import HubFeature, RendererHub
from sentry_webview.renderers.identity import RendererIdentity


class WindowEventsIntegration(Integration, HubFeature):
    """Window lifecycle breadcrumbs and renderer-gone events."""

    identifier = "webview_window_events"

    @staticmethod
    def setup_once() -> None:
        pass  # all of it runs through the hub's hooks

    def window_event(self, hub: RendererHub, action: str, identity: RendererIdentity, data: Dict[str, Any]) -> None:
        data = dict(data)
        timestamp = data.pop("timestamp", None)
        hub.scope_sync.lifecycle_breadcrumb(action, identity, timestamp=timestamp, **data)

    def renderer_gone(self, hub: RendererHub, identity: RendererIdentity, reason: str, code: Optional[int]) -> None:
        hub.scope_sync.lifecycle_breadcrumb("renderer-gone", identity, reason=reason, exit_code=code)
        if reason == "clean-exit":
            return
        with sentry_sdk.new_scope() as scope:
            scope.set_context(wire.WEBVIEW_CONTEXT, hub.webview_context(identity))
            scope.set_tag(wire.PROCESS_TAG, wire.RENDERER_PROCESS)
            scope.set_tag("exit.reason", reason)
            level: Literal["fatal", "warning"] = "fatal" if reason in FATAL_EXIT_REASONS else "warning"
            sentry_sdk.capture_message("Renderer process gone: %s" % reason, level=level)
