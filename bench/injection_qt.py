"""Injection cost: a pywebview Qt window's time from ``create_window`` to its first ``loaded``, on the
same page, wired by sentry-webview (renderer injected at document creation, bridge exposed) or not.

One process (``python -m bench.injection_qt``): windows are created one at a time, alternating,
while an idle window keeps the app running; the first pair warms up. ``bench.injection_gtk``
runs the same on GTK.
"""

import os
import time
from typing import Dict, List, Literal

import sentry_sdk
import webview

from bench.common import QUICK, CountingTransport, PageServer, emit, median
from bench.delivery import watchdog
from sentry_webview import WebviewIntegration

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>%s</title>
<style>body { font: 14px sans-serif; } li:nth-child(odd) { background: #eee; }</style></head>
<body><h1>Orders</h1><ul id="list"></ul>
<script>
  var list = document.getElementById("list");
  for (var i = 0; i < 200; i++) {
    var item = document.createElement("li");
    item.textContent = "order " + i + ": " + (i * 7 %% 13) + " items";
    list.appendChild(item);
  }
</script></body></html>"""


def main(gui: Literal["qt", "gtk"] = "qt") -> None:
    repeats = 4 if QUICK else 15
    sentry_sdk.init(
        dsn="http://publickey@127.0.0.1:9/42",
        transport=CountingTransport(),
        integrations=[WebviewIntegration(get_windows=lambda: [w for w in webview.windows if w.title == "wired"])],
    )
    pages = PageServer({"/wired.html": PAGE % "wired", "/plain.html": PAGE % "plain"})
    keeper = webview.create_window("keeper", html="<title>keeper</title>")
    watchdog(300, lambda: (print("injection_%s: timed out" % gui, flush=True), os._exit(3)))

    def open_window(kind: str) -> float:
        start = time.perf_counter()
        window = webview.create_window(kind, "%s/%s.html" % (pages.url, kind))
        if not window.events.loaded.wait(30):
            raise TimeoutError("%s window never loaded" % kind)
        elapsed = (time.perf_counter() - start) * 1000
        window.destroy()
        window.events.closed.wait(10)
        return elapsed

    def run() -> None:
        code = 0
        try:
            keeper.events.loaded.wait(30)
            ms: Dict[str, List[float]] = {"wired": [], "plain": []}
            for r in range(repeats + 1):
                pair = {kind: open_window(kind) for kind in (("plain", "wired") if r % 2 else ("wired", "plain"))}
                if r:
                    for kind, value in pair.items():
                        ms[kind].append(value)
            emit(
                {
                    "wired_ms": median(ms["wired"]),
                    "plain_ms": median(ms["plain"]),
                    "added_ms": median([w - p for w, p in zip(ms["wired"], ms["plain"])]),
                    "repeats": repeats,
                }
            )
        except Exception as error:
            print("injection_%s failed: %r" % (gui, error), flush=True)
            code = 1
        finally:
            os._exit(code)

    webview.start(run, gui=gui)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    main()
