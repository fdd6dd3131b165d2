"""``ScreenshotsIntegration`` (opt-in, ``attach_screenshot=True``): a PNG of each visible window on every
error event, like @sentry/electron's screenshots integration; never on transactions.

Events are captured on any thread; each backend takes its snapshot on the GUI thread,
and an event waits for all of them at most ``TIMEOUT`` seconds. An ANR event gets
none: its GUI thread is the one that doesn't answer.
"""

import time
from typing import TYPE_CHECKING, Any, List, Tuple

import sentry_sdk
from sentry_sdk.attachments import Attachment
from sentry_sdk.integrations import Integration
from sentry_sdk.scope import add_global_event_processor
from sentry_sdk.utils import capture_internal_exceptions

from sentry_webview.backends.base import Backend
from sentry_webview.integrations._watchdog import is_anr
from sentry_webview.integrations.webview import WebviewIntegration

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

TIMEOUT = 1.0  # seconds, for all windows of one event
_NOT_ERRORS = ("transaction", "check_in")


def take(windows: List[Tuple[Any, Backend]], timeout: float = TIMEOUT) -> List[Attachment]:
    """One PNG attachment per visible window of ``windows`` (window, backend), in their order."""
    deadline = time.monotonic() + timeout
    attachments: List[Attachment] = []
    for window, backend in windows:
        png = backend.screenshot(window, max(0.0, deadline - time.monotonic()))
        if png:
            # @sentry/electron's names: screenshot.png, screenshot-2.png, ...
            name = "screenshot-%d.png" % (len(attachments) + 1) if attachments else "screenshot.png"
            attachments.append(Attachment(bytes=png, filename=name, content_type="image/png"))
    return attachments


class ScreenshotsIntegration(Integration):
    """Attach a PNG of each visible window to every error event (not for CEF).

    >>> sentry_webview.init(dsn=..., attach_screenshot=True)   # the shortcut for ScreenshotsIntegration()
    """

    identifier = "webview_screenshots"

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_attach_screenshots)


def _attach_screenshots(event: "Event", hint: "Hint") -> "Event":
    client = sentry_sdk.get_client()
    webview = client.get_integration(WebviewIntegration)
    if client.get_integration(ScreenshotsIntegration) is None or webview is None:
        return event
    if event.get("type") in _NOT_ERRORS or is_anr(event):
        return event
    with capture_internal_exceptions():
        screenshots = take(webview.hub.shown())
        if screenshots:
            # A new list: a caller's hint list may be shared by several events (one renderer envelope).
            hint["attachments"] = list(hint.get("attachments") or ()) + screenshots
    return event
