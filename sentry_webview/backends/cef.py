"""CEF Python (cefpython3): wire a ``PyBrowser``.

cefpython3 calls client callbacks with keyword arguments only, delivers bound-function
calls asynchronously (return values reach JS as ``null``) and loses a browser's
``JavascriptBindings`` on cross-site navigation (cefpython #406). So the bridge is
bound before the first load and re-sent in every ``OnLoadStart``, where the renderer
is injected too. An injection from ``OnLoadStart`` runs before ``onload`` but may race
the page's first inline ``<head>`` script; pages that must catch those errors ship
the JS themselves (see ``examples/manual_preload``).
"""

from typing import Any, Callable, Dict, Optional

from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.backends.base import Backend, RendererGone, UrlChanged
from sentry_webview.backends.injection import SOURCE_URL, injected_source
from sentry_webview.ipc.bridge import bridge_functions
from sentry_webview.renderers.hub import RendererHub
from sentry_webview.renderers.identity import RendererIdentity


class CefBackend(Backend):
    """One cefpython3 module: its engine version, OnLoadStart injection, renderer-terminated watch."""

    name = "cef"

    def __init__(self, cef: Any) -> None:
        self.cef = cef

    def engine(self) -> Optional[str]:
        chrome = (self.cef.GetVersion() or {}).get("chrome_version")
        return "Chromium %s" % str(chrome).split(".")[0] if chrome else None

    def inject_at_document_start(self, browser: Any, source: str) -> bool:
        def inject(frame: Any, **_: Any) -> None:
            if frame.IsMain():
                frame.ExecuteJavascript(source, SOURCE_URL, 1)

        on_callback(browser, "OnLoadStart", inject)
        return True

    def watch_renderer(self, browser: Any, on_gone: RendererGone) -> None:
        reasons = {
            self.cef.TS_PROCESS_WAS_KILLED: "killed",
            self.cef.TS_PROCESS_CRASHED: "crashed",
            self.cef.TS_ABNORMAL_TERMINATION: "abnormal-exit",
        }

        def terminated(status: int, **_: Any) -> None:
            on_gone(reasons.get(status, "abnormal-exit"), None)

        on_callback(browser, "OnRendererProcessTerminated", terminated)

    def watch_url(self, browser: Any, on_url: UrlChanged) -> None:
        def address(frame: Any, url: str, **_: Any) -> None:
            if frame.IsMain():
                on_url(url)

        on_callback(browser, "OnAddressChange", address)

    def heartbeat(self, browser: Any, beat: Callable[[], None], interval: float) -> None:
        def tick() -> None:
            beat()
            self.cef.PostDelayedTask(self.cef.TID_UI, int(interval * 1000), tick)

        self.cef.PostTask(self.cef.TID_UI, tick)

    def screenshot(self, browser: Any, timeout: float) -> Optional[bytes]:
        """None: windowed CEF has no snapshot API in cefpython3 66 (only off-screen rendering paints to Python)."""
        return None

    def closed(self, browser: Any) -> None:
        """Nothing to do: cefpython never blocks a Python thread on a page."""

    def loop_ended(self) -> None:
        """Nothing to do: as for ``closed``."""


def on_callback(browser: Any, name: str, ours: Callable[..., None]) -> None:
    """Run ``ours`` on the client callback ``name``, after the app's own one, whose result is kept.

    Ours never raises into CEF (cefpython would hand it to ``sys.excepthook``).
    """
    previous = browser.GetClientCallback(name)

    def chained(**kwargs: Any) -> Any:
        result = previous(**kwargs) if previous else None
        with capture_internal_exceptions():
            ours(**kwargs)
        return result

    browser.SetClientCallback(name, chained)


class CefBrowsers:
    """The CEF browsers one hub has wired."""

    def __init__(self, hub: RendererHub, cef: Any) -> None:
        self.hub = hub
        self.backend = CefBackend(cef)
        self.cef = cef
        self._identities: Dict[int, RendererIdentity] = {}

    def wire(self, browser: Any) -> RendererIdentity:
        """Wire ``browser`` once: bridge, injection, lifecycle breadcrumbs, renderer watch."""
        browser_id = browser.GetIdentifier()
        if browser_id in self._identities:
            return self._identities[browser_id]
        identity = RendererIdentity(
            "cef-%s" % browser_id, backend="cef", window_uid="cef-%s" % browser_id, engine=self.backend.engine()
        )
        self._identities[browser_id] = identity
        identity.update(url=browser.GetUrl())
        hub = self.hub
        if hub.mode.bridge:
            bindings = browser.GetJavascriptBindings() or self.cef.JavascriptBindings(
                bindToFrames=False, bindToPopups=False
            )
            for function in bridge_functions(hub.intake, hub.namespace, identity, hub.origins):
                bindings.SetFunction(function.__name__, function)
            browser.SetJavascriptBindings(bindings)
            on_callback(browser, "OnLoadStart", lambda browser, **_: browser.SetJavascriptBindings(bindings))
        source = injected_source(hub.renderer_config(identity))
        if source:
            self.backend.inject_at_document_start(browser, source)
        self.backend.watch_renderer(browser, lambda reason, code: hub.renderer_gone(identity, reason, code))
        self.backend.watch_url(browser, lambda url: identity.update(page_url=url))
        on_callback(browser, "OnTitleChange", lambda title, **_: identity.update(title=title))
        on_callback(browser, "OnLoadEnd", lambda frame, **_: self._loaded(frame, identity))
        on_callback(browser, "OnBeforeClose", lambda **_: hub.window_closed(identity))
        hub.window_created(identity)
        hub.on_screen(identity, browser, self.backend)  # CEF has no shown event
        hub.gui_ready(browser, self.backend)
        return identity

    def _loaded(self, frame: Any, identity: RendererIdentity) -> None:
        if frame.IsMain():
            identity.update(url=frame.GetUrl())
            self.hub.window_loaded(identity)
