"""Which renderer a message came from: the `webview` context of its events."""

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from sentry_sdk.scope import should_send_default_pii

_CHROME_RE = re.compile(r"(?:HeadlessChrome|Chrome|Chromium)/(\d+)")
_BROWSERS = (
    ("Edge", re.compile(r"Edg/([\d.]+)")),
    ("Chrome", re.compile(r"(?:HeadlessChrome|Chrome|Chromium)/([\d.]+)")),
    ("Safari", re.compile(r"Version/([\d.]+).*Safari/")),
    ("Firefox", re.compile(r"Firefox/([\d.]+)")),
)
_WEBKIT_RE = re.compile(r"AppleWebKit/([\d.]+)")


def engine_from_user_agent(user_agent: str) -> Optional[str]:
    """``"Chromium 140"`` or ``"WebKit 605.1.15"`` from a user agent string."""
    match = _CHROME_RE.search(user_agent)
    if match:
        return "Chromium %s" % match.group(1)
    match = _WEBKIT_RE.search(user_agent)
    if match:
        return "WebKit %s" % match.group(1)
    return None


def browser_from_user_agent(user_agent: str) -> Optional[Dict[str, str]]:
    """The ``browser`` context (``{"name": "Chrome", "version": "140.0..."}``) from a user agent string."""
    for name, pattern in _BROWSERS:
        match = pattern.search(user_agent)
        if match:
            return {"name": name, "version": match.group(1)}
    return None


@dataclass
class RendererIdentity:
    """One renderer (a window's page), as the host knows it.

    Backends keep ``title`` and ``url`` current; protocol renderers fill them in
    from their ``start`` message. ``page_url`` is what the engine itself reports
    (the page can't fake it): the bridge checks its origin.
    """

    renderer_id: str
    backend: str = "web"
    window_uid: Optional[str] = None
    title: Optional[str] = None
    url: Optional[str] = None
    engine: Optional[str] = None
    page_url: Optional[str] = None
    html_page: bool = False  # the window shows the app's own html= content (the engine says about:blank or data:)
    dropped: int = 0  # envelopes the renderer reported dropping, so far
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def update(self, **values: Any) -> None:
        """Set the given fields, ignoring empty values."""
        with self._lock:
            for key, value in values.items():
                if value:
                    setattr(self, key, value)

    def context(self) -> Dict[str, Any]:
        """The ``contexts.webview`` dict for this renderer's events; the window title only with
        ``send_default_pii`` (it may name the user's documents; @sentry/electron leaves titles out)."""
        with self._lock:
            values = {
                "backend": self.backend,
                "window_uid": self.window_uid or self.renderer_id,
                "title": self.title if should_send_default_pii() else None,
                "url": self.url,
                "engine": self.engine,
            }
        return {key: value for key, value in values.items() if value is not None}
