"""A strict in-process fake of ``cefpython3.cefpython`` 66, for the Python 3 tests.

cefpython3 has no Linux wheel for Python 3.8+, so the adapter can't import the real
engine here. This fake copies the real engine's *recorded* behaviour (see
``driver_py27.py contract`` and ``test_fake_contract.py``, which holds it to the
recording), not just its names:

- client callbacks are called with keyword arguments only, in the recorded order;
- calls from JS to bound functions are asynchronous (run by the message loop), their
  return value reaches JS as ``null``, and an exception goes to ``sys.excepthook``
  without JS ever hearing back;
- JS values convert by the recorded table (uint32 wraps to int32, NaN and Infinity
  become 0.0, Date and undefined become None); Python ints outside int32 can't go to JS;
- a cross-site navigation drops the browser's bindings unless re-sent in ``OnLoadStart``;
- ``Initialize`` again before ``Shutdown`` is a no-op; after ``Shutdown`` it kills the
  process with SIGTRAP (shell exit code 133).

The page is modelled, not run: ``Page.call(name, *args)`` is JS calling a bound
function, ``Page.scripts`` what ``ExecuteJavascript`` ran in the current document.
"""

import math
import os
import signal
import sys
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional
from urllib.parse import urlsplit

TID_UI, TID_IO, TID_RENDERER = 0, 4, 5
TS_ABNORMAL_TERMINATION, TS_PROCESS_WAS_KILLED, TS_PROCESS_CRASHED = 0, 1, 2
VERSION = {
    "version": "66.0",
    "chrome_version": "66.0.3359.181",
    "cef_version": "3.3359.1774.gd49d25f",
}
INT32 = 2**31


class Undefined:
    """JS ``undefined``."""


UNDEFINED = Undefined()


class JSDate:
    """A JS ``Date``."""

    def __init__(self, millis: float) -> None:
        self.millis = millis


def js_to_python(value: Any) -> Any:
    """What a bound Python function receives for the JS ``value``."""
    if isinstance(value, (Undefined, JSDate)) or value is None:
        return None
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return 0.0
        if value == int(value) and -INT32 <= value < 2 * INT32:
            number = int(value)
            return number - 2 * INT32 if number >= INT32 else number
        return float(value)
    if isinstance(value, list):
        return [js_to_python(item) for item in value]
    if isinstance(value, dict):
        return {key: js_to_python(item) for key, item in value.items()}
    raise TypeError("not a JS value: %r" % (value,))


def python_to_js(value: Any) -> Any:
    """A Python value passed to JS (``ExecuteFunction``, ``JavascriptCallback.Call``)."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        if not -INT32 <= value < INT32:
            raise OverflowError("value too large to convert to int")
        return value
    if isinstance(value, (list, tuple)):
        return [python_to_js(item) for item in value]
    if isinstance(value, dict):
        return {key: python_to_js(item) for key, item in value.items()}
    raise TypeError("Illegal type for a javascript value: %s" % type(value).__name__)


_state: Dict[str, Any] = {"initialized": False, "shut_down": False, "tasks": deque(), "quit": False, "next_id": 1}


def Initialize(settings: Optional[dict] = None, switches: Optional[dict] = None) -> bool:  # noqa: N802
    if _state["shut_down"]:
        sys.stderr.write("Trace/breakpoint trap: CEF can't start again in a process\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGTRAP)
    _state["initialized"] = True
    return True


def GetVersion() -> Dict[str, str]:  # noqa: N802
    return dict(VERSION)


def PostTask(thread: int, func: Callable[..., Any], *args: Any) -> None:  # noqa: N802
    _state["tasks"].append((func, args))


def PostDelayedTask(thread: int, delay_ms: int, func: Callable[..., Any], *args: Any) -> None:  # noqa: N802
    """Due at the next ``MessageLoopWork`` (the fake has no clock)."""
    PostTask(thread, func, *args)


def MessageLoopWork() -> None:  # noqa: N802
    """Run every task queued so far (JS→Python calls among them)."""
    tasks: Deque = _state["tasks"]
    for _ in range(len(tasks)):
        func, args = tasks.popleft()
        try:
            func(*args)
        except Exception:
            sys.excepthook(*sys.exc_info())


def QuitMessageLoop() -> None:  # noqa: N802
    _state["quit"] = True


def Shutdown() -> None:  # noqa: N802
    MessageLoopWork()
    _state["shut_down"] = True


class JavascriptBindings:
    def __init__(self, bindToFrames: bool = False, bindToPopups: bool = False) -> None:  # noqa: N803
        self.functions: Dict[str, Callable[..., Any]] = {}
        self.objects: Dict[str, Any] = {}
        self.properties: Dict[str, Any] = {}

    def SetFunction(self, name: str, func: Callable[..., Any]) -> None:  # noqa: N802
        self.functions[name] = func

    def GetFunction(self, name: str) -> Optional[Callable[..., Any]]:  # noqa: N802
        return self.functions.get(name)

    def SetObject(self, name: str, obj: Any) -> None:  # noqa: N802
        self.objects[name] = obj

    def SetProperty(self, name: str, value: Any) -> None:  # noqa: N802
        self.properties[name] = python_to_js(value)


class Page:
    """The document currently in a browser, as far as the tests need it."""

    def __init__(self, browser: "PyBrowser", url: str, bindings: Optional[JavascriptBindings]) -> None:
        self.browser = browser
        self.url = url
        self.bound: Dict[str, Callable[..., Any]] = dict(bindings.functions) if bindings else {}
        self.scripts: List[Dict[str, Any]] = []
        self.results: List[Any] = []

    def typeof(self, name: str) -> str:
        return "function" if name in self.bound else "undefined"

    def call(self, name: str, *args: Any) -> Any:
        """JS calling ``window[name](...args)``: queued for the UI thread; JS gets ``null`` at once."""
        if name not in self.bound:
            raise NameError("ReferenceError: %s is not defined" % name)
        converted = [js_to_python(arg) for arg in args]
        PostTask(TID_UI, self.bound[name], *converted)
        return None


class PyFrame:
    def __init__(self, browser: "PyBrowser") -> None:
        self._browser = browser

    def IsMain(self) -> bool:  # noqa: N802
        return True

    def GetUrl(self) -> str:  # noqa: N802
        return self._browser.page.url

    def GetBrowser(self) -> "PyBrowser":  # noqa: N802
        return self._browser

    def ExecuteJavascript(self, jsCode: str, scriptUrl: Optional[str] = None, startLine: Optional[int] = None) -> None:  # noqa: N802,N803
        self._browser.page.scripts.append({"code": jsCode, "url": scriptUrl, "line": startLine})


def _site(url: str) -> str:
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme, parts.hostname or "")


class PyBrowser:
    allowedClientCallbacks = (  # noqa: N815
        "OnLoadStart",
        "OnLoadEnd",
        "OnLoadError",
        "OnLoadingStateChange",
        "OnAddressChange",
        "OnTitleChange",
        "OnConsoleMessage",
        "OnBeforeClose",
        "DoClose",
        "OnRendererProcessTerminated",
    )

    def __init__(self, url: str = "about:blank") -> None:
        self._id = _state["next_id"]
        _state["next_id"] += 1
        self._callbacks: Dict[str, Callable[..., Any]] = {}
        self._bindings: Optional[JavascriptBindings] = None
        self.page = Page(self, url, None)
        self.closed = False

    def GetIdentifier(self) -> int:  # noqa: N802
        return self._id

    def GetUrl(self) -> str:  # noqa: N802
        return self.page.url

    def GetMainFrame(self) -> PyFrame:  # noqa: N802
        return PyFrame(self)

    def SetClientHandler(self, handler: Any) -> None:  # noqa: N802
        for name in self.allowedClientCallbacks:
            if callable(getattr(handler, name, None)):
                self._callbacks[name] = getattr(handler, name)

    def SetClientCallback(self, name: str, func: Callable[..., Any]) -> None:  # noqa: N802
        if name not in self.allowedClientCallbacks:
            raise Exception("Browser.SetClientCallback() failed: unknown callback: %s" % name)
        self._callbacks[name] = func

    def GetClientCallback(self, name: str) -> Optional[Callable[..., Any]]:  # noqa: N802
        return self._callbacks.get(name)

    def SetJavascriptBindings(self, bindings: JavascriptBindings) -> None:  # noqa: N802
        self._bindings = bindings
        self.page.bound = dict(bindings.functions)

    def GetJavascriptBindings(self) -> Optional[JavascriptBindings]:  # noqa: N802
        return self._bindings

    def ExecuteJavascript(self, jsCode: str, scriptUrl: Optional[str] = None, startLine: Optional[int] = None) -> None:  # noqa: N802,N803
        self.GetMainFrame().ExecuteJavascript(jsCode, scriptUrl, startLine)

    def ExecuteFunction(self, funcName: str, *args: Any) -> None:  # noqa: N802,N803
        self.page.results.append((funcName, [python_to_js(arg) for arg in args]))

    def _fire(self, name: str, **kwargs: Any) -> Any:
        callback = self._callbacks.get(name)
        if callback is None:
            return None
        try:
            return callback(**kwargs)
        except Exception:
            sys.excepthook(*sys.exc_info())
            return None

    def LoadUrl(self, url: str, title: str = "") -> None:  # noqa: N802
        """Navigate; cross-site, the new document has no bindings unless ``OnLoadStart`` re-sends them."""
        same_site = _site(url) == _site(self.page.url)
        self.page = Page(self, url, self._bindings if same_site else None)
        frame = self.GetMainFrame()
        self._fire("OnLoadStart", browser=self, frame=frame)
        self._fire("OnAddressChange", browser=self, frame=frame, url=url)
        self._fire("OnLoadEnd", browser=self, frame=frame, http_code=200)
        if title:
            self._fire("OnTitleChange", browser=self, title=title)

    def KillRenderer(self, status: int = TS_PROCESS_WAS_KILLED) -> None:  # noqa: N802 - test hook
        """What the engine does when the renderer process dies: the document and its bindings are gone."""
        self.page = Page(self, self.page.url, None)
        self._fire("OnRendererProcessTerminated", browser=self, status=status)

    def CloseBrowser(self, forceClose: bool = False) -> None:  # noqa: N802,N803
        if self.closed:
            return
        self.closed = True
        if self._fire("DoClose", browser=self):
            return
        self._fire("OnBeforeClose", browser=self)


def CreateBrowserSync(  # noqa: N802
    window_info: Any = None, settings: Optional[dict] = None, url: str = "", window_title: str = ""
) -> PyBrowser:
    if not _state["initialized"]:
        raise AssertionError("CreateBrowserSync() may only be called on the UI thread, after Initialize()")
    return PyBrowser(url or "about:blank")
