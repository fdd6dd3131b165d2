"""Raw HTTP requests to the protocol server, with full control of Host, Origin and headers."""

import http.client
import json
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

from sentry_webview.ipc import wire


def post(
    config: Dict[str, Any],
    channel: str,
    body: Any = b"",
    *,
    origin: Optional[str] = "http://127.0.0.1:8000",
    renderer: Optional[str] = "renderer-1",
    token: Optional[str] = None,
    host: Optional[str] = None,
    method: str = "POST",
    namespace: Optional[str] = None,
    headers: Optional[Dict[str, str]] = None,
) -> Tuple[int, Dict[str, str], bytes]:
    """Send one request to ``config``'s protocol server; returns status, headers and body."""
    url = urlsplit(config["protocolUrl"])
    path = wire.protocol_path(namespace or config["ipcNamespace"], channel)
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host or url.netloc)
    sent = {"Content-Length": str(len(body))}
    if token is not False:
        sent[wire.TOKEN_HEADER] = token if token is not None else config["headers"][wire.TOKEN_HEADER]
    if origin:
        sent["Origin"] = origin
    if renderer:
        sent[wire.RENDERER_HEADER] = renderer
    sent.update(headers or {})
    for key, value in sent.items():
        if value is not None:
            conn.putheader(key, value)
    conn.endheaders()
    if body:
        conn.send(body)
    response = conn.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    conn.close()
    return result
