"""``HostContextIntegration``: the desktop host's ``os``, ``device`` and ``app`` contexts on every event,
and ``event.process``/``event.origin``/``event.environment`` tags on the host's own events, as
@sentry/electron's main process does. The device's screen is as the app's pages see it."""

from typing import TYPE_CHECKING, Optional

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.scope import add_global_event_processor

from sentry_webview.app_info import host_contexts
from sentry_webview.integrations.webview import WebviewIntegration
from sentry_webview.ipc import wire

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint


class HostContextIntegration(Integration):
    """Desktop contexts on every event; host events tagged as the host's."""

    identifier = "webview_host_context"

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_process_event)


def _process_event(event: "Event", hint: "Hint") -> "Optional[Event]":
    if sentry_sdk.get_client().get_integration(HostContextIntegration) is None:
        return event
    tags = event.setdefault("tags", {})
    contexts = event.setdefault("contexts", {})
    if not isinstance(tags, dict) or not isinstance(contexts, dict):
        return event
    host = host_contexts()
    release = sentry_sdk.get_client().options.get("release")
    if "app_version" not in host["app"] and isinstance(release, str) and "@" in release:
        host["app"]["app_version"] = release.split("@", 1)[1]  # as @sentry/electron: every app has one
    webview = sentry_sdk.get_client().get_integration(WebviewIntegration)
    screen = webview.hub.screen if webview is not None and webview.started else None
    if screen:
        host["device"].update(screen)
    for key, value in host.items():
        contexts.setdefault(key, value)
    if tags.get(wire.PROCESS_TAG) != wire.RENDERER_PROCESS:
        tags.setdefault(wire.PROCESS_TAG, wire.HOST_PROCESS)
        tags.setdefault(wire.ORIGIN_TAG, wire.EVENT_ORIGIN)
        tags.setdefault(wire.ENVIRONMENT_TAG, wire.HOST_ENVIRONMENT)
    return event
