# -*- coding: utf-8 -*-
"""Drives the real CEF 66 (cefpython3 66.0 under Python 2.7, inside xvfb-run).

    python2.7 driver_py27.py contract OUT.json        records what test_fake_contract.py holds the fake to
    python2.7 driver_py27.py e2e CONFIG.json OUT.json loads our bundles in a page that throws

Python 2.7 syntax only: it runs where cefpython3's last Linux wheel runs.
"""
from __future__ import print_function

import BaseHTTPServer
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ENVIRON = dict(os.environ)  # before cefpython3 rewrites LD_LIBRARY_PATH: for child interpreters

from cefpython3 import cefpython as cef  # noqa: E402

WATCHED = ("OnLoadStart", "OnLoadEnd", "OnAddressChange", "OnTitleChange", "OnBeforeClose", "DoClose",
           "OnConsoleMessage", "OnRendererProcessTerminated")
EXPRESSIONS = ["1", "-7", "2147483647", "2147483648", "-2147483649", "4294967296", "1.5", "NaN", "Infinity",
               "'text'", u"'\u00e9'", "true", "null", "undefined", "new Date(0)", "[1, 'a', null]",
               "({a: 1, b: [2]})"]


def serve(pages):
    """Serve ``pages`` ({path: (content type, bytes)}) on 127.0.0.1; returns the port."""
    class Handler(BaseHTTPServer.BaseHTTPRequestHandler):
        def do_GET(self):
            content_type, body = pages.get(self.path.split("?")[0], ("text/plain", b""))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = BaseHTTPServer.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.daemon = True
    thread.start()
    return server.server_address[1]


def html(body):
    return ("text/html; charset=utf-8", body.encode("utf-8"))


def plain(value):
    """A received value as JSON-able data."""
    if isinstance(value, dict):
        return dict((plain(k), plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def type_name(value):
    """Python 2's unicode and long under their Python 3 names."""
    return {unicode: "str", str: "str", long: "int"}.get(type(value), type(value).__name__)


def start_cef():
    cache = tempfile.mkdtemp(prefix="cef-cache-")
    cef.Initialize(settings={"cache_path": cache, "log_severity": cef.LOGSEVERITY_ERROR, "log_file": os.devnull},
                   switches={"no-sandbox": "", "disable-gpu": "", "disable-gpu-compositing": ""})
    return cache


def watchdog(seconds, out, result):
    def fire():
        time.sleep(seconds)
        result["timed_out"] = True
        json.dump(result, open(out, "w"), indent=1, default=str)
        os._exit(3)
    thread = threading.Thread(target=fire)
    thread.daemon = True
    thread.start()


def renderer_pids():
    """CEF's renderer processes: below this one (through its zygote), with ``--type=renderer``."""
    parents, cmdlines = {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parents[int(name)] = int(open("/proc/%s/stat" % name).read().rsplit(")", 1)[1].split()[1])
                cmdlines[int(name)] = open("/proc/%s/cmdline" % name).read()
            except (IOError, ValueError, IndexError):
                continue
    below, frontier = set(), set([os.getpid()])
    while frontier:
        frontier = set(pid for pid, parent in parents.items() if parent in frontier) - below
        below |= frontier
    return [pid for pid in below if "--type=renderer" in cmdlines.get(pid, "")]


# ---------------------------------------------------------------- contract
CONVERSION_PAGE = u"""<!doctype html><html><head><meta charset="utf-8"><title>conversions</title></head><body>
<script>
window.onload = function () {
  %s.forEach(function (expression) { conv(expression, eval(expression)); });
  var r = answer();
  report('return_value', r === undefined ? 'undefined' : JSON.stringify(r));
  raiser(function () { report('callback_fired', true); });
  setTimeout(function () { report('done', true); }, 1000);
};
</script></body></html>"""
TYPEOF_PAGE = u"""<!doctype html><title>typeof</title>
<script>window.onload = function () {
  var atOnload = typeof bound_fn;
  setTimeout(function () { document.title = 'typeof:' + atOnload + ',' + typeof bound_fn; }, 500);
};</script>"""


def contract(out):
    result = {"kwargs": {}, "load_order": [], "conversions": [], "exception": {}, "bindings_after_cross_site": {},
              "version": cef.GetVersion()}
    watchdog(40, out, result)
    port = serve({"/conv.html": html(CONVERSION_PAGE % json.dumps(EXPRESSIONS)), "/typeof.html": html(TYPEOF_PAGE)})
    state = {"recording_load": True, "rebind": False, "step": "conversions", "hooked": False}
    hook = sys.excepthook

    def excepthook(*exc_info):
        state["hooked"] = True
        hook(*exc_info)
    sys.excepthook = excepthook

    def conv(expression, value):
        result["conversions"].append([expression, {"type": type_name(value), "value": plain(value)}])

    def report(key, value):
        if key == "return_value":
            result["return_value"] = value
        elif key == "callback_fired":
            result["exception"]["js_callback_fired"] = True
        elif key == "done":
            result["exception"].setdefault("js_callback_fired", False)
            result["exception"]["excepthook_called"] = state["hooked"]
            state["step"] = "without_rebind"
            state["browser"].LoadUrl("http://localhost:%d/typeof.html" % port)

    def raiser(callback):
        raise ValueError("raised in a bound function")

    bindings = cef.JavascriptBindings(bindToFrames=False, bindToPopups=False)
    for name, function in (("conv", conv), ("report", report), ("raiser", raiser), ("answer", lambda: 42),
                           ("bound_fn", lambda: None)):
        bindings.SetFunction(name, function)

    def on_load_start(browser, frame):
        if state["rebind"] and frame.IsMain():
            browser.SetJavascriptBindings(bindings)

    def on_title_change(browser, title):
        if not title.startswith("typeof:") or state["step"] == "kill":
            return
        at_onload, later = title[len("typeof:"):].split(",")
        result["bindings_after_cross_site"][state["step"]] = {"at_onload": at_onload, "500ms_later": later}
        if state["step"] == "without_rebind":
            state["step"], state["rebind"] = "with_rebind", True
            browser.LoadUrl("http://127.0.0.1:%d/typeof.html" % port)
        else:
            state["step"] = "kill"
            for pid in renderer_pids():
                os.kill(pid, signal.SIGKILL)

    def on_renderer_terminated(browser, status):
        result["renderer_killed_status"] = status
        browser.CloseBrowser(True)

    then = {"OnLoadStart": on_load_start, "OnTitleChange": on_title_change,
            "OnRendererProcessTerminated": on_renderer_terminated,
            "OnBeforeClose": lambda browser: cef.QuitMessageLoop()}

    def recorder(name):
        def record(**kwargs):
            result["kwargs"].setdefault(name, sorted(kwargs))
            if state["recording_load"]:
                result["load_order"].append(name)
                if name == "OnLoadEnd" and kwargs["frame"].IsMain():
                    state["recording_load"] = False
            if name in then:
                then[name](**dict((k, v) for k, v in kwargs.items() if k in ("browser", "frame", "title", "status")))
            return False
        return record

    cache = start_cef()
    browser = state["browser"] = cef.CreateBrowserSync(url="about:blank", window_title="contract")
    for name in WATCHED:
        browser.SetClientCallback(name, recorder(name))
    browser.SetJavascriptBindings(bindings)
    browser.LoadUrl("http://127.0.0.1:%d/conv.html" % port)
    cef.MessageLoop()
    del browser, state["browser"]
    cef.Shutdown()
    sys.excepthook = hook
    shutil.rmtree(cache, ignore_errors=True)
    result["second_initialize"] = {}
    for case, between in (("without_shutdown", ""), ("after_shutdown", "c.Shutdown(); ")):
        code = ("from cefpython3 import cefpython as c; c.Initialize(switches={'no-sandbox': ''}); %s"
                "c.Initialize(switches={'no-sandbox': ''}); c.Shutdown()" % between)
        result["second_initialize"][case] = subprocess.call([sys.executable, "-c", code], cwd=tempfile.gettempdir(),
                                                            env=ENVIRON, stdout=open(os.devnull, "w"),
                                                            stderr=subprocess.STDOUT)
    json.dump(result, open(out, "w"), indent=1, sort_keys=True)


# ---------------------------------------------------------------- e2e
E2E_PAGE = u"""<!doctype html><html><head><meta charset="utf-8"><title>cef e2e</title>
<script>window.__SENTRY_WEBVIEW__ = %s;</script>
<script src="/preload.js"></script>
<script>SentryWebviewPreload.hookupIpc(window.__SENTRY_WEBVIEW__.ipcNamespace, window.__SENTRY_WEBVIEW__);</script>
<script src="/renderer.js"></script>
<script>SentryWebview.init({});</script>
</head><body><p>cef e2e</p>
<script>
SentryWebview.addBreadcrumb({category: 'cef', message: 'cef crumb'});
setTimeout(function () { throw new TypeError('cef type error'); }, 50);
setTimeout(function () { Promise.reject(new Error('cef rejection')); }, 100);
setTimeout(function () { document.title = 'done'; }, 1600);
</script></body></html>"""


def e2e(config_path, out):
    config = json.load(open(config_path))
    result = {"console": [], "title": None}
    watchdog(30, out, result)
    script = "application/javascript; charset=utf-8"
    port = serve({
        "/index.html": html(E2E_PAGE % json.dumps(config["renderer_config"])),
        "/preload.js": (script, open(config["preload"], "rb").read()),
        "/renderer.js": (script, open(config["renderer"], "rb").read()),
    })

    class Client(object):
        def OnConsoleMessage(self, browser, message, source, line, **_):
            result["console"].append(message)
            return False

        def OnTitleChange(self, browser, title):
            result["title"] = title
            if title == "done":
                browser.CloseBrowser(True)

        def OnBeforeClose(self, browser):
            cef.QuitMessageLoop()

    cache = start_cef()
    browser = cef.CreateBrowserSync(url="about:blank", window_title="e2e")
    browser.SetClientHandler(Client())
    browser.LoadUrl("http://127.0.0.1:%d/index.html" % port)
    cef.MessageLoop()
    del browser
    cef.Shutdown()
    shutil.rmtree(cache, ignore_errors=True)
    json.dump(result, open(out, "w"), indent=1)


if __name__ == "__main__":
    {"contract": contract, "e2e": e2e}[sys.argv[1]](*sys.argv[2:])
