"""Which page origins may talk to the host, over the bridge and the protocol alike."""

from typing import Iterable, Optional, Set
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def origin_of(url: str) -> Optional[str]:
    """``scheme://host[:port]`` of an http(s) URL, else None."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return "%s://%s" % (parts.scheme, parts.netloc.lower())
    return None


class OriginPolicy:
    """Which page origins may talk to the host.

    Loopback pages (what pywebview serves), ``null`` (``file://`` and ``html=``
    windows) and the origins of wired windows are allowed; anything else must be
    listed in ``allowed_origins``.
    """

    def __init__(self, allowed_origins: Iterable[str] = ()) -> None:
        self._allowed: Set[str] = {o.rstrip("/").lower() for o in allowed_origins}

    def allow(self, url_or_origin: str) -> None:
        """Allow the origin of ``url_or_origin`` (a wired window's own page)."""
        origin = origin_of(url_or_origin)
        if origin:
            self._allowed.add(origin)

    def __call__(self, origin: Optional[str]) -> bool:
        if origin is None or origin in ("null", "file://"):
            return True
        origin = origin.lower()
        if origin in self._allowed:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS
