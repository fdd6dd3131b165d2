"""Sentry for Python desktop apps with web renderers (pywebview, CEF Python).

Renderer errors, breadcrumbs and scope flow through a bridge or a loopback
protocol into the host's ``sentry-sdk``, merged with host scope and context.
"""

from sentry_webview.integrations.app_hang import AppHangIntegration
from sentry_webview.integrations.crash import HostCrashIntegration
from sentry_webview.integrations.host_context import HostContextIntegration
from sentry_webview.integrations.page_init import PageInitIntegration
from sentry_webview.integrations.renderer_hang import RendererHangIntegration
from sentry_webview.integrations.screenshots import ScreenshotsIntegration
from sentry_webview.integrations.sessions import HostSessionIntegration
from sentry_webview.integrations.tracing import JsApiTracingIntegration
from sentry_webview.integrations.webview import WebviewIntegration
from sentry_webview.integrations.window_events import WindowEventsIntegration
from sentry_webview.ipc.wire import IPCMode
from sentry_webview.sdk import default_integrations, flush, init, protocol_blueprint, renderer_config

__all__ = [
    "AppHangIntegration",
    "HostContextIntegration",
    "HostCrashIntegration",
    "HostSessionIntegration",
    "IPCMode",
    "JsApiTracingIntegration",
    "PageInitIntegration",
    "RendererHangIntegration",
    "ScreenshotsIntegration",
    "WebviewIntegration",
    "WindowEventsIntegration",
    "default_integrations",
    "flush",
    "init",
    "protocol_blueprint",
    "renderer_config",
]
