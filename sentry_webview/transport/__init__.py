"""The last step: sending through sentry-sdk's own HTTP transport, with an offline queue on disk."""

from sentry_webview.transport.offline import OfflineTransport, offline_transport

__all__ = ["OfflineTransport", "offline_transport"]
