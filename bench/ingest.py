"""The delivery benchmarks' ingest, in its own process: ``python -m bench.ingest`` prints its port.

A ``LocalIngest`` (keep-alive, as Sentry is) that stamps each event's arrival, plus
``GET /bench/wait?count=&timeout=``, ``GET /bench/take`` (``&full=1``: the events themselves) and
``GET /bench/tally`` (everything received since the start: each event's exception value, client-report
discards by category and reason, item counts by type). It exits when stdin closes.
"""

import json
import sys
import time
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qs, urlsplit

from sentry_webview.tools.ingest import LocalIngest, ReceivedEnvelope, _IngestHandler


class BenchIngest(LocalIngest):
    def __init__(self) -> None:
        super().__init__()
        self.RequestHandlerClass = _Handler
        self.arrivals: List[Tuple[float, ReceivedEnvelope]] = []
        self.values: List[Any] = []  # every event's exception value, in arrival order
        self.discards: Dict[str, int] = {}  # "category:reason" -> quantity, from client reports
        self.items: Dict[str, int] = {}  # item type -> count

    def record(self, received: ReceivedEnvelope) -> None:
        arrived = time.time()
        with self._changed:
            for item in received.envelope.items:
                self.items[item.type] = self.items.get(item.type, 0) + 1
                if item.type == "client_report":
                    for discard in json.loads(item.get_bytes()).get("discarded_events", ()):
                        key = "%s:%s" % (discard.get("category"), discard.get("reason"))
                        self.discards[key] = self.discards.get(key, 0) + discard.get("quantity", 0)
            if received.items_of("event"):
                self.values.append(_value(received))
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
        elif url.path == "/bench/tally":
            with self.server._changed:
                body = {"values": list(self.server.values), "discards": dict(self.server.discards)}
                body["items"] = dict(self.server.items)
        else:
            with self.server._changed:
                arrivals, self.server.arrivals = self.server.arrivals, []
            if query.get("full"):
                body = [[arrived, received.event] for arrived, received in arrivals]
            else:
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
