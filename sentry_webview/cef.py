"""CEF Python support: ``sentry_webview.cef.wire_browser(browser)``.

>>> from cefpython3 import cefpython as cef
>>> sentry_webview.init(dsn=...)
>>> cef.Initialize()
>>> browser = cef.CreateBrowserSync(url="about:blank")
>>> browser.SetClientHandler(AppHandler())      # the app's own handler first
>>> sentry_webview.cef.wire_browser(browser)    # then ours: the app's callbacks keep running
>>> browser.LoadUrl(url)
"""

import importlib
from typing import Any, Optional

from sentry_webview.integrations.webview import WebviewIntegration
from sentry_webview.renderers.identity import RendererIdentity


def wire_browser(browser: Any, cef: Optional[Any] = None) -> RendererIdentity:
    """Report ``browser``'s renderer errors, scope and lifecycle to the running ``sentry_webview`` host.

    Wire it before its first ``LoadUrl``, after any ``SetClientHandler`` of the app's.
    ``cef`` is the ``cefpython3.cefpython`` module (imported when not given).
    """
    module = cef if cef is not None else importlib.import_module("cefpython3.cefpython")
    return WebviewIntegration.current().cef_browsers(module).wire(browser)
