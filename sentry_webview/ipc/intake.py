"""Host intake: takes renderer messages off the bridge or the protocol server.

``accept`` validates a message on the caller's thread (so the protocol server can
answer 400, and bridge calls return at once) with its channel's parser, then hands
it to the handler registered for that channel (the hub's core channels, or a feature's
own through ``add_route``): right there for ``inline`` channels
(cheap ones that must not wait behind events), else through a bounded queue to one
worker thread: each renderer's messages in arrival order, renderers (or buckets) taken in turn.
Handlers run inside the isolation scope the host was set up in. Nothing here raises
into the app: bad input is logged once per kind, counted and dropped; a message on a
channel no handler is registered for (its feature is turned off) is only counted.
"""

import logging
import threading
import time
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Optional, Tuple

import sentry_sdk
from sentry_sdk.scope import Scope

from sentry_webview.ipc import wire
from sentry_webview.ipc.envelope import MalformedPayload

logger = logging.getLogger("sentry_webview")

DEFAULT_QUEUE_SIZE = 10000
DEFAULT_QUEUE_BYTES = 64 * 1024 * 1024  # bodies waiting in the intake, attachments included

Handler = Callable[[Any, Any], None]  # (parsed payload, renderer identity)


@dataclass(frozen=True)
class Route:
    """How one channel's messages are parsed and handled."""

    parse: Callable[[Any], Any]
    handle: Handler
    inline: bool = False  # handled on the caller's thread, never queued


class Overloaded(MalformedPayload):
    """The intake is over its count or bytes budget: the message is dropped (a 429 over the protocol)."""


class Intake:
    """Validates, queues and dispatches messages from every renderer of one host.

    Queued messages wait per renderer and the worker takes them round-robin, so a page that
    floods can't make another page's events wait behind its own. The queue is bounded by
    count (``max_queue``), per renderer (``max_per_renderer``) and by the bytes of the queued
    bodies (``max_bytes``); past a bound a message is refused with ``Overloaded``, counted and
    recorded as a client report.
    """

    def __init__(
        self,
        routes: Dict[str, Route],
        host_scope: Scope,
        max_queue: int = DEFAULT_QUEUE_SIZE,
        max_bytes: int = DEFAULT_QUEUE_BYTES,
        max_per_renderer: Optional[int] = None,
    ) -> None:
        self.routes = dict(routes)
        self.host_scope = host_scope
        self.stats: Counter = Counter()
        self.max_queue, self.max_bytes = max_queue, max_bytes
        self.max_per_renderer = max_per_renderer or max(1, max_queue // 4)
        self._waiting: "OrderedDict[Any, Deque[Tuple[Handler, Any, Any, int]]]" = OrderedDict()
        self._count = 0  # queued and not yet handled
        self._bytes = 0
        self._changed = threading.Condition()
        self._logged: set = set()
        self._lock = threading.Lock()
        self._worker: Optional[threading.Thread] = None
        self._closing = False

    def add_route(self, channel: str, route: Route) -> None:
        """Handle ``channel``'s messages with ``route``: one handler per channel, of the wire's channels."""
        if channel not in wire.CHANNELS or channel in self.routes:
            raise ValueError("%r is not a wire channel, or it has a handler already" % (channel,))
        self.routes[channel] = route

    def accept(self, channel: str, payload: Any, identity: Any, bucket: Any = None) -> None:
        """Validate and dispatch one message. Raises ``MalformedPayload`` for bad input (``Overloaded`` when full).

        ``bucket``: whose turn a queued message waits for, and whose per-renderer cap it counts in (default: its
        renderer's).
        """
        route = self.routes.get(channel)
        if route is None and channel in wire.CHANNELS:
            self.stats["unhandled"] += 1  # its feature is turned off: nothing to do, and nothing wrong
            return
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
            self._enqueue(route.handle, parsed, identity, _size_of(payload), bucket)

    def submit(self, channel: str, payload: Any, identity: Any) -> Optional[str]:
        """Like ``accept``, but returns the reason instead of raising: for bridge calls."""
        try:
            self.accept(channel, payload, identity)
        except MalformedPayload as error:
            return str(error)
        return None

    @property
    def queued(self) -> int:
        """Messages waiting or being handled."""
        return self._count

    @property
    def queued_bytes(self) -> int:
        """The bytes of the bodies waiting or being handled."""
        return self._bytes

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait until every queued message is processed; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while self._count:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    def close(self) -> None:
        """Stop the worker after the messages already queued."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            with self._changed:
                self._closing = True
                self._changed.notify_all()

    def reject(self, counter: str, reason: str, count: int = 1) -> None:
        """Count ``count`` dropped messages under ``counter``; log once per ``counter``.

        ``reason`` may hold what a renderer sent, so it is logged but never remembered: the set
        of logged kinds is bounded by our own counter names, whatever renderers send.
        """
        self.stats[counter] += count
        if counter not in self._logged:
            self._logged.add(counter)
            logger.debug("sentry-webview dropped a renderer message (%s): %.200s", counter, reason)

    def _enqueue(self, handler: Handler, parsed: Any, identity: Any, size: int, bucket: Any) -> None:
        self._ensure_worker()
        key = bucket if bucket is not None else getattr(identity, "renderer_id", None) or id(identity)
        with self._changed:
            waiting = self._waiting.get(key)
            full = (
                self._count >= self.max_queue
                or (self._bytes + size > self.max_bytes and self._count > 0)
                or (waiting is not None and len(waiting) >= self.max_per_renderer)
            )
            if not full:
                if waiting is None:
                    waiting = self._waiting[key] = deque()
                waiting.append((handler, parsed, identity, size))
                self._count += 1
                self._bytes += size
                self._changed.notify_all()
                return
        self.reject("queue_full", "intake queue is full; dropping renderer messages")
        client = sentry_sdk.get_client()
        if client.transport is not None:
            client.transport.record_lost_event("queue_overflow", data_category="error")
        raise Overloaded("the host is busy: renderer message dropped")

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._worker is None:
                self._closing = False
                self._worker = threading.Thread(target=self._run, name="sentry-webview-intake", daemon=True)
                self._worker.start()

    def _next(self) -> Optional[Tuple[Handler, Any, Any, int]]:
        """The next message, one renderer after the other; None once closed and drained."""
        with self._changed:
            while not self._waiting:
                if self._closing:
                    return None
                self._changed.wait()
            key, waiting = next(iter(self._waiting.items()))
            job = waiting.popleft()
            del self._waiting[key]
            if waiting:  # its next message goes behind every other renderer's
                self._waiting[key] = waiting
            return job

    def _run(self) -> None:
        while True:
            job = self._next()
            if job is None:
                return
            handler, parsed, identity, size = job
            try:
                self._handle(handler, parsed, identity)
            finally:
                with self._changed:
                    self._count -= 1
                    self._bytes -= size
                    self._changed.notify_all()

    def _handle(self, handler: Handler, parsed: Any, identity: Any) -> None:
        try:
            with sentry_sdk.scope.use_isolation_scope(self.host_scope):
                handler(parsed, identity)
        except Exception as error:  # an SDK bug must not reach the app or kill the worker
            self.reject("failed", "%s: %s" % (type(error).__name__, error))


def _size_of(payload: Any) -> int:
    """What a queued message costs, by the size of its body as received."""
    if isinstance(payload, (bytes, str)):
        return len(payload)
    if isinstance(payload, dict):
        return sum(len(v) for v in payload.values() if isinstance(v, (bytes, str))) + 64
    return 64
