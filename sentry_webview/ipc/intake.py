"""Host intake: takes renderer messages off the bridge or the protocol server.

``accept`` validates a message on the caller's thread (so the protocol server can
answer 400, and bridge calls return at once). Scope updates apply right there; the
rest is queued for one worker thread that merges and captures, inside the isolation
scope the host was set up in, in arrival order. Nothing here raises into the app:
bad input is logged once, counted and dropped.
"""

import base64
import binascii
import io
import json
import logging
import queue
import threading
import time
import uuid
from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Tuple

import sentry_sdk
from sentry_sdk.attachments import Attachment
from sentry_sdk.envelope import Envelope, Item, PayloadRef
from sentry_sdk.scope import Scope
from sentry_sdk.utils import Dsn

from sentry_webview.renderers.identity import RendererIdentity, engine_from_user_agent
from sentry_webview.ipc import wire
from sentry_webview.renderers.merge import merge_renderer_event
from sentry_webview.integrations.renderer_hang import RendererHangWatchdog
from sentry_webview.renderers.scope_sync import ScopeSync

logger = logging.getLogger("sentry_webview")

_CAPTURED_TYPES = ("event", "transaction")
DEFAULT_QUEUE_SIZE = 10000


class MalformedPayload(ValueError):
    """A renderer message that can't be understood; it is dropped."""


def parse_envelope(raw: bytes) -> Envelope:
    """Parse a serialized envelope strictly: a truncated or garbled one raises."""
    stream = io.BytesIO(raw)
    headers = _json_object(stream.readline(), "envelope header")
    items: List[Item] = []
    while True:
        line = stream.readline()
        if not line:
            break
        line = line.rstrip(b"\r\n")
        if not line:
            continue
        item_headers = _json_object(line, "item header")
        if not isinstance(item_headers.get("type"), str):
            raise MalformedPayload("item header has no type")
        length = item_headers.get("length")
        if length is None:
            payload = stream.readline().rstrip(b"\n")
        elif isinstance(length, int) and not isinstance(length, bool) and length >= 0:
            payload = stream.read(length)
            if len(payload) != length:
                raise MalformedPayload("item payload is truncated")
            stream.readline()
        else:
            raise MalformedPayload("item length is not a non-negative integer")
        if item_headers["type"] in _CAPTURED_TYPES:
            items.append(Item(PayloadRef(json=_json_object(payload, "event")), headers=item_headers))
        else:
            items.append(Item(payload, headers=item_headers))
    if not items:
        raise MalformedPayload("envelope has no items")
    return Envelope(headers=headers, items=items)


def _json_object(data: Any, what: str) -> Dict[str, Any]:
    try:
        value = json.loads(data) if data not in (b"", "") else None
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedPayload("%s is not JSON: %s" % (what, error)) from None
    if not isinstance(value, dict):
        raise MalformedPayload("%s is not a JSON object" % what)
    return value


def envelope_bytes(payload: Any) -> bytes:
    """The raw envelope from a bridge or HTTP payload (text, bytes or ``{"base64": ...}``)."""
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogatepass")
    if isinstance(payload, dict) and isinstance(payload.get(wire.BASE64_KEY), str):
        try:
            return base64.b64decode(payload[wire.BASE64_KEY], validate=True)
        except (binascii.Error, ValueError):
            raise MalformedPayload("envelope base64 is invalid") from None
    raise MalformedPayload("envelope must be text, bytes or {base64}")


class Intake:
    """Validates, queues and processes messages from every renderer of one host."""

    def __init__(
        self,
        scope_sync: ScopeSync,
        host_scope: Scope,
        max_queue: int = DEFAULT_QUEUE_SIZE,
        renderer_hang: Optional[RendererHangWatchdog] = None,
    ) -> None:
        self.scope_sync = scope_sync
        self.host_scope = host_scope
        self.renderer_hang = renderer_hang
        self.stats: Counter = Counter()
        self._renderers: Dict[str, RendererIdentity] = {}
        self._started: set = set()  # renderer ids that sent start: a later start is a navigation
        self._queue: "queue.Queue[Optional[Tuple[Callable[..., None], Tuple[Any, ...]]]]" = queue.Queue(max_queue)
        self._logged: set = set()
        self._lock = threading.Lock()
        self._worker: Optional[threading.Thread] = None
        self._parsers = {
            wire.START: self._parse_json,
            wire.SCOPE: self._parse_json,
            wire.ENVELOPE: self._parse_envelope,
            wire.STATUS: self._parse_json,
        }
        self._handlers = {
            wire.START: self._on_start,
            wire.SCOPE: self._on_scope,
            wire.ENVELOPE: self._on_envelope,
            wire.STATUS: self._on_status,
        }

    # -- renderers ----------------------------------------------------------
    def register(self, identity: RendererIdentity) -> RendererIdentity:
        """Make ``identity`` the one used for messages with its renderer id."""
        with self._lock:
            self._renderers[identity.renderer_id] = identity
        return identity

    def identity_for(self, renderer_id: Optional[str]) -> RendererIdentity:
        """The known renderer with this id, or a new protocol renderer."""
        renderer_id = (renderer_id or "")[:64] or "anonymous-%s" % uuid.uuid4().hex[:8]
        with self._lock:
            identity = self._renderers.get(renderer_id)
            if identity is None:
                identity = self._renderers[renderer_id] = RendererIdentity(renderer_id)
        return identity

    # -- intake -------------------------------------------------------------
    def accept(self, channel: str, payload: Any, identity: RendererIdentity) -> None:
        """Validate and queue one message. Raises ``MalformedPayload`` for bad input."""
        try:
            parser = self._parsers.get(channel)
            if parser is None:
                raise MalformedPayload("unknown channel %r" % (channel,))
            parsed = parser(payload)
        except MalformedPayload as error:
            self._reject("malformed", str(error))
            raise
        if channel in (wire.SCOPE, wire.STATUS):
            # Scope first, on the caller's thread (it is cheap): a host error right after the page's
            # last breadcrumb, say in the app's own js_api call, must not wait behind queued events.
            # Nor may a heartbeat: a busy intake must not look like a blocked renderer.
            self._handle(self._handlers[channel], (parsed, identity))
        else:
            self._enqueue(self._handlers[channel], parsed, identity)

    def submit(self, channel: str, payload: Any, identity: RendererIdentity) -> Optional[str]:
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

    def _parse_json(self, payload: Any) -> Dict[str, Any]:
        if isinstance(payload, dict):
            return payload
        if isinstance(payload, (bytes, str)) and not payload.strip():
            return {}
        if isinstance(payload, (bytes, str)):
            return _json_object(payload, "payload")
        raise MalformedPayload("payload must be a JSON object")

    def _parse_envelope(self, payload: Any) -> Envelope:
        return parse_envelope(envelope_bytes(payload))

    def _enqueue(self, handler: Callable[..., None], parsed: Any, identity: RendererIdentity) -> None:
        self._ensure_worker()
        try:
            self._queue.put_nowait((handler, (parsed, identity)))
        except queue.Full:
            self._reject("queue_full", "intake queue is full; dropping renderer messages")
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

    def _handle(self, handler: Callable[..., None], args: Tuple[Any, ...]) -> None:
        try:
            with sentry_sdk.scope.use_isolation_scope(self.host_scope):
                handler(*args)
        except Exception as error:  # an SDK bug must not reach the app or kill the worker
            self._reject("failed", "%s: %s" % (type(error).__name__, error))

    def _reject(self, counter: str, reason: str) -> None:
        self.stats[counter] += 1
        if reason not in self._logged:
            self._logged.add(reason)
            logger.debug("sentry-webview dropped a renderer message (%s): %s", counter, reason)

    # -- handlers (worker thread; scope on the caller's) --------------------
    def _on_start(self, data: Dict[str, Any], identity: RendererIdentity) -> None:
        user_agent = data.get("userAgent")
        engine = engine_from_user_agent(user_agent) if isinstance(user_agent, str) else None
        previous = identity.url if identity.renderer_id in self._started else None
        url = _text(data.get("url"))
        identity.update(url=url, title=_text(data.get("title")), engine=None if identity.engine else engine)
        self._started.add(identity.renderer_id)
        if self.renderer_hang is not None:  # a new page: watched again from its first heartbeat
            self.renderer_hang.forget(identity)
        if previous and url and url != previous:
            when = data.get("timestamp") if isinstance(data.get("timestamp"), (int, float)) else None
            self.scope_sync.lifecycle_breadcrumb("navigated", identity, timestamp=when, **{"from": previous})
        self.stats["renderers_started"] += 1

    def _on_scope(self, data: Dict[str, Any], identity: RendererIdentity) -> None:
        self.scope_sync.apply(data, identity)
        self.stats["scopes"] += 1
        total = data.get(wire.DROPPED_KEY)
        if isinstance(total, int) and not isinstance(total, bool):
            with self._lock:
                lost, identity.dropped = max(0, total - identity.dropped), max(total, identity.dropped)
            client = sentry_sdk.get_client()
            if lost and client.transport is not None:
                self.stats["dropped_in_renderer"] += lost
                client.transport.record_lost_event("queue_overflow", data_category="error", quantity=lost)

    def _on_status(self, data: Dict[str, Any], identity: RendererIdentity) -> None:
        if self.renderer_hang is not None:
            self.renderer_hang.status(identity, data.get("visible") is True)
        self.stats["statuses"] += 1

    def _on_envelope(self, envelope: Envelope, identity: RendererIdentity) -> None:
        attachments = [
            Attachment(
                bytes=item.get_bytes(),
                filename=item.headers.get("filename") or "attachment",
                content_type=item.headers.get("content_type"),
                add_to_transactions=True,
            )
            for item in envelope.items
            if item.type == "attachment"
        ]
        events = [item.payload.json for item in envelope.items if item.type in _CAPTURED_TYPES]
        rest = [item for item in envelope.items if item.type not in _CAPTURED_TYPES and item.type != "attachment"]
        for event in events:
            merged = merge_renderer_event(event, identity, known=self.scope_sync.seen)
            sentry_sdk.capture_event(merged, hint={"attachments": attachments})
            self.stats["events"] += 1
        if not events and attachments:
            rest.extend(item for item in envelope.items if item.type == "attachment")
        if rest:
            self._forward(envelope.headers, rest)

    def _forward(self, headers: Dict[str, Any], items: List[Item]) -> None:
        """Send non-event items (replay, feedback, ...) as they are, under host identity."""
        client = sentry_sdk.get_client()
        if client.transport is None:
            return
        trace = headers.get("trace")
        if isinstance(trace, dict):
            trace = dict(trace)
            for key in ("release", "environment"):
                trace.pop(key, None)
                if client.options.get(key):
                    trace[key] = client.options[key]
            if client.options.get("dsn"):
                trace["public_key"] = Dsn(client.options["dsn"]).public_key
        forwarded = {key: value for key, value in headers.items() if key in ("event_id", "sent_at")}
        if trace:
            forwarded["trace"] = trace
        client.transport.capture_envelope(Envelope(headers=forwarded, items=items))
        self.stats["forwarded"] += len(items)


def _text(value: Any) -> Optional[str]:
    return value[:2048] if isinstance(value, str) else None
