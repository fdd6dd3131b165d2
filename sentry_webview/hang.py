"""App hangs (ANR): the GUI thread stops running its heartbeat for longer than a threshold.

Backends call ``beat`` from the GUI thread's own event loop (a Qt timer, a GLib
timeout). A watchdog thread notices when beats stop and captures one
``ApplicationNotResponding`` event per hang, with the GUI thread's stack as it was
at that moment, like @sentry/electron's ANR integration. A machine that slept (or a
stopped process) is not a hang: when the watchdog itself overslept while the process
used next to no CPU, it starts over.
"""

import sys
import threading
import time
from typing import Any, Dict, List, Optional

import sentry_sdk
from sentry_sdk.utils import capture_internal_exceptions, serialize_frame


class HangWatchdog:
    """Watches one GUI thread; started by the first beat."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.interval = threshold / 4
        self._last: Optional[float] = None
        self._thread_id: Optional[int] = None
        self._reported = False
        self._watcher: Optional[threading.Thread] = None
        self._attached = False
        self._lock = threading.Lock()

    def attach(self) -> bool:
        """True the first time: one heartbeat per GUI thread is enough."""
        with self._lock:
            first, self._attached = not self._attached, True
        return first

    def beat(self) -> None:
        """Called on the GUI thread by its event loop, every ``interval`` seconds."""
        with self._lock:
            self._last = time.monotonic()
            self._thread_id = threading.get_ident()
            self._reported = False
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._watch, name="sentry-webview-anr", daemon=True)
                self._watcher.start()

    def _watch(self) -> None:
        woke, cpu = time.monotonic(), time.process_time()
        while True:
            time.sleep(self.interval)
            previous, woke = woke, time.monotonic()
            previous_cpu, cpu = cpu, time.process_time()
            with self._lock:
                if _suspended(woke - previous - self.interval, cpu - previous_cpu, self.threshold):
                    self._last = woke
                blocked = time.monotonic() - (self._last or time.monotonic())
                due = blocked > self.threshold and not self._reported
                self._reported = self._reported or due
                thread_id = self._thread_id
            if due and thread_id is not None:
                with capture_internal_exceptions():
                    self._report(thread_id, blocked)

    def _report(self, thread_id: int, blocked: float) -> None:
        frame = sys._current_frames().get(thread_id)
        frames: List[Dict[str, Any]] = []
        while frame is not None:
            frames.append(serialize_frame(frame, include_local_variables=False))
            frame = frame.f_back
        frames.reverse()
        sentry_sdk.capture_event(
            {
                "level": "error",
                "exception": {
                    "values": [
                        {
                            "type": "ApplicationNotResponding",
                            "value": "The GUI thread has been blocked for %.1f s" % blocked,
                            "mechanism": {"type": "ANR", "handled": False},
                            "stacktrace": {"frames": frames},
                            "thread_id": thread_id,
                        }
                    ]
                },
                "tags": {"event.process": "host"},
            }
        )


def _suspended(overslept: float, cpu: float, threshold: float) -> bool:
    """The whole process stood still (system sleep, SIGSTOP), rather than its GUI thread blocking.

    A blocked GUI thread leaves the watchdog running, or burns CPU while it holds the GIL.
    """
    return overslept > threshold and cpu < overslept / 10
