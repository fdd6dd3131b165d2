"""The one place where sentry-webview touches sentry-sdk's private internals.

Every private attribute of sentry-sdk that the package uses goes through a function
here, with the versions it was checked against, a feature test (not a version
number: backports and forks keep working) and a fallback. The compat matrix
(``scripts/compat.sh``) runs the tests at both ends of the declared range
(``sentry-sdk>=2.20,<3``).

| what | native in sentry-sdk | before that |
|---|---|---|
| ``HttpTransport._update_headers`` | 2.57 | the same two headers, set here |
| ``HttpTransport._handle_response`` | 2.57 | 2.20–2.56's own status handling, replayed here |
| ``HttpTransport._handle_request_error`` | 2.57 | the same loss accounting, here |
| ``Integration.setup_once_with_options`` | 2.44 | ``setup_integrations`` wrapped to call it |
| ``_Client._update_session_from_event`` | 0.14 – 2.x | (always there in the range) wrap refused, logged |
| ``Scope._breadcrumbs``, ``_session``, ``_user``, ``_tags`` | 0.x – 2.x | empty / ``None``, logged once |
| the ``HttpTransport`` hooks ``OfflineTransport`` uses (``TRANSPORT_HOOKS``) | 2.16 – 2.x | the SDK's own, logged |
| ``HttpTransport._worker`` (an instance attribute) | 0.x – 2.x | the SDK's ``capture_envelope``, logged |
"""

import functools
import logging
import re
import threading
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Deque, Dict, List, Optional, Protocol, Sequence, Set, Tuple

from sentry_sdk.consts import VERSION as SENTRY_SDK_VERSION_STRING
from sentry_sdk.integrations import Integration
from sentry_sdk.utils import logger as sdk_logger

if TYPE_CHECKING:
    from sentry_sdk.envelope import Envelope
    from sentry_sdk.scope import Scope
    from sentry_sdk.session import Session
    from sentry_sdk.transport import HttpTransport

logger = logging.getLogger("sentry_webview")

#: The oldest sentry-sdk the package declares (``pyproject.toml``) and the compat matrix runs.
SENTRY_SDK_FLOOR = (2, 20, 0)


def _version_tuple(version: str) -> Tuple[int, ...]:
    """``"2.75.0"`` -> ``(2, 75, 0)``; ``"3.0.0a7"`` -> ``(3, 0, 0)``."""
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


SENTRY_SDK_VERSION: Tuple[int, ...] = _version_tuple(SENTRY_SDK_VERSION_STRING)

_warned: Set[str] = set()
_warned_lock = threading.Lock()


def _warn_once(key: str, message: str, *args: Any) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    logger.warning("sentry-webview: " + message + " (sentry-sdk %s)", *args, SENTRY_SDK_VERSION_STRING)


# -- transport (sentry-sdk's HttpTransport internals) ------------------------------------------------------

#: The ``HttpTransport`` methods the offline transport overrides or calls, all there from 2.16 through 2.x.
TRANSPORT_HOOKS = (
    "_send_envelope",
    "_send_request",
    "_request",
    "_serialize_envelope",
    "_update_rate_limits",
    "_check_disabled",
    "_flush_client_reports",
)


def missing_transport_hooks() -> List[str]:
    """The ``TRANSPORT_HOOKS`` this sentry-sdk lacks: the offline transport can't be used when any is missing."""
    from sentry_sdk.transport import HttpTransport

    return [name for name in TRANSPORT_HOOKS if not callable(getattr(HttpTransport, name, None))]


class Worker(Protocol):
    """What the offline transport needs of sentry-sdk's ``BackgroundWorker``."""

    def submit(self, callback: Callable[[], None]) -> bool:
        """Queue ``callback`` to run on the worker thread; False when the queue is full."""


def transport_worker(transport: "HttpTransport") -> Optional[Worker]:
    """The worker ``transport`` sends from (``HttpTransport._worker``, set in ``__init__``, 0.x – 2.x).

    None, with one warning, when it is missing or has no ``submit``: the offline transport then hands each
    envelope to the SDK's own ``capture_envelope``, so it is still sent, and stored when sending fails; only
    what overflows the SDK's queue, or still waits in it at quit, is not kept on disk.
    """
    worker: Optional[Worker] = getattr(transport, "_worker", None)
    if not callable(getattr(worker, "submit", None)):
        _warn_once("worker", "can't queue on the transport's worker; envelopes in the SDK's queue at quit are lost")
        return None
    return worker


def update_headers(transport: "HttpTransport", headers: Dict[str, str]) -> None:
    """Add the auth and user-agent headers a request to the DSN needs (``_update_headers``, 2.57+)."""
    native = getattr(transport, "_update_headers", None)
    if native is not None:
        native(headers)
        return
    auth = transport._auth  # 2.20–2.56: inline in _send_request
    headers.update({"User-Agent": str(auth.client), "X-Sentry-Auth": str(auth.to_header())})


def handle_request_error(
    transport: "HttpTransport",
    envelope: "Optional[Envelope]",
    loss_reason: str = "network",
    record_reason: str = "network_error",
) -> None:
    """Count ``envelope`` as lost (``_handle_request_error``, 2.57+)."""
    native = getattr(transport, "_handle_request_error", None)
    if native is not None:
        native(envelope=envelope, loss_reason=loss_reason, record_reason=record_reason)
        return
    transport.on_dropped_event(loss_reason)
    if envelope is None:
        transport.record_lost_event(record_reason, data_category="error")
    else:
        for item in envelope.items:
            transport.record_lost_event(record_reason, item=item)


def handle_response(transport: "HttpTransport", response: Any, envelope: "Optional[Envelope]") -> None:
    """Rate limits, 413 and other failures of a response, as the SDK would (``_handle_response``, 2.57+)."""
    native = getattr(transport, "_handle_response", None)
    if native is not None:
        native(response=response, envelope=envelope)
        return
    # 2.20–2.56: the tail of BaseHttpTransport._send_request, unchanged in that range.
    transport._update_rate_limits(response)
    body = getattr(response, "data", getattr(response, "content", None))
    if response.status == 413:
        message = "HTTP 413: Event dropped due to exceeded envelope size limit"
        if body is not None:
            message += " (body: %s)" % (body,)
        sdk_logger.error(message)
        handle_request_error(transport, envelope, "status_413", "send_error")
    elif response.status == 429:
        transport.on_dropped_event("status_429")
    elif response.status >= 300 or response.status < 200:
        sdk_logger.error("Unexpected status code: %s (body: %s)", response.status, body)
        handle_request_error(transport, envelope, "status_%s" % response.status)


# -- integrations ---------------------------------------------------------------------------------------------

_setup_hook_lock = threading.Lock()
_setup_hook_installed = False


def has_setup_once_with_options() -> bool:
    """Whether sentry-sdk itself calls ``Integration.setup_once_with_options`` (2.44+)."""
    return hasattr(Integration, "setup_once_with_options")


def install_setup_once_with_options() -> None:
    """Make sentry-sdk < 2.44 call ``integration.setup_once_with_options(None)`` as 2.44+ does.

    2.44+ calls it right after ``setup_once``, once per integration identifier and
    process, on the first instance given. Older versions don't: this wraps
    ``setup_integrations`` (where ``sentry_sdk.client`` looks it up) to do the same.
    Idempotent, and nothing on 2.44+. Call it at import of a module that defines such an
    integration.
    """
    global _setup_hook_installed
    if has_setup_once_with_options():
        return
    with _setup_hook_lock:
        if _setup_hook_installed:
            return
        import sentry_sdk.client as client_module
        import sentry_sdk.integrations as integrations_module

        original = integrations_module.setup_integrations
        processed = getattr(integrations_module, "_processed_integrations", None)
        installed = getattr(integrations_module, "_installed_integrations", None)
        if not isinstance(processed, set) or not isinstance(installed, set):
            _warn_once("setup_once_with_options", "can't call setup_once_with_options on this sentry-sdk")
            return

        @functools.wraps(original)
        def setup_integrations(integrations: Sequence[Integration], *args: Any, **kwargs: Any) -> Dict[str, Any]:
            with integrations_module._installer_lock:
                before = set(processed)
            result: Dict[str, Any] = original(integrations, *args, **kwargs)
            for identifier, integration in result.items():
                hook = getattr(integration, "setup_once_with_options", None)
                if identifier not in before and identifier in installed and hook is not None:
                    hook(None)
            return result

        integrations_module.setup_integrations = setup_integrations
        if getattr(client_module, "setup_integrations", None) is original:
            client_module.setup_integrations = setup_integrations
        _setup_hook_installed = True


# -- client and scope ---------------------------------------------------------------------------------------

UpdateSession = Callable[[Any, "Session", Dict[str, Any]], None]


def wrap_update_session_from_event(wrap: Callable[[UpdateSession], UpdateSession]) -> bool:
    """Replace ``_Client._update_session_from_event`` with ``wrap(original)``.

    The hook every captured event goes through on its way into the session (present
    with the signature ``(client, session, event)`` from 0.14 through 2.x). False, and
    one warning, when it is missing: sessions then count renderer errors as sentry-sdk does.
    """
    from sentry_sdk.client import _Client

    original = getattr(_Client, "_update_session_from_event", None)
    if not callable(original):
        _warn_once("update_session", "release health can't tell renderer errors from host crashes on this sentry-sdk")
        return False
    setattr(_Client, "_update_session_from_event", wrap(original))  # noqa: B010 - a private method, replaced whole
    return True


def scope_breadcrumbs(scope: "Scope") -> Deque[Dict[str, Any]]:
    """The breadcrumbs ``scope`` holds (``Scope._breadcrumbs``); an empty deque when sentry-sdk lacks it."""
    crumbs = getattr(scope, "_breadcrumbs", None)
    if crumbs is None:
        _warn_once("breadcrumbs", "can't read scope breadcrumbs on this sentry-sdk; crash reports lack them")
        return deque()
    return crumbs  # type: ignore[no-any-return]


def scope_session(scope: "Scope") -> "Optional[Session]":
    """The session ``scope`` holds (``Scope._session``), or None."""
    return getattr(scope, "_session", None)


def scope_user(scope: "Scope") -> Optional[Dict[str, Any]]:
    """The user set on ``scope`` (``Scope._user``), or None."""
    user = getattr(scope, "_user", None)
    return user if isinstance(user, dict) else None


def scope_tags(scope: "Scope") -> Dict[str, Any]:
    """A copy of the tags set on ``scope`` (``Scope._tags``); empty, with one warning, when sentry-sdk lacks them."""
    tags = getattr(scope, "_tags", None)
    if not isinstance(tags, dict):
        _warn_once("tags", "can't read scope tags on this sentry-sdk; crash reports lack them")
        return {}
    return dict(tags)


# sentry-webview's integrations (WebviewIntegration, the run integrations) start from setup_once_with_options;
# every import of the package imports this module, so they start on sentry-sdk < 2.44 as well.
install_setup_once_with_options()
