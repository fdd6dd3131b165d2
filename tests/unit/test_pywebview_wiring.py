"""How pywebview windows are wired, without a GUI: the first page's URL, and our bridge calls
taken out of pywebview's reply machinery (issue 17)."""

import sys
import time
import types

from sentry_webview.backends.pywebview import bridge_reply, first_page_url, route_bridge_calls
from sentry_webview.ipc import wire


def window(**attrs):
    values = dict(real_url=None, original_url=None, _functions={})
    values.update(attrs)
    return types.SimpleNamespace(**values)


def test_the_first_page_is_known_before_pywebview_resolves_it():
    assert first_page_url(window(original_url="https://www.example.org/app")) == "https://www.example.org/app"
    assert first_page_url(window(real_url="http://127.0.0.1:5/x", original_url="x")) == "http://127.0.0.1:5/x"
    assert first_page_url(window(original_url="index.html")) is None  # pywebview serves it on loopback
    assert first_page_url(window()) is None  # html=


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class FakeBackend:
    name = "qt"

    def __init__(self):
        self.scripts = []

    def run_script(self, window, script):
        self.scripts.append(script)
        return True


def test_our_bridge_calls_skip_pywebviews_reply_thread(monkeypatch):
    module = types.ModuleType("webview.platforms.qt")
    app_calls = []
    module.js_bridge_call = lambda *args: app_calls.append(args)
    monkeypatch.setitem(sys.modules, "webview.platforms.qt", module)
    backend = FakeBackend()
    route_bridge_calls(backend)
    route_bridge_calls(backend)  # once: a second window doesn't wrap it again
    ours = wire.bridge_function_name("sentry-ipc", "start")
    received = []
    win = window(_functions={ours: lambda payload: received.append(payload) or "dropped"})

    assert module.js_bridge_call(win, ours, [{"url": "x"}], "123") is None
    wait_until(lambda: backend.scripts)
    assert received == [{"url": "x"}] and app_calls == []
    assert backend.scripts == [bridge_reply(ours, "123", "dropped")]

    module.js_bridge_call(win, "echo", ["ping"], "7")  # the app's own js_api: pywebview's way
    assert app_calls == [(win, "echo", ["ping"], "7")] and len(backend.scripts) == 1


def test_a_failing_bridge_function_never_reaches_the_gui_thread(monkeypatch):
    module = types.ModuleType("webview.platforms.qt")
    module.js_bridge_call = lambda *args: None
    monkeypatch.setitem(sys.modules, "webview.platforms.qt", module)
    backend = FakeBackend()
    route_bridge_calls(backend)
    ours = wire.bridge_function_name("sentry-ipc", "envelope")

    def broken(payload):
        raise RuntimeError("bug")

    assert module.js_bridge_call(window(_functions={ours: broken}), ours, ["x"], "1") is None
    fine = wire.bridge_function_name("sentry-ipc", "scope")
    module.js_bridge_call(window(_functions={fine: lambda payload: None}), fine, ["y"], "2")
    wait_until(lambda: backend.scripts)  # the bridge thread survived the failure
    assert backend.scripts == [bridge_reply(fine, "2", None)]
