"""What the two hang watches share: a heartbeat on the GUI thread's event loop, a watch thread, the ANR event.

Backends call ``beat`` from the GUI thread's own event loop (a Qt timer, a GLib
timeout, a CEF UI task). A machine that slept (or a stopped process) is not a hang:
when the watch itself overslept while the process used next to no CPU, it starts over.
"""

import threading
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Mapping, Optional

from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.renderers.hub import RendererHub

if TYPE_CHECKING:
    from sentry_sdk.types import Event

ANR_TYPE = "ANR"


def positive_seconds(option: str, value: Any) -> float:
    """``value`` as seconds, or a ``ValueError`` naming ``option`` (a string or a bool is no threshold)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError("%s must be a positive number of seconds; got %r" % (option, value))
    return float(value)


def anr_event(value: str, **exception: Any) -> "Event":
    """An ``ApplicationNotResponding`` error event; ``exception`` adds to its exception (stacktrace, thread_id)."""
    mechanism = {"type": ANR_TYPE, "handled": False}
    exception = dict(type="ApplicationNotResponding", value=value, mechanism=mechanism, **exception)
    return {"level": "error", "exception": {"values": [exception]}}


def is_anr(event: Mapping[str, object]) -> bool:
    """Whether ``event`` reports a hang (of the GUI thread or of a renderer)."""
    exception = event.get("exception")
    values = exception.get("values") if isinstance(exception, dict) else None
    return any(
        isinstance(v, dict) and isinstance(v.get("mechanism"), dict) and v["mechanism"].get("type") == ANR_TYPE
        for v in values or ()
    )


class Watchdog(ABC):
    """A daemon thread that checks, every ``interval`` seconds, what has gone silent for ``threshold``."""

    name = "sentry-webview-watchdog"

    def __init__(self, threshold: float, interval: float) -> None:
        self.threshold = threshold
        self.interval = interval
        self._last: Optional[float] = None  # the GUI thread's last beat
        self._thread_id: Optional[int] = None
        self._visible = True
        self._attached = False
        self._watcher: Optional[threading.Thread] = None
        self._closed = threading.Event()
        self._lock = threading.Lock()

    def attach(self) -> bool:
        """On the GUI thread as its heartbeat is set up; True the first time (one heartbeat is enough).

        The watch starts now: a GUI thread that hangs before its first beat is a hang too.
        """
        with self._lock:
            first, self._attached = not self._attached, True
            if first:
                self._last, self._thread_id = time.monotonic(), threading.get_ident()
                self._start()
        return first

    def beat(self, visible: bool = True) -> None:
        """On the GUI thread, by its event loop, every ``interval`` seconds; ``visible``: any app window is."""
        with self._lock:
            self._last = time.monotonic()
            self._thread_id = threading.get_ident()
            self._visible = visible

    def attach_to(self, hub: RendererHub, window: Any, backend: Any) -> None:
        """On the GUI thread: beat on ``window``'s event loop (once per watchdog), with whether any window shows."""
        if not self.attach():
            return

        def beat() -> None:
            with capture_internal_exceptions():  # never into the GUI's timer callback
                self.beat(any(backend.visible(window) for window, backend in hub.shown()))

        backend.heartbeat(window, beat, self.interval)

    def close(self) -> None:
        """Stop the watch: a closed host reports nothing into a later client."""
        self._closed.set()

    def _start(self) -> None:
        """Start the watch thread once; with the lock held."""
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watch, name=self.name, daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        woke, cpu = time.monotonic(), time.process_time()
        while not self._closed.wait(self.interval):
            previous, woke = woke, time.monotonic()
            previous_cpu, cpu = cpu, time.process_time()
            stood_still = _suspended(woke - previous - self.interval, cpu - previous_cpu, self.threshold)
            with capture_internal_exceptions():
                self._check(woke, stood_still)

    @abstractmethod
    def _check(self, now: float, stood_still: bool) -> None:
        """Report what is overdue at ``now``; ``stood_still``: the whole process didn't run meanwhile."""


def _suspended(overslept: float, cpu: float, threshold: float) -> bool:
    """The whole process stood still (system sleep, SIGSTOP), rather than its GUI thread blocking.

    A blocked GUI thread leaves the watchdog running, or burns CPU while it holds the GIL.
    """
    return overslept > threshold and cpu < overslept / 10
