"""``RendererHangIntegration`` (opt-in, ``renderer_anr_threshold``): a visible page's event loop stops
sending its heartbeat.

Renderers send a ``status`` message (``{"visible": bool}``) every ``interval``
seconds while the host asks for it, and a not-visible one when they are hidden or
unloaded (hidden pages' timers are throttled). A watchdog thread captures one
``ApplicationNotResponding`` event per block of a visible renderer, with its
``webview`` context, like @sentry/electron's renderer ANR detection. Heartbeats over
the bridge pass through the host's GUI thread, so backends beat on its event loop
too: while it, or the whole host (system sleep, SIGSTOP), stands still, no
heartbeat can arrive and the watch starts over.
"""

import time
from dataclasses import dataclass
from typing import Any, Dict, Optional

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.integrations._watchdog import Watchdog, anr_event, positive_seconds
from sentry_webview.ipc import wire
from sentry_webview.ipc.envelope import parse_json_payload
from sentry_webview.ipc.intake import Route
from sentry_webview.renderers.hub import MAX_IDENTITIES, HubFeature, RendererHub
from sentry_webview.renderers.identity import RendererIdentity

MAX_INTERVAL = 5.0  # seconds between heartbeats, however long the threshold


class RendererHangIntegration(Integration, HubFeature):
    """Report a visible page as not responding after ``threshold`` seconds without its heartbeat.

    >>> sentry_webview.init(dsn=..., renderer_anr_threshold=5.0)   # the shortcut for RendererHangIntegration(5.0)
    """

    identifier = "webview_renderer_hang"

    def __init__(self, threshold: float = 5.0) -> None:
        self.threshold = positive_seconds("renderer_anr_threshold", threshold)
        self._watchdogs: Dict[int, RendererHangWatchdog] = {}

    @staticmethod
    def setup_once() -> None:
        pass  # all of it runs through the hub's hooks

    def _watchdog(self, hub: RendererHub) -> "RendererHangWatchdog":
        watchdog = self._watchdogs.get(id(hub))
        if watchdog is None:
            watchdog = self._watchdogs[id(hub)] = RendererHangWatchdog(self.threshold, hub)
        return watchdog

    def renderer_config(self, hub: RendererHub, config: Dict[str, Any]) -> None:
        config[wire.CONFIG["statusIntervalMs"]] = round(self._watchdog(hub).interval * 1000)

    def gui_ready(self, hub: RendererHub, window: Any, backend: Any) -> None:
        # Heartbeats over the bridge pass through the GUI thread: the watch needs to know when it stalls.
        self._watchdog(hub).attach_to(hub, window, backend)

    def hub_started(self, hub: RendererHub) -> None:
        # The heartbeats are this feature's channel: handled on the caller's thread, never behind queued events.
        def on_status(data: Dict[str, Any], identity: RendererIdentity) -> None:
            self._watchdog(hub).status(identity, data.get("visible") is True)
            hub.stats["statuses"] += 1

        hub.add_route(wire.STATUS, Route(parse_json_payload, on_status, inline=True))

    def page_started(self, hub: RendererHub, identity: RendererIdentity) -> None:
        self._watchdog(hub).forget(identity)  # a new page: watched again from its first heartbeat

    def window_event(self, hub: RendererHub, action: str, identity: RendererIdentity, data: Dict[str, Any]) -> None:
        if action == "closed":
            self._watchdog(hub).forget(identity)

    def renderer_gone(self, hub: RendererHub, identity: RendererIdentity, reason: str, code: Optional[int]) -> None:
        self._watchdog(hub).forget(identity)

    def hub_closed(self, hub: RendererHub) -> None:
        watchdog = self._watchdogs.pop(id(hub), None)
        if watchdog is not None:
            watchdog.close()


@dataclass
class _Renderer:
    identity: RendererIdentity
    last: float
    reported: bool = False


class RendererHangWatchdog(Watchdog):
    """Watches the heartbeats of every visible renderer of one host; started by the first one.

    Only renderers the hub still knows (``hub.knows``): one it forgot (its LRU of protocol renderers) is no
    longer watched, so the watch is bounded like the hub, whatever ids pages make up.
    """

    name = "sentry-webview-renderer-anr"

    def __init__(self, threshold: float, hub: RendererHub) -> None:
        super().__init__(threshold, min(threshold / 4, MAX_INTERVAL))
        self.hub = hub
        self._watched: Dict[str, _Renderer] = {}

    def status(self, identity: RendererIdentity, visible: bool) -> None:
        """A heartbeat from ``identity``; a hidden renderer is not watched until it is visible again."""
        with self._lock:
            if not visible or not self.hub.knows(identity):
                self._watched.pop(identity.renderer_id, None)
                return
            if identity.renderer_id not in self._watched and len(self._watched) >= MAX_IDENTITIES:
                self._forget_unknown()
            self._watched[identity.renderer_id] = _Renderer(identity, time.monotonic())
            self._start()

    def forget(self, identity: RendererIdentity) -> None:
        """Stop watching ``identity`` (closed, gone, or navigated) until its next heartbeat."""
        with self._lock:
            self._watched.pop(identity.renderer_id, None)

    def _forget_unknown(self) -> None:
        """Stop watching the renderers the hub forgot (under ``_lock``)."""
        for renderer_id in [key for key, renderer in self._watched.items() if not self.hub.knows(renderer.identity)]:
            del self._watched[renderer_id]

    def _check(self, now: float, stood_still: bool) -> None:
        with self._lock:
            self._forget_unknown()
            gui_stalled = self._last is not None and now - self._last > 2 * self.interval
            if gui_stalled or stood_still:
                for renderer in self._watched.values():
                    renderer.last = now
            due = [r for r in self._watched.values() if not r.reported and now - r.last > self.threshold]
            for renderer in due:
                renderer.reported = True
        for renderer in due:
            with capture_internal_exceptions():
                self._report(renderer.identity, now - renderer.last)

    def _report(self, identity: RendererIdentity, blocked: float) -> None:
        with sentry_sdk.scope.use_isolation_scope(self.hub.host_scope), sentry_sdk.new_scope() as scope:
            scope.set_context(wire.WEBVIEW_CONTEXT, self.hub.webview_context(identity))
            scope.set_tag(wire.PROCESS_TAG, wire.RENDERER_PROCESS)
            sentry_sdk.capture_event(anr_event("The renderer's event loop has been blocked for %.1f s" % blocked))
