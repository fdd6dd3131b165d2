"""sentry_webview._compat: each guarded private sentry-sdk API works natively where the SDK has it, and its
fallback does the same where it doesn't. scripts/compat.sh runs these at both ends of the declared range."""

import inspect
import logging
import re
import socket
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope, Item, PayloadRef
from sentry_sdk.integrations import Integration
from sentry_sdk.transport import HttpTransport

from sentry_webview import _compat
from sentry_webview.transport import offline_transport
from tests.oracles import assert_relay_accepts

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_declared_floor_is_the_one_compat_knows():
    declared = re.search(r'"sentry-sdk>=([\d.]+),<3"', PYPROJECT.read_text()).group(1)
    assert _compat._version_tuple(declared) == _compat.SENTRY_SDK_FLOOR[: len(declared.split("."))]
    assert _compat.SENTRY_SDK_VERSION >= _compat.SENTRY_SDK_FLOOR


def test_version_strings_parse():
    assert _compat._version_tuple("2.75.0") == (2, 75, 0)
    assert _compat._version_tuple("3.0.0a7") == (3, 0, 0)
    assert _compat._version_tuple("2.20") == (2, 20)


def test_the_version_table_is_true_for_this_sentry_sdk(transport):
    """Where the SDK is new enough, the native API is there (so the feature tests take it)."""
    version = _compat.SENTRY_SDK_VERSION
    for name in ("_update_headers", "_handle_response", "_handle_request_error"):
        assert hasattr(HttpTransport, name) == (version >= (2, 57)), name
    assert _compat.has_setup_once_with_options() == (version >= (2, 44))
    assert _compat.missing_transport_hooks() == []
    assert _compat.transport_worker(transport) is transport._worker


def test_every_sentry_sdk_init_option_is_typed():
    """sentry_webview.init's SdkOptions has every option of this sentry-sdk: an app's mypy refuses none of them."""
    from sentry_sdk.consts import ClientConstructor

    from sentry_webview.sdk_options import SdkOptions

    options = set(inspect.signature(ClientConstructor.__init__).parameters) - {"self"}
    assert "traces_sample_rate" in options
    assert sorted(options - set(SdkOptions.__annotations__)) == []


@pytest.fixture
def transport() -> Any:
    client = sentry_sdk.Client(dsn="http://publickey@127.0.0.1:9/42", default_integrations=False)
    assert isinstance(client.transport, HttpTransport)
    yield client.transport
    client.transport.kill()  # no flush: nothing listens at the DSN


class _Hidden:
    """Hides the 2.57+ methods from _compat's feature test, as on sentry-sdk 2.20-2.56."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    def __getattr__(self, name: str) -> Any:
        if name in ("_update_headers", "_handle_response", "_handle_request_error"):
            raise AttributeError(name)
        return getattr(self._transport, name)


def test_update_headers_native_and_fallback_agree(transport):
    fallback: Dict[str, str] = {}
    _compat.update_headers(_Hidden(transport), fallback)  # type: ignore[arg-type]
    assert set(fallback) == {"User-Agent", "X-Sentry-Auth"}
    assert "sentry_key=publickey" in fallback["X-Sentry-Auth"]
    native: Dict[str, str] = {}
    _compat.update_headers(transport, native)
    assert native == fallback


class _Response:
    def __init__(self, status: int, headers: Optional[Dict[str, str]] = None) -> None:
        self.status = status
        self.headers = headers or {}
        self.data = b"body"


def _envelope() -> Envelope:
    return Envelope(items=[Item(payload=PayloadRef(json={"event_id": "a" * 32}), type="event")])


def _lost(transport: HttpTransport) -> List[Tuple[str, str]]:
    return sorted(key for key, count in transport._discarded_events.items() if count)  # type: ignore[attr-defined]


@pytest.mark.parametrize("hide", [False, True], ids=["native", "fallback"])
@pytest.mark.parametrize(
    "status, headers, lost, limited",
    [
        (200, {}, [], False),
        (413, {}, [("error", "send_error")], False),
        (500, {}, [("error", "network_error")], False),
        (429, {"X-Sentry-Rate-Limits": "60:error:organization"}, [], True),
    ],
)
def test_handle_response_native_and_fallback_agree(transport, hide, status, headers, lost, limited):
    if not hide and not hasattr(transport, "_handle_response"):
        pytest.skip("sentry-sdk %s has no native _handle_response (2.57+)" % _compat.SENTRY_SDK_VERSION_STRING)
    target = _Hidden(transport) if hide else transport
    _compat.handle_response(target, _Response(status, headers), _envelope())  # type: ignore[arg-type]
    assert _lost(transport) == lost
    assert transport._check_disabled("error") == limited


@pytest.mark.parametrize("hide", [False, True], ids=["native", "fallback"])
def test_handle_request_error_counts_every_item(transport, hide):
    if not hide and not hasattr(transport, "_handle_request_error"):
        pytest.skip("sentry-sdk %s has no native _handle_request_error (2.57+)" % _compat.SENTRY_SDK_VERSION_STRING)
    target = _Hidden(transport) if hide else transport
    _compat.handle_request_error(target, _envelope(), loss_reason="network")  # type: ignore[arg-type]
    assert _lost(transport) == [("error", "network_error")]


class _WithOptions(Integration):
    identifier = "sentry_webview_compat_probe"
    calls: List[Any] = []

    @staticmethod
    def setup_once() -> None:
        pass

    def setup_once_with_options(self, options: Optional[Dict[str, Any]] = None) -> None:
        _WithOptions.calls.append(self)


def test_setup_once_with_options_runs_once_per_process_on_the_first_instance():
    first, second = _WithOptions(), _WithOptions()
    for integration in (first, second):
        sentry_sdk.init(dsn="http://publickey@127.0.0.1:9/42", integrations=[integration], default_integrations=False)
        sentry_sdk.get_client().close()
    assert _WithOptions.calls == [first]


def test_the_update_session_hook_is_there_and_wrappable(monkeypatch):
    from sentry_sdk.client import _Client

    monkeypatch.setattr(_Client, "_update_session_from_event", _Client._update_session_from_event)
    seen = []

    def wrap(original: Any) -> Any:
        def update(client: Any, session: Any, event: Dict[str, Any]) -> None:
            seen.append(event.get("message"))
            original(client, session, event)

        return update

    assert _compat.wrap_update_session_from_event(wrap)
    client = sentry_sdk.Client(dsn="http://publickey@127.0.0.1:9/42", release="app@1", default_integrations=False)
    try:
        from sentry_sdk.session import Session

        session = Session(release="app@1")
        client._update_session_from_event(session, {"message": "hello", "exception": {"values": [{}]}})
        assert seen == ["hello"] and session.errors == 1
    finally:
        client.close()


def test_without_the_update_session_hook_nothing_is_patched(monkeypatch, caplog):
    from sentry_sdk.client import _Client

    monkeypatch.delattr(_Client, "_update_session_from_event")
    monkeypatch.setattr(_compat, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="sentry_webview"):
        assert not _compat.wrap_update_session_from_event(lambda original: original)
    assert not hasattr(_Client, "_update_session_from_event")
    assert "release health" in caplog.text


def test_scope_breadcrumbs_session_user_and_tags():
    scope = sentry_sdk.Scope()
    assert _compat.scope_user(scope) is None and _compat.scope_tags(scope) == {}
    scope.add_breadcrumb({"message": "clicked"})
    scope.set_user({"id": "7"})
    scope.set_tag("tier", "gold")
    assert [crumb["message"] for crumb in _compat.scope_breadcrumbs(scope)] == ["clicked"]
    assert _compat.scope_user(scope) == {"id": "7"}
    tags = _compat.scope_tags(scope)
    assert tags == {"tier": "gold"}
    tags["tier"] = "changed"  # a copy
    assert _compat.scope_tags(scope) == {"tier": "gold"}
    assert _compat.scope_session(scope) is None
    scope.start_session(session_mode="application")
    assert _compat.scope_session(scope) is not None


def test_without_the_scope_internals_there_is_nothing_to_read(monkeypatch, caplog):
    class Bare:
        pass

    monkeypatch.setattr(_compat, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="sentry_webview"):
        assert list(_compat.scope_breadcrumbs(Bare())) == []  # type: ignore[arg-type]
        assert _compat.scope_session(Bare()) is None  # type: ignore[arg-type]
        assert _compat.scope_user(Bare()) is None  # type: ignore[arg-type]
        assert _compat.scope_tags(Bare()) == {}  # type: ignore[arg-type]
    assert "breadcrumbs" in caplog.text and "tags" in caplog.text


def test_without_the_transport_hooks_the_sdk_transport_is_used(monkeypatch, caplog):
    assert offline_transport().__name__ == "OfflineTransport"
    monkeypatch.setattr(_compat, "missing_transport_hooks", lambda: ["_request"])
    with caplog.at_level(logging.WARNING, logger="sentry_webview"):
        assert offline_transport() is HttpTransport
    assert "lacks _request" in caplog.text


def test_transport_worker_native_and_missing(transport, monkeypatch, caplog):
    ran = threading.Event()
    worker = _compat.transport_worker(transport)
    assert worker is not None and worker.submit(ran.set)
    assert ran.wait(5)
    monkeypatch.setattr(_compat, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="sentry_webview"):
        assert _compat.transport_worker(object()) is None  # type: ignore[arg-type]
    assert "transport's worker" in caplog.text


def test_without_the_worker_the_offline_transport_still_sends_and_stores(
    webview_sdk, ingest, tmp_path, monkeypatch, caplog
):
    """On a sentry-sdk whose transport has no ``_worker``, envelopes go through the SDK's own queue: they arrive,
    and what can't be sent is kept on disk and sent at the next start."""
    lookup = _compat.transport_worker
    monkeypatch.setattr(_compat, "transport_worker", lambda transport: lookup(object()))  # type: ignore[arg-type]
    monkeypatch.setattr(_compat, "_warned", set())
    queue = tmp_path / "queue"
    with caplog.at_level(logging.WARNING, logger="sentry_webview"):
        webview_sdk(offline={"path": queue})
        sent = sentry_sdk.capture_message("sent through the SDK's queue")
        [event] = ingest.wait_for_exactly(1)
    assert event["event_id"] == sent and "transport's worker" in caplog.text
    assert_relay_accepts(event)

    with socket.socket() as probe:  # a DSN whose port refuses connections
        probe.bind(("127.0.0.1", 0))
        dead = "http://publickey@127.0.0.1:%d/42" % probe.getsockname()[1]
    webview_sdk(dsn=dead, offline={"path": queue})
    stored = sentry_sdk.capture_message("stored while the ingest is down")
    sentry_sdk.get_client().close(timeout=2)
    assert len(list(queue.glob("*.envelope"))) == 1
    webview_sdk(offline={"path": queue, "retry_interval": 0.2})
    assert [e["event_id"] for e in ingest.wait_for_exactly(2)] == [sent, stored]
