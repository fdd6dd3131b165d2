"""How pywebview windows are wired, without a GUI: the first page's URL, and our bridge calls
taken out of pywebview's reply machinery (issue 17)."""

import sys
import threading
import time
import types

import sentry_webview.backends.pywebview as pywebview_wiring
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


def settled(timeout):
    return True


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
    route_bridge_calls(backend, settled)
    route_bridge_calls(backend, settled)  # once: a second window doesn't wrap it again
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
    route_bridge_calls(backend, settled)
    ours = wire.bridge_function_name("sentry-ipc", "envelope")

    def broken(payload):
        raise RuntimeError("bug")

    assert module.js_bridge_call(window(_functions={ours: broken}), ours, ["x"], "1") is None
    fine = wire.bridge_function_name("sentry-ipc", "scope")
    module.js_bridge_call(window(_functions={fine: lambda payload: None}), fine, ["y"], "2")
    wait_until(lambda: backend.scripts)  # the bridge thread survived the failure
    assert backend.scripts == [bridge_reply(fine, "2", None)]


def test_an_app_call_after_our_messages_waits_until_the_host_has_them(monkeypatch):
    """A breadcrumb the page adds right before it calls its js_api is on the host's scope when that
    call runs, even while our bridge thread is still busy with it."""
    module = types.ModuleType("webview.platforms.qt")
    order = []
    module.js_bridge_call = lambda window, name, param, value_id: order.append("app " + name)
    monkeypatch.setitem(sys.modules, "webview.platforms.qt", module)
    release = threading.Event()

    def scope(payload):  # ours, slow: the host applying the breadcrumb
        release.wait(5)
        order.append("scope")

    def settle(timeout):
        order.append("settle")
        return True

    route_bridge_calls(FakeBackend(), settle)
    ours = wire.bridge_function_name("sentry-ipc", "scope")
    win = window(_functions={ours: scope})
    module.js_bridge_call(win, ours, ["crumb"], "1")
    module.js_bridge_call(win, "checkout", [], "2")
    assert order == []  # the app's call waits behind ours
    release.set()
    wait_until(lambda: len(order) == 3)
    assert order == ["scope", "settle", "app checkout"]
    wait_until(lambda: not pywebview_wiring._calls.unfinished_tasks)
    module.js_bridge_call(win, "again", [], "3")  # nothing of ours before it: pywebview's way, at once
    assert order[-1] == "app again"
