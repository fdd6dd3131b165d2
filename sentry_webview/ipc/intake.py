"""Host intake: takes renderer messages off the bridge or the protocol server.

``accept`` validates a message on the caller's thread (so the protocol server can
answer 400, and bridge calls return at once) with its channel's parser, then hands
it to the handler registered for that channel: right there for ``inline`` channels
(cheap ones that must not wait behind events), else through a bounded queue to one
worker thread, in arrival order. Handlers run inside the isolation scope the host
was set up in. Nothing here raises into the app: bad input is logged once per kind,
counted and dropped.
"""

import logging
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

import sentry_sdk
from sentry_sdk.scope import Scope

from sentry_webview.ipc.envelope import MalformedPayload

logger = logging.getLogger("sentry_webview")

DEFAULT_QUEUE_SIZE = 10000

Handler = Callable[[Any, Any], None]  # (parsed payload, renderer identity)


@dataclass(frozen=True)
class Route:
    """How one channel's messages are parsed and handled."""

    parse: Callable[[Any], Any]
    handle: Handler
    inline: bool = False  # handled on the caller's thread, never queued


class Intake:
    """Validates, queues and dispatches messages from every renderer of one host."""

    def __init__(self, routes: Dict[str, Route], host_scope: Scope, max_queue: int = DEFAULT_QUEUE_SIZE) -> None:
        self.routes = routes
        self.host_scope = host_scope
        self.stats: Counter = Counter()
        self._queue: "queue.Queue[Optional[Tuple[Handler, Any, Any]]]" = queue.Queue(max_queue)
        self._logged: set = set()
        self._lock = threading.Lock()
        self._worker: Optional[threading.Thread] = None

    def accept(self, channel: str, payload: Any, identity: Any) -> None:
        """Validate and dispatch one message. Raises ``MalformedPayload`` for bad input."""
        route = self.routes.get(channel)
        try:
            if route is None:
                raise MalformedPayload("unknown channel %r" % (channel,))
            parsed = route.parse(payload)
        except MalformedPayload as error:
            self.reject("malformed", str(error))
            raise
        if route.inline:
            self._handle(route.handle, parsed, identity)
        else:
            self._enqueue(route.handle, parsed, identity)

    def submit(self, channel: str, payload: Any, identity: Any) -> Optional[str]:
        """Like ``accept``, but returns the reason instead of raising: for bridge calls."""
        try:
            self.accept(channel, payload, identity)
        except MalformedPayload as error:
            return str(error)
        return None

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait until every queued message is processed; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True

    def close(self) -> None:
        """Stop the worker after the messages already queued."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            self._queue.put(None)

    def reject(self, counter: str, reason: str) -> None:
        """Count a dropped message under ``counter``; log each ``reason`` once."""
        self.stats[counter] += 1
        if reason not in self._logged:
            self._logged.add(reason)
            logger.debug("sentry-webview dropped a renderer message (%s): %s", counter, reason)

    def _enqueue(self, handler: Handler, parsed: Any, identity: Any) -> None:
        self._ensure_worker()
        try:
            self._queue.put_nowait((handler, parsed, identity))
        except queue.Full:
            self.reject("queue_full", "intake queue is full; dropping renderer messages")
            client = sentry_sdk.get_client()
            if client.transport is not None:
                client.transport.record_lost_event("queue_overflow", data_category="error")

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="sentry-webview-intake", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                self._handle(*job)
            finally:
                self._queue.task_done()

    def _handle(self, handler: Handler, parsed: Any, identity: Any) -> None:
        try:
            with sentry_sdk.scope.use_isolation_scope(self.host_scope):
                handler(parsed, identity)
        except Exception as error:  # an SDK bug must not reach the app or kill the worker
            self.reject("failed", "%s: %s" % (type(error).__name__, error))
