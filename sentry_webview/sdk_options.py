"""``SdkOptions``: the ``sentry_sdk.init`` options ``sentry_webview.init`` passes through, typed for the app's mypy.

The keys are ``sentry_sdk.consts.ClientConstructor``'s parameters in sentry-sdk 2.75 (tests/unit/test_compat.py
checks that every option of the installed sentry-sdk is here). Callbacks are typed by their arity only: the
event, hint and breadcrumb types they take are sentry-sdk's private ``sentry_sdk._types``. Options newer than
the sentry-sdk the app runs on pass the type check and are refused by ``sentry_sdk.init`` (``TypeError``).
"""

from typing import (
    TYPE_CHECKING,
    AbstractSet,
    Any,
    Callable,
    Dict,
    List,
    Literal,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypedDict,
    Union,
)

if TYPE_CHECKING:
    from sentry_sdk.integrations import Integration
    from sentry_sdk.scrubber import EventScrubber
    from sentry_sdk.transport import Transport

#: ``(event, hint)``, ``(breadcrumb, hint)``, ``(log, hint)``...: what returns the item, changed, or None to drop it.
Hook = Callable[[Any, Any], Any]


class SdkOptions(TypedDict, total=False):
    """``sentry_sdk.init``'s keyword options (see its documentation); all optional."""

    dsn: Optional[str]
    max_breadcrumbs: int
    release: Optional[str]
    environment: Optional[str]
    server_name: Optional[str]
    shutdown_timeout: float
    integrations: "Sequence[Integration]"
    ignore_spans: Optional[Sequence[Any]]
    in_app_include: List[str]
    in_app_exclude: List[str]
    default_integrations: bool
    dist: Optional[str]
    transport: "Optional[Union[Transport, Type[Transport], Callable[[Any], None]]]"
    transport_queue_size: int
    sample_rate: float
    send_default_pii: Optional[bool]
    data_collection: Optional[Dict[str, Any]]
    http_proxy: Optional[str]
    https_proxy: Optional[str]
    ignore_errors: Sequence[Union[type, str]]
    max_request_body_size: str
    socket_options: Optional[List[Tuple[int, int, Union[int, bytes]]]]
    keep_alive: Optional[bool]
    before_send: Optional[Hook]
    before_breadcrumb: Optional[Hook]
    debug: Optional[bool]
    attach_stacktrace: bool
    ca_certs: Optional[str]
    propagate_traces: bool
    traces_sample_rate: Optional[float]
    trace_lifecycle: Optional[Literal["static", "stream"]]
    traces_sampler: Optional[Callable[[Dict[str, Any]], Union[float, int, bool]]]
    profiles_sample_rate: Optional[float]
    profiles_sampler: Optional[Callable[[Dict[str, Any]], Union[float, int, bool]]]
    profiler_mode: Optional[Literal["sleep", "thread", "gevent", "unknown"]]
    profile_lifecycle: Literal["manual", "trace"]
    profile_session_sample_rate: Optional[float]
    auto_enabling_integrations: bool
    disabled_integrations: "Optional[Sequence[Union[Integration, Type[Integration]]]]"
    auto_session_tracking: bool
    send_client_reports: bool
    _experiments: Dict[str, Any]
    proxy_headers: Optional[Dict[str, str]]
    instrumenter: Optional[str]
    before_send_transaction: Optional[Hook]
    project_root: Optional[str]
    enable_tracing: Optional[bool]
    include_local_variables: Optional[bool]
    include_source_context: Optional[bool]
    trace_propagation_targets: Optional[Sequence[str]]
    functions_to_trace: Sequence[Dict[str, str]]
    event_scrubber: "Optional[EventScrubber]"
    max_value_length: Optional[int]
    enable_backpressure_handling: bool
    error_sampler: Optional[Callable[[Any, Any], Union[float, bool]]]
    enable_db_query_source: bool
    db_query_source_threshold_ms: int
    enable_http_request_source: bool
    http_request_source_threshold_ms: int
    spotlight: Optional[Union[bool, str]]
    cert_file: Optional[str]
    key_file: Optional[str]
    custom_repr: Optional[Callable[..., Optional[str]]]
    add_full_stack: bool
    max_stack_frames: Optional[int]
    enable_logs: bool
    before_send_log: Optional[Hook]
    trace_ignore_status_codes: AbstractSet[int]
    enable_metrics: bool
    before_send_metric: Optional[Hook]
    before_send_span: Optional[Hook]
    org_id: Optional[str]
    strict_trace_continuation: bool
    stream_gen_ai_spans: bool
