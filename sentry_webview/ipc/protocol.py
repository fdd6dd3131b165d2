"""The loopback HTTP protocol handler, for renderers that have no bridge.

A Flask Blueprint, so it can run standalone (``ProtocolServer``, a werkzeug
threaded server on 127.0.0.1 with a random port) or mount into the app's own
Flask app to be same-origin. Every request must carry the per-process token;
Host must be loopback (DNS rebinding), Origin must be allowed, bodies are capped.
"""

import hmac
import logging
import threading
from typing import Any, Callable, Optional, Set

from flask import Blueprint, Flask, Response, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sentry_webview.ipc import wire
from sentry_webview.ipc.envelope import MalformedPayload
from sentry_webview.ipc.intake import Intake
from sentry_webview.ipc.origins import LOOPBACK_HOSTS

logger = logging.getLogger("sentry_webview")

DEFAULT_MAX_REQUEST_BYTES = 20 * 1024 * 1024
_ALLOWED_HEADERS = ", ".join(["Content-Type", wire.TOKEN_HEADER, wire.RENDERER_HEADER])


def make_blueprint(
    intake: Intake,
    namespace: str,
    token: str,
    origin_allowed: Callable[[Optional[str]], bool],
    identify: Callable[[Optional[str]], Any],
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
) -> Blueprint:
    """The protocol endpoints of one namespace: ``POST /<ns>/<channel>/sentry_key``.

    ``identify`` maps the renderer id header to the renderer's identity.
    """
    blueprint = Blueprint("sentry_webview_%s" % namespace.replace("-", "_"), __name__)
    logged: Set[str] = set()

    def refuse(status: int, reason: str) -> Response:
        intake.stats["rejected_%d" % status] += 1
        if reason not in logged:
            logged.add(reason)
            logger.warning("sentry-webview protocol refused a request (%d): %s", status, reason)
        return Response(reason, status=status, mimetype="text/plain")

    def cors(response: Response, origin: Optional[str]) -> Response:
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    def handle(channel: str) -> Response:
        origin = request.headers.get("Origin")
        if request.host.rsplit(":", 1)[0].strip("[]").lower() not in LOOPBACK_HOSTS:
            return refuse(403, "Host %r is not loopback" % request.host)
        if not origin_allowed(origin):
            return refuse(403, "Origin %r is not allowed" % origin)
        if request.method == "OPTIONS":
            response = Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = _ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
            if request.headers.get("Access-Control-Request-Private-Network"):
                response.headers["Access-Control-Allow-Private-Network"] = "true"
            return cors(response, origin)
        if not hmac.compare_digest(request.headers.get(wire.TOKEN_HEADER, ""), token):
            return cors(refuse(403, "missing or wrong %s" % wire.TOKEN_HEADER), origin)
        length = request.content_length
        body = request.stream.read(max_request_bytes + 1) if length is None or length <= max_request_bytes else None
        if body is None or len(body) > max_request_bytes:
            return cors(refuse(413, "body larger than %d bytes" % max_request_bytes), origin)
        identity = identify(request.headers.get(wire.RENDERER_HEADER))
        try:
            intake.accept(channel, body, identity)
        except MalformedPayload as error:
            return cors(Response(str(error), status=400, mimetype="text/plain"), origin)
        return cors(Response("", status=200), origin)

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
    def log_request(self, *args: object, **kwargs: object) -> None:
        """Renderer traffic is not the app's access log."""


class ProtocolServer:
    """The protocol Blueprint served on ``127.0.0.1:<random port>`` from a daemon thread."""

    def __init__(self, blueprint: Blueprint, port: int = 0) -> None:
        app = Flask("sentry_webview.protocol")
        app.register_blueprint(blueprint)
        # app.wsgi_app, not app: sentry-sdk's Flask integration would make each renderer message a request session.
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", port, app.wsgi_app, threaded=True, request_handler=_QuietHandler
        )
        self._server.daemon_threads = True
        self.port: int = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="sentry-webview-protocol", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(2)
        self._server.server_close()
