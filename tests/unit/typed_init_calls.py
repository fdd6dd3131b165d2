"""How apps call ``sentry_webview.init``, for mypy (tests/unit/test_typing.py), never run.

A line that ends in ``# error: [code]`` must be exactly one mypy error with that code; every other line, none.
"""

from typing import Any, Callable, Dict, Optional

import sentry_sdk
from sentry_sdk.integrations.logging import LoggingIntegration

import sentry_webview
from sentry_webview.sdk_options import SdkOptions


def before_send(event: Any, hint: Dict[str, Any]) -> Optional[Any]:
    return event


def what_apps_write() -> None:
    sentry_webview.init(
        dsn="https://key@o0.ingest.sentry.io/1",
        ipc_namespace="my-app",
        anr_threshold=2,
        offline={"max_count": 10},
        release="my-app@1.0",
        traces_sample_rate=1.0,
        before_send=before_send,
        before_breadcrumb=lambda crumb, hint: crumb,
        integrations=[LoggingIntegration()],
        disabled_integrations=[LoggingIntegration],
        transport=sentry_sdk.transport.HttpTransport,
        shutdown_timeout=1,
    )
    options: SdkOptions = {"environment": "staging", "sample_rate": 0.5}
    sentry_webview.init(**options)


def what_mypy_refuses(event_only: Callable[[Any], Any]) -> None:
    sentry_webview.init(anr_threshold="2")  # error: [arg-type]
    sentry_webview.init(trace_sample_rate=1.0)  # error: [call-arg]
    sentry_webview.init(traces_sample_rate="1.0")  # error: [arg-type]
    sentry_webview.init(integrations=LoggingIntegration())  # error: [arg-type]
    sentry_webview.init(before_send=event_only)  # error: [arg-type]
