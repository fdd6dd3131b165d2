"""The fake of cefpython3 against the real CEF 66: the same scenario, the same observations.

``cef_recording`` is what ``driver_py27.py contract`` recorded on the real engine
(Python 2.7 + cefpython3 66.0 under Xvfb); each test asks the fake the same question.
"""

import math
import subprocess
import sys

import pytest

from tests.cef import fake_cefpython3 as cef

# The JS expressions the driver passed to a bound function, as the fake models them.
JS_VALUES = {
    "1": 1,
    "-7": -7,
    "2147483647": 2147483647,
    "2147483648": 2147483648,
    "-2147483649": -2147483649,
    "4294967296": 4294967296,
    "1.5": 1.5,
    "NaN": math.nan,
    "Infinity": math.inf,
    "'text'": "text",
    "'\u00e9'": "\u00e9",
    "true": True,
    "null": None,
    "undefined": cef.UNDEFINED,
    "new Date(0)": cef.JSDate(0),
    "[1, 'a', null]": [1, "a", None],
    "({a: 1, b: [2]})": {"a": 1, "b": [2]},
}
WATCHED = ("OnLoadStart", "OnLoadEnd", "OnAddressChange", "OnTitleChange", "OnBeforeClose", "DoClose")


def observed(value):
    return {
        "type": {float: "float", int: "int", str: "str", bool: "bool", list: "list", dict: "dict"}.get(
            type(value), type(value).__name__
        ),
        "value": value,
    }


@pytest.fixture(scope="module", autouse=True)
def initialized():
    if not cef._state["initialized"]:
        cef.Initialize()


class Recorder:
    """A client handler that records each callback's name and keyword names, as the driver did."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        if not name.startswith("On") and name != "DoClose":
            raise AttributeError(name)
        return lambda **kwargs: self.calls.append((name, sorted(kwargs)))


def recorded_browser():
    browser = cef.CreateBrowserSync(url="about:blank")
    recorder = Recorder()
    browser.SetClientHandler(recorder)
    return browser, recorder


def test_the_conversion_table_matches(cef_recording):
    assert {expression for expression, _ in cef_recording["conversions"]} == set(JS_VALUES)
    for expression, received in cef_recording["conversions"]:
        assert observed(cef.js_to_python(JS_VALUES[expression])) == received, expression


def test_callbacks_get_the_same_keyword_names_in_the_same_order(cef_recording):
    browser, recorder = recorded_browser()
    browser.LoadUrl("http://127.0.0.1:8000/page.html", title="page")
    browser.KillRenderer(cef.TS_PROCESS_WAS_KILLED)
    browser.CloseBrowser()
    kwargs = dict(recorder.calls)
    for name, names in cef_recording["kwargs"].items():
        assert kwargs[name] == names, name
    load = [name for name, _ in recorder.calls[: recorder.calls.index(("OnLoadEnd", kwargs["OnLoadEnd"])) + 1]]
    assert load == [name for name in cef_recording["load_order"] if name in WATCHED]


def test_a_killed_renderer_reports_the_recorded_status(cef_recording):
    assert cef.TS_PROCESS_WAS_KILLED == cef_recording["renderer_killed_status"]


def test_bound_calls_return_null_and_exceptions_never_reach_js(cef_recording, monkeypatch):
    hooked = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc_info: hooked.append(exc_info[1]))
    callbacks = []
    bindings = cef.JavascriptBindings(bindToFrames=False, bindToPopups=False)
    bindings.SetFunction("answer", lambda: 42)
    bindings.SetFunction("raiser", lambda callback: 1 / 0 or callbacks.append(callback))
    browser = cef.CreateBrowserSync(url="about:blank")
    browser.SetJavascriptBindings(bindings)
    result = browser.page.call("answer")
    browser.page.call("raiser", "callback")
    cef.MessageLoopWork()
    assert ("null" if result is None else repr(result)) == cef_recording["return_value"]
    assert {"excepthook_called": bool(hooked), "js_callback_fired": bool(callbacks)} == cef_recording["exception"]


def typeof_after_cross_site_navigation(rebind):
    bindings = cef.JavascriptBindings(bindToFrames=False, bindToPopups=False)
    bindings.SetFunction("bound_fn", lambda: None)
    browser = cef.CreateBrowserSync(url="about:blank")
    browser.SetJavascriptBindings(bindings)
    if rebind:
        browser.SetClientCallback("OnLoadStart", lambda browser, frame: browser.SetJavascriptBindings(bindings))
    browser.LoadUrl("http://127.0.0.1:8000/")
    browser.LoadUrl("http://localhost:8000/")
    return browser.page.typeof("bound_fn")


def test_bindings_after_a_cross_site_navigation(cef_recording):
    """The fake has no clock: it shows the state a moment after load (re-sent bindings can miss onload)."""
    recorded = cef_recording["bindings_after_cross_site"]
    assert typeof_after_cross_site_navigation(rebind=False) == recorded["without_rebind"]["500ms_later"]
    assert typeof_after_cross_site_navigation(rebind=True) == recorded["with_rebind"]["500ms_later"]


def test_initialize_again_ends_the_same_way(cef_recording):
    codes = {}
    for case, between in (("without_shutdown", ""), ("after_shutdown", "cef.Shutdown(); ")):
        code = "from tests.cef import fake_cefpython3 as cef; cef.Initialize(); %scef.Initialize(); cef.Shutdown()"
        codes[case] = subprocess.run([sys.executable, "-c", code % between], capture_output=True).returncode
    assert codes == cef_recording["second_initialize"]


def test_the_version_is_the_real_engines(cef_recording):
    for key in ("chrome_version", "cef_version"):
        assert cef.GetVersion()[key] == cef_recording["version"][key]
