"""A local Sentry ingest: accepts ``POST /api/<project>/envelope/`` and keeps what arrives.

The demo delivers to it when no DSN is given, and the tests assert on it. It
decodes gzip, deflate and br bodies as Sentry does, and binds to loopback only.
Like sentry-electron's test server it can misbehave: answer ``reply`` (say 500, or
429 with ``X-Sentry-Rate-Limits``; only 2xx envelopes are kept), or hang every
request while ``hang`` is set.
"""

import gzip
import json
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

from sentry_sdk.envelope import Envelope


@dataclass
class ReceivedEnvelope:
    """One envelope as the ingest received it."""

    path: str
    headers: Dict[str, str]
    envelope: Envelope
    received_at: float = 0.0  # time.time() when it arrived

    def items_of(self, item_type: str) -> List[Any]:
        return [item for item in self.envelope.items if item.type == item_type]

    @property
    def event(self) -> Optional[Dict[str, Any]]:
        """The error event or transaction payload, if the envelope carries one."""
        for item in self.envelope.items:
            if item.type in ("event", "transaction"):
                return item.payload.json or json.loads(item.get_bytes())
        return None


class LocalIngest(ThreadingHTTPServer):
    """A Sentry envelope endpoint on ``127.0.0.1``, serving from a daemon thread."""

    daemon_threads = True

    def __init__(self, port: int = 0, project_id: int = 42) -> None:
        super().__init__(("127.0.0.1", port), _IngestHandler)
        self.project_id = project_id
        self.received: List[ReceivedEnvelope] = []
        self.reply: Tuple[int, Dict[str, str]] = (200, {})
        self.hang = threading.Event()
        self.attempts = 0
        self._changed = threading.Condition()
        # Polls every 50 ms, so close() takes that long at most (each test closes one).
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="sentry-webview-ingest", daemon=True
        )
        self._thread.start()

    @property
    def dsn(self) -> str:
        return "http://publickey@127.0.0.1:%d/%d" % (self.server_address[1], self.project_id)

    @property
    def events(self) -> List[Dict[str, Any]]:
        """Error events received so far, in arrival order."""
        return [e.event for e in list(self.received) if e.items_of("event") and e.event is not None]

    def attempted(self) -> None:
        with self._changed:
            self.attempts += 1
            self._changed.notify_all()

    def record(self, received: ReceivedEnvelope) -> None:
        with self._changed:
            self.received.append(received)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[["LocalIngest"], Any], timeout: float = 10.0) -> Any:
        """Block until ``predicate(self)`` is truthy and return its value; None on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate(self)
                remaining = deadline - time.monotonic()
                if value or remaining <= 0:
                    return value or None
                self._changed.wait(remaining)

    def wait_for_events(self, count: int, timeout: float = 10.0) -> List[Dict[str, Any]]:
        """The first ``count`` error events; raises ``TimeoutError`` when fewer arrive."""
        events = self.wait_for(lambda ingest: len(ingest.events) >= count and ingest.events, timeout)
        if not events:
            raise TimeoutError("expected %d events at the ingest, got %d" % (count, len(self.events)))
        return events

    def wait_for_exactly(self, count: int, timeout: float = 10.0, settle: float = 0.5) -> List[Dict[str, Any]]:
        """Exactly ``count`` error events: waits for them, then ``settle`` seconds more, and raises
        ``AssertionError`` naming every extra event (what an ``[0]`` would have hidden)."""
        self.wait_for_events(count, timeout)
        time.sleep(settle)
        events = self.events
        if len(events) != count:
            raise AssertionError(
                "expected exactly %d events at the ingest, got %d:\n  %s"
                % (count, len(events), "\n  ".join(_describe(e) for e in events))
            )
        return events

    def client_reports(self) -> List[Dict[str, Any]]:
        """Every ``discarded_events`` entry of every client report received so far."""
        entries: List[Dict[str, Any]] = []
        for received in list(self.received):
            for item in received.items_of("client_report"):
                entries += json.loads(item.get_bytes()).get("discarded_events") or []
        return entries

    def close(self) -> None:
        self.hang.clear()
        self.shutdown()
        self.server_close()


def _describe(event: Dict[str, Any]) -> str:
    values = (event.get("exception") or {}).get("values") or [{}]
    last = values[-1] if isinstance(values, list) and values else {}
    return "%s %s: %s" % (event.get("event_id"), last.get("type"), last.get("value") or event.get("message"))


def decode_body(body: bytes, encoding: Optional[str]) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


class _IngestHandler(BaseHTTPRequestHandler):
    server: LocalIngest

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        expected = "/api/%d/envelope/" % self.server.project_id
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?")[0] != expected:
            self._answer(404, {})
            return
        try:
            envelope = Envelope.deserialize(decode_body(body, self.headers.get("Content-Encoding")))
        except Exception:
            self._answer(400, {})
            return
        self.server.attempted()
        while self.server.hang.is_set():
            time.sleep(0.05)
        status, headers = self.server.reply
        if 200 <= status < 300:
            self.server.record(ReceivedEnvelope(self.path, dict(self.headers), envelope, time.time()))
        self._answer(status, headers)

    def _answer(self, status: int, headers: Dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass
