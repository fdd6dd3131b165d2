"""The app's paths as ``app:///``, as @sentry/electron's ``normalizeUrlToBase``.

A page served by pywebview's own server has a new random port every run, and a
``file://`` page names the user's home directory. Renderer frames, request and
breadcrumb URLs, debug images and the ``webview`` context name both as
``app:///<path>``: grouping and uploaded source maps
(``sentry-cli sourcemaps upload --url-prefix 'app:///'``) hold on every run and
machine, and no user path leaves the machine.
"""

import re
from pathlib import Path
from typing import Any, Dict, Iterable, Optional
from urllib.parse import unquote, urlsplit

from sentry_webview.ipc.origins import LOOPBACK_HOSTS

APP_PREFIX = "app:///"
_URL_KEYS = ("url", "from", "to")


class AppPaths:
    """Rewrites URLs of the app's own pages: loopback http(s) of any port, and ``app_root`` on disk."""

    def __init__(self, app_root: Optional[Path]) -> None:
        base = str(app_root).replace("\\", "/").strip("/") if app_root else ""
        self._base = re.compile(r"(file://)?/*%s(/+|$)" % re.escape(base), re.IGNORECASE) if base else None

    def url(self, value: Any) -> Any:
        """``value`` with the app's part as ``app:///``; anything else unchanged."""
        if not isinstance(value, str) or not value:
            return value
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS:
            rest = value[len("%s://%s" % (parts.scheme, parts.netloc)) :]
            return APP_PREFIX + rest.lstrip("/")
        if self._base is None or parts.scheme not in ("", "file"):
            return value
        try:
            path = unquote(value).replace("\\", "/")
        except ValueError:
            return value
        match = self._base.match(path)
        return APP_PREFIX + path[match.end() :] if match else value

    def event(self, event: Dict[str, Any]) -> Dict[str, Any]:
        """Rewrite a renderer event's frames, request URL, breadcrumb URLs and debug images, in place."""
        for key in ("exception", "threads"):
            for value in _values(event.get(key)):
                frames = (value.get("stacktrace") or {}).get("frames") if isinstance(value, dict) else None
                for frame in frames if isinstance(frames, list) else ():
                    if isinstance(frame, dict):
                        for field in ("filename", "abs_path"):
                            if field in frame:
                                frame[field] = self.url(frame[field])
        request = event.get("request")
        if isinstance(request, dict) and "url" in request:
            request["url"] = self.url(request["url"])
        for crumb in _values(event.get("breadcrumbs")):
            if isinstance(crumb, dict):
                self.breadcrumb(crumb)
        images = (event.get("debug_meta") or {}).get("images") if isinstance(event.get("debug_meta"), dict) else None
        for image in images if isinstance(images, list) else ():
            if isinstance(image, dict) and "code_file" in image:
                image["code_file"] = self.url(image["code_file"])
        return event

    def breadcrumb(self, crumb: Dict[str, Any]) -> Dict[str, Any]:
        """Rewrite a breadcrumb's ``data`` URLs (``url``, ``from``, ``to``), in place."""
        data = crumb.get("data")
        if isinstance(data, dict):
            for key in _URL_KEYS:
                if key in data:
                    data[key] = self.url(data[key])
        return crumb

    def context(self, context: Dict[str, Any]) -> Dict[str, Any]:
        """A ``webview`` context with its URL rewritten."""
        if "url" in context:
            context = dict(context, url=self.url(context["url"]))
        return context


def _values(container: Any) -> Iterable[Any]:
    if isinstance(container, dict):
        container = container.get("values")
    return container if isinstance(container, list) else ()
