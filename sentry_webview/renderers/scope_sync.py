"""Apply renderer scope updates (user, tags, extra, contexts, breadcrumbs) to the host.

Guards against @sentry/electron's known scope-sync bugs: an empty renderer scope
must not clobber host values (#309), a message without breadcrumbs must not break
(#1394), and a breadcrumb must not be added twice (#886).
"""

import logging
import threading
from collections import deque
from typing import Any, Deque, Dict, Optional, Set

from sentry_sdk.scope import Scope

from sentry_webview.renderers.identity import RendererIdentity
from sentry_webview.renderers.merge import (
    HOST_OWNED_CONTEXTS,
    HOST_OWNED_TAGS,
    breadcrumb_key,
    normalize_breadcrumb,
    to_datetime,
)

logger = logging.getLogger("sentry_webview")

_REMEMBERED_BREADCRUMBS = 1000


def _non_empty(value: Any) -> bool:
    return value not in (None, "", {}, [])


class ScopeSync:
    """Owns the host scope that renderers write to, and the breadcrumbs they sent."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._lock = threading.Lock()
        self._seen: Set[tuple] = set()
        self._order: Deque[tuple] = deque()

    def seen(self, crumb: Dict[str, Any]) -> bool:
        """Whether ``crumb`` already reached the host scope over scope sync."""
        return breadcrumb_key(crumb) in self._seen

    def apply(self, data: Dict[str, Any], identity: RendererIdentity) -> None:
        """Merge one renderer scope message into the host scope."""
        if not isinstance(data, dict):
            raise ValueError("scope payload must be a JSON object")
        scope = self.scope
        user = data.get("user")
        if isinstance(user, dict) and any(_non_empty(v) for v in user.values()):
            scope.set_user({k: v for k, v in user.items() if _non_empty(v)})
        for key, value in _dict(data.get("tags")).items():
            if key not in HOST_OWNED_TAGS and _non_empty(value) and not isinstance(value, (dict, list)):
                scope.set_tag(key, value)
        for key, value in _dict(data.get("extra")).items():
            if value is not None:
                scope.set_extra(key, value)
        for key, value in _dict(data.get("contexts")).items():
            if key not in HOST_OWNED_CONTEXTS and isinstance(value, dict) and value:
                scope.set_context(key, value)
        crumbs = data.get("breadcrumbs")
        if isinstance(data.get("breadcrumb"), dict):
            crumbs = [data["breadcrumb"]]
        for crumb in crumbs if isinstance(crumbs, list) else ():
            if isinstance(crumb, dict):
                self._add_breadcrumb(crumb, identity)

    def lifecycle_breadcrumb(
        self, action: str, identity: RendererIdentity, timestamp: Optional[float] = None, **data: Any
    ) -> None:
        """A host breadcrumb ``window.<action>`` (category ``webview``) about one renderer, at ``timestamp`` or now."""
        context = identity.context()
        crumb_data = {key: context[key] for key in ("window_uid", "url", "title") if context.get(key)}
        crumb_data.update({key: value for key, value in data.items() if value is not None})
        crumb = {
            "category": "webview",
            "type": "navigation" if action == "navigated" else "info",
            "message": "window.%s" % action,
            "data": crumb_data,
        }
        if timestamp is not None:
            crumb["timestamp"] = to_datetime(timestamp)
        self.scope.add_breadcrumb(crumb)

    def _add_breadcrumb(self, crumb: Dict[str, Any], identity: RendererIdentity) -> None:
        key = breadcrumb_key(crumb)
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            self._order.append(key)
            if len(self._order) > _REMEMBERED_BREADCRUMBS:
                self._seen.discard(self._order.popleft())
        crumb = normalize_breadcrumb(crumb)
        data = crumb.get("data") if isinstance(crumb.get("data"), dict) else {}
        crumb["data"] = dict(data, **{"webview.window": identity.window_uid or identity.renderer_id})
        self.scope.add_breadcrumb(crumb)


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}
