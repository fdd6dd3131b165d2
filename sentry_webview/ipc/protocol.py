"""The loopback HTTP protocol handler, for renderers that have no bridge.

A Flask Blueprint, so it can run standalone (``ProtocolServer``, a werkzeug
threaded server on 127.0.0.1 with a random port) or mount into the app's own
Flask app to be same-origin. Every request must carry the per-process token;
Host must be loopback (DNS rebinding), Origin must be allowed, bodies are capped.
"""

import hmac
import logging
import socket
import threading
from typing import Any, Callable, Optional, Set, Tuple, cast

import sentry_sdk
from flask import Blueprint, Flask, Response, request
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler, make_server

from sentry_webview.ipc import wire
from sentry_webview.ipc.envelope import MalformedPayload
from sentry_webview.ipc.intake import Intake, Overloaded
from sentry_webview.ipc.origins import LOOPBACK_HOSTS

logger = logging.getLogger("sentry_webview")

DEFAULT_MAX_REQUEST_BYTES = 20 * 1024 * 1024
MAX_CONNECTIONS = 32  # open at once; more are closed at accept, before a thread or a read
SOCKET_TIMEOUT = 10.0  # seconds a connection may stay silent (slow or idle clients)
RETRY_AFTER = "1"
_ALLOWED_HEADERS = ", ".join(["Content-Type", wire.TOKEN_HEADER, wire.RENDERER_HEADER])


def make_blueprint(
    intake: Intake,
    namespace: str,
    token: str,
    origin_allowed: Callable[[Optional[str]], bool],
    identify: Callable[[Optional[str], Optional[str]], Tuple[Any, Any]],
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
) -> Blueprint:
    """The protocol endpoints of one namespace: ``POST /<ns>/<channel>/sentry_key``.

    ``identify`` maps the renderer id header and ``Origin`` to the renderer's identity and the intake bucket
    its messages take turns in.
    """
    blueprint = Blueprint("sentry_webview_%s" % namespace.replace("-", "_"), __name__)
    logged: Set[str] = set()
    reading = [0]  # bytes of bodies being read and parsed right now, beside those queued in the intake
    reading_lock = threading.Lock()

    def busy() -> Response:
        client = sentry_sdk.get_client()
        if client.transport is not None:
            client.transport.record_lost_event("queue_overflow", data_category="error")
        response = refuse(429, "busy", "the host is busy; retry later")
        response.headers["Retry-After"] = RETRY_AFTER
        return response

    def refuse(status: int, kind: str, reason: str) -> Response:
        """Answer ``status``; log once per ``kind`` (ours, bounded), never keyed by what the request sent."""
        intake.stats["rejected_%d" % status] += 1
        if kind not in logged:
            logged.add(kind)
            logger.warning("sentry-webview protocol refused a request (%d): %.200s", status, reason)
        return Response(reason[:200], status=status, mimetype="text/plain")

    def cors(response: Response, origin: Optional[str]) -> Response:
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    def handle(channel: str) -> Response:
        origin = request.headers.get("Origin")
        if request.host.rsplit(":", 1)[0].strip("[]").lower() not in LOOPBACK_HOSTS:
            return refuse(403, "host", "Host %r is not loopback" % request.host)
        # A browser sends Origin with every POST and preflight; a request without one is no page's.
        if origin is not None and not origin_allowed(origin):
            return refuse(403, "origin", "Origin %r is not allowed" % origin)
        if request.method == "OPTIONS":
            response = Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = _ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
            if request.headers.get("Access-Control-Request-Private-Network"):
                response.headers["Access-Control-Allow-Private-Network"] = "true"
            return cors(response, origin)
        if not hmac.compare_digest(request.headers.get(wire.TOKEN_HEADER, ""), token):
            return cors(refuse(403, "token", "missing or wrong %s" % wire.TOKEN_HEADER), origin)
        length = request.content_length
        if length is not None and length > max_request_bytes:
            return cors(refuse(413, "size", "body larger than %d bytes" % max_request_bytes), origin)
        reserved = length if length is not None else max_request_bytes
        with reading_lock:  # the bytes-in-flight budget, counted before a byte of the body is read
            if reading[0] + intake.queued_bytes + reserved > intake.max_bytes and reading[0] + intake.queued > 0:
                return cors(busy(), origin)
            reading[0] += reserved
        try:
            body = request.stream.read(max_request_bytes + 1)
            if len(body) > max_request_bytes:
                return cors(refuse(413, "size", "body larger than %d bytes" % max_request_bytes), origin)
            identity, bucket = identify(request.headers.get(wire.RENDERER_HEADER), origin)
            try:
                intake.accept(channel, body, identity, bucket)
            except Overloaded:
                response = refuse(429, "busy", "the host is busy; retry later")
                response.headers["Retry-After"] = RETRY_AFTER
                return cors(response, origin)
            except MalformedPayload as error:
                return cors(Response(str(error)[:200], status=400, mimetype="text/plain"), origin)
            return cors(Response("", status=200), origin)
        finally:
            with reading_lock:
                reading[0] -= reserved

    @blueprint.before_request
    def untraced() -> None:
        """Mounted in the app's Flask app, sentry-sdk runs each request in a transaction: not renderer messages."""
        transaction = sentry_sdk.get_current_scope().transaction
        if transaction is not None:
            transaction.sampled = False  # dropped at finish, and no client report: it's not the app's request

    for channel in wire.CHANNELS:
        blueprint.add_url_rule(
            wire.protocol_path(namespace, channel),
            endpoint=channel,
            view_func=lambda channel=channel: handle(channel),
            methods=["POST", "OPTIONS"],
            provide_automatic_options=False,
        )
    return blueprint


class _QuietHandler(WSGIRequestHandler):
    timeout = SOCKET_TIMEOUT  # a client that stops sending (or never sends) gives its thread back

    def log_request(self, *args: object, **kwargs: object) -> None:
        """Renderer traffic is not the app's access log."""

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's naming
        """A client that timed out or hung up is not an error of the app's (nor an event in Sentry)."""
        logger.debug("sentry-webview protocol: " + format, *args)


class ProtocolServer:
    """The protocol Blueprint served on ``127.0.0.1:<random port>`` from a daemon thread."""

    def __init__(self, blueprint: Blueprint, port: int = 0) -> None:
        app = Flask("sentry_webview.protocol")
        app.register_blueprint(blueprint)
        # app.wsgi_app, not app: sentry-sdk's Flask integration would make each renderer message a request session.
        self._server = cast(
            ThreadedWSGIServer,  # what threaded=True makes
            make_server("127.0.0.1", port, app.wsgi_app, threaded=True, request_handler=_QuietHandler),
        )
        self.refused_connections = 0
        self._limit_connections(MAX_CONNECTIONS)
        self.port: int = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="sentry-webview-protocol", daemon=True)
        self._thread.start()

    def _limit_connections(self, limit: int) -> None:
        """At most ``limit`` connections at once; one past it is closed at accept (no thread, no read)."""
        server = self._server
        slots = threading.BoundedSemaphore(limit)
        handle = server.process_request_thread

        def process_request(request: Any, client_address: Any) -> None:
            if not slots.acquire(blocking=False):
                self.refused_connections += 1
                server.shutdown_request(request)
                return
            try:
                threading.Thread(target=serve, args=(request, client_address), daemon=True).start()
            except Exception:
                slots.release()
                server.shutdown_request(request)

        def serve(request: Any, client_address: Any) -> None:
            try:
                handle(request, client_address)
            finally:
                slots.release()

        server.process_request = process_request  # type: ignore[method-assign]

    @property
    def base_url(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._thread.is_alive():
            try:  # wakes the poll loop now (Linux), not at its next 0.5 s tick; accept then fails, quietly
                self._server.socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._server.shutdown()
            self._thread.join(2)
        self._server.server_close()
