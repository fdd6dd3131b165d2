"""The script the host injects into each renderer: its config, then the renderer bundle.

The renderer bundle contains the preload, hooks it up with the injected config and
auto-inits @sentry/browser. When the bundles are missing (a frozen app built without
our PyInstaller hook) there is nothing to inject: one warning, and the app's own
pages must ship the bundles (``python -m sentry_webview js --out DIR``) and talk over the protocol.
"""

import json
import logging
from functools import lru_cache
from importlib import resources
from typing import Any, Dict, Optional

from sentry_webview.ipc import wire
from sentry_webview.ipc.origins import SCRIPT_RULE_KEY, script_guard

logger = logging.getLogger("sentry_webview")

SOURCE_URL = "sentry-webview/renderer.js"
TRACING_BUNDLE = "renderer-tracing.js"  # injected instead when the host has tracing on


@lru_cache(maxsize=None)
def renderer_bundle(name: str = "renderer.js") -> Optional[str]:
    """The built renderer bundle shipped in the package, or None (and one warning) if missing."""
    try:
        return (resources.files("sentry_webview") / "static" / name).read_text("utf-8")
    except (OSError, ModuleNotFoundError):
        logger.warning(
            "sentry-webview: sentry_webview/static/renderer.js is missing (a frozen app built without "
            "sentry-webview's PyInstaller hook?). Renderers are not injected; pages must ship the preload and the "
            "renderer themselves (python -m sentry_webview js --out DIR writes them) and reach the host over the "
            "protocol (ipc_mode PROTOCOL or BOTH)."
        )
        return None


def injected_source(config: Dict[str, Any]) -> Optional[str]:
    """The script to run at document creation for a renderer with ``config``.

    The script runs in every document the window shows, so it publishes the config (and its
    token) only in a document whose origin the host allowed when it was injected (the config's
    ``SCRIPT_RULE_KEY``): a foreign page the window navigates to gets nothing. The tracing
    bundle when the host traces and the bundle inits itself (else the page's own SDK does).
    """
    auto_init = wire.CONFIG["autoInit"]
    config = dict({auto_init: True}, **config)  # unless a feature said the page inits its SDK itself
    tracing = bool(config.get(wire.CONFIG["tracing"])) and config[auto_init] is not False
    bundle = renderer_bundle(TRACING_BUNDLE) if tracing else renderer_bundle()
    if bundle is None:
        return None
    source_url = SOURCE_URL.replace("renderer.js", TRACING_BUNDLE) if tracing else SOURCE_URL
    rule = config.pop(SCRIPT_RULE_KEY, None)
    guard = script_guard(rule) if rule is not None else "true"
    # JSON is valid JS; escaping "<" keeps the config inert inside a <script> element too.
    literal = json.dumps(config).replace("<", "\\u003c")
    return "if (%s) { window.%s = %s; }\n%s\n//# sourceURL=%s\n" % (
        guard,
        wire.GLOBALS["config"],
        literal,
        bundle,
        source_url,
    )


def script_element_loader(source: str) -> str:
    """JS that runs ``source`` as a real ``<script>`` element, so its errors aren't muted as "Script error."."""
    return (
        "(function(){var s=document.createElement('script');s.textContent=%s;"
        "(document.head||document.documentElement).appendChild(s);s.remove();})();"
        % json.dumps(source).replace("<", "\\u003c")
    )
