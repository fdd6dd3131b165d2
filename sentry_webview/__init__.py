"""Sentry for Python desktop apps with web renderers (pywebview, CEF Python).

Renderer errors, breadcrumbs and scope flow through a bridge or a loopback
protocol into the host's ``sentry-sdk``, merged with host scope and context.
"""

from sentry_webview.sdk import flush, init, protocol_blueprint, renderer_config
from sentry_webview.integrations.crash import HostCrashIntegration
from sentry_webview.integrations.webview import IPCMode, WebviewIntegration
from sentry_webview.integrations.sessions import HostSessionIntegration

__all__ = [
    "HostCrashIntegration",
    "HostSessionIntegration",
    "IPCMode",
    "WebviewIntegration",
    "flush",
    "init",
    "protocol_blueprint",
    "renderer_config",
]
