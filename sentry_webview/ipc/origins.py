"""Which page origins may talk to the host, over the bridge, the protocol and the injected script.

An origin is judged as the browser would: ``blob:`` and ``filesystem:`` documents by the origin
inside their URL, ``file:`` pages as ``null``; ``data:``, ``about:`` and anything whose origin
can't be determined is refused. ``null`` (``file://`` and ``html=`` windows, sandboxed frames) is
accepted only where the app opted in (``allowed_origins=["null"]``) or a wired window's own page is
known to be ``file://`` or ``html=`` content: never because a window's URL is not known yet, nor
because an http(s) page made a sandboxed frame. The bridge and the injected script decide that per
window; the protocol can't tell a request's window (a preflight names none), so it accepts ``null``
while any wired window shows such a page.
"""

import json
from typing import Any, Dict, Iterable, Optional, Set
from urllib.parse import urlsplit

from sentry_webview.ipc import wire

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
NULL = "null"
# In a wired window's config: taken out by the injection, never sent to the page.
SCRIPT_RULE_KEY = wire.CONFIG["originRule"]


def origin_of(url: Optional[str]) -> Optional[str]:
    """The origin of a document at ``url``: ``scheme://host[:port]``, ``null``, or None when unknown."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        if parts.scheme in ("blob", "filesystem"):
            inner = parts.path if parts.scheme == "blob" else url.strip()[len("filesystem:") :]
            return origin_of(inner) if urlsplit(inner).scheme in ("http", "https", "file") else None
        if parts.scheme in ("http", "https") and parts.hostname:
            return "%s://%s" % (parts.scheme, parts.netloc.lower().rsplit("@", 1)[-1])
        if parts.scheme == "file":
            return NULL
    except ValueError:
        return None
    return None


class OriginPolicy:
    """Which page origins may talk to the host.

    Loopback http(s) pages (what pywebview serves) and the origins of wired windows are
    allowed; ``null`` only as the module says; anything else must be in ``allowed_origins``.
    """

    def __init__(self, allowed_origins: Iterable[str] = (), file_base: Optional[str] = None) -> None:
        listed = {o.strip().lower() for o in allowed_origins}
        self._allowed: Set[str] = {o.rstrip("/") for o in listed}
        self.null_opted_in = bool(listed & {NULL, "file://"})  # "file://" before the slashes go
        self._null_windows: Set[str] = set()  # wired windows whose own page is file:// or html= content
        # The app's own folder as a file:// URL: its pages (load_html's default base, local files) are the app's.
        self.file_base = file_base

    def allow(self, window: str, url: Optional[str], html_page: bool = False) -> None:
        """Allow the origin of wired window ``window``'s own page at ``url``, as its backend knows it.

        ``null`` only when that page is ``html=`` content or a ``file://`` URL; an unknown URL allows nothing.
        """
        origin = origin_of(url)
        if html_page or origin == NULL:
            self._null_windows.add(window)
        elif origin:
            self._allowed.add(origin)

    def null_allowed(self, window: Optional[str] = None) -> bool:
        """Whether a ``null`` page may talk to the host: in ``window``, or (None) in any wired window."""
        return self.null_opted_in or (window in self._null_windows if window else bool(self._null_windows))

    def __call__(self, origin: Optional[str]) -> bool:
        """Whether a page of ``origin`` (as a browser's ``Origin`` header says it) may talk to the host."""
        if not isinstance(origin, str) or not origin:
            return False
        origin = origin.lower()
        if origin in (NULL, "file://"):
            return self.null_allowed()
        if origin in self._allowed:
            return True
        try:
            parts = urlsplit(origin)
            return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS and not parts.path
        except ValueError:
            return False

    def page_allowed(self, url: Optional[str], html_page: bool = False, window: Optional[str] = None) -> bool:
        """Whether the document at ``url`` (as its engine reports it) in wired window ``window`` may talk to the host.

        None: a window whose engine reported no URL yet, an ``html=`` one. ``html_page``: the window
        shows the app's ``html=`` content, which its engine reports as ``about:blank`` or ``data:``.
        A ``file://`` page in the app's own folder is the app's.
        """
        if url is None or (html_page and (url == "about:blank" or url.startswith("data:text/html"))):
            return self.null_allowed(window) if window else self.null_opted_in
        if self.file_base and url.startswith(self.file_base) and origin_of(url) == NULL:
            return True
        origin = origin_of(url)
        if origin == NULL:
            return self.null_allowed(window) if window else self.null_opted_in
        return self(origin)

    def script_rule(self, window: str) -> Dict[str, Any]:
        """This policy for wired window ``window`` as data, for ``script_guard`` (embedded in its injected script)."""
        return {
            "allowed": sorted(self._allowed),
            "loopback": sorted(LOOPBACK_HOSTS),
            "null": self.null_allowed(window),
            "fileBase": self.file_base or "",
        }


def script_guard(rule: Dict[str, Any]) -> str:
    """A JS expression, true only in a document whose origin ``rule`` (``script_rule()``) allows.

    The injected script runs at the creation of every document the window shows, foreign
    ones included: it publishes the config (and the token) only where this is true.
    """
    return (
        "(function(r){try{var o=String(location.origin);"
        # The app's own html= page is about:blank (WebKitGTK) or data: (QtWebEngine's setHtml) at the top.
        "if(o==='null'||o==='file://')return (r['null']&&/^(file|about|data):$/.test(location.protocol))"
        "||(!!r.fileBase&&location.protocol==='file:'&&location.href.indexOf(r.fileBase)===0);"
        "if(r.allowed.indexOf(o.toLowerCase())>=0)return true;"
        "var u=new URL(o);return /^https?:$/.test(u.protocol)&&"
        "r.loopback.indexOf(u.hostname.replace(/^\\[|\\]$/g,''))>=0}catch(e){return false}})(%s)"
        % json.dumps(rule).replace("<", "\\u003c")
    )
