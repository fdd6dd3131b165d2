"""Turn renderer-shaped (@sentry/browser) payloads into sentry-sdk-shaped ones.

sentry-sdk's scope code assumes the Python SDK's shapes: breadcrumbs as
``{"values": [...]}`` with comparable timestamps. A JS event fails both
(``AttributeError`` on the list, a silently skipped sort on float vs datetime),
so every renderer payload passes through here before it meets the host scope.
"""

from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Tuple

from sentry_webview.app_info import package_version
from sentry_webview.ipc import wire
from sentry_webview.renderers.identity import RendererIdentity, browser_from_user_agent
from sentry_webview.renderers.paths import AppPaths

# The host owns these, as in @sentry/electron and sentry-tauri.
_HOST_OWNED = ("release", "environment", "dist", "server_name", "modules")
# Tags and contexts only the host writes: which side an event comes from (release health reads
# ``event.process``), and the host's machine. A renderer's own browser context stays its own.
HOST_OWNED_TAGS = frozenset((wire.PROCESS_TAG, wire.ORIGIN_TAG, wire.ENVIRONMENT_TAG))
HOST_OWNED_CONTEXTS = frozenset(("os", "device", "app", "runtime", "trace", wire.WEBVIEW_CONTEXT))
MAX_TAG_VALUE = 200
PACKAGE = {"name": "pypi:sentry-webview", "version": package_version()}
_LISTS_AS_VALUES = ("breadcrumbs", "exception", "threads")


def to_datetime(timestamp: Any) -> Any:
    """A JS timestamp (seconds as float, or ISO string) as an aware datetime."""
    if isinstance(timestamp, bool):
        return timestamp
    if isinstance(timestamp, (int, float)):
        return datetime.fromtimestamp(timestamp, timezone.utc)
    if isinstance(timestamp, str):
        try:
            parsed = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        except ValueError:
            return timestamp
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return timestamp


def renderer_tags(tags: Any) -> List[Tuple[str, Any]]:
    """A renderer's tags as Sentry takes them: no host-owned key, no structured value, no key or value
    that is blank or holds a newline (Relay rejects them), values trimmed and cut to ``MAX_TAG_VALUE``."""
    if not isinstance(tags, dict):
        return []
    kept = []
    for key, value in tags.items():
        if isinstance(value, str):
            value = value.strip()[:MAX_TAG_VALUE]
        if (
            isinstance(key, str)
            and key.strip()
            and "\n" not in key
            and key not in HOST_OWNED_TAGS
            and value not in (None, "")
            and not isinstance(value, (dict, list))
            and not (isinstance(value, str) and "\n" in value)
        ):
            kept.append((key, value))
    return kept


def normalize_breadcrumb(crumb: Dict[str, Any]) -> Dict[str, Any]:
    """A JS breadcrumb with a datetime timestamp (now, if it had none)."""
    crumb = dict(crumb)
    crumb["timestamp"] = to_datetime(crumb.get("timestamp")) or datetime.now(timezone.utc)
    return crumb


def breadcrumb_key(crumb: Dict[str, Any]) -> tuple:
    """What makes two breadcrumbs the same one, whichever side sent it."""
    timestamp = to_datetime(crumb.get("timestamp"))
    if isinstance(timestamp, datetime):
        timestamp = round(timestamp.timestamp(), 3)
    return (timestamp, crumb.get("category"), crumb.get("message"), crumb.get("type"))


def normalize_event_shape(event: Dict[str, Any]) -> Dict[str, Any]:
    """Lists to ``{"values": [...]}`` and breadcrumb timestamps to datetimes."""
    for key in _LISTS_AS_VALUES:
        value = event.get(key)
        if isinstance(value, list):
            event[key] = {"values": value}
        elif value is not None and not (isinstance(value, dict) and isinstance(value.get("values"), list)):
            raise ValueError("event.%s must be a list or {values: [...]}" % key)
    crumbs = event.get("breadcrumbs")
    if crumbs is not None:
        crumbs["values"] = [normalize_breadcrumb(c) for c in crumbs["values"] if isinstance(c, dict)]
    return event


def merge_renderer_event(
    event: Dict[str, Any],
    identity: RendererIdentity,
    known: Optional[Callable[[Dict[str, Any]], bool]] = None,
    paths: Optional[AppPaths] = None,
    trace: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """Prepare a renderer event for ``sentry_sdk.capture_event``, as @sentry/electron merges one.

    The renderer's release/environment/dist give way to the host's; its ``sdk`` (the
    JavaScript SDK, with sentry-webview among its packages) stays. The event is tagged
    as the renderer's, gets the window's ``webview`` context and the engine's
    ``runtime`` and ``browser`` contexts, and names the app's paths as ``app:///``
    (``paths``). ``trace`` (the renderer envelope's trace header, already the host's
    release, environment and key) becomes the event's dynamic sampling context.
    Breadcrumbs for which ``known`` is true (the host scope already holds them, from
    scope sync) are dropped from the event so the scope doesn't add them twice.
    """
    if not isinstance(event, dict):
        raise ValueError("event payload must be a JSON object")
    event = normalize_event_shape(event)
    for key in _HOST_OWNED:
        event.pop(key, None)
    sdk = event.get("sdk")
    if isinstance(sdk, dict):
        packages = sdk.get("packages")
        packages = packages if isinstance(packages, list) else []
        event["sdk"] = dict(sdk, packages=[p for p in packages if p != PACKAGE] + [PACKAGE])
    else:
        event.pop("sdk", None)

    event["tags"] = dict(renderer_tags(event.get("tags")))
    event["tags"].update(
        {
            wire.PROCESS_TAG: wire.RENDERER_PROCESS,
            wire.ORIGIN_TAG: wire.EVENT_ORIGIN,
            wire.ENVIRONMENT_TAG: wire.RENDERER_ENVIRONMENT,
        }
    )

    request = event.get("request")
    if not identity.url and isinstance(request, dict):
        identity.update(url=request.get("url"))
    contexts = event.get("contexts")
    # The event's own trace is the page's; the host's contexts (and the window's) are the host's to write.
    owned = HOST_OWNED_CONTEXTS - {"trace"}
    contexts = {k: v for k, v in contexts.items() if k not in owned} if isinstance(contexts, dict) else {}
    context = identity.context()
    contexts[wire.WEBVIEW_CONTEXT] = paths.context(context) if paths else context
    engine = (identity.engine or "").split(" ")
    if engine[0]:
        contexts["runtime"] = {"name": engine[0], "version": engine[1] if len(engine) > 1 else None}
    headers = request.get("headers") if isinstance(request, dict) else None
    user_agent = headers.get("User-Agent") if isinstance(headers, dict) else None
    browser = browser_from_user_agent(user_agent) if isinstance(user_agent, str) else None
    if browser:
        contexts["browser"] = browser
    if isinstance(headers, dict):
        headers.pop("User-Agent", None)  # as @sentry/electron: the contexts above say it, and Sentry won't re-parse it
    trace_context = contexts.get("trace")
    if isinstance(trace, dict) and isinstance(trace_context, dict):
        contexts["trace"] = dict(trace_context, dynamic_sampling_context=trace)
    event["contexts"] = contexts
    event.setdefault("platform", "javascript")

    if known is not None and event.get("breadcrumbs"):
        event["breadcrumbs"]["values"] = [c for c in event["breadcrumbs"]["values"] if not known(c)]
    return paths.event(event) if paths else event


def without_host_details(event: Dict[str, Any]) -> Dict[str, Any]:
    """A renderer event without what describes only the host's Python process, in place: ``server_name``
    (the machine's name), ``modules`` and ``extra["sys.argv"]`` (@sentry/electron sends none of them)."""
    event.pop("server_name", None)
    event.pop("modules", None)
    extra = event.get("extra")
    if isinstance(extra, dict):
        extra.pop("sys.argv", None)
    return event


def breadcrumbs_up_to(crumbs: List[Any], timestamp: Any, limit: Optional[int]) -> List[Any]:
    """The merged breadcrumbs of a renderer event: only those up to its time (host scope may have
    moved on while it waited in the intake queue), the last ``limit`` of them."""
    when = to_datetime(timestamp)
    if isinstance(when, datetime):
        crumbs = [c for c in crumbs if not isinstance(c, dict) or not _after(c.get("timestamp"), when)]
    if limit is None:
        return crumbs
    return crumbs[-limit:] if limit else []


def _after(timestamp: Any, when: datetime) -> bool:
    timestamp = to_datetime(timestamp)
    return isinstance(timestamp, datetime) and timestamp > when
