"""CEF Python (cefpython3) with sentry-webview: a page with a button that throws.

cefpython3 66 runs on Python 3.7 and older on Linux and 3.9 on Windows; the adapter
itself is plain Python 3.

    SENTRY_DSN=https://key@o0.ingest.sentry.io/1 python examples/cef/app.py
"""

import os
import sys
from pathlib import Path

from cefpython3 import cefpython as cef

import sentry_webview
import sentry_webview.cef

PAGE = Path(__file__).resolve().with_name("index.html").as_uri()


class AppHandler:
    """The app's own client handler: sentry-webview chains onto its callbacks, never replaces them."""

    def OnTitleChange(self, browser, title):  # noqa: N802
        print("title:", title)


def main():
    sentry_webview.init(dsn=os.environ.get("SENTRY_DSN"))
    sys.excepthook = cef.ExceptHook  # shut CEF down cleanly on a Python error, as cefpython recommends
    cef.Initialize()
    browser = cef.CreateBrowserSync(url="about:blank", window_title="sentry-webview cef")
    browser.SetClientHandler(AppHandler())
    sentry_webview.cef.wire_browser(browser)  # after the app's handler, before the first load
    browser.LoadUrl(PAGE)
    cef.MessageLoop()
    sentry_webview.flush(2)
    cef.Shutdown()


if __name__ == "__main__":
    main()
