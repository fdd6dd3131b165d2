"""The renderer hub: every renderer and window of one host, and the hooks features subscribe to.

Backends tell the hub what their windows do (``window_created``, ``window_shown``,
``renderer_gone``, ...); the intake hands it what renderers send on the core channels
(a feature registers its own channel's handler with ``add_route``). The hub keeps the
core (identities, scope sync, merging renderer events into the host's stream, the
quit flush) and passes the rest on to the feature integrations of the current
client that subclass ``HubFeature``: a feature that is turned off hears nothing, and
the hub never imports one.
"""

import json
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Tuple, cast

import sentry_sdk
from flask import Blueprint
from sentry_sdk.attachments import Attachment
from sentry_sdk.envelope import Envelope, Item, PayloadRef
from sentry_sdk.utils import Dsn, capture_internal_exceptions

from sentry_webview.ipc import wire
from sentry_webview.ipc.envelope import CAPTURED_TYPES, FORWARDED_TYPES, parse_envelope_payload, parse_json_payload
from sentry_webview.ipc.intake import DEFAULT_QUEUE_SIZE, Intake, Route
from sentry_webview.ipc.origins import SCRIPT_RULE_KEY, OriginPolicy
from sentry_webview.ipc.protocol import DEFAULT_MAX_REQUEST_BYTES, ProtocolServer, make_blueprint
from sentry_webview.renderers.budget import ErrorBudget
from sentry_webview.renderers.identity import RendererIdentity, engine_from_user_agent
from sentry_webview.renderers.merge import breadcrumbs_up_to, merge_renderer_event, without_host_details
from sentry_webview.renderers.paths import AppPaths
from sentry_webview.renderers.scope_sync import ScopeSync

if TYPE_CHECKING:
    from sentry_sdk.types import Event, EventDataCategory, Hint

QUIT_FLUSH_TIMEOUT = 2.0  # seconds
MAX_IDENTITIES = 1000  # protocol renderers remembered (least recently seen go first); wired windows always stay
# Relay's per-item limits (relay-config ``Limits`` defaults): one forwarded item over its limit would get
# the whole envelope a 413, so it is dropped here, with what belongs to it, and counted.
MAX_EVENT_ITEM_BYTES = 1024 * 1024  # replay_event, feedback: Relay's max_event_size
MAX_REPLAY_RECORDING_BYTES = 10 * 1024 * 1024  # replay_recording: Relay's max_replay_compressed_size
_ITEM_LIMITS = {
    "replay_event": MAX_EVENT_ITEM_BYTES,
    "replay_recording": MAX_REPLAY_RECORDING_BYTES,
    "feedback": MAX_EVENT_ITEM_BYTES,
}
_ITEM_CATEGORY = {"replay_event": "replay", "replay_recording": "replay", "feedback": "feedback"}


class HubFeature:
    """What a feature integration can hook into; every hook is optional. Hooks never raise into the hub."""

    def hub_started(self, hub: "RendererHub") -> None:
        """A hub was made: register the intake handlers of this feature's own channels (``hub.add_route``)."""

    def renderer_config(self, hub: "RendererHub", config: Dict[str, Any]) -> None:
        """Add to the config every renderer gets (injected, or ``renderer_config()``)."""

    def gui_ready(self, hub: "RendererHub", window: Any, backend: Any) -> None:
        """On the GUI thread, once per window before it is first shown (heartbeats start here)."""

    def window_event(self, hub: "RendererHub", action: str, identity: RendererIdentity, data: Dict[str, Any]) -> None:
        """``created``, ``shown``, ``loaded``, ``navigated`` or ``closed``, with ``data`` about it."""

    def page_started(self, hub: "RendererHub", identity: RendererIdentity) -> None:
        """A renderer's page sent its ``start``: a new document (first load or navigation)."""

    def renderer_gone(self, hub: "RendererHub", identity: RendererIdentity, reason: str, code: Optional[int]) -> None:
        """A renderer process terminated; ``reason`` uses @sentry/electron's names."""

    def hub_closed(self, hub: "RendererHub") -> None:
        """The hub stopped (an app that re-inits, or exit): stop what watches it."""


def features() -> List[HubFeature]:
    """The hub features of the current client, in the order they were set up."""
    integrations = getattr(sentry_sdk.get_client(), "integrations", None) or {}
    return [integration for integration in integrations.values() if isinstance(integration, HubFeature)]


class RendererHub:
    """Everything a renderer talks to: token, origins, intake, protocol server, identities and windows."""

    def __init__(
        self,
        namespace: str,
        mode: wire.IPCMode,
        allowed_origins: Iterable[str] = (),
        max_request_bytes: Optional[int] = None,
        max_queue: Optional[int] = None,
        protocol_url: Optional[str] = None,
        app_root: Optional[Path] = None,
    ) -> None:
        self.namespace = namespace
        self.mode = mode
        self.token = secrets.token_urlsafe(32)
        self.origins = OriginPolicy(allowed_origins, app_root.as_uri().rstrip("/") + "/" if app_root else None)
        self.paths = AppPaths(app_root)
        self.budget = ErrorBudget()
        # Renderer scope goes to the global scope: every host thread sees it, and host values win.
        self.scope_sync = ScopeSync(sentry_sdk.get_global_scope(), self.paths)
        self.intake = Intake(
            {
                wire.START: Route(parse_json_payload, self._on_start),
                # Scope applies on the caller's thread: a host error right after the page's last breadcrumb
                # (say in the app's own js_api call) must not wait behind queued events.
                wire.SCOPE: Route(parse_json_payload, self._on_scope, inline=True),
                wire.ENVELOPE: Route(parse_envelope_payload, self._on_envelope),
            },
            sentry_sdk.get_isolation_scope(),
            max_queue=max_queue or DEFAULT_QUEUE_SIZE,
        )
        self.stats = self.intake.stats
        self.blueprint: Blueprint = make_blueprint(
            self.intake,
            namespace,
            self.token,
            self.origins,
            self.identify,
            max_request_bytes=max_request_bytes or DEFAULT_MAX_REQUEST_BYTES,
        )
        self.protocol_url = protocol_url
        serve = mode.protocol and protocol_url is None
        self.protocol: Optional[ProtocolServer] = ProtocolServer(self.blueprint) if serve else None
        self._identities: "OrderedDict[str, RendererIdentity]" = OrderedDict()
        self._started: set = set()  # renderer ids that sent start: a later start is a navigation
        self._open: set = set()
        # The desktop's screen as the last page saw it: device ``screen_resolution`` and ``screen_density``.
        self.screen: Optional[Dict[str, Any]] = None
        self._shown: Dict[str, Tuple[Any, Any]] = {}
        self._lock = threading.Lock()
        self._emit("hub_started")

    @property
    def host_scope(self) -> sentry_sdk.Scope:
        """The isolation scope the host was set up in, for what features capture off its threads."""
        return self.intake.host_scope

    def add_route(self, channel: str, route: Route) -> None:
        """Handle ``channel``'s messages with ``route`` (a feature's own channel); ``ValueError`` if taken."""
        self.intake.add_route(channel, route)

    # -- renderers ----------------------------------------------------------
    def identity_for(self, renderer_id: Optional[str]) -> RendererIdentity:
        """The known renderer with this id, or a new protocol renderer."""
        renderer_id = (renderer_id or "")[:64] or "anonymous-%s" % uuid.uuid4().hex[:8]
        with self._lock:
            identity = self._identities.get(renderer_id)
            if identity is None:
                identity = self._identities[renderer_id] = RendererIdentity(renderer_id)
                self._forget_oldest()
            else:
                self._identities.move_to_end(renderer_id)
        return identity

    def identify(self, renderer_id: Optional[str], origin: Optional[str]) -> Tuple[RendererIdentity, Any]:
        """A protocol request's renderer, and the intake bucket it takes turns in.

        The renderer id header is the page's to choose: only a wired window's id gets its own bucket; every
        other request waits in one bucket per ``Origin``, so a page can't escape turn-taking by varying it.
        """
        identity = self.identity_for(renderer_id)
        with self._lock:
            wired = identity.renderer_id in self._open
        return identity, identity.renderer_id if wired else ("origin", origin)

    def webview_context(self, identity: RendererIdentity) -> Dict[str, Any]:
        """The ``webview`` context of the host's own events about a renderer (gone, hung), its URL as ``app:///``."""
        return self.paths.context(identity.context())

    def knows(self, identity: RendererIdentity) -> bool:
        """Whether ``identity`` is still among the renderers the hub remembers (wired, or recent enough)."""
        with self._lock:
            return self._identities.get(identity.renderer_id) is identity

    def _forget_oldest(self) -> None:
        """Keep at most ``MAX_IDENTITIES`` renderers that are not open wired windows (under ``_lock``)."""
        excess = len(self._identities) - len(self._open) - MAX_IDENTITIES
        for renderer_id in list(self._identities):
            if excess <= 0:
                break
            if renderer_id not in self._open:
                del self._identities[renderer_id]
                self._started.discard(renderer_id)
                excess -= 1

    def renderer_config(self, identity: Optional[RendererIdentity] = None, **extra: Any) -> Dict[str, Any]:
        """What a renderer's preload needs: namespace, mode, protocol URL, headers, and what features add.

        With ``identity``, the config injected into that wired window, which also has the bridge (unless PROTOCOL).
        """
        keys = wire.CONFIG
        config: Dict[str, Any] = {keys["namespace"]: self.namespace, keys["mode"]: self.mode.value}
        if self.mode.protocol:
            served = self.protocol.base_url if self.protocol is not None else ""
            config[keys["protocolUrl"]] = self.protocol_url or "%s/%s" % (served, self.namespace)
            config[keys["headers"]] = {wire.TOKEN_HEADER: self.token}
        for feature in features():
            with capture_internal_exceptions():
                feature.renderer_config(self, config)
        if identity is not None:
            config.update({keys["rendererId"]: identity.renderer_id, keys["bridge"]: self.mode.bridge})
            # Its own page's origin, before the rule is embedded (CEF injects before created).
            self.origins.allow(identity.renderer_id, identity.url, identity.html_page)
            config[SCRIPT_RULE_KEY] = self.origins.script_rule(identity.renderer_id)
        config.update(extra)
        return config

    # -- windows, as backends report them -----------------------------------
    def window_created(self, identity: RendererIdentity) -> None:
        """A wired window: its messages carry its identity, and its own page's origin is allowed."""
        with self._lock:
            self._identities[identity.renderer_id] = identity
            self._open.add(identity.renderer_id)
        self.origins.allow(identity.renderer_id, identity.url, identity.html_page)  # null: html= or file:// only
        self._emit("window_event", "created", identity, {})

    def gui_ready(self, window: Any, backend: Any) -> None:
        """On the GUI thread, before ``window`` is first shown."""
        self._emit("gui_ready", window, backend)

    def window_shown(self, identity: RendererIdentity, window: Any, backend: Any) -> None:
        """``window`` was shown; ``backend`` (None for engines we don't drive) can tell its visibility."""
        self.on_screen(identity, window, backend)
        self._emit("window_event", "shown", identity, {})

    def on_screen(self, identity: RendererIdentity, window: Any, backend: Any) -> None:
        """Count ``window`` among the ``shown`` ones until it closes (engines without a shown event)."""
        if backend is not None:
            with self._lock:
                self._shown[identity.renderer_id] = (window, backend)

    def window_loaded(self, identity: RendererIdentity) -> None:
        self._emit("window_event", "loaded", identity, {})

    def window_closed(self, identity: RendererIdentity) -> None:
        """Record the close; after the last window, flush in the background within ``QUIT_FLUSH_TIMEOUT``."""
        with self._lock:
            self._shown.pop(identity.renderer_id, None)
            self._open.discard(identity.renderer_id)
            last = not self._open
        self._emit("window_event", "closed", identity, {})
        if last:
            threading.Thread(
                target=self.flush, args=(QUIT_FLUSH_TIMEOUT,), name="sentry-webview-quit-flush", daemon=True
            ).start()

    def renderer_gone(self, identity: RendererIdentity, reason: str, exit_code: Optional[int] = None) -> None:
        """``identity``'s renderer process terminated (any thread)."""
        with sentry_sdk.scope.use_isolation_scope(self.host_scope):
            self._emit("renderer_gone", identity, reason, exit_code)
        self.stats["renderers_gone"] += 1

    def shown(self) -> List[Tuple[Any, Any]]:
        """The windows shown and not closed, with their backend, in the order they were shown.

        Whether one is hidden or minimized now only its GUI can tell (``Backend.visible``):
        pywebview 6.2 has no event for ``hide()``/``show()``.
        """
        with self._lock:
            return list(self._shown.values())

    # -- intake handlers (start and envelope on the worker; scope on the caller's thread)
    def _on_start(self, data: Dict[str, Any], identity: RendererIdentity) -> None:
        user_agent = data.get("userAgent")
        engine = engine_from_user_agent(user_agent) if isinstance(user_agent, str) else None
        previous = identity.url if identity.renderer_id in self._started else None
        url = _text(data.get("url"))
        identity.update(url=url, title=_text(data.get("title")), engine=None if identity.engine else engine)
        self.screen = _screen(data.get("screen")) or self.screen
        with self._lock:
            if self._identities.get(identity.renderer_id) is identity:  # not forgotten meanwhile
                self._started.add(identity.renderer_id)
        self._emit("page_started", identity)
        if previous and url and url != previous:
            when = data.get("timestamp") if isinstance(data.get("timestamp"), (int, float)) else None
            self._emit("window_event", "navigated", identity, {"from": previous, "timestamp": when})
        self.stats["renderers_started"] += 1

    def _on_scope(self, data: Dict[str, Any], identity: RendererIdentity) -> None:
        self.scope_sync.apply(data, identity)
        self.stats["scopes"] += 1
        total = data.get(wire.DROPPED_KEY)
        if isinstance(total, int) and not isinstance(total, bool):
            with self._lock:
                lost, identity.dropped = max(0, total - identity.dropped), max(total, identity.dropped)
            client = sentry_sdk.get_client()
            if lost and client.transport is not None:
                self.stats["dropped_in_renderer"] += lost
                client.transport.record_lost_event("queue_overflow", data_category="error", quantity=lost)

    def _on_envelope(self, envelope: Envelope, identity: RendererIdentity) -> None:
        attachments = [
            Attachment(
                bytes=item.get_bytes(),
                filename=item.headers.get("filename") or "attachment",
                content_type=item.headers.get("content_type"),
                add_to_transactions=True,
            )
            for item in envelope.items
            if item.type == "attachment"
        ]
        events = [item.payload.json or {} for item in envelope.items if item.type in CAPTURED_TYPES]
        rest = [item for item in envelope.items if item.type not in CAPTURED_TYPES and item.type != "attachment"]
        trace = _host_trace(envelope.headers.get("trace"))
        for event in events:
            merged = merge_renderer_event(event, identity, self.scope_sync.seen, self.paths, trace)
            self._capture(merged, attachments)
        if not events and attachments:
            rest.extend(item for item in envelope.items if item.type == "attachment")
        if rest:
            self._forward(envelope.headers, rest, trace)

    def _capture(self, event: Dict[str, Any], attachments: List[Attachment]) -> None:
        """Capture a merged renderer event through the host scope, which adds the host's breadcrumbs
        (kept up to the event's time), but not what describes only the host's Python process."""
        client = sentry_sdk.get_client()
        if not self.budget.admit(event):
            self.stats["repeats_dropped"] += 1
            if client.transport is not None:
                client.transport.record_lost_event("backpressure", data_category="error")
            return
        limit = client.options.get("max_breadcrumbs")
        transaction = event.get("transaction")

        def renderer_only(event: "Event", hint: "Hint") -> "Event":
            crumbs = event.get("breadcrumbs")
            if isinstance(crumbs, dict) and isinstance(crumbs.get("values"), list):
                crumbs["values"] = breadcrumbs_up_to(crumbs["values"], event.get("timestamp"), limit)
            # Again in sentry_webview.init's before_send (for every renderer event); here for sentry_sdk.init alone.
            without_host_details(cast(Dict[str, Any], event))
            if transaction is None:  # a host request's name (Flask, Bottle) is not the page's
                event.pop("transaction", None)
                event.pop("transaction_info", None)
            return event

        with sentry_sdk.new_scope() as scope:
            scope.add_event_processor(renderer_only)
            sentry_sdk.capture_event(cast("Event", event), hint={"attachments": attachments})
        self.stats["events"] += 1

    def _forward(self, headers: Dict[str, Any], items: List[Item], trace: Optional[Dict[str, Any]]) -> None:
        """Send non-event items (replay, feedback, ...) as they are, under host identity.

        Only ``FORWARDED_TYPES``: any other item (a session, a check-in, ...) is counted and dropped.
        """
        allowed = [item for item in items if item.type in FORWARDED_TYPES]
        if len(allowed) < len(items):
            self.intake.reject(
                "refused_items", "renderer item types outside the forwarded list", len(items) - len(allowed)
            )
        client = sentry_sdk.get_client()
        if not allowed or client.transport is None:
            return
        items = self._within_limits([self._as_host(item, client.options) for item in allowed], client.transport)
        if not items:
            return
        forwarded = {key: value for key, value in headers.items() if key in ("event_id", "sent_at")}
        if trace:
            forwarded["trace"] = trace
        client.transport.capture_envelope(Envelope(headers=forwarded, items=items))
        self.stats["forwarded"] += len(items)

    def _within_limits(self, items: List[Item], transport: Any) -> List[Item]:
        """``items`` without those over Relay's per-item limits and what goes with them (a replay's event
        and recording, a feedback's attachments); each dropped one is a ``send_error`` client report, as
        Relay's 413 would be."""
        over = {
            _ITEM_CATEGORY[item.type]
            for item in items
            if item.type in _ITEM_LIMITS and len(item.get_bytes()) > _ITEM_LIMITS[item.type]
        }
        if not over:
            return items
        dropped = [
            item
            for item in items
            if _ITEM_CATEGORY.get(item.type or "") in over or (item.type == "attachment" and "feedback" in over)
        ]
        for category in over:
            transport.record_lost_event("send_error", data_category=cast("EventDataCategory", category))
        attached = sum(len(item.get_bytes()) for item in dropped if item.type == "attachment")
        if attached:
            transport.record_lost_event("send_error", data_category="attachment", quantity=attached)
        self.intake.reject("oversized_items", "renderer items over Relay's size limits", len(dropped))
        return [item for item in items if item not in dropped]

    def _as_host(self, item: Item, options: Dict[str, Any]) -> Item:
        """A replay or feedback event with the host's release and environment and ``app:///`` URLs,
        as @sentry/electron's ``normalizeReplayEnvelope``; other items as they are."""
        if item.type not in ("replay_event", "feedback"):
            return item
        try:
            payload = json.loads(item.get_bytes())
        except (ValueError, UnicodeDecodeError, RecursionError):
            return item
        if not isinstance(payload, dict):
            return item
        for key in ("release", "environment"):
            payload.pop(key, None)
            if options.get(key):
                payload[key] = options[key]
        if isinstance(payload.get("urls"), list):
            payload["urls"] = [self.paths.url(url) for url in payload["urls"]]
        request = payload.get("request")
        if isinstance(request, dict) and "url" in request:
            request["url"] = self.paths.url(request["url"])
        contexts = payload.get("contexts")
        feedback = contexts.get("feedback") if isinstance(contexts, dict) else None
        if isinstance(feedback, dict) and "url" in feedback:
            feedback["url"] = self.paths.url(feedback["url"])
        return Item(PayloadRef(json=payload), headers={k: v for k, v in item.headers.items() if k != "length"})

    # -- lifetime -----------------------------------------------------------
    def flush(self, timeout: float) -> bool:
        """Process queued renderer messages, then flush the SDK; both within ``timeout``."""
        deadline = time.monotonic() + timeout
        drained = self.intake.join(timeout)
        sentry_sdk.flush(max(0.0, deadline - time.monotonic()))
        return drained

    def close(self, at_exit: bool = False) -> None:
        """Stop the protocol server, the intake worker and what features run for this hub.

        ``at_exit``: the process is ending, and the server's daemon thread with it; stopping it
        would wait for its poll loop (0.5 s at most, 0.17-0.38 s measured) on every app's exit.
        """
        if self.protocol is not None and not at_exit:
            self.protocol.stop()
        self.intake.close()
        self._emit("hub_closed")

    def _emit(self, hook: str, *args: Any) -> None:
        for feature in features():
            with capture_internal_exceptions():
                method: Callable[..., None] = getattr(feature, hook)
                method(self, *args)


def _host_trace(trace: Any) -> Optional[Dict[str, Any]]:
    """A renderer envelope's trace header (DSC) with the host's release, environment and public key."""
    if not isinstance(trace, dict):
        return None
    client = sentry_sdk.get_client()
    trace = {key: value for key, value in trace.items() if key not in ("release", "environment", "public_key")}
    for key in ("release", "environment"):
        if client.options.get(key):
            trace[key] = client.options[key]
    if client.options.get("dsn"):
        trace["public_key"] = Dsn(client.options["dsn"]).public_key
    return trace


def _screen(value: Any) -> Optional[Dict[str, Any]]:
    """``[width, height, devicePixelRatio]`` (CSS pixels) as device context fields in device pixels."""
    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(v, (int, float)) for v in value)):
        return None
    width, height, density = value
    if not (0 < width <= 100000 and 0 < height <= 100000 and 0 < density <= 16):
        return None
    return {"screen_resolution": "%dx%d" % (round(width * density), round(height * density)), "screen_density": density}


def _text(value: Any) -> Optional[str]:
    return value[:2048] if isinstance(value, str) else None
