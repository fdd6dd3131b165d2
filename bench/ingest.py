"""The delivery benchmarks' ingest, in its own process: ``python -m bench.ingest`` prints its port.

A ``LocalIngest`` (keep-alive, as Sentry is) that stamps each event's arrival, plus
``GET /bench/wait?count=&timeout=`` and ``GET /bench/take``. It exits when stdin closes.
"""

import json
import sys
import time
from typing import Any, List, Tuple
from urllib.parse import parse_qs, urlsplit

from sentry_webview.tools.ingest import LocalIngest, ReceivedEnvelope, _IngestHandler


class BenchIngest(LocalIngest):
    def __init__(self) -> None:
        super().__init__()
        self.RequestHandlerClass = _Handler
        self.arrivals: List[Tuple[float, ReceivedEnvelope]] = []

    def record(self, received: ReceivedEnvelope) -> None:
        arrived = time.time()
        if received.items_of("event"):
            with self._changed:
                self.arrivals.append((arrived, received))
                self._changed.notify_all()


def _value(received: ReceivedEnvelope) -> Any:
    try:
        return received.event["exception"]["values"][-1]["value"]
    except (KeyError, IndexError, TypeError):
        return None


class _Handler(_IngestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: BenchIngest

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/bench/wait":
            count = int(query["count"])
            self.server.wait_for(lambda ingest: len(ingest.arrivals) >= count, float(query["timeout"]))
            body: Any = {"count": len(self.server.arrivals)}
        else:
            with self.server._changed:
                arrivals, self.server.arrivals = self.server.arrivals, []
            body = [[arrived, _value(received)] for arrived, received in arrivals]
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    ingest = BenchIngest()
    print(ingest.server_address[1], flush=True)
    sys.stdin.read()
    ingest.close()
