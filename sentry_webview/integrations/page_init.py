"""``PageInitIntegration``: the page inits the renderer SDK itself.

For apps whose pages bundle the ``sentry-webview`` npm package (``sentry-webview/renderer``)
and call its ``init`` with their own options and integrations (tracing, replay, feedback).
The host still wires every window (the bridge, the traced ``js_api`` call) and injects the
preload with its config, but does not init the injected renderer SDK, so the page's own
``init`` is the only one.

>>> sentry_webview.init(dsn=..., integrations=[sentry_webview.PageInitIntegration()])
"""

from typing import Any, Dict

from sentry_sdk.integrations import Integration

from sentry_webview.ipc import wire
from sentry_webview.renderers.hub import HubFeature, RendererHub


class PageInitIntegration(Integration, HubFeature):
    """Injected renderers wait for the page's own ``init``."""

    identifier = "webview_page_init"

    @staticmethod
    def setup_once() -> None:
        pass

    def renderer_config(self, hub: RendererHub, config: Dict[str, Any]) -> None:
        config[wire.CONFIG["autoInit"]] = False
