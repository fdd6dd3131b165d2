"""``AppHangIntegration`` (opt-in, ``anr_threshold``): the GUI thread stops running its event loop.

A watchdog thread notices when the GUI thread's heartbeats stop for longer than the
threshold and captures one ``ApplicationNotResponding`` event per hang, with the GUI
thread's stack as it was at that moment, like @sentry/electron's ANR integration. It
pauses while none of the app's windows is visible (a hidden app's timers may be throttled).
"""

import sys
from typing import Any, Dict, List

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.utils import serialize_frame

from sentry_webview.integrations._watchdog import Watchdog, anr_event, positive_seconds
from sentry_webview.ipc import wire
from sentry_webview.renderers.hub import HubFeature, RendererHub


class AppHangIntegration(Integration, HubFeature):
    """Report the GUI thread as not responding after ``threshold`` seconds without its event loop.

    >>> sentry_webview.init(dsn=..., anr_threshold=2.0)   # the shortcut for AppHangIntegration(2.0)
    """

    identifier = "webview_app_hang"

    def __init__(self, threshold: float = 5.0) -> None:
        self.watchdog = HangWatchdog(positive_seconds("anr_threshold", threshold))

    @staticmethod
    def setup_once() -> None:
        pass  # all of it runs through the hub's hooks

    def gui_ready(self, hub: RendererHub, window: Any, backend: Any) -> None:
        self.watchdog.attach_to(hub, window, backend)

    def hub_closed(self, hub: RendererHub) -> None:
        self.watchdog.close()


class HangWatchdog(Watchdog):
    """Watches one GUI thread, from when its heartbeat is attached."""

    name = "sentry-webview-anr"

    def __init__(self, threshold: float) -> None:
        super().__init__(threshold, threshold / 4)
        self._reported = False

    def _check(self, now: float, stood_still: bool) -> None:
        with self._lock:
            if stood_still or not self._visible:
                self._last = now
            blocked = now - (self._last or now)
            due = blocked > self.threshold and not self._reported
            self._reported = blocked > self.threshold  # until a beat ends the hang
            thread_id = self._thread_id
        if due and thread_id is not None:
            self._report(thread_id, blocked)

    def _report(self, thread_id: int, blocked: float) -> None:
        frame = sys._current_frames().get(thread_id)
        frames: List[Dict[str, Any]] = []
        while frame is not None:
            frames.append(serialize_frame(frame, include_local_variables=False))
            frame = frame.f_back
        frames.reverse()
        event = anr_event(
            "The GUI thread has been blocked for %.1f s" % blocked, stacktrace={"frames": frames}, thread_id=thread_id
        )
        event["tags"] = {wire.PROCESS_TAG: wire.HOST_PROCESS}
        sentry_sdk.capture_event(event)
