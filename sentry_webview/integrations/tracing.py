"""``JsApiTracingIntegration``: one trace from a click in the page into Python.

With tracing on in the host (``traces_sample_rate`` or ``traces_sampler``), the host
injects the tracing renderer bundle (pageload and navigation transactions, which the
hub merges like errors) and tells it the sample rate. Each call the page makes to the
app's own ``js_api`` goes, inside a span of the page's, through one host function that
this integration exposes on every window: ``(name, args, {sentry-trace, baggage})``.
It runs the app's function as pywebview would, with the same arguments and result, in
a transaction that continues the page's trace, with a ``function`` span around the
app's code, so sentry-sdk's own instrumentation (stdlib HTTP, databases) nests in it.
"""

from typing import Any, Callable, Dict, List, Optional

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.tracing_utils import Baggage, has_tracing_enabled
from sentry_sdk.utils import Dsn, capture_internal_exceptions, qualname_from_function

from sentry_webview.ipc import wire
from sentry_webview.renderers.hub import HubFeature, RendererHub

ORIGIN = "auto.function.sentry_webview"
# sentry-sdk's TransactionSource.COMPONENT; the enum is newer than the oldest sentry-sdk supported (2.20).
COMPONENT_SOURCE = "component"
TRACE_HEADERS = ("sentry-trace", "baggage")


def tracing_enabled() -> bool:
    return bool(has_tracing_enabled(sentry_sdk.get_client().options))


def host_dsc() -> Dict[str, str]:
    """The DSC fields the host owns: a page's trace names the host's release, environment and DSN key."""
    options = sentry_sdk.get_client().options
    dsc = {key: options[key] for key in ("release", "environment") if isinstance(options.get(key), str)}
    with capture_internal_exceptions():
        if options.get("dsn"):
            dsc["public_key"] = Dsn(options["dsn"]).public_key
    return dsc


def host_baggage(baggage: str) -> str:
    """``baggage`` with the host's DSC fields (for pages that didn't get them: their own bundle, no config)."""
    incoming = Baggage.from_incoming_header(baggage)
    if not incoming.sentry_items:
        return baggage
    incoming.sentry_items.update(host_dsc())
    return incoming.serialize(include_third_party=True)


def resolve_js_api(window: Any, name: Any) -> Optional[Callable[..., Any]]:
    """The app's function ``name`` as pywebview finds it (exposed, or on ``js_api``, dotted); never ours."""
    if not isinstance(name, str) or not name or name.startswith(wire.BRIDGE_PREFIX + "_"):
        return None
    func = (getattr(window, "_functions", None) or {}).get(name)
    if func is None:
        func = getattr(window, "_js_api", None)
        for part in name.split("."):
            func = getattr(func, part, None) if func is not None and not part.startswith("_") else None
    return func if callable(func) else None


def traced_call(window: Any) -> Callable[..., Any]:
    """The host function a tracing page calls for ``window``'s js_api functions."""

    def call(name: Any, args: Any = None, trace: Any = None) -> Any:
        func = resolve_js_api(window, name)
        if func is None:
            raise AttributeError("js_api function %r does not exist" % (name,))
        arguments: List[Any] = list(args) if isinstance(args, list) else []
        headers: Dict[str, str] = {}
        if isinstance(trace, dict):
            headers = {key: trace[key] for key in TRACE_HEADERS if isinstance(trace.get(key), str) and trace[key]}
        if "baggage" in headers:
            with capture_internal_exceptions():
                headers["baggage"] = host_baggage(headers["baggage"])
        with sentry_sdk.isolation_scope():
            transaction = None
            with capture_internal_exceptions():
                transaction = sentry_sdk.continue_trace(
                    headers, op=wire.JS_API_OP, name=name, source=COMPONENT_SOURCE, origin=ORIGIN
                )
                transaction.set_tag(wire.PROCESS_TAG, wire.HOST_PROCESS)
            if transaction is None:  # our failure is not the app's: its call still runs
                return func(*arguments)
            with sentry_sdk.start_transaction(transaction):
                with sentry_sdk.start_span(op="function", name=qualname_from_function(func) or name, origin=ORIGIN):
                    return func(*arguments)

    call.__name__ = wire.JS_API_CALL
    return call


class JsApiTracingIntegration(Integration, HubFeature):
    """Pages get the tracing bundle; their js_api calls run in transactions continuing their trace."""

    identifier = "webview_js_api_tracing"

    @staticmethod
    def setup_once() -> None:
        pass  # all of it runs through the hub's hooks

    def renderer_config(self, hub: RendererHub, config: Dict[str, Any]) -> None:
        # What the host owns, for what a page sends that the host forwards rather than merges
        # (feedback, replay) and for its traces' DSC.
        config[wire.CONFIG["host"]] = host_dsc()
        if not tracing_enabled():
            return
        options = sentry_sdk.get_client().options
        rate = options.get("traces_sample_rate")
        # A traces_sampler is Python: the page samples everything and the host's own
        # transactions follow the page's decision.
        sample_rate = float(rate) if rate is not None and options.get("traces_sampler") is None else 1.0
        config[wire.CONFIG["tracing"]] = {"tracesSampleRate": sample_rate}

    def gui_ready(self, hub: RendererHub, window: Any, backend: Any) -> None:
        if tracing_enabled() and hasattr(window, "expose") and hasattr(window, "_functions"):
            if wire.JS_API_CALL not in window._functions:
                window.expose(traced_call(window))
