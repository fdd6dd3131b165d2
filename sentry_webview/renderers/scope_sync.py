"""Apply renderer scope updates (user, tags, extra, contexts, breadcrumbs) to the host.

Guards against @sentry/electron's known scope-sync bugs: an empty renderer scope
must not clobber host values (#309), a message without breadcrumbs must not break
(#1394), and a breadcrumb must not be added twice (#886).
"""

import logging
import threading
from collections import Counter, deque
from typing import Any, Deque, Dict, List, Optional, Set, Tuple

from sentry_sdk.attachments import Attachment
from sentry_sdk.scope import Scope

from sentry_webview.ipc.envelope import MalformedPayload, envelope_bytes
from sentry_webview.renderers.identity import RendererIdentity
from sentry_webview.renderers.merge import (
    HOST_OWNED_CONTEXTS,
    breadcrumb_key,
    normalize_breadcrumb,
    renderer_tags,
    to_datetime,
)
from sentry_webview.renderers.paths import AppPaths

logger = logging.getLogger("sentry_webview")

_REMEMBERED_BREADCRUMBS = 1000
MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_BYTES = 1024 * 1024
# Size caps on synced values, as @sentry/browser's normalize (depth 3) and Relay's limits (a tag value
# is 200 characters): a page can't make every host event, nor the persisted scope, megabytes long.
MAX_DEPTH = 3
MAX_BREADTH = 100  # keys or items per object or list
MAX_STRING = 1024  # characters of one string value
MAX_KEY = 200
MAX_MESSAGE_CHARS = 64 * 1024  # roughly, of all the values one scope message sets
# Keys renderers may set on the host scope in all, per kind (tags, extra, contexts), over every message:
# past it a new key is dropped (and counted), a key already set can still change.
MAX_SCOPE_KEYS = 200


def _non_empty(value: Any) -> bool:
    return value not in (None, "", {}, [])


class ScopeSync:
    """Owns the host scope that renderers write to, and the breadcrumbs they sent."""

    def __init__(self, scope: Scope, paths: Optional[AppPaths] = None) -> None:
        self.scope = scope
        self.paths = paths or AppPaths(None)
        self._lock = threading.Lock()
        self._seen: Set[tuple] = set()
        self._order: Deque[tuple] = deque()
        self._attachments: Deque[Attachment] = deque(maxlen=MAX_ATTACHMENTS)
        self._keys: Dict[str, Set[str]] = {"tags": set(), "extra": set(), "contexts": set()}
        self.dropped_keys: Counter = Counter()  # new keys past MAX_SCOPE_KEYS, per kind

    def seen(self, crumb: Dict[str, Any]) -> bool:
        """Whether ``crumb`` already reached the host scope over scope sync."""
        return breadcrumb_key(crumb) in self._seen

    def apply(self, data: Dict[str, Any], identity: RendererIdentity) -> None:
        """Merge one renderer scope message into the host scope."""
        if not isinstance(data, dict):
            raise ValueError("scope payload must be a JSON object")
        scope = self.scope
        budget = [MAX_MESSAGE_CHARS]
        user = normalize(data["user"], budget) if isinstance(data.get("user"), dict) else None
        if isinstance(user, dict) and any(_non_empty(v) for v in user.values()):
            scope.set_user({k: v for k, v in user.items() if _non_empty(v)})
        for key, value in renderer_tags(dict(_items(data.get("tags")))):
            if self._admit("tags", key):
                scope.set_tag(key, value)
        for key, value in _items(data.get("extra")):
            if value is not None and budget[0] > 0 and self._admit("extra", key):
                scope.set_extra(key, normalize(value, budget))
        for key, value in _items(data.get("contexts")):
            if key not in HOST_OWNED_CONTEXTS and isinstance(value, dict) and value and budget[0] > 0:
                if self._admit("contexts", key):
                    scope.set_context(key, normalize(value, budget))
        crumbs = data.get("breadcrumbs")
        if isinstance(data.get("breadcrumb"), dict):
            crumbs = [data["breadcrumb"]]
        for crumb in crumbs[-MAX_BREADTH:] if isinstance(crumbs, list) else ():
            if isinstance(crumb, dict) and budget[0] > 0:
                self._add_breadcrumb(normalize(crumb, budget, depth=MAX_DEPTH + 1), identity)
        attachments = data.get("attachments")
        for attachment in attachments if isinstance(attachments, list) else ():
            self._add_attachment(attachment)

    def _admit(self, kind: str, key: str) -> bool:
        """Whether renderers may set ``key`` of ``kind``: one set before, or a new one within ``MAX_SCOPE_KEYS``."""
        with self._lock:
            keys = self._keys[kind]
            if key in keys:
                return True
            if len(keys) < MAX_SCOPE_KEYS:
                keys.add(key)
                return True
            self.dropped_keys[kind] += 1
            first = self.dropped_keys[kind] == 1
        if first:
            logger.warning("sentry-webview: renderers set more than %d %s; new keys are dropped", MAX_SCOPE_KEYS, kind)
        return False

    def attachments(self) -> List[Attachment]:
        """The attachments renderers moved to the host (their scopes' ``addAttachment``), oldest first."""
        with self._lock:
            return list(self._attachments)

    def _add_attachment(self, attachment: Any) -> None:
        """Keep a renderer scope attachment up to ``MAX_ATTACHMENT_BYTES``; past ``MAX_ATTACHMENTS``, the oldest go."""
        if not isinstance(attachment, dict) or not isinstance(attachment.get("filename"), str):
            return
        try:
            data = envelope_bytes(attachment.get("data"))
        except MalformedPayload:
            return
        if len(data) > MAX_ATTACHMENT_BYTES:
            logger.debug("sentry-webview: a renderer scope attachment of %d bytes was dropped", len(data))
            return
        content_type = attachment.get("contentType")
        with self._lock:
            self._attachments.append(
                Attachment(
                    bytes=data,
                    filename=attachment["filename"][:256],
                    content_type=content_type if isinstance(content_type, str) else None,
                )
            )

    def lifecycle_breadcrumb(
        self, action: str, identity: RendererIdentity, timestamp: Optional[float] = None, **data: Any
    ) -> None:
        """A host breadcrumb ``window.<action>`` (category ``webview``) about one renderer, at ``timestamp`` or now.

        No window title: it may name the user's documents (@sentry/electron leaves titles out too).
        """
        context = identity.context()
        crumb_data = {key: context[key] for key in ("window_uid", "url") if context.get(key)}
        crumb_data.update({key: value for key, value in data.items() if value is not None})
        crumb = {
            "category": "webview",
            "type": "navigation" if action == "navigated" else "info",
            "message": "window.%s" % action,
            "data": crumb_data,
        }
        if timestamp is not None:
            crumb["timestamp"] = to_datetime(timestamp)
        self.scope.add_breadcrumb(self.paths.breadcrumb(crumb))

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
        data = crumb.get("data")
        window = identity.window_uid or identity.renderer_id
        crumb["data"] = dict(data if isinstance(data, dict) else {}, **{"webview.window": window})
        self.scope.add_breadcrumb(self.paths.breadcrumb(crumb))


def _items(value: Any) -> List[Tuple[str, Any]]:
    """The first ``MAX_BREADTH`` entries of an object, keys cut to ``MAX_KEY``."""
    if not isinstance(value, dict):
        return []
    return [(str(key)[:MAX_KEY], item) for key, item in list(value.items())[:MAX_BREADTH]]


def normalize(value: Any, budget: List[int], depth: int = MAX_DEPTH) -> Any:
    """``value`` within the caps: deeper levels become ``"[Object]"``/``"[Array]"``, long strings are cut,
    and once ``budget`` (characters left for the whole message) is spent the rest is ``"[Truncated]"``."""
    if budget[0] <= 0:
        return "[Truncated]"
    if isinstance(value, str):
        value = value[:MAX_STRING]
        budget[0] -= len(value)
        return value
    if isinstance(value, dict):
        if depth <= 0:
            return "[Object]"
        budget[0] -= 2
        return {key: normalize(item, budget, depth - 1) for key, item in _items(value)}
    if isinstance(value, list):
        if depth <= 0:
            return "[Array]"
        budget[0] -= 2
        return [normalize(item, budget, depth - 1) for item in value[:MAX_BREADTH]]
    budget[0] -= 8
    return value
