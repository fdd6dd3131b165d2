"""Release health: one application-mode session per app run, like @sentry/electron's MainProcessSession.

The session starts at ``init`` on the host's isolation scope and ends when the app
exits: ``exited``, or ``crashed`` after an unhandled host exception or a renderer
process crash. It is kept in the run directory (``runs.py``) from the start, within
a second of a change and every ``persist_interval`` seconds, so a run that vanished (kill -9, power loss) is
reported ``abnormal`` at the next start, or ``crashed`` when its host crashed
(``crash.py``), with its own start, duration, release and error count. Renderer
errors count as errors; a page's uncaught error doesn't crash the app's session.
"""

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from sentry_sdk.client import BaseClient
from sentry_sdk.envelope import Envelope
from sentry_sdk.scope import Scope
from sentry_sdk.session import Session
from sentry_sdk.utils import capture_internal_exceptions, datetime_from_isoformat

from sentry_webview import _compat
from sentry_webview.backends.base import FATAL_EXIT_REASONS
from sentry_webview.integrations._runs import SESSION, RunIntegration
from sentry_webview.integrations._watchdog import is_anr
from sentry_webview.ipc import wire
from sentry_webview.renderers.hub import HubFeature, RendererHub
from sentry_webview.renderers.identity import RendererIdentity


class HostSessionIntegration(RunIntegration, HubFeature):
    """One session per app run, persisted so that vanished and crashed runs are reported next time.

    On by default in ``sentry_webview.init``; off with
    ``disabled_integrations=[HostSessionIntegration]``.
    """

    identifier = "webview_session"
    thread_name = "sentry-webview-session"

    def __init__(self, data_dir: Optional[Path] = None, persist_interval: float = 60.0) -> None:
        super().__init__(data_dir)
        self.persist_interval = persist_interval
        self._saved: Tuple[Any, ...] = ()
        self._saved_at = 0.0

    @staticmethod
    def setup_once() -> None:
        _compat.wrap_update_session_from_event(_renderer_errors_dont_crash)

    def _wanted(self, client: BaseClient) -> bool:
        return bool(client.options.get("release"))

    def _begin(self, client: BaseClient) -> None:
        self._report_ended(client)
        assert self._scope is not None
        self._scope.start_session(session_mode="application")
        self._persist()

    def crashed(self) -> None:
        """This run's session ends ``crashed``, whenever it ends."""
        with capture_internal_exceptions(), self._lock:
            session = _compat.scope_session(self._scope) if self._scope is not None else None
            if session is not None:
                session.update(status="crashed")
                self._persist()

    def renderer_gone(self, hub: RendererHub, identity: RendererIdentity, reason: str, code: Optional[int]) -> None:
        if reason in FATAL_EXIT_REASONS:
            self.crashed()

    def _end(self, scope: Scope) -> None:
        """End the session (``exited`` unless it crashed) and remove its file."""
        session = _compat.scope_session(scope)
        if session is not None:
            session.update(duration=_seconds_since(session.started))
            scope.end_session()
        assert self._files is not None
        self._files.remove(SESSION)

    def _tick(self) -> None:
        """Within a second of a new user, error or status, else every ``persist_interval``."""
        session = _compat.scope_session(self._scope) if self._scope is not None else None
        if session is not None and (
            _state(session) != self._saved or time.monotonic() - self._saved_at >= self.persist_interval
        ):
            self._persist()

    def _persist(self) -> None:
        session = _compat.scope_session(self._scope) if self._scope is not None else None
        if session is not None and self._files is not None:
            self._files.write(SESSION, dict(session.to_json(), duration=_seconds_since(session.started)))
            self._saved, self._saved_at = _state(session), time.monotonic()

    def _report_ended(self, client: BaseClient) -> None:
        assert self._files is not None
        for pid in self._files.ended(SESSION):
            with capture_internal_exceptions():
                data = self._files.read(SESSION, pid)
                if data is not None:
                    crashed_at = self._files.dumped(pid) or data.get("crashed_at")
                    crashed = crashed_at is not None or data.get("status") == "crashed"
                    _send_now(client, _ended_session(data, "crashed" if crashed else "abnormal", crashed_at))
            self._files.remove(SESSION, pid)


def _renderer_errors_dont_crash(update: _compat.UpdateSession) -> _compat.UpdateSession:
    """sentry-sdk's session update, less what a page's event would change of the app's session."""

    def _update_session_from_event(client: Any, session: Session, event: Dict[str, Any]) -> None:
        if client.get_integration(HostSessionIntegration) is None:
            return update(client, session, event)
        status, user_agent, did = session.status, session.user_agent, session.did
        update(client, session, event)
        if (event.get("tags") or {}).get(wire.PROCESS_TAG) == wire.RENDERER_PROCESS:
            # A page's uncaught error is an error, not an app crash; its browser is not the app's user
            # agent, and the app's user (when it set one) stays the session's.
            session.status, session.user_agent, session.did = status, user_agent, did or session.did
        elif is_anr(event) and status != "crashed":
            session.status = "abnormal"  # a hang that may have ended, as @sentry/electron's ANR sessions
        return None

    return _update_session_from_event


def _send_now(client: BaseClient, session: Session) -> None:
    """Send a past run's session now: ``capture_session`` holds it up to a minute, and a run that dies within
    that minute (a crash loop at start) would lose it, its file already gone."""
    if client.transport is not None and session.release:
        envelope = Envelope()
        envelope.add_session(session)
        client.transport.capture_envelope(envelope)


def _ended_session(data: Dict[str, Any], status: str, crashed_at: Optional[float]) -> Session:
    """The persisted session of a run that is gone, as it ended."""
    started = datetime_from_isoformat(data["started"])
    duration = data.get("duration")
    if crashed_at is not None:
        duration = max(0.0, crashed_at - started.timestamp())
    attrs = data.get("attrs") or {}
    return Session(
        sid=data["sid"],
        did=data.get("did"),
        started=started,
        duration=duration,
        status=status,  # type: ignore[arg-type]
        release=attrs.get("release"),
        environment=attrs.get("environment"),
        errors=data.get("errors") or 0,
    )


def _state(session: Session) -> Tuple[Any, ...]:
    return session.did, session.errors, session.status


def _seconds_since(started: datetime) -> float:
    return max(0.0, (datetime.now(timezone.utc) - started).total_seconds())
