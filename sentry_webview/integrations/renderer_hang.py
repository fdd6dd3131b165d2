"""Renderer hangs: a visible page's event loop stops sending its heartbeat.

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
from typing import Dict

import sentry_sdk
from sentry_sdk.scope import Scope
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.integrations.app_hang import Watchdog, anr_event
from sentry_webview.renderers.identity import RendererIdentity

MAX_INTERVAL = 5.0  # seconds between heartbeats, however long the threshold


@dataclass
class _Renderer:
    identity: RendererIdentity
    last: float
    reported: bool = False


class RendererHangWatchdog(Watchdog):
    """Watches the heartbeats of every visible renderer of one host; started by the first one."""

    name = "sentry-webview-renderer-anr"

    def __init__(self, threshold: float, host_scope: Scope) -> None:
        super().__init__(threshold, min(threshold / 4, MAX_INTERVAL))
        self.host_scope = host_scope
        self._watched: Dict[str, _Renderer] = {}

    def status(self, identity: RendererIdentity, visible: bool) -> None:
        """A heartbeat from ``identity``; a hidden renderer is not watched until it is visible again."""
        with self._lock:
            if not visible:
                self._watched.pop(identity.renderer_id, None)
                return
            self._watched[identity.renderer_id] = _Renderer(identity, time.monotonic())
            self._start()

    def forget(self, identity: RendererIdentity) -> None:
        """Stop watching ``identity`` (closed, gone, or navigated) until its next heartbeat."""
        with self._lock:
            self._watched.pop(identity.renderer_id, None)

    def _check(self, now: float, stood_still: bool) -> None:
        with self._lock:
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
        with sentry_sdk.scope.use_isolation_scope(self.host_scope), sentry_sdk.new_scope() as scope:
            scope.set_context("webview", identity.context())
            scope.set_tag("event.process", "renderer")
            sentry_sdk.capture_event(anr_event("The renderer's event loop has been blocked for %.1f s" % blocked))
